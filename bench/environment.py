"""What every benchmark runs on: DynamoDB Local (in memory) and moto, on free ports.

Importing this module makes the process offline first (fake credentials, no endpoint or profile
inherited, Powertools quiet), so a benchmark imports it before anything of chalicelib: Powertools
reads its variables when chalicelib.observability is imported.
"""
import contextlib
import json
import os
import sys
import uuid
import warnings
from dataclasses import dataclass

os.environ.update({
    "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_REGION": "eu-west-3", "OFFERLINE_STAGE": "dev",
    "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR",
})
for _variable in [v for v in os.environ if v.startswith("AWS_ENDPOINT_URL") or v == "AWS_PROFILE"]:
    del os.environ[_variable]
warnings.filterwarnings("ignore", "No application metrics to publish")

from chalicelib.auth import tokens  # noqa: E402
from chalicelib.clients import client  # noqa: E402
from chalicelib.domain.dealers import DealerLegalChange, DealerSettingsChange, NewUser, Role, Staff  # noqa: E402
from chalicelib.services import dealers  # noqa: E402
from chalicelib.settings import settings  # noqa: E402
from local import dynamodb_local, gateway  # noqa: E402
from local.services import prepare_aws  # noqa: E402


@contextlib.contextmanager
def local_services():
    from moto.server import ThreadedMotoServer

    dynamodb_port, moto_port = dynamodb_local.free_port(), dynamodb_local.free_port()
    java = dynamodb_local.start(dynamodb_port)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = f"http://127.0.0.1:{dynamodb_port}"
    for service in ("SESV2", "SNS", "S3"):
        os.environ[f"AWS_ENDPOINT_URL_{service}"] = f"http://127.0.0.1:{moto_port}"
    try:
        yield
    finally:
        moto.stop()
        java.terminate()
        java.wait(timeout=10)


def fresh_table() -> str:
    """A new table, with the verified sender and the documents bucket the app expects."""
    name = f"offerline-bench-{uuid.uuid4().hex[:8]}"
    os.environ["OFFERLINE_TABLE_NAME"] = name
    settings.cache_clear()
    client.cache_clear()
    prepare_aws()
    return name


class CallCounter:
    """Counts DynamoDB calls, the items each Query evaluated and the read capacity it consumed."""

    def __init__(self):
        self.calls: list[str] = []
        self.items_read = 0
        self.capacity = 0.0
        events = client("dynamodb").meta.events
        events.register("before-parameter-build.dynamodb.Query", self._ask_capacity)
        events.register("before-call.dynamodb.*", self._before)
        events.register("after-call.dynamodb.Query", self._after_query)

    @staticmethod
    def _ask_capacity(params, **_):
        params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def _before(self, model, **_):
        if not gateway.authorizing():  # the authorizer's user check: its own Lambda in AWS
            self.calls.append(model.name)

    def _after_query(self, parsed, **_):
        self.items_read += parsed.get("ScannedCount", 0)
        self.capacity += parsed.get("ConsumedCapacity", {}).get("CapacityUnits", 0)

    def reset(self):
        self.calls.clear()
        self.items_read = 0
        self.capacity = 0.0


# --- the benchmarks' dealer ------------------------------------------------------------------

DEALER_NAME = "Garage du Banc d'Essai"
LEGAL = DealerLegalChange(legal_name="Banc d'Essai Automobiles SAS", address_line="1 rue du Banc",
                          postal_code="69003", city="Lyon", email="contact@banc.example.com")


@dataclass(frozen=True)
class Tenant:
    """A benchmark's dealer with its admin and its seller, Victor."""
    dealer_id: str
    admin: Staff
    seller: Staff
    seller_email: str

    def seller_token(self) -> str:
        """Victor's bearer token for the HTTP routes (the local stack's issuer)."""
        return tokens.issue_local(self.seller, self.seller_email)


def tenant(settings_change: DealerSettingsChange | None = None, legal: bool = False) -> Tenant:
    """A new dealer (its legal details when `legal`: proposals need them), its first admin and a seller."""
    dealer = dealers.create_dealer(DEALER_NAME, settings_change)
    admin = dealers.create_first_admin(dealer.id, NewUser(email="admin@bench.example.com", name="Admin",
                                                          role=Role.ADMIN))
    as_admin = Staff(dealer_id=dealer.id, user_id=admin.id, role=Role.ADMIN)
    if legal:
        dealers.change_legal(dealer.id, LEGAL, by=as_admin)
    seller = dealers.create_user(dealer.id, NewUser(email="victor@bench.example.com", name="Victor",
                                                    role=Role.SELLER), by=as_admin)
    return Tenant(dealer.id, as_admin, Staff(dealer_id=dealer.id, user_id=seller.id, role=Role.SELLER), seller.email)


def command(model, **fields):
    """A command as the API parses it from JSON (commands are strict)."""
    return model.model_validate_json(json.dumps(fields))


PEUGEOT = {"kind": "vehicle", "label": "Peugeot 308", "unit_price_cents": 1_582_500, "vat_rate": 20,
           "vehicle": {"make": "Peugeot", "model": "308"}}
SELLER_BLOCK = {"display_name": "Victor Vendeur", "phone": "+33611223344", "email": "victor@bench.example.com"}


def quote_for_marie(garage: Tenant, lines: list[dict]) -> str:
    """A quote of Victor's to a new customer, Marie Durand, through the use cases: its id."""
    from chalicelib.domain.customers import NewAccount
    from chalicelib.domain.quotes import NewQuote
    from chalicelib.services import customers, quotes

    account = customers.create_account(garage.dealer_id, command(
        NewAccount, kind="person", contact={"first_name": "Marie", "last_name": "Durand",
                                            "email": "marie@bench.example.com"}))
    return quotes.create(garage.dealer_id, command(NewQuote, account_id=account.account.id,
                                                   contact_id=account.contacts[0].id, lines=lines),
                         by=garage.seller).id


def sent_proposal(garage: Tenant, quote_id: str):
    """A proposal of the quote, made and sent by Victor through the use cases (PDF, link, email)."""
    from chalicelib.domain.proposals.commands import NewProposal, SendProposal
    from chalicelib.services import proposals

    made = proposals.create(garage.dealer_id, command(NewProposal, quote_id=quote_id, seller=SELLER_BLOCK),
                            by=garage.seller)
    return proposals.send(garage.dealer_id, made.proposal.id, SendProposal(), by=garage.seller).proposal


# --- the call-count benchmarks' report ------------------------------------------------------

def calls_table(rows: list[dict]) -> str:
    """Rows of label, calls (names), shown, rcu, ms: the markdown table docs/performance.md records."""
    lines = ["| request | DynamoDB calls | shown | read capacity (RCU) | local time (ms) |",
             "| --- | --- | --- | --- | --- |"]
    for row in rows:
        calls = f"{len(row['calls'])} ({', '.join(row['calls'])})" if row["calls"] else "0"
        lines.append(f"| {row['label']} | {calls} | {row['shown']} | {row['rcu']:g} | {row['ms']:.0f} |")
    return "\n".join(lines)


def verdict(problems: list[str]) -> int:
    """Says each broken promise on stderr; the exit status: 1 if any."""
    for problem in problems:
        print(f"\nBROKEN: {problem}", file=sys.stderr)
    return 1 if problems else 0
