"""The customer's side of the order on the proposal's link: its steps, its documents, what is left to pay.

Once the proposal is accepted, its link leads to the order it opened (`/p/{token}/commande`). The
customer sends each document the order asks for from a plain HTML form posting the file straight to
S3 (a presigned POST, no script; docs/decisions.md): S3 stores it under a fresh document id and sends
the browser back to the portal with that id, the kind and a MAC of both made for this link. Only then
does the document exist: the server reads the object's size and first bytes and keeps it under the
order's one rule (`OrderDocument.confirmed`, as the back office's uploads); anything else is deleted
and nothing is written. A kept document, its order event, the back office's notice and the evidence
event (time, IP, user agent on the proposal's chain) are one unit of work.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from ulid import ULID

from chalicelib.documents import storage
from chalicelib.domain import evidence
from chalicelib.domain.customers import AccountKind
from chalicelib.domain.dealers import BalanceSettings, Role
from chalicelib.domain.errors import AlreadyExists, InvalidInput, InvalidTransition, NotFound
from chalicelib.domain.files import EXTENSIONS, MAX_BYTES, SNIFF_BYTES, sniff
from chalicelib.domain.links import PortalState
from chalicelib.domain.orders.documents import (
    LABELS, DocumentKind, DocumentStatus, OrderDocument, required_documents,
)
from chalicelib.domain.orders.events import OrderEventKind
from chalicelib.domain.orders.model import DeliveryMode, HolderKind, Order, OrderPayment, OrderStatus
from chalicelib.domain.proposals.model import Proposal
from chalicelib.portal.security import csrf_token, require_csrf
from chalicelib.services import order_notices
from chalicelib.services.orders import order_event
from chalicelib.services.visit import Opened, Record, Visit, Visitor, commit, look, retried
from chalicelib.settings import settings
from chalicelib.store import dealers as dealer_store
from chalicelib.store import orders as order_store
from chalicelib.store.orders import OrderAggregate

UPLOAD_SECONDS = 1800  # a phone's camera and a slow network: the form stays usable half an hour
DOWNLOAD_SECONDS = 300
FUNDS_AHEAD = timedelta(hours=48)  # seed 001: "Fond reçu 48h avant RDV ou livraison"
CUSTOMER = "customer"  # who did it, in the order's history
CLOSED = (OrderStatus.CANCELLED, OrderStatus.CANCELLING, OrderStatus.SOLD)  # no more documents from the customer


# --- what the page shows ----------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    label: str
    at: datetime | None
    done: bool
    detail: str = ""


@dataclass(frozen=True)
class DocumentRequest:
    """One document the order asks for: its latest upload (if any) and, when one is (again) expected, the
    form that sends it."""
    kind: DocumentKind
    label: str
    latest: OrderDocument | None
    form: dict[str, Any] | None = None

    @property
    def status(self) -> DocumentStatus | None:
        return self.latest.status if self.latest else None


@dataclass(frozen=True)
class OrderPortal:
    order: Order
    steps: list[Step]
    requests: list[DocumentRequest]
    payments: list[OrderPayment]
    funds_deadline: datetime
    left_to_pay_cents: int
    bank: BalanceSettings
    transfer_reference: str

    @property
    def iban_grouped(self) -> str:
        """The dealer's IBAN in full, by groups of four, as a bank's form shows it."""
        iban = self.bank.iban or ""
        return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))

    @property
    def missing(self) -> list[DocumentRequest]:
        return [r for r in self.requests if r.status != DocumentStatus.ACCEPTED]

    @property
    def open(self) -> bool:
        return self.order.status not in (OrderStatus.CANCELLED, OrderStatus.CANCELLING)

    @property
    def card_payable(self) -> bool:
        """The page offers to pay the balance by card (services/balance.py decides again on the post)."""
        return self.bank.card_enabled and self.left_to_pay_cents > 0 and self.order.status not in CLOSED


def customer_documents(order: Order) -> list[DocumentKind]:
    """What the customer owes: the holder's documents; before the seller records the holder, the buyer's own
    (a person is the holder, a company registers in its name)."""
    if order.holder is not None:
        return required_documents(order.holder.kind)
    kind = HolderKind.COMPANY if order.customer.kind == AccountKind.COMPANY else HolderKind.INDIVIDUAL
    return required_documents(kind)


def order_of(proposal: Proposal) -> OrderAggregate | None:
    """The order the proposal's acceptance opened (none without a vehicle line)."""
    order_id = order_store.opened_from(proposal.dealer_id, "proposal", proposal.id)
    return order_store.aggregate(proposal.dealer_id, order_id) if order_id else None


