"""The dealer's stock: one vehicle, one buyer (SPEC J). Rules and citations: docs/vehicles.md.

A vehicle is available, reserved (for one accepted proposal, during the dealer's hold period
unless its order goes forward) or sold. Its open proposals are kept in a small per-vehicle
index (`VehicleProposals`), read by the acceptance that reserves it and by a repricing.
"""
import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BeforeValidator, EmailStr, Field, ValidationError, model_validator

from chalicelib.domain.dealers import Role, Staff
from chalicelib.domain.errors import AlreadyExists, Conflict, Forbidden, InvalidInput, InvalidTransition
from chalicelib.domain.model import Command, Entity
from chalicelib.domain.quotes import VehicleDetails

# How long before a reservation runs out its seller is told (the hold period itself is the dealer's
# setting DealerSettings.vehicle_hold_days, 7 days unless changed).
HOLD_WARNING = timedelta(days=1)


class VehicleKind(StrEnum):
    NEW = "new"
    USED = "used"


class VatRegime(StrEnum):
    NORMAL = "normal"   # VAT on the whole price
    MARGIN = "margin"   # VAT on the margin only: used goods, CGI art. 297 A


class VehicleStatus(StrEnum):
    AVAILABLE = "available"
    RESERVED = "reserved"
    SOLD = "sold"


# The one transition table: a reservation is released or ends in a sale; a sold car stays sold.
TRANSITIONS: dict[VehicleStatus, frozenset[VehicleStatus]] = {
    VehicleStatus.AVAILABLE: frozenset({VehicleStatus.RESERVED}),
    VehicleStatus.RESERVED: frozenset({VehicleStatus.AVAILABLE, VehicleStatus.SOLD}),
    VehicleStatus.SOLD: frozenset(),
}
STATUS_LABELS = {VehicleStatus.AVAILABLE: "disponible", VehicleStatus.RESERVED: "réservé",
                 VehicleStatus.SOLD: "vendu"}

# Who keeps the stock: every role but the back office, which reads it.
STOCK_EDITORS = frozenset({Role.SELLER, Role.MANAGER, Role.ADMIN})


def require_stock_editor(staff: Staff) -> None:
    if staff.role not in STOCK_EDITORS:
        raise Forbidden("Seuls les vendeurs, les responsables et les administrateurs modifient le stock.")


# --- errors ------------------------------------------------------------------------

class VehicleNoLongerAvailable(Conflict):
    """The car was reserved or sold meanwhile: another customer has it."""
    code = "vehicle_no_longer_available"

    def __init__(self, vehicle_id: str, label: str):
        super().__init__(f"Le véhicule {label} n'est plus disponible : il a été réservé pour un autre client.",
                         {"vehicle_id": vehicle_id})
        self.vehicle_id = vehicle_id


class VehicleProposalsChanged(Conflict):
    """A proposal was listed on the vehicle between the read and the write: read again and retry."""
    code = "vehicle_proposals_changed"

    def __init__(self, vehicle_id: str):
        super().__init__("Les propositions de ce véhicule ont changé entre-temps : réessayez.",
                         {"vehicle_id": vehicle_id})


class VinAlreadyInStock(AlreadyExists):
    code = "vin_already_in_stock"

    def __init__(self, vin: str):
        super().__init__(f"Le VIN {vin} est déjà dans votre stock.", {"vin": "already in stock"})


# --- VIN (ISO 3779; check digit: 49 CFR 565.15) ----------------------------------------------

_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
_TRANSLITERATION = {**{str(d): d for d in range(10)},
                    **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))),
                    "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# World manufacturer identifiers starting 1-5 are North America's (USA, Canada, Mexico), where the
# 9th character is a mandatory check digit. Elsewhere it is a free character: not checked.
_NORTH_AMERICA = frozenset("12345")


