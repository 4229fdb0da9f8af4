"""Order documents on memory (moto's S3): a presigned POST, the server reading the real type, back office review."""
import base64
import json

import pytest

from chalicelib.clients import client
from chalicelib.documents import storage
from chalicelib.domain.errors import Forbidden, InvalidInput, InvalidTransition
from chalicelib.domain.orders.commands import HolderInput, OpenFromQuote
from chalicelib.domain.orders.documents import DocumentReview, DocumentStatus, NewOrderDocument
from chalicelib.services import order_documents, orders
from chalicelib.settings import settings
from tests.orders_support import OPENED_AT, command, garage, quote_for_a_car
from tests.support import at

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


@pytest.fixture
def g(memory):
    at(OPENED_AT)
    return garage()


@pytest.fixture
def order_id(g):
    opened = orders.open_from_quote(g.dealer_id, command(OpenFromQuote, quote_id=quote_for_a_car(g)), by=g.seller)
    return opened.order.id


def upload(g, order_id: str, data: bytes, kind: str = "identity", declared: str = "application/pdf"):
    form = order_documents.request_upload(g.dealer_id, order_id, command(
        NewOrderDocument, kind=kind, filename="cni-marie.pdf", content_type=declared), by=g.seller)
    storage.put(form.document.s3_key, data, declared)  # what the browser's POST to S3 leaves
    return form


def test_the_upload_form_is_limited_to_10_mb_private_and_under_the_dealer_s_prefix(g, order_id):
    form = order_documents.request_upload(g.dealer_id, order_id, command(
        NewOrderDocument, kind="identity", filename="cni.pdf", content_type="application/pdf"), by=g.seller)
    key = form.document.s3_key
    assert key.startswith(f"dealers/{g.dealer_id}/orders/{order_id}/documents/") and "cni" not in key
    policy = json.loads(base64.b64decode(form.fields["policy"]))
    assert ["content-length-range", 1, 10 * 1024 * 1024] in policy["conditions"]
    assert {"x-amz-server-side-encryption": "AES256"} in policy["conditions"]
    assert form.document.status == DocumentStatus.AWAITING_UPLOAD


def test_a_pdf_is_confirmed_from_its_bytes_then_accepted_by_back_office(g, order_id):
    form = upload(g, order_id, PDF)
    confirmed = order_documents.confirm_upload(g.dealer_id, order_id, form.document.id, by=g.seller)
    assert (confirmed.status, confirmed.content_type, confirmed.size) == ("to_review", "application/pdf", len(PDF))
    accepted = order_documents.review(g.dealer_id, order_id, form.document.id,
                                      command(DocumentReview, accepted=True), by=g.as_back_office)
    assert accepted.status == DocumentStatus.ACCEPTED
    orders.set_holder(g.dealer_id, order_id, command(HolderInput, kind="individual", name="Marie Durand"), by=g.seller)
    view = orders.view(g.dealer_id, order_id)
    assert "identity" not in view.missing_documents and "proof_of_address" in view.missing_documents
    assert [e.kind.value for e in view.history][-3:-1] == ["document_received", "document_accepted"]


def test_a_file_that_is_not_pdf_jpeg_or_png_is_refused_and_deleted_whatever_it_claims(g, order_id):
    form = upload(g, order_id, b"MZ\x90\x00\x03 an executable")
    with pytest.raises(InvalidInput):
        order_documents.confirm_upload(g.dealer_id, order_id, form.document.id, by=g.seller)
    assert storage.size_of(form.document.s3_key) is None
    assert orders.view(g.dealer_id, order_id).documents[0].status == DocumentStatus.AWAITING_UPLOAD


def test_nothing_uploaded_nothing_confirmed(g, order_id):
    form = order_documents.request_upload(g.dealer_id, order_id, command(
        NewOrderDocument, kind="kbis", filename="kbis.png", content_type="image/png"), by=g.seller)
    with pytest.raises(InvalidInput):
        order_documents.confirm_upload(g.dealer_id, order_id, form.document.id, by=g.seller)


def test_a_rejection_keeps_its_reason_tells_the_seller_and_a_seller_cannot_review(memory, g, order_id):
    form = upload(g, order_id, b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, kind="driving_licence", declared="image/png")
    order_documents.confirm_upload(g.dealer_id, order_id, form.document.id, by=g.seller)
    with pytest.raises(Forbidden):
        order_documents.review(g.dealer_id, order_id, form.document.id, command(DocumentReview, accepted=True),
                               by=g.seller)
    rejected = order_documents.review(g.dealer_id, order_id, form.document.id, command(
        DocumentReview, accepted=False, reason="Permis expiré"), by=g.as_manager)
    assert (rejected.status, rejected.rejection_reason) == (DocumentStatus.REJECTED, "Permis expiré")
    [told] = [item for (_, sk), item in memory.items.items() if sk.startswith("OUTBOX#")]
    assert told["to"] == g.tenant.seller.email and "Permis expiré" in told["text"]
    with pytest.raises(InvalidTransition):
        order_documents.review(g.dealer_id, order_id, form.document.id, command(DocumentReview, accepted=True),
                               by=g.as_manager)


def tags_of(key: str) -> list[dict]:
    return client("s3").get_object_tagging(Bucket=settings().documents_bucket, Key=key)["TagSet"]


def test_an_upload_waits_tagged_pending_and_is_kept_once_confirmed(g, order_id):
    """The bucket's lifecycle rule deletes after a day what is still tagged (infra/resources.yaml)."""
    form = order_documents.request_upload(g.dealer_id, order_id, command(
        NewOrderDocument, kind="identity", filename="cni.pdf", content_type="application/pdf"), by=g.seller)
    pending = "<Tagging><TagSet><Tag><Key>upload</Key><Value>pending</Value></Tag></TagSet></Tagging>"
    assert form.fields["tagging"] == pending
    assert {"tagging": pending} in json.loads(base64.b64decode(form.fields["policy"]))["conditions"]
    key = form.document.s3_key
    # What S3 keeps of the POST (moto's POST drops form tagging: set here as S3 does).
    client("s3").put_object(Bucket=settings().documents_bucket, Key=key, Body=PDF, Tagging="upload=pending")
    assert tags_of(key) == [{"Key": "upload", "Value": "pending"}]
    order_documents.confirm_upload(g.dealer_id, order_id, form.document.id, by=g.seller)
    assert tags_of(key) == [{"Key": "upload", "Value": "confirmed"}]
