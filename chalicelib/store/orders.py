"""Orders: the order item and its parts (milestones, documents, payments, history), the dealer's
milestone template, and the order list. Functions return writes; use cases commit them together.

Each milestone not done waits in the due index (kind `milestone`, name `order`) until its assignee
is told; moving the handover day rewrites its due time in the same transaction.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.model import Entity
from chalicelib.domain.leads.activity import LinkedOrder
from chalicelib.domain.errors import AlreadyExists, InvalidTransition, NotFound, StaleVersion
from chalicelib.domain.orders.documents import DocumentStatus, OrderDocument
from chalicelib.domain.orders.events import OrderEvent
from chalicelib.domain.orders.milestones import default_template, DUE_TIME, Milestone, OrderTemplate
from chalicelib.domain.orders.model import Order, OrderStatus, OrderPayment, paris_moment
from chalicelib.services.due_work import MILESTONE
from chalicelib.store import due, keys, leads, paging
from chalicelib.store.table import (
    Condition, Put, Update, Write, if_absent, if_attribute_equals, if_status, if_version, table,
)

# The names their handlers are registered under (services/order_milestones.py).
MILESTONE_NAME = "order"
REFUND_NAME = "order_refund"
CUSTOMER_REMINDERS_NAME = "order_customer"


@dataclass(frozen=True)
class OrderAggregate:
    order: Order
    milestones: list[Milestone]
    documents: list[OrderDocument]
    payments: list[OrderPayment]
    events: list[OrderEvent]

    def milestone(self, code: str) -> Milestone:
        found = next((m for m in self.milestones if m.code == code), None)
        if found is None:
            raise NotFound("Étape introuvable.")
        return found

    def document(self, document_id: str) -> OrderDocument:
        found = next((d for d in self.documents if d.id == document_id), None)
        if found is None:
            raise NotFound("Document introuvable.")
        return found


_PART_MODELS: dict[str, type[Entity]] = {
    "milestone": Milestone, "document": OrderDocument, "payment": OrderPayment, "event": OrderEvent}


def aggregate(dealer_id: str, order_id: str) -> OrderAggregate:
    """The order page's data: one Query on the order's prefix."""
    partition, prefix = keys.order_aggregate(dealer_id, order_id)
    items = table.query_all(partition, prefix)
    parts: dict[str, list] = {part: [] for part in _PART_MODELS}
    order = None
    for item in items:
        kind = keys.order_part_kind(item[keys.SK])
        if kind is None:
            order = Order.model_validate(item)
        else:
            parts[kind].append(_PART_MODELS[kind].model_validate(item))
    if order is None:
        raise NotFound("Commande introuvable.")
    return OrderAggregate(order, parts["milestone"], parts["document"], parts["payment"], parts["event"])


def get(dealer_id: str, order_id: str) -> Order:
    item = table.get(keys.order(dealer_id, order_id))
    if item is None:
        raise NotFound("Commande introuvable.")
    return Order.model_validate(item)


def opened_from(dealer_id: str, source: str, source_id: str) -> str | None:
    """The id of the order a quote or a proposal opened, if any."""
    item = table.get(keys.order_origin(dealer_id, source, source_id))
    return item["order_id"] if item else None


# --- writes ------------------------------------------------------------------------------

def opened(order: Order, milestones: list[Milestone], event: OrderEvent, source_id: str) -> list[Write]:
    """A new order, its milestones (each waiting to be due), its first event; once per quote or proposal."""
    return [
        Put(keys.order_origin(order.dealer_id, order.source.value, source_id),
            {"order_id": order.id}, if_absent(),
            AlreadyExists("Une commande est déjà ouverte pour ce document.")),
        Put(keys.order(order.dealer_id, order.id), _order_item(order), if_absent()),
        *(milestone_put(order, m) for m in milestones),
        event_added(order, event),
        *leads.linked(order.dealer_id, order.lead_id, LinkedOrder(id=order.id, created_at=order.reserved_at)),
    ]


def customer_reminders(order: Order, first_at: datetime) -> Put:
    """The customer's reminders item, waiting in the due index for the first one (once per order)."""
    key = keys.order_customer_reminders(order.dealer_id, order.id)
    return Put(key, {"dealer_id": order.dealer_id, "order_id": order.id, "sent": [],
                     "milestone": CUSTOMER_REMINDERS_NAME, **keys.due_attributes(MILESTONE, key, first_at)},
               if_absent())


