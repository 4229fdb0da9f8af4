"""POST /verify: anyone holding a signed PDF (the customer, the dealer, a judge) has it re-checked.

Public, as the PDF is meant to be the proof on its own: no account is needed to learn whether a file
is still the one Offerline sealed. The body is the PDF itself (application/pdf, or
application/octet-stream), at most the API's body limit (1 MB, `max_body_bytes`, answered 413 by the
middleware before any parsing); anything that is not a PDF by its bytes is a 400. The answer says each
proof apart (seal, timestamp, embedded evidence chain, Offerline's stored head) and what changed.
"""
from chalice import Blueprint

from chalicelib.api.http import endpoint
from chalicelib.api.middleware import UnsupportedMediaType
from chalicelib.services import verification

verification_api = Blueprint(__name__)

PDF_MEDIA = "application/pdf"
_BINARY = (PDF_MEDIA, "application/octet-stream")


@endpoint(verification_api, "/verify", method="POST", tag="verification", body_media=PDF_MEDIA,
          summary="Re-checks a signed PDF (body: the PDF): seal, timestamp, embedded evidence chain and the head "
                  "Offerline stores; says what, if anything, was changed",
          response=verification.PdfVerification)
def verify_pdf():
    request = verification_api.current_request
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media not in _BINARY:
        raise UnsupportedMediaType("Envoyez le PDF lui-même (Content-Type: application/pdf).",
                                   {"body": "expected application/pdf"})
    return verification.check_pdf(request.raw_body or b"")
