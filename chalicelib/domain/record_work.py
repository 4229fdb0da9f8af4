"""Work a seller keeps on a quote, a proposal or an order (seed 003, a quote's actions: "créer une tâche",
"ajouter des documents"): its tasks, its titled documents (quotes and proposals), and the history
events they leave.

A task is the one task model (domain/tasks.py) with the record it is on. A document is a titled file
(domain/files.py) that waits for its bytes, then is kept only if they are a PDF, a JPEG or a PNG of at
most 10 MB; one marked "to send" goes with the proposal's email when it is sent.
"""
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator

from chalicelib.domain.errors import InvalidInput, InvalidTransition
from chalicelib.domain.files import FileType, TitledDocument, UploadForm, check_upload
from chalicelib.domain.model import Command, Entity
from chalicelib.domain.tasks import Task

# An email carries its attachments base64-encoded; SES takes 40 MB a message: keep well under it.
MAX_TO_SEND_BYTES = 20 * 1024 * 1024


class RecordKind(StrEnum):
    QUOTE = "quote"
    PROPOSAL = "proposal"
    ORDER = "order"

    @property
    def label(self) -> str:
        return {"quote": "Devis", "proposal": "Proposition", "order": "Commande"}[self.value]

    @property
    def keeps_documents(self) -> bool:
        """An order has its own documents, reviewed by back office (domain/orders/documents.py)."""
        return self != RecordKind.ORDER


class RecordRef(Entity):
    """The record a task or document is on, as the task overview shows it."""
    kind: RecordKind
    id: str
    label: str = Field(description="e.g. « Devis D2026-00042 » or « Commande · Hélène Martin »")


class RecordTask(Task):
    record: RecordRef


class DocumentStatus(StrEnum):
    AWAITING_UPLOAD = "awaiting_upload"  # an upload form was issued, the file is not confirmed yet
    READY = "ready"


# A document waits for its file once: confirmed, it is kept (or refused and deleted).
DOCUMENT_TRANSITIONS: dict[DocumentStatus, frozenset[DocumentStatus]] = {
    DocumentStatus.AWAITING_UPLOAD: frozenset({DocumentStatus.READY}),
    DocumentStatus.READY: frozenset(),
}


class RecordDocument(TitledDocument):
    """`content_type` is the declared one until the file is confirmed, then the one read from its bytes."""
    status: DocumentStatus = DocumentStatus.AWAITING_UPLOAD
    to_send: bool = Field(default=False, description="attached to the proposal's email when it is sent")

    def confirmed(self, sniffed: FileType | None, size: int) -> "RecordDocument":
        if DocumentStatus.READY not in DOCUMENT_TRANSITIONS[self.status]:
            raise InvalidTransition("Ce document est déjà confirmé.", {"document_id": "already confirmed"})
        kept = check_upload(sniffed, size)
        return self.model_copy(update={"status": DocumentStatus.READY, "content_type": kept.value,
                                       "size_bytes": size})

    def require_ready(self) -> None:
        if self.status != DocumentStatus.READY:
            raise InvalidInput("Le fichier de ce document n'a pas encore été reçu.", {"document_id": "not uploaded"})

    def changed(self, change: "DocumentChange", others: list["RecordDocument"]) -> "RecordDocument":
        updates = change.model_dump(exclude_unset=True)
        if not updates:
            raise InvalidInput("Rien à modifier.", {"body": "no field given"})
        if updates.get("to_send"):
            self.require_ready()
            check_to_send([*others, self.model_copy(update={"to_send": True})])
        return self.model_copy(update=updates)


def check_to_send(documents: list[RecordDocument]) -> None:
    """What goes with one email stays under MAX_TO_SEND_BYTES."""
    if sum(d.size_bytes for d in documents if d.to_send) > MAX_TO_SEND_BYTES:
        raise InvalidInput("Les documents à envoyer dépassent 20 Mo pour un seul e-mail.",
                           {"to_send": f"over {MAX_TO_SEND_BYTES} bytes in one email"})


class RecordUploadForm(UploadForm):
    document: RecordDocument


class WorkEventKind(StrEnum):
    """What tasks and documents write in their record's history (a proposal's and an order's own history
    take the same kinds: EventKind, OrderEventKind)."""
    TASK_CREATED = "task_created"
    TASK_COMPLETED = "task_completed"
    DOCUMENT_ADDED = "document_added"
    DOCUMENT_RENAMED = "document_renamed"
    DOCUMENT_DELETED = "document_deleted"


class QuoteEvent(Entity):
    """An entry of a quote's history (a quote had none before its tasks and documents)."""
    id: str
    quote_id: str
    kind: WorkEventKind
    at: datetime
    by: str = Field(description="user id")
    details: dict[str, Any] = {}


class RecordWork(Entity):
    """A record's tasks (open first, by due time), documents and, for a quote, its history (oldest first)."""
    record: RecordRef
    tasks: list[RecordTask] = []
    documents: list[RecordDocument] = []
    history: list[QuoteEvent] = []


# --- commands ----------------------------------------------------------------------------

class NewRecordDocument(Command):
    title: str = Field(min_length=1, max_length=120)
    filename: str = Field(min_length=1, max_length=180)
    content_type: FileType = Field(description="what the browser says; the bytes are checked at confirmation")


class DocumentChange(Command):
    """Changes the fields given: a new title, or whether it goes with the proposal's email."""
    title: str | None = Field(default=None, min_length=1, max_length=120)
    to_send: bool | None = None

    @field_validator("title", "to_send")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null")
        return value


