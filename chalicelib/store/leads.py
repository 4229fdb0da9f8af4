"""Leads: the lead item, its parts, its code counter and its two listing indexes.

Key formats and access patterns: docs/leads.md. A lead page is one Query on the
lead's prefix; a list page is at most two Queries on gsi1 (recent activity) or
gsi2 (pending deadlines), with the filters as a FilterExpression.
"""
import base64
import binascii
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

from pydantic import TypeAdapter

from chalicelib.domain.errors import AlreadyExists, InvalidInput
from chalicelib.domain.leads.activity import TOUCHING, LinkedOrder, LinkedProposal, LossPrompt, loss_prompt
from chalicelib.domain.leads.commands import LeadQuery
from chalicelib.domain.leads.model import (
    Communication, Deadline, Lead, LeadAggregate, LeadDocument, LeadEvent, LeadNotFound, LeadPart, LeadStatus,
    LeadTask, Offer, Remark, TestDrive, TradeIn, fold,
)
from chalicelib.domain.proposals.model import EventKind as ProposalEventKind
from chalicelib.domain.proposals.model import Proposal
from chalicelib.store import keys
from chalicelib.store.table import (
    Check, Condition, Delete, Put, Update, Write, all_of, if_absent, if_attribute_equals, if_exists, if_status,
    if_version, table,
)

DUE_KIND = "lead_deadline"
_TIME = TypeAdapter(datetime)

# Each part's model, and the LeadAggregate field that lists it.
_MODELS: list[tuple[type[LeadPart], str]] = [
    (TradeIn, "trade_ins"), (Offer, "offers"), (TestDrive, "test_drives"), (Remark, "remarks"),
    (LeadDocument, "documents"), (Communication, "communications"), (LeadTask, "tasks"),
    (Deadline, "deadlines"), (LeadEvent, "events"), (LinkedProposal, "proposals"), (LinkedOrder, "orders"),
]
PARTS: dict[str, tuple[type[LeadPart], str]] = {model.part: (model, field) for model, field in _MODELS}
Part = TypeVar("Part", TradeIn, Offer, TestDrive, Remark, LeadDocument, Communication, LeadTask, Deadline, LeadEvent)
COUNTERS = {"trade_in": "trade_in_count", "test_drive": "test_drive_count", "offer": "offer_count"}
# Attributes that put a lead in the overdue list and the due-work index while it waits on a deadline.
_WAITING = (keys.DEADLINE_PK, keys.DEADLINE_SK, *keys.DUE_ATTRIBUTES)


# --- reads ------------------------------------------------------------------------

def get(dealer_id: str, lead_id: str) -> Lead:
    item = table.get(keys.lead(dealer_id, lead_id))
    if item is None:
        raise LeadNotFound()
    return Lead.model_validate(item)


def aggregate(dealer_id: str, lead_id: str) -> LeadAggregate:
    """The lead and all its parts from one Query (more only past 1 MB, which a lead does not reach)."""
    partition, prefix = keys.lead_aggregate(dealer_id, lead_id)
    lead = None
    parts: dict[str, list] = defaultdict(list)
    for item in table.query_all(partition, prefix):
        kind = keys.lead_part_kind(item[keys.SK])
        if kind is None:
            lead = Lead.model_validate(item)
        else:
            model, field = PARTS[kind]
            parts[field].append(model.model_validate(item))
    if lead is None:
        raise LeadNotFound()
    return LeadAggregate(lead=lead, **parts)


def get_part(dealer_id: str, lead_id: str, model: type[Part], part_id: str, missing: str) -> Part:
    item = table.get(keys.lead_part(dealer_id, lead_id, model.part, part_id))
    if item is None:
        raise LeadNotFound(missing)
    return model.model_validate(item)


def next_code_number(dealer_id: str, year: int) -> int:
    """The next number of the dealer's lead codes this year: an atomic ADD, so never given twice.

    Outside the creation transaction (a transaction cannot read what it adds): a creation
    that fails after it leaves a gap in the numbers, never a duplicate.
    """
    counter = table.write(Update(keys.lead_code_counter(dealer_id, year), add={"value": 1}))
    assert counter is not None  # an Update returns the item as written
    return int(counter["value"])


# --- writes -----------------------------------------------------------------------

def created(lead: Lead) -> Put:
    return Put(keys.lead(lead.dealer_id, lead.id), _lead_attributes(lead), if_absent())


def edited(before: Lead, after: Lead) -> Update:
    """The lead's own fields as changed by one action, if nobody changed them since `before` was read.

    Counters are left to their ADDs. The deadline attributes are rewritten only when the
    deadline itself changes: an alert sweep holding a claim on this deadline keeps it.
    """
    attributes = _lead_attributes(after)
    for counter in COUNTERS.values():
        attributes.pop(counter)
    remove = [name for name in ("lost_reason", "branch", "deadline") if getattr(after, name) is None]
    if before.loss_prompt == after.loss_prompt:
        attributes.pop("loss_prompt")  # left to activity_touched, which may be setting it meanwhile
    elif after.loss_prompt is None:
        remove.append("loss_prompt")
    waiting = _waiting(after)
    if not waiting:
        remove.extend(_WAITING)
    elif before.deadline != after.deadline or before.status != after.status:
        remove.append("due_claim")
    else:
        for name in _WAITING:
            attributes.pop(name, None)
    return Update(
        keys.lead(after.dealer_id, after.id),
        set={k: v for k, v in attributes.items() if k not in remove},
        remove=tuple(remove),
        condition=if_version(before.version),
    )


