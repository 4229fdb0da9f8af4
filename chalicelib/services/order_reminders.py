"""The customer's order reminders (handler `order_customer` of the order-milestones schedule).

A remote sale's order writes one reminders item when it opens (services/orders.opened_by_acceptance),
waiting in the due index for its first reminder. When due, the handler reads the order as it stands
(domain/orders/reminders.py), sends what is due and still has something to say, by email (with a fresh
link to the order page) and by SMS when a mobile is known, records what was sent on the item and waits for
the next one, or leaves the index: one transaction on the sweep's claim, so each reminder goes once.
An address that bounced for good or complained gets no email (issue 17); the SMS still goes.
A new handover day plans them again at once (services/orders.set_handover_writes, `reminders.replanned`):
the item waits for the first reminder of the new plan, and those of a day already past are `skipped`.
"""
from datetime import datetime

from chalicelib.domain import clock, local_time
from chalicelib.domain.email_events import AddressSuppressed
from chalicelib.domain.errors import NotFound
from chalicelib.domain.money import format_euros
from chalicelib.domain.orders import reminders
from chalicelib.domain.orders.documents import LABELS, DocumentStatus
from chalicelib.domain.orders.events import OrderEventKind
from chalicelib.domain.orders.model import DeliveryMode, Order
from chalicelib.domain.orders.reminders import CustomerReminder
from chalicelib.domain.outbox import Channel, OutboxMessage
from chalicelib.services import due_work, email_events
from chalicelib.services.customer_contact import issue_link
from chalicelib.services.order_portal import customer_documents
from chalicelib.services.orders import order_event
from chalicelib.store import dealers as dealer_store
from chalicelib.store import due
from chalicelib.store import orders as store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import proposals as proposal_store
from chalicelib.store.orders import OrderAggregate
from chalicelib.store.unit_of_work import UnitOfWork

SYSTEM = "system"
PURPOSE = "order_customer_reminder"


@due_work.on_milestone(store.CUSTOMER_REMINDERS_NAME)
def remind_customer(claimed: due.Claimed) -> None:
    now = clock.now()
    try:
        agg = store.aggregate(claimed.item["dealer_id"], claimed.item["order_id"])
    except NotFound:
        UnitOfWork([due.dropped(claimed)]).commit()
        return
    order = agg.order
    sent = list(claimed.item.get("sent") or [])
    skipped = set(claimed.item.get("skipped") or [])  # planned on a day already past when the day moved
    due_now, next_at = reminders.due_now(order, set(sent) | skipped, now)
    texts = [(r, _text(r, agg)) for r in due_now]
    said = [(r, text) for r, text in texts if text is not None]
    done = UnitOfWork([store.reminders_sent(claimed, sent + [r.value for r in due_now], next_at)])
    if said and (order.customer.email or order.customer.mobile) and order.proposal_id:
        proposal = proposal_store.get(order.dealer_id, order.proposal_id)
        link = issue_link(dealer_store.get(order.dealer_id), proposal, order.customer.email or "", now,
                          purpose="order_reminder")
        messages = _messages(order, said, f"{link.url}/commande", now)
        event = order_event(order, OrderEventKind.CUSTOMER_REMINDED, SYSTEM, now,
                            reminders=",".join(r.value for r, _ in said),
                            channels=",".join(sorted({m.channel.value for m in messages})))
        done.add(link.write, store.event_added(order, event), [outbox_store.new(m) for m in messages])
    done.commit()


def _text(reminder: CustomerReminder, agg: OrderAggregate) -> str | None:
    """What the reminder says, or None when it has nothing to say (documents in, funds received)."""
    order = agg.order
    if reminder in (CustomerReminder.DOCUMENTS_D5, CustomerReminder.DOCUMENTS_D3):
        accepted = {d.kind for d in agg.documents if d.status == DocumentStatus.ACCEPTED}
        missing = [LABELS[k] for k in customer_documents(order) if k not in accepted]
        if not missing:
            return None
        return (f"Pour votre rendez-vous du {_when(order.handover_at)}, il nous manque encore : "
                f"{', '.join(missing)}. Envoyez-les depuis votre espace commande.")
    if reminder == CustomerReminder.FUNDS:
        if not reminders.funds_missing(order):
            return None
        left = max(order.customer_pays_cents - order.received_cents, 0)
        return (f"Le solde de {format_euros(left)} doit être reçu au plus tard le "
                f"{_when(reminders.funds_deadline(order))}, 48 heures avant le rendez-vous ; sans les fonds, "
                "le rendez-vous est reporté.")
    home = order.delivery is not None and order.delivery.mode == DeliveryMode.HOME
    what = "Votre livraison est prévue" if home else "Votre rendez-vous de remise du véhicule est"
    return f"{what} demain, le {_when(order.handover_at)}."


def _when(moment: datetime) -> str:
    return local_time.format_moment(moment)


def _messages(order: Order, said: list[tuple[CustomerReminder, str]], url: str, at: datetime) -> list[OutboxMessage]:
    vehicle = f"{order.vehicle.make} {order.vehicle.model}"
    body = "\n\n".join(text for _, text in said)
    messages = []
    if order.customer.email and _sendable(order.dealer_id, order.customer.email):
        messages.append(OutboxMessage(
            dealer_id=order.dealer_id, channel=Channel.EMAIL, to=order.customer.email,
            subject=f"Votre commande {vehicle} : rappel", purpose=PURPOSE, created_at=at,
            text=f"Bonjour,\n\n{body}\n\nVotre commande :\n{url}\n"))
    if order.customer.mobile:
        messages.append(OutboxMessage(dealer_id=order.dealer_id, channel=Channel.SMS, to=order.customer.mobile,
                                      text=f"{body} {url}", purpose=PURPOSE, created_at=at))
    return messages


def _sendable(dealer_id: str, address: str) -> bool:
    try:
        email_events.check_sendable(dealer_id, address)
    except AddressSuppressed:
        return False
    return True