def customer_reminders_sent(dealer_id: str, order_id: str) -> set[str] | None:
    """The customer's reminders sent for this order (None: it has no reminders item, not a remote sale's)."""
    item = table.get(keys.order_customer_reminders(dealer_id, order_id))
    return None if item is None else set(item.get("sent") or [])


def reminders_replanned(order: Order, skipped: list[str], next_at: datetime | None) -> Update:
    """The customer's reminders planned again from a new handover day: those `skipped` never go, the item
    waits for the next one (a sweep holding it loses its claim) or leaves the index."""
    key = keys.order_customer_reminders(order.dealer_id, order.id)
    if next_at is None:
        return Update(key, set={"skipped": skipped}, remove=keys.DUE_ATTRIBUTES)
    return Update(key, set={"skipped": skipped, **keys.due_attributes(MILESTONE, key, next_at)},
                  remove=("due_claim",))


def reminders_sent(claimed: due.Claimed, sent: list[str], next_at: datetime | None) -> Update:
    """What was sent, on the sweep's claim; waits for the next reminder or leaves the index."""
    if next_at is None:
        return due.finished(claimed, sent=sent)
    return due.postponed(claimed, MILESTONE, next_at, sent=sent)


def saved(order: Order) -> Put:
    """The order as changed, on condition nobody changed it since it was read."""
    return Put(keys.order(order.dealer_id, order.id), _order_item(order), if_version(order.version - 1),
               StaleVersion("Cette commande"))


def milestone_put(order: Order, milestone: Milestone) -> Put:
    key = _milestone_key(order, milestone)
    return Put(key, _milestone_item(order, milestone, key))


def milestone_rearmed(order: Order, milestone: Milestone) -> Update:
    """A milestone with a new due time, waiting again to be told (a sweep holding it loses its claim)."""
    key = _milestone_key(order, milestone)
    return Update(key, set={"due_by": milestone.model_dump(mode="json")["due_by"], **_due(order, milestone, key)},
                  remove=("due_claim", "told_at"))


def milestone_done(order: Order, milestone: Milestone, at: datetime, by: str) -> Update:
    """Checked once: it leaves the due index."""
    return Update(_milestone_key(order, milestone),
                  set={"done_at": keys.iso(at), "done_by": by},
                  remove=keys.DUE_ATTRIBUTES,
                  condition=Condition("attribute_not_exists(#done)", {"#done": "done_at"}),
                  error=InvalidTransition("Cette étape est déjà faite."))


def milestone_told(claimed: due.Claimed, at: datetime) -> Update:
    return due.finished(claimed, told_at=keys.iso(at))


def refund_warned(claimed: due.Claimed, order: Order, at: datetime) -> Update:
    """The order leaves the due index once its managers were warned: a new version of the order, on the
    version read and the sweep's claim (a save from an older read then fails instead of warning twice)."""
    assert order.cancellation is not None, "only a cancelling order waits for its refund warning"
    cancellation = order.cancellation.model_copy(update={"warned_at": at})
    return due.holding(claimed, Update(
        keys.order(order.dealer_id, order.id), set={"cancellation": cancellation.model_dump(mode="json")},
        remove=keys.DUE_ATTRIBUTES, add={"version": 1}, condition=if_version(order.version)))


def document_added(order: Order, document: OrderDocument) -> Put:
    return Put(keys.order_part(order.dealer_id, order.id, "document", document.id),
               _part_item(order, document), if_absent())