def touched(dealer_id: str, lead_id: str, at: datetime, *, counted: str | None = None,
            open_only: bool = False) -> Update:
    """An action on the lead: last activity moves (and the list order with it), a counter may grow.

    No version condition: appending a part never conflicts with another action.
    """
    return Update(
        keys.lead(dealer_id, lead_id),
        set={"last_activity_at": _json(at), **keys.lead_listing(dealer_id, at, lead_id)},
        add={COUNTERS[counted]: 1} if counted else {},
        condition=if_status(LeadStatus.OPEN.value) if open_only else if_exists(),
    )


def activity_touched(dealer_id: str, lead_id: str | None, at: datetime,
                     loss_prompt: LossPrompt | None = None) -> list[Write]:
    """For a proposal's or an order's use case that records an event the lead shows (domain/leads/activity.py):
    the lead's last activity moves to `at` (and its place in the list), and a declined or expired
    proposal leaves its question for the seller. One Update, in the use case's own unit of work;
    nothing when the proposal or order has no lead.

    Conditioned on the lead existing only (leads are never deleted), so it never fails the customer's action.
    """
    if lead_id is None:
        return []
    write = touched(dealer_id, lead_id, at)
    if loss_prompt is not None:
        write = Update(write.key, set={**write.set, "loss_prompt": loss_prompt.model_dump(mode="json")},
                       condition=write.condition)
    return [write]


def proposal_touched(proposal: Proposal, kind: ProposalEventKind, at: datetime) -> list[Write]:
    """`activity_touched` for a proposal's event of this kind: only the kinds the lead follows
    (activity.TOUCHING), with the loss question when it is a decline or an expiry."""
    if kind not in TOUCHING:
        return []
    return activity_touched(proposal.dealer_id, proposal.lead_id, at, loss_prompt(proposal, kind, at))


def linked(dealer_id: str, lead_id: str | None, part: LinkedProposal | LinkedOrder) -> list[Write]:
    """A proposal made, or an order opened, for the lead: the part its page reads them through."""
    if lead_id is None:
        return []
    return [Put(keys.lead_part(dealer_id, lead_id, part.part, part.id), part.model_dump(mode="json"), if_absent())]


def added(dealer_id: str, lead_id: str, part: LeadPart) -> Put:
    kind = part.part
    error = (AlreadyExists("Ce devis est déjà une offre de ce lead.", {"quote_id": "already linked"})
             if kind == "offer" else None)
    return Put(keys.lead_part(dealer_id, lead_id, kind, part.id), part.model_dump(mode="json"), if_absent(),
               error=error)


def replaced(dealer_id: str, lead_id: str, before: LeadPart, after: LeadPart) -> Put:
    """A part rewritten as changed, if it still exists and, for a part with a status, is still as read."""
    status = getattr(before, "status", None)
    condition = if_status(status) if status is not None else if_exists()
    return Put(keys.lead_part(dealer_id, lead_id, after.part, after.id), after.model_dump(mode="json"),
               condition)


def recorded(dealer_id: str, lead_id: str, part: LeadPart, event: LeadEvent, *, counted: bool = False) -> list[Write]:
    """A part added to the lead: last activity (and its count, on an open lead only), the part, its timeline event."""
    return [
        touched(dealer_id, lead_id, event.at, counted=part.part if counted else None, open_only=counted),
        added(dealer_id, lead_id, part),
        added(dealer_id, lead_id, event),
    ]


def removed(dealer_id: str, lead_id: str, part: LeadPart) -> Delete:
    return Delete(keys.lead_part(dealer_id, lead_id, part.part, part.id), if_exists())


def user_still_active(dealer_id: str, user_id: str, field: str) -> Check:
    """Guards a write naming a user against the user being deactivated meanwhile."""
    return Check(keys.user(dealer_id, user_id), if_attribute_equals("active", True),
                 error=InvalidInput("Cet utilisateur est désactivé.", {field: "inactive user"}))


def _lead_attributes(lead: Lead) -> dict[str, Any]:
    attributes = {
        **lead.model_dump(mode="json"),
        "search_text": lead.search_text(),
        **keys.lead_listing(lead.dealer_id, lead.last_activity_at, lead.id),
    }
    if _waiting(lead) and lead.deadline is not None:
        attributes |= keys.lead_deadline_listing(lead.dealer_id, lead.deadline.due_at, lead.id)
        attributes |= keys.due_attributes(DUE_KIND, keys.lead(lead.dealer_id, lead.id), lead.deadline.due_at)
    return attributes


def _waiting(lead: Lead) -> bool:
    return lead.status == LeadStatus.OPEN and lead.deadline is not None


