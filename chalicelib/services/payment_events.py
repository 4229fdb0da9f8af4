"""What the payment webhook does with a verified checkout event, the same for the acompte (services/deposits)
and the balance (services/balance), which services/payment_webhook routes each event to by its purpose:
the outcomes, the proposal the event's signed metadata names, the anomaly recorded and told, and the event
judged again when the stored proposal (or order) changed between the read and the write.
Logs name ids and reasons only: never a token, an email, a name or card data.
"""
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chalicelib.domain.deposits import Confirmation, DepositAnomaly
from chalicelib.domain.errors import NotFound, StaleVersion
from chalicelib.domain.proposals.model import EventKind, Proposal
from chalicelib.domain.signing import ConcurrentChange
from chalicelib.observability import logger, metrics
from chalicelib.payments import webhook
from chalicelib.services import staff_alerts
from chalicelib.store import deposits as store
from chalicelib.store import leads as lead_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import proposals as proposal_store
from chalicelib.store.deposits import AlreadyPaid, AlreadyProcessed
from chalicelib.store.unit_of_work import commit

ATTEMPTS = 3


class Outcome(StrEnum):
    RECORDED = "recorded"
    ANOMALY = "anomaly"
    DUPLICATE = "duplicate"
    ALREADY_PAID = "already_paid"
    CHECKOUT_CLOSED = "checkout_closed"
    IGNORED = "ignored"


@dataclass(frozen=True)
class Received:
    """What the webhook did with an event: recorded, or why nothing was written."""
    outcome: Outcome


Judge = Callable[[webhook.PaymentEvent, webhook.CheckoutSession, Proposal], Received]


def judged(event: webhook.PaymentEvent, session: webhook.CheckoutSession, judge: Judge) -> Received:
    """`judge`'s decision on the proposal the event names. Its write is conditional on the proposal (or the
    order) as judged: when it changed meanwhile (another event paid it, the customer opened a page), the
    event is judged again on what is stored now."""
    for _ in range(ATTEMPTS):
        proposal = proposal_of(session)
        if proposal is None:
            return unknown(event, session)
        try:
            return judge(event, session, proposal)
        except (AlreadyPaid, ConcurrentChange, StaleVersion):
            continue
    raise ConcurrentChange()


def proposal_of(session: webhook.CheckoutSession) -> Proposal | None:
    """The proposal the event's signed metadata names (None: missing, or nowhere to be found)."""
    metadata = session.metadata
    dealer_id, proposal_id = metadata.get("dealer_id"), metadata.get("proposal_id")
    if not (dealer_id and proposal_id):
        return None
    try:
        return proposal_store.get(dealer_id, proposal_id)
    except NotFound:
        return None


def unknown(event: webhook.PaymentEvent, session: webhook.CheckoutSession) -> Received:
    """Nobody to tell: acknowledged so the provider stops retrying, logged (ids only) and counted."""
    metadata = session.metadata
    logger.error("payment webhook for an unknown proposal", extra={
        "event_id": event.id, "event_type": event.type, "session_id": session.id,
        "dealer_id": metadata.get("dealer_id"), "proposal_id": metadata.get("proposal_id")})
    metrics.add_metric(name="PaymentWebhookUnknownProposal", unit="Count", value=1)
    return Received(Outcome.IGNORED)


def confirmation(event: webhook.PaymentEvent, session: webhook.CheckoutSession) -> Confirmation:
    return Confirmation(
        event_id=event.id, session_id=session.id, amount_cents=session.amount_total or 0,
        currency=session.currency or "", paid=session.payment_status == "paid",
        payment_reference=session.payment_intent or session.id,
    )


def anomaly(event: webhook.PaymentEvent, proposal: Proposal, found: DepositAnomaly, log: dict[str, Any]) -> Received:
    """Money taken that is not what the checkout was for: the event's marker, the history event and the emails
    to the seller and the admins, in one transaction; the acompte and the order are left as they are."""
    alert = staff_alerts.payment_anomaly(proposal, found)
    history = proposal_store.record_event(proposal.dealer_id, proposal.id, EventKind.PAYMENT_ANOMALY, found.at,
                                          {**found.details(), "told": alert.told}, by="system")
    try:
        commit(store.event_processed(proposal, event.id, event.type, found.at), history,
               store.anomalies_counted(proposal, 1), [outbox_store.new(m) for m in alert.messages],
               lead_store.proposal_touched(proposal, EventKind.PAYMENT_ANOMALY, found.at))
    except AlreadyProcessed:
        return already(True, log)
    logger.warning("payment anomaly recorded: to refund or settle at the provider",
                   extra={**log, "reason": found.reason.value})
    metrics.add_metric(name="PaymentAnomaly", unit="Count", value=1)
    return Received(Outcome.ANOMALY)


def already(same_event: bool, log: dict[str, Any]) -> Received:
    if same_event:
        logger.info("payment webhook already processed", extra=log)
        return Received(Outcome.DUPLICATE)
    logger.info("payment webhook for a payment already recorded", extra=log)
    return Received(Outcome.ALREADY_PAID)
