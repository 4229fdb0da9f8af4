"""The deposit ("acompte") paid by card after signature (SPEC E.6, E.7): when it is payable, its states,
and what a payment confirmation must match before it is believed.

States of a proposal's payment: none → pending (a checkout is open at the provider) → paid.
A cancelled or expired checkout goes back to payable: while the checkout is still open, paying
again resumes it (one open checkout at a time, so one payment); once it has expired, or the provider
said so, the next attempt opens a new one. Paid is final.

A confirmed payment that is not the acompte (another amount or currency, a proposal not signed or
asking none, an acompte already paid) is an anomaly: never recorded as paid, it is kept in the
proposal's history and the seller and the admins are told to refund or settle it. Once done, an
admin, a manager or the back office marks it settled, with a note saying how.

The word is "acompte", never "arrhes": an acompte binds both parties and is deducted from the
price (art. L214-1 du Code de la consommation); the customer keeps the withdrawal right and is
refunded in full on withdrawal.
"""
import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field

from chalicelib.domain.dealers import Role
from chalicelib.domain.errors import Conflict, Forbidden
from chalicelib.domain.model import Command, Entity
from chalicelib.domain.money import NBSP, format_euros
from chalicelib.domain.proposals.status import ProposalStatus

CURRENCY = "eur"
RESUME_MARGIN = timedelta(minutes=5)
"""A checkout this close to its end is not offered again: a new one is opened instead."""
WORD = "acompte"
RETURN_PATH = "/p/retour/"
"""Where a checkout (the acompte's, or an order's balance) comes back, by its return reference."""
RETURN_KEPT = timedelta(days=7)
"""A return reference outlives its checkout a little: the customer may reload the result page."""


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


class PaymentUnavailable(Conflict):
    """The provider could not open a checkout (acompte or balance): nothing was recorded."""
    code = "payment_unavailable"

    def __init__(self) -> None:
        super().__init__("Le paiement en ligne est momentanément indisponible : réessayez dans quelques minutes.")


class DepositNotPayable(Conflict):
    code = "deposit_not_payable"


class AnomalyReason(StrEnum):
    """Why a payment the provider confirmed is not the proposal's acompte."""
    AMOUNT_MISMATCH = "amount_mismatch"
    CURRENCY_MISMATCH = "currency_mismatch"
    PROPOSAL_NOT_ACCEPTED = "proposal_not_accepted"
    NO_DEPOSIT_ASKED = "no_deposit_asked"
    ALREADY_PAID = "already_paid"
    BALANCE_MISMATCH = "balance_mismatch"  # a balance checkout's payment: not what it opened, or more than is due
    ORDER_CLOSED = "order_closed"  # a balance paid for an order cancelled or sold meanwhile


ANOMALY_LABELS = {
    AnomalyReason.AMOUNT_MISMATCH: "montant différent de l'acompte demandé",
    AnomalyReason.CURRENCY_MISMATCH: "paiement dans une autre devise que l'euro",
    AnomalyReason.PROPOSAL_NOT_ACCEPTED: "proposition non signée",
    AnomalyReason.NO_DEPOSIT_ASKED: "aucun acompte demandé",
    AnomalyReason.ALREADY_PAID: "acompte déjà réglé (second paiement)",
    AnomalyReason.BALANCE_MISMATCH: "montant différent du solde restant dû",
    AnomalyReason.ORDER_CLOSED: "solde payé pour une commande annulée ou close",
}
BALANCE_REASONS = (AnomalyReason.BALANCE_MISMATCH, AnomalyReason.ORDER_CLOSED)


class Confirmation(Entity):
    """What a provider says was paid: the checkout session completed, as its signed event tells it."""
    event_id: str
    session_id: str
    amount_cents: int
    currency: str
    paid: bool = Field(description="the provider's payment status is 'paid'")
    payment_reference: str = Field(description="the payment (intent) id, or the session id when none")


def require_payable(status: ProposalStatus, deposit_cents: int, payment: DepositPayment | None, at: datetime) -> None:
    """The customer may pay the acompte: the proposal is signed, asks a deposit, and it is not paid yet."""
    if deposit_cents <= 0:
        raise DepositNotPayable("Aucun acompte n'est demandé pour cette proposition.")
    if status != ProposalStatus.ACCEPTED:
        raise DepositNotPayable("L'acompte se règle après la signature de la proposition : "
                                "acceptez et signez-la d'abord.")
    if payment is not None and payment.status_at(at) == DepositStatus.PAID:
        raise DepositNotPayable("L'acompte de cette proposition est déjà réglé : rien de plus à payer.")


def next_attempt(payment: DepositPayment | None) -> int:
    return (payment.attempt if payment else 0) + 1


def idempotency_key(dealer_id: str, proposal_id: str, attempt: int) -> str:
    """One checkout per attempt: a double click or a retried request opens the same one."""
    return f"offerline-deposit-{dealer_id}-{proposal_id}-{attempt}"


def return_reference(secret: str, idempotency_key: str) -> str:
    """The reference in a checkout's return addresses instead of the portal token, which must not sit in the
    provider's records. It only leads back to the acompte's result page. Derived from the checkout's
    idempotency key with a server secret: unguessable, and the same for a retried request (the provider
    refuses one key with other parameters). Kept as its SHA-256 (links.hash_token)."""
    mac = hmac.new(secret.encode(), f"deposit-return|{idempotency_key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def started(amount_cents: int, provider: str, attempt: int, session_id: str, checkout_url: str,
            expires_at: datetime, at: datetime) -> DepositPayment:
    return DepositPayment(status=DepositStatus.PENDING, amount_cents=amount_cents, provider=provider,
                          attempt=attempt, session_id=session_id, checkout_url=checkout_url,
                          session_expires_at=expires_at, started_at=at)


