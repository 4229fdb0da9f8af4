"""Builders for the invoice tests: a sale with a used car under the margin scheme and two taxed lines."""
from datetime import UTC, date, datetime

from chalicelib.domain.customers import AccountKind, PostalAddress
from chalicelib.domain.dealers import DealerLegal
from chalicelib.domain.invoices import Buyer, InvoiceDraft, InvoiceKind, InvoiceSource, Seller, sale_lines
from chalicelib.domain.proposals.model import CustomerSnapshot
from chalicelib.domain.quotes import LineKind, QuoteLine, VehicleDetails
from chalicelib.store import keys
from chalicelib.store.table import Put, table

ISSUED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
LEGAL = DealerLegal(legal_name="Tilleuls Automobiles SAS", legal_form="SAS au capital de 50 000 €",
                    address_line="12 rue des Tilleuls", postal_code="69003", city="Lyon", siret="12345678900012",
                    rcs="RCS Lyon 123 456 789", vat_number="FR12123456789", email="contact@tilleuls.example")
SELLER = Seller(name="Garage des Tilleuls", legal=LEGAL)
CAR = VehicleDetails(make="Peugeot", model="308", vin="VF3LBHNSJKS123456", registration="AB-123-CD",
                     first_registration=date(2021, 3, 2), mileage_km=32500, used=True)


def proposal_item(dealer_id: str, *proposal_ids: str) -> None:
    """Proposal items for invoices of proposals the test does not make: their invoices are listed on them."""
    for proposal_id in proposal_ids:
        table.write(Put(keys.proposal(dealer_id, proposal_id), {}))


def customer(kind: AccountKind = AccountKind.PERSON, email: str | None = "marie@example.com") -> CustomerSnapshot:
    return CustomerSnapshot(
        account_id="A1", kind=kind, company_name="Durand Transports SARL" if kind == AccountKind.COMPANY else None,
        siren="552100554" if kind == AccountKind.COMPANY else None, contact_id="C1", first_name="Marie",
        last_name="Durand", email=email,
        address=PostalAddress(line1="3 place Bellecour", postal_code="69002", city="Lyon"))


def line(kind: LineKind, label: str, cents: int, rate_bp: int, quantity: int = 1, margin: bool = False,
         **extra) -> QuoteLine:
    return QuoteLine(id=label, kind=kind, label=label, quantity=quantity, unit_price_cents=cents,
                     vat_rate_bp=rate_bp, margin_scheme=margin, **extra)


def used_car_sale() -> list[QuoteLine]:
    """A used car under the margin scheme (15 000 €), mats (2 × 45 € HT at 20 %), registration fee (0 %),
    an optional warranty not chosen."""
    return [
        line(LineKind.VEHICLE, "Peugeot 308", 1_500_000, 0, margin=True, vehicle=CAR),
        line(LineKind.ACCESSORY, "Tapis de sol", 4_500, 2000, quantity=2),
        line(LineKind.FEE, "Carte grise", 27_676, 0),
        line(LineKind.SERVICE_CONTRACT, "Garantie 24 mois", 40_000, 2000, optional=True),
    ]


def draft(kind: InvoiceKind = InvoiceKind.STANDARD, lines=None, buyer: CustomerSnapshot | None = None,
          **fields) -> InvoiceDraft:
    fields = {"seller": SELLER, "payment_terms": "Payable à réception de la facture.", **fields}
    return InvoiceDraft(dealer_id="D1", kind=kind, source=InvoiceSource.QUOTE, source_id="Q1",
                        buyer=Buyer.of(buyer or customer()), lines=lines or sale_lines(used_car_sale()), **fields)