def vin_check_digit(vin: str) -> str:
    total = sum(_TRANSLITERATION[c] * w for c, w in zip(vin, _WEIGHTS))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalize_vin(value: object) -> object:
    """Upper case, spaces dropped; 17 characters without I, O, Q; the check digit of a North-American VIN."""
    if not isinstance(value, str):
        return value
    vin = re.sub(r"\s", "", value).upper()
    if len(vin) != 17:
        raise ValueError("a VIN has 17 characters")
    if not _VIN.fullmatch(vin):
        raise ValueError("a VIN uses digits and letters except I, O and Q")
    if vin[0] in _NORTH_AMERICA and vin[8] != vin_check_digit(vin):
        raise ValueError(f"wrong check digit for a North-American VIN (9th character should be "
                         f"{vin_check_digit(vin)})")
    return vin


Vin = Annotated[str, BeforeValidator(normalize_vin),
                Field(description="17 characters, no I/O/Q; check digit enforced when it starts with 1-5")]


# --- French registration (SIV since 2009, FNI before) ----------------------------------------

_SIV_LETTERS = "[A-HJ-NP-TV-Z]"  # no I, O, U: they read as 1, 0, V
_SIV = re.compile(rf"({_SIV_LETTERS}{{2}})-?(\d{{3}})-?({_SIV_LETTERS}{{2}})")
_FNI = re.compile(r"(\d{1,4}) ?([A-Z]{1,3}) ?(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])")


def normalize_registration(value: object) -> object:
    """AB-123-CD (SIV) or 1234 AB 56 (FNI), whatever the case and separators typed; stored in that form."""
    if not isinstance(value, str):
        return value
    compact = re.sub(r"[\s-]+", "", value.upper())
    siv = _SIV.fullmatch(compact)
    if siv:
        left, number, right = siv.groups()
        if number == "000" or "SS" in (left, right):
            raise ValueError("not an issued SIV registration (000 and SS are never issued)")
        return f"{left}-{number}-{right}"
    fni = _FNI.fullmatch(re.sub(r"[\s-]+", " ", value.upper().strip()))
    if fni:
        return " ".join(fni.groups())
    raise ValueError("a French registration reads AB-123-CD, or 1234 AB 56 before 2009")


Registration = Annotated[str, BeforeValidator(normalize_registration),
                         Field(description="SIV AB-123-CD, or the older FNI 1234 AB 56")]


# --- the vehicle --------------------------------------------------------------------

class Reservation(Entity):
    """Who the car is held for, and until when unless the order goes forward."""
    proposal_id: str | None = Field(default=None, description="the accepted proposal (None: a showroom order)")
    seller_id: str
    seller_email: EmailStr | None = None
    reserved_at: datetime
    hold_until: datetime | None = Field(default=None, description="None once the order goes forward")
    order_id: str | None = None
    warned: bool = Field(default=False, description="the seller was told the release is near")


