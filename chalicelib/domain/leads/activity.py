"""What a lead shows of its proposals and orders (SPEC K.1): their events on its timeline, their
status in its lists, and the question a declined or expired proposal asks the seller.

Pure: the store reads the proposals and orders a lead links to, these functions turn them into
what the lead page shows. The events themselves stay under their proposal or order (written once);
the lead's last activity is moved by the use case that records them (store.leads.activity_touched).
"""
from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import Field

from chalicelib.domain.model import Entity
from chalicelib.domain.orders.events import OrderEvent, OrderEventKind
from chalicelib.domain.orders.model import STATUS_LABELS as ORDER_STATUS_LABELS
from chalicelib.domain.orders.model import Order
from chalicelib.domain.proposals.model import EventKind, Proposal, ProposalEvent
from chalicelib.domain.proposals.status import STATUS_LABELS as PROPOSAL_STATUS_LABELS

# The proposal events a seller follows from the lead (the technical ones — link opened, code sent,
# delivery reports — stay on the proposal's own history).
PROPOSAL_TIMELINE = {
    EventKind.EMAIL_SENT: "Proposition {reference} envoyée",
    EventKind.REMINDER_SENT: "Relance de la proposition {reference}",
    EventKind.VIEWED: "Proposition {reference} consultée par le client",
    EventKind.DOWNLOADED: "Proposition {reference} téléchargée par le client",
    EventKind.QUESTION_ASKED: "Question du client sur la proposition {reference}",
    EventKind.QUESTION_ANSWERED: "Réponse envoyée sur la proposition {reference}",
    EventKind.OPTIONS_CHANGED: "Options modifiées par le client sur la proposition {reference}",
    EventKind.ACCEPTED: "Proposition {reference} signée",
    EventKind.DECLINED: "Proposition {reference} refusée par le client",
    EventKind.EXPIRED: "Proposition {reference} expirée",
    EventKind.WITHDRAWN: "Proposition {reference} retirée",
    EventKind.VEHICLE_GONE: "Proposition {reference} retirée : véhicule vendu à un autre client",
    EventKind.PAYMENT_RECEIVED: "Acompte payé sur la proposition {reference}",
    EventKind.PAYMENT_ANOMALY: "Anomalie de paiement sur la proposition {reference}",
}

# The events that move the lead's last activity when they are recorded. ACCEPTED is left out: the
# acceptance moves the lead itself (won, services/leads.won_by_acceptance), in the same transaction,
# and one transaction writes an item once. VEHICLE_GONE is another customer's acceptance.
TOUCHING = frozenset(PROPOSAL_TIMELINE) - {EventKind.ACCEPTED, EventKind.VEHICLE_GONE}

ORDER_TIMELINE = {
    OrderEventKind.OPENED: "Commande ouverte",
    OrderEventKind.HANDOVER_DATE_SET: "Commande : date de remise fixée",
    OrderEventKind.PAYMENT_PLAN_SET: "Commande : plan de paiement choisi",
    OrderEventKind.HOLDER_SET: "Commande : titulaire de la carte grise renseigné",
    OrderEventKind.DELIVERY_SET: "Commande : mode de remise choisi",
    OrderEventKind.PAYMENT_RECORDED: "Commande : paiement enregistré",
    OrderEventKind.FUNDS_RECEIVED: "Commande : fonds reçus",
    OrderEventKind.TRANSFER_ORDER_CONFIRMED: "Commande : ordre de virement confirmé",
    OrderEventKind.CREDIT_APPROVED: "Commande : crédit accordé",
    OrderEventKind.MILESTONE_DONE: "Commande : étape terminée",
    OrderEventKind.DOCUMENT_RECEIVED: "Commande : document reçu",
    OrderEventKind.DOCUMENT_ACCEPTED: "Commande : document accepté",
    OrderEventKind.DOCUMENT_REJECTED: "Commande : document refusé",
    OrderEventKind.ORGANISED: "Commande : remise organisée",
    OrderEventKind.HANDED_OVER: "Véhicule remis au client",
    OrderEventKind.SOLD: "Commande : vente clôturée",
    OrderEventKind.CANCELLATION_REQUESTED: "Commande : annulation demandée",
    OrderEventKind.CANCELLED: "Commande annulée",
}

