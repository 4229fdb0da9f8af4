"""The order: what was sold, to whom, how it is paid, registered and handed over; its states.

An order is opened by the acceptance of a proposal or from a quote (a showroom reservation).
Amounts are integer cents TTC. Times are UTC; days are Paris days (local_time).
"""
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field, computed_field

from chalicelib.domain.customers import AccountKind
from chalicelib.domain.dealers import Role
from chalicelib.domain.errors import Forbidden, InvalidInput, InvalidTransition
from chalicelib.domain.local_time import paris_offset
from chalicelib.domain.model import Entity
from chalicelib.domain.orders.cancellation import Cancellation
from chalicelib.domain.quotes import QuoteLine, totals_of

# Seed 001 ("Déstockage"): the handover is 10 days minimum after the reservation, 15 at most,
# "si + voir avec manager": beyond, or before, only a manager decides, with a reason.
HANDOVER_MIN_DAYS = 10
HANDOVER_MAX_DAYS = 15
DEFAULT_SLOT = time(10, 0)
OVERRIDERS = (Role.MANAGER, Role.ADMIN)


class OrderStatus(StrEnum):
    RESERVED = "reserved"          # opened: the car is the customer's, the handover is being prepared
    ORGANISED = "organised"        # the appointment (inspector) or the delivery (partner) is booked
    HANDED_OVER = "handed_over"    # the customer has the car
    SOLD = "sold"                  # the sale is closed in the back office (documents in)
    CANCELLING = "cancelling"      # a cancellation or withdrawal waits for the manager
    CANCELLED = "cancelled"


STATUS_LABELS = {
    OrderStatus.RESERVED: "réservée", OrderStatus.ORGANISED: "cession organisée",
    OrderStatus.HANDED_OVER: "véhicule remis", OrderStatus.SOLD: "vendue",
    OrderStatus.CANCELLING: "annulation en cours", OrderStatus.CANCELLED: "annulée",
}

# The one transition table of the order.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.RESERVED: frozenset({OrderStatus.ORGANISED, OrderStatus.HANDED_OVER, OrderStatus.CANCELLING}),
    OrderStatus.ORGANISED: frozenset({OrderStatus.HANDED_OVER, OrderStatus.CANCELLING}),
    OrderStatus.HANDED_OVER: frozenset({OrderStatus.SOLD, OrderStatus.CANCELLING}),
    OrderStatus.SOLD: frozenset({OrderStatus.CANCELLING}),
    OrderStatus.CANCELLING: frozenset({OrderStatus.CANCELLED}),
    OrderStatus.CANCELLED: frozenset(),
}
OPEN_STATUSES = (OrderStatus.RESERVED, OrderStatus.ORGANISED, OrderStatus.HANDED_OVER, OrderStatus.CANCELLING)


class OrderSource(StrEnum):
    PROPOSAL = "proposal"  # a remote sale: the proposal's acceptance opened it
    QUOTE = "quote"        # a showroom reservation


class OrderCustomer(Entity):
    account_id: str
    kind: AccountKind
    contact_id: str | None = None
    name: str = Field(description="the person's full name, or the company's name")
    contact_name: str | None = None
    email: str | None = None
    mobile: str | None = None


class OrderVehicle(Entity):
    """The vehicle as sold; `vehicle_id` names the stock vehicle when it came from the stock."""
    vehicle_id: str | None = None
    vin: str | None = None
    make: str
    model: str
    version: str | None = None
    registration: str | None = None
    first_registration: date | None = None
    mileage_km: int | None = None
    used: bool = True
    last_roadworthiness_test: date | None = None


class PaymentMethod(StrEnum):
    TRANSFER = "transfer"              # VIR
    BANKERS_CHEQUE = "bankers_cheque"  # CHQ
    CREDIT = "credit"                  # CRD


class Financed(Entity):
    """Which fees the credit also pays (seed 001: "frais de résa, CG, livraison")."""
    reservation_fees: bool = False
    registration: bool = False
    delivery: bool = False


class PaymentPlan(Entity):
    method: PaymentMethod
    down_payment_cents: int = 0
    financed_cents: int = 0
    financed: Financed = Field(default_factory=Financed)
    lender: str | None = None


class HolderKind(StrEnum):
    INDIVIDUAL = "individual"
    CO_HOLDERS = "co_holders"
    COMPANY = "company"


class RegistrationHolder(Entity):
    """Who the registration certificate (carte grise) names."""
    kind: HolderKind
    name: str = Field(description="the holder, or the company's name")
    co_holder_name: str | None = None
    siren: str | None = None
    manager_name: str | None = Field(default=None, description="the company's legal manager (gérant)")
    collector_name: str | None = Field(default=None, description="who collects the car for the company")
    present_at_handover: bool = True
    proxy_name: str | None = Field(default=None, description="holder absent: who comes with a proxy")


class DeliveryMode(StrEnum):
    BRANCH = "branch"  # handover (cession) at the branch, with an inspector
    HOME = "home"      # home delivery by a delivery partner


class ThirdParty(Entity):
    """A third party told by email (an inspector, a delivery partner)."""
    name: str
    email: str | None = None
    phone: str | None = None


