"""The dealer's terms in tests: a small PDF to upload, its upload through HTTP, and the text of each page of a
PDF read back."""
from datetime import datetime, timezone
from io import BytesIO

from tests.support import Api, body


def terms_pdf(title: str = "CGV VEHICULES", pages: int = 2) -> bytes:
    """A PDF of `pages` pages, each saying its title and number (Latin-1 core font: pypdf reads it back)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime(2026, 1, 5, tzinfo=timezone.utc))  # the same bytes every time
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.cell(0, 10, f"{title} - ARTICLE {number}")
    return bytes(pdf.output())


def encrypted(pdf: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    writer.encrypt("secret")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def pages_text(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def upload(api: Api, data: bytes, kind: str = "vehicle", content_type: str = "application/pdf",
           title: str = "CGV véhicules d'occasion"):
    """As the settings screen does: the presigned POST straight to S3, then the confirmation."""
    import requests

    answer = api.post("/dealer/terms/uploads", {"kind": kind, "title": title,
                                               "filename": "cgv-vo.pdf", "content_type": content_type})
    if answer.status_code != 201:
        return answer
    form = body(answer)
    stored = requests.post(form["url"], data=form["fields"], files={"file": ("cgv-vo.pdf", data, content_type)},
                           timeout=10)
    assert stored.status_code in (200, 201, 204), stored.text
    return api.post(f"/dealer/terms/uploads/{form['document']['id']}/confirm")
