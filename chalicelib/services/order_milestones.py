"""The order-milestones schedule's handlers (plugged into services/due_work by name).

`order`: a milestone item whose time has come. Its assignee (the order's seller, or the users of its
role) is told once, by their channels; the milestone records `told_at`, leaves the due index and the
order's history says who was told: one transaction, on the sweep's claim. A milestone done meanwhile,
one that does not apply to the order (paid another way, delivered another way), or of an order cancelled
or being cancelled, just leaves the index. One whose time moved later (the handover day moved) waits.

`order_refund`: a refund after funds received is due within 14 days (art. L221-24); the order item
waits in the index until REFUND_WARNING_DAYS before, then the managers are warned once.
"""
from chalicelib.domain import clock, local_time
from chalicelib.domain.dealers import Role
from chalicelib.domain.errors import NotFound
from chalicelib.domain.money import format_euros
from chalicelib.domain.orders.events import OrderEventKind
from chalicelib.domain.orders.milestones import STAGE_LABELS, applies
from chalicelib.domain.orders.model import OrderStatus
from chalicelib.services import due_work, order_notices
from chalicelib.services.orders import order_event
from chalicelib.store import due
from chalicelib.store import orders as store
from chalicelib.store import outbox as outbox_store
from chalicelib.store.unit_of_work import commit

SYSTEM = "system"
# A sold order still has its after-sale checks to tell; a cancelled (or cancelling) one has nothing left to do.
CLOSED = (OrderStatus.CANCELLING, OrderStatus.CANCELLED)


@due_work.on_milestone(store.MILESTONE_NAME)
def milestone_due(claimed: due.Claimed) -> None:
    now = clock.now()
    try:
        agg = store.aggregate(claimed.item["dealer_id"], claimed.item["order_id"])
        milestone = agg.milestone(claimed.item["code"])
    except NotFound:
        commit(due.dropped(claimed))
        return
    order = agg.order
    if milestone.done or order.status in CLOSED or not applies(milestone, order, now):
        commit(due.finished(claimed))
        return
    if milestone.due_by > now:
        commit(due.postponed(claimed, due_work.MILESTONE, milestone.due_by))
        return
    when = local_time.format_moment(milestone.due_by)
    messages, told = order_notices.tell(
        order, order_notices.assignees(order, milestone.role),
        f"Étape à faire : {milestone.label} ({order_notices.describe(order)})",
        f"Commande de {order_notices.describe(order)}, cession le {local_time.format_day(order.handover_on)}.\n"
        f"{STAGE_LABELS[milestone.stage]} : « {milestone.label} », à faire pour le {when}.",
        "order_milestone", now)
    event = order_event(order, OrderEventKind.MILESTONE_DUE, SYSTEM, now, milestone=milestone.code,
                        label=milestone.label, told=told)
    commit(store.milestone_told(claimed, now), store.event_added(order, event),
           [outbox_store.new(m) for m in messages])


@due_work.on_milestone(store.REFUND_NAME)
def refund_due_soon(claimed: due.Claimed) -> None:
    now = clock.now()
    try:
        order = store.get(claimed.item["dealer_id"], claimed.item["id"])
    except NotFound:
        commit(due.dropped(claimed))
        return
    cancellation = order.cancellation
    if order.status != OrderStatus.CANCELLING or cancellation is None or cancellation.warning_at() is None \
            or cancellation.refund_due_on is None:
        commit(due.finished(claimed))
        return
    due_on = local_time.format_day(cancellation.refund_due_on)
    messages, told = order_notices.tell(
        order, order_notices.assignees(order, Role.MANAGER),
        f"Remboursement dû le {due_on} : {order_notices.describe(order)}",
        f"Le remboursement de {format_euros(cancellation.refund_cents)} pour la commande de "
        f"{order_notices.describe(order)} doit être fait au plus tard le {due_on} (14 jours, art. L221-24 du Code "
        "de la consommation). Recueillez ce qui manque et validez-le.", "order_refund_due", now)
    event = order_event(order, OrderEventKind.REFUND_DUE_SOON, SYSTEM, now,
                        refund_due_on=cancellation.refund_due_on.isoformat(), told=told)
    commit(store.refund_warned(claimed, order, now), store.event_added(order, event),
           [outbox_store.new(m) for m in messages])
