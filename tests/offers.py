"""Builders for the quote and proposal API tests: a customer, a quote, what moto's SES and SNS received."""
import email
import re
from dataclasses import dataclass
from email import policy

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.domain.dealers import DealerLegalChange, Staff
from chalicelib.domain.proposals.model import Proposal
from chalicelib.domain.proposals.status import ProposalStatus
from chalicelib.services import dealers
from chalicelib.store import keys
from chalicelib.store.table import Update, if_exists, if_status
from tests.support import Api, Tenant, body, delivered

SELLER_BLOCK = {"display_name": "Victor Vendeur", "phone": "+33611223344", "email": "victor@tilleuls.example"}
TOKEN = re.compile(r"/p/([A-Za-z0-9_-]{43})\b")

LINES = [
    {"kind": "vehicle", "label": "Peugeot 308 1.2 PureTech 130 Allure", "unit_price_cents": 1_582_500,
     "vat_rate": 20, "vehicle": {"make": "Peugeot", "model": "308", "vin": "VF3LBHNSJKS123456",
                                 "registration": "AB-123-CD", "mileage_km": 32500}},
    {"kind": "accessory", "label": "Tapis de sol", "quantity": 4, "unit_price_cents": 1_249, "vat_rate": 20},
    {"kind": "service_contract", "label": "Contrat d'entretien 36 mois", "unit_price_cents": 89_000,
     "vat_rate": 20, "payment": "direct_debit"},
    {"kind": "insurance", "label": "Extension de garantie", "unit_price_cents": 59_000, "vat_rate": 0,
     "optional": True},
    {"kind": "fee", "label": "Frais de mise à la route", "unit_price_cents": 25_000, "vat_rate": 20},
]


LEGAL = dict(legal_name="Tilleuls Automobiles SAS", legal_form="SAS au capital de 50 000 €",
             address_line="12 rue des Tilleuls", postal_code="69003", city="Lyon", siret="12345678900012",
             email="contact@tilleuls.example")


def with_legal(garage: Tenant) -> Tenant:
    """The dealer's legal information, as an admin enters it before the first remote sale."""
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=garage.admin.role)
    garage.dealer = dealers.change_legal(garage.dealer.id, DealerLegalChange(**LEGAL), by=admin)
    return garage


@dataclass
class Offer:
    account_id: str
    contact_id: str
    other_contact_id: str
    quote_id: str
    email: str


def customer(api: Api, tag: str) -> dict:
    """A company account with two contacts; returns the created account view."""
    created = api.post("/accounts", {
        "kind": "company", "name": "Durand Transports", "siren": "123456789",
        "address": {"line1": "3 place Bellecour", "postal_code": "69002", "city": "Lyon"},
        "contact": {"civility": "Mme", "first_name": "Marie", "last_name": "Durand",
                    "email": f"marie-{tag}@example.com", "mobile": "06 12 34 56 78"},
    })
    assert created.status_code == 201, created.body
    view = body(created)
    other = api.post(f"/accounts/{view['account']['id']}/contacts", {
        "first_name": "Paul", "last_name": "Durand", "email": f"paul-{tag}@example.com"})
    assert other.status_code == 201, other.body
    view["contacts"].append(body(other))
    return view


def offer(api: Api, tag: str, **quote_fields) -> Offer:
    view = customer(api, tag)
    account_id, contact_id = view["account"]["id"], view["contacts"][0]["id"]
    quote = api.post("/quotes", {"account_id": account_id, "contact_id": contact_id, "origin": "contact",
                                 "lines": LINES, **quote_fields})
    assert quote.status_code == 201, quote.body
    return Offer(account_id, contact_id, view["contacts"][1]["id"], body(quote)["id"], view["contacts"][0]["email"])


def propose(api: Api, offer: Offer, seller: dict | None = SELLER_BLOCK) -> dict:
    created = api.post("/proposals", {"quote_id": offer.quote_id, **({"seller": seller} if seller else {})})
    assert created.status_code == 201, created.body
    return body(created)["proposal"]


def ses_messages() -> list:
    """Every email moto's SES took so far, oldest first, without delivering the stream's pending work."""
    return ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-3"].sent_messages


def sms_messages() -> dict:
    """Every SMS moto's SNS took so far: message id -> (phone number, text)."""
    return sns_backends[DEFAULT_ACCOUNT_ID]["eu-west-3"].sms_messages


def recipients(message) -> list[str]:
    """The To addresses of a Simple email (a dict) or a Raw one (a list)."""
    destinations = message.destinations
    return destinations.get("ToAddresses", []) if isinstance(destinations, dict) else list(destinations)


def sent_emails():
    """Every email SES took by now: what the outbox still had to send from the table's stream goes first."""
    delivered()
    return ses_messages()


def sms_to(phone: str) -> list[str]:
    """The texts of the SMS SNS took for this number by now (the stream's pending work delivered first)."""
    delivered()
    return [text for number, text in sms_messages().values() if number == phone]


def emails_to(address: str) -> list:
    return [message for message in sent_emails() if address in recipients(message)]


@dataclass
class Received:
    subject: str
    text: str
    attachments: list[str]


def read(message) -> Received:
    """Subject, readable body (plain text of a raw MIME email, or the simple body) and attachment names."""
    raw = getattr(message, "raw_data", None)
    if raw is None:
        return Received(message.subject, message.body, [])
    parsed = email.message_from_string(raw if isinstance(raw, str) else raw.decode(), policy=policy.default)
    text = parsed.get_body(("plain",)).get_content()
    return Received(str(parsed["Subject"]), text, [part.get_filename() for part in parsed.iter_attachments()])


def token_in(received: Received) -> str:
    found = TOKEN.search(received.text)
    assert found, "no document link in the email"
    return found.group(1)


# --- what the portal writes, in short (the portal's own writes: services/portal.py) ---------------

def counted_view(proposal: Proposal, at) -> Update:
    """A view counted behind the seller's back: +1 view_count, last_viewed_at; a sent proposal becomes viewed."""
    key = keys.proposal(proposal.dealer_id, proposal.id)
    if proposal.status == ProposalStatus.SENT:
        return Update(key, set={"status": ProposalStatus.VIEWED.value, "last_viewed_at": at.isoformat()},
                      add={"view_count": 1}, condition=if_status(ProposalStatus.SENT.value))
    return Update(key, set={"last_viewed_at": at.isoformat()}, add={"view_count": 1}, condition=if_exists())


def counted_download(proposal: Proposal, at) -> Update:
    return Update(keys.proposal(proposal.dealer_id, proposal.id), set={"last_downloaded_at": at.isoformat()},
                  add={"download_count": 1}, condition=if_exists())
