"""The order's balance paid by card from the portal (issue 13), through the acompte's provider.

Start: the order page's form (CSRF bound to the link, a plain POST) opens a checkout for the amount left
to pay when the dealer enabled it (`balance.card_enabled`) and the order still takes money. Its metadata
names the order and says `purpose=balance`; its return addresses carry a return reference (decision 32),
never the portal token. The portal request itself (time, IP, user agent) goes on the proposal's evidence
chain as `checkout_opened`, with the return reference's item, in one unit of work. The same amount left
opens the same checkout (the idempotency key names the order and what it had received): a double click or
a second tab never asks to pay twice.

Confirm: services/payment_webhook hands a completed checkout whose metadata says `purpose=balance` here
(`confirmed`) to be judged (`anomaly_of`) and, when it fits, recorded with the orders' own payment writes, the
customer's receipt and the seller's notice (`received`), or recorded as an anomaly, as the acompte's.
"""
from datetime import datetime

from chalicelib.domain import deposits as rules
from chalicelib.domain import clock, evidence, letters, local_time
from chalicelib.domain.deposits import RETURN_KEPT, AnomalyReason, Confirmation
from chalicelib.domain.errors import InvalidTransition, NotFound
from chalicelib.domain.links import PortalState, hash_token
from chalicelib.domain.money import format_euros
from chalicelib.domain.orders.model import Order, OrderPayment
from chalicelib.domain.outbox import Channel, OutboxMessage
from chalicelib.domain.proposals.model import Proposal
from chalicelib.observability import logger
from chalicelib.payments import webhook
from chalicelib.services import checkouts, notifications, orders, payment_events
from chalicelib.services.customer_contact import customer_address
from chalicelib.services.order_portal import CLOSED, order_of
from chalicelib.services.payment_events import Outcome, Received
from chalicelib.services.visit import Record, Visitor, checked, look, retried
from chalicelib.settings import settings
from chalicelib.store import dealers as dealer_store
from chalicelib.store import deposits as deposit_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store.deposits import AlreadyProcessed
from chalicelib.store.orders import OrderAggregate
from chalicelib.store.unit_of_work import commit

FORM = "balance"
PURPOSE = "balance"  # the checkout's metadata: tells the webhook a balance from the acompte
CUSTOMER = "customer"


class CardNotOffered(InvalidTransition):
    code = "balance_card_not_offered"


# --- start, from the order page ---------------------------------------------------------------

def start(token: str, form: dict[str, str], visitor: Visitor) -> str:
    """Where the customer pays the balance now (the provider's checkout page)."""
    checked(token, FORM, form)
    return retried(lambda: _start(token, visitor))


def _start(token: str, visitor: Visitor) -> str:
    opened = look(token).require(PortalState.ACCEPTED_VIEW)
    proposal, now = opened.proposal, opened.now
    agg = order_of(proposal)
    if agg is None:
        raise NotFound("Aucune commande n'est liée à cette proposition.")
    order = agg.order
    require_payable(order, dealer_store.get(order.dealer_id).settings.balance.card_enabled)
    amount = order.left_to_pay_cents
    started = checkouts.open_checkout(
        f"offerline-balance-{order.dealer_id}-{order.id}-{order.received_cents}", amount, proposal.reference,
        f"Solde – commande {proposal.reference} – {proposal.dealer.name}",
        {"dealer_id": order.dealer_id, "proposal_id": proposal.id, "order_id": order.id, "purpose": PURPOSE,
         "amount_cents": str(amount), "reference": proposal.reference},
        {"order_id": order.id, "purpose": PURPOSE})
    checkout = started.checkout
    record = Record(opened.aggregate, visitor, now)
    record.proof(evidence.EventKind.CHECKOUT_OPENED, {
        "order_id": order.id, "purpose": PURPOSE, "amount_cents": amount, "currency": rules.CURRENCY,
        "provider": started.provider, "session_id": checkout.session_id})
    commit(record.saved(allowed=(proposal.status,)),
           deposit_store.return_saved(proposal, hash_token(started.return_reference), checkout.expires_at + RETURN_KEPT,
                                      PURPOSE))
    return checkout.url


def require_payable(order: Order, card_enabled: bool) -> None:
    """The order page may open a card checkout: the dealer offers it, the order is open and owes something."""
    if not card_enabled:
        raise CardNotOffered("Le paiement du solde par carte n'est pas proposé par la concession : "
                             "réglez-le par virement.")
    if order.status in CLOSED:
        raise CardNotOffered("Cette commande n'attend plus de paiement.")
    if order.left_to_pay_cents <= 0:
        raise CardNotOffered("Le solde est déjà réglé : rien de plus à payer.")


