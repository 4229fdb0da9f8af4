"""Tasks and documents kept on a quote, a proposal or an order, on the in-memory table (moto's S3): what a
seller can do, what the history records, and what is refused (then nothing changes)."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.clients import client
from chalicelib.documents import storage
from chalicelib.domain.dealers import Staff
from chalicelib.domain.errors import InvalidInput, InvalidTransition, NotFound
from chalicelib.domain.orders.commands import OpenFromQuote
from chalicelib.domain.proposals.commands import NewProposal, SendProposal
from chalicelib.domain.record_work import DocumentChange, DocumentStatus, NewRecordDocument, RecordKind
from chalicelib.domain.tasks import NewTask, TaskStatus
from chalicelib.services import orders, proposals, record_work, task_overview
from chalicelib.settings import settings
from chalicelib.store import keys
from tests import desk
from tests.desk import colleague, command, seller
from tests.offers import SELLER_BLOCK, with_legal
from tests.orders_support import OPENED_AT, quote_for_a_car
from tests.orders_support import garage as order_garage
from tests.support import Tenant, at, tenant

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
TOMORROW = NOW + timedelta(days=1)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
QUOTE = RecordKind.QUOTE


@pytest.fixture
def garage(memory) -> Tenant:
    at(NOW)
    return with_legal(tenant())


def task(garage: Tenant, record_id: str, kind: RecordKind = QUOTE, **fields):
    asked = command(NewTask, **{"title": "Rappeler pour l'extension de garantie", "due_at": TOMORROW} | fields)
    return record_work.add_task(garage.dealer.id, kind, record_id, asked, by=seller(garage))


def uploaded(garage: Tenant, record_id: str, data: bytes = PDF, kind: RecordKind = QUOTE, declared="application/pdf"):
    form = record_work.request_upload(garage.dealer.id, kind, record_id, command(
        NewRecordDocument, title="Carte grise", filename="carte grise.pdf", content_type=declared), by=seller(garage))
    storage.put(form.document.s3_key, data, declared)  # what the browser's POST to S3 leaves
    return form.document


def work_items(memory) -> dict:
    return {k: dict(v) for k, v in memory.items.items() if v[keys.SK].startswith("WORK#")}


def test_a_task_on_a_quote_goes_to_the_quote_s_seller_and_into_its_history(garage):
    quote = desk.quote(garage)
    created = task(garage, quote.id)
    assert (created.assignee.id, created.status, created.record.label) == (
        garage.seller.id, TaskStatus.OPEN, f"Devis {quote.number}")
    at(NOW + timedelta(hours=1))
    done = record_work.complete_task(garage.dealer.id, QUOTE, quote.id, created.id, by=seller(garage))
    assert (done.status, done.completed_at, done.completed_by) == (
        TaskStatus.DONE, NOW + timedelta(hours=1), garage.seller.id)
    work = record_work.work(garage.dealer.id, QUOTE, quote.id)
    assert work.tasks == [done]
    assert [e.kind for e in work.history] == ["task_created", "task_completed"]
    with pytest.raises(InvalidTransition):
        record_work.complete_task(garage.dealer.id, QUOTE, quote.id, created.id, by=seller(garage))


def test_an_open_task_is_in_its_assignee_s_overview_until_it_is_done(garage):
    quote = desk.quote(garage)
    nina = colleague(garage)
    created = task(garage, quote.id, assignee_id=nina.id)
    nina_staff = Staff(dealer_id=garage.dealer.id, user_id=nina.id, role=nina.role)
    [item] = [i for i in task_overview.overview(nina_staff).items if i.kind == "record_task"]
    assert (item.code, item.label, item.record.id, item.overdue) == (created.id, created.title, quote.id, False)
    assert not [i for i in task_overview.overview(seller(garage)).items if i.kind == "record_task"]
    at(TOMORROW + timedelta(hours=1))
    assert [i.overdue for i in task_overview.overview(nina_staff).items if i.kind == "record_task"] == [True]
    record_work.complete_task(garage.dealer.id, QUOTE, quote.id, created.id, by=seller(garage))
    assert not [i for i in task_overview.overview(nina_staff).items if i.kind == "record_task"]


def test_a_task_on_a_proposal_is_in_the_proposal_s_history(garage):
    proposal = proposals.create(garage.dealer.id, command(NewProposal, quote_id=desk.quote(garage).id,
                                                          seller=SELLER_BLOCK), by=seller(garage)).proposal
    on_proposal = task(garage, proposal.id, RecordKind.PROPOSAL)
    record_work.complete_task(garage.dealer.id, RecordKind.PROPOSAL, proposal.id, on_proposal.id, by=seller(garage))
    kinds = [e.kind for e in proposals.get(garage.dealer.id, proposal.id).history]
    assert {"task_created", "task_completed"} <= set(kinds)
    assert on_proposal.record.label.startswith(f"Proposition {proposal.reference}")


def test_a_task_on_an_order_is_in_the_order_s_history_and_opens_the_order_from_the_overview(memory):
    at(OPENED_AT)
    g = order_garage()
    order_id = orders.open_from_quote(g.dealer_id, command(OpenFromQuote, quote_id=quote_for_a_car(g)),
                                      by=g.seller).order.id
    asked = command(NewTask, title="Appeler l'assureur", due_at=OPENED_AT + timedelta(days=1))
    created = record_work.add_task(g.dealer_id, RecordKind.ORDER, order_id, asked, by=g.seller)
    record_work.complete_task(g.dealer_id, RecordKind.ORDER, order_id, created.id, by=g.seller)
    assert {"task_created", "task_completed"} <= {e.kind for e in orders.view(g.dealer_id, order_id).history}
    record_work.add_task(g.dealer_id, RecordKind.ORDER, order_id, asked, by=g.seller)
    [item] = [i for i in task_overview.overview(g.seller).items if i.kind == "record_task"]
    assert item.order_id == order_id


def test_a_task_refuses_a_past_due_time_an_unknown_assignee_and_another_dealer_s_quote(garage, memory):
    quote = desk.quote(garage)
    elsewhere = desk.quote(tenant("Autre Garage"))
    before = work_items(memory)
    with pytest.raises(InvalidInput) as past:
        task(garage, quote.id, due_at=NOW - timedelta(minutes=1))
    assert past.value.fields == {"due_at": "must be in the future"}
    with pytest.raises(InvalidInput) as unknown:
        task(garage, quote.id, assignee_id="NOBODY")
    assert unknown.value.fields == {"assignee_id": "unknown user"}
    with pytest.raises(NotFound):
        task(garage, elsewhere.id)
    assert work_items(memory) == before


def test_a_document_is_kept_once_its_bytes_are_a_pdf_and_downloads_through_a_short_link(garage):
    quote = desk.quote(garage)
    document = uploaded(garage, quote.id)
    assert document.s3_key.startswith(f"dealers/{garage.dealer.id}/quotes/{quote.id}/documents/")
    assert "carte" not in document.s3_key and document.status == DocumentStatus.AWAITING_UPLOAD
    with pytest.raises(InvalidInput):
        record_work.download(garage.dealer.id, QUOTE, quote.id, document.id)
    kept = record_work.confirm_upload(garage.dealer.id, QUOTE, quote.id, document.id, by=seller(garage))
    assert (kept.status, kept.content_type, kept.size_bytes) == (DocumentStatus.READY, "application/pdf", len(PDF))
    assert client("s3").get_object_tagging(Bucket=settings().documents_bucket, Key=document.s3_key)["TagSet"] == [
        {"Key": "upload", "Value": "confirmed"}]  # out of reach of the lifecycle rule on upload=pending
    link = record_work.download(garage.dealer.id, QUOTE, quote.id, document.id)
    assert link.expires_at == NOW + timedelta(minutes=5) and "carte%20grise.pdf" in link.url


def test_a_file_that_is_not_a_pdf_or_an_image_is_refused_and_deleted(garage):
    quote = desk.quote(garage)
    document = uploaded(garage, quote.id, data=b"MZ\x90\x00 an executable")
    with pytest.raises(InvalidInput) as refused:
        record_work.confirm_upload(garage.dealer.id, QUOTE, quote.id, document.id, by=seller(garage))
    assert refused.value.fields == {"file": "unsupported type"}
    assert storage.size_of(document.s3_key) is None
    [still] = record_work.work(garage.dealer.id, QUOTE, quote.id).documents
    assert still.status == DocumentStatus.AWAITING_UPLOAD


def test_a_file_over_ten_megabytes_is_refused(garage):
    quote = desk.quote(garage)
    document = uploaded(garage, quote.id, data=PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(InvalidInput) as refused:
        record_work.confirm_upload(garage.dealer.id, QUOTE, quote.id, document.id, by=seller(garage))
    assert refused.value.fields == {"file": "too large"}


def test_a_renamed_then_deleted_document_leaves_both_in_the_history(garage):
    quote = desk.quote(garage)
    document = uploaded(garage, quote.id)
    record_work.confirm_upload(garage.dealer.id, QUOTE, quote.id, document.id, by=seller(garage))
    at(NOW + timedelta(minutes=1))
    renamed = record_work.change_document(garage.dealer.id, QUOTE, quote.id, document.id,
                                          command(DocumentChange, title="Certificat d'immatriculation"),
                                          by=seller(garage))
    assert renamed.title == "Certificat d'immatriculation"
    at(NOW + timedelta(minutes=2))
    record_work.delete_document(garage.dealer.id, QUOTE, quote.id, document.id, by=seller(garage))
    work = record_work.work(garage.dealer.id, QUOTE, quote.id)
    assert work.documents == [] and storage.size_of(document.s3_key) is None
    assert [(e.kind, e.details.get("title")) for e in work.history] == [
        ("document_added", "Carte grise"), ("document_renamed", "Certificat d'immatriculation"),
        ("document_deleted", "Certificat d'immatriculation")]


def test_a_document_marked_to_send_goes_with_the_proposal_s_email(garage, memory):
    quote = desk.quote(garage)
    proposal = proposals.create(garage.dealer.id, command(NewProposal, quote_id=quote.id, seller=SELLER_BLOCK),
                                by=seller(garage)).proposal
    kept, left = uploaded(garage, proposal.id, kind=RecordKind.PROPOSAL), uploaded(
        garage, proposal.id, data=PNG, kind=RecordKind.PROPOSAL, declared="image/png")
    for document in (kept, left):
        record_work.confirm_upload(garage.dealer.id, RecordKind.PROPOSAL, proposal.id, document.id, by=seller(garage))
    record_work.change_document(garage.dealer.id, RecordKind.PROPOSAL, proposal.id, kept.id,
                                command(DocumentChange, to_send=True), by=seller(garage))
    proposals.send(garage.dealer.id, proposal.id, command(SendProposal), by=seller(garage))
    [email] = [i for i in memory.items.values() if i[keys.SK].startswith("OUTBOX#") and i.get("template") == "send"]
    assert [a["s3_key"] for a in email["attachments"]] == [kept.s3_key]
    kinds = [e.kind for e in proposals.get(garage.dealer.id, proposal.id).history]
    assert kinds.count("document_added") == 2


def test_a_document_waiting_for_its_file_cannot_be_marked_to_send(garage):
    quote = desk.quote(garage)
    document = uploaded(garage, quote.id)
    with pytest.raises(InvalidInput) as refused:
        record_work.change_document(garage.dealer.id, QUOTE, quote.id, document.id,
                                    command(DocumentChange, to_send=True), by=seller(garage))
    assert refused.value.fields == {"document_id": "not uploaded"}


def test_an_order_keeps_its_documents_elsewhere(garage):
    with pytest.raises(NotFound):
        record_work.request_upload(garage.dealer.id, RecordKind.ORDER, "ANY", command(
            NewRecordDocument, title="x", filename="x.pdf", content_type="application/pdf"), by=seller(garage))
