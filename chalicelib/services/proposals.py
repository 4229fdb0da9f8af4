"""Use cases on proposals: create from a quote, send, remind, edit, withdraw, list, read, PDF.

Every use case needs the dealer's remote-selling option (403 with the reason otherwise).
Each state change is one transaction with its history event, its access link and its
outbox email; the table's stream sends the email once committed, and a failed send is
retried by the outbox schedule without losing the change.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.documents import pdf, storage
from chalicelib.domain import clock, local_time
from chalicelib.domain.dealers import Dealer, NotificationPreferencesChange, ProfileChange, SellerProfile, Staff
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.links import AccessLink
from chalicelib.domain.outbox import Attachment, Channel, OutboxMessage
from chalicelib.domain.proposals import (
    WITH_THE_CUSTOMER, DocumentLink, EventKind, NewProposal, Proposal, ProposalChange, ProposalLink,
    ProposalListQuery, ProposalPage, ProposalStatus, ProposalSummary, ProposalView, Recipient, RemindProposal,
    SendProposal, StoredPdf, check_dealer_can_propose, check_quote_can_be_proposed, document_of_proposal,
    email_variables, new_proposal, sources_of,
)
from chalicelib.domain.quotes import build_lines, check_validity
from chalicelib.domain.templates import TemplateKind
from chalicelib.services import dealers as dealer_service
from chalicelib.services import email_events
from chalicelib.services import quotes as quote_service
from chalicelib.settings import settings
from chalicelib.store import customers as customer_store
from chalicelib.store import dealers as dealer_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import proposals as store
from chalicelib.store import quotes as quote_store
from chalicelib.store.table import Put, Write

PDF_URL_SECONDS = 300
# Link items stay readable this long after they (or the proposal) expire, so the portal can
# still say "this link has expired, get a new one" instead of "unknown link"; TTL then cleans up.
LINK_KEPT_AFTER_EXPIRY = timedelta(days=30)


def _dealer(dealer_id: str) -> Dealer:
    dealer = dealer_store.get(dealer_id)
    dealer.require_remote_selling()
    return dealer


# --- reads --------------------------------------------------------------------------

def get(dealer_id: str, proposal_id: str) -> ProposalView:
    _dealer(dealer_id)
    return store.get_with_history(dealer_id, proposal_id)


def page(dealer_id: str, query: ProposalListQuery) -> ProposalPage:
    _dealer(dealer_id)
    proposals, cursor = store.page(dealer_id, query.status, query.limit, query.cursor)
    return ProposalPage(items=[ProposalSummary.of(p) for p in proposals], next_cursor=cursor)


def document(dealer_id: str, proposal_id: str) -> DocumentLink:
    """The current version's PDF (rendered and stored on first need) and a short-lived URL."""
    _dealer(dealer_id)
    proposal = store.get(dealer_id, proposal_id)
    with_pdf = stored_pdf(proposal)
    if not proposal.pdf_is_current():
        store.save_pdf(with_pdf)
    stored = with_pdf.pdf
    return DocumentLink(s3_key=stored.s3_key, sha256=stored.sha256, size=stored.size, version=stored.version,
                        url=storage.download_url(stored.s3_key, pdf_filename(proposal), PDF_URL_SECONDS),
                        url_expires_in=PDF_URL_SECONDS)


# --- the seller's actions -----------------------------------------------------------

