"""Quotes (devis): lines, optional products, VAT, totals, validity, withdrawal terms.

Amounts are integer cents, HT (before VAT) unless named _ttc. Per line:
    ht  = quantity × unit price HT
    vat = ht × rate, rounded half up to the cent
    ttc = ht + vat
A quote's totals add the lines it includes: every line that is not optional, and the
optional lines the customer chose. Nothing is rounded twice.
"""
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Callable, Self

from pydantic import ConfigDict, Field, computed_field, field_validator, model_validator

from chalicelib.domain import local_time, withdrawal_dates
from chalicelib.domain.customers import AccountView, Contact
from chalicelib.domain.dealers import Deposit, WithdrawalDays
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.model import Command, Entity, PageQuery
from chalicelib.domain.money import apply_rate, bp_to_percent, percent_to_bp, round_half_up

MAX_LINES = 60
MAX_CENTS = 100_000_000_00  # 100 million euros: a typo, not a car


class LineKind(StrEnum):
    VEHICLE = "vehicle"
    ACCESSORY = "accessory"
    SERVICE_CONTRACT = "service_contract"
    INSURANCE = "insurance"
    FEE = "fee"


KIND_LABELS = {
    LineKind.VEHICLE: "Véhicule",
    LineKind.ACCESSORY: "Accessoire",
    LineKind.SERVICE_CONTRACT: "Contrat de service",
    LineKind.INSURANCE: "Assurance",
    LineKind.FEE: "Frais",
}


class Payment(StrEnum):
    """How a line is paid: with the rest (at order/handover) or by monthly SEPA direct debit."""
    WITH_ORDER = "with_order"
    DIRECT_DEBIT = "direct_debit"


DIRECT_DEBIT_KINDS = (LineKind.SERVICE_CONTRACT, LineKind.INSURANCE)


class VehicleDetails(Entity):
    # Trimmed as commands are; built on first use as every domain model (domain/model.py).
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, defer_build=True)

    make: str = Field(min_length=1, max_length=40)
    model: str = Field(min_length=1, max_length=60)
    version: str | None = Field(default=None, max_length=120)
    vin: str | None = Field(default=None, pattern=r"^[A-HJ-NPR-Z0-9]{17}$")
    registration: str | None = Field(default=None, max_length=12, description="plate, e.g. AB-123-CD")
    first_registration: date | None = None
    mileage_km: int | None = Field(default=None, ge=0, le=2_000_000)
    used: bool = True

    def summary(self) -> str:
        parts = [f"{self.make} {self.model}", self.version or ""]
        if self.registration:
            parts.append(f"immatriculé {self.registration}")
        if self.vin:
            parts.append(f"VIN {self.vin}")
        if self.first_registration:
            parts.append(f"1re mise en circulation {local_time.format_day(self.first_registration)}")
        if self.mileage_km is not None:
            parts.append(f"{self.mileage_km:,} km".replace(",", "\u00a0"))
        return " · ".join(p for p in parts if p)


class LineTotals(Entity):
    ht_cents: int
    vat_cents: int
    ttc_cents: int


class QuoteLine(Entity):
    id: str
    kind: LineKind
    label: str
    description: str | None = None
    quantity: int = 1
    unit_price_cents: int = Field(description="HT, in cents")
    vat_rate_bp: int = Field(description="basis points: 2000 = 20 %, 550 = 5,5 %")
    margin_scheme: bool = Field(default=False, description="used vehicle under the VAT margin scheme (art. 297 A CGI)")
    optional: bool = False
    chosen: bool = Field(default=False, description="an optional line the customer takes: then it counts")
    payment: Payment = Payment.WITH_ORDER
    vehicle: VehicleDetails | None = None
    vehicle_id: str | None = Field(default=None, description="the stock vehicle the details were taken from")

    @computed_field
    @property
    def vat_rate(self) -> float:
        return float(bp_to_percent(self.vat_rate_bp))

    @computed_field
    @property
    def totals(self) -> LineTotals:
        ht = self.quantity * self.unit_price_cents
        vat = apply_rate(ht, self.vat_rate_bp)
        return LineTotals(ht_cents=ht, vat_cents=vat, ttc_cents=ht + vat)

    @property
    def included(self) -> bool:
        return not self.optional or self.chosen


