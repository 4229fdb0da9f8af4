"""Demo data for the local stack, written through the same use cases as the API.

Seeded once: a table that already knows the demo admin keeps its data.
"""
import json
from dataclasses import dataclass

from chalicelib.domain.customers import NewAccount
from chalicelib.domain.dealers import (
    Dealer, DealerLegalChange, DealerSettingsChange, NewBranch, NewUser, ProfileChange, Role, Staff, User,
)
from chalicelib.documents import storage
from chalicelib.domain.leads.commands import NewLead
from chalicelib.domain.orders.commands import OpenFromQuote, PaymentPlanInput
from chalicelib.domain.orders.documents import FileType, NewOrderDocument
from chalicelib.domain.quotes import NewQuote
from chalicelib.domain.vehicles import NewVehicle
from chalicelib.services import customers, dealers, leads, order_documents, orders, quotes, vehicles
from chalicelib.store import dealers as dealer_store

DEALER_NAME = "Garage des Tilleuls"
ADMIN_EMAIL = "admin@tilleuls.example"
SELLER_EMAIL = "vendeur@tilleuls.example"
# ARCEP reserves 06 39 98 xx xx for fiction: no real person receives the demo SMS.
SELLER_PHONE = "+33639980001"


@dataclass(frozen=True)
class DemoTeam:
    dealer: Dealer
    admin: User
    seller: User


def seed() -> bool:
    """Seeds the demo data unless it is there already; True when it seeded."""
    if dealer_store.find_login(ADMIN_EMAIL) is not None:
        return False
    team = seed_team()
    seed_sales(team)
    seed_stock(team)
    return True


def seed_team() -> DemoTeam:
    """The dealer with remote selling and a 10 % acompte on (a new user sees the whole path: sign, then pay),
    one branch, an admin and a seller with a profile."""
    dealer = dealers.create_dealer(DEALER_NAME, _command(DealerSettingsChange, {
        "remote_selling": True, "deposit": {"enabled": True, "percent": 10},
    }))
    admin = dealers.create_first_admin(dealer.id, NewUser(email=ADMIN_EMAIL, name="Claire Dubois", role=Role.ADMIN))
    as_admin = Staff(dealer_id=dealer.id, user_id=admin.id, role=admin.role)
    dealer = dealers.add_branch(dealer.id, NewBranch(name="Tilleuls Villeurbanne"), by=as_admin)
    seller = dealers.create_user(dealer.id, NewUser(
        email=SELLER_EMAIL, name="Julien Martin", role=Role.SELLER, phone=SELLER_PHONE,
        branch_id=dealer.branches[0].id,
    ), by=as_admin)
    seller = dealers.save_profile(dealer.id, seller.id, ProfileChange(
        display_name="Julien Martin", phone=SELLER_PHONE, email=SELLER_EMAIL,
    ))
    return DemoTeam(dealer=dealer, admin=admin, seller=seller)


def seed_sales(team: DemoTeam) -> None:
    """The seller's day: the dealer's legal details, a customer, a fresh lead and a quote made from it."""
    as_admin = Staff(dealer_id=team.dealer.id, user_id=team.admin.id, role=team.admin.role)
    as_seller = Staff(dealer_id=team.dealer.id, user_id=team.seller.id, role=team.seller.role)
    dealers.change_legal(team.dealer.id, _command(DealerLegalChange, LEGAL), by=as_admin)
    customer = customers.create_account(team.dealer.id, _command(NewAccount, CUSTOMER))
    lead = leads.create(team.dealer.id, _command(NewLead, LEAD), by=team.seller.id)
    quote = quotes.create(team.dealer.id, _command(NewQuote, {
        "account_id": customer.account.id, "contact_id": customer.contacts[0].id, "origin": "lead",
        "lead_id": lead.id, "lines": QUOTE_LINES,
    }), by=as_seller)
    seed_order(team.dealer.id, quote.id, as_seller)


