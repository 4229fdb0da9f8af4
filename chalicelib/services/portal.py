"""The customer portal's use cases: open a link, view, download, ask a question, decline, get a new link.

Every use case starts the same way: the token's hash finds the link (one GetItem), the link
finds the proposal and its code (one Query), and `portal_state` says what the customer may do.
Each action is then one transaction: the proposal's change and new evidence head, the evidence
events, the history events the seller sees, the outbox messages, which the table's stream sends once
committed (nothing the messages need is read on the customer's request). A write that finds the
proposal changed since it was read (another tab, the seller) is refused by its condition: the use
case reads again and retries.
Signing (form, code, acceptance) is in services/signing.py.
"""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, TypeVar

from chalicelib.documents import storage
from chalicelib.domain import clock, evidence, letters, local_time
from chalicelib.domain.codes import SigningChallenge
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.evidence import EvidenceEvent
from chalicelib.domain.links import PortalState, admit_link_request, hash_token, is_well_formed, portal_state
from chalicelib.domain.outbox import Channel, OutboxMessage
from chalicelib.domain.proposals import WITH_THE_CUSTOMER, EventKind, Proposal, ProposalStatus
from chalicelib.domain.signing import QUESTION_MAX, REASON_MAX, ConcurrentChange, PendingSignature, signed_filename
from chalicelib.domain.templates import TemplateKind
from chalicelib.portal.security import require_csrf
from chalicelib.services import notifications
from chalicelib.services import proposals as proposal_service
from chalicelib.settings import settings
from chalicelib.store import dealers as dealer_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import portal as store
from chalicelib.store import proposals as proposal_store
from chalicelib.store.table import Write

ATTEMPTS = 3
DOWNLOAD_URL_SECONDS = 300
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
        return self.state == PortalState.SHOW and self.proposal.e_signature_requested


class Closed(Exception):
    """The action does not fit what the link shows now: the customer is sent back to the link's page."""

    def __init__(self, state: PortalState):
        super().__init__(state.value)
        self.state = state


# --- reading a link ----------------------------------------------------------------------

def open_link(token: str, whole: bool = False) -> Visit:
    """The link's state now: a GetItem on the token's hash, then one Query on the proposal's prefix."""
    now = clock.now()
    hashed = hash_token(token)
    stored = store.find_link(hashed) if is_well_formed(token) else None
    aggregate = store.read(stored.link.dealer_id, stored.link.proposal_id, whole) if stored else None
    proposal = aggregate.proposal if aggregate else None
    state = portal_state(
        now, stored.access if stored else None,
        proposal_status=proposal.status.value if proposal else None,
        valid_until=proposal.expires_at if proposal else None,
    )
    return Visit(hashed, state, now, stored, aggregate)


def look(token: str) -> Visit:
    """What a page shows, writing nothing (form pages, pages shown again with an error)."""
    return open_link(token)


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


# --- recording what the customer does ------------------------------------------------------

@dataclass
class Record:
    """The evidence events and history events of one customer action, in order, with the new chain head."""
    aggregate: store.Aggregate
    visitor: Visitor
    at: datetime
    writes: list[Write] = field(default_factory=list)
    events: list[EvidenceEvent] = field(default_factory=list)

    def __post_init__(self):
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
        return put.attributes["id"]


def commit(writes: list[Write], messages: list[OutboxMessage]) -> None:
    """The action's one transaction, its messages queued in it (the table's stream sends them)."""
    store.commit([*writes, *(outbox_store.new(m) for m in messages)])


# --- view ------------------------------------------------------------------------------------

def view(token: str, visitor: Visitor) -> Visit:
    """Opens the proposal's page. A readable page records the view (evidence and history, every time);
    the view counts, opens the link and tells the seller once per link and Paris day."""
    return retried(lambda: _view(token, visitor))


