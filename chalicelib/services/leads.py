"""Use cases of the lead page: create, list, read, and every action on a lead. Tenant id comes first.

Every action commits one unit of work: the lead (last activity, counter or fields, guarded by
existence, status or version), the part it adds or changes, and its timeline event.
"""
from datetime import datetime, timedelta
from typing import Any, TypeVar

from chalicelib.documents import storage
from chalicelib.domain import clock, local_time
from chalicelib.domain.dealers import User
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.files import SNIFF_BYTES, check_declared
from chalicelib.domain.ids import new_id
from chalicelib.domain.leads.commands import (
    Assign, ChangeStatus, ContactDetails, LeadQuery, LinkOffer, MoveDeadline, NewCommunication, NewDocument, NewLead,
    NewRemark, NewTestDrive, NewTradeIn, RecordContact, RenameDocument, check_document, check_filename,
)
from chalicelib.domain.leads.model import (
    BranchRef, Communication, Deadline, EventKind, Lead, LeadAggregate, LeadContact, LeadDocument, LeadPart,
    LeadStatus, LeadTask, LinkedItem, Offer, PendingDeadline, Remark, TestDrive, TradeIn,
    contact_deadline, event, lead_code, offer_linked,
)
from chalicelib.domain.leads.activity import OUTCOME_LABELS, LinkedOrder, LinkedProposal
from chalicelib.domain.files import DocumentDownload
from chalicelib.domain.leads.views import DocumentUpload, LeadHeader, LeadList, LeadPage
from chalicelib.domain.tasks import NewTask, PersonRef, require_active
from chalicelib.domain.outbox import Attachment, Channel, OutboxMessage
from chalicelib.observability import logger
from chalicelib.store import dealers
from chalicelib.store import leads as store
from chalicelib.store import orders as order_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import proposals as proposal_store
from chalicelib.store import quotes as quote_store
from chalicelib.store.unit_of_work import UnitOfWork, Write, commit

# Long enough to pick a file on a slow phone, short enough that a leaked URL soon dies.
URL_LIFETIME = timedelta(minutes=15)
Part = TypeVar("Part", LinkedProposal, LinkedOrder)


# --- the lead -----------------------------------------------------------------------

def create(dealer_id: str, command: NewLead, by: str) -> LeadHeader:
    now = clock.now()
    dealer = dealers.get(dealer_id)
    owner = require_active(_user(dealer_id, command.owner_id or by, "owner_id"), "owner_id")
    branch_id = command.branch_id or owner.branch_id
    branch = dealer.branch(branch_id) if branch_id else None
    deadline = contact_deadline(new_id(), now, dealer.settings.lead_deadline_hours, by)
    year = local_time.number_year(now)
    lead = Lead(
        id=new_id(), dealer_id=dealer_id, code=lead_code(year, store.next_code_number(dealer_id, year)),
        contacts=[LeadContact.from_details(new_id(), details) for details in command.contacts],
        owner=PersonRef.of(owner), branch=BranchRef.of(branch) if branch else None,
        type=command.type, source=command.source,
        deadline=PendingDeadline(id=deadline.id, due_at=deadline.due_at),
        created_at=now, created_by=by, last_activity_at=now,
    )
    commit(
        store.created(lead),
        store.added(dealer_id, lead.id, deadline),
        _event(dealer_id, lead.id, EventKind.CREATED, now, by, LinkedItem(kind=deadline.part, id=deadline.id),
               when=deadline.due_at, source=command.source),
        store.user_still_active(dealer_id, owner.id, "owner_id"),
    )
    return LeadHeader.of(lead, now)


def list_leads(dealer_id: str, query: LeadQuery) -> LeadList:
    now = clock.now()
    leads, cursor = store.page(dealer_id, query, now)
    return LeadList(items=[LeadHeader.of(lead, now) for lead in leads], next_cursor=cursor)


def get_page(dealer_id: str, lead_id: str) -> LeadPage:
    """The lead's Query, then one per proposal and order it links to (the newest LINKED_READ of each):
    their events join the timeline at read time, so recording one writes nothing more under the lead
    than its last activity (docs/decisions.md)."""
    lead_file = store.aggregate(dealer_id, lead_id)
    proposals = [proposal_store.get_with_history(dealer_id, p.id) for p in _newest(lead_file.proposals)]
    orders = [order_store.aggregate(dealer_id, o.id) for o in _newest(lead_file.orders)]
    return LeadPage.of(lead_file, clock.now(), proposals, [(agg.order, agg.events) for agg in orders])


