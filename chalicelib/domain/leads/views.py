"""What the API shows of a lead: the list row and header box, the lead page and its tabs, file URLs."""
from datetime import datetime
from typing import Literal, Sequence

from pydantic import Field

from chalicelib.domain.tasks import PersonRef, TaskStatus
from chalicelib.domain.leads.activity import (
    LossPrompt, OrderRow, ProposalRow, TimelineEntry, order_entries, proposal_entries,
)
from chalicelib.domain.leads.model import (
    BranchRef, Communication, Deadline, DeadlineStatus, Lead, LeadAggregate, LeadContact, LeadDocument, LeadEvent,
    LeadStatus, LeadTask, LeadType, Offer, Remark, TestDrive, TradeIn,
)
from chalicelib.domain.model import Entity
from chalicelib.domain.orders.events import OrderEvent
from chalicelib.domain.orders.model import Order
from chalicelib.domain.proposals.views import ProposalView


# Fields computed from the time of the read: a conditional read (ETag) leaves them out.
NOW_RELATIVE = frozenset({"time_left_seconds", "elapsed_seconds"})


class LeadHeader(Entity):
    """The coloured box at the top of the lead page, and one row of the lead list."""
    id: str
    code: str
    status: LeadStatus
    status_label: str
    status_colour: str = Field(description="hex colour of the status")
    lost_reason: str | None
    contact: LeadContact
    owner: PersonRef
    branch: BranchRef | None
    type: LeadType
    type_label: str
    source: str
    deadline_at: datetime | None
    time_left_seconds: int | None = Field(description="until the deadline; negative once overdue")
    overdue: bool
    trade_ins: int
    test_drives: int
    offers: int
    created_at: datetime
    last_activity_at: datetime
    elapsed_seconds: int = Field(description="since the lead was created")

    @classmethod
    def of(cls, lead: Lead, now: datetime) -> "LeadHeader":
        deadline_at = lead.deadline.due_at if lead.deadline else None
        return cls(
            id=lead.id, code=lead.code, status=lead.status, status_label=lead.status.label,
            status_colour=lead.status.colour, lost_reason=lead.lost_reason, contact=lead.contacts[0],
            owner=lead.owner, branch=lead.branch, type=lead.type, type_label=lead.type.label, source=lead.source,
            deadline_at=deadline_at,
            time_left_seconds=int((deadline_at - now).total_seconds()) if deadline_at else None,
            overdue=lead.is_overdue(now),
            trade_ins=lead.trade_in_count, test_drives=lead.test_drive_count, offers=lead.offer_count,
            created_at=lead.created_at, last_activity_at=lead.last_activity_at,
            elapsed_seconds=int((now - lead.created_at).total_seconds()),
        )


class LeadDetails(Entity):
    """The « Détails » tab: comments, current deadline, timeline and linked items."""
    comments: list[Remark]
    deadline: Deadline | None
    timeline: list[TimelineEntry] = Field(description="newest first: the lead's events and its proposals' "
                                                       "and orders' (domain/leads/activity.py)")
    trade_ins: list[TradeIn]
    offers: list[Offer]
    proposals: list[ProposalRow] = Field(description="the proposals made from the lead's quotes, newest first")
    orders: list[OrderRow] = Field(description="the orders opened for the lead, newest first")
    test_drives: list[TestDrive]
    documents: list[LeadDocument]
    communications: list[Communication]
    tasks: list[LeadTask]


class FollowUp(Entity):
    """The « Suivi » tab: every deadline of the lead, pending first."""
    deadlines: list[Deadline]


class LeadPage(Entity):
    header: LeadHeader
    details: LeadDetails
    follow_up: FollowUp
    contacts: list[LeadContact]
    loss_prompt: LossPrompt | None = Field(
        default=None, description="an open lead whose proposal was declined or expired: « Marquer perdu » or "
                                  "« Garder ouvert » (POST /leads/{lead_id}/keep-open)")

    @classmethod
    def of(cls, lead_file: LeadAggregate, now: datetime, proposals: Sequence[ProposalView] = (),
           orders: Sequence[tuple[Order, list[OrderEvent]]] = ()) -> "LeadPage":
        """The page from the lead's Query and those of the proposals and orders it links to (newest first)."""
        lead = lead_file.lead
        entries = [_entry(e) for e in lead_file.events]
        for view in proposals:
            entries += proposal_entries(view.proposal, view.history)
        for order, events in orders:
            entries += order_entries(order, events)
        current = next((d for d in lead_file.deadlines if lead.deadline and d.id == lead.deadline.id), None)
        pending_first = sorted(lead_file.deadlines, key=lambda d: (d.status != DeadlineStatus.PENDING, d.due_at))
        return cls(
            header=LeadHeader.of(lead, now),
            details=LeadDetails(
                comments=sorted(lead_file.remarks, key=lambda r: (r.created_at, r.id), reverse=True),
                deadline=current,
                timeline=sorted(entries, key=lambda e: (e.at, e.id), reverse=True),
                trade_ins=lead_file.trade_ins, offers=lead_file.offers, test_drives=lead_file.test_drives,
                proposals=[ProposalRow.of(view.proposal) for view in proposals],
                orders=[OrderRow.of(order) for order, _ in orders],
                documents=lead_file.documents, communications=lead_file.communications,
                tasks=sorted(lead_file.tasks, key=lambda t: (t.status != TaskStatus.OPEN, t.due_at)),
            ),
            follow_up=FollowUp(deadlines=pending_first),
            contacts=lead.contacts,
            loss_prompt=lead.loss_prompt if lead.status == LeadStatus.OPEN else None,
        )


def _entry(event: LeadEvent) -> TimelineEntry:
    return TimelineEntry(id=event.id, at=event.at, by=event.by, source="lead", kind=event.kind.value,
                         summary=event.summary, when=event.when, item=event.item.model_dump() if event.item else None)





class LeadList(Entity):
    items: list[LeadHeader]
    next_cursor: str | None = Field(description="pass it back as `cursor` for the next page; null at the end")


class DocumentUpload(Entity):
    """Where the browser sends the file: a PUT with exactly these headers, before expires_at."""
    document: LeadDocument
    method: Literal["PUT"] = "PUT"
    url: str
    headers: dict[str, str]
    expires_at: datetime


