"""The customer's reminders of an order (a remote sale's buyer, by email and SMS): what and when.

Seed 001 asks the customer's documents at D-5 and checks them at D-3, and the funds 48 hours before
the appointment ("si pas de fond pas de rdv"). So the customer is reminded of the documents still
missing at D-5 and D-3, of the funds the day before their deadline, and of the appointment (or the
delivery) the day before it; each at 09:00 Paris, each once. Read from the order as it stands when
the reminder is due: a reminder with nothing to say (documents all accepted, funds in) is skipped.
When the handover day moves, the reminders are planned again at once from the new day (`replanned`):
one whose day is already past is never sent (it would speak of a step gone by), the others wait for
the first of them (at once when its time today has passed).
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from chalicelib.domain.orders.model import Order, OrderStatus, paris_moment
from chalicelib.domain.local_time import paris_date

AT = time(9, 0)
FUNDS_AHEAD = timedelta(hours=48)


class CustomerReminder(StrEnum):
    DOCUMENTS_D5 = "documents_d5"
    DOCUMENTS_D3 = "documents_d3"
    FUNDS = "funds"
    APPOINTMENT = "appointment"


@dataclass(frozen=True)
class Planned:
    reminder: CustomerReminder
    at: datetime


def funds_deadline(order: Order) -> datetime:
    return order.handover_at - FUNDS_AHEAD


def plan(order: Order) -> list[Planned]:
    """Every reminder of the order, by time (from its handover day as it stands)."""
    day = order.handover_on
    deadline_day = paris_date(funds_deadline(order))
    return sorted([
        Planned(CustomerReminder.DOCUMENTS_D5, paris_moment(day - timedelta(days=5), AT)),
        Planned(CustomerReminder.DOCUMENTS_D3, paris_moment(day - timedelta(days=3), AT)),
        Planned(CustomerReminder.FUNDS, paris_moment(deadline_day - timedelta(days=1), AT)),
        Planned(CustomerReminder.APPOINTMENT, paris_moment(day - timedelta(days=1), AT)),
    ], key=lambda p: p.at)


def due_now(order: Order, sent: set[str], now: datetime) -> tuple[list[CustomerReminder], datetime | None]:
    """The reminders due now and not sent yet (none once the order is handed over, closed, or the handover
    past), and when the next one is due (None: nothing left)."""
    if order.status not in (OrderStatus.RESERVED, OrderStatus.ORGANISED) or now >= order.handover_at:
        return [], None
    waiting = [p for p in plan(order) if p.reminder.value not in sent]
    due = [p.reminder for p in waiting if p.at <= now]
    later = [p.at for p in waiting if p.at > now]
    return due, min(later) if later else None


@dataclass(frozen=True)
class Replanned:
    skipped: list[CustomerReminder]
    """Not sent yet and planned on a day already past (Paris): never sent."""
    next_at: datetime | None
    """When the first of the others is due (None: nothing left to wait for)."""


def replanned(order: Order, sent: set[str], now: datetime) -> Replanned:
    """The reminders not sent yet, planned again from the order's handover day as it now stands (one skipped
    for the day before is planned again: the new day may leave it time)."""
    today = paris_date(now)
    waiting = [p for p in plan(order) if p.reminder.value not in sent]
    left = [p.at for p in waiting if paris_date(p.at) >= today]
    return Replanned(skipped=[p.reminder for p in waiting if paris_date(p.at) < today],
                     next_at=min(left) if left and now < order.handover_at else None)


def funds_missing(order: Order) -> bool:
    return order.funds_received_at is None and order.received_cents < order.customer_pays_cents
