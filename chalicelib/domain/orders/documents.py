"""The order's documents: which ones each holder owes, how an upload is checked and reviewed.

A file goes straight to S3 through a presigned POST limited to MAX_BYTES; the server then reads
its first bytes and accepts only the types it recognises (a PDF, a JPEG or a PNG), whatever name or
type the browser gave. Back office then accepts it or rejects it with a reason.
"""
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from chalicelib.domain.errors import InvalidInput, InvalidTransition
from chalicelib.domain.files import FileType, UploadForm, check_upload
from chalicelib.domain.model import Command, Entity
from chalicelib.domain.orders.model import HolderKind

class DocumentKind(StrEnum):
    IDENTITY = "identity"
    PROOF_OF_ADDRESS = "proof_of_address"
    DRIVING_LICENCE = "driving_licence"
    INSURANCE = "insurance_certificate"
    CO_HOLDER_IDENTITY = "co_holder_identity"
    KBIS = "kbis"
    MANAGER_IDENTITY = "manager_identity"
    COLLECTOR_LICENCE = "collector_licence"
    COMPANY_TRANSFER = "company_transfer"
    HANDOVER_SLIP = "handover_slip"
    CERTIFICATE_OF_SALE = "certificate_of_sale"
    BARRED_REGISTRATION = "barred_registration"
    REFUND_IDENTITY = "refund_identity"
    OTHER = "other"


LABELS = {
    DocumentKind.IDENTITY: "Pièce d'identité du titulaire",
    DocumentKind.PROOF_OF_ADDRESS: "Justificatif de domicile",
    DocumentKind.DRIVING_LICENCE: "Permis de conduire",
    DocumentKind.INSURANCE: "Attestation d'assurance",
    DocumentKind.CO_HOLDER_IDENTITY: "Pièce d'identité du cotitulaire",
    DocumentKind.KBIS: "Extrait Kbis",
    DocumentKind.MANAGER_IDENTITY: "Pièce d'identité du gérant",
    DocumentKind.COLLECTOR_LICENCE: "Permis de la personne qui récupère le véhicule",
    DocumentKind.COMPANY_TRANSFER: "Virement fait depuis le compte de la société",
    DocumentKind.HANDOVER_SLIP: "Bon de remise",
    DocumentKind.CERTIFICATE_OF_SALE: "Certificat de cession (cerfa 15776)",
    DocumentKind.BARRED_REGISTRATION: "Carte grise barrée",
    DocumentKind.REFUND_IDENTITY: "Pièce d'identité recto/verso (remboursement)",
    DocumentKind.OTHER: "Autre document",
}

_PERSON = [DocumentKind.IDENTITY, DocumentKind.PROOF_OF_ADDRESS, DocumentKind.DRIVING_LICENCE, DocumentKind.INSURANCE]
REQUIRED_BY_HOLDER: dict[HolderKind, list[DocumentKind]] = {
    HolderKind.INDIVIDUAL: _PERSON,
    HolderKind.CO_HOLDERS: [*_PERSON, DocumentKind.CO_HOLDER_IDENTITY],
    HolderKind.COMPANY: [DocumentKind.KBIS, DocumentKind.MANAGER_IDENTITY, DocumentKind.COLLECTOR_LICENCE,
                         DocumentKind.COMPANY_TRANSFER],
}
# No vehicle is marked sold without them (seed 001, "Jour de la vente").
HANDOVER_DOCUMENTS = [DocumentKind.HANDOVER_SLIP, DocumentKind.CERTIFICATE_OF_SALE, DocumentKind.BARRED_REGISTRATION]


def required_documents(holder: HolderKind | None) -> list[DocumentKind]:
    """What the registration holder owes (nothing known before the holder is)."""
    return list(REQUIRED_BY_HOLDER[holder]) if holder else []


class DocumentStatus(StrEnum):
    AWAITING_UPLOAD = "awaiting_upload"  # an upload form was issued, the file is not confirmed yet
    TO_REVIEW = "to_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class OrderDocument(Entity):
    id: str
    kind: DocumentKind
    filename: str
    declared_type: FileType | None = Field(default=None, description="what the browser said (the customer's "
                                                                   "plain form says nothing)")
    status: DocumentStatus = DocumentStatus.AWAITING_UPLOAD
    s3_key: str
    size: int | None = None
    content_type: FileType | None = Field(default=None, description="the type read from the file's bytes")
    uploaded_by: str
    created_at: datetime
    confirmed_at: datetime | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    rejection_reason: str | None = None

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    def confirmed(self, sniffed: FileType | None, size: int, at: datetime) -> "OrderDocument":
        if self.status != DocumentStatus.AWAITING_UPLOAD:
            raise InvalidTransition("Ce document est déjà confirmé.")
        kept = check_upload(sniffed, size)
        return self.model_copy(update={"status": DocumentStatus.TO_REVIEW, "content_type": kept, "size": size,
                                       "confirmed_at": at})

    def reviewed(self, accepted: bool, reason: str | None, by: str, at: datetime) -> "OrderDocument":
        if self.status != DocumentStatus.TO_REVIEW:
            raise InvalidTransition("Seul un document reçu et pas encore contrôlé s'accepte ou se refuse.")
        why = (reason or "").strip()
        if not accepted and not why:
            raise InvalidInput("Dites au client pourquoi le document est refusé.", {"reason": "required"})
        return self.model_copy(update={
            "status": DocumentStatus.ACCEPTED if accepted else DocumentStatus.REJECTED,
            "rejection_reason": None if accepted else why, "reviewed_by": by, "reviewed_at": at})


def missing(kinds: list[DocumentKind], documents: list[OrderDocument]) -> list[DocumentKind]:
    """The kinds among `kinds` with no accepted document."""
    accepted = {d.kind for d in documents if d.status == DocumentStatus.ACCEPTED}
    return [k for k in kinds if k not in accepted]


class NewOrderDocument(Command):
    kind: DocumentKind
    filename: str = Field(min_length=1, max_length=200)
    content_type: FileType = Field(description="what the browser says; the bytes are checked at confirmation")


class OrderUploadForm(UploadForm):
    document: OrderDocument


class DocumentReview(Command):
    accepted: bool
    reason: str | None = Field(default=None, max_length=500)




