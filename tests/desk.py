"""The seller's desk for service unit tests: commands built as the API parses them, and a customer
and a quote made through the same services the API calls (no HTTP)."""
import json
from datetime import date

from pydantic import BaseModel

from chalicelib.domain.customers import AccountView, NewAccount, NewContact
from chalicelib.domain.dealers import NewUser, Role, Staff, User
from chalicelib.domain.quotes import NewQuote, Quote
from chalicelib.services import customers, dealers, quotes
from tests.offers import LINES
from tests.support import Tenant


def command(model: type[BaseModel], **fields):
    """A command as the API parses it from JSON (commands are strict)."""
    return model.model_validate_json(json.dumps(fields, default=_json))


def _json(value):
    return value.isoformat() if isinstance(value, date) else value.model_dump(mode="json")


def admin(garage: Tenant) -> Staff:
    return Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=Role.ADMIN)


def seller(garage: Tenant) -> Staff:
    return Staff(dealer_id=garage.dealer.id, user_id=garage.seller.id, role=Role.SELLER)


def colleague(garage: Tenant, name: str = "Nina Vendeuse") -> User:
    email = f"{name.split()[0].lower()}-{garage.dealer.id.lower()}@example.com"
    return dealers.create_user(garage.dealer.id, command(NewUser, email=email, name=name, role=Role.SELLER),
                               by=admin(garage))


def customer(garage: Tenant) -> AccountView:
    """Durand Transports, with Marie (the quote's contact) and Paul (no mobile)."""
    view = customers.create_account(garage.dealer.id, command(
        NewAccount, kind="company", name="Durand Transports", siren="123456789",
        contact={"civility": "Mme", "first_name": "Marie", "last_name": "Durand", "email": "marie@example.com",
                 "mobile": "06 12 34 56 78"}))
    paul = customers.add_contact(garage.dealer.id, view.account.id, command(
        NewContact, first_name="Paul", last_name="Durand", email="paul@example.com"))
    return view.model_copy(update={"contacts": [*view.contacts, paul]})


def quote(garage: Tenant, lead_id: str | None = None, account: AccountView | None = None, **fields) -> Quote:
    """A quote of the full sample lines for Marie, made from `lead_id` when given."""
    account = account or customer(garage)
    origin = {"origin": "lead", "lead_id": lead_id} if lead_id else {"origin": "contact"}
    return quotes.create(garage.dealer.id, command(
        NewQuote, account_id=account.account.id, contact_id=account.contacts[0].id, lines=LINES,
        **origin | fields), by=seller(garage))
