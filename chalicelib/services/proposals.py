"""Use cases on proposals: create from a quote, send, remind, edit, withdraw, list, read, PDF.

Every use case needs the dealer's remote-selling option (403 with the reason otherwise).
Each state change commits one unit of work with its history event, its access link and its
outbox email; the table's stream sends the email once committed, and a failed send is
retried by the outbox schedule without losing the change.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.documents import storage
from chalicelib.domain import clock, evidence, local_time
from chalicelib.domain.dealers import Dealer, ProfileChange, SellerProfile, Staff
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.funnel import Step
from chalicelib.domain.ids import new_id
from chalicelib.domain.leads.activity import LinkedProposal
from chalicelib.domain.proposals.commands import (
    NewProposal, ProposalChange, ProposalListQuery, RemindProposal, SendProposal,
)
from chalicelib.domain.proposals.model import (
    EventKind, Proposal, ProposalEvent, Recipient, check_dealer_can_propose, check_quote_can_be_proposed, new_proposal,
    co_holder_of, proposal_contact,
)
from chalicelib.domain.proposals.status import WITH_THE_CUSTOMER, ProposalStatus, sources_of
from chalicelib.domain.proposals.views import DocumentLink, ProposalPage, ProposalSummary, ProposalView
from chalicelib.domain.quotes import check_validity, stock_vehicle_id
from chalicelib.domain.templates import TemplateKind
from chalicelib.domain.vehicles import OpenProposal
from chalicelib.services.customer_contact import customer_email, issue_link, pdf_filename, stored_pdf
from chalicelib.services import email_events, funnel, quotes, record_work, terms, vehicles
from chalicelib.store import customers as customer_store
from chalicelib.store import dealers as dealer_store
from chalicelib.store import orders as order_store
from chalicelib.store import leads as lead_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import portal as portal_store
from chalicelib.store import proposals as store
from chalicelib.store import quotes as quote_store
from chalicelib.store.unit_of_work import UnitOfWork, Write, commit

PDF_URL_SECONDS = 300


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
    proposals, cursor = store.page(dealer_id, query)
    return ProposalPage(items=[ProposalSummary.of(p) for p in proposals], next_cursor=cursor)


def document(dealer_id: str, proposal_id: str) -> DocumentLink:
    """The current version's PDF (rendered and stored on first need) and a short-lived URL."""
    _dealer(dealer_id)
    proposal = store.get(dealer_id, proposal_id)
    with_pdf = stored_pdf(proposal)
    if not proposal.pdf_is_current():
        commit(store.pdf_saved(with_pdf))
    stored = with_pdf.pdf
    assert stored is not None  # stored_pdf renders the current version's
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
    contact = proposal_contact(quote, account)
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
    reference = quote_store.next_document_number(dealer_id, "P", local_time.number_year(now))
    co_holder = co_holder_of(account, contact.id, command.co_holder_contact_id)
    proposal = new_proposal(new_id(), reference, quote, dealer, account.account, contact, seller, by.user_id, now,
                            co_holder).with_terms(terms.in_force(dealer_id))
    created = store.record_event(dealer_id, proposal.id, EventKind.CREATED, now,
                                 {"quote_id": quote.id, "quote_number": quote.number, "version": 1}, by=by.user_id)
    work = UnitOfWork(store.created(proposal), created, lead_store.linked(
        dealer_id, proposal.lead_id, LinkedProposal(id=proposal.id, reference=reference, created_at=now)))
    _listed(work, proposal)
    if seller_user.profile is None and command.seller is not None and seller_user.id == by.user_id:
        # A.2: the seller block of the first remote sale becomes the seller's profile.
        work.add(dealer_store.user_saved(seller_user.with_profile_changed(ProfileChange(
            display_name=command.seller.display_name, phone=command.seller.phone, email=command.seller.email))))
    work.commit()
    return ProposalView(proposal=proposal, history=[store.event_of(created)])


