"""A customer's vehicles ("parc", seed 003 "consulter le parc matériel"): bought from the dealer (its
orders), taken in trade-in (its leads' trade-ins), or recorded by a seller; each with the contracts
attached (service contract, warranty extension) and their end dates. From a vehicle a seller starts a
quote for a service contract or a warranty extension: the after-sales path of seed 000.
"""
import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from chalicelib.domain.errors import NotFound
from chalicelib.domain.model import Command, Entity
from chalicelib.domain.orders.model import Order, OrderStatus
from chalicelib.domain.quotes import LineInput, LineKind, Payment

# ISO 3779: 17 characters, never I, O or Q (read as 1 and 0).
VIN_PATTERN = r"^[A-HJ-NPR-Z0-9]{17}$"
# SIV (since 2009): AA-123-AA, without I, O or U; the old FNI plates: 123 ABC 45 (1–4 digits, 1–3 letters,
# the département: 2 digits, 2A, 2B or 97x).
_SIV = re.compile(r"^([A-HJ-NP-TV-Z]{2})[- ]?(\d{3})[- ]?([A-HJ-NP-TV-Z]{2})$")
_FNI = re.compile(r"^(\d{1,4}) ?([A-Z]{1,3}) ?(\d{2}|2A|2B|97\d)$")


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def french_registration(plate: str) -> str:
    """The plate written the one way: AB-123-CD (SIV), or 1234 AB 56 (FNI)."""
    siv = _SIV.match(plate)
    if siv:
        return "-".join(siv.groups())
    fni = _FNI.match(plate)
    if fni:
        return " ".join(fni.groups())
    raise ValueError("a French plate: AA-123-AA (SIV) or 1234 AB 56 (old FNI)")


Vin = Annotated[str, BeforeValidator(_upper), Field(pattern=VIN_PATTERN, description="17 characters, no I, O or Q")]
Registration = Annotated[str, BeforeValidator(_upper), Field(min_length=4, max_length=12),
                         AfterValidator(french_registration)]


class VehicleSource(StrEnum):
    SOLD = "sold"            # bought from the dealer: an order
    TRADE_IN = "trade_in"    # taken in trade-in on one of the customer's leads
    RECORDED = "recorded"    # recorded by a seller

    @property
    def label(self) -> str:
        return {"sold": "Acheté chez nous", "trade_in": "Repris", "recorded": "Enregistré"}[self.value]


class ContractKind(StrEnum):
    SERVICE_CONTRACT = "service_contract"       # contrat d'entretien (a service, 14 days to withdraw)
    WARRANTY_EXTENSION = "warranty_extension"   # extension de garantie panne mécanique (insurance, 30 days)

    @property
    def label(self) -> str:
        return {"service_contract": "Contrat d'entretien", "warranty_extension": "Extension de garantie"}[self.value]


class VehicleContract(Entity):
    id: str
    vehicle_id: str
    kind: ContractKind
    reference: str | None = None
    starts_on: date | None = None
    ends_on: date
    created_at: datetime
    created_by: str


class RecordedVehicle(Entity):
    """A vehicle a seller records on the account (the customer's car bought elsewhere)."""
    id: str
    account_id: str
    make: str
    model: str
    vin: str | None = None
    registration: str | None = None
    first_registration: date | None = None
    mileage_km: int | None = None
    created_at: datetime
    created_by: str


class ParcVehicle(Entity):
    """A vehicle as the account page shows it, whatever its source."""
    id: str = Field(description="order-<order_id>, tradein-<trade_in_id>, or the recorded vehicle's id")
    source: VehicleSource
    source_label: str
    label: str = Field(description="make and model")
    vin: str | None = None
    registration: str | None = None
    first_registration: date | None = None
    mileage_km: int | None = None
    since: datetime = Field(description="when it was sold, taken or recorded")
    order_id: str | None = None
    lead_id: str | None = None
    contracts: list[VehicleContract] = []


class Parc(Entity):
    account_id: str
    vehicles: list[ParcVehicle]