class VatBreakdown(Entity):
    vat_rate_bp: int
    base_cents: int
    vat_cents: int


class Totals(Entity):
    ht_cents: int
    vat_cents: int
    ttc_cents: int
    by_rate: list[VatBreakdown] = Field(description="VAT summary per rate (lines under the margin scheme apart)")
    margin_scheme_cents: int = Field(default=0, description="used vehicles under the VAT margin scheme (no VAT shown)")
    direct_debit_ttc_cents: int = Field(description="part of the total paid by direct debit (included lines)")
    optional_ttc_cents: int = Field(description="offered options not chosen, not in the total")


def totals_of(lines: list[QuoteLine]) -> Totals:
    included = [line for line in lines if line.included]
    rates: dict[int, list[int]] = {}
    for line in included:
        if line.margin_scheme:
            continue
        base, vat = rates.setdefault(line.vat_rate_bp, [0, 0])
        rates[line.vat_rate_bp] = [base + line.totals.ht_cents, vat + line.totals.vat_cents]
    return Totals(
        ht_cents=sum(line.totals.ht_cents for line in included),
        vat_cents=sum(line.totals.vat_cents for line in included),
        ttc_cents=sum(line.totals.ttc_cents for line in included),
        by_rate=[VatBreakdown(vat_rate_bp=rate, base_cents=base, vat_cents=vat)
                 for rate, (base, vat) in sorted(rates.items(), reverse=True)],
        margin_scheme_cents=sum(line.totals.ttc_cents for line in included if line.margin_scheme),
        direct_debit_ttc_cents=sum(line.totals.ttc_cents for line in included if line.payment == Payment.DIRECT_DEBIT),
        optional_ttc_cents=sum(line.totals.ttc_cents for line in lines if not line.included),
    )


def deposit_cents(deposit: Deposit, total_ttc_cents: int) -> int:
    """The acompte asked at signature: a fixed amount (at most the total) or a percentage, rounded half up."""
    if not deposit.enabled or total_ttc_cents <= 0:
        return 0
    if deposit.amount_cents is not None:
        return min(deposit.amount_cents, total_ttc_cents)
    return round_half_up(total_ttc_cents * (deposit.percent or 0), 100)


# --- withdrawal (rétractation), SPEC E.7 --------------------------------------------

class WithdrawalStart(StrEnum):
    HANDOVER = "handover"  # remise ou livraison du véhicule
    SIGNATURE = "signature"  # conclusion du contrat


class WithdrawalTerm(Entity):
    """One withdrawal period that applies to the products of a document."""
    kinds: list[LineKind]
    days: int
    starts: WithdrawalStart
    legal_basis: str

    def label(self) -> str:
        names = ", ".join(KIND_LABELS[k].lower() for k in self.kinds)
        start = ("à compter de la remise (ou de la livraison) du véhicule"
                 if self.starts == WithdrawalStart.HANDOVER else "à compter de la signature du contrat")
        return f"{names[:1].upper()}{names[1:]} : {self.days} jours {start} ({self.legal_basis})."

    def ends_on(self, start_day: date, departement: str | None = None) -> date:
        """The last day to withdraw, for a known start day (the portal shows it once signed or delivered):
        past a weekend or public holiday, the next working day (art. L221-19)."""
        return withdrawal_dates.ends_on(start_day, self.days, departement)


