"""Cancelling an order: seed 001's three branches as a guided flow (domain/orders/cancellation.py).

`request` records the cancellation (or the withdrawal) and tells the managers; an order already
organised also tells back office to stop the works, and the inspector and the delivery partner not
to come. After funds received, `give_iban` and two identity documents (kind `refund_identity`)
come before `approve`; the refund is due within 14 days (L221-24) and the order waits in the due
index to warn the managers before that day. `approve` (a manager) cancels the order and puts its
stock vehicle back on sale in the same transaction, then issues the credit note of the refunded acompte.
"""

from chalicelib.domain import clock, local_time, withdrawal_dates
from chalicelib.domain.dealers import Role, Staff
from chalicelib.domain.errors import Forbidden, InvalidInput, InvalidTransition
from chalicelib.domain.iban import check_iban, masked
from chalicelib.domain.money import format_euros
from chalicelib.domain.orders.cancellation import (
    CancellationBranch, Cancellation, CancellationReason, CannotApprove, branch_of, refund_due_on,
)
from chalicelib.domain.orders.commands import CancellationRequest, RefundIban
from chalicelib.domain.orders.documents import DocumentKind, DocumentStatus
from chalicelib.domain.orders.events import OrderEventKind
from chalicelib.domain.orders.model import Order, OrderStatus
from chalicelib.domain.orders.views import OrderView
from chalicelib.domain.invoices import Invoice
from chalicelib.observability import logger, metrics
from chalicelib.services import invoices, order_notices, vehicles
from chalicelib.services.orders import Change, change_of, commit_and_view, commit_change, order_event, view
from chalicelib.store import orders as store
from chalicelib.store import outbox as outbox_store
from chalicelib.store.unit_of_work import UnitOfWork

WITHDRAWAL_DAYS = 14  # art. L221-18 du Code de la consommation, from the handover
MANAGERS = (Role.MANAGER, Role.ADMIN)


def request(dealer_id: str, order_id: str, command: CancellationRequest, by: Staff) -> OrderView:
    return commit_and_view(dealer_id, request_writes(dealer_id, order_id, command, by.user_id))


def request_writes(dealer_id: str, order_id: str, command: CancellationRequest, by: str) -> Change:
    """`by`: a staff member's user id, or "customer" for a withdrawal from the portal (services/withdrawal.py)."""
    agg, now = store.aggregate(dealer_id, order_id), clock.now()
    before = agg.order
    if before.status in (OrderStatus.HANDED_OVER, OrderStatus.SOLD):
        if command.reason != CancellationReason.WITHDRAWAL:
            raise InvalidTransition("Le véhicule est remis : seule une rétractation dans les 14 jours reste possible.")
        # To the end of the period's last day, moved past a weekend or public holiday (art. L221-19).
        if before.handed_over_at and local_time.paris_date(now) > withdrawal_dates.ends_on(
                local_time.paris_date(before.handed_over_at), WITHDRAWAL_DAYS):
            raise InvalidTransition("Le délai de rétractation de 14 jours après la remise est passé (art. L221-18).")
    funds = before.funds_received_at is not None or before.received_cents > before.deposit_paid_cents
    branch = branch_of(funds)
    organised = before.status == OrderStatus.ORGANISED
    cancellation = Cancellation(
        reason=command.reason, branch=branch, organised=organised, note=command.note,
        refund_cents=before.received_cents, requested_at=now, requested_by=by,
        refund_due_on=(refund_due_on(local_time.paris_date(now)) if branch == CancellationBranch.AFTER_FUNDS
                       else None))
    order = before.moved_to(OrderStatus.CANCELLING, now, cancellation=cancellation)
    what = "Rétractation" if command.reason == CancellationReason.WITHDRAWAL else "Annulation"
    due_on = cancellation.refund_due_on
    todo = ("Le client n'a réglé que les frais de réservation : validez le remboursement pour annuler la commande."
            if due_on is None else
            f"Des fonds ont été reçus : le commercial recueille deux pièces d'identité recto/verso et le RIB du "
            f"client, puis vous validez le remboursement, dû au plus tard le "
            f"{local_time.format_day(due_on)} (art. L221-24 du Code de la consommation).")
    messages, told = order_notices.tell(
        order, order_notices.assignees(order, Role.MANAGER),
        f"{what} de commande à valider : {order_notices.describe(order)}",
        f"{what} demandée pour la commande de {order_notices.describe(order)}. Montant à rembourser : "
        f"{format_euros(cancellation.refund_cents)}.\n{todo}", "order_cancellation", now)
    if organised:
        stop = f"La commande de {order_notices.describe(order)} est annulée"
        bo, told_bo = order_notices.tell(order, order_notices.assignees(order, Role.BACK_OFFICE),
                                         f"Commande annulée : stoppez les travaux ({order_notices.describe(order)})",
                                         f"{stop} : arrêtez la demande de travaux (CT, révision, nettoyage).",
                                         "order_cancellation", now)
        delivery = order.delivery
        messages += bo
        messages += order_notices.tell_third_party(
            order, delivery.inspector if delivery else None, "Rendez-vous de cession annulé",
            f"{stop} : le rendez-vous de cession du {local_time.format_day(order.handover_on)} n'aura pas lieu, "
            "inutile de vous déplacer.", "order_cancellation", now)
        messages += order_notices.tell_third_party(
            order, delivery.partner if delivery else None, "Livraison annulée",
            f"{stop} : annulez la livraison prévue le {local_time.format_day(order.handover_on)}.",
            "order_cancellation", now)
        told = f"{told} ; {told_bo}"
    event = order_event(order, OrderEventKind.CANCELLATION_REQUESTED, by, now, reason=command.reason.value,
                        branch=branch.value, organised=organised, refund_cents=cancellation.refund_cents,
                        refund_due_on=cancellation.refund_due_on.isoformat() if cancellation.refund_due_on else None,
                        told=told)
    return change_of(agg, order, now, [store.event_added(order, event), *(outbox_store.new(m) for m in messages)])


