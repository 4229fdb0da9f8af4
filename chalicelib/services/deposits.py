"""The acompte paid by card after signature (SPEC E.6): start from the portal, confirm from the webhook.

Start: the customer's form (CSRF bound to the link) on a signed proposal that asks an acompte opens a
checkout at the provider (Stripe in production, the local test provider in development), records it
on the proposal with a history event, and answers where to pay. An open checkout is offered again
rather than a second one, so the customer can never pay twice through us.

Confirm: the provider's signed event (POST /payments/webhook; the local provider's "Payer" hands its
event to the same function), verified by services/payment_webhook and handed here when its checkout was the
acompte's (its metadata names no other purpose), is matched against the stored proposal (signed, amount and
currency of the acompte), then one transaction marks the acompte paid (unless already paid), writes
the event's marker (unless already there: a retry or a replay changes nothing), the history event,
the outbox messages (the seller per preferences, the customer's receipt) and the payment on the order
the acceptance opened. After that commit the deposit invoice is issued (its own transaction: its number
is taken with a retry); if that fails (logged, counted) the payment stands, and the provider's retry
or a replay of the event, finding the acompte recorded, issues it (once per proposal).
A payment that does not fit (another amount or currency, a proposal not signed, an acompte already
paid by another checkout) is an anomaly: one transaction writes the marker, a payment_anomaly history
event and the emails telling the seller and the admins to refund or settle it; the acompte is left as
it is and the provider gets a 200, so it stops retrying.
Logs name ids and reasons only: never a token, an email, a name or card data.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib import payments
from chalicelib.domain import clock, deposits as rules
from chalicelib.domain import evidence, letters, local_time
from chalicelib.domain.deposits import (
    RETURN_KEPT, AlreadySettled, AnomalySettlement, DepositStatus,
)
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.funnel import Step
from chalicelib.domain.links import hash_token, is_well_formed
from chalicelib.domain.money import format_euros
from chalicelib.domain.outbox import Channel, OutboxMessage
from chalicelib.domain.dealers import Staff
from chalicelib.domain.proposals.model import EventKind, Proposal
from chalicelib.domain.proposals.views import ProposalView
from chalicelib.observability import logger, metrics
from chalicelib.payments import webhook
from chalicelib.services import checkouts, funnel, invoices, notifications, orders, payment_events
from chalicelib.services.payment_events import Outcome, Received
from chalicelib.services.customer_contact import customer_address
from chalicelib.services.visit import READABLE, Record, Visitor, checked, open_link, retried
from chalicelib.settings import settings
from chalicelib.store import dealers as dealer_store
from chalicelib.store import deposits as store
from chalicelib.store import leads as lead_store
from chalicelib.store import proposals as proposal_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import portal as portal_store
from chalicelib.store.deposits import AlreadyProcessed
from chalicelib.store.unit_of_work import commit

FORM = "deposit"


# --- start, from the portal ------------------------------------------------------------------

def start(token: str, form: dict[str, str], visitor: Visitor) -> str:
    """Where the customer pays the acompte now (the provider's checkout page)."""
    checked(token, FORM, form)
    return retried(lambda: _start(token, visitor))


def _start(token: str, visitor: Visitor) -> str:
    visit = open_link(token).require(*READABLE)
    proposal, now = visit.proposal, visit.now
    payment = proposal.deposit_payment
    rules.require_payable(proposal.status, proposal.deposit_cents, payment, now)
    if payment is not None and payment.resumable(now) and payment.checkout_url is not None:
        return payment.checkout_url
    attempt = rules.next_attempt(payment)
    opened = checkouts.open_checkout(
        rules.idempotency_key(proposal.dealer_id, proposal.id, attempt), proposal.deposit_cents, proposal.reference,
        f"Acompte – proposition {proposal.reference} – {proposal.dealer.name}",
        {"dealer_id": proposal.dealer_id, "proposal_id": proposal.id, "reference": proposal.reference},
        {"proposal_id": proposal.id, "purpose": "deposit"})
    checkout, provider = opened.checkout, opened.provider
    pending = rules.started(proposal.deposit_cents, provider, attempt, checkout.session_id, checkout.url,
                            checkout.expires_at, now)
    record = Record(visit.aggregate, visitor, now)
    record.history(EventKind.PAYMENT_STARTED, {"amount_cents": proposal.deposit_cents, "currency": rules.CURRENCY,
                                               "provider": provider, "attempt": attempt})
    commit(store.checkout_opened(proposal, pending), record.writes,
           store.return_saved(proposal, hash_token(opened.return_reference), checkout.expires_at + RETURN_KEPT))
    return checkout.url


def checkout_origin() -> str:
    """Where the portal's pay form leads (its pages allow that origin in CSP form-action)."""
    return payments.checkout_origin()


# --- what the portal shows ----------------------------------------------------------------------

@dataclass(frozen=True)
class DepositView:
    """The acompte as a portal page shows it."""
    amount_cents: int
    status: DepositStatus
    paid_at: datetime | None = None
    reference: str | None = None

    @property
    def payable(self) -> bool:
        return self.amount_cents > 0 and self.status != DepositStatus.PAID


def shown(proposal: Proposal | None, at: datetime) -> DepositView | None:
    """None when no acompte is asked (or no proposal)."""
    if proposal is None or proposal.deposit_cents <= 0:
        return None
    payment = proposal.deposit_payment
    if payment is None:
        return DepositView(proposal.deposit_cents, DepositStatus.NONE)
    return DepositView(proposal.deposit_cents, payment.status_at(at), payment.paid_at, payment.provider_reference)


@dataclass(frozen=True)
class Returned:
    """What a return page shows: the proposal's header and seller, and the acompte; nothing else of it.
    `purpose`: what the checkout paid, "deposit" or "balance" (services/balance.py)."""
    proposal: Proposal
    deposit: DepositView | None
    purpose: str = "deposit"


def returned(reference: str) -> Returned:
    """Back from the provider's checkout by its return reference (nothing written: the webhook confirms, the
    page reads). NotFound for a reference never given, or forgotten."""
    found = store.returning_to(hash_token(reference)) if is_well_formed(reference) else None
    if found is None:
        raise NotFound("Lien de retour inconnu.")
    dealer_id, proposal_id, purpose = found
    proposal = proposal_store.get(dealer_id, proposal_id)
    return Returned(proposal, shown(proposal, clock.now()), purpose)


# --- confirm, from the webhook (services/payment_webhook) ---------------------------------------------

def confirmed(event: webhook.PaymentEvent, session: webhook.CheckoutSession, proposal: Proposal) -> Received:
    """A completed checkout of the acompte, judged on the proposal as stored (payment_events.judged)."""
    now = clock.now()
    log = {"event_id": event.id, "session_id": session.id, "dealer_id": proposal.dealer_id,
           "proposal_id": proposal.id}
    confirmation = payment_events.confirmation(event, session)
    payment = proposal.deposit_payment
    if payment is not None and rules.recorded_with(payment, confirmation):
        _invoice(proposal, log)
        return payment_events.already(payment.event_id == event.id, log)
    if not confirmation.paid:
        # Card-only checkouts complete paid; nothing was taken, so there is nothing to record or refund.
        logger.warning("payment webhook: checkout completed unpaid, ignored", extra=log)
        return Received(Outcome.IGNORED)
    provider = payment.provider if payment else settings().payment_provider
    reason = rules.anomaly_of(proposal.status, proposal.deposit_cents, payment, confirmation)
    if reason is not None:
        found = rules.anomaly(reason, confirmation, proposal.deposit_cents, provider, now)
        return payment_events.anomaly(event, proposal, found, log)
    paid = rules.paid(payment, provider, confirmation, now)
    paid_proposal = proposal.with_payment(paid)
    history = proposal_store.record_event(proposal.dealer_id, proposal.id, EventKind.PAYMENT_RECEIVED, now, {
        "amount_cents": paid.amount_cents, "currency": paid.currency, "provider": provider,
        "provider_reference": paid.provider_reference,
    }, by="system")
    messages = [notifications.seller_notice(paid_proposal, EventKind.PAYMENT_RECEIVED, now),
                receipt(paid_proposal, now)]
    order = orders.deposit_received_writes(proposal.dealer_id, proposal.id, paid.amount_cents,
                                           paid.provider_reference, now)
    evidenced, proof = portal_store.appended(proposal, paid_proposal, evidence.EventKind.PAYMENT, now, {
        "amount_cents": paid.amount_cents, "currency": paid.currency, "provider": provider,
        "provider_reference": paid.provider_reference, "provider_event_id": event.id})
    try:
        commit(store.event_processed(proposal, event.id, event.type, now),
               store.payment_received(proposal, paid, evidenced), proof,
               history, [outbox_store.new(m) for m in messages], order,
               lead_store.proposal_touched(proposal, EventKind.PAYMENT_RECEIVED, now),
               funnel.counted(paid_proposal, now, Step.PAID))
    except AlreadyProcessed:
        return payment_events.already(True, log)
    logger.info("deposit paid", extra=log)
    _invoice(paid_proposal, log)
    return Received(Outcome.RECORDED)


def _invoice(proposal: Proposal, log: dict[str, Any]) -> None:
    """Issues the deposit invoice of a paid acompte, or finds it issued (a retry or a replay of the event)."""
    paid = proposal.deposit_payment
    if paid is None or paid.paid_at is None:
        return
    try:
        invoices.deposit_paid(proposal.dealer_id, proposal.id, proposal.reference, proposal.customer, proposal.lines,
                              paid.amount_cents, paid.paid_at)
    except Exception:  # the payment is recorded and stays so: a replay of the event issues the invoice
        logger.exception("deposit invoice not issued", extra=log)
        metrics.add_metric(name="DepositInvoiceFailed", unit="Count", value=1)


def expired(event: webhook.PaymentEvent, session: webhook.CheckoutSession) -> Received:
    """The acompte's checkout expired at the provider: payable again, the next start opens another."""
    proposal = payment_events.proposal_of(session)
    if proposal is None:
        return payment_events.unknown(event, session)
    closed = rules.expired(proposal.deposit_payment, session.id)
    if closed is None:
        return Received(Outcome.IGNORED)
    now = clock.now()
    try:
        commit(store.event_processed(proposal, event.id, event.type, now),
               store.checkout_closed(proposal, closed, session.id))
    except Conflict:  # replayed, or the checkout changed meanwhile (paid, or another one opened)
        return Received(Outcome.IGNORED)
    return Received(Outcome.CHECKOUT_CLOSED)


# --- settling an anomaly, from the seller front -------------------------------------------------------

def settle_anomaly(dealer_id: str, proposal_id: str, anomaly_id: str, settlement: AnomalySettlement,
                   by: Staff) -> ProposalView:
    """Marks a payment anomaly handled (refunded at the provider or settled with the customer), once, with
    the note saying how: its history event and a marker that refuses a second settlement (409)."""
    dealer_store.get(dealer_id).require_remote_selling()
    view = proposal_store.get_with_history(dealer_id, proposal_id)
    anomaly = next((a for a in view.deposit_anomalies if a.id == anomaly_id), None)
    if anomaly is None:
        raise NotFound("Paiement à régulariser introuvable.")
    rules.require_settler(by.role)  # after the lookup: another dealer's ids are a 404, not a 403
    if anomaly.settled_at is not None:
        raise AlreadySettled()
    now = clock.now()
    history = proposal_store.record_event(dealer_id, proposal_id, EventKind.PAYMENT_ANOMALY_SETTLED, now, {
        "anomaly_id": anomaly_id, "note": settlement.note, "amount_cents": anomaly.amount_cents,
        "currency": anomaly.currency, "provider_reference": anomaly.provider_reference,
    }, by=by.user_id)
    commit(store.anomaly_settled(view.proposal, anomaly_id, by.user_id, now), history,
           store.anomalies_counted(view.proposal, -1))
    return view.then(view.proposal, proposal_store.event_of(history))


# --- the customer's receipt ------------------------------------------------------------------------

def receipt(proposal: Proposal, at: datetime) -> OutboxMessage:
    """The customer's receipt of the acompte."""
    payment = proposal.deposit_payment
    assert payment is not None and payment.paid_at is not None
    letter = letters.write(
        "deposit_receipt", f"Acompte reçu – proposition {proposal.reference}",
        amount=format_euros(payment.amount_cents), reference=proposal.reference, dealer=proposal.dealer.name,
        paid_at=local_time.format_moment(payment.paid_at), payment_reference=payment.provider_reference or "",
        seller=proposal.seller.display_name,
        legal="Cette somme est versée à titre d'acompte : elle s'impute sur le prix. Si vous exercez votre droit "
              "de rétractation dans le délai, elle vous est intégralement remboursée.",
    )
    return OutboxMessage(
        dealer_id=proposal.dealer_id, channel=Channel.EMAIL, to=customer_address(proposal),
        reply_to=str(proposal.seller.email), purpose="deposit_receipt", created_at=at, **letter.parts(),
    )