def withdrawal_terms(kinds: set[LineKind], days: WithdrawalDays) -> list[WithdrawalTerm]:
    """The periods that apply to these product kinds, with the dealer's days (never below the law)."""
    terms = []
    goods = [k for k in (LineKind.VEHICLE, LineKind.ACCESSORY, LineKind.FEE) if k in kinds]
    if goods:
        terms.append(WithdrawalTerm(kinds=goods, days=days.vehicle, starts=WithdrawalStart.HANDOVER,
                                    legal_basis="art. L221-18 du Code de la consommation"))
    if LineKind.SERVICE_CONTRACT in kinds:
        terms.append(WithdrawalTerm(kinds=[LineKind.SERVICE_CONTRACT], days=days.service_contract,
                                    starts=WithdrawalStart.SIGNATURE,
                                    legal_basis="art. L221-18 du Code de la consommation"))
    if LineKind.INSURANCE in kinds:
        terms.append(WithdrawalTerm(kinds=[LineKind.INSURANCE], days=days.insurance,
                                    starts=WithdrawalStart.SIGNATURE,
                                    legal_basis="art. L112-10 du Code des assurances"))
    return terms


# --- the quote ----------------------------------------------------------------------

class QuoteOrigin(StrEnum):
    QUOTE_LIST = "quote_list"
    CONTACT = "contact"
    LEAD = "lead"


class Quote(Entity):
    id: str
    dealer_id: str
    number: str = Field(description="the dealer's quote number, e.g. D2026-00042")
    origin: QuoteOrigin = QuoteOrigin.QUOTE_LIST
    lead_id: str | None = None
    account_id: str
    contact_id: str | None = None
    seller_id: str = Field(description="the user in charge (assigned seller)")
    lines: list[QuoteLine]
    valid_until: date
    notes: str | None = None
    duplicated_from: str | None = None
    created_at: datetime
    created_by: str
    updated_at: datetime
    version: int = 1

    @computed_field
    @property
    def totals(self) -> Totals:
        return totals_of(self.lines)

    def expired(self, today: date) -> bool:
        return today > self.valid_until

    def addressee(self, account: AccountView) -> Contact:
        """Who the quote is addressed to: its contact, else the account's first one; an account needs one."""
        if self.contact_id is not None:
            return account.contact(self.contact_id)
        if account.contacts:
            return account.contacts[0]
        raise InvalidInput("Ajoutez un contact au compte client : le devis lui est adressé.",
                           {"contact_id": "the account has no contact"})

    def changed(self, change: "QuoteChange", lines: list[QuoteLine] | None, at: datetime) -> "Quote":
        updates = change.model_dump(exclude_unset=True, exclude={"lines", "version"})
        if lines is not None:
            updates["lines"] = lines
        if not updates:
            raise InvalidInput("Rien à modifier.", {"body": "no field given"})
        return self.model_copy(update={**updates, "updated_at": at, "version": self.version + 1})

    def duplicate(self, quote_id: str, number: str, by: str, at: datetime, valid_until: date) -> "Quote":
        return self.model_copy(update={
            "id": quote_id, "number": number, "duplicated_from": self.id, "created_at": at, "created_by": by,
            "updated_at": at, "version": 1, "valid_until": max(self.valid_until, valid_until),
        })


def document_number(prefix: str, year: int, value: int) -> str:
    """D2026-00042 (quotes), P2026-00012 (proposals): one sequence per dealer, prefix and year."""
    return f"{prefix}{year}-{value:05d}"


def default_validity(now: datetime, validity_days: int) -> date:
    return local_time.paris_date(now) + timedelta(days=validity_days)


# --- commands -----------------------------------------------------------------------

class LineInput(Command):
    kind: LineKind
    label: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    quantity: int = Field(default=1, ge=1, le=999)
    unit_price_cents: int = Field(ge=0, le=MAX_CENTS, description="HT, in cents")
    vat_rate: Decimal = Field(ge=0, le=100, decimal_places=2, description="percent: 20, 10, 5.5, 2.1, 0")
    margin_scheme: bool = False
    optional: bool = False
    chosen: bool = False
    payment: Payment = Payment.WITH_ORDER
    vehicle: VehicleDetails | None = None
    vehicle_id: str | None = Field(default=None, min_length=1, max_length=40,
                                   description="a vehicle of the stock: its details are taken from it")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.payment == Payment.DIRECT_DEBIT and self.kind not in DIRECT_DEBIT_KINDS:
            raise ValueError("only service contracts and insurance products are paid by direct debit")
        if (self.vehicle is not None or self.vehicle_id is not None) and self.kind != LineKind.VEHICLE:
            raise ValueError("vehicle details belong to a vehicle line")
        if self.margin_scheme and (self.kind != LineKind.VEHICLE or self.vat_rate != 0):
            raise ValueError("the VAT margin scheme applies to a used vehicle line with a 0 % VAT rate")
        if self.chosen and not self.optional:
            raise ValueError("only an optional line can be chosen")
        return self

    def line(self, line_id: str) -> QuoteLine:
        return QuoteLine(id=line_id, vat_rate_bp=percent_to_bp(self.vat_rate),
                         **self.model_dump(exclude={"vat_rate", "vehicle"}), vehicle=self.vehicle)