class OrderDelivery(Entity):
    mode: DeliveryMode
    branch_id: str | None = None
    address: str | None = None
    partner: ThirdParty | None = None
    inspector: ThirdParty | None = None


class OrderPayment(Entity):
    """Money received for the order (the acompte is the first)."""
    id: str
    kind: str = Field(description="deposit, balance or down_payment")
    method: str
    amount_cents: int
    received_at: datetime
    recorded_by: str


class NextAction(Entity):
    label: str
    due_by: datetime
    milestone: str


class Order(Entity):
    id: str
    dealer_id: str
    status: OrderStatus = OrderStatus.RESERVED
    source: OrderSource
    quote_id: str | None = None
    proposal_id: str | None = None
    lead_id: str | None = None
    seller_id: str
    customer: OrderCustomer
    vehicle: OrderVehicle
    lines: list[QuoteLine]
    deposit_paid_cents: int = 0
    received_cents: int = Field(default=0, description="every payment recorded, the acompte included")
    payment: PaymentPlan | None = None
    transfer_order_confirmed_at: datetime | None = None
    funds_received_at: datetime | None = None
    credit_approved_at: datetime | None = None
    holder: RegistrationHolder | None = None
    delivery: OrderDelivery | None = None
    reserved_at: datetime
    reserved_on: date
    handover_on: date
    handover_slot: time = DEFAULT_SLOT
    handover_override: str | None = Field(default=None, description="the manager's reason for a date out of 10–15 days")
    handed_over_at: datetime | None = None
    sold_at: datetime | None = None
    next_action: NextAction | None = None
    cancellation: Cancellation | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @computed_field
    @property
    def total_ttc_cents(self) -> int:
        return totals_of(self.lines).ttc_cents

    @property
    def handover_at(self) -> datetime:
        return paris_moment(self.handover_on, self.handover_slot)

    @property
    def customer_pays_cents(self) -> int:
        """What the customer's own money covers: all, less what a credit finances."""
        financed = self.payment.financed_cents if self.payment and self.payment.method == PaymentMethod.CREDIT else 0
        return max(self.total_ttc_cents - financed, 0)

    @property
    def left_to_pay_cents(self) -> int:
        """What the customer still owes of their part (the portal's balance)."""
        return max(self.customer_pays_cents - self.received_cents, 0)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def moved_to(self, status: OrderStatus, at: datetime, **changes: Any) -> "Order":
        if status not in TRANSITIONS[self.status]:
            raise InvalidTransition(
                f"Commande {STATUS_LABELS[self.status]} : passage à « {STATUS_LABELS[status]} » impossible.")
        return self.changed(at, status=status, **changes)

    def changed(self, at: datetime, **changes: Any) -> "Order":
        return self.model_copy(update={**changes, "updated_at": at, "version": self.version + 1})

    def require_open(self) -> None:
        if self.status in (OrderStatus.CANCELLED, OrderStatus.SOLD, OrderStatus.CANCELLING):
            raise InvalidTransition(f"Commande {STATUS_LABELS[self.status]} : elle ne se modifie plus.")

    def with_handover(self, day: date, slot: time | None, reason: str | None, role: Role, at: datetime) -> "Order":
        self.require_open()
        if self.status == OrderStatus.HANDED_OVER:
            raise InvalidTransition("Le véhicule est déjà remis : la date de cession ne se déplace plus.")
        override = check_handover_day(self.reserved_on, day, reason, role)
        return self.changed(at, handover_on=day, handover_slot=slot or self.handover_slot, handover_override=override)


def check_handover_day(reserved_on: date, day: date, reason: str | None, role: Role) -> str | None:
    """The handover day is 10 to 15 days after the reservation; out of it, a manager's reason is
    recorded (returned). A seller out of range, or a manager without a reason, is refused."""
    days = (day - reserved_on).days
    if days < 0:
        raise InvalidInput("La date de cession est avant la réservation.", {"handover_on": "before the reservation"})
    if HANDOVER_MIN_DAYS <= days <= HANDOVER_MAX_DAYS:
        return None
    if role not in OVERRIDERS:
        raise Forbidden(f"La cession se fixe entre {HANDOVER_MIN_DAYS} et {HANDOVER_MAX_DAYS} jours après la "
                        f"réservation (ici {days} jours) : au-delà, voyez avec un manager.",
                        {"handover_on": f"{days} days after the reservation"})
    given = (reason or "").strip()
    if not given:
        raise InvalidInput("Une date hors de 10 à 15 jours demande la raison du manager.",
                           {"reason": "required out of 10–15 days"})
    return given


def default_handover_day(reserved_on: date) -> date:
    return reserved_on + timedelta(days=HANDOVER_MIN_DAYS)


def paris_moment(day: date, at: time) -> datetime:
    """The UTC instant of `day` at `at`, Paris time."""
    local = datetime.combine(day, at)
    guess = local.replace(tzinfo=UTC) - timedelta(hours=1)
    return (local - paris_offset(guess)).replace(tzinfo=UTC)

