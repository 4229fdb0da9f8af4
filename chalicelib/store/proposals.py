"""Proposals, their history (events under the proposal's key) and their access links.

The proposal item is written whole only once, at creation. Afterwards each write
SETs the attributes that changed, on the condition of the status (and version) the
action expects, so counters the portal increments (view_count, download_count)
are never overwritten by a seller's action.
"""
from datetime import datetime
from typing import Any

from ulid import ULID

from chalicelib.domain import reminders
from chalicelib.domain.errors import NotFound
from chalicelib.domain.proposals import (
    STATUS_TIMES, TERMINAL, EventKind, Proposal, ProposalEvent, ProposalLink, ProposalStatus, ProposalView,
    sources_of,
)
from chalicelib.store import keys, paging
from chalicelib.store.table import (
    Condition, Delete, Put, Update, Write, all_of, if_absent, if_status, if_version, table,
)

EXPIRY = "proposal_expiry"
LINK_EXPIRY = "link_expiry"          # on the link item, at its expires_at
REMINDER_KIND = "proposal_reminder"  # on the proposal's reminder item (keys.proposal_reminder)
_MISSING = NotFound("Proposition introuvable.")
# Written by the portal (views, downloads), the signing flow or SES events (email_bounce):
# never SET from a seller's copy.
_PORTAL_OWNED = frozenset({"view_count", "last_viewed_at", "download_count", "last_downloaded_at",
                           "declined_reason", "signature", "evidence_seq", "evidence_head", "link_requests",
                           "deposit_payment", "email_bounce"})


def stored(proposal: Proposal) -> dict[str, Any]:
    """What a proposal item holds: its fields, not what is computed from them (totals, deposit, withdrawal)."""
    return proposal.model_dump(mode="json", exclude_computed_fields=True)


def create(proposal: Proposal, writes: list[Write]) -> None:
    """The new proposal, listed, waiting in the due index for its expiry; with its first events."""
    key = keys.proposal(proposal.dealer_id, proposal.id)
    item = {
        **stored(proposal),
        **keys.proposal_listing(proposal.dealer_id, proposal.created_at, proposal.id),
        **keys.due_attributes(EXPIRY, key, proposal.expires_at),
    }
    table.transact([Put(key, item, if_absent()), *writes])


def get(dealer_id: str, proposal_id: str) -> Proposal:
    item = table.get(keys.proposal(dealer_id, proposal_id))
    if item is None:
        raise _MISSING
    return Proposal.model_validate(item)


def get_with_history(dealer_id: str, proposal_id: str) -> ProposalView:
    """The proposal and every event of its history, oldest first: one Query on its prefix."""
    partition, prefix = keys.proposal_with_history(dealer_id, proposal_id)
    proposal_key = keys.proposal(dealer_id, proposal_id)[keys.SK]
    event_prefix = f"{proposal_key}{keys.EVENT_INFIX}"
    proposal, history = None, []
    for item in table.query_all(partition, prefix):
        if item[keys.SK] == proposal_key:
            proposal = Proposal.model_validate(item)
        elif item[keys.SK].startswith(event_prefix):
            history.append(ProposalEvent.model_validate(item))
    if proposal is None:
        raise _MISSING
    return ProposalView(proposal=proposal, history=history)


def page(dealer_id: str, status: ProposalStatus | None, limit: int, cursor: str | None
         ) -> tuple[list[Proposal], str | None]:
    """Newest first, through the sparse listing index (events are not in it)."""
    partition = keys.proposals_list(dealer_id)
    dealer_pk = keys.proposal(dealer_id, "")[keys.PK]
    start = paging.decode(cursor, {keys.LIST_PK: partition, keys.PK: dealer_pk}, keys.PROPOSAL_PREFIX,
                          extra=(keys.LIST_SK,))
    items, after = table.query(
        partition, index=keys.LIST_INDEX, partition_attribute=keys.LIST_PK, sort_attribute=keys.LIST_SK,
        limit=limit, start_after=start, newest_first=True, filter=if_status(status.value) if status else None,
    )
    return [Proposal.model_validate(i) for i in items], paging.encode(after)


# --- writes of the seller's actions -------------------------------------------------

def changed(before: Proposal, after: Proposal, allowed: tuple[ProposalStatus, ...], writes: list[Write]) -> None:
    """`after` replaces `before` if the proposal is still in an allowed status and at the same version."""
    table.transact([update(before, after, allowed), *writes])