def document_changed(order: Order, document: OrderDocument, was: DocumentStatus) -> Put:
    return Put(keys.order_part(order.dealer_id, order.id, "document", document.id),
               _part_item(order, document), if_status(was.value),
               InvalidTransition("Ce document a changé entre-temps : rechargez la commande."))


def payment_added(order: Order, payment: OrderPayment) -> Put:
    return Put(keys.order_part(order.dealer_id, order.id, "payment", payment.id), _part_item(order, payment),
               if_absent())


def event_added(order: Order, event: OrderEvent) -> Put:
    return Put(keys.order_part(order.dealer_id, order.id, "event", event.id), _part_item(order, event),
               if_absent())


# --- the dealer's template ---------------------------------------------------------------

def template(dealer_id: str) -> OrderTemplate:
    item = table.get(keys.order_template(dealer_id))
    return OrderTemplate.model_validate(item, strict=False) if item else default_template()


def template_saved(dealer_id: str, template_: OrderTemplate) -> Put:
    """The new template (version + 1), if the one read is still the current one."""
    key = keys.order_template(dealer_id)
    condition = if_absent() if template_.version == 1 else if_version(template_.version - 1)
    return Put(key, template_.model_dump(mode="json"), condition, StaleVersion("Le modèle d'étapes"))


# --- the list ------------------------------------------------------------------------------

def page(dealer_id: str, status: str | None, limit: int, cursor: str | None) -> tuple[list[Order], str | None]:
    """The listing index: open orders by next action (overdue first), then closed ones. A status filter
    that leaves the page short reads once more, never more than twice a page."""
    partition = keys.orders_list(dealer_id)
    after = paging.decode(cursor, {keys.LIST_PK: partition}, keys.ORDER_PREFIX, extra=(keys.LIST_SK,))
    condition = if_attribute_equals("status", status) if status else None
    found: list[dict[str, Any]] = []
    for _ in range(2 if condition else 1):
        items, after = table.query(partition, index=keys.LIST_INDEX, partition_attribute=keys.LIST_PK,
                                   sort_attribute=keys.LIST_SK, limit=limit - len(found), start_after=after,
                                   filter=condition)
        found += items
        if not after or len(found) >= limit:
            break
    return [Order.model_validate(i) for i in found], paging.encode(after)


# --- items ---------------------------------------------------------------------------------

def _order_item(order: Order) -> dict[str, Any]:
    sort_time = order.next_action.due_by if order.is_open and order.next_action else order.handover_at
    item = {**order.model_dump(mode="json"), **keys.order_listing(order.dealer_id, order.is_open, sort_time, order.id)}
    warning = order.cancellation.warning_at() if order.status == OrderStatus.CANCELLING and order.cancellation else None
    if warning is not None:
        # The refund due within 14 days (L221-24) warns the managers before its day.
        key = keys.order(order.dealer_id, order.id)
        item |= {**keys.due_attributes(MILESTONE, key, paris_moment(warning, DUE_TIME)), "milestone": REFUND_NAME}
    return item


def _milestone_key(order: Order, milestone: Milestone) -> keys.Key:
    return keys.order_part(order.dealer_id, order.id, "milestone", milestone.code)


def _due(order: Order, milestone: Milestone, key: keys.Key) -> dict[str, Any]:
    return {**keys.due_attributes(MILESTONE, key, milestone.due_by), "milestone": MILESTONE_NAME,
            "dealer_id": order.dealer_id, "order_id": order.id}


def _milestone_item(order: Order, milestone: Milestone, key: keys.Key) -> dict[str, Any]:
    item = {**milestone.model_dump(mode="json"), "dealer_id": order.dealer_id, "order_id": order.id}
    if not milestone.done and milestone.told_at is None:
        item |= _due(order, milestone, key)
    return item


def _part_item(order: Order, part) -> dict[str, Any]:
    return {**part.model_dump(mode="json"), "dealer_id": order.dealer_id, "order_id": order.id}