class NewQuote(Command):
    account_id: str = Field(min_length=1, max_length=40)
    contact_id: str | None = Field(default=None, min_length=1, max_length=40)
    origin: QuoteOrigin = QuoteOrigin.QUOTE_LIST
    lead_id: str | None = Field(default=None, min_length=1, max_length=40,
                                description="the lead this offer answers (stored as a reference)")
    seller_id: str | None = Field(default=None, description="assigned seller; the caller by default")
    lines: list[LineInput] = Field(default_factory=list, max_length=MAX_LINES)
    valid_until: date | None = Field(default=None, description="today + the dealer's proposal validity by default")
    notes: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _origin(self) -> Self:
        if self.origin == QuoteOrigin.LEAD and not self.lead_id:
            raise ValueError("a quote made from a lead names its lead_id")
        if self.origin == QuoteOrigin.CONTACT and not self.contact_id:
            raise ValueError("a quote made from a contact names its contact_id")
        return self


class QuoteChange(Command):
    """Replaces the fields present; `version` is the one the seller read (optimistic locking)."""
    version: int = Field(ge=1)
    contact_id: str | None = Field(default=None, min_length=1, max_length=40)
    seller_id: str | None = None
    lines: list[LineInput] | None = Field(default=None, max_length=MAX_LINES)
    valid_until: date | None = None
    notes: str | None = Field(default=None, max_length=4000)

    @field_validator("seller_id", "lines", "valid_until")
    @classmethod
    def _no_null_for_required(cls, value: Any) -> Any:
        """Left out, the field keeps its value; given, it cannot be null (the 400 names the field)."""
        if value is None:
            raise ValueError("cannot be null")
        return value


def build_lines(inputs: list[LineInput], new_id: Callable[[], str],
                stock: Callable[[str], VehicleDetails] | None = None) -> list[QuoteLine]:
    """The quote's lines; a line naming a stock vehicle takes `stock(vehicle_id)`'s snapshot as its details."""
    lines = [line.line(new_id()) for line in inputs]
    if stock is None:
        return lines
    return [line.model_copy(update={"vehicle": stock(line.vehicle_id)}) if line.vehicle_id else line
            for line in lines]


def check_validity(valid_until: date, today: date) -> None:
    if valid_until < today:
        raise InvalidInput("La date de validité est déjà passée.", {"valid_until": "in the past"})
    if valid_until > today + timedelta(days=365):
        raise InvalidInput("Une validité dépasse rarement un an : vérifiez la date.", {"valid_until": "over a year"})


class QuoteListQuery(PageQuery):
    account_id: str | None = Field(default=None, max_length=40)


class QuotePage(Entity):
    items: list[Quote]
    next_cursor: str | None = None


def stock_vehicle_id(lines: list[QuoteLine]) -> str | None:
    """The stock vehicle a quote's (or proposal's) vehicle line was taken from; None for a free line."""
    return next((line.vehicle_id for line in lines if line.kind == LineKind.VEHICLE and line.vehicle_id), None)


def describes_a_vehicle(lines: list[QuoteLine]) -> bool:
    """A vehicle line with the car's details: what an order needs (a sale of accessories opens none)."""
    return any(line.kind == LineKind.VEHICLE and line.vehicle is not None for line in lines)

