"""What staff ask of an order: validated input, apart from the order itself."""
from datetime import date, time
from typing import Literal

from pydantic import Field, model_validator

from chalicelib.domain.model import Command
from chalicelib.domain.orders.cancellation import CancellationReason
from chalicelib.domain.orders.model import DeliveryMode, HolderKind, PaymentMethod

Name = Field(min_length=1, max_length=120)


class OpenFromQuote(Command):
    """A showroom reservation: the order opens from the quote the customer agreed to."""
    quote_id: str = Field(min_length=1, max_length=40)
    deposit_paid_cents: int = Field(default=0, ge=0, description="the acompte taken in the showroom")
    deposit_method: PaymentMethod | Literal["card"] | None = None
    vehicle_id: str | None = Field(default=None, max_length=40, description="the stock vehicle, when it is one")
    last_roadworthiness_test: date | None = None
    handover_on: date | None = Field(default=None, description="10 to 15 days after today; today + 10 by default")
    handover_slot: time | None = None
    handover_reason: str | None = Field(default=None, max_length=500,
                                        description="a manager's reason for a day out of 10–15 days")


class HandoverDate(Command):
    model_config = Command.model_config | {"strict": False}

    handover_on: date
    handover_slot: time | None = None
    reason: str | None = Field(default=None, max_length=500, description="a manager's reason, out of 10–15 days")


class FinancedInput(Command):
    reservation_fees: bool = False
    registration: bool = False
    delivery: bool = False


class PaymentPlanInput(Command):
    method: PaymentMethod
    down_payment_cents: int = Field(default=0, ge=0)
    financed_cents: int = Field(default=0, ge=0)
    financed: FinancedInput = Field(default_factory=FinancedInput)
    lender: str | None = Field(default=None, max_length=80)

    @model_validator(mode="after")
    def _credit(self) -> "PaymentPlanInput":
        if self.method == PaymentMethod.CREDIT and self.financed_cents <= 0:
            raise ValueError("a credit names the financed amount")
        if self.method != PaymentMethod.CREDIT and (self.financed_cents or self.down_payment_cents):
            raise ValueError("down payment and financed amount belong to a credit")
        return self


class HolderInput(Command):
    kind: HolderKind
    name: str = Name
    co_holder_name: str | None = Field(default=None, min_length=1, max_length=120)
    siren: str | None = Field(default=None, pattern=r"^\d{9}$")
    manager_name: str | None = Field(default=None, min_length=1, max_length=120)
    collector_name: str | None = Field(default=None, min_length=1, max_length=120)
    present_at_handover: bool = True
    proxy_name: str | None = Field(default=None, min_length=1, max_length=120)

    @model_validator(mode="after")
    def _details(self) -> "HolderInput":
        if self.kind == HolderKind.CO_HOLDERS and not self.co_holder_name:
            raise ValueError("co-holders name the co-holder")
        if self.kind == HolderKind.COMPANY and not (self.siren and self.manager_name and self.collector_name):
            raise ValueError("a company gives its SIREN, its manager and who collects the car")
        if not self.present_at_handover and not self.proxy_name:
            raise ValueError("an absent holder sends someone with a proxy: name them")
        return self


class ContactInput(Command):
    name: str = Name
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)
    phone: str | None = Field(default=None, max_length=20)


class DeliveryInput(Command):
    mode: DeliveryMode
    branch_id: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, min_length=5, max_length=300)
    partner: ContactInput | None = None
    inspector: ContactInput | None = None

    @model_validator(mode="after")
    def _mode(self) -> "DeliveryInput":
        if self.mode == DeliveryMode.HOME and not self.address:
            raise ValueError("a home delivery needs the address")
        return self


class NewPayment(Command):
    kind: Literal["balance", "down_payment"] = "balance"
    amount_cents: int = Field(ge=1, le=100_000_000_00)


class CancellationRequest(Command):
    reason: CancellationReason
    note: str | None = Field(default=None, max_length=1000)


class RefundIban(Command):
    iban: str = Field(min_length=10, max_length=50)


class OrderListQuery(Command):
    model_config = Command.model_config | {"strict": False}

    status: str | None = Field(default=None, max_length=20)
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2000)


class MilestoneDone(Command):
    """Checking a milestone (the body may be empty)."""
    note: str | None = Field(default=None, max_length=500)