def seed_order(dealer_id: str, quote_id: str, as_seller: Staff) -> None:
    """An order in progress, so the order screens show something at once: reserved from the demo quote
    with a 500 € acompte, paid by transfer, its first milestones done and the handover slip received
    (waiting for back office), through the orders use cases as the front does it."""
    view = orders.open_from_quote(dealer_id, _command(OpenFromQuote, {
        "quote_id": quote_id, "deposit_paid_cents": 50_000, "deposit_method": "transfer"}), by=as_seller)
    order_id = view.order.id
    orders.set_payment_plan(dealer_id, order_id, _command(PaymentPlanInput, {"method": "transfer"}), by=as_seller)
    for code in DONE_MILESTONES:
        orders.check_milestone(dealer_id, order_id, code, by=as_seller)
    upload = order_documents.request_upload(dealer_id, order_id, _command(NewOrderDocument, {
        "kind": "handover_slip", "filename": "bon-de-remise.pdf", "content_type": FileType.PDF.value}), by=as_seller)
    # What the browser's presigned POST does: the file lands under the document's key.
    storage.put(upload.document.s3_key, DEMO_PDF, FileType.PDF.value)
    order_documents.confirm_upload(dealer_id, order_id, upload.document.id, by=as_seller)


def seed_stock(team: DemoTeam) -> None:
    """A few vehicles in the branch's stock: new and used, one used under the margin scheme."""
    as_seller = Staff(dealer_id=team.dealer.id, user_id=team.seller.id, role=team.seller.role)
    for vehicle in STOCK:
        vehicles.create(as_seller, _command(NewVehicle, {**vehicle, "branch_id": team.dealer.branches[0].id}))


def _command(model, fields: dict):
    """Commands are strict, as they are when the API parses JSON: build them the same way."""
    return model.model_validate_json(json.dumps(fields))


LEGAL = {
    "legal_name": "Tilleuls Automobiles SAS", "legal_form": "SAS au capital de 50 000 €",
    "address_line": "12 rue des Tilleuls", "postal_code": "69003", "city": "Lyon", "siret": "12345678900012",
    "phone": "+33478000000", "email": "contact@tilleuls.example",
    "mediator": "Médiateur du Conseil national des professions de l'automobile (CNPA), mediateur-cnpa.fr",
}
CUSTOMER = {
    "kind": "person",
    "address": {"line1": "8 avenue Jean Jaurès", "postal_code": "69007", "city": "Lyon"},
    "contact": {"civility": "Mme", "first_name": "Hélène", "last_name": "Garnier",
                "email": "helene.garnier@client.example", "mobile": "+33639980002"},
}
LEAD = {
    "contacts": [{"name": "Hélène Garnier", "email": "helene.garnier@client.example", "mobile": "+33639980002"}],
    "type": "used_vehicle_sale", "source": "site web",
}
DONE_MILESTONES = ["availability", "payment_method", "holder"]
DEMO_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
QUOTE_LINES = [
    {"kind": "vehicle", "label": "Peugeot 308 1.2 PureTech 130 Allure", "unit_price_cents": 1582500,
     "vat_rate": 20, "vehicle": {"make": "Peugeot", "model": "308", "vin": "VF3LBHNSJKS123456",
                                 "registration": "AB-123-CD", "mileage_km": 32500}},
    {"kind": "service_contract", "label": "Contrat d'entretien 36 mois", "unit_price_cents": 89000,
     "vat_rate": 20, "payment": "direct_debit"},
    {"kind": "insurance", "label": "Extension de garantie panne mécanique 24 mois", "unit_price_cents": 59000,
     "vat_rate": 0, "optional": True},
    {"kind": "fee", "label": "Frais de mise à la route", "unit_price_cents": 25000, "vat_rate": 20},
]
STOCK = [
    {"vin": "VF3LBHNSJKS123456", "make": "Peugeot", "model": "308", "version": "1.2 PureTech 130 Allure",
     "registration": "AB-123-CD", "first_registration": "2021-06-14", "mileage_km": 32500, "kind": "used",
     "price_cents": 1582500, "vat_regime": "margin"},
    {"vin": "VR3USHNSKPJ654321", "make": "Peugeot", "model": "2008", "version": "1.2 PureTech 130 GT",
     "mileage_km": 15, "kind": "new", "price_cents": 3125000, "vat_regime": "normal"},
    {"vin": "VF1RJA00X67890123", "make": "Renault", "model": "Clio", "version": "TCe 90 Evolution",
     "registration": "GH-456-JK", "first_registration": "2023-02-03", "mileage_km": 18900, "kind": "used",
     "price_cents": 1649000, "vat_regime": "normal"},
    {"vin": "WVWZZZAUZHP512345", "make": "Volkswagen", "model": "Golf", "version": "1.5 TSI 130 Life",
     "registration": "1234 AB 69", "first_registration": "2008-11-20", "mileage_km": 168000, "kind": "used",
     "price_cents": 549000, "vat_regime": "margin"},
]
