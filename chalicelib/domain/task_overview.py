"""The task overview (seed 004, "aperçu des tâches"): what a user has to do, by due time, overdue first.

Four sources: the order milestones their role is assigned (a seller: those of their own orders),
the pending contact deadlines of the leads they own, the open tasks of those leads assigned to
them, and their open tasks on quotes, proposals and orders (domain/record_work.py).
A deadline is a target, not a task: it has no page of its own and opens its lead.
"""
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from chalicelib.domain.dealers import Role
from chalicelib.domain.leads.model import Lead, LeadTask
from chalicelib.domain.record_work import RecordKind, RecordRef, RecordTask
from chalicelib.domain.tasks import TaskStatus
from chalicelib.domain.model import Entity
from chalicelib.domain.orders.milestones import Milestone, applies
from chalicelib.domain.orders.model import Order


class TaskKind(StrEnum):
    MILESTONE = "milestone"
    LEAD_DEADLINE = "lead_deadline"
    LEAD_TASK = "lead_task"
    RECORD_TASK = "record_task"  # a task on a quote, a proposal or an order


class TaskItem(Entity):
    kind: TaskKind
    label: str
    due_at: datetime
    overdue: bool
    subject: str = Field(description="who or what it is about: the order's customer, the lead's contact")
    order_id: str | None = None
    lead_id: str | None = None
    record: RecordRef | None = Field(default=None, description="the quote, proposal or order a record task is on")
    code: str | None = Field(default=None, description="the milestone's code, or the task's id")


class TaskOverview(Entity):
    items: list[TaskItem]
    orders_read: int = Field(description="open orders whose milestones were read (the most urgent first)")
    leads_read: int = Field(description="open leads owned by the user whose deadline and tasks were read")
    record_tasks_read: int = Field(default=0, description="open tasks on quotes, proposals and orders read")
    complete: bool = Field(description="false when more orders, leads or tasks exist than were read")


def assigned(milestone: Milestone, order: Order, user_id: str, role: Role) -> bool:
    """The milestone is this user's: their role's, and for a seller only on their own orders."""
    if milestone.role != role:
        return False
    return role != Role.SELLER or order.seller_id == user_id


def milestone_items(order: Order, milestones: list[Milestone], user_id: str, role: Role,
                    now: datetime) -> list[TaskItem]:
    return [TaskItem(kind=TaskKind.MILESTONE, label=m.label, due_at=m.due_by, overdue=m.due_by < now,
                     subject=order.customer.name, order_id=order.id, code=m.code)
            for m in sorted(milestones, key=lambda m: (m.due_by, m.position))
            if not m.done and assigned(m, order, user_id, role) and applies(m, order, now)]


def lead_items(lead: Lead, tasks: list[LeadTask], user_id: str, now: datetime) -> list[TaskItem]:
    subject = lead.contacts[0].name
    items = []
    if lead.deadline is not None and lead.owner.id == user_id:
        items.append(TaskItem(kind=TaskKind.LEAD_DEADLINE, label="Échéance de contact", due_at=lead.deadline.due_at,
                              overdue=lead.deadline.due_at < now, subject=subject, lead_id=lead.id))
    items += [TaskItem(kind=TaskKind.LEAD_TASK, label=t.title, due_at=t.due_at, overdue=t.due_at < now,
                       subject=subject, lead_id=lead.id, code=t.id)
              for t in tasks if t.status == TaskStatus.OPEN and t.assignee.id == user_id]
    return items


def record_items(tasks: list[RecordTask], now: datetime) -> list[TaskItem]:
    """The user's open tasks on quotes, proposals and orders (read from their list: all assigned to them)."""
    return [TaskItem(kind=TaskKind.RECORD_TASK, label=t.title, due_at=t.due_at, overdue=t.overdue(now),
                     subject=t.record.label, record=t.record, code=t.id,
                     order_id=t.record.id if t.record.kind == RecordKind.ORDER else None)
            for t in tasks if t.is_open]


def by_due_time(items: list[TaskItem]) -> list[TaskItem]:
    """Overdue first (the oldest first), then the rest by due time; a stable sort keeps each order's
    milestones of the same time in the to-do list's order."""
    return sorted(items, key=lambda i: (not i.overdue, i.due_at))
