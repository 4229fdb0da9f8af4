"""The order's history: one event per step, in time order (ULIDs)."""
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from chalicelib.domain.model import Entity


class OrderEventKind(StrEnum):
    OPENED = "opened"
    HANDOVER_DATE_SET = "handover_date_set"
    PAYMENT_PLAN_SET = "payment_plan_set"
    HOLDER_SET = "holder_set"
    DELIVERY_SET = "delivery_set"
    PAYMENT_RECORDED = "payment_recorded"
    FUNDS_RECEIVED = "funds_received"
    TRANSFER_ORDER_CONFIRMED = "transfer_order_confirmed"
    CREDIT_APPROVED = "credit_approved"
    MILESTONE_DONE = "milestone_done"
    MILESTONE_DUE = "milestone_due"
    DOCUMENT_REQUESTED = "document_requested"
    DOCUMENT_RECEIVED = "document_received"
    DOCUMENT_ACCEPTED = "document_accepted"
    DOCUMENT_REJECTED = "document_rejected"
    ORGANISED = "organised"
    HANDED_OVER = "handed_over"
    SOLD = "sold"
    CANCELLATION_REQUESTED = "cancellation_requested"
    PRODUCTS_WITHDRAWN = "products_withdrawn"  # the customer withdrew from a service contract, an insurance...
    REFUND_IBAN_GIVEN = "refund_iban_given"
    REFUND_DUE_SOON = "refund_due_soon"
    CANCELLED = "cancelled"
    # The seller's tasks on the order (domain/record_work.WorkEventKind)
    TASK_CREATED = "task_created"
    TASK_COMPLETED = "task_completed"
    CUSTOMER_REMINDED = "customer_reminded"  # documents, funds or appointment (services/order_reminders)


class OrderEvent(Entity):
    id: str
    order_id: str
    kind: OrderEventKind
    at: datetime
    by: str = Field(description="a user id, or 'system'")
    details: dict[str, Any] = {}
