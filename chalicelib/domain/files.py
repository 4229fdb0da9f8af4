"""Files people send us: what we accept, judged by the bytes, never by the name or the declared type."""
from datetime import datetime
from enum import StrEnum
from typing import Self

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.model import Entity

MAX_BYTES = 10 * 1024 * 1024
SNIFF_BYTES = 16


class FileType(StrEnum):
    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"


EXTENSIONS = {FileType.PDF: ".pdf", FileType.JPEG: ".jpg", FileType.PNG: ".png"}


def sniff(first_bytes: bytes) -> FileType | None:
    """The file's real type from its magic number, or None for anything else."""
    if first_bytes.startswith(b"%PDF-"):
        return FileType.PDF
    if first_bytes.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if first_bytes.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    return None


def check_declared(declared: str, first_bytes: bytes) -> None:
    """A file declared as a type we can tell by its bytes (PDF, JPEG, PNG) really is one. Other declared
    types (a lead's DOCX or TXT) are left to the checks made on their name."""
    if declared in FileType.__members__.values() and sniff(first_bytes) != FileType(declared):
        raise InvalidInput("Ce fichier n'est pas du type annoncé : il n'est ni téléchargé ni envoyé.",
                           {"file": "not the declared type"})


def check_upload(sniffed: FileType | None, size: int) -> FileType:
    """An uploaded file we keep: a type we recognise from its bytes, and at most MAX_BYTES."""
    if sniffed is None:
        raise InvalidInput("Ce fichier n'est ni un PDF, ni une image JPEG ou PNG.", {"file": "unsupported type"})
    if not 0 < size <= MAX_BYTES:
        raise InvalidInput("Le fichier dépasse 10 Mo.", {"file": "too large"})
    return sniffed


class TitledDocument(Entity):
    """A file a seller keeps on a record under a title (a lead's, a quote's, a proposal's document)."""
    id: str
    title: str
    filename: str
    content_type: str
    size_bytes: int
    s3_key: str
    created_at: datetime
    created_by: str

    def renamed(self, title: str) -> Self:
        return self.model_copy(update={"title": title})


class UploadForm(Entity):
    """A presigned POST for a new document (an order's, a quote's or a proposal's): the browser sends `fields`
    and the file (last) as multipart to `url`, then confirms. Each kind of record adds its `document` (a
    subclass, not a pydantic generic: parametrising one at import builds it, which the cold start forbids)."""
    url: str
    fields: dict[str, str]
    max_bytes: int = MAX_BYTES
    expires_in: int


class DocumentDownload(Entity):
    """A short-lived link that downloads a received file under its file name (a lead's, an order's, a quote's or a
    proposal's)."""
    url: str
    expires_at: datetime