def _view(token: str, visitor: Visitor) -> Visit:
    visit = open_link(token)
    if visit.state not in READABLE:
        return visit
    proposal, link, now = visit.proposal, visit.link, visit.now
    day = local_time.paris_date(now).isoformat()
    counted = link.counted_on != day
    record = Record(visit.aggregate, visitor, now)
    if link.opened_at is None:
        record.add(evidence.EventKind.LINK_OPENED, details={"link_purpose": link.link.purpose})
    record.add(evidence.EventKind.VIEWED, EventKind.VIEWED,
               details={"proposal_version": proposal.version, "counted": counted})
    changes: dict[str, Any] = {"last_viewed_at": now}
    if proposal.status == ProposalStatus.SENT:
        changes["status"] = ProposalStatus.VIEWED.value
    writes = [store.proposal_change(proposal, record.chain, statuses=(proposal.status,), set=changes,
                                    add={"view_count": 1} if counted else None), *record.writes]
    messages: list[OutboxMessage] = []
    if counted:
        writes.append(store.view_counted(link, day, now))
        messages = tell_seller(proposal, EventKind.VIEWED, now)
    commit(writes, messages)
    return visit


# --- download -------------------------------------------------------------------------------

def download(token: str, visitor: Visitor) -> str:
    """A short-lived URL of the PDF (the signed one once accepted); records the download."""
    return retried(lambda: _download(token, visitor))


def _download(token: str, visitor: Visitor) -> str:
    visit = open_link(token)
    if visit.state not in READABLE:
        raise Closed(visit.state)
    proposal, now = visit.proposal, visit.now
    changes: dict[str, Any] = {"last_downloaded_at": now}
    if visit.state == PortalState.ACCEPTED_VIEW and proposal.signature is not None:
        document, filename, version = proposal.signature.signed_pdf, signed_filename(proposal), None
    else:
        current = proposal_service.stored_pdf(proposal)
        document, filename, version = current.pdf, proposal_service.pdf_filename(proposal), proposal.version
        if not proposal.pdf_is_current():
            changes["pdf"] = current.pdf
    record = Record(visit.aggregate, visitor, now)
    record.add(evidence.EventKind.DOWNLOADED, EventKind.DOWNLOADED, details={
        "document_sha256": document.sha256, "document_version": document.version,
        "signed": visit.state == PortalState.ACCEPTED_VIEW,
    })
    messages = tell_seller(proposal, EventKind.DOWNLOADED, now)
    commit([store.proposal_change(proposal, record.chain, statuses=(proposal.status,), version=version,
                                   set=changes, add={"download_count": 1}), *record.writes], messages)
    return storage.download_url(document.s3_key, filename, DOWNLOAD_URL_SECONDS)


# --- question ---------------------------------------------------------------------------------

def ask(token: str, form: dict[str, str], visitor: Visitor) -> Visit:
    """The customer's question: to the seller (email, and notifications per preferences, reply goes to
    the customer), an acknowledgement to the customer, the text in the history, its id in the evidence."""
    checked(token, "question", form)
    question = _text(form.get("question"), "question", QUESTION_MAX, required=True,
                     missing="Écrivez votre question.")
    return retried(lambda: _ask(token, question, visitor))


def _ask(token: str, question: str, visitor: Visitor) -> Visit:
    visit = open_link(token)
    if visit.state not in READABLE:
        raise Closed(visit.state)
    proposal, now = visit.proposal, visit.now
    record = Record(visit.aggregate, visitor, now)
    question_id = record.history(EventKind.QUESTION_ASKED, {"question": question})
    record.proof(evidence.EventKind.QUESTION_ASKED, {"question_id": question_id, "length": len(question)})
    customer = customer_address(proposal)
    messages = [
        *tell_seller(proposal, EventKind.QUESTION_ASKED, now, {"question": question}, reply_to=customer),
        proposal_service.customer_email(proposal.dealer_id, proposal, TemplateKind.QUESTION_ACK, now,
                                        purpose="question_ack", variables={"question": question}),
    ]
    commit([store.proposal_change(proposal, record.chain, statuses=(proposal.status,)), *record.writes], messages)
    return visit


# --- decline -----------------------------------------------------------------------------------

def decline(token: str, form: dict[str, str], visitor: Visitor) -> Visit:
    """The customer declines, with an optional reason; the seller is told by email."""
    checked(token, "decline", form)
    reason = _text(form.get("reason"), "reason", REASON_MAX, required=False)
    return retried(lambda: _decline(token, reason, visitor))


