"""The customer's side of the order on the in-memory table: a document sent back by S3 kept or refused (deleted,
nothing written), a return made for another link refused, and the reminders (documents D-5 and D-3, funds,
appointment) each sent once, by email and SMS, planned again at once when the handover day moves."""
from datetime import timedelta

import pytest

from chalicelib.documents import storage
from chalicelib.domain import local_time
from chalicelib.domain.dealers import Staff
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.ids import new_id
from chalicelib.domain.orders import reminders
from chalicelib.domain.orders.commands import HandoverDate
from chalicelib.domain.orders.documents import DocumentKind
from chalicelib.portal.security import InvalidCsrf
from chalicelib.services import due_work, order_portal, orders, signing
from chalicelib.services import order_milestones  # noqa: F401 (the moved milestones' handler, as jobs/schedules)
from chalicelib.services.order_reminders import PURPOSE
from chalicelib.services.visit import look
from chalicelib.store import orders as order_store
from tests import customer_side as side
from tests.customer_side import PHONE, SIGN_FORM, Sent
from tests.support import Tenant, at, tenant


@pytest.fixture
def garage(memory) -> Tenant:
    at(side.NOW)
    return tenant()


def accepted(memory, garage: Tenant) -> Sent:
    the = side.sent(garage)
    signing.start(the.token, the.form("sign", **SIGN_FORM), PHONE)
    signing.confirm(the.token, the.form("code", code=side.latest_code(memory)), PHONE)
    return the


def the_order(the: Sent) -> order_store.OrderAggregate:
    agg = order_portal.order_of(side.stored(the))
    assert agg is not None
    return agg


def returned(the: Sent, kind: DocumentKind, content: bytes) -> dict[str, str]:
    """What S3 does with the page's form: the file stored under a new id, the browser sent back with its proof."""
    order = the_order(the).order
    document_id = new_id()
    storage.put(storage.order_document_key(order.dealer_id, order.id, document_id, ""), content, "image/jpeg")
    proof = order_portal._receipt_proof(look(the.token).token_hash, kind, document_id)
    return {"kind": kind.value, "document": document_id, "proof": proof}


def test_a_pdf_is_kept_with_its_evidence_and_the_back_office_told(memory, garage):
    the = accepted(memory, garage)
    kept = order_portal.received(the.token, returned(the, DocumentKind.IDENTITY, b"%PDF-1.7\n..."), PHONE)
    assert (kept.status, kept.content_type, kept.uploaded_by) == ("to_review", "application/pdf", "customer")
    assert [d.id for d in the_order(the).documents] == [kept.id]
    assert side.evidence(the)[-1] == "document_uploaded"
    assert side.queued(memory, "order_document_received")


def test_anything_else_is_deleted_and_refused_writing_nothing(memory, garage):
    the = accepted(memory, garage)
    params = returned(the, DocumentKind.IDENTITY, b"<html>not a document</html>")
    before = side.snapshot(memory)
    with pytest.raises(InvalidInput, match="ni un PDF"):
        order_portal.received(the.token, params, PHONE)
    assert side.snapshot(memory) == before
    order = the_order(the).order
    assert storage.size_of(storage.order_document_key(order.dealer_id, order.id, params["document"], "")) is None


def test_a_return_made_for_another_dealer_s_link_or_kind_is_refused(memory, garage):
    the, other = accepted(memory, garage), accepted(memory, tenant("Garage du Port"))
    params = returned(the, DocumentKind.IDENTITY, b"%PDF-1.7\n...")
    with pytest.raises(InvalidCsrf):
        order_portal.received(other.token, params, PHONE)
    with pytest.raises(InvalidCsrf):
        order_portal.received(the.token, {**params, "kind": "driving_licence"}, PHONE)
    assert the_order(the).documents == [] and the_order(other).documents == []


def test_each_reminder_goes_once_by_email_and_sms(memory, garage):
    the = accepted(memory, garage)
    order = the_order(the).order
    planned = {p.reminder: p.at for p in reminders.plan(order)}

    def sweep_at(moment) -> list[dict]:
        at(moment)
        due_work.sweep_milestones()
        due_work.sweep_milestones()  # a second run at once sends nothing more
        return sorted(side.queued(memory, PURPOSE), key=lambda m: m["created_at"])

    sent = sweep_at(planned[reminders.CustomerReminder.DOCUMENTS_D5] - timedelta(minutes=1))
    assert sent == []
    sent = sweep_at(planned[reminders.CustomerReminder.DOCUMENTS_D5])
    assert sorted(m["channel"] for m in sent) == ["email", "sms"]
    assert "il nous manque encore" in sent[0]["text"] and "/commande" in sent[0]["text"]
    # The funds' reminder is the day before their deadline (D-2 at the appointment's time): D-3, with the documents.
    assert planned[reminders.CustomerReminder.FUNDS] == planned[reminders.CustomerReminder.DOCUMENTS_D3]
    sent = sweep_at(planned[reminders.CustomerReminder.DOCUMENTS_D3])
    assert len(sent) == 4
    assert any("il nous manque encore" in m["text"] and "Le solde de" in m["text"] for m in sent[2:])
    sent = sweep_at(planned[reminders.CustomerReminder.APPOINTMENT] + timedelta(hours=1))
    assert len(sent) == 6 and any("demain" in m["text"] for m in sent)
    assert sweep_at(order.handover_at + timedelta(days=1)) == sent


def test_a_handover_moved_earlier_replans_the_buyer_s_reminders_at_once(memory, garage):
    """Moved to the day after tomorrow: the documents' and funds' reminders, due on days already past, never
    go; the appointment's goes on the new eve, not on the old one."""
    the = accepted(memory, garage)
    order = the_order(the).order
    old_eve = {p.reminder: p.at for p in reminders.plan(order)}[reminders.CustomerReminder.APPOINTMENT]
    moved_at = side.NOW + timedelta(days=1)
    at(moved_at)
    new_day = local_time.paris_date(moved_at) + timedelta(days=2)
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=garage.admin.role)
    orders.set_handover(garage.dealer.id, order.id, HandoverDate(handover_on=new_day, reason="Client pressé"), admin)
    moved = the_order(the).order
    new_eve = {p.reminder: p.at for p in reminders.plan(moved)}[reminders.CustomerReminder.APPOINTMENT]
    assert moved.handover_on == new_day and new_eve < old_eve

    def sweep_at(moment) -> list[dict]:
        at(moment)
        due_work.sweep_milestones()
        return [m for m in side.queued(memory, PURPOSE) if m["channel"] == "sms"]

    assert sweep_at(moved_at + timedelta(minutes=1)) == []
    assert sweep_at(new_eve - timedelta(minutes=1)) == []
    [eve] = sweep_at(new_eve)
    assert "demain" in eve["text"] and "il nous manque encore" not in eve["text"] and "Le solde" not in eve["text"]
    assert sweep_at(old_eve) == [eve]
