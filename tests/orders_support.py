"""Builders for the order tests: a dealer with a seller, a manager and back office, a customer's quote for a car."""
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from chalicelib.domain.customers import AccountKind, NewAccount, NewContact
from chalicelib.domain.dealers import NewUser, Role, Staff, User
from chalicelib.domain.quotes import NewQuote, VehicleDetails
from chalicelib.services import customers, dealers, quotes
from tests.support import Tenant, tenant

# A Thursday in winter: 10:00 in Paris. Reservation day 2026-01-15, handover day 2026-01-25 by default.
OPENED_AT = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
CAR = VehicleDetails(make="Peugeot", model="308", version="1.2 PureTech 130 Allure", vin="VF3LBHNSJKS123456",
                     registration="AB-123-CD", first_registration=date(2021, 3, 2), mileage_km=32500, used=True)


@dataclass
class Garage:
    tenant: Tenant
    manager: User
    back_office: User

    @property
    def dealer_id(self) -> str:
        return self.tenant.dealer.id

    def staff(self, user: User) -> Staff:
        return Staff(dealer_id=user.dealer_id, user_id=user.id, role=user.role)

    @property
    def seller(self) -> Staff:
        return self.staff(self.tenant.seller)

    @property
    def as_manager(self) -> Staff:
        return self.staff(self.manager)

    @property
    def as_back_office(self) -> Staff:
        return self.staff(self.back_office)

    @property
    def admin(self) -> Staff:
        return self.staff(self.tenant.admin)


def garage(name: str = "Garage des Tilleuls") -> Garage:
    t = tenant(name)
    admin = Staff(dealer_id=t.dealer.id, user_id=t.admin.id, role=Role.ADMIN)
    slug = t.dealer.id.lower()
    manager = dealers.create_user(t.dealer.id, NewUser(email=f"manager-{slug}@example.com", name="Marc Manager",
                                                       role=Role.MANAGER), by=admin)
    office = dealers.create_user(t.dealer.id, NewUser(email=f"adv-{slug}@example.com", name="Bérénice ADV",
                                                      role=Role.BACK_OFFICE), by=admin)
    return Garage(t, manager, office)


def quote_for_a_car(g: Garage, car: VehicleDetails = CAR) -> str:
    account = customers.create_account(g.dealer_id, NewAccount(
        kind=AccountKind.PERSON,
        contact=NewContact(first_name="Marie", last_name="Durand", email="marie@example.com")))
    quote = quotes.create(g.dealer_id, NewQuote.model_validate({
        "account_id": account.account.id, "contact_id": account.contacts[0].id, "lines": [
        {"kind": "vehicle", "label": "Peugeot 308", "unit_price_cents": 1_500_000, "vat_rate": 20,
         "vehicle": car.model_dump()},
        {"kind": "fee", "label": "Frais de mise à la route", "unit_price_cents": 25_000, "vat_rate": 20},
    ]}, strict=False), by=g.seller)
    return quote.id


def command(model, **fields):
    """A command as the API parses it from a JSON body."""
    return model.model_validate_json(json.dumps(fields, default=str))