def _decline(token: str, reason: str | None, visitor: Visitor) -> Visit:
    visit = open_link(token)
    if visit.state != PortalState.SHOW:
        raise Closed(visit.state)
    proposal, now = visit.proposal, visit.now
    declined = proposal.moved_to(ProposalStatus.DECLINED, now)
    record = Record(visit.aggregate, visitor, now)
    record.add(evidence.EventKind.DECLINED, EventKind.DECLINED,
               details={"proposal_version": proposal.version, "reason_given": bool(reason)},
               history_details={"reason": reason or "", "proposal_version": proposal.version})
    messages = tell_seller(declined, EventKind.DECLINED, now)  # the reason is in the history
    change = store.proposal_change(
        proposal, record.chain, statuses=WITH_THE_CUSTOMER, terminal=True,
        set={"status": ProposalStatus.DECLINED.value, "declined_at": now, **({"declined_reason": reason} if reason
                                                                              else {})})
    commit([change, *record.writes], messages)
    return visit


# --- a new link ------------------------------------------------------------------------------------

def request_new_link(token: str, form: dict[str, str], visitor: Visitor) -> None:
    """From the expired-link page: a new link to the proposal's recorded address, at most three an hour.

    Answers nothing: unknown token, limit reached or link sent look the same to the customer.
    """
    checked(token, "new-link", form)
    retried(lambda: _request_new_link(token, visitor))


def _request_new_link(token: str, visitor: Visitor) -> None:
    visit = open_link(token)
    if visit.state != PortalState.LINK_EXPIRED:
        return
    proposal, now = visit.proposal, visit.now
    admitted = admit_link_request(proposal.link_requests, now)
    if not admitted.send:
        return
    recipient = customer_address(proposal)
    dealer = dealer_store.get(proposal.dealer_id)
    issued = proposal_service.issue_link(dealer, proposal, recipient, now, purpose="renewal")
    record = Record(visit.aggregate, visitor, now)
    record.add(evidence.EventKind.LINK_RENEWED, EventKind.LINK_ISSUED,
               details={"purpose": "renewal", "proposal_version": proposal.version},
               history_details={"purpose": "renewal", "to": recipient,
                                "link_expires_at": issued.expires_at.isoformat()})
    message = OutboxMessage(
        dealer_id=proposal.dealer_id, channel=Channel.EMAIL, to=recipient, purpose="link_renewed",
        reply_to=str(proposal.seller.email), created_at=now, **_new_link_email(proposal, issued.url, dealer),
    )
    writes = [issued.write, store.proposal_change(proposal, record.chain, statuses=(proposal.status,),
                                                  set={"link_requests": list(admitted.recent)}), *record.writes]
    if visit.link.revoked_at is None:
        writes.append(store.link_revoked(visit.link, now))
    commit(writes, [message])


def _new_link_email(proposal: Proposal, url: str, dealer) -> dict[str, str]:
    return letters.write(
        "link_renewed", f"Votre nouveau lien d'accès à la proposition {proposal.reference}",
        reference=proposal.reference, dealer=proposal.dealer.name, url=url,
        hours=dealer.settings.link_validity_hours, seller=proposal.seller.display_name,
    ).parts()


# --- pieces the signing use cases share ---------------------------------------------------------

def checked(token: str, form_name: str, form: dict[str, str]) -> None:
    """Refuses a form whose CSRF token was not made for this link and this form (403)."""
    require_csrf(settings().csrf_secret, hash_token(token), form_name, form.get("csrf"))


def tell_seller(proposal: Proposal, kind: EventKind, at: datetime, details: dict[str, Any] | None = None,
                reply_to: str | None = None) -> list[OutboxMessage]:
    """The seller's notice of what the customer did (services/notifications.py), to queue in the action's
    transaction. Returns a list: what an action tells is always a list of messages."""
    return [notifications.seller_notice(proposal, kind, at, details, reply_to)]


def customer_address(proposal: Proposal) -> str:
    """The proposal's recorded address: the only one the portal ever writes to."""
    if proposal.recipient is not None:
        return proposal.recipient.email
    if proposal.customer.email:
        return proposal.customer.email
    raise InvalidInput("Aucune adresse e-mail n'est enregistrée pour cette proposition.", {"email": "missing"})


def _text(raw: str | None, name: str, limit: int, required: bool, missing: str = "") -> str | None:
    text = (raw or "").replace("\r\n", "\n").strip()
    if not text:
        if required:
            raise InvalidInput(missing, {name: missing})
        return None
    if len(text) > limit:
        message = f"{limit} caractères au plus ({len(text)} saisis)."
        raise InvalidInput(message, {name: message})
    return text

