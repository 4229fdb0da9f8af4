"""Domain objects for unit tests of quotes, proposals and documents (no AWS)."""
from datetime import date, datetime, timezone
from decimal import Decimal
from itertools import count

from chalicelib.domain.customers import Account, AccountKind, Civility, Contact, PostalAddress
from chalicelib.domain.dealers import Dealer, DealerLegal, DealerSettings, Deposit, SellerProfile
from chalicelib.domain.proposals.model import Proposal, Recipient, new_proposal
from chalicelib.domain.quotes import LineInput, LineKind, Payment, Quote, QuoteLine, VehicleDetails

AT = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
_ids = count(1)


def line(kind=LineKind.ACCESSORY, price=10_000, vat=20, quantity=1, **changes) -> QuoteLine:
    return LineInput(kind=kind, label=changes.pop("label", f"{kind.value} {price}"), unit_price_cents=price,
                     vat_rate=Decimal(str(vat)), quantity=quantity, **changes).line(f"L{next(_ids)}")


def vehicle_line(price=1_582_500) -> QuoteLine:
    return line(LineKind.VEHICLE, price, label="Peugeot 308 1.2 PureTech 130 Allure", vehicle=VehicleDetails(
        make="Peugeot", model="308", version="1.2 PureTech 130 Allure", vin="VF3LBHNSJKS123456",
        registration="AB-123-CD", first_registration=date(2022, 3, 14), mileage_km=32_500))


def dealer(**settings) -> Dealer:
    return Dealer(
        id="D1", name="Garage des Tilleuls",
        settings=DealerSettings(remote_selling=True, **settings),
        legal=DealerLegal(legal_name="Tilleuls Automobiles SAS", legal_form="SAS au capital de 50 000 €",
                          address_line="12 rue des Tilleuls", postal_code="69003", city="Lyon",
                          siret="12345678900012", rcs="RCS Lyon 123 456 789", vat_number="FR12123456789",
                          phone="+33472000000", email="contact@tilleuls.example", mediator="CNPM Médiation"),
    )


def account() -> Account:
    return Account(id="A1", dealer_id="D1", kind=AccountKind.PERSON, name="Marie Durand",
                   address=PostalAddress(line1="3 place Bellecour", postal_code="69002", city="Lyon"),
                   created_at=AT, updated_at=AT)


def contact() -> Contact:
    return Contact(id="C1", dealer_id="D1", account_id="A1", civility=Civility.MADAME, first_name="Marie",
                   last_name="Durand", email="marie@example.com", mobile="+33612345678", created_at=AT, updated_at=AT)


def full_lines() -> list[QuoteLine]:
    return [
        vehicle_line(),
        line(LineKind.ACCESSORY, 1_249, quantity=4, label="Tapis de sol"),
        line(LineKind.SERVICE_CONTRACT, 89_000, label="Contrat d'entretien 36 mois", payment=Payment.DIRECT_DEBIT),
        line(LineKind.INSURANCE, 59_000, vat=0, optional=True, label="Extension de garantie panne mécanique"),
        line(LineKind.FEE, 25_000, label="Frais de mise à la route"),
    ]


def quote(lines: list[QuoteLine] | None = None, **changes) -> Quote:
    fields = dict(id="Q1", dealer_id="D1", number="D2026-00042", account_id="A1", contact_id="C1", seller_id="U1",
                  lines=full_lines() if lines is None else lines, valid_until=date(2026, 12, 24),
                  notes="Reprise de votre Clio incluse.", created_at=AT, created_by="U1", updated_at=AT)
    return Quote(**(fields | changes))


SELLER = SellerProfile(display_name="Victor Vendeur", phone="+33611223344", email="victor@tilleuls.example")


def proposal(the_quote: Quote | None = None, the_dealer: Dealer | None = None) -> Proposal:
    return new_proposal("P1", "P2026-00012", the_quote or quote(), the_dealer or dealer(deposit=Deposit(
        enabled=True, percent=10)), account(), contact(), SELLER, "U1", AT)


TO_MARIE = Recipient(contact_id="C1", name="Marie Durand", email="marie@example.com", mobile="+33612345678")