def give_iban(dealer_id: str, order_id: str, command: RefundIban, by: Staff) -> OrderView:
    agg, now = store.aggregate(dealer_id, order_id), clock.now()
    order = agg.order
    cancellation = _cancelling(order)
    if cancellation.branch != CancellationBranch.AFTER_FUNDS:
        raise InvalidInput("Seuls les frais de réservation ont été reçus : aucun RIB n'est demandé.",
                           {"iban": "not needed"})
    iban = check_iban(command.iban)
    given = cancellation.model_copy(update={"iban": iban, "iban_masked": masked(iban)})
    order = order.changed(now, cancellation=given)
    missing = given.missing_for_approval(_identity_documents(agg))
    still = (f"Il manque encore : {' ; '.join(missing)}." if missing
             else "Le dossier est complet : validez le remboursement.")
    messages, told = order_notices.tell(
        order, order_notices.assignees(order, Role.MANAGER), f"RIB reçu pour le remboursement : "
        f"{order_notices.describe(order)}", f"Le RIB du client ({masked(iban)}) est enregistré. {still}",
        "order_cancellation", now)
    event = order_event(order, OrderEventKind.REFUND_IBAN_GIVEN, by.user_id, now, iban=masked(iban), told=told)
    writes = [store.event_added(order, event), *(outbox_store.new(m) for m in messages)]
    return commit_and_view(dealer_id, change_of(agg, order, now, writes))


def approve(dealer_id: str, order_id: str, by: Staff) -> OrderView:
    change = approve_writes(dealer_id, order_id, by)
    order = change.order
    stock = UnitOfWork()
    # A car already sold stays sold: taking back a withdrawn car is the stock's own entry.
    if order.vehicle.vehicle_id is not None and order.sold_at is None:
        vehicles.release(stock, dealer_id, order.vehicle.vehicle_id, order.updated_at)
    commit_change(change, stock.writes)
    try:
        credit_refunded_deposit(order)
    except Exception:  # the refund is approved: log it for the office to issue the credit note again
        logger.exception("credit note not issued after the refund approval",
                         extra={"dealer_id": dealer_id, "order_id": order_id})
        metrics.add_metric(name="RefundCreditNoteFailed", unit="Count", value=1)
    return view(dealer_id, order_id)


def credit_refunded_deposit(order: Order) -> Invoice | None:
    """The credit note of the refund (once per order: the order is the refund's source). Before the handover,
    of the acompte invoiced when the customer paid it by card; after it (a withdrawal, the vehicle returned),
    of the final invoice, whole: it billed the sale and deducted the acompte. None when nothing was invoiced
    or nothing of it is refunded."""
    cancellation = order.cancellation
    if cancellation is None or cancellation.approved_at is None:
        return None
    reason = ("Rétractation du client (art. L221-18 du Code de la consommation)"
              if cancellation.reason == CancellationReason.WITHDRAWAL else "Annulation de la commande")
    if order.handed_over_at is not None:
        return invoices.handover_refunded(order.dealer_id, order.id, order.id, None, reason)
    amount = min(order.deposit_paid_cents, cancellation.refund_cents)
    if order.proposal_id is None or amount <= 0:
        return None
    return invoices.refunded(order.dealer_id, order.proposal_id, order.id, amount, reason)


def approve_writes(dealer_id: str, order_id: str, by: Staff) -> Change:
    """The manager approves the refund: the order is cancelled (the stock vehicle's release joins here)."""
    if by.role not in MANAGERS:
        raise Forbidden("Seul un manager valide un remboursement.")
    agg, now = store.aggregate(dealer_id, order_id), clock.now()
    cancellation = _cancelling(agg.order)
    missing = cancellation.missing_for_approval(_identity_documents(agg))
    if missing:
        raise CannotApprove(missing)
    order = agg.order.moved_to(OrderStatus.CANCELLED, now, cancellation=cancellation.model_copy(
        update={"approved_at": now, "approved_by": by.user_id}))
    messages, told = order_notices.tell(
        order, [order.seller_id], f"Commande annulée : {order_notices.describe(order)}",
        f"Le remboursement de {format_euros(cancellation.refund_cents)} est validé : la commande de "
        f"{order_notices.describe(order)} est annulée.", "order_cancelled", now)
    event = order_event(order, OrderEventKind.CANCELLED, by.user_id, now, refund_cents=cancellation.refund_cents,
                        told=told)
    return change_of(agg, order, now, [store.event_added(order, event), *(outbox_store.new(m) for m in messages)])


def _identity_documents(agg: store.OrderAggregate) -> int:
    """Identity documents received for the refund and not rejected."""
    return sum(1 for d in agg.documents if d.kind == DocumentKind.REFUND_IDENTITY
               and d.status in (DocumentStatus.TO_REVIEW, DocumentStatus.ACCEPTED))


def _cancelling(order: Order) -> Cancellation:
    if order.status != OrderStatus.CANCELLING or order.cancellation is None:
        raise InvalidTransition("Aucune annulation en cours pour cette commande.")
    return order.cancellation