def create(dealer_id: str, command: NewProposal, by: Staff) -> ProposalView:
    """A frozen snapshot of the quote (customer, seller block, dealer legal information), version 1, draft."""
    dealer = _dealer(dealer_id)
    try:
        quote = quote_store.get(dealer_id, command.quote_id)
    except NotFound:
        raise InvalidInput("Devis inconnu.", {"quote_id": "unknown quote"}) from None
    now = clock.now()
    check_dealer_can_propose(dealer)
    check_quote_can_be_proposed(quote, local_time.paris_date(now))
    account = customer_store.get_account(dealer_id, quote.account_id)
    contact = account.contact(quote.contact_id)
    seller_user = dealer_store.get_user(dealer_id, quote.seller_id)
    if command.seller is not None:
        seller = SellerProfile(**command.seller.model_dump(),
                               photo_key=seller_user.profile.photo_key if seller_user.profile else None)
    elif seller_user.profile is not None:
        seller = seller_user.profile
    else:
        raise InvalidInput(
            "Le bloc vendeur est vide : indiquez le nom, le téléphone et l'e-mail affichés au client "
            "(ils seront gardés comme profil vendeur pour les prochaines ventes).",
            {"seller": "no seller profile yet"})
    reference = quote_service.next_number(dealer_id, "P", local_time.paris_date(now).year)
    proposal = new_proposal(new_id(), reference, quote, dealer, account.account, contact, seller, by.user_id, now)
    created = store.record_event(dealer_id, proposal.id, EventKind.CREATED, now,
                                 {"quote_id": quote.id, "quote_number": quote.number, "version": 1}, by=by.user_id)
    store.create(proposal, [created])
    if seller_user.profile is None and command.seller is not None and seller_user.id == by.user_id:
        _build_profile(dealer_id, by.user_id, command.seller)
    return ProposalView(proposal=proposal, history=[store.event_of(created)])


def send(dealer_id: str, proposal_id: str, command: SendProposal, by: Staff) -> ProposalView:
    dealer = _dealer(dealer_id)
    view = store.get_with_history(dealer_id, proposal_id)
    proposal = view.proposal
    recipient = _recipient(dealer_id, proposal, command.recipient_contact_id)
    email_events.check_sendable(dealer_id, recipient.email)
    now = clock.now()
    sent = stored_pdf(proposal.sent(recipient, _signature(dealer, command.request_signature), now))
    link = issue_link(dealer, sent, recipient.email, now, purpose="send")
    message = customer_email(
        dealer_id, sent, TemplateKind.SEND, now, purpose="proposal_sent",
        variables={"link": link.url, "link_validity_hours": dealer.settings.link_validity_hours,
                   "e_signature": sent.e_signature_requested, "note": command.note or ""},
        attach_pdf=command.attach_pdf,
    )
    event = store.record_event(dealer_id, proposal_id, EventKind.EMAIL_SENT, now, {
        "to": recipient.email, "template": TemplateKind.SEND.value, "pdf_attached": command.attach_pdf,
        "e_signature": sent.e_signature_requested, "version": sent.version, "outbox_id": message.id,
        "link_expires_at": link.expires_at.isoformat(),
    }, by=by.user_id)
    allowed = (ProposalStatus.DRAFT,) if proposal.status == ProposalStatus.DRAFT else WITH_THE_CUSTOMER
    store.changed(proposal, sent, allowed, [link.write, event, outbox_store.new(message),
                                            *store.reminders_scheduled(sent, dealer.settings.reminder_days)])
    return view.then(sent, store.event_of(event))


def remind(dealer_id: str, proposal_id: str, command: RemindProposal, by: Staff) -> ProposalView:
    """The reminder template, with a new link; earlier links stay valid until they expire."""
    dealer = _dealer(dealer_id)
    view = store.get_with_history(dealer_id, proposal_id)
    if view.proposal.recipient is not None:
        email_events.check_sendable(dealer_id, view.proposal.recipient.email)
    reminder = reminder_of(dealer, view.proposal, command, clock.now(), by=by.user_id)
    store.changed(view.proposal, reminder.proposal, WITH_THE_CUSTOMER, reminder.writes)
    return view.then(reminder.proposal, store.event_of(reminder.event))


@dataclass(frozen=True)
class Reminder:
    """A reminder ready to commit: the proposal as reminded, its writes (link, event, email), its history event."""
    proposal: Proposal
    writes: list[Write]
    event: Put