# A lead rarely has more than a few proposals; past this, the oldest stay on their own pages.
LINKED_READ = 10


def _newest(parts: list[Part]) -> list[Part]:
    return sorted(parts, key=lambda part: part.id, reverse=True)[:LINKED_READ]


def keep_open(dealer_id: str, lead_id: str, by: str) -> LeadPage:
    """« Garder ouvert »: the seller answers the question a declined or expired proposal asked."""
    now = clock.now()
    lead = store.get(dealer_id, lead_id)
    after = lead.kept_open(now)
    assert lead.loss_prompt is not None  # kept_open refuses a lead without one
    prompt = lead.loss_prompt
    commit(store.edited(lead, after),
           _event(dealer_id, lead_id, EventKind.KEPT_OPEN, now, by, LinkedItem(kind="proposal", id=prompt.proposal_id),
                  reference=prompt.reference, outcome=OUTCOME_LABELS[prompt.outcome]))
    return get_page(dealer_id, lead_id)


# --- actions that add a part --------------------------------------------------------

def add_trade_in(dealer_id: str, lead_id: str, command: NewTradeIn, by: str) -> TradeIn:
    now = clock.now()
    trade_in = TradeIn(id=new_id(), created_at=now, created_by=by, **command.model_dump())
    commit(_counted(dealer_id, lead_id, trade_in, "ajouter une reprise", EventKind.TRADE_IN_ADDED, now, by,
                    vehicle=trade_in.vehicle, registration=trade_in.registration))
    return trade_in


def link_offer(dealer_id: str, lead_id: str, command: LinkOffer, by: str) -> Offer:
    """Records an existing quote of this dealer as an offer of the lead."""
    offer = store.get(dealer_id, lead_id).offer(command.quote_id, command.label, clock.now(), by)
    try:
        quote = quote_store.get(dealer_id, command.quote_id)
    except NotFound:
        raise InvalidInput("Devis inconnu.", {"quote_id": "unknown quote"}) from None
    if quote.lead_id not in (None, lead_id):
        raise InvalidInput("Ce devis appartient à un autre lead.", {"quote_id": "quote of another lead"})
    commit(store.recorded(dealer_id, lead_id, offer, offer_linked(new_id(), offer), counted=True),
           quote_store.still_exists(quote))
    return offer


def add_test_drive(dealer_id: str, lead_id: str, command: NewTestDrive, by: str) -> TestDrive:
    now = clock.now()
    test_drive = TestDrive(id=new_id(), created_at=now, created_by=by, **command.model_dump())
    commit(_counted(dealer_id, lead_id, test_drive, "enregistrer un essai routier", EventKind.TEST_DRIVE_ADDED,
                    now, by, when=test_drive.starts_at, vehicle=test_drive.vehicle))
    return test_drive


def add_remark(dealer_id: str, lead_id: str, command: NewRemark, by: str) -> Remark:
    now = clock.now()
    remark = Remark(id=new_id(), text=command.text, created_at=now, created_by=by)
    commit(_recorded(dealer_id, lead_id, remark, EventKind.REMARK_ADDED, now, by))
    return remark


def add_task(dealer_id: str, lead_id: str, command: NewTask, by: str) -> LeadTask:
    now = clock.now()
    lead = store.get(dealer_id, lead_id)
    guards: list[Write] = []
    assignee = lead.owner
    if command.assignee_id is not None:
        user = require_active(_user(dealer_id, command.assignee_id, "assignee_id"), "assignee_id")
        assignee = PersonRef.of(user)
        guards.append(store.user_still_active(dealer_id, user.id, "assignee_id"))
    task = LeadTask.new(new_id(), command.title, command.due_at, assignee, now, by)
    commit(_recorded(dealer_id, lead_id, task, EventKind.TASK_CREATED, now, by, when=task.due_at, title=task.title),
           guards)
    return task


def complete_task(dealer_id: str, lead_id: str, task_id: str, by: str) -> LeadTask:
    now = clock.now()
    task = store.get_part(dealer_id, lead_id, LeadTask, task_id, "Tâche introuvable.")
    done = task.completed(now, by)
    commit(
        store.touched(dealer_id, lead_id, now),
        store.replaced(dealer_id, lead_id, task, done),
        _event(dealer_id, lead_id, EventKind.TASK_COMPLETED, now, by, LinkedItem(kind=done.part, id=done.id),
               title=done.title),
    )
    return done


