"""Proposals, their history (events under the proposal's key) and their access links.

The proposal item is written whole only once, at creation. Afterwards every action, the
seller's and the customer's, persists the difference between the proposal it read and the one
the domain returned (`update`): it SETs only the attributes that changed, ADDs to the counters
the portal increments (view_count, download_count), on the condition of the status and the
version (or evidence chain head) the action read.
"""
from datetime import datetime
from typing import Any, Iterable

from ulid import ULID

from chalicelib.domain import reminders
from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.domain.leads.model import fold
from chalicelib.domain.proposals.commands import ProposalListQuery
from chalicelib.domain.proposals.model import EventKind, Proposal, ProposalEvent, ProposalInvoice, ProposalLink
from chalicelib.domain.proposals.status import TERMINAL, ProposalStatus, sources_of
from chalicelib.domain.proposals.views import ProposalView
from chalicelib.store import keys, paging
from chalicelib.store.table import (
    Condition, Delete, Put, Update, Write, all_of, if_absent, if_exists, if_status, if_version, table,
)
from chalicelib.store.unit_of_work import commit

EXPIRY = "proposal_expiry"
LINK_EXPIRY = "link_expiry"          # on the link item, at its expires_at
REMINDER_KIND = "proposal_reminder"  # on the proposal's reminder item (keys.proposal_reminder)
_MISSING = NotFound("Proposition introuvable.")
# Counted by the portal, concurrently with other writes: written as an ADD of what the action counts.
COUNTERS = ("view_count", "download_count")


def stored(proposal: Proposal) -> dict[str, Any]:
    """What a proposal item holds: its fields, not what is computed from them (totals, deposit, withdrawal)."""
    return proposal.model_dump(mode="json", exclude_computed_fields=True)


def create(proposal: Proposal, writes: list[Write]) -> None:
    """The new proposal with its first events (see `created`)."""
    commit(created(proposal), writes)


def created(proposal: Proposal) -> Put:
    """The new proposal, listed, waiting in the due index for its expiry."""
    key = keys.proposal(proposal.dealer_id, proposal.id)
    item = {
        **stored(proposal),
        "search_text": search_text(proposal),
        **keys.proposal_listing(proposal.dealer_id, proposal.created_at, proposal.id),
        **keys.due_attributes(EXPIRY, key, proposal.expires_at),
    }
    return Put(key, item, if_absent())


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


def history_of(dealer_id: str, proposal_id: str, kinds: Iterable[EventKind]) -> list[ProposalEvent]:
    """The proposal's events of these kinds, oldest first: one Query on its events' prefix, filtered."""
    partition, prefix = keys.proposal_with_history(dealer_id, proposal_id)
    wanted = [kind.value for kind in kinds]
    placeholders = {f":kind{i}": kind for i, kind in enumerate(wanted)}
    only = Condition(f"#kind IN ({', '.join(placeholders)})", {"#kind": "kind"}, placeholders)
    return [ProposalEvent.model_validate(item)
            for item in table.query_all(partition, f"{prefix}{keys.EVENT_INFIX}", filter=only)]


def search_text(proposal: Proposal) -> str:
    """What the list's search matches: the customer's names and the reference, case and accents folded."""
    customer = proposal.customer
    return fold(" ".join(filter(None, [customer.company_name, customer.full_name, proposal.reference])))


# Index items read per Query when a filter may drop some: enough to fill most pages in one call.
FILTERED_READ = 100
MAX_CALLS = 2


def page(dealer_id: str, query: ProposalListQuery) -> tuple[list[Proposal], str | None]:
    """Newest first, through the sparse listing index (events are not in it), in at most two Queries.

    Status, seller and text are a FilterExpression on that Query (never a Scan): with one, a call reads
    up to FILTERED_READ index items and a page may come back shorter than `limit`, with a cursor.
    """
    partition = keys.proposals_list(dealer_id)
    dealer_pk = keys.proposal(dealer_id, "")[keys.PK]
    start = paging.decode(query.cursor, {keys.LIST_PK: partition, keys.PK: dealer_pk}, keys.PROPOSAL_PREFIX,
                          extra=(keys.LIST_SK,))
    condition = _filter(query)
    limit = query.limit
    found: list[dict[str, Any]] = []
    for _ in range(MAX_CALLS):
        wanted = limit - len(found)
        items, after = table.query(
            partition, index=keys.LIST_INDEX, partition_attribute=keys.LIST_PK, sort_attribute=keys.LIST_SK,
            limit=max(wanted + 1, FILTERED_READ) if condition else wanted + 1, start_after=start,
            newest_first=True, filter=condition,
        )
        found.extend(items)
        if len(found) > limit:
            found = found[:limit]
            last = found[-1]
            after = {name: last[name] for name in (keys.PK, keys.SK, keys.LIST_PK, keys.LIST_SK)}
            return [Proposal.model_validate(i) for i in found], paging.encode(after)
        if after is None or len(found) == limit:
            break
        start = after
    return [Proposal.model_validate(i) for i in found], paging.encode(after)