def send(dealer_id: str, proposal_id: str, command: SendProposal, by: Staff) -> ProposalView:
    dealer = _dealer(dealer_id)
    view = store.get_with_history(dealer_id, proposal_id)
    proposal = view.proposal
    recipient = _recipient(dealer_id, proposal, command.recipient_contact_id)
    email_events.check_sendable(dealer_id, recipient.email)
    now = clock.now()
    # The order's milestones go with the proposal, so that its acceptance (a portal request) need not read them.
    order_template = order_store.template(dealer_id).items
    # The terms in force now, unless the customer may already have seen this version (Proposal.with_terms).
    sent = stored_pdf(proposal.with_terms(terms.in_force(dealer_id)).sent(
        recipient, _signature(dealer, command.request_signature), now, order_template,
        codes_by_sms=dealer.settings.signing_codes_by_sms))
    link = issue_link(dealer, sent, recipient.email, now, purpose="send")
    message = customer_email(
        dealer_id, sent, TemplateKind.SEND, now, purpose="proposal_sent",
        variables={"link": link.url, "link_validity_hours": dealer.settings.link_validity_hours,
                   "e_signature": sent.e_signature_requested, "note": command.note or ""},
        attach_pdf=command.attach_pdf, attachments=record_work.attachments_to_send(dealer_id, proposal_id),
    )
    event = store.record_event(dealer_id, proposal_id, EventKind.EMAIL_SENT, now, {
        "to": recipient.email, "template": TemplateKind.SEND.value, "pdf_attached": command.attach_pdf,
        "e_signature": sent.e_signature_requested, "version": sent.version, "outbox_id": message.id,
        "link_expires_at": link.expires_at.isoformat(),
    }, by=by.user_id)
    sent, proof = portal_store.appended(proposal, sent, evidence.EventKind.PROPOSAL_SENT, now, _sending_details(
        sent, recipient.email, link.expires_at, command.attach_pdf))
    allowed = (ProposalStatus.DRAFT,) if proposal.status == ProposalStatus.DRAFT else WITH_THE_CUSTOMER
    work = UnitOfWork(store.update(proposal, sent, allowed, also=portal_store.chain_at(proposal.evidence_seq)),
                      proof, link.write, event, outbox_store.new(message),
                      store.reminders_scheduled(sent, dealer.settings.reminder_days),
                      lead_store.proposal_touched(proposal, EventKind.EMAIL_SENT, now))
    if proposal.sent_at is None:  # the dashboard counts the first send only
        work.add(funnel.counted(sent, now, Step.SENT))
    _listed(work, sent)
    work.commit()
    return view.then(sent, store.event_of(event))


def remind(dealer_id: str, proposal_id: str, command: RemindProposal, by: Staff) -> ProposalView:
    """The reminder template, with a new link; earlier links stay valid until they expire."""
    dealer = _dealer(dealer_id)
    view = store.get_with_history(dealer_id, proposal_id)
    if view.proposal.recipient is not None:
        email_events.check_sendable(dealer_id, view.proposal.recipient.email)
    reminder = reminder_of(dealer, view.proposal, command, clock.now(), by=by.user_id)
    reminder.committed(view.proposal).commit()
    return view.then(reminder.proposal, reminder.event)


@dataclass(frozen=True)
class Reminder:
    """A reminder ready to commit: the proposal as reminded, its writes (link, event, email), its history event."""
    proposal: Proposal
    writes: list[Write]
    event: ProposalEvent

    def committed(self, before: Proposal) -> UnitOfWork:
        """The unit of work of the reminder: the proposal, only while it is still with the customer and its
        evidence chain as read."""
        return UnitOfWork(store.update(before, self.proposal, WITH_THE_CUSTOMER,
                                       also=portal_store.chain_at(before.evidence_seq)), self.writes)


def reminder_of(dealer: Dealer, proposal: Proposal, command: RemindProposal, at: datetime, by: str,
                details: dict[str, Any] | None = None) -> Reminder:
    """What reminding writes, for the seller's button and the automatic reminders (`by="system"`).

    Commit `reminder.committed(proposal)`, with what else the caller changes.
    """
    reminded = stored_pdf(proposal.reminded(at))
    recipient = reminded.recipient
    assert recipient is not None  # reminded() refuses a proposal never sent
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
    reminded, proof = portal_store.appended(proposal, reminded, evidence.EventKind.REMINDER_SENT, at, {
        **_sending_details(reminded, recipient.email, link.expires_at, command.attach_pdf),
        "automatic": bool((details or {}).get("automatic"))})
    return Reminder(reminded, [proof, link.write, event, outbox_store.new(message),
                               *lead_store.proposal_touched(proposal, EventKind.REMINDER_SENT, at)],
                    store.event_of(event))