# --- documents ------------------------------------------------------------------------

def add_document(dealer_id: str, lead_id: str, command: NewDocument, by: str) -> DocumentUpload:
    """Records the document and hands the browser a URL to PUT exactly the file declared."""
    extension = check_document(command)
    now = clock.now()
    store.get(dealer_id, lead_id)
    document_id = new_id()
    document = LeadDocument(
        id=document_id, title=command.title, filename=command.filename, content_type=command.content_type,
        size_bytes=command.size_bytes, s3_key=storage.lead_document_key(dealer_id, lead_id, document_id, extension),
        created_at=now, created_by=by,
    )
    commit(_recorded(dealer_id, lead_id, document, EventKind.DOCUMENT_ADDED, now, by, title=document.title))
    return DocumentUpload(
        document=document,
        url=storage.upload_url(document.s3_key, document.content_type, document.size_bytes,
                               int(URL_LIFETIME.total_seconds())),
        headers={"Content-Type": document.content_type},
        expires_at=now + URL_LIFETIME,
    )


def download_document(dealer_id: str, lead_id: str, document_id: str) -> DocumentDownload:
    document = store.get_part(dealer_id, lead_id, LeadDocument, document_id, "Document introuvable.")
    if storage.content_type_of(document.s3_key) is None:
        raise NotFound("Le fichier de ce document n'a pas encore été déposé.")
    _check_bytes(document)
    return DocumentDownload(
        url=storage.download_url(document.s3_key, document.filename, int(URL_LIFETIME.total_seconds())),
        expires_at=clock.now() + URL_LIFETIME,
    )


def rename_document(dealer_id: str, lead_id: str, document_id: str, command: RenameDocument,
                    by: str) -> LeadDocument:
    now = clock.now()
    document = store.get_part(dealer_id, lead_id, LeadDocument, document_id, "Document introuvable.")
    renamed = document.renamed(command.title)
    commit(
        store.touched(dealer_id, lead_id, now),
        store.replaced(dealer_id, lead_id, document, renamed),
        _event(dealer_id, lead_id, EventKind.DOCUMENT_RENAMED, now, by, LinkedItem(kind=renamed.part, id=renamed.id),
               old=document.title, title=renamed.title),
    )
    return renamed


def delete_document(dealer_id: str, lead_id: str, document_id: str, by: str) -> None:
    """The record goes first: once it is gone nobody is offered the file, even if S3 keeps it."""
    now = clock.now()
    document = store.get_part(dealer_id, lead_id, LeadDocument, document_id, "Document introuvable.")
    commit(
        store.touched(dealer_id, lead_id, now),
        store.removed(dealer_id, lead_id, document),
        _event(dealer_id, lead_id, EventKind.DOCUMENT_DELETED, now, by, title=document.title),
    )
    if not storage.delete(document.s3_key):
        logger.warning("lead document left in S3 after its record was deleted", extra={"document_id": document.id})


def _check_bytes(document: LeadDocument) -> None:
    """The upload URL signs the declared type, not the bytes: a file declared PDF, JPEG or PNG is read
    (its first bytes) before anyone is offered it."""
    check_declared(document.content_type, storage.first_bytes(document.s3_key, SNIFF_BYTES))


# --- communication ----------------------------------------------------------------------

def send_communication(dealer_id: str, lead_id: str, command: NewCommunication, by: str) -> Communication:
    """An email to a contact of the lead, queued with the action, sent by the table's stream once committed."""
    now = clock.now()
    lead_file = store.aggregate(dealer_id, lead_id)
    contact = lead_file.lead.recipient(command.contact_id)
    attachments = [_attachment(dealer_id, lead_file, command)] if command.attachment_s3_key else []
    sender = dealers.get_user(dealer_id, by)
    message = OutboxMessage(
        dealer_id=dealer_id, channel=Channel.EMAIL, to=contact.email, subject=command.subject, text=command.text,
        reply_to=sender.contact_email, attachments=attachments,
        purpose="lead_communication", created_at=now,
    )
    communication = Communication(
        id=new_id(), contact_id=contact.id, to=contact.email, subject=command.subject, text=command.text,
        attachment_filename=command.attachment_filename, outbox_id=message.id, created_at=now, created_by=by,
    )
    commit(
        _recorded(dealer_id, lead_id, communication, EventKind.EMAIL_SENT, now, by, subject=command.subject),
        outbox_store.new(message),
    )
    return communication


