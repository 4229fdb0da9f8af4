"""Files in the documents bucket (S3)."""
from urllib.parse import quote

from botocore.exceptions import ClientError

from chalicelib.clients import client
from chalicelib.settings import settings


def put(key: str, data: bytes, content_type: str) -> None:
    client("s3").put_object(
        Bucket=settings().documents_bucket, Key=key, Body=data, ContentType=content_type,
        ServerSideEncryption="AES256",
    )


def get(key: str) -> bytes:
    return client("s3").get_object(Bucket=settings().documents_bucket, Key=key)["Body"].read()


# --- object names and presigned URLs ------------------------------------------------
# Every object of a dealer sits under dealers/<dealer_id>/, so a key can be checked to
# belong to the caller's dealer (and to a lead, or to the quotes) before it is used.

def lead_documents_prefix(dealer_id: str, lead_id: str) -> str:
    return f"dealers/{dealer_id}/leads/{lead_id}/documents/"


def lead_document_key(dealer_id: str, lead_id: str, document_id: str, extension: str) -> str:
    """The customer's file name stays in the database: object names carry no personal data."""
    return f"{lead_documents_prefix(dealer_id, lead_id)}{document_id}{extension}"


def quotes_prefix(dealer_id: str) -> str:
    """Where the quotes work stores quote previews and purchase orders of a dealer."""
    return f"dealers/{dealer_id}/quotes/"


def quote_pdf_key(dealer_id: str, quote_id: str, version: int) -> str:
    """A quote version's rendered PDF."""
    return f"{quotes_prefix(dealer_id)}{quote_id}/v{version}.pdf"


def proposal_pdf_key(dealer_id: str, proposal_id: str, version: int) -> str:
    """A proposal version's rendered PDF: the document the customer reads and signs."""
    return f"dealers/{dealer_id}/proposals/{proposal_id}/v{version}.pdf"


def chosen_pdf_key(dealer_id: str, proposal_id: str, version: int, sha256: str) -> str:
    """A version made by the customer's choice of options (services/options.py): named by its fingerprint too,
    as two changes racing for the same version may render two documents (the winning write names its own)."""
    return f"dealers/{dealer_id}/proposals/{proposal_id}/v{version}-{sha256[:16]}.pdf"


def signed_pdf_key(dealer_id: str, proposal_id: str, version: int, sha256: str) -> str:
    """Named by proposal, version and fingerprint: a seal is never the same bytes twice (signing time,
    ECDSA), so two acceptances racing on one code must not write the same object; the loser deletes its own."""
    return f"dealers/{dealer_id}/proposals/{proposal_id}/v{version}-signed-{sha256[:16]}.pdf"


def withdrawal_pdf_key(dealer_id: str, proposal_id: str, withdrawal_id: str) -> str:
    """The acknowledgement of a customer's withdrawal (the filled model form): the customer's durable medium."""
    return f"dealers/{dealer_id}/proposals/{proposal_id}/withdrawal-{withdrawal_id}.pdf"


def order_document_key(dealer_id: str, order_id: str, document_id: str, extension: str) -> str:
    """An order's document (the holder's ID, the certificate of sale...): no personal data in the name."""
    return f"dealers/{dealer_id}/orders/{order_id}/documents/{document_id}{extension}"


def record_document_key(dealer_id: str, record_kind: str, record_id: str, document_id: str, extension: str) -> str:
    """A quote's or a proposal's titled document: no personal data in the name."""
    return f"dealers/{dealer_id}/{record_kind}s/{record_id}/documents/{document_id}{extension}"


def terms_key(dealer_id: str, upload_id: str) -> str:
    """One uploaded version of the dealer's terms (CGV): kept for as long as what was signed with it."""
    return f"dealers/{dealer_id}/terms/{upload_id}.pdf"


def invoice_pdf_key(dealer_id: str, number: str) -> str:
    """An invoice's Factur-X PDF, rendered once from the immutable invoice item (the source of truth)."""
    return f"dealers/{dealer_id}/invoices/{number}.pdf"


