"""The dealer's terms as PDF pages: checked once uploaded, appended to the proposal document they apply to.

pypdf (pinned with factur-x) is imported on first use: app.py's cold start never pays for it. Its output
is deterministic (the file identifier is a hash of the content): the same document and terms give the
same bytes, as documents/pdf.py promises for the document alone, so a proposal version rendered twice
(two requests at once) is still the one file whose SHA-256 was recorded.
"""
from io import BytesIO


def pages_of(data: bytes) -> int | None:
    """How many pages the PDF has; None when it cannot be read or is encrypted (its pages could not be copied
    into a proposal)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            return None
        return len(reader.pages)
    except Exception:  # noqa: BLE001 - whatever the parser trips on means one thing: not a PDF we can append
        return None


def with_terms(document: bytes, terms: list[bytes]) -> bytes:
    """The proposal document (its metadata kept) followed by every page of each terms PDF, in order."""
    if not terms:
        return document
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(document)))
    for pdf in terms:
        writer.append(PdfReader(BytesIO(pdf), strict=False))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