def shown(visit: Visit, page_url: str) -> OrderPortal | None:
    """The order as its page shows it, with an upload form (redirecting to `page_url`'s receipt route) for
    each document still expected; None before the acceptance or without an order."""
    if visit.state != PortalState.ACCEPTED_VIEW or visit.proposal is None:
        return None
    agg = order_of(visit.proposal)
    if agg is None:
        return None
    order = agg.order
    accepting = order.status not in CLOSED
    requests = []
    for kind in customer_documents(order):
        mine = sorted((d for d in agg.documents if d.kind == kind and d.status != DocumentStatus.AWAITING_UPLOAD),
                      key=lambda d: d.created_at)
        latest = mine[-1] if mine else None
        expected = latest is None or latest.status == DocumentStatus.REJECTED
        form = _upload_form(visit.token_hash, order, kind, page_url) if expected and accepting else None
        requests.append(DocumentRequest(kind, LABELS[kind], latest, form))
    funds_deadline = order.handover_at - FUNDS_AHEAD
    left = order.left_to_pay_cents
    bank = dealer_store.get(order.dealer_id).settings.balance
    return OrderPortal(order, _steps(order, requests, funds_deadline), requests,
                       sorted(agg.payments, key=lambda p: p.received_at), funds_deadline, left, bank,
                       transfer_reference(visit.proposal))


def transfer_reference(proposal: Proposal) -> str:
    """What the customer writes as the transfer's reference, so the back office matches it to the order."""
    return f"SOLDE {proposal.reference}"


def _steps(order: Order, requests: list[DocumentRequest], funds_deadline: datetime) -> list[Step]:
    documents_done = all(r.status == DocumentStatus.ACCEPTED for r in requests)
    home = order.delivery is not None and order.delivery.mode == DeliveryMode.HOME
    handed = order.handed_over_at is not None
    return [
        Step("Commande réservée", order.reserved_at, True),
        Step("Documents validés", order.handover_at - timedelta(days=3), documents_done,
             "Vos documents sont à envoyer au plus tard 3 jours avant la remise du véhicule."),
        Step("Fonds reçus", order.funds_received_at or funds_deadline, order.funds_received_at is not None,
             "Le solde doit être reçu 48 heures avant le rendez-vous, sinon le rendez-vous est reporté."),
        Step("Livraison à domicile" if home else "Rendez-vous de remise", order.handover_at,
             order.status != OrderStatus.RESERVED,
             (order.delivery.address or "") if home and order.delivery else ""),
        Step("Véhicule remis", order.handed_over_at or order.handover_at, handed),
    ]


def _receipt_proof(token_hash: str, kind: DocumentKind, document_id: str) -> str:
    return csrf_token(settings().csrf_secret, token_hash, f"document:{kind.value}:{document_id}")


def _upload_form(token_hash: str, order: Order, kind: DocumentKind, page_url: str) -> dict[str, Any]:
    """A presigned POST for one new document of `kind` (≤ MAX_BYTES, private, under the dealer's prefix);
    S3 sends the browser back to the receipt route with the document's id and its proof."""
    document_id = str(ULID())
    key = storage.order_document_key(order.dealer_id, order.id, document_id, "")
    query = urlencode({"kind": kind.value, "document": document_id,
                       "proof": _receipt_proof(token_hash, kind, document_id)})
    return storage.upload_form(key, None, MAX_BYTES, UPLOAD_SECONDS, redirect=f"{page_url}/document?{query}",
                               pending=True)


def page_url(token: str) -> str:
    """The order page's absolute address (S3 redirects the browser there, so it must be absolute)."""
    return f"{settings().public_base_url}/p/{quote(token, safe='')}/commande"


