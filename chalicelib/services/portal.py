"""The customer portal's use cases: view (page opened, view seen), download, question, decline, a new link.

Each opens the link and records what the customer did through the visit (services/visit.py),
asks the domain for the proposal's new state, and commits one unit of work: the proposal's
change and new evidence head, the evidence events, the history events the seller sees, the outbox
messages (nothing the messages need is read on the customer's request). A lost race is read again.
Signing (form, code, acceptance) is in services/signing.py, the acompte in services/deposits.py.
"""

from chalicelib.documents import storage
from chalicelib.domain import evidence, letters, local_time
from chalicelib.domain.dealers import Dealer
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.links import PortalState, admit_link_request
from chalicelib.domain.outbox import Channel, OutboxMessage
from chalicelib.domain.proposals.model import EventKind, Proposal
from chalicelib.domain.signing import QUESTION_MAX, REASON_MAX, ConcurrentChange, signed_filename
from chalicelib.domain.templates import TemplateKind
from chalicelib.domain.funnel import Step
from chalicelib.services import funnel, notifications, proposals
from chalicelib.services.customer_contact import (
    customer_address, customer_email, issue_link, pdf_filename, stored_pdf,
)
from chalicelib.services.visit import (
    READABLE, Opened, Record, Visit, Visitor, checked, commit, look, open_link, retried,
)
from chalicelib.store.unit_of_work import UnitOfWork
from chalicelib.store import dealers as dealer_store
from chalicelib.store import portal as store

DOWNLOAD_URL_SECONDS = 300


# --- view ------------------------------------------------------------------------------------

def view(token: str, visitor: Visitor) -> Visit:
    """Opens the proposal's page and records "lien ouvert" once per link and Paris day (evidence and
    history), without counting a view nor telling the seller: mail scanners fetch the page too.
    A view that still loses its race after the retries is shown all the same, unrecorded."""
    try:
        return retried(lambda: _view(token, visitor))
    except ConcurrentChange:
        return look(token)


def _view(token: str, visitor: Visitor) -> Visit:
    visit = open_link(token)
    if visit.state not in READABLE:
        return visit
    opened = visit.require(*READABLE)
    proposal, link, now = opened.proposal, opened.link, opened.now
    day = local_time.paris_date(now).isoformat()
    if link.opened_on == day:
        return visit
    record = Record(opened.aggregate, visitor, now)
    record.add(evidence.EventKind.LINK_OPENED, EventKind.LINK_OPENED,
               details={"link_purpose": link.link.purpose, "proposal_version": proposal.version})
    commit([*record.saved(allowed=(proposal.status,)), store.link_opened(link, day, now)], [])
    return visit


def seen(token: str, visitor: Visitor) -> None:
    """The customer's browser loaded the page's image (no script needed; scanners and prefetches do not
    render the page): the view counts, once per link and Paris day, and the seller is told. A lost race
    after the retries is not an error: the image is served all the same."""
    try:
        retried(lambda: _seen(token, visitor))
    except ConcurrentChange:
        return


def _seen(token: str, visitor: Visitor) -> None:
    visit = open_link(token)
    if visit.state not in READABLE:
        return
    opened = visit.require(*READABLE)
    proposal, link, now = opened.proposal, opened.link, opened.now
    day = local_time.paris_date(now).isoformat()
    if link.counted_on == day:
        return
    record = Record(opened.aggregate, visitor, now)
    record.add(evidence.EventKind.VIEWED, EventKind.VIEWED, details={"proposal_version": proposal.version})
    writes = [*record.saved(proposal.viewed(now, True), allowed=(proposal.status,)), store.view_counted(link, day)]
    if proposal.view_count == 0:  # the dashboard counts the first view only
        writes += funnel.counted(proposal, now, Step.VIEWED)
    commit(writes, [notifications.seller_notice(proposal, EventKind.VIEWED, now)])


# --- download -------------------------------------------------------------------------------

def download(token: str, visitor: Visitor) -> str:
    """A short-lived URL of the PDF (the signed one once accepted); records the download."""
    return retried(lambda: _download(token, visitor))


def _download(token: str, visitor: Visitor) -> str:
    visit = open_link(token).require(*READABLE)
    proposal, now = visit.proposal, visit.now
    signature = proposal.signature if visit.state == PortalState.ACCEPTED_VIEW else None
    if signature is not None:
        document, filename, after = signature.signed_pdf, signed_filename(proposal), proposal
    else:
        after = stored_pdf(proposal)
        assert after.pdf is not None  # stored_pdf stores the current version's
        document, filename = after.pdf, pdf_filename(proposal)
    record = Record(visit.aggregate, visitor, now)
    record.add(evidence.EventKind.DOWNLOADED, EventKind.DOWNLOADED, details={
        "document_sha256": document.sha256, "document_version": document.version,
        "signed": visit.state == PortalState.ACCEPTED_VIEW,
    })
    commit(record.saved(after.downloaded(now), allowed=(proposal.status,), version=signature is None),
           [notifications.seller_notice(proposal, EventKind.DOWNLOADED, now)])
    return storage.download_url(document.s3_key, filename, DOWNLOAD_URL_SECONDS)


# --- the dealer's terms -------------------------------------------------------------------------

