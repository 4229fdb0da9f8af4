"""What the order page and the order list show."""
from datetime import date, datetime

from pydantic import Field

from chalicelib.domain.model import Entity
from chalicelib.domain.orders.documents import DocumentKind, OrderDocument
from chalicelib.domain.orders.events import OrderEvent
from chalicelib.domain.orders.milestones import Milestone
from chalicelib.domain.orders.model import NextAction, Order, OrderStatus, OrderPayment


class MilestoneView(Milestone):
    applies: bool
    overdue: bool


class Blockers(Entity):
    """What the server would refuse now, and why (the page shows it before anyone clicks)."""
    handover: list[str]
    sold: list[str]


class OrderView(Entity):
    order: Order
    milestones: list[MilestoneView]
    overdue: int
    documents: list[OrderDocument]
    required_documents: list[DocumentKind]
    missing_documents: list[DocumentKind]
    payments: list[OrderPayment]
    history: list[OrderEvent]
    blockers: Blockers


class OrderSummary(Entity):
    id: str
    status: OrderStatus
    customer_name: str
    vehicle: str
    seller_id: str
    handover_on: date
    next_action: NextAction | None = None
    overdue: bool = Field(description="its next action is past due")
    updated_at: datetime


class OrderPage(Entity):
    items: list[OrderSummary]
    next_cursor: str | None = None