Outcome = Literal["declined", "expired"]
_ASKING: dict[EventKind, Outcome] = {EventKind.DECLINED: "declined", EventKind.EXPIRED: "expired"}
OUTCOME_LABELS: dict[str, str] = {"declined": "refusée", "expired": "expirée"}


class LossPrompt(Entity):
    """A proposal of the lead was declined or expired: the page asks the seller « Marquer perdu » or
    « Garder ouvert » until they answer (or the lead closes)."""
    proposal_id: str
    reference: str
    outcome: Outcome
    at: datetime


def loss_prompt(proposal: Proposal, kind: EventKind, at: datetime) -> LossPrompt | None:
    outcome = _ASKING.get(kind)
    if outcome is None:
        return None
    return LossPrompt(proposal_id=proposal.id, reference=proposal.reference, outcome=outcome, at=at)


class LinkedProposal(Entity):
    """A lead part: a proposal made from one of the lead's quotes (written when it is created)."""
    part: ClassVar[str] = "proposal"
    id: str = Field(description="the proposal id")
    reference: str
    created_at: datetime


class LinkedOrder(Entity):
    """A lead part: an order opened for the lead (written when it opens)."""
    part: ClassVar[str] = "order"
    id: str = Field(description="the order id")
    created_at: datetime


class ProposalRow(Entity):
    """One proposal of the lead, as its list shows it."""
    id: str
    reference: str
    status: str
    status_label: str
    total_ttc_cents: int
    deposit_cents: int
    deposit_status: str = Field(description="not_asked, none (to pay after signature), pending or paid")
    sent_at: datetime | None
    accepted_at: datetime | None

    @classmethod
    def of(cls, proposal: Proposal) -> "ProposalRow":
        return cls(id=proposal.id, reference=proposal.reference, status=proposal.status.value,
                   status_label=PROPOSAL_STATUS_LABELS[proposal.status],
                   total_ttc_cents=proposal.totals.ttc_cents, deposit_cents=proposal.deposit_cents,
                   deposit_status=proposal.deposit_status, sent_at=proposal.sent_at,
                   accepted_at=proposal.accepted_at)


class OrderRow(Entity):
    id: str
    status: str
    status_label: str
    vehicle: str
    handover_on: date

    @classmethod
    def of(cls, order: Order) -> "OrderRow":
        return cls(id=order.id, status=order.status.value, status_label=ORDER_STATUS_LABELS[order.status],
                   vehicle=f"{order.vehicle.make} {order.vehicle.model}", handover_on=order.handover_on)


class TimelineEntry(Entity):
    """One line of the lead's timeline: the lead's own event, or one of its proposals' or orders'."""
    id: str
    at: datetime
    by: str = Field(description="user id, 'customer' or 'system'; the front shows names from /users")
    source: Literal["lead", "proposal", "order"]
    kind: str = Field(description="the event kind within its source (e.g. proposal: viewed)")
    summary: str
    when: datetime | None = None
    item: dict[str, str] | None = Field(default=None, description="{kind, id}: what the entry opens")


def proposal_entries(proposal: Proposal, history: list[ProposalEvent]) -> list[TimelineEntry]:
    return [TimelineEntry(id=e.id, at=e.at, by=e.by, source="proposal", kind=e.kind.value,
                          summary=PROPOSAL_TIMELINE[e.kind].format(reference=proposal.reference),
                          item={"kind": "proposal", "id": proposal.id})
            for e in history if e.kind in PROPOSAL_TIMELINE]


def order_entries(order: Order, events: list[OrderEvent]) -> list[TimelineEntry]:
    return [TimelineEntry(id=e.id, at=e.at, by=e.by, source="order", kind=e.kind.value,
                          summary=ORDER_TIMELINE[e.kind], item={"kind": "order", "id": order.id})
            for e in events if e.kind in ORDER_TIMELINE]