def terms(token: str, kind: str) -> str:
    """A short-lived URL of one of the dealer's terms the proposal took (`Proposal.terms`: those its document
    includes, and those an option not chosen would bring), in the version the proposal took; any other kind
    is not found. Writes nothing: the terms are read in the PDF too, whose download is recorded, and the
    consent names them."""
    proposal = look(token).require(*READABLE).proposal
    found = next((t for t in proposal.terms if t.kind.value == kind), None)
    if found is None:
        raise NotFound("Conditions générales introuvables.")
    return storage.download_url(found.s3_key, found.filename, DOWNLOAD_URL_SECONDS)


# --- question ---------------------------------------------------------------------------------

def ask(token: str, form: dict[str, str], visitor: Visitor) -> Opened:
    """The customer's question: to the seller (email, and notifications per preferences, reply goes to
    the customer), an acknowledgement to the customer, the text in the history, its id in the evidence."""
    checked(token, "question", form)
    question = _text(form.get("question"), "question", QUESTION_MAX, required=True,
                     missing="Écrivez votre question.")
    assert question is not None  # required: refused above when empty
    return retried(lambda: _ask(token, question, visitor))


def _ask(token: str, question: str, visitor: Visitor) -> Opened:
    visit = open_link(token).require(*READABLE)
    proposal, now = visit.proposal, visit.now
    record = Record(visit.aggregate, visitor, now)
    question_id = record.history(EventKind.QUESTION_ASKED, {"question": question})
    record.proof(evidence.EventKind.QUESTION_ASKED, {"question_id": question_id, "length": len(question)})
    messages = [
        notifications.seller_notice(proposal, EventKind.QUESTION_ASKED, now, {"question": question},
                                    reply_to=customer_address(proposal)),
        customer_email(proposal.dealer_id, proposal, TemplateKind.QUESTION_ACK, now, purpose="question_ack",
                       variables={"question": question}),
    ]
    commit(record.saved(proposal.asked(now), allowed=(proposal.status,)), messages)
    return visit


# --- decline -----------------------------------------------------------------------------------

def decline(token: str, form: dict[str, str], visitor: Visitor) -> Opened:
    """The customer declines, with an optional reason; the seller is told by email."""
    checked(token, "decline", form)
    reason = _text(form.get("reason"), "reason", REASON_MAX, required=False)
    return retried(lambda: _decline(token, reason, visitor))


def _decline(token: str, reason: str | None, visitor: Visitor) -> Opened:
    visit = open_link(token).require(PortalState.SHOW)
    proposal, now = visit.proposal, visit.now
    declined = proposal.declined(now, reason)
    record = Record(visit.aggregate, visitor, now)
    record.add(evidence.EventKind.DECLINED, EventKind.DECLINED,
               details={"proposal_version": proposal.version, "reason_given": bool(reason)},
               history_details={"reason": reason or "", "proposal_version": proposal.version})
    # The reason is in the history, not in the seller's notice.
    closed = UnitOfWork()
    proposals.unlisted(closed, proposal)
    commit([*record.saved(declined), *closed.writes], [notifications.seller_notice(declined, EventKind.DECLINED, now)])
    return visit


# --- a new link ------------------------------------------------------------------------------------

def request_new_link(token: str, form: dict[str, str], visitor: Visitor) -> None:
    """From the expired-link page: a new link to the proposal's recorded address, at most three an hour.

    Answers nothing when the limit is reached or the link sent (the same page); Closed when the link is not
    an expired one (unknown, or it opens its proposal again): its own page says what it is.
    """
    checked(token, "new-link", form)
    retried(lambda: _request_new_link(token, visitor))


def _request_new_link(token: str, visitor: Visitor) -> None:
    opened = open_link(token).require(PortalState.LINK_EXPIRED)
    proposal, now = opened.proposal, opened.now
    admitted = admit_link_request(proposal.link_requests, now)
    if not admitted.send:
        return
    recipient = customer_address(proposal)
    dealer = dealer_store.get(proposal.dealer_id)
    issued = issue_link(dealer, proposal, recipient, now, purpose="renewal")
    record = Record(opened.aggregate, visitor, now)
    record.add(evidence.EventKind.LINK_RENEWED, EventKind.LINK_ISSUED,
               details={"purpose": "renewal", "proposal_version": proposal.version},
               history_details={"purpose": "renewal", "to": recipient,
                                "link_expires_at": issued.expires_at.isoformat()})
    message = OutboxMessage(
        dealer_id=proposal.dealer_id, channel=Channel.EMAIL, to=recipient, purpose="link_renewed",
        reply_to=str(proposal.seller.email), created_at=now, proposal=proposal.email_ref(),
        **_new_link_email(proposal, issued.url, dealer),
    )
    writes = [issued.write, *record.saved(proposal.link_requested(admitted.recent), allowed=(proposal.status,))]
    if opened.link.revoked_at is None:
        writes.append(store.link_revoked(opened.link, now))
    commit(writes, [message])


def _new_link_email(proposal: Proposal, url: str, dealer: Dealer) -> dict[str, str]:
    return letters.write(
        "link_renewed", f"Votre nouveau lien d'accès à la proposition {proposal.reference}",
        reference=proposal.reference, dealer=proposal.dealer.name, url=url,
        hours=dealer.settings.link_validity_hours, seller=proposal.seller.display_name,
    ).parts()


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