# A document posted to S3 (an order's, a quote's, a proposal's) is uploaded tagged upload=pending, and tagged
# upload=confirmed once the upload is confirmed (its type checked, its document recorded): the bucket's
# lifecycle rule (infra/resources.yaml) deletes after a day what was never confirmed (a browser closed before
# S3 sent it back, a confirmation never asked), which shares the confirmed documents' prefix.
PENDING_TAG = ("upload", "pending")
CONFIRMED_TAG = ("upload", "confirmed")
_PENDING_TAGGING = (f"<Tagging><TagSet><Tag><Key>{PENDING_TAG[0]}</Key><Value>{PENDING_TAG[1]}</Value></Tag>"
                    "</TagSet></Tagging>")


def upload_form(key: str, content_type: str | None, max_bytes: int, expires_in: int,
                redirect: str | None = None, pending: bool = False) -> dict:
    """A presigned POST ({url, fields}) for one private object of at most `max_bytes`; the bytes' real type
    is checked once uploaded (`first_bytes`). `content_type` None: a plain HTML form cannot know the chosen
    file's type, so none is declared. `redirect`: where S3 sends the browser once stored (a form without
    script), signed into the policy so it cannot be changed. `pending`: tagged to be deleted after a day
    unless `confirmed`."""
    fields = {"x-amz-server-side-encryption": "AES256"}
    if content_type is not None:
        fields["Content-Type"] = content_type
    if redirect is not None:
        fields["success_action_redirect"] = redirect
    if pending:
        fields["tagging"] = _PENDING_TAGGING
    conditions: list = [{name: value} for name, value in fields.items()]
    conditions.append(["content-length-range", 1, max_bytes])
    return client("s3").generate_presigned_post(
        Bucket=settings().documents_bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in)


def confirmed(key: str) -> None:
    """An upload kept: tagged confirmed, so the lifecycle rule leaves it (the same again changes nothing)."""
    client("s3").put_object_tagging(Bucket=settings().documents_bucket, Key=key, Tagging={
        "TagSet": [{"Key": CONFIRMED_TAG[0], "Value": CONFIRMED_TAG[1]}]})


def size_of(key: str) -> int | None:
    """The stored object's size, or None when nothing was uploaded under the key."""
    try:
        return client("s3").head_object(Bucket=settings().documents_bucket, Key=key)["ContentLength"]
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def first_bytes(key: str, count: int) -> bytes:
    """The object's first `count` bytes (enough to tell a PDF from an image), without reading the rest."""
    answer = client("s3").get_object(Bucket=settings().documents_bucket, Key=key, Range=f"bytes=0-{count - 1}")
    return answer["Body"].read()[:count]


def upload_url(key: str, content_type: str, size_bytes: int, expires_in: int) -> str:
    """A PUT URL that signs the declared type and size: S3 refuses any other file."""
    return client("s3").generate_presigned_url(
        "put_object",
        Params={"Bucket": settings().documents_bucket, "Key": key, "ContentType": content_type,
                "ContentLength": size_bytes},
        ExpiresIn=expires_in,
    )


def download_url(key: str, filename: str, expires_in: int) -> str:
    """A GET URL that downloads the object under its original file name."""
    return client("s3").generate_presigned_url(
        "get_object",
        Params={"Bucket": settings().documents_bucket, "Key": key,
                "ResponseContentDisposition": attachment_disposition(filename)},
        ExpiresIn=expires_in,
    )


def attachment_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback name, and the exact UTF-8 one for browsers that read it."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def content_type_of(key: str) -> str | None:
    """The stored object's content type, or None when nothing was uploaded under the key."""
    try:
        return client("s3").head_object(Bucket=settings().documents_bucket, Key=key)["ContentType"]
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def delete(key: str) -> bool:
    """Removes the object; False when S3 refused (the bucket's versioning keeps what was there)."""
    try:
        client("s3").delete_object(Bucket=settings().documents_bucket, Key=key)
    except ClientError:
        return False
    return True