def update(before: Proposal, after: Proposal, allowed: tuple[ProposalStatus, ...]) -> Update:
    key = keys.proposal(after.dealer_id, after.id)
    old, new = stored(before), stored(after)
    changes = {name: value for name, value in new.items() if old.get(name) != value and name not in _PORTAL_OWNED}
    sets = {name: value for name, value in changes.items() if value is not None}
    removes = [name for name, value in changes.items() if value is None]
    if after.status in TERMINAL:
        removes += keys.DUE_ATTRIBUTES
    elif "expires_at" in changes:
        sets |= keys.due_attributes(EXPIRY, key, after.expires_at)
    condition = all_of(if_status(*allowed), if_version(before.version))
    return Update(key, set=sets, remove=tuple(removes), condition=condition)


def save_pdf(proposal: Proposal) -> None:
    """Records the rendered document of the current version (any status, same version)."""
    assert proposal.pdf is not None
    table.write(Update(keys.proposal(proposal.dealer_id, proposal.id),
                       set={"pdf": proposal.pdf.model_dump(mode="json")}, condition=if_version(proposal.pdf.version)))


# --- history, links and status changes others write (portal, schedules) ----------------

def record_event(dealer_id: str, proposal_id: str, kind: EventKind, at: datetime,
                 details: dict[str, Any] | None = None, by: str = "customer") -> Put:
    """The write that appends one event to a proposal's history (put it in the same transaction as the change).

    `details` is shown to the seller: never a token, a code or an IBAN.
    """
    event_id = str(ULID.from_datetime(at))
    event = ProposalEvent(id=event_id, proposal_id=proposal_id, kind=kind, at=at, by=by, details=details or {})
    return Put(keys.proposal_event(dealer_id, proposal_id, event_id),
               {**event.model_dump(mode="json"), "dealer_id": dealer_id}, if_absent())


def event_of(write: Put) -> ProposalEvent:
    """The event a `record_event` write appends, as the history shows it (to answer without reading it back)."""
    return ProposalEvent.model_validate(write.attributes)


def new_link(token_hash: str, link: ProposalLink) -> Put:
    """The stored side of an access link, under the SHA-256 of its token; waits in the due index
    until it expires (the sweep-links schedule records the expiry in the proposal's history)."""
    key = keys.link(token_hash)
    return Put(key, {**link.model_dump(mode="json"), **keys.due_attributes(LINK_EXPIRY, key, link.expires_at)},
               if_absent())


def reminders_scheduled(sent: Proposal, reminder_days: list[int]) -> list[Write]:
    """The automatic reminders a send (re)starts: the proposal's reminder item, due at the first
    reminder day; none when the dealer sends no reminders or the proposal expires first.

    Not conditional: a new send replaces the schedule (and any claim a sweep holds on it), or
    deletes the one an earlier send started.
    """
    assert sent.last_sent_at is not None
    key = keys.proposal_reminder(sent.dealer_id, sent.id)
    first = reminders.upcoming(sent.last_sent_at, reminder_days, until=sent.expires_at)
    if first is None:
        return [Delete(key)] if sent.send_count > 1 else []
    schedule = reminders.ReminderSchedule(dealer_id=sent.dealer_id, proposal_id=sent.id, sent_at=sent.last_sent_at)
    return [Put(key, {**schedule.model_dump(mode="json"), **keys.due_attributes(REMINDER_KIND, key, first.at)})]


def get_link(token_hash: str) -> ProposalLink | None:
    item = table.get(keys.link(token_hash))
    return ProposalLink.model_validate(item) if item else None


def transition(proposal: Proposal, target: ProposalStatus, at: datetime, expect_version: int | None = None,
               **changes: Any) -> Update:
    """A conditional status change (e.g. accepted at signature, declined, expired by the schedule).

    Use `proposal.moved_to(target, at)` first for the rule and its message; this write
    enforces it again in DynamoDB: only from the statuses that lead to `target`, and
    from `expect_version` when given (the version the customer signed).
    """
    moved = proposal.moved_to(target, at)
    condition: Condition = if_status(*sources_of(target))
    if expect_version is not None:
        condition = all_of(condition, if_version(expect_version))
    sets = {"status": target.value, **{k: _json(v) for k, v in changes.items()}}
    if target in STATUS_TIMES:
        sets[STATUS_TIMES[target]] = getattr(moved, STATUS_TIMES[target]).isoformat()
    removes = keys.DUE_ATTRIBUTES if target in TERMINAL else ()
    return Update(keys.proposal(proposal.dealer_id, proposal.id), set=sets, remove=removes, condition=condition)


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value
