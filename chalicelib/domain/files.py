"""Files people send us: what we accept, judged by the bytes, never by the name or the declared type."""
from enum import StrEnum

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