# --- an upload comes back ---------------------------------------------------------------------

def received(token: str, params: dict[str, str], visitor: Visitor) -> OrderDocument:
    """S3 stored a file and sent the browser back: keep it if it is a PDF, a JPEG or a PNG of at most
    10 MB (the order's rule), else delete it and say why. Loading the address again shows the same."""
    return retried(lambda: _received(token, params, visitor))


def _received(token: str, params: dict[str, str], visitor: Visitor) -> OrderDocument:
    opened = look(token).require(PortalState.ACCEPTED_VIEW)
    kind, document_id = _checked_receipt(opened, params)
    agg = order_of(opened.proposal)
    if agg is None:
        raise NotFound("Aucune commande n'est liée à cette proposition.")
    already = next((d for d in agg.documents if d.id == document_id), None)
    if already is not None:
        return already
    order = agg.order
    key = storage.order_document_key(order.dealer_id, order.id, document_id, "")
    if order.status in CLOSED:
        storage.delete(key)  # sent from a page shown before the order closed: not kept
        raise InvalidTransition("Cette commande ne reçoit plus de documents.")
    size = storage.size_of(key)
    if size is None:
        raise InvalidInput("Aucun fichier n'a été reçu : choisissez-le, puis envoyez-le.", {"file": "missing"})
    now = opened.now
    sniffed = sniff(storage.first_bytes(key, SNIFF_BYTES)) if size else None
    extension = EXTENSIONS[sniffed] if sniffed else ""
    waiting = OrderDocument(id=document_id, kind=kind, filename=f"{kind.value}{extension}", s3_key=key,
                            uploaded_by=CUSTOMER, created_at=now)
    try:
        document = waiting.confirmed(sniffed, size, now)
    except InvalidInput:
        storage.delete(key)  # never keep a file we refused
        raise
    record = Record(opened.aggregate, visitor, now)
    record.proof(evidence.EventKind.DOCUMENT_UPLOADED, {
        "order_id": order.id, "document_id": document.id, "document_kind": kind.value, "size": size,
        "content_type": document.content_type.value if document.content_type else None})
    event = order_event(order, OrderEventKind.DOCUMENT_RECEIVED, CUSTOMER, now, document_id=document.id,
                        kind=kind.value)
    storage.confirmed(key)  # before the commit: a kept file is never left to the lifecycle rule
    messages, _ = order_notices.tell(
        order, order_notices.assignees(order, Role.BACK_OFFICE),
        f"Document reçu du client : {document.label} ({order_notices.describe(order)})",
        f"Le client a envoyé « {document.label} » depuis son lien. Contrôlez-le : acceptez-le ou refusez-le "
        "en disant pourquoi.", "order_document_received", now)
    try:
        commit([*record.saved(allowed=(opened.proposal.status,)), order_store.document_added(order, document),
                order_store.event_added(order, event)], messages)
    except AlreadyExists:
        # The same return loaded twice at once: the other request kept it.
        return order_store.aggregate(order.dealer_id, order.id).document(document_id)
    return document


def _checked_receipt(opened: Opened, params: dict[str, str]) -> tuple[DocumentKind, str]:
    """The kind and id S3 sent back, as this link's page made them (a MAC over both): nothing else is read."""
    try:
        kind = DocumentKind(params.get("kind") or "")
        document_id = str(ULID.from_str(params.get("document") or ""))
    except ValueError:
        raise NotFound("Document introuvable.") from None
    require_csrf(settings().csrf_secret, opened.token_hash, f"document:{kind.value}:{document_id}",
                 params.get("proof"))
    return kind, document_id


def download(token: str, document_id: str) -> str:
    """A short-lived link to one of the customer's documents on this order (another's: not found)."""
    opened = look(token).require(PortalState.ACCEPTED_VIEW)
    agg = order_of(opened.proposal)
    if agg is None:
        raise NotFound("Document introuvable.")
    document = agg.document(document_id)
    if document.status == DocumentStatus.AWAITING_UPLOAD:
        raise NotFound("Document introuvable.")
    return storage.download_url(document.s3_key, document.filename, DOWNLOAD_SECONDS)
