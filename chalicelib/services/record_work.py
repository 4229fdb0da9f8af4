"""Use cases of the work kept on a quote, a proposal or an order: tasks (all three), titled documents
(quotes and proposals). Tenant id first; a record of another dealer is a 404.

Each action commits one unit of work: the part it adds or changes, the record's history event (a
quote's own, a proposal's or an order's history), and a guard that the record still exists.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.documents import storage
from chalicelib.domain import clock
from chalicelib.domain.dealers import Staff, User
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.files import EXTENSIONS, MAX_BYTES, SNIFF_BYTES, DocumentDownload, sniff
from chalicelib.domain.ids import new_id
from chalicelib.domain.orders.events import OrderEventKind
from chalicelib.domain.orders.model import Order
from chalicelib.domain.outbox import Attachment
from chalicelib.domain.proposals.model import EventKind as ProposalEventKind
from chalicelib.domain.record_work import (
    DocumentChange, DocumentStatus, NewRecordDocument, QuoteEvent, RecordDocument, RecordKind,
    RecordRef, RecordTask, RecordUploadForm, RecordWork, WorkEventKind,
)
from chalicelib.domain.tasks import NewTask, PersonRef, require_active
from chalicelib.observability import logger
from chalicelib.services.orders import order_event
from chalicelib.store import dealers as dealer_store
from chalicelib.store import leads as lead_store
from chalicelib.store import orders as order_store
from chalicelib.store import proposals as proposal_store
from chalicelib.store import quotes as quote_store
from chalicelib.store import record_work as store
from chalicelib.store.unit_of_work import Write, commit

UPLOAD_SECONDS = 900      # long enough to pick a file on a slow phone
DOWNLOAD_SECONDS = 300    # a leaked link soon dies


@dataclass(frozen=True)
class Record:
    ref: RecordRef
    seller_id: str
    order: Order | None = None  # an order's history event is written with the order it belongs to


def record(dealer_id: str, kind: RecordKind, record_id: str) -> Record:
    """The record, read in the caller's dealer only (another dealer's id: not found)."""
    if kind == RecordKind.QUOTE:
        quote = quote_store.get(dealer_id, record_id)
        return Record(RecordRef(kind=kind, id=quote.id, label=f"Devis {quote.number}"), quote.seller_id)
    if kind == RecordKind.PROPOSAL:
        proposal = proposal_store.get(dealer_id, record_id)
        name = f"{proposal.customer.first_name} {proposal.customer.last_name}"
        return Record(RecordRef(kind=kind, id=proposal.id, label=f"Proposition {proposal.reference} · {name}"),
                      proposal.seller_id)
    order = order_store.get(dealer_id, record_id)
    return Record(RecordRef(kind=kind, id=order.id, label=f"Commande · {order.customer.name}"), order.seller_id,
                  order)


def work(dealer_id: str, kind: RecordKind, record_id: str) -> RecordWork:
    return store.work(dealer_id, record(dealer_id, kind, record_id).ref)


# --- tasks --------------------------------------------------------------------------------

def add_task(dealer_id: str, kind: RecordKind, record_id: str, command: NewTask, by: Staff) -> RecordTask:
    now = clock.now()
    on = record(dealer_id, kind, record_id)
    assignee = require_active(_user(dealer_id, command.assignee_id or on.seller_id, "assignee_id"), "assignee_id")
    task = RecordTask.new(new_id(), command.title, command.due_at, PersonRef.of(assignee), now, by.user_id,
                          record=on.ref)
    commit(store.task_added(dealer_id, task), store.record_exists(dealer_id, on.ref),
           lead_store.user_still_active(dealer_id, assignee.id, "assignee_id"),
           _history(dealer_id, on, WorkEventKind.TASK_CREATED, now, by.user_id, task_id=task.id, title=task.title,
                    due_at=task.due_at.isoformat(), assignee=assignee.name))
    return task


def complete_task(dealer_id: str, kind: RecordKind, record_id: str, task_id: str, by: Staff) -> RecordTask:
    now = clock.now()
    on = record(dealer_id, kind, record_id)
    task = store.task(dealer_id, on.ref, task_id)
    done = task.completed(now, by.user_id)
    commit(store.task_replaced(dealer_id, task, done),
           _history(dealer_id, on, WorkEventKind.TASK_COMPLETED, now, by.user_id, task_id=task.id, title=task.title))
    return done


# --- documents ----------------------------------------------------------------------------

def request_upload(dealer_id: str, kind: RecordKind, record_id: str, command: NewRecordDocument,
                   by: Staff) -> RecordUploadForm:
    """A document waiting for its file, and a presigned POST (≤ 10 MB, private, under the dealer's prefix)."""
    on = _keeping_documents(dealer_id, kind, record_id)
    document_id = new_id()
    key = storage.record_document_key(dealer_id, kind, record_id, document_id, EXTENSIONS[command.content_type])
    document = RecordDocument(id=document_id, title=command.title, filename=command.filename,
                              content_type=command.content_type.value, size_bytes=0, s3_key=key,
                              created_at=clock.now(), created_by=by.user_id)
    form = storage.upload_form(key, command.content_type.value, MAX_BYTES, UPLOAD_SECONDS, pending=True)
    commit(store.document_added(dealer_id, on.ref, document), store.record_exists(dealer_id, on.ref))
    return RecordUploadForm(document=document, url=form["url"], fields=form["fields"], expires_in=UPLOAD_SECONDS)


def confirm_upload(dealer_id: str, kind: RecordKind, record_id: str, document_id: str,
                   by: Staff) -> RecordDocument:
    """Reads the file's first bytes: only a PDF, a JPEG or a PNG of at most 10 MB is kept; anything else is
    deleted from S3 and refused, whatever its name or declared type."""
    on = _keeping_documents(dealer_id, kind, record_id)
    document = store.document(dealer_id, on.ref, document_id)
    size = storage.size_of(document.s3_key)
    if size is None:
        raise InvalidInput("Aucun fichier reçu pour ce document : envoyez-le puis confirmez.", {"file": "missing"})
    try:
        confirmed = document.confirmed(sniff(storage.first_bytes(document.s3_key, SNIFF_BYTES)), size)
    except InvalidInput:
        storage.delete(document.s3_key)  # never keep a file we refused
        raise
    storage.confirmed(document.s3_key)  # before the commit: a kept file is never left to the lifecycle rule
    commit(store.document_replaced(dealer_id, on.ref, document, confirmed),
           _history(dealer_id, on, WorkEventKind.DOCUMENT_ADDED, clock.now(), by.user_id, document_id=document.id,
                    title=document.title))
    return confirmed


def download(dealer_id: str, kind: RecordKind, record_id: str, document_id: str) -> DocumentDownload:
    on = _keeping_documents(dealer_id, kind, record_id)
    document = store.document(dealer_id, on.ref, document_id)
    document.require_ready()
    return DocumentDownload(url=storage.download_url(document.s3_key, document.filename, DOWNLOAD_SECONDS),
                            expires_at=clock.now() + timedelta(seconds=DOWNLOAD_SECONDS))


def change_document(dealer_id: str, kind: RecordKind, record_id: str, document_id: str, command: DocumentChange,
                    by: Staff) -> RecordDocument:
    """A new title (recorded in the history), or whether it goes with the proposal's email."""
    on = _keeping_documents(dealer_id, kind, record_id)
    documents = store.work(dealer_id, on.ref).documents
    document = next((d for d in documents if d.id == document_id), None)
    if document is None:
        raise NotFound("Document introuvable.")
    changed = document.changed(command, [d for d in documents if d.id != document_id])
    writes: list[Write] = [store.document_replaced(dealer_id, on.ref, document, changed)]
    if changed.title != document.title:
        writes.append(_history(dealer_id, on, WorkEventKind.DOCUMENT_RENAMED, clock.now(), by.user_id,
                               document_id=document.id, old=document.title, title=changed.title))
    commit(writes)
    return changed


def delete_document(dealer_id: str, kind: RecordKind, record_id: str, document_id: str, by: Staff) -> None:
    """The record goes first: once it is gone nobody is offered the file, even if S3 keeps it."""
    on = _keeping_documents(dealer_id, kind, record_id)
    document = store.document(dealer_id, on.ref, document_id)
    commit(store.document_removed(dealer_id, on.ref, document),
           _history(dealer_id, on, WorkEventKind.DOCUMENT_DELETED, clock.now(), by.user_id, document_id=document.id,
                    title=document.title))
    if not storage.delete(document.s3_key):
        logger.warning("record document left in S3 after its record was deleted", extra={"document_id": document.id})


def attachments_to_send(dealer_id: str, proposal_id: str) -> list[Attachment]:
    """The proposal's documents marked "to send", received and checked: they go with its email."""
    ref = RecordRef(kind=RecordKind.PROPOSAL, id=proposal_id, label="")
    return [Attachment(filename=d.filename, content_type=d.content_type, s3_key=d.s3_key)
            for d in store.work(dealer_id, ref).documents if d.to_send and d.status == DocumentStatus.READY]


# --- helpers ------------------------------------------------------------------------------

def _keeping_documents(dealer_id: str, kind: RecordKind, record_id: str) -> Record:
    if not kind.keeps_documents:
        raise NotFound("Une commande garde ses documents dans sa liste de pièces.")
    return record(dealer_id, kind, record_id)


def _history(dealer_id: str, on: Record, kind: WorkEventKind, at: datetime, by: str, **details: Any) -> Write:
    """The event in the record's own history: a quote's, a proposal's, an order's."""
    if on.ref.kind == RecordKind.QUOTE:
        return store.quote_event_added(dealer_id, QuoteEvent(id=new_id(), quote_id=on.ref.id, kind=kind, at=at,
                                                             by=by, details=details))
    if on.ref.kind == RecordKind.PROPOSAL:
        return proposal_store.record_event(dealer_id, on.ref.id, ProposalEventKind(kind.value), at, details, by=by)
    assert on.order is not None  # record() reads the order of an order's work
    return order_store.event_added(on.order, order_event(on.order, OrderEventKind(kind.value), by, at, **details))


def _user(dealer_id: str, user_id: str, field: str) -> User:
    try:
        return dealer_store.get_user(dealer_id, user_id)
    except NotFound:
        raise InvalidInput("Utilisateur inconnu dans cette concession.", {field: "unknown user"}) from None
