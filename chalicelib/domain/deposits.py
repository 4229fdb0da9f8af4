"""The deposit ("acompte") paid by card after signature (SPEC E.6, E.7): when it is payable, its states,
and what a payment confirmation must match before it is believed.

States of a proposal's payment: none → pending (a checkout is open at the provider) → paid.
A cancelled or expired checkout goes back to payable: while the checkout is still open, paying
again resumes it (one open checkout at a time, so one payment); once it has expired, or the provider
said so, the next attempt opens a new one. Paid is final.

The word is "acompte", never "arrhes": an acompte binds both parties and is deducted from the
price (art. L214-1 du Code de la consommation); the customer keeps the withdrawal right and is
refunded in full on withdrawal.
"""
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field

from chalicelib.domain.errors import Conflict
from chalicelib.domain.model import Entity
from chalicelib.domain.money import format_euros

CURRENCY = "eur"
RESUME_MARGIN = timedelta(minutes=5)
"""A checkout this close to its end is not offered again: a new one is opened instead."""
WORD = "acompte"


class DepositStatus(StrEnum):
    NONE = "none"
    PENDING = "pending"
    PAID = "paid"


STATUS_LABELS = {DepositStatus.NONE: "à régler", DepositStatus.PENDING: "paiement en cours",
                 DepositStatus.PAID: "réglé"}


class DepositPayment(Entity):
    """The card payment of a proposal's acompte, kept on the proposal item (`deposit_payment`)."""
    status: DepositStatus = DepositStatus.NONE
    amount_cents: int = Field(ge=1)
    currency: str = CURRENCY
    provider: str = Field(description="local or stripe")
    attempt: int = Field(default=0, ge=0, description="checkouts opened so far (each with its idempotency key)")
    session_id: str | None = Field(default=None, description="the provider's checkout session")
    checkout_url: str | None = Field(default=None, exclude=True,
                                     description="where the open checkout is paid; stored (store/deposits.py) "
                                                 "but never serialised: the local one carries the portal link")
    session_expires_at: datetime | None = None
    started_at: datetime | None = None
    paid_at: datetime | None = None
    provider_reference: str | None = Field(default=None, description="the provider's payment reference")
    event_id: str | None = Field(default=None, description="the provider event that confirmed the payment")

    def status_at(self, at: datetime) -> DepositStatus:
        """PENDING only while the checkout is open: an expired one leaves the acompte payable."""
        if self.status == DepositStatus.PENDING and self.session_expires_at and at >= self.session_expires_at:
            return DepositStatus.NONE
        return self.status

    def resumable(self, at: datetime) -> bool:
        """The open checkout can be shown again (the customer came back, or cancelled and tries again)."""
        return (self.status == DepositStatus.PENDING and self.checkout_url is not None
                and self.session_expires_at is not None and at + RESUME_MARGIN < self.session_expires_at)


class DepositNotPayable(Conflict):
    code = "deposit_not_payable"


class ConfirmationRefused(Exception):
    """A payment confirmation that does not match the proposal: nothing is written, the reason is logged."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Confirmation(Entity):
    """What a provider says was paid: the checkout session completed, as its signed event tells it."""
    event_id: str
    session_id: str
    amount_cents: int
    currency: str
    paid: bool = Field(description="the provider's payment status is 'paid'")
    payment_reference: str = Field(description="the payment (intent) id, or the session id when none")


def require_payable(status: str, deposit_cents: int, payment: DepositPayment | None, at: datetime) -> None:
    """The customer may pay the acompte: the proposal is signed, asks a deposit, and it is not paid yet."""
    if deposit_cents <= 0:
        raise DepositNotPayable("Aucun acompte n'est demandé pour cette proposition.")
    if status != "accepted":
        raise DepositNotPayable("L'acompte se règle après la signature de la proposition : "
                                "acceptez et signez-la d'abord.")
    if payment is not None and payment.status_at(at) == DepositStatus.PAID:
        raise DepositNotPayable("L'acompte de cette proposition est déjà réglé : rien de plus à payer.")


def next_attempt(payment: DepositPayment | None) -> int:
    return (payment.attempt if payment else 0) + 1


def idempotency_key(dealer_id: str, proposal_id: str, attempt: int) -> str:
    """One checkout per attempt: a double click or a retried request opens the same one."""
    return f"offerline-deposit-{dealer_id}-{proposal_id}-{attempt}"


def started(amount_cents: int, provider: str, attempt: int, session_id: str, checkout_url: str,
            expires_at: datetime, at: datetime) -> DepositPayment:
    return DepositPayment(status=DepositStatus.PENDING, amount_cents=amount_cents, provider=provider,
                          attempt=attempt, session_id=session_id, checkout_url=checkout_url,
                          session_expires_at=expires_at, started_at=at)


def check_confirmation(status: str, deposit_cents: int, confirmation: Confirmation) -> None:
    """A confirmation is believed only for a signed proposal, paid, for exactly the acompte asked, in euros."""
    if status != "accepted":
        raise ConfirmationRefused("proposal_not_accepted")
    if deposit_cents <= 0:
        raise ConfirmationRefused("no_deposit_asked")
    if not confirmation.paid:
        raise ConfirmationRefused("not_paid")
    if confirmation.currency.lower() != CURRENCY:
        raise ConfirmationRefused("currency_mismatch")
    if confirmation.amount_cents != deposit_cents:
        raise ConfirmationRefused("amount_mismatch")


def paid(payment: DepositPayment | None, provider: str, confirmation: Confirmation, at: datetime) -> DepositPayment:
    """The payment once confirmed (check_confirmation first)."""
    base = payment or DepositPayment(amount_cents=confirmation.amount_cents, provider=provider)
    return base.model_copy(update={
        "status": DepositStatus.PAID, "amount_cents": confirmation.amount_cents,
        "currency": confirmation.currency.lower(), "session_id": confirmation.session_id, "checkout_url": None,
        "paid_at": at, "provider_reference": confirmation.payment_reference, "event_id": confirmation.event_id,
    })


def describe(amount_cents: int) -> str:
    """"acompte de 1 500,00 €": how every page and email names it."""
    return f"{WORD} de {format_euros(amount_cents)}"


def expired(payment: DepositPayment | None, session_id: str) -> DepositPayment | None:
    """The payment after the provider closed this checkout unpaid (None: nothing to change)."""
    if payment is None or payment.status != DepositStatus.PENDING or payment.session_id != session_id:
        return None
    return payment.model_copy(update={"status": DepositStatus.NONE, "checkout_url": None})
