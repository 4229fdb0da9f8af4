"""Cancelling an order: seed 001's three branches, as a guided flow.

1. Only the reservation fee was received: the seller asks a manager for the refund, the manager
   approves, the order is cancelled.
2. Funds were received (a cancellation, or a withdrawal within 14 days, art. L221-18 du Code de la
   consommation): two identity documents and an IBAN are collected before the manager approves the
   refund, which is due within 14 days of the withdrawal (art. L221-24).
3. The order was already organised (appointment or delivery booked): back office is told to stop the
   works, the inspector and the delivery partner are told not to come.
Branch 3 adds to 1 or 2. Every step is an event of the order and a notice.
"""
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import Field

from chalicelib.domain.errors import Conflict
from chalicelib.domain.model import Entity

REFUND_DAYS = 14  # art. L221-24 du Code de la consommation
REFUND_WARNING_DAYS = 4  # the manager is warned this many days before the refund is due
IDENTITY_DOCUMENTS = 2


class CancellationReason(StrEnum):
    CANCELLATION = "cancellation"
    WITHDRAWAL = "withdrawal"  # rétractation (L221-18)


class CancellationBranch(StrEnum):
    FEE_ONLY = "fee_only"
    AFTER_FUNDS = "after_funds"


class Cancellation(Entity):
    reason: CancellationReason
    branch: CancellationBranch
    organised: bool = Field(description="the appointment or delivery was booked: back office, inspector and "
                                        "delivery partner were told")
    note: str | None = None
    refund_cents: int
    requested_at: datetime
    requested_by: str
    refund_due_on: date | None = Field(default=None, description="after funds: 14 days from the request (L221-24)")
    iban: str | None = Field(default=None, description="where the manager sends the refund (never logged)")
    iban_masked: str | None = None
    warned_at: datetime | None = Field(default=None, description="when the manager was warned the refund is due soon")
    approved_at: datetime | None = None
    approved_by: str | None = None

    def missing_for_approval(self, identity_documents: int) -> list[str]:
        """What the manager cannot approve without (branch 2: KYC before the refund)."""
        if self.branch == CancellationBranch.FEE_ONLY:
            return []
        missing = []
        if identity_documents < IDENTITY_DOCUMENTS:
            missing.append(f"{IDENTITY_DOCUMENTS - identity_documents} pièce(s) d'identité recto/verso "
                           "(carte d'identité, permis ou passeport)")
        if self.iban_masked is None:
            missing.append("le RIB (IBAN) du client")
        return missing


    def warning_at(self) -> date | None:
        """The day the manager is warned of a refund still to make (after funds only)."""
        if self.refund_due_on is None or self.warned_at is not None or self.approved_at is not None:
            return None
        return self.refund_due_on - timedelta(days=REFUND_WARNING_DAYS)


def branch_of(funds_received: bool) -> CancellationBranch:
    return CancellationBranch.AFTER_FUNDS if funds_received else CancellationBranch.FEE_ONLY


def refund_due_on(requested_on: date) -> date:
    return requested_on + timedelta(days=REFUND_DAYS)


class CannotApprove(Conflict):
    code = "cancellation_incomplete"

    def __init__(self, missing: list[str]):
        super().__init__("Remboursement impossible à valider, il manque : " + " ; ".join(missing) + ".",
                         {"missing": " ; ".join(missing)})
