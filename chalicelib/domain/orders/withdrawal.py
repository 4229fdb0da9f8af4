"""The customer's withdrawal (rétractation), product by product (docs/withdrawal.md).

Each product the customer signed for has its own period:
- the vehicle, its accessories: 14 days from the handover or the delivery (art. L221-18 du Code de la
  consommation, goods); before it the customer may withdraw already (L221-18, last paragraph);
- a service contract: 14 days from the signature (L221-18, services);
- an insurance product sold with the car: 30 days from the signature (art. L112-10 du Code des assurances);
each moved past a Saturday, Sunday or public holiday to the next working day (art. L221-19,
withdrawal_dates.py). The dealer may grant longer periods (WithdrawalDays), never shorter ones.

Withdrawing from the vehicle withdraws from the main contract: every accessory contract (accessories,
fees, service contract, insurance, the credit that pays for it) ends with it, at no cost (art. L221-27).
Every sum paid is refunded within 14 days of the withdrawal (art. L221-24). Pure: no AWS, no clock.
"""
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import Field

from chalicelib.domain import withdrawal_dates
from chalicelib.domain.local_time import format_long_day
from chalicelib.domain.dealers import WithdrawalDays
from chalicelib.domain.errors import Conflict, InvalidInput, InvalidTransition
from chalicelib.domain.model import Entity
from chalicelib.domain.quotes import LineKind, QuoteLine, WithdrawalStart, withdrawal_terms

REFUND_DAYS = 14  # art. L221-24 du Code de la consommation
# What the customer ticks: fees (registration, delivery) follow the vehicle, they are no contract of their own.
CHOOSABLE = (LineKind.VEHICLE, LineKind.ACCESSORY, LineKind.SERVICE_CONTRACT, LineKind.INSURANCE)


class ProductStatus(StrEnum):
    TAKEN = "taken"          # signed for, not withdrawn
    WITHDRAWN = "withdrawn"  # the customer withdrew from it
    ENDED = "ended"          # an accessory contract ended by the vehicle's withdrawal (L221-27)


STATUS_LABELS = {ProductStatus.TAKEN: "en cours", ProductStatus.WITHDRAWN: "rétracté",
                 ProductStatus.ENDED: "résilié de plein droit (art. L221-27)"}

# The one transition table of a product.
TRANSITIONS: dict[ProductStatus, frozenset[ProductStatus]] = {
    ProductStatus.TAKEN: frozenset({ProductStatus.WITHDRAWN, ProductStatus.ENDED}),
    ProductStatus.WITHDRAWN: frozenset(),
    ProductStatus.ENDED: frozenset(),
}


class Product(Entity):
    """One line the customer signed for, as far as withdrawal goes."""
    line_id: str
    kind: LineKind
    label: str
    ttc_cents: int
    status: ProductStatus = ProductStatus.TAKEN
    changed_at: datetime | None = None
    withdrawal_id: str | None = Field(default=None, description="the withdrawal that withdrew or ended it")

    @property
    def choosable(self) -> bool:
        return self.kind in CHOOSABLE

    def moved_to(self, status: ProductStatus, at: datetime, withdrawal_id: str) -> "Product":
        if status not in TRANSITIONS[self.status]:
            raise InvalidTransition(f"{self.label} : {STATUS_LABELS[self.status]}, plus de rétractation possible.")
        return self.model_copy(update={"status": status, "changed_at": at, "withdrawal_id": withdrawal_id})


class ProductPeriod(Entity):
    """A product's withdrawal period as it stands today."""
    starts: WithdrawalStart
    days: int
    legal_basis: str
    start_day: date | None = Field(default=None, description="None: the vehicle is not handed over yet")
    ends_on: date | None = None

    def open_on(self, today: date) -> bool:
        # Goods may be withdrawn from the signature until the period after their handover ends (L221-18).
        return self.ends_on is None or today <= self.ends_on


def period_of(kind: LineKind, days: WithdrawalDays, signed_on: date, handed_over_on: date | None,
              departement: str | None) -> ProductPeriod:
    """The period of one kind of product: from the signature, or from the handover for goods (fees follow
    the vehicle), its last day moved past weekends and public holidays (L221-19)."""
    goods = kind == LineKind.FEE
    term = next(t for t in withdrawal_terms({LineKind.VEHICLE if goods else kind}, days))
    start = signed_on if term.starts == WithdrawalStart.SIGNATURE else handed_over_on
    ends = withdrawal_dates.ends_on(start, term.days, departement) if start is not None else None
    return ProductPeriod(starts=term.starts, days=term.days, legal_basis=term.legal_basis, start_day=start,
                         ends_on=ends)