# --- confirm, from the webhook (services/payment_webhook) ---------------------------------------------

def confirmed(event: webhook.PaymentEvent, session: webhook.CheckoutSession, proposal: Proposal) -> Received:
    """An order's balance paid by card: recorded on the order as a payment received with the event's marker in
    one transaction; a replay finds the marker (or the payment) and writes nothing; a payment that does not fit
    is an anomaly, as the acompte's."""
    now = clock.now()
    log = {"event_id": event.id, "session_id": session.id, "dealer_id": proposal.dealer_id,
           "proposal_id": proposal.id, "purpose": PURPOSE}
    agg = order_paid(proposal, session.metadata)
    if agg is None:
        return payment_events.unknown(event, session)
    confirmation = payment_events.confirmation(event, session)
    if recorded(agg, confirmation):
        return payment_events.already(deposit_store.processed(proposal, event.id), log)
    if not confirmation.paid:
        logger.warning("payment webhook: checkout completed unpaid, ignored", extra=log)
        return Received(Outcome.IGNORED)
    reason = anomaly_of(agg.order, confirmation, session.metadata)
    if reason is not None:
        found = rules.anomaly(reason, confirmation, agg.order.left_to_pay_cents, settings().payment_provider, now)
        return payment_events.anomaly(event, proposal, found, log)
    try:
        orders.commit_change(received(proposal, agg, confirmation, now),
                             deposit_store.event_processed(proposal, event.id, event.type, now))
    except AlreadyProcessed:
        return payment_events.already(True, log)
    logger.info("balance paid by card", extra=log)
    return Received(Outcome.RECORDED)


def order_paid(proposal: Proposal, metadata: dict[str, str]) -> OrderAggregate | None:
    """The order the checkout's metadata names, if it is the one this proposal opened (None: not found)."""
    agg = order_of(proposal)
    return agg if agg is not None and agg.order.id == metadata.get("order_id") else None


def payment_id(session_id: str) -> str:
    """One checkout, one payment: the id says which checkout paid it, so a second event for it finds it."""
    return f"card-{session_id}"


def recorded(agg: OrderAggregate, confirmation: Confirmation) -> bool:
    return any(p.id == payment_id(confirmation.session_id) for p in agg.payments)


def anomaly_of(order: Order, confirmation: Confirmation, metadata: dict[str, str]) -> AnomalyReason | None:
    """Why a confirmed balance payment cannot be recorded on the order (None: it fits). It fits when it is
    in euros, the order still takes money, and it is what the checkout asked, no more than is left."""
    if confirmation.currency.lower() != rules.CURRENCY:
        return AnomalyReason.CURRENCY_MISMATCH
    if order.status in CLOSED:
        return AnomalyReason.ORDER_CLOSED
    asked = metadata.get("amount_cents")
    if confirmation.amount_cents > order.left_to_pay_cents or asked != str(confirmation.amount_cents):
        return AnomalyReason.BALANCE_MISMATCH
    return None


def received(proposal: Proposal, agg: OrderAggregate, confirmation: Confirmation, at: datetime) -> orders.Change:
    """The orders' own writes of a payment received (its events, funds received, the proposal's chain), with
    the customer's receipt and the seller's notice (bell, and email or SMS per preferences)."""
    payment = OrderPayment(id=payment_id(confirmation.session_id), kind="balance", method="card",
                           amount_cents=confirmation.amount_cents, received_at=at, recorded_by=CUSTOMER)
    change = orders.payment_received_writes(agg, payment, at)
    messages = [receipt(proposal, change.order, payment, confirmation.payment_reference),
                notifications.balance_notice(proposal, change.order.id, at)]
    return orders.Change(change.order, [*change.writes, *(outbox_store.new(m) for m in messages)])


def receipt(proposal: Proposal, order: Order, payment: OrderPayment, payment_reference: str) -> OutboxMessage:
    """The customer's receipt of the balance paid by card, as the acompte's (`order`: as the payment left it)."""
    left = order.left_to_pay_cents
    letter = letters.write(
        "balance_receipt", f"Paiement reçu – commande {proposal.reference}",
        amount=format_euros(payment.amount_cents), reference=proposal.reference, dealer=proposal.dealer.name,
        paid_at=local_time.format_moment(payment.received_at), payment_reference=payment_reference,
        seller=proposal.seller.display_name,
        left=f"Il reste {format_euros(left)} à régler." if left else "Votre commande est entièrement réglée.",
    )
    return OutboxMessage(
        dealer_id=proposal.dealer_id, channel=Channel.EMAIL, to=customer_address(proposal),
        reply_to=str(proposal.seller.email), purpose="balance_receipt", created_at=payment.received_at,
        **letter.parts(),
    )
