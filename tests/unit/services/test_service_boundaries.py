"""Use cases meet through public names: no service imports another's private pieces, and the customer's
use cases share the visit (services/visit.py), not each other."""
import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[3] / "chalicelib" / "services"


def _imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every `from chalicelib.services... import name` in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("chalicelib.services"):
            found += [(node.module, alias.name) for alias in node.names]
    return found


def test_no_service_imports_another_service_s_private_names():
    private = [(path.name, module, name) for path in SERVICES.glob("*.py")
               for module, name in _imports(path) if name.startswith("_")]
    assert private == []


def test_signing_and_deposits_take_the_visit_not_the_portal_s_use_cases():
    for name in ("signing.py", "deposits.py"):
        imported = _imports(SERVICES / name)
        assert ("chalicelib.services", "portal") not in imported
        assert not [module for module, _ in imported if module == "chalicelib.services.portal"]
        assert ("chalicelib.services.visit", "open_link") in imported


def test_what_both_sides_use_imports_no_use_case():
    """services/customer_contact (the link, the customer email) builds on the domain and the store alone: the
    proposal an email is about comes from the domain (`Proposal.email_ref`)."""
    assert _imports(SERVICES / "customer_contact.py") == []


def test_the_acompte_and_the_balance_know_nothing_of_each_other():
    """The webhook's entry (services/payment_webhook) hands each event to the use case its checkout's purpose
    names; what both do with an event is in services/payment_events."""
    def imports_service(name: str, service: str) -> bool:
        return any(f"{module}.{imported}".startswith(f"chalicelib.services.{service}")
                   for module, imported in _imports(SERVICES / name))

    assert not imports_service("deposits.py", "balance")
    assert not imports_service("balance.py", "deposits")