def products_of(lines: list[QuoteLine]) -> list[Product]:
    """The products of a signed proposal: the lines it includes (options the customer chose among them)."""
    return [Product(line_id=line.id, kind=line.kind, label=line.label, ttc_cents=line.totals.ttc_cents)
            for line in lines if line.included]


class WithdrawalRecord(Entity):
    """One declaration of withdrawal, as the customer filled the model form (Annexe à l'article R221-1)."""
    id: str
    at: datetime
    withdrawn: list[str] = Field(description="line ids the customer withdrew from")
    ended: list[str] = Field(default_factory=list, description="accessory contracts ended with them (L221-27)")
    credit_ended: str | None = Field(default=None, description="the lender of the credit ended with the sale")
    vehicle: bool = Field(description="the vehicle was withdrawn: the order is cancelled")
    handed_over: bool = Field(description="the vehicle was already with the customer (to be returned)")
    customer_name: str
    customer_address: str
    refund_cents: int = Field(description="what the withdrawn and ended products cost (TTC)")
    refund_due_on: date = Field(description="14 days after the withdrawal (L221-24)")
    ip: str | None = None
    user_agent: str | None = None


class AlreadyWithdrawn(Conflict):
    code = "already_withdrawn"

    def __init__(self) -> None:
        super().__init__("Votre rétractation vient d'être enregistrée : rechargez la page.")


class Withdrawals(Entity):
    """The withdrawal state of one signed proposal: its products and the declarations made."""
    dealer_id: str
    proposal_id: str
    order_id: str | None = None
    products: list[Product]
    records: list[WithdrawalRecord] = []
    version: int = 0

    def product(self, line_id: str) -> Product | None:
        return next((p for p in self.products if p.line_id == line_id), None)

    def already(self, chosen: list[str]) -> bool:
        """Every product ticked is already withdrawn: the same form sent twice."""
        found = [self.product(i) for i in chosen]
        return bool(chosen) and all(p is not None and p.status == ProductStatus.WITHDRAWN for p in found)

    def withdraw(self, chosen: list[str], periods: dict[str, ProductPeriod], record: WithdrawalRecord,
                 today: date, credit: str | None = None) -> "Withdrawals":
        """The products `chosen` withdrawn (and, with the vehicle, every other one and the `credit` that pays
        for it ended): refused, changing nothing, when none is ticked, one is unknown or not choosable, or
        its period is over."""
        if not chosen:
            raise InvalidInput("Cochez le ou les produits dont vous vous rétractez.",
                               {"products": "Cochez au moins un produit."})
        picked = []
        for line_id in dict.fromkeys(chosen):
            product = self.product(line_id)
            if product is None or not product.choosable:
                raise InvalidInput("Ce produit ne fait pas partie de votre commande.", {"products": "unknown"})
            period = periods[line_id]
            if not period.open_on(today):
                assert period.ends_on is not None  # open when the period has no end yet
                message = f"{product.label} : le délai de rétractation a pris fin le {format_long_day(period.ends_on)}."
                raise InvalidInput(message, {"products": message})
            picked.append(product.moved_to(ProductStatus.WITHDRAWN, record.at, record.id))
        vehicle = any(p.kind == LineKind.VEHICLE for p in picked)
        by_id = {p.line_id: p for p in picked}
        ended = []
        for product in self.products:
            if vehicle and product.line_id not in by_id and product.status == ProductStatus.TAKEN:
                by_id[product.line_id] = product.moved_to(ProductStatus.ENDED, record.at, record.id)
                ended.append(product.line_id)
        products = [by_id.get(p.line_id, p) for p in self.products]
        refund = sum(by_id[i].ttc_cents for i in by_id)
        done = record.model_copy(update={"withdrawn": list(dict.fromkeys(chosen)), "ended": ended,
                                         "vehicle": vehicle, "refund_cents": refund,
                                         "credit_ended": credit if vehicle else None})
        return self.model_copy(update={"products": products, "records": [*self.records, done],
                                       "version": self.version + 1})

    @property
    def last(self) -> WithdrawalRecord | None:
        return self.records[-1] if self.records else None


def refund_due_on(withdrawn_on: date) -> date:
    return withdrawn_on + timedelta(days=REFUND_DAYS)