def sold_vehicle(order: Order) -> ParcVehicle | None:
    """An order's car, once it is the customer's (a cancelled order left them nothing)."""
    if order.status in (OrderStatus.CANCELLING, OrderStatus.CANCELLED):
        return None
    car = order.vehicle
    return ParcVehicle(id=f"order-{order.id}", source=VehicleSource.SOLD, source_label=VehicleSource.SOLD.label,
                       label=f"{car.make} {car.model}", vin=car.vin, registration=car.registration,
                       first_registration=car.first_registration, mileage_km=car.mileage_km,
                       since=order.sold_at or order.handed_over_at or order.reserved_at, order_id=order.id,
                       lead_id=order.lead_id)


def traded_in(lead_id: str, trade_in_id: str, vehicle: str, registration: str, mileage_km: int,
              at: datetime) -> ParcVehicle:
    return ParcVehicle(id=f"tradein-{trade_in_id}", source=VehicleSource.TRADE_IN,
                       source_label=VehicleSource.TRADE_IN.label, label=vehicle, registration=registration,
                       mileage_km=mileage_km, since=at, lead_id=lead_id)


def recorded(vehicle: RecordedVehicle) -> ParcVehicle:
    return ParcVehicle(id=vehicle.id, source=VehicleSource.RECORDED, source_label=VehicleSource.RECORDED.label,
                       label=f"{vehicle.make} {vehicle.model}", vin=vehicle.vin, registration=vehicle.registration,
                       first_registration=vehicle.first_registration, mileage_km=vehicle.mileage_km,
                       since=vehicle.created_at)


def with_contracts(vehicles: list[ParcVehicle], contracts: list[VehicleContract]) -> list[ParcVehicle]:
    """Each vehicle with its contracts (the latest end first), the most recent vehicle first."""
    attached = [v.model_copy(update={"contracts": sorted((c for c in contracts if c.vehicle_id == v.id),
                                                         key=lambda c: c.ends_on, reverse=True)})
                for v in vehicles]
    return sorted(attached, key=lambda v: v.since, reverse=True)


def vehicle_in(parc: Parc, vehicle_id: str) -> ParcVehicle:
    for vehicle in parc.vehicles:
        if vehicle.id == vehicle_id:
            return vehicle
    raise NotFound("Véhicule introuvable dans le parc de ce client.")


def describe(vehicle: ParcVehicle) -> str:
    """The vehicle as a quote line describes it."""
    parts = [vehicle.label]
    if vehicle.registration:
        parts.append(f"immatriculé {vehicle.registration}")
    if vehicle.vin:
        parts.append(f"VIN {vehicle.vin}")
    if vehicle.mileage_km is not None:
        parts.append(f"{vehicle.mileage_km:,} km".replace(",", "\u00a0"))
    return " · ".join(parts)


def after_sales_line(vehicle: ParcVehicle, product: ContractKind) -> LineInput:
    """The product line of an after-sales quote, its price left for the seller to set. A service contract bears
    20 % VAT; an insurance product (the warranty extension) is exempt (art. 261 C, 2° du CGI) and paid, like a
    service contract, by monthly direct debit."""
    vat = 20 if product == ContractKind.SERVICE_CONTRACT else 0
    kind = LineKind.SERVICE_CONTRACT if product == ContractKind.SERVICE_CONTRACT else LineKind.INSURANCE
    return LineInput.model_validate({
        "kind": kind, "label": product.label, "description": describe(vehicle)[:1000], "unit_price_cents": 0,
        "vat_rate": vat, "payment": Payment.DIRECT_DEBIT,
    }, strict=False)


# --- commands ----------------------------------------------------------------------------

class NewRecordedVehicle(Command):
    make: str = Field(min_length=1, max_length=40)
    model: str = Field(min_length=1, max_length=60)
    vin: Vin | None = None
    registration: Registration | None = None
    first_registration: date | None = None
    mileage_km: int | None = Field(default=None, ge=0, le=2_000_000)


class NewContract(Command):
    kind: ContractKind
    reference: str | None = Field(default=None, min_length=1, max_length=60)
    starts_on: date | None = None
    ends_on: date

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Self:
        if self.starts_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on comes after starts_on")
        return self


class AfterSalesQuote(Command):
    product: ContractKind
    contact_id: str | None = Field(default=None, min_length=1, max_length=40)
