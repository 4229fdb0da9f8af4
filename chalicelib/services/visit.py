"""The customer's visit: what every portal use case does around its own rule.

Open the link (the token's hash finds the link: one GetItem; the link finds the proposal and its
code: one Query; `portal_state` says what the customer may do), check the form's CSRF token,
record what the customer did (evidence events on the chain, history events the seller reads), and
commit the action's one unit of work: the proposal as the domain changed it with the chain's new
head, the evidence and history events, the outbox messages (the table's stream sends them once
committed). A write that finds the proposal changed since it was read (another tab, the seller)
is refused by its condition (ConcurrentChange): `retried` reads again and runs the action again.
"""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, TypeVar

from chalicelib.domain import clock, evidence
from chalicelib.domain.codes import SigningChallenge
from chalicelib.domain.evidence import EvidenceEvent
from chalicelib.domain.links import PortalState, hash_token, is_well_formed, portal_state
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.proposals.model import EventKind, Proposal
from chalicelib.domain.proposals.status import ProposalStatus
from chalicelib.domain.signing import ConcurrentChange, PendingSignature
from chalicelib.portal.security import require_csrf
from chalicelib.settings import settings
from chalicelib.store import leads as lead_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import portal as store
from chalicelib.store import proposals as proposal_store
from chalicelib.store.unit_of_work import UnitOfWork, Write

ATTEMPTS = 3
USER_AGENT_MAX = 512
READABLE = (PortalState.SHOW, PortalState.ACCEPTED_VIEW)


@dataclass(frozen=True)
class Visitor:
    """Who is at the other end, as the request tells it (kept in the evidence)."""
    ip: str | None
    user_agent: str | None

    @classmethod
    def of(cls, ip: str | None, user_agent: str | None) -> "Visitor":
        return cls(ip=ip or None, user_agent=(user_agent or "")[:USER_AGENT_MAX] or None)


@dataclass(frozen=True)
class Visit:
    """What a token opens now."""
    token_hash: str
    state: PortalState
    now: datetime
    link: store.StoredLink | None = None
    aggregate: store.Aggregate | None = None

    @property
    def proposal(self) -> Proposal | None:
        return self.aggregate.proposal if self.aggregate else None

    @property
    def challenge(self) -> SigningChallenge | None:
        return self.aggregate.challenge if self.aggregate else None

    @property
    def pending(self) -> PendingSignature | None:
        return self.aggregate.pending if self.aggregate else None

    @property
    def signable(self) -> bool:
        """The customer may sign through this link now: it shows the proposal, and the seller asked for
        an e-signature (otherwise the proposal is signed on paper)."""
        return self.state == PortalState.SHOW and self.proposal is not None and self.proposal.e_signature_requested

    def require(self, *states: PortalState) -> "Opened":
        """This visit, if the link shows one of `states`; else Closed (back to the link's page)."""
        if self.state not in states:
            raise Closed(self.state)
        # Every state but an unknown link's comes from a link and its proposal.
        assert self.link is not None and self.aggregate is not None
        return Opened(self.token_hash, self.state, self.now, self.link, self.aggregate)


@dataclass(frozen=True)
class Opened:
    """A visit whose link leads to its proposal: what an action works on."""
    token_hash: str
    state: PortalState
    now: datetime
    link: store.StoredLink
    aggregate: store.Aggregate

    @property
    def proposal(self) -> Proposal:
        return self.aggregate.proposal

    @property
    def challenge(self) -> SigningChallenge | None:
        return self.aggregate.challenge

    @property
    def pending(self) -> PendingSignature | None:
        return self.aggregate.pending

    @property
    def signable(self) -> bool:
        return self.state == PortalState.SHOW and self.proposal.e_signature_requested


class Closed(Exception):
    """The action does not fit what the link shows now: the customer is sent back to the link's page."""

    def __init__(self, state: PortalState):
        super().__init__(state.value)
        self.state = state


IN_PERSON = "in_person"