def _attachment(dealer_id: str, lead_file: LeadAggregate, command: NewCommunication) -> Attachment:
    """Only a document of this lead, or a quote file of this dealer, and only once it is in S3."""
    key, filename = command.attachment_s3_key, command.attachment_filename
    assert key is not None and filename is not None  # the command gives both or neither
    check_filename(filename, "attachment_filename")
    is_quote_file = key.startswith(storage.quotes_prefix(dealer_id)) and ".." not in key.split("/")
    document = lead_file.document_at(key)
    if document is None and not is_quote_file:
        raise InvalidInput("La pièce jointe doit être un document de ce lead ou un devis de la concession.",
                           {"attachment_s3_key": "not a document of this lead nor a quote of this dealer"})
    content_type = storage.content_type_of(key)
    if content_type is None:
        raise InvalidInput("Ce fichier n'a pas été déposé.", {"attachment_s3_key": "no such file"})
    if document is not None:
        _check_bytes(document)
    return Attachment(filename=filename, content_type=content_type, s3_key=key)


# --- actions that change the lead itself ------------------------------------------------

def assign(dealer_id: str, lead_id: str, command: Assign, by: str) -> LeadHeader:
    now = clock.now()
    lead = store.get(dealer_id, lead_id)
    owner = _user(dealer_id, command.owner_id, "owner_id") if command.owner_id else None
    branch = dealers.get(dealer_id).branch(command.branch_id) if command.branch_id else None
    after = lead.assigned(owner, branch, now)
    work = UnitOfWork(
        store.edited(lead, after),
        _event(dealer_id, lead_id, EventKind.ASSIGNED, now, by, owner=after.owner.name,
               branch=f" ({after.branch.name})" if after.branch else ""),
    )
    if owner is not None:
        work.add(store.user_still_active(dealer_id, owner.id, "owner_id"))
    work.commit()
    return LeadHeader.of(after, now)


def change_status(dealer_id: str, lead_id: str, command: ChangeStatus, by: str) -> LeadHeader:
    """Won or lost cancels the pending deadline; reopening sets a fresh one from the dealer's delay."""
    now = clock.now()
    lead = store.get(dealer_id, lead_id)
    reopened = None
    if command.status == LeadStatus.OPEN and lead.status != LeadStatus.OPEN:
        reopened = contact_deadline(new_id(), now, dealers.get(dealer_id).settings.lead_deadline_hours, by)
    after = lead.with_status(command.status, command.reason, now, reopened)
    work = UnitOfWork(
        store.edited(lead, after),
        _event(dealer_id, lead_id, EventKind.STATUS_CHANGED, now, by, label=after.status.label,
               reason=f" ({after.lost_reason})" if after.lost_reason else ""),
    )
    if lead.deadline is not None and after.deadline is None:
        pending = store.get_part(dealer_id, lead_id, Deadline, lead.deadline.id, "Échéance introuvable.")
        work.add(store.replaced(dealer_id, lead_id, pending, pending.cancelled()))
    if reopened is not None:
        work.add(store.added(dealer_id, lead_id, reopened))
    work.commit()
    return LeadHeader.of(after, now)


def won_by_acceptance(dealer_id: str, lead_id: str, at: datetime, reference: str) -> list[Write]:
    """The lead's writes when the customer accepts a proposal made from it: won (its pending deadline
    cancelled), with a timeline event; only its last activity moved when it is already won. For the
    acceptance's transaction: the lead's write is conditioned on its version as read here."""
    try:
        lead = store.get(dealer_id, lead_id)
    except NotFound:
        return []  # the lead was deleted: the customer's acceptance does not depend on it
    if lead.status == LeadStatus.WON:
        return store.activity_touched(dealer_id, lead_id, at)
    after = lead.with_status(LeadStatus.WON, None, at, None)
    writes = [store.edited(lead, after),
              _event(dealer_id, lead_id, EventKind.STATUS_CHANGED, at, "customer", label=after.status.label,
                     reason=f" (proposition {reference} acceptée)")]
    if lead.deadline is not None:
        pending = store.get_part(dealer_id, lead_id, Deadline, lead.deadline.id, "Échéance introuvable.")
        writes.append(store.replaced(dealer_id, lead_id, pending, pending.cancelled()))
    return writes