def recorded_with(payment: DepositPayment | None, confirmation: Confirmation) -> bool:
    """The acompte is already recorded as paid through this checkout (a retry, or another event of it)."""
    return (payment is not None and payment.status == DepositStatus.PAID
            and payment.session_id == confirmation.session_id)


def anomaly_of(status: ProposalStatus, deposit_cents: int, payment: DepositPayment | None,
               confirmation: Confirmation) -> AnomalyReason | None:
    """Why money the provider took does not fit the proposal (None: it is the acompte, record it as paid).

    Believed as the acompte only for a signed proposal that asks one, not yet paid, for exactly its
    amount, in euros. Ask `recorded_with` first: the checkout already recorded is not a second payment.
    """
    if payment is not None and payment.status == DepositStatus.PAID:
        return AnomalyReason.ALREADY_PAID
    if status != ProposalStatus.ACCEPTED:
        return AnomalyReason.PROPOSAL_NOT_ACCEPTED
    if deposit_cents <= 0:
        return AnomalyReason.NO_DEPOSIT_ASKED
    if confirmation.currency.lower() != CURRENCY:
        return AnomalyReason.CURRENCY_MISMATCH
    if confirmation.amount_cents != deposit_cents:
        return AnomalyReason.AMOUNT_MISMATCH
    return None


def paid(payment: DepositPayment | None, provider: str, confirmation: Confirmation, at: datetime) -> DepositPayment:
    """The payment once confirmed (when `anomaly_of` finds nothing)."""
    base = payment or DepositPayment(amount_cents=confirmation.amount_cents, provider=provider)
    return base.model_copy(update={
        "status": DepositStatus.PAID, "amount_cents": confirmation.amount_cents,
        "currency": confirmation.currency.lower(), "session_id": confirmation.session_id, "checkout_url": None,
        "paid_at": at, "provider_reference": confirmation.payment_reference, "event_id": confirmation.event_id,
    })


class DepositAnomaly(Entity):
    """A payment the provider took that is not the acompte: recorded in the proposal's history (never as paid)
    for the seller and the admins to refund or settle. Ids, amounts and a reason only: no card data."""
    at: datetime
    reason: AnomalyReason
    amount_cents: int
    currency: str
    expected_cents: int = Field(description="the acompte the proposal asks (0: none)")
    provider: str
    provider_reference: str = Field(description="the provider's payment reference, to find it in its dashboard")

    @property
    def label(self) -> str:
        return ANOMALY_LABELS[self.reason]

    def details(self) -> dict[str, Any]:
        """What its history event keeps (the event has the time)."""
        return self.model_dump(mode="json", exclude={"at"})


class RecordedAnomaly(DepositAnomaly):
    """An anomaly as the seller's view shows it: the id of its history event, and how it was settled."""
    id: str = Field(description="its payment_anomaly history event's id: what settling it names")
    settled_at: datetime | None = None
    settled_by: str | None = Field(default=None, description="the user id who marked it settled")
    settlement_note: str | None = None


class AnomalySettlement(Command):
    """Marks a payment anomaly as handled (refunded at the provider, or settled with the customer)."""
    note: str = Field(min_length=1, max_length=500,
                      description="what was done, e.g. « Remboursé depuis Stripe le 25/11 »")


SETTLERS = (Role.ADMIN, Role.MANAGER, Role.BACK_OFFICE)


def require_settler(role: Role) -> None:
    """Refunds are the admins', the managers' and the back office's business, not the sellers'."""
    if role not in SETTLERS:
        raise Forbidden("Seuls les administrateurs, les responsables et le back-office régularisent un paiement.")


class AlreadySettled(Conflict):
    code = "already_settled"

    def __init__(self) -> None:
        super().__init__("Ce paiement est déjà marqué comme régularisé.")


def anomaly(reason: AnomalyReason, confirmation: Confirmation, expected_cents: int, provider: str,
            at: datetime) -> DepositAnomaly:
    return DepositAnomaly(at=at, reason=reason, amount_cents=confirmation.amount_cents,
                          currency=confirmation.currency.lower(), expected_cents=max(expected_cents, 0),
                          provider=provider, provider_reference=confirmation.payment_reference)


def format_amount(cents: int, currency: str) -> str:
    """Euros the French way; another currency as "12,34 USD" (what was really paid)."""
    if currency.lower() == CURRENCY:
        return format_euros(cents)
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{units},{rest:02d}{NBSP}{currency.upper()}"


def describe(amount_cents: int) -> str:
    """"acompte de 1 500,00 €": how every page and email names it."""
    return f"{WORD} de {format_euros(amount_cents)}"


def expired(payment: DepositPayment | None, session_id: str) -> DepositPayment | None:
    """The payment after the provider closed this checkout unpaid (None: nothing to change)."""
    if payment is None or payment.status != DepositStatus.PENDING or payment.session_id != session_id:
        return None
    return payment.model_copy(update={"status": DepositStatus.NONE, "checkout_url": None})