def reminder_of(dealer: Dealer, proposal: Proposal, command: RemindProposal, at: datetime, by: str,
                details: dict[str, Any] | None = None) -> Reminder:
    """What reminding writes, for the seller's button and the automatic reminders (`by="system"`).

    Commit with `store.changed(proposal, reminder.proposal, WITH_THE_CUSTOMER, reminder.writes)`.
    """
    reminded = stored_pdf(proposal.reminded(at))
    recipient = reminded.recipient
    link = issue_link(dealer, reminded, recipient.email, at, purpose="reminder")
    message = customer_email(
        dealer.id, reminded, TemplateKind.REMINDER, at, purpose="proposal_reminder",
        variables={"link": link.url, "link_validity_hours": dealer.settings.link_validity_hours,
                   "e_signature": reminded.e_signature_requested, "note": command.note or ""},
        attach_pdf=command.attach_pdf,
    )
    event = store.record_event(dealer.id, proposal.id, EventKind.REMINDER_SENT, at, {
        "to": recipient.email, "template": TemplateKind.REMINDER.value, "pdf_attached": command.attach_pdf,
        "version": reminded.version, "outbox_id": message.id, "link_expires_at": link.expires_at.isoformat(),
        **(details or {}),
    }, by=by)
    return Reminder(reminded, [link.write, event, outbox_store.new(message)], event)


def withdraw(dealer_id: str, proposal_id: str, by: Staff) -> ProposalView:
    _dealer(dealer_id)
    view = store.get_with_history(dealer_id, proposal_id)
    proposal = view.proposal
    now = clock.now()
    withdrawn = proposal.moved_to(ProposalStatus.WITHDRAWN, now)
    event = store.record_event(dealer_id, proposal_id, EventKind.WITHDRAWN, now,
                               {"from": proposal.status.value}, by=by.user_id)
    store.changed(proposal, withdrawn, sources_of(ProposalStatus.WITHDRAWN), [event])
    return view.then(withdrawn, store.event_of(event))


def edit(dealer_id: str, proposal_id: str, change: ProposalChange, by: Staff) -> ProposalView:
    """After sending: the customer's email and mobile and the seller block only; a new version."""
    _dealer(dealer_id)
    view = store.get_with_history(dealer_id, proposal_id)
    proposal = view.proposal
    lines = build_lines(change.lines, new_id) if change.lines is not None else None
    now = clock.now()
    edited = proposal.edited(change, lines, now)
    if edited.valid_until != proposal.valid_until:
        check_validity(edited.valid_until, local_time.paris_date(now))
    if edited is proposal:
        return view
    event = store.record_event(dealer_id, proposal_id, EventKind.EDITED, now, {
        "fields": sorted(change.model_fields_set), "version": edited.version,
    }, by=by.user_id)
    allowed = (ProposalStatus.DRAFT,) if proposal.status == ProposalStatus.DRAFT else WITH_THE_CUSTOMER
    store.changed(proposal, edited, allowed, [event])
    return view.then(edited, store.event_of(event))


# --- pieces the portal reuses -------------------------------------------------------

@dataclass(frozen=True)
class IssuedLink:
    """A new access link. `token` and `url` go in the email only; the table keeps the SHA-256."""
    token: str
    token_hash: str
    url: str
    expires_at: datetime
    write: Put


def issue_link(dealer: Dealer, proposal: Proposal, recipient_email: str, at: datetime,
               purpose: str = "send") -> IssuedLink:
    """A new link (domain/links.py) for `{public_base_url}/p/{token}`, valid `link_validity_hours`.

    Put `write` in the transaction that sends the email; the raw token is never stored.
    """
    token, access = AccessLink.issue(at, timedelta(hours=dealer.settings.link_validity_hours))
    kept_until = max(access.expires_at, proposal.expires_at) + LINK_KEPT_AFTER_EXPIRY
    link = ProposalLink(
        dealer_id=dealer.id, proposal_id=proposal.id, proposal_version=proposal.version, purpose=purpose,
        recipient=recipient_email, issued_at=at, expires_at=access.expires_at, ttl=int(kept_until.timestamp()),
    )
    return IssuedLink(token=token, token_hash=access.token_hash, url=f"{settings().public_base_url}/p/{token}",
                      expires_at=access.expires_at, write=store.new_link(access.token_hash, link))