def move_deadline(dealer_id: str, lead_id: str, deadline_id: str, command: MoveDeadline, by: str) -> Deadline:
    now = clock.now()
    lead = store.get(dealer_id, lead_id)
    deadline = store.get_part(dealer_id, lead_id, Deadline, deadline_id, "Échéance introuvable.")
    after = lead.with_deadline_moved(deadline_id, command.due_at, now)
    moved = deadline.moved(command.due_at)
    commit(
        store.edited(lead, after),
        store.replaced(dealer_id, lead_id, deadline, moved),
        _event(dealer_id, lead_id, EventKind.DEADLINE_MOVED, now, by, LinkedItem(kind=moved.part, id=moved.id),
               when=moved.due_at),
    )
    return moved


def record_contact(dealer_id: str, lead_id: str, deadline_id: str, command: RecordContact, by: str) -> Deadline:
    """The follow-up tab: contact made meets the deadline; a failed attempt is counted and it keeps running."""
    now = clock.now()
    lead = store.get(dealer_id, lead_id)
    deadline = store.get_part(dealer_id, lead_id, Deadline, deadline_id, "Échéance introuvable.")
    after = lead.with_contact_recorded(deadline_id, command.contact_made, now)
    recorded = deadline.contact_recorded(command.contact_made, command.note, now)
    kind = EventKind.CONTACT_MADE if command.contact_made else EventKind.CONTACT_ATTEMPTED
    commit(
        store.edited(lead, after),
        store.replaced(dealer_id, lead_id, deadline, recorded),
        _event(dealer_id, lead_id, kind, now, by, LinkedItem(kind=recorded.part, id=recorded.id)),
    )
    return recorded


def add_contact(dealer_id: str, lead_id: str, command: ContactDetails, by: str) -> LeadContact:
    now = clock.now()
    lead = store.get(dealer_id, lead_id)
    contact = LeadContact.from_details(new_id(), command)
    commit(
        store.edited(lead, lead.with_contact_added(contact, now)),
        _event(dealer_id, lead_id, EventKind.CONTACT_ADDED, now, by, LinkedItem(kind="contact", id=contact.id),
               name=contact.name),
    )
    return contact


def change_contact(dealer_id: str, lead_id: str, contact_id: str, command: ContactDetails, by: str) -> LeadContact:
    now = clock.now()
    lead = store.get(dealer_id, lead_id)
    contact = LeadContact.from_details(contact_id, command)
    commit(
        store.edited(lead, lead.with_contact_changed(contact, now)),
        _event(dealer_id, lead_id, EventKind.CONTACT_CHANGED, now, by, LinkedItem(kind="contact", id=contact.id),
               name=contact.name),
    )
    return contact


# --- shared steps -----------------------------------------------------------------------

def _counted(dealer_id: str, lead_id: str, part: TradeIn | TestDrive, action: str, kind: EventKind,
             at: datetime, by: str, **details: Any) -> list[Write]:
    """A part that moves a sale forward (trade-in, test drive; offers: Lead.offer): counted, only on an open lead.

    Reads the lead once to refuse a missing (404) or closed (409) lead by name; the writes
    themselves hold only while the lead is still open.
    """
    store.get(dealer_id, lead_id).require_open(action)
    return _recorded(dealer_id, lead_id, part, kind, at, by, counted=True, **details)


def _recorded(dealer_id: str, lead_id: str, part: LeadPart, kind: EventKind, at: datetime, by: str, *,
              counted: bool = False, when: datetime | None = None, **details: Any) -> list[Write]:
    """A part added to the lead, with its timeline event (store.recorded)."""
    return store.recorded(dealer_id, lead_id, part,
                          event(new_id(), kind, at, by, LinkedItem(kind=part.part, id=part.id), when, **details),
                          counted=counted)


def _event(dealer_id: str, lead_id: str, kind: EventKind, at: datetime, by: str, item: LinkedItem | None = None,
           when: datetime | None = None, **details: Any) -> Write:
    return store.added(dealer_id, lead_id, event(new_id(), kind, at, by, item, when, **details))


def _user(dealer_id: str, user_id: str, field: str) -> User:
    """A user of this dealer named in a request: unknown is bad input on that field, not a missing page."""
    try:
        return dealers.get_user(dealer_id, user_id)
    except NotFound:
        raise InvalidInput("Utilisateur inconnu dans cette concession.", {field: "unknown user"}) from None