class Vehicle(Entity):
    id: str
    dealer_id: str
    vin: str
    make: str
    model: str
    version: str | None = None
    registration: str | None = None
    first_registration: date | None = None
    mileage_km: int
    kind: VehicleKind
    price_cents: int
    vat_regime: VatRegime
    branch_id: str
    status: VehicleStatus = VehicleStatus.AVAILABLE
    reservation: Reservation | None = None
    created_at: datetime
    updated_at: datetime
    revision: int = Field(default=1, description="the item's version (the car's `version` is its trim)")

    @model_validator(mode="after")
    def _rules(self) -> Self:
        check_rules(self.kind, self.vat_regime, self.first_registration)
        return self

    @property
    def label(self) -> str:
        plate = f" ({self.registration})" if self.registration else f" (VIN {self.vin})"
        return f"{self.make} {self.model}{plate}"

    def search_text(self) -> str:
        """What the list's text filter looks in, lower case (a plate also without its dashes)."""
        parts = [self.vin, self.make, self.model, self.version or "", self.registration or "",
                 (self.registration or "").replace("-", "").replace(" ", "")]
        return " ".join(p.lower() for p in parts if p)

    def quote_details(self) -> VehicleDetails:
        """The snapshot a quote's vehicle line takes from the stock: the line keeps it as it was then."""
        return VehicleDetails(make=self.make, model=self.model, version=self.version, vin=self.vin,
                              registration=self.registration, first_registration=self.first_registration,
                              mileage_km=self.mileage_km, used=self.kind == VehicleKind.USED)

    def changed(self, change: "VehicleChange", at: datetime) -> "Vehicle":
        if self.status == VehicleStatus.SOLD:
            raise InvalidTransition("Un véhicule vendu ne se modifie plus.")
        updates = change.model_dump(exclude_unset=True)
        if not updates:
            raise InvalidInput("Rien à modifier.", {"body": "no field given"})
        check_dates(change.first_registration, at)
        try:
            return Vehicle.model_validate(self.model_dump() | updates | {"updated_at": at,
                                                                            "revision": self.revision + 1})
        except ValidationError as invalid:
            fields = {".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in invalid.errors(include_url=False)}
            raise InvalidInput("Modification invalide.", fields) from None

    def _moved(self, to: VehicleStatus, at: datetime, reservation: Reservation | None) -> "Vehicle":
        if to not in TRANSITIONS[self.status]:
            if to == VehicleStatus.RESERVED:
                raise VehicleNoLongerAvailable(self.id, self.label)
            raise InvalidTransition(f"Véhicule {STATUS_LABELS[self.status]} : il ne peut pas devenir "
                                    f"{STATUS_LABELS[to]}.")
        return self.model_copy(update={"status": to, "reservation": reservation, "updated_at": at,
                                       "revision": self.revision + 1})

    def reserved(self, proposal_id: str, seller_id: str, seller_email: str | None, at: datetime,
                 hold_days: int) -> "Vehicle":
        """Held for the customer of an accepted proposal, until the hold period ends."""
        return self._moved(VehicleStatus.RESERVED, at, Reservation(
            proposal_id=proposal_id, seller_id=seller_id, seller_email=seller_email, reserved_at=at,
            hold_until=at + timedelta(days=hold_days)))

    def reserved_for_order(self, order_id: str, seller_id: str, seller_email: str | None,
                           at: datetime) -> "Vehicle":
        """Reserved in the showroom by an order opened from a quote: the order is there, nothing runs out."""
        return self._moved(VehicleStatus.RESERVED, at, Reservation(
            order_id=order_id, seller_id=seller_id, seller_email=seller_email, reserved_at=at))

    def released(self, at: datetime) -> "Vehicle":
        return self._moved(VehicleStatus.AVAILABLE, at, None)

    def sold(self, at: datetime) -> "Vehicle":
        """Sold to the reservation's customer: nothing runs out any more."""
        kept = self.reservation.model_copy(update={"hold_until": None}) if self.reservation else None
        return self._moved(VehicleStatus.SOLD, at, kept)

    def held_for_order(self, order_id: str, at: datetime) -> "Vehicle":
        """The order went forward: the reservation no longer runs out."""
        if self.status != VehicleStatus.RESERVED or self.reservation is None:
            raise InvalidTransition(f"Véhicule {STATUS_LABELS[self.status]} : aucune réservation à confirmer.")
        reservation = self.reservation.model_copy(update={"order_id": order_id, "hold_until": None})
        return self.model_copy(update={"reservation": reservation, "updated_at": at, "revision": self.revision + 1})

    def hold_warned(self, at: datetime) -> "Vehicle":
        """The seller was told the hold ends; it never ends less than HOLD_WARNING after being told
        (a sweep that ran late moves the end, so the warning always comes first)."""
        if self.reservation is None or self.reservation.hold_until is None:
            raise InvalidTransition("Aucune réservation en cours sur ce véhicule.")
        reservation = self.reservation.model_copy(update={
            "warned": True, "hold_until": max(self.reservation.hold_until, at + HOLD_WARNING)})
        return self.model_copy(update={"reservation": reservation})

    def hold_warning_at(self) -> datetime | None:
        """When the seller is told the hold ends (a day before), None when nothing runs out."""
        hold = self.reservation.hold_until if self.reservation else None
        return hold - HOLD_WARNING if hold is not None else None


def check_rules(kind: VehicleKind, vat_regime: VatRegime, first_registration: date | None) -> None:
    if vat_regime == VatRegime.MARGIN and kind != VehicleKind.USED:
        raise ValueError("the margin scheme (CGI art. 297 A) applies to used vehicles only")
    if kind == VehicleKind.USED and first_registration is None:
        raise ValueError("a used vehicle has a first-registration date")


def check_dates(first_registration: date | None, at: datetime) -> None:
    if first_registration is not None and first_registration > at.date():
        raise InvalidInput("La date de première immatriculation est dans le futur.",
                           {"first_registration": "in the future"})


# --- the per-vehicle index of open proposals ----------------------------------------------

class OpenProposal(Entity):
    proposal_id: str
    seller_id: str
    seller_email: EmailStr | None = None
    reference: str | None = None
    repriced_at: datetime | None = Field(default=None, description="the stock price changed after it was sent: "
                                                                   "the offer stands, its seller was told")


class VehicleProposals(Entity):
    """The open proposals of one vehicle: who to stop at acceptance, who to tell at a repricing."""
    dealer_id: str
    vehicle_id: str
    proposals: dict[str, OpenProposal] = {}
    revision: int = 0  # 0: not written yet

    def with_proposal(self, proposal: OpenProposal) -> "VehicleProposals":
        return self.model_copy(update={"proposals": self.proposals | {proposal.proposal_id: proposal},
                                       "revision": self.revision + 1})

    def without(self, proposal_id: str) -> "VehicleProposals":
        return self.model_copy(update={"proposals": {k: v for k, v in self.proposals.items() if k != proposal_id},
                                       "revision": self.revision + 1})

    def others(self, proposal_id: str) -> list[OpenProposal]:
        return [p for p in self.proposals.values() if p.proposal_id != proposal_id]

    def repriced(self, at: datetime) -> "VehicleProposals":
        """Every open proposal flagged: the price it offers is no longer the stock price."""
        flagged = {k: v.model_copy(update={"repriced_at": at}) for k, v in self.proposals.items()}
        return self.model_copy(update={"proposals": flagged, "revision": self.revision + 1})

    def settled(self) -> "VehicleProposals":
        """After an acceptance: the accepted one is the order's, every other one stopped."""
        return self.model_copy(update={"proposals": {}, "revision": self.revision + 1})


# --- commands -----------------------------------------------------------------------

Name = Annotated[str, Field(min_length=1, max_length=60)]


class NewVehicle(Command):
    model_config = Command.model_config | {"strict": False}

    vin: Vin
    make: Name
    model: Name
    version: str | None = Field(default=None, min_length=1, max_length=120)
    registration: Registration | None = None
    first_registration: date | None = Field(default=None, description="date of first registration (YYYY-MM-DD)")
    mileage_km: int = Field(ge=0, le=2_000_000, strict=True)
    kind: VehicleKind
    price_cents: int = Field(ge=1, le=100_000_000, strict=True, description="price incl. VAT, in cents")
    vat_regime: VatRegime = VatRegime.NORMAL
    branch_id: str = Field(min_length=1, max_length=64)

    @model_validator(mode="after")
    def _rules(self) -> Self:
        check_rules(self.kind, self.vat_regime, self.first_registration)
        return self


class VehicleChange(Command):
    """Only the fields present change."""
    model_config = Command.model_config | {"strict": False}

    vin: Vin | None = None
    make: Name | None = None
    model: Name | None = None
    version: str | None = Field(default=None, min_length=1, max_length=120)
    registration: Registration | None = None
    first_registration: date | None = None
    mileage_km: int | None = Field(default=None, ge=0, le=2_000_000, strict=True)
    kind: VehicleKind | None = None
    price_cents: int | None = Field(default=None, ge=1, le=100_000_000, strict=True)
    vat_regime: VatRegime | None = None
    branch_id: str | None = Field(default=None, min_length=1, max_length=64)


class VehicleListQuery(Command):
    model_config = Command.model_config | {"strict": False}

    status: VehicleStatus | None = None
    branch_id: str | None = Field(default=None, min_length=1, max_length=64)
    q: str | None = Field(default=None, min_length=2, max_length=60, description="text in VIN, make, model, plate")
    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2000)


class VehiclePage(Entity):
    items: list[Vehicle]
    next_cursor: str | None = None


def new_vehicle(vehicle_id: str, dealer_id: str, command: NewVehicle, at: datetime) -> Vehicle:
    check_dates(command.first_registration, at)
    return Vehicle(id=vehicle_id, dealer_id=dealer_id, created_at=at, updated_at=at, **command.model_dump())