def open_link(token: str, whole: bool = False, host_id: str | None = None) -> Visit:
    """The link's state now: a GetItem on the token's hash, then one Query on the proposal's prefix
    (`whole`: the evidence chain too). A seller's in-person session opens only for that seller (`host_id`),
    and never as a portal link: otherwise it is unknown."""
    now = clock.now()
    hashed = hash_token(token)
    stored = store.find_link(hashed) if is_well_formed(token) else None
    if stored is not None and (stored.link.purpose == IN_PERSON or host_id is not None) \
            and (stored.link.purpose != IN_PERSON or stored.link.host_id != host_id):
        stored = None
    aggregate = store.read(stored.link.dealer_id, stored.link.proposal_id, whole) if stored else None
    proposal = aggregate.proposal if aggregate else None
    state = portal_state(
        now, stored.access if stored else None,
        proposal_status=proposal.status if proposal else None,
        valid_until=proposal.expires_at if proposal else None,
    )
    return Visit(hashed, state, now, stored, aggregate)


def look(token: str) -> Visit:
    """What a page shows, writing nothing (form pages, pages shown again with an error)."""
    return open_link(token)


def checked(token: str, form_name: str, form: dict[str, str]) -> None:
    """Refuses a form whose CSRF token was not made for this link and this form (403)."""
    require_csrf(settings().csrf_secret, hash_token(token), form_name, form.get("csrf"))


T = TypeVar("T")


def retried(action: Callable[[], T]) -> T:
    """Runs a read-then-write action again when its write finds the proposal changed meanwhile."""
    for attempt in range(ATTEMPTS):
        try:
            return action()
        except ConcurrentChange:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@dataclass
class Record:
    """What one customer action records: its evidence events (the chain's new head with them) and its
    history events, in order, with the writes that append them."""
    aggregate: store.Aggregate
    visitor: Visitor
    at: datetime
    writes: list[Write] = field(default_factory=list)
    events: list[EvidenceEvent] = field(default_factory=list)
    lead_touched: bool = False  # one action moves its lead once (a transaction writes an item once)

    def __post_init__(self) -> None:
        self.chain = self.aggregate.chain

    def add(self, kind: evidence.EventKind, history: EventKind | None = None,
            details: dict[str, Any] | None = None, history_details: dict[str, Any] | None = None) -> None:
        """Appends one evidence event and, when named, its history event (same details unless given)."""
        self.proof(kind, details)
        if history is not None:
            self.history(history, history_details if history_details is not None else details)

    def proof(self, kind: evidence.EventKind, details: dict[str, Any] | None = None) -> EvidenceEvent:
        """The next event of the evidence chain, with the visitor's IP and user agent."""
        self.chain, event = evidence.append(
            self.chain, kind, self.at, ip=self.visitor.ip, user_agent=self.visitor.user_agent,
            details={k: v for k, v in (details or {}).items() if v is not None},
        )
        self.events.append(event)
        self.writes.append(store.evidence(self.aggregate.proposal, event))
        return event

    def history(self, kind: EventKind, details: dict[str, Any] | None = None) -> str:
        """One event of the history the seller reads (with IP and user agent); returns its id."""
        proposal = self.aggregate.proposal
        shown = {**(details or {}), "ip": self.visitor.ip, "user_agent": self.visitor.user_agent}
        put = proposal_store.record_event(proposal.dealer_id, proposal.id, kind, self.at,
                                          {k: v for k, v in shown.items() if v is not None})
        self.writes.append(put)
        if not self.lead_touched:
            touch = lead_store.proposal_touched(proposal, kind, self.at)
            self.writes.extend(touch)
            self.lead_touched = bool(touch)
        return str(put.attributes["id"])

    def chained(self, proposal: Proposal) -> Proposal:
        """The proposal with the chain's head after this action's evidence."""
        return proposal.evidenced(self.chain.seq, self.chain.head_hash)

    def saved(self, after: Proposal | None = None, *, allowed: Iterable[ProposalStatus] | None = None,
              version: bool = False) -> list[Write]:
        """The proposal's change (`after`, as the domain made it; by default as read) with the chain's new
        head, on condition it is still as read (status, chain head, and `version`), and what was recorded."""
        before = self.aggregate.proposal
        change = store.proposal_change(before, self.chained(after or before), allowed=allowed, version=version)
        return [change, *self.writes]


def commit(writes: Iterable[Write], messages: Iterable[OutboxMessage]) -> None:
    """The action's one unit of work, its messages queued in it (the table's stream sends them)."""
    UnitOfWork(writes, [outbox_store.new(m) for m in messages]).commit()