def _json(moment: datetime) -> str:
    """A time written as the models write theirs, so a lead reads back the same either way."""
    return _TIME.dump_python(moment, mode="json")


# --- the lead list ----------------------------------------------------------------

Phase = Literal["overdue", "recent"]
# Reads per Query when a filter may drop items: enough to fill most pages in one call.
FILTERED_READ = 100
MAX_CALLS = 2


@dataclass(frozen=True)
class Position:
    """Where a listing resumes: the phase, the last lead read in it, the time "overdue" is judged at."""
    phase: Phase
    after: str | None
    as_of: str


def page(dealer_id: str, query: LeadQuery, now: datetime) -> tuple[list[Lead], str | None]:
    """One page of the dealer's leads, in at most two Queries.

    Phase "overdue" reads gsi2 (open leads with a pending deadline) for deadlines before
    `as_of`, oldest first; phase "recent" reads gsi1 newest activity first, leaving out the
    overdue leads when they were listed first or are filtered out. `as_of` is fixed by
    the first page so a lead turning overdue while paging is neither lost nor repeated.
    """
    position = decode_cursor(query, query.cursor) if query.cursor else _start(query, now)
    if position is None:
        return [], None
    leads: list[Lead] = []
    for _ in range(MAX_CALLS):
        remaining = query.limit - len(leads)
        index, sort_attribute, condition = _phase(query, position)
        items, last = table.query(
            keys.lead_listing_partitions(dealer_id)[index],
            index=index,
            partition_attribute=keys.LIST_PK if index == keys.LIST_INDEX else keys.DEADLINE_PK,
            sort_attribute=sort_attribute,
            sort_at_most=position.as_of if position.phase == "overdue" else None,
            newest_first=position.phase == "recent",
            filter=condition,
            limit=max(remaining + 1, FILTERED_READ) if condition else remaining + 1,
            start_after=keys.lead_listing_start(dealer_id, index, position.after) if position.after else None,
        )
        taken = items[:remaining]
        leads.extend(Lead.model_validate(item) for item in taken)
        if len(items) > remaining:
            return leads, _encode(Position(position.phase, taken[-1][sort_attribute], position.as_of))
        if last is not None:
            position = Position(position.phase, last[sort_attribute], position.as_of)
        elif position.phase == "overdue" and query.overdue is None:
            position = Position("recent", None, position.as_of)
        else:
            return leads, None
        if len(leads) == query.limit:
            break
    return leads, _encode(position)


def _start(query: LeadQuery, now: datetime) -> Position | None:
    as_of = keys.iso(now)
    overdue_possible = query.status in (None, LeadStatus.OPEN)
    if query.overdue is True:
        return Position("overdue", None, as_of) if overdue_possible else None
    if query.overdue_first and query.overdue is None and overdue_possible:
        return Position("overdue", None, as_of)
    return Position("recent", None, as_of)


def _phase(query: LeadQuery, position: Position) -> tuple[str, str, Condition | None]:
    """The index, its sort attribute and the FilterExpression of the phase."""
    conditions = []
    if query.status is not None:
        conditions.append(Condition("#f_status = :f_status", {"#f_status": "status"},
                                    {":f_status": query.status.value}))
    if query.owner_id is not None:
        conditions.append(Condition("#f_owner.#f_id = :f_owner", {"#f_owner": "owner", "#f_id": "id"},
                                    {":f_owner": query.owner_id}))
    if query.branch_id is not None:
        conditions.append(Condition("#f_branch.#f_id = :f_branch", {"#f_branch": "branch", "#f_id": "id"},
                                    {":f_branch": query.branch_id}))
    if query.q is not None:
        conditions.append(Condition("contains(#f_search, :f_q)", {"#f_search": "search_text"},
                                    {":f_q": fold(query.q)}))
    if position.phase == "overdue":
        return keys.DEADLINE_INDEX, keys.DEADLINE_SK, all_of(*conditions) if conditions else None
    if query.overdue is False or query.overdue_first:
        conditions.append(Condition("attribute_not_exists(#f_due) OR #f_due >= :f_as_of",
                                    {"#f_due": keys.DEADLINE_SK}, {":f_as_of": position.as_of}))
    return keys.LIST_INDEX, keys.LIST_SK, all_of(*conditions) if conditions else None


def _encode(position: Position) -> str:
    raw = json.dumps({"p": position.phase, "k": position.after, "t": position.as_of}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(query: LeadQuery, cursor: str) -> Position:
    """The position a cursor names, if it is one this listing gave out for these filters."""
    invalid = InvalidInput("Curseur de pagination invalide : repartez de la première page.", {"cursor": "invalid"})
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise invalid from None
    if not isinstance(raw, dict) or set(raw) != {"p", "k", "t"}:
        raise invalid
    phase, after, as_of = raw["p"], raw["k"], raw["t"]
    overdue_listed = query.overdue is True or (query.overdue_first and query.overdue is None)
    if phase not in ("overdue", "recent") or (phase == "overdue" and not overdue_listed):
        raise invalid
    if after is not None and not keys.is_listing_sort_value(after):
        raise invalid
    if not keys.is_iso(as_of):
        raise invalid
    return Position(phase, after, as_of)
