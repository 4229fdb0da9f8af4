"""What the server checks before the handover and before "sold", whoever calls (seed 001, SPEC G.5).

Each function lists what is missing, in the seller's words; an empty list lets the move go on.
The refusal is a 409 naming every missing thing at once.
"""
from datetime import datetime, timedelta

from chalicelib.domain.errors import Conflict
from chalicelib.domain.orders.documents import HANDOVER_DOCUMENTS, LABELS, OrderDocument, missing
from chalicelib.domain.orders.milestones import Milestone, applies
from chalicelib.domain.orders.model import Order, PaymentMethod

FUNDS_AHEAD = timedelta(hours=48)  # "fonds reçus 48 h avant le RDV ou la livraison"


class GuardRefused(Conflict):
    code = "guard_refused"

    def __init__(self, move: str, missing_items: list[str]):
        super().__init__(f"{move} impossible, il manque : " + " ; ".join(missing_items) + ".",
                         {"missing": " ; ".join(missing_items)})
        self.missing = missing_items


def handover_blockers(order: Order, milestones: list[Milestone], now: datetime) -> list[str]:
    blockers = []
    payment = order.payment
    if payment is None:
        blockers.append("le moyen de paiement")
    elif payment.method == PaymentMethod.CREDIT:
        if order.credit_approved_at is None:
            blockers.append("l'accord du crédit sans réserve")
    elif order.funds_received_at is None:
        blockers.append("la réception des fonds (48 h avant la cession)")
    elif order.funds_received_at > order.handover_at - FUNDS_AHEAD:
        blockers.append("des fonds reçus 48 h avant la cession (reçus trop tard : déplacez la cession)")
    blockers += _guard_milestones(order, milestones, "handover", now)
    return blockers


def sold_blockers(order: Order, milestones: list[Milestone], documents: list[OrderDocument],
                  now: datetime) -> list[str]:
    blockers = [f"{LABELS[kind]} (accepté)" for kind in missing(HANDOVER_DOCUMENTS, documents)]
    return blockers + _guard_milestones(order, milestones, "sold", now)


def _guard_milestones(order: Order, milestones: list[Milestone], move: str, now: datetime) -> list[str]:
    return [f"l'étape « {m.label} »" for m in milestones
            if m.guard and not m.done and m.blocks() == move and applies(m, order, now)]


def require(move: str, blockers: list[str]) -> None:
    if blockers:
        raise GuardRefused(move, blockers)