def customer_email(
    dealer_id: str, proposal: Proposal, kind: TemplateKind, at: datetime, purpose: str,
    variables: dict[str, Any] | None = None, attach_pdf: bool = False, attachments: list[Attachment] | None = None,
    to: str | None = None,
) -> OutboxMessage:
    """An email to the proposal's recipient with the dealer's template of this kind, rendered when delivered.
    Not yet queued: write it with `store.outbox.new(message)` in your transaction."""
    recipient = to or (proposal.recipient.email if proposal.recipient else proposal.customer.email)
    if not recipient:
        raise InvalidInput("Le client n'a pas d'adresse e-mail.", {"email": "missing"})
    files = list(attachments or [])
    if attach_pdf and proposal.pdf is not None:
        files.append(Attachment(filename=pdf_filename(proposal), s3_key=proposal.pdf.s3_key))
    return OutboxMessage(
        dealer_id=dealer_id, channel=Channel.EMAIL, to=recipient, template=kind,
        variables=email_variables(proposal) | (variables or {}), reply_to=str(proposal.seller.email),
        attachments=files, purpose=purpose, created_at=at, proposal=email_events.about(proposal),
    )


def pdf_filename(proposal: Proposal) -> str:
    return f"proposition-{proposal.reference}-v{proposal.version}.pdf"


def stored_pdf(proposal: Proposal) -> Proposal:
    """The proposal with its current version's PDF in the documents bucket (rendered once per version)."""
    if proposal.pdf_is_current():
        return proposal
    data = pdf.render_quote(document_of_proposal(proposal))
    key = storage.proposal_pdf_key(proposal.dealer_id, proposal.id, proposal.version)
    storage.put(key, data, "application/pdf")
    stored = StoredPdf(version=proposal.version, s3_key=key, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    return proposal.model_copy(update={"pdf": stored})


# --- rules that need the store ------------------------------------------------------

def _recipient(dealer_id: str, proposal: Proposal, contact_id: str | None) -> Recipient:
    """The quote's contact by default, or another contact of the same account; never anyone else."""
    customer = proposal.customer
    chosen = contact_id or (proposal.recipient.contact_id if proposal.recipient else customer.contact_id)
    if chosen == customer.contact_id:
        name, email, mobile = customer.full_name, customer.email, customer.mobile
    else:
        try:
            contact = customer_store.get_contact(dealer_id, customer.account_id, chosen)
        except NotFound:
            raise InvalidInput("Le destinataire doit être un contact du compte client de la proposition.",
                               {"recipient_contact_id": "not a contact of this account"}) from None
        name, email, mobile = contact.full_name, contact.email, contact.mobile
    if not email:
        raise InvalidInput("Ce contact n'a pas d'adresse e-mail : ajoutez-la avant d'envoyer.",
                           {"recipient_contact_id": "no email address"})
    return Recipient(contact_id=chosen, name=name, email=email, mobile=mobile)


def _signature(dealer: Dealer, requested: bool | None) -> bool:
    if requested is None:
        return dealer.settings.e_signature
    if requested and not dealer.settings.e_signature:
        raise InvalidInput("La signature électronique n'est pas activée pour cette concession.",
                           {"request_signature": "e-signature disabled"})
    return requested


def _build_profile(dealer_id: str, user_id: str, block) -> None:
    """A.2: the seller block of the first remote sale becomes the seller's profile."""
    user = dealer_store.get_user(dealer_id, user_id)
    dealer_service.save_profile(dealer_id, user_id, ProfileChange(
        display_name=block.display_name, phone=block.phone, email=block.email,
        notifications=NotificationPreferencesChange(**user.notifications.model_dump()),
    ))

