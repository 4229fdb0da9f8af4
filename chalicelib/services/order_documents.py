"""An order's documents: upload straight to S3, confirm (the server reads the bytes), review.

1. `request_upload`: a document waiting for its file, and a presigned POST (≤ 10 MB, private,
   under the dealer's prefix) the browser sends the file with.
2. `confirm_upload`: the server reads the object's first bytes; only a PDF, a JPEG or a PNG is kept
   (anything else is deleted and refused, whatever its name or declared type).
3. `review`: back office (or a manager, an admin) accepts it, or rejects it with a reason.
"""
from datetime import timedelta

from chalicelib.documents import storage
from chalicelib.domain import clock
from chalicelib.domain.dealers import Staff
from chalicelib.domain.errors import InvalidInput, InvalidTransition
from chalicelib.domain.ids import new_id
from chalicelib.domain.files import EXTENSIONS, MAX_BYTES, SNIFF_BYTES, DocumentDownload, sniff
from chalicelib.domain.orders.documents import (
    DocumentReview, DocumentStatus, NewOrderDocument, OrderDocument, OrderUploadForm,
)
from chalicelib.domain.orders.events import OrderEventKind
from chalicelib.domain.orders.model import OrderStatus
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.services import order_notices
from chalicelib.services.orders import order_event, require_office
from chalicelib.store import leads as lead_store
from chalicelib.store import orders as store
from chalicelib.store import outbox as outbox_store
from chalicelib.store.unit_of_work import commit

UPLOAD_SECONDS = 900
DOWNLOAD_SECONDS = 300  # long enough to open, short enough that a forwarded link soon dies


def request_upload(dealer_id: str, order_id: str, command: NewOrderDocument, by: Staff) -> OrderUploadForm:
    order = store.get(dealer_id, order_id)
    if order.status == OrderStatus.CANCELLED:
        raise InvalidTransition("Commande annulée : elle ne reçoit plus de documents.")
    now, document_id = clock.now(), new_id()
    key = storage.order_document_key(dealer_id, order_id, document_id, EXTENSIONS[command.content_type])
    document = OrderDocument(id=document_id, kind=command.kind, filename=command.filename,
                             declared_type=command.content_type, s3_key=key, uploaded_by=by.user_id, created_at=now)
    form = storage.upload_form(key, command.content_type.value, MAX_BYTES, UPLOAD_SECONDS, pending=True)
    commit(store.document_added(order, document))
    return OrderUploadForm(document=document, url=form["url"], fields=form["fields"], expires_in=UPLOAD_SECONDS)


def confirm_upload(dealer_id: str, order_id: str, document_id: str, by: Staff) -> OrderDocument:
    agg = store.aggregate(dealer_id, order_id)
    document = agg.document(document_id)
    size = storage.size_of(document.s3_key)
    if size is None:
        raise InvalidInput("Aucun fichier reçu pour ce document : envoyez-le puis confirmez.", {"file": "missing"})
    now = clock.now()
    try:
        confirmed = document.confirmed(sniff(storage.first_bytes(document.s3_key, SNIFF_BYTES)), size, now)
    except InvalidInput:
        storage.delete(document.s3_key)  # never keep a file we refused
        raise
    event = order_event(agg.order, OrderEventKind.DOCUMENT_RECEIVED, by.user_id, now, document_id=document.id,
                   kind=document.kind.value)
    storage.confirmed(document.s3_key)  # before the commit: a kept file is never left to the lifecycle rule
    commit(store.document_changed(agg.order, confirmed, DocumentStatus.AWAITING_UPLOAD),
           store.event_added(agg.order, event), lead_store.activity_touched(dealer_id, agg.order.lead_id, now))
    return confirmed


def review(dealer_id: str, order_id: str, document_id: str, command: DocumentReview, by: Staff) -> OrderDocument:
    require_office(by)
    agg = store.aggregate(dealer_id, order_id)
    document = agg.document(document_id)
    now = clock.now()
    reviewed = document.reviewed(command.accepted, command.reason, by.user_id, now)
    kind = OrderEventKind.DOCUMENT_ACCEPTED if command.accepted else OrderEventKind.DOCUMENT_REJECTED
    event = order_event(agg.order, kind, by.user_id, now, document_id=document.id, kind=document.kind.value,
                   reason=reviewed.rejection_reason)
    messages: list[OutboxMessage] = []
    if not command.accepted:  # the seller asks the customer for another one
        subject = f"Document refusé : {document.label} ({order_notices.describe(agg.order)})"
        messages, _ = order_notices.tell(
            agg.order, [agg.order.seller_id], subject,
            f"« {document.label} » ({document.filename}) est refusé : {reviewed.rejection_reason}\n"
            "Demandez-en un autre au client.", "order_document_rejected", now)
    commit(store.document_changed(agg.order, reviewed, DocumentStatus.TO_REVIEW), store.event_added(agg.order, event),
           [outbox_store.new(m) for m in messages], lead_store.activity_touched(dealer_id, agg.order.lead_id, now))
    return reviewed


def download(dealer_id: str, order_id: str, document_id: str) -> DocumentDownload:
    """For the dealer's staff: a 5-minute link to a received document (another dealer's ids: not found)."""
    document = store.aggregate(dealer_id, order_id).document(document_id)
    if document.status == DocumentStatus.AWAITING_UPLOAD:
        raise InvalidInput("Ce document n'a pas encore été reçu.", {"document_id": "not uploaded"})
    url = storage.download_url(document.s3_key, document.filename, DOWNLOAD_SECONDS)
    return DocumentDownload(url=url, expires_at=clock.now() + timedelta(seconds=DOWNLOAD_SECONDS))
