"""What an order adds to its proposal's evidence chain (SPEC F): the money received for it.

A remote sale's order stays tied to the signed proposal: a payment recorded on the order is appended
to the proposal's chain (and its head moved) in the payment's own transaction, so the chain tells the
whole sale. A showroom order has no proposal, hence no chain.
"""
from datetime import datetime

from chalicelib.domain import evidence
from chalicelib.domain.orders.model import Order, OrderPayment
from chalicelib.services.visit import Record, Visitor
from chalicelib.store import portal as portal_store
from chalicelib.store.unit_of_work import Write


def payment_writes(order: Order, payment: OrderPayment, at: datetime, visitor: Visitor | None = None) -> list[Write]:
    """The evidence event of a payment and the chain's new head (nothing for an order without a proposal).
    `visitor`: the customer's request, when the customer paid from the portal; staff record without one."""
    if order.proposal_id is None:
        return []
    aggregate = portal_store.read(order.dealer_id, order.proposal_id)
    if aggregate is None:
        return []
    record = Record(aggregate, visitor or Visitor.of(None, None), at)
    record.proof(evidence.EventKind.PAYMENT, {
        "order_id": order.id, "payment_id": payment.id, "payment_kind": payment.kind, "method": payment.method,
        "amount_cents": payment.amount_cents, "recorded_by": payment.recorded_by})
    return record.saved(allowed=(aggregate.proposal.status,))