def _sending_details(proposal: Proposal, to: str, link_expires_at: datetime,
                     pdf_attached: bool) -> dict[str, evidence.Detail]:
    """What the evidence keeps of a send or a reminder: where, which version and document, until when the link."""
    return {"to": to, "proposal_version": proposal.version, "document_sha256": proposal.pdf.sha256 if proposal.pdf
            else None, "e_signature": proposal.e_signature_requested, "pdf_attached": pdf_attached,
            "link_expires_at": link_expires_at.isoformat()}


def withdraw(dealer_id: str, proposal_id: str, by: Staff) -> ProposalView:
    _dealer(dealer_id)
    view = store.get_with_history(dealer_id, proposal_id)
    proposal = view.proposal
    now = clock.now()
    withdrawn = proposal.moved_to(ProposalStatus.WITHDRAWN, now)
    event = store.record_event(dealer_id, proposal_id, EventKind.WITHDRAWN, now,
                               {"from": proposal.status.value}, by=by.user_id)
    work = UnitOfWork(store.update(proposal, withdrawn, sources_of(ProposalStatus.WITHDRAWN)), event,
                      lead_store.proposal_touched(proposal, EventKind.WITHDRAWN, now))
    unlisted(work, proposal)
    work.commit()
    return view.then(withdrawn, store.event_of(event))


def edit(dealer_id: str, proposal_id: str, change: ProposalChange, by: Staff) -> ProposalView:
    """After sending: the customer's email and mobile and the seller block only; a new version."""
    _dealer(dealer_id)
    view = store.get_with_history(dealer_id, proposal_id)
    proposal = view.proposal
    lines = quotes.lines_of(dealer_id, change.lines) if change.lines is not None else None
    now = clock.now()
    co_holder = None
    if change.co_holder_contact_id is not None and proposal.status == ProposalStatus.DRAFT:
        account = customer_store.get_account(dealer_id, proposal.customer.account_id)
        co_holder = co_holder_of(account, proposal.customer.contact_id, change.co_holder_contact_id)
    edited = proposal.edited(change, lines, now, co_holder)
    if edited.valid_until != proposal.valid_until:
        check_validity(edited.valid_until, local_time.paris_date(now))
    if edited is proposal:
        return view
    edited = edited.with_terms(terms.in_force(dealer_id))  # a new version, never shown: the terms in force now
    event = store.record_event(dealer_id, proposal_id, EventKind.EDITED, now, {
        "fields": sorted(change.model_fields_set), "version": edited.version,
    }, by=by.user_id)
    allowed = (ProposalStatus.DRAFT,) if proposal.status == ProposalStatus.DRAFT else WITH_THE_CUSTOMER
    work = UnitOfWork(store.update(proposal, edited, allowed), event)
    if stock_vehicle_id(edited.lines) != stock_vehicle_id(proposal.lines):
        # Another stock car: the old one's listing goes, the new one's comes (refused if it is reserved).
        unlisted(work, proposal)
        _listed(work, edited)
    work.commit()
    return view.then(edited, store.event_of(event))


# --- rules that need the store ------------------------------------------------------

def _listed(work: UnitOfWork, proposal: Proposal) -> None:
    """A proposal for a stock vehicle joins the vehicle's open proposals (refused once the car is reserved)."""
    vehicle_id = stock_vehicle_id(proposal.lines)
    if vehicle_id is not None:
        vehicles.list_proposal(work, proposal.dealer_id, vehicle_id, OpenProposal(
            proposal_id=proposal.id, seller_id=proposal.seller_id, seller_email=proposal.seller.email,
            reference=proposal.reference))


def unlisted(work: UnitOfWork, proposal: Proposal) -> None:
    """A closed proposal (declined, expired, withdrawn) leaves its stock vehicle's open proposals."""
    vehicle_id = stock_vehicle_id(proposal.lines)
    if vehicle_id is not None:
        vehicles.unlist_proposal(work, proposal.dealer_id, vehicle_id, proposal.id)


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