def _filter(filters: ProposalListQuery) -> Condition | None:
    conditions = []
    if filters.status is not None:
        conditions.append(if_status(filters.status.value))
    if filters.seller_id is not None:
        conditions.append(Condition("#f_seller = :f_seller", {"#f_seller": "seller_id"},
                                    {":f_seller": filters.seller_id}))
    if filters.q is not None:
        conditions.append(Condition("contains(#f_search, :f_q)", {"#f_search": "search_text"},
                                    {":f_q": fold(filters.q)}))
    return all_of(*conditions) if conditions else None


# --- a proposal's change, the same way for the seller's and the customer's actions -------------

def changed(before: Proposal, after: Proposal, allowed: tuple[ProposalStatus, ...], writes: list[Write]) -> None:
    """`after` replaces `before` if the proposal is still in an allowed status and at the same version."""
    commit(update(before, after, allowed), *writes)


def update(before: Proposal, after: Proposal, allowed: Iterable[ProposalStatus] | None = None, *,
           version: bool = True, also: Condition | None = None, error: DomainError | None = None) -> Update:
    """The write that turns the stored `before` into `after`, as the domain made it: it SETs what changed,
    REMOVEs what was cleared, ADDs to the counters, and leaves the due index when the status becomes final.

    Its condition: the proposal is still in an `allowed` status (by default its status as read, or the
    statuses that lead to the new one), at the version read (unless `version` is False), and `also`
    holds (the portal's: the evidence chain's head as read). `error`: what a lost condition raises.
    """
    key = keys.proposal(after.dealer_id, after.id)
    old, new = stored(before), stored(after)
    changes = {name: value for name, value in new.items() if old.get(name) != value}
    adds = {name: changes.pop(name) - old.get(name, 0) for name in COUNTERS if name in changes}
    sets = {name: value for name, value in changes.items() if value is not None}
    removes = [name for name, value in changes.items() if value is None]
    if after.status != before.status and after.status in TERMINAL:
        removes += keys.DUE_ATTRIBUTES
    elif "expires_at" in changes:
        sets |= keys.due_attributes(EXPIRY, key, after.expires_at)
    if allowed is None:
        allowed = sources_of(after.status) if after.status != before.status else (before.status,)
    conditions = [if_status(*(status.value for status in allowed))]
    if version:
        conditions.append(if_version(before.version))
    if also is not None:
        conditions.append(also)
    return Update(key, set=sets, remove=tuple(removes), add=adds, condition=all_of(*conditions), error=error)


def pdf_saved(proposal: Proposal) -> Update:
    """Records the rendered document of the current version (any status, same version)."""
    assert proposal.pdf is not None
    return Update(keys.proposal(proposal.dealer_id, proposal.id),
                  set={"pdf": proposal.pdf.model_dump(mode="json")}, condition=if_version(proposal.pdf.version))


def invoices_listed(dealer_id: str, proposal_id: str, invoices: list[ProposalInvoice]) -> Update:
    """The proposal's invoices as its portal page shows them, the whole list (written by each invoice's own
    transaction, which read the earlier ones after the dealer's invoice counter: an invoice committed
    meanwhile moved the counter, so this transaction fails and is made again). Never creates a proposal."""
    return Update(keys.proposal(dealer_id, proposal_id),
                  set={"invoices": [invoice.model_dump(mode="json") for invoice in invoices]},
                  condition=if_exists(), error=_MISSING)


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
    """A status change by others than the seller and the portal (e.g. expired by the schedule), through `update`:
    the domain's rule and message first (`moved_to`), then the write, only from the statuses that lead to
    `target`, and from `expect_version` when given.
    """
    moved = proposal.moved_to(target, at).model_copy(update=changes)
    return update(proposal, moved, sources_of(target), version=False,
                  also=if_version(expect_version) if expect_version is not None else None)


