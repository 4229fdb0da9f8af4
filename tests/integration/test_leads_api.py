"""The lead page and every action on it, through the dealer API on the local services (seed 004)."""
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
import requests

import app as application
from chalicelib.clients import client as aws_client
from chalicelib.documents import storage
from chalicelib.domain.dealers import NewBranch, NewUser, Role, Staff
from chalicelib.domain.errors import InvalidTransition, NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.leads.model import LeadClosed, offer_linked
from chalicelib.domain.outbox import Delivery
from chalicelib.services import dealers
from chalicelib.store import due, keys
from chalicelib.store import leads as lead_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store.table import Put, if_absent, table
from local import gateway
from local.client import Client
from tests import offers
from tests.support import Api, Tenant, at, body, tenant

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
QUOTE_ID = "01JQ0000000000000000000000"


@dataclass
class World:
    garage: Tenant
    other: Tenant
    seller: Api
    colleague_id: str
    manager: Api
    intruder: Api
    branch_id: str
    other_branch_id: str


@pytest.fixture
def world(aws):
    """A dealer with a branch and two sellers, and another dealer; tokens are issued on the real clock."""
    garage, other = tenant(), tenant("Autre Garage")
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=Role.ADMIN)
    branch = dealers.add_branch(garage.dealer.id, NewBranch(name="Villeurbanne"), by=admin).branches[0]
    colleague = dealers.create_user(garage.dealer.id, NewUser(email=f"nina-{garage.dealer.id.lower()}@example.com",
                                                              name="Nina Vendeuse", role=Role.SELLER,
                                                              branch_id=branch.id), by=admin)
    other_admin = Staff(dealer_id=other.dealer.id, user_id=other.admin.id, role=Role.ADMIN)
    other_branch = dealers.add_branch(other.dealer.id, NewBranch(name="Lyon"), by=other_admin).branches[0]
    with Client(application.app) as test_client:
        world = World(
            garage=garage, other=other, seller=Api(test_client, garage.token(garage.seller)),
            colleague_id=colleague.id, manager=Api(test_client, garage.token(garage.admin)),
            intruder=Api(test_client, other.token(other.admin)), branch_id=branch.id, other_branch_id=other_branch.id,
        )
        at(NOW)
        yield world


def new_lead(api: Api, name: str = "Hélène Martin", **changes) -> dict:
    fields = {"contacts": [{"name": name, "email": "helene@example.com", "mobile": "+33612345678"}],
              "type": "used_vehicle_sale", "source": "site web"}
    created = api.post("/leads", fields | changes)
    assert created.status_code == 201, created.body
    return body(created)


def page(api: Api, lead_id: str) -> dict:
    read = api.get(f"/leads/{lead_id}")
    assert read.status_code == 200, read.body
    return body(read)


def stored(dealer_id: str) -> list[dict]:
    """Every item of the dealer: what "nothing written" is checked against."""
    return table.query_all(keys.dealer(dealer_id)[keys.PK])


@contextmanager
def dynamodb_calls():
    calls: list[str] = []
    events = aws_client("dynamodb").meta.events

    def count(model, **_):
        if not gateway.authorizing():  # the authorizer is a Lambda of its own in AWS
            calls.append(model.name)

    events.register("before-call.dynamodb.*", count, unique_id="count-calls")
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb.*", unique_id="count-calls")


# --- creation ----------------------------------------------------------------------

def test_a_new_lead_gets_a_readable_code_its_owner_and_a_contact_deadline_from_the_dealers_delay(world):
    assert world.manager.send("PATCH", "/dealer/settings", {"lead_deadline_hours": 48}).status_code == 200
    first = new_lead(world.seller)
    second = new_lead(world.seller, owner_id=world.colleague_id)
    assert (first["code"], second["code"]) == ("L-2026-000001", "L-2026-000002")
    assert first["owner"] == {"id": world.garage.seller.id, "name": "Victor Vendeur"}
    assert first["deadline_at"] == "2026-03-04T09:00:00Z" and first["time_left_seconds"] == 48 * 3600
    assert (first["status"], first["status_label"], first["status_colour"]) == ("open", "En traitement", "#1E88E5")
    assert second["branch"] == {"id": world.branch_id, "name": "Villeurbanne"}, "the owner's branch by default"


def test_a_new_lead_waits_in_the_due_work_index_until_its_deadline(world):
    lead = new_lead(world.seller)
    assert not [i for i in due.due("lead_deadline", NOW + timedelta(hours=23)) if i["id"] == lead["id"]]
    [waiting] = [i for i in due.due("lead_deadline", NOW + timedelta(hours=25)) if i["id"] == lead["id"]]
    assert waiting[keys.DUE_AT] == keys.iso(NOW + timedelta(hours=24))


@pytest.mark.parametrize("changes, field", [
    ({"owner_id": "01JNOBODY0000000000000000"}, "owner_id"),
    ({"branch_id": "01JNOBRANCH000000000000000"}, "branch_id"),
    ({"branch_id": "other dealer's branch"}, "branch_id"),
    ({"contacts": []}, "contacts"),
    ({"contacts": [{"name": "Sans contact"}]}, "contacts.0"),
    ({"type": "bateau"}, "type"),
])
def test_a_lead_with_an_unknown_owner_or_branch_or_bad_contact_is_refused_and_nothing_is_written(
        world, changes, field):
    if changes.get("branch_id") == "other dealer's branch":
        changes = {"branch_id": world.other_branch_id}
    before = stored(world.garage.dealer.id)
    refused = world.seller.post("/leads", {"contacts": [{"name": "Paul", "email": "paul@example.com"}],
                                           "type": "purchase", "source": "téléphone"} | changes)
    assert refused.status_code == 400
    assert field in body(refused)["error"]["fields"]
    assert stored(world.garage.dealer.id) == before


def test_a_lead_for_a_deactivated_user_is_refused(world):
    world.manager.post(f"/users/{world.colleague_id}/deactivate")
    before = stored(world.garage.dealer.id)
    refused = world.seller.post("/leads", {"contacts": [{"name": "Paul", "email": "paul@example.com"}],
                                           "type": "purchase", "source": "téléphone", "owner_id": world.colleague_id})
    assert refused.status_code == 400 and body(refused)["error"]["fields"] == {"owner_id": "inactive user"}
    assert stored(world.garage.dealer.id) == before


# --- the lead page -----------------------------------------------------------------

def test_the_lead_page_comes_from_one_query_with_header_tabs_and_counts(world):
    lead = new_lead(world.seller)
    lead_id = lead["id"]
    world.seller.post(f"/leads/{lead_id}/trade-ins", {"vehicle": "Peugeot 208", "registration": "ab-123-cd",
                                                      "mileage_km": 82000, "estimated_value_cents": 850000})
    world.seller.post(f"/leads/{lead_id}/test-drives", {"vehicle": "Renault Clio V",
                                                        "starts_at": "2026-03-03T14:00:00Z", "licence_checked": True,
                                                        "licence_number": "120375100123"})
    quote_id = offers.offer(world.seller, "page-lead").quote_id
    world.seller.post(f"/leads/{lead_id}/offers", {"quote_id": quote_id, "label": "Devis Clio V"})
    world.seller.post(f"/leads/{lead_id}/remarks", {"text": "Cliente pressée, rappeler avant midi."})
    at(NOW + timedelta(hours=3))
    with dynamodb_calls() as calls:
        read = page(world.seller, lead_id)
    assert calls == ["Query"]
    header = read["header"]
    assert (header["trade_ins"], header["test_drives"], header["offers"]) == (1, 1, 1)
    assert header["elapsed_seconds"] == 3 * 3600 and header["time_left_seconds"] == 21 * 3600
    assert header["contact"]["name"] == "Hélène Martin" and header["code"] == lead["code"]
    assert (header["type_label"], header["source"]) == ("Vente VO", "site web")
    details = read["details"]
    assert [c["text"] for c in details["comments"]] == ["Cliente pressée, rappeler avant midi."]
    assert details["deadline"]["due_at"] == "2026-03-03T09:00:00Z"
    assert [e["kind"] for e in details["timeline"]][-1] == "created"
    assert {e["kind"] for e in details["timeline"]} >= {"trade_in_added", "test_drive_added", "offer_linked",
                                                         "remark_added"}
    assert details["trade_ins"][0]["registration"] == "AB-123-CD"
    assert read["follow_up"]["deadlines"][0]["status"] == "pending"
    assert read["contacts"][0]["mobile"] == "+33612345678"


def test_every_action_moves_the_last_activity_and_the_lead_up_the_list(world):
    older = new_lead(world.seller, name="Ancien")
    at(NOW + timedelta(minutes=5))
    newer = new_lead(world.seller, name="Récent")
    assert [i["id"] for i in body(world.seller.get("/leads"))["items"]] == [newer["id"], older["id"]]
    at(NOW + timedelta(minutes=10))
    world.seller.post(f"/leads/{older['id']}/remarks", {"text": "Relancé"})
    listed = body(world.seller.get("/leads"))["items"]
    assert [i["id"] for i in listed] == [older["id"], newer["id"]]
    assert listed[0]["last_activity_at"] == "2026-03-02T09:10:00Z"


# --- actions -----------------------------------------------------------------------

def test_an_existing_quote_is_recorded_as_an_offer_once(world):
    lead_id = new_lead(world.seller)["id"]
    quote_id = offers.offer(world.seller, "offre-existante").quote_id
    recorded = world.seller.post(f"/leads/{lead_id}/offers", {"quote_id": quote_id, "label": "Devis 308"})
    assert recorded.status_code == 201 and body(recorded)["quote_id"] == quote_id
    again = world.seller.post(f"/leads/{lead_id}/offers", {"quote_id": quote_id, "label": "Devis 308"})
    assert again.status_code == 409 and body(again)["error"]["fields"] == {"quote_id": "already linked"}
    not_an_id = world.seller.post(f"/leads/{lead_id}/offers", {"quote_id": "devis-42", "label": "Devis"})
    assert not_an_id.status_code == 400 and "quote_id" in body(not_an_id)["error"]["fields"]
    unknown = world.seller.post(f"/leads/{lead_id}/offers", {"quote_id": QUOTE_ID, "label": "Devis"})
    assert unknown.status_code == 400 and body(unknown)["error"]["fields"] == {"quote_id": "unknown quote"}
    assert page(world.seller, lead_id)["header"]["offers"] == 1


def test_an_offer_made_from_the_lead_page_creates_the_quote_and_the_offer_together(world):
    lead_id = new_lead(world.seller)["id"]
    account_id = offers.customer(world.seller, "offre-lead")["account"]["id"]
    made = world.seller.post("/quotes", {"account_id": account_id, "origin": "lead", "lead_id": lead_id,
                                         "lines": offers.LINES[:1]})
    assert made.status_code == 201
    read = page(world.seller, lead_id)
    assert read["header"]["offers"] == 1
    assert read["details"]["offers"][0]["quote_id"] == body(made)["id"]
    assert read["details"]["offers"][0]["label"] == f"Devis {body(made)['number']}"


def test_no_quote_is_made_for_a_closed_or_unknown_lead(world):
    account_id = offers.customer(world.seller, "offre-close")["account"]["id"]
    closed_id = new_lead(world.seller)["id"]
    world.seller.post(f"/leads/{closed_id}/status", {"status": "lost", "reason": "Acheté ailleurs"})
    before = len(body(world.seller.get("/quotes"))["items"])
    closed = world.seller.post("/quotes", {"account_id": account_id, "origin": "lead", "lead_id": closed_id})
    assert closed.status_code == 409
    unknown = world.seller.post("/quotes", {"account_id": account_id, "origin": "lead", "lead_id": QUOTE_ID})
    assert unknown.status_code == 404
    assert len(body(world.seller.get("/quotes"))["items"]) == before


def linked_offer_writes(dealer_id: str, lead_id: str, quote_id: str, label: str, by: str, at: datetime) -> list:
    """What creating a quote from a lead adds to its unit of work (as services/quotes.create builds it)."""
    offer = lead_store.get(dealer_id, lead_id).offer(quote_id, label, at, by)
    return lead_store.recorded(dealer_id, lead_id, offer, offer_linked(new_id(), offer), counted=True)


def test_a_quote_created_from_a_lead_records_its_offer_in_the_same_transaction(world):
    dealer_id = world.garage.dealer.id
    lead_id = new_lead(world.seller)["id"]
    quote_item = Put({keys.PK: keys.dealer(dealer_id)[keys.PK], keys.SK: f"QUOTE#{QUOTE_ID}"}, {"n": 1}, if_absent())
    writes = linked_offer_writes(dealer_id, lead_id, QUOTE_ID, "Devis 3008", world.garage.seller.id, NOW)
    table.transact([quote_item, *writes])
    read = page(world.seller, lead_id)
    assert read["header"]["offers"] == 1 and read["details"]["offers"][0]["label"] == "Devis 3008"

    closed_id = new_lead(world.seller)["id"]
    writes = linked_offer_writes(dealer_id, closed_id, "01JQ0000000000000000000001", "Devis", "U", NOW)
    world.seller.post(f"/leads/{closed_id}/status", {"status": "won"})
    other_quote = Put({keys.PK: keys.dealer(dealer_id)[keys.PK], keys.SK: "QUOTE#2"}, {"n": 2}, if_absent())
    with pytest.raises(InvalidTransition):
        table.transact([other_quote, *writes])
    assert table.get(other_quote.key) is None, "the quote is not created for a lead closed meanwhile"
    with pytest.raises(LeadClosed):
        linked_offer_writes(dealer_id, closed_id, "01JQ0000000000000000000002", "Devis", "U", NOW)
    with pytest.raises(NotFound):
        linked_offer_writes(world.other.dealer.id, lead_id, "01JQ0000000000000000000003", "Devis", "U", NOW)


def test_a_test_drive_needs_the_driving_licence_checked_and_its_number(world):
    lead_id = new_lead(world.seller)["id"]
    before = stored(world.garage.dealer.id)
    unchecked = world.seller.post(f"/leads/{lead_id}/test-drives", {
        "vehicle": "Clio", "starts_at": "2026-03-03T14:00:00+01:00", "licence_checked": False,
        "licence_number": "120375100123"})
    assert unchecked.status_code == 400 and "licence_checked" in body(unchecked)["error"]["fields"]
    assert stored(world.garage.dealer.id) == before
    recorded = world.seller.post(f"/leads/{lead_id}/test-drives", {
        "vehicle": "Clio", "starts_at": "2026-03-03T14:00:00+01:00", "licence_checked": True,
        "licence_number": "120375100123"})
    assert recorded.status_code == 201 and body(recorded)["starts_at"] == "2026-03-03T13:00:00Z"
    [event] = [e for e in page(world.seller, lead_id)["details"]["timeline"] if e["kind"] == "test_drive_added"]
    assert event["when"] == "2026-03-03T13:00:00Z" and event["item"]["id"] == body(recorded)["id"]


def test_a_document_goes_to_s3_through_its_url_then_is_downloaded_renamed_and_deleted(world):
    lead_id = new_lead(world.seller)["id"]
    content = b"%PDF-1.7 carte grise"
    added = world.seller.post(f"/leads/{lead_id}/documents", {
        "title": "Carte grise", "filename": "carte grise é.pdf", "content_type": "application/pdf",
        "size_bytes": len(content)})
    assert added.status_code == 201
    upload = body(added)
    document_id = upload["document"]["id"]
    assert upload["method"] == "PUT" and "content-length" in upload["url"].lower()
    assert world.seller.get(f"/leads/{lead_id}/documents/{document_id}/download").status_code == 404
    assert requests.put(upload["url"], data=content, headers=upload["headers"], timeout=10).status_code == 200

    download = body(world.seller.get(f"/leads/{lead_id}/documents/{document_id}/download"))
    fetched = requests.get(download["url"], timeout=10)
    assert fetched.content == content
    assert "filename*=UTF-8''carte%20grise%20%C3%A9.pdf" in fetched.headers["Content-Disposition"]

    renamed = world.seller.send("PATCH", f"/leads/{lead_id}/documents/{document_id}", {"title": "CG recto"})
    assert renamed.status_code == 200 and body(renamed)["title"] == "CG recto"
    deleted = world.seller.send("DELETE", f"/leads/{lead_id}/documents/{document_id}")
    assert deleted.status_code == 204
    assert storage.content_type_of(upload["document"]["s3_key"]) is None
    read = page(world.seller, lead_id)
    assert read["details"]["documents"] == []
    assert [e["kind"] for e in read["details"]["timeline"]][:3] == [
        "document_deleted", "document_renamed", "document_added"]


@pytest.mark.parametrize("declared, field", [
    ({"content_type": "application/x-msdownload", "filename": "virus.exe"}, "content_type"),
    ({"size_bytes": 10 * 1024 * 1024 + 1}, "size_bytes"),
    ({"filename": "photo.png"}, "filename"),
])
def test_a_document_of_a_forbidden_type_or_over_ten_megabytes_is_refused_and_nothing_is_written(
        world, declared, field):
    lead_id = new_lead(world.seller)["id"]
    before = stored(world.garage.dealer.id)
    refused = world.seller.post(f"/leads/{lead_id}/documents", {
        "title": "Pièce", "filename": "piece.pdf", "content_type": "application/pdf", "size_bytes": 100} | declared)
    assert refused.status_code == 400
    assert field in body(refused)["error"]["fields"]
    assert stored(world.garage.dealer.id) == before


def test_an_email_goes_to_the_leads_contact_through_the_outbox_with_a_lead_document_attached(world):
    lead_id = new_lead(world.seller)["id"]
    upload = body(world.seller.post(f"/leads/{lead_id}/documents", {
        "title": "Bon de commande", "filename": "bon.pdf", "content_type": "application/pdf", "size_bytes": 9}))
    storage.put(upload["document"]["s3_key"], b"%PDF-1.7", "application/pdf")
    before = len(offers.ses_messages())
    sent = world.seller.post(f"/leads/{lead_id}/communications", {
        "subject": "Votre bon de commande", "text": "Bonjour, voici votre bon de commande.",
        "attachment_s3_key": upload["document"]["s3_key"], "attachment_filename": "bon-de-commande.pdf"})
    assert sent.status_code == 201, sent.body
    communication = body(sent)
    assert communication["to"] == "helene@example.com"
    message = outbox_store.get(world.garage.dealer.id, communication["outbox_id"])
    assert message.status == Delivery.SENT and message.reply_to == world.garage.seller.email
    assert len(offers.ses_messages()) == before + 1
    raw = offers.ses_messages()[-1].raw_data
    assert 'filename="bon-de-commande.pdf"' in (raw if isinstance(raw, str) else raw.decode())
    read = page(world.seller, lead_id)
    assert read["details"]["communications"][0]["attachment_filename"] == "bon-de-commande.pdf"
    assert read["details"]["timeline"][0]["summary"] == "E-mail envoyé : Votre bon de commande"


def test_an_email_can_carry_a_quote_pdf_of_this_dealer(world):
    lead_id = new_lead(world.seller)["id"]
    quote_key = f"{storage.quotes_prefix(world.garage.dealer.id)}{QUOTE_ID}/apercu.pdf"
    storage.put(quote_key, b"%PDF-1.7 devis", "application/pdf")
    sent = world.seller.post(f"/leads/{lead_id}/communications", {
        "subject": "Votre devis", "text": "Bonjour", "attachment_s3_key": quote_key,
        "attachment_filename": "devis.pdf"})
    assert sent.status_code == 201


def test_an_attachment_that_is_not_this_leads_or_this_dealers_or_not_uploaded_is_refused(world):
    lead_id = new_lead(world.seller)["id"]
    other_lead_id = new_lead(world.seller)["id"]
    other_document = body(world.seller.post(f"/leads/{other_lead_id}/documents", {
        "title": "Autre", "filename": "autre.pdf", "content_type": "application/pdf", "size_bytes": 9}))["document"]
    storage.put(other_document["s3_key"], b"%PDF-1.7", "application/pdf")
    other_dealers_quote = f"{storage.quotes_prefix(world.other.dealer.id)}{QUOTE_ID}/apercu.pdf"
    storage.put(other_dealers_quote, b"%PDF-1.7", "application/pdf")
    missing_quote = f"{storage.quotes_prefix(world.garage.dealer.id)}{QUOTE_ID}/absent.pdf"
    before = stored(world.garage.dealer.id)
    emails = len(offers.ses_messages())
    for key in (other_document["s3_key"], other_dealers_quote, missing_quote):
        refused = world.seller.post(f"/leads/{lead_id}/communications", {
            "subject": "Pièce", "text": "Bonjour", "attachment_s3_key": key, "attachment_filename": "x.pdf"})
        assert refused.status_code == 400, key
        assert "attachment_s3_key" in body(refused)["error"]["fields"]
    assert stored(world.garage.dealer.id) == before and len(offers.ses_messages()) == emails


def test_an_email_to_a_contact_without_an_address_is_refused(world):
    lead_id = new_lead(world.seller, contacts=[{"name": "Paul", "mobile": "+33612345678"}])["id"]
    refused = world.seller.post(f"/leads/{lead_id}/communications", {"subject": "Bonjour", "text": "Bonjour"})
    assert refused.status_code == 400 and body(refused)["error"]["fields"] == {"contact_id": "no email address"}


def test_completing_a_task_adds_an_event_and_a_task_is_completed_once(world):
    lead_id = new_lead(world.seller)["id"]
    created = world.seller.post(f"/leads/{lead_id}/tasks", {
        "title": "Rappeler pour l'essai", "due_at": "2026-03-05T10:00:00Z", "assignee_id": world.colleague_id})
    assert created.status_code == 201 and body(created)["assignee"]["name"] == "Nina Vendeuse"
    task_id = body(created)["id"]
    done = world.seller.post(f"/leads/{lead_id}/tasks/{task_id}/complete")
    assert done.status_code == 200 and body(done)["status"] == "done"
    assert world.seller.post(f"/leads/{lead_id}/tasks/{task_id}/complete").status_code == 409
    timeline = page(world.seller, lead_id)["details"]["timeline"]
    assert timeline[0]["summary"] == "Tâche terminée : Rappeler pour l'essai"


@pytest.mark.parametrize("task, field", [
    ({"due_at": "2026-03-01T10:00:00Z"}, "due_at"),
    ({"due_at": "2026-03-05T10:00:00"}, "due_at"),
    ({"assignee_id": "01JNOBODY0000000000000000"}, "assignee_id"),
])
def test_a_task_due_in_the_past_or_for_an_unknown_user_is_refused_and_nothing_is_written(world, task, field):
    lead_id = new_lead(world.seller)["id"]
    before = stored(world.garage.dealer.id)
    refused = world.seller.post(f"/leads/{lead_id}/tasks", {"title": "Rappeler", "due_at": "2026-03-05T10:00:00Z"}
                                | task)
    assert refused.status_code == 400 and field in body(refused)["error"]["fields"]
    assert stored(world.garage.dealer.id) == before


def test_a_lead_is_assigned_to_another_user_or_to_a_branch(world):
    lead_id = new_lead(world.seller)["id"]
    to_user = world.seller.post(f"/leads/{lead_id}/assign", {"owner_id": world.colleague_id})
    assert to_user.status_code == 200 and body(to_user)["owner"]["name"] == "Nina Vendeuse"
    to_branch = world.seller.post(f"/leads/{lead_id}/assign", {"branch_id": world.branch_id})
    assert body(to_branch)["branch"]["name"] == "Villeurbanne" and body(to_branch)["owner"]["name"] == "Nina Vendeuse"
    summaries = [e["summary"] for e in page(world.seller, lead_id)["details"]["timeline"]]
    assert summaries[:2] == ["Assigné à Nina Vendeuse (Villeurbanne)", "Assigné à Nina Vendeuse"]


@pytest.mark.parametrize("assignment, field", [
    ({"owner_id": "01JNOBODY0000000000000000"}, "owner_id"),
    ({"branch_id": "01JNOBRANCH000000000000000"}, "branch_id"),
    ({"branch_id": "other dealer's branch"}, "branch_id"),
    ({}, "body"),
])
def test_assigning_to_an_unknown_user_or_a_branch_of_another_dealer_is_refused_and_nothing_is_written(
        world, assignment, field):
    if assignment.get("branch_id") == "other dealer's branch":
        assignment = {"branch_id": world.other_branch_id}
    lead_id = new_lead(world.seller)["id"]
    before = stored(world.garage.dealer.id)
    refused = world.seller.post(f"/leads/{lead_id}/assign", assignment)
    assert refused.status_code == 400 and field in body(refused)["error"]["fields"]
    assert stored(world.garage.dealer.id) == before


def test_a_won_lead_cannot_be_won_again_and_nothing_is_written(world):
    lead_id = new_lead(world.seller)["id"]
    won = world.seller.post(f"/leads/{lead_id}/status", {"status": "won"})
    assert won.status_code == 200
    assert (body(won)["status_label"], body(won)["status_colour"], body(won)["deadline_at"]) == (
        "Gagnée", "#2E7D32", None)
    before = stored(world.garage.dealer.id)
    again = world.seller.post(f"/leads/{lead_id}/status", {"status": "won"})
    assert again.status_code == 409 and body(again)["error"]["fields"] == {"status": "unchanged"}
    assert stored(world.garage.dealer.id) == before


def test_a_lost_lead_needs_a_reason_leaves_the_deadline_alerts_and_refuses_new_trade_ins(world):
    lead_id = new_lead(world.seller)["id"]
    before = stored(world.garage.dealer.id)
    no_reason = world.seller.post(f"/leads/{lead_id}/status", {"status": "lost"})
    assert no_reason.status_code == 400 and "reason" in body(no_reason)["error"]["fields"]
    assert stored(world.garage.dealer.id) == before
    lost = world.seller.post(f"/leads/{lead_id}/status", {"status": "lost", "reason": "A acheté ailleurs"})
    assert body(lost)["status_colour"] == "#C62828" and body(lost)["lost_reason"] == "A acheté ailleurs"
    assert not [i for i in due.due("lead_deadline", NOW + timedelta(days=9)) if i["id"] == lead_id]
    assert page(world.seller, lead_id)["follow_up"]["deadlines"][0]["status"] == "cancelled"
    refused = world.seller.post(f"/leads/{lead_id}/trade-ins", {"vehicle": "208", "registration": "AB-123-CD",
                                                                "mileage_km": 1, "estimated_value_cents": 1})
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "lead_closed"


def test_a_reopened_lead_waits_on_a_fresh_contact_deadline(world):
    lead_id = new_lead(world.seller)["id"]
    world.seller.post(f"/leads/{lead_id}/status", {"status": "lost", "reason": "Injoignable"})
    at(NOW + timedelta(days=10))
    reopened = world.seller.post(f"/leads/{lead_id}/status", {"status": "open"})
    assert body(reopened)["deadline_at"] == "2026-03-13T09:00:00Z" and body(reopened)["lost_reason"] is None
    assert [i["id"] for i in due.due("lead_deadline", NOW + timedelta(days=12))].count(lead_id) == 1
    assert [d["status"] for d in page(world.seller, lead_id)["follow_up"]["deadlines"]] == ["pending", "cancelled"]


# --- follow-up ---------------------------------------------------------------------

def test_the_follow_up_moves_the_deadline_and_the_alert_with_it(world):
    lead_id = new_lead(world.seller)["id"]
    deadline_id = page(world.seller, lead_id)["follow_up"]["deadlines"][0]["id"]
    moved = world.seller.send("PATCH", f"/leads/{lead_id}/deadlines/{deadline_id}", {"due_at": "2026-03-06T08:00:00Z"})
    assert moved.status_code == 200 and body(moved)["due_at"] == "2026-03-06T08:00:00Z"
    assert not [i for i in due.due("lead_deadline", NOW + timedelta(days=3)) if i["id"] == lead_id]
    assert [i for i in due.due("lead_deadline", NOW + timedelta(days=5)) if i["id"] == lead_id]
    assert page(world.seller, lead_id)["header"]["deadline_at"] == "2026-03-06T08:00:00Z"


def test_a_deadline_in_the_past_is_refused_and_nothing_is_written(world):
    lead_id = new_lead(world.seller)["id"]
    deadline_id = page(world.seller, lead_id)["follow_up"]["deadlines"][0]["id"]
    before = stored(world.garage.dealer.id)
    refused = world.seller.send("PATCH", f"/leads/{lead_id}/deadlines/{deadline_id}",
                                {"due_at": "2026-03-01T08:00:00Z"})
    assert refused.status_code == 400 and body(refused)["error"]["fields"] == {"due_at": "must be in the future"}
    assert stored(world.garage.dealer.id) == before


def test_a_failed_contact_attempt_is_counted_and_contact_made_meets_the_deadline(world):
    lead_id = new_lead(world.seller)["id"]
    deadline_id = page(world.seller, lead_id)["follow_up"]["deadlines"][0]["id"]
    at(NOW + timedelta(hours=30))
    attempt = world.seller.post(f"/leads/{lead_id}/deadlines/{deadline_id}/contact",
                                {"contact_made": False, "note": "Messagerie"})
    assert body(attempt)["contact_attempts"] == 1 and body(attempt)["status"] == "pending"
    assert page(world.seller, lead_id)["header"]["overdue"] is True
    made = world.seller.post(f"/leads/{lead_id}/deadlines/{deadline_id}/contact", {"contact_made": True})
    assert body(made)["status"] == "met" and body(made)["met_at"] == "2026-03-03T15:00:00Z"
    header = page(world.seller, lead_id)["header"]
    assert header["overdue"] is False and header["deadline_at"] is None
    assert not [i for i in due.due("lead_deadline", NOW + timedelta(days=9)) if i["id"] == lead_id]
    again = world.seller.post(f"/leads/{lead_id}/deadlines/{deadline_id}/contact", {"contact_made": True})
    assert again.status_code == 409


# --- contacts ----------------------------------------------------------------------

def test_contacts_are_added_and_corrected_and_the_list_finds_them(world):
    lead_id = new_lead(world.seller)["id"]
    added = world.seller.post(f"/leads/{lead_id}/contacts", {
        "name": "Jérôme Martin", "mobile": "+33698765432",
        "address": {"street": "3 rue des Lilas", "postal_code": "69100", "city": "Villeurbanne"}})
    assert added.status_code == 201 and body(added)["address"]["country"] == "FR"
    contact_id = body(added)["id"]
    corrected = world.seller.send("PUT", f"/leads/{lead_id}/contacts/{contact_id}", {
        "name": "Jérôme Martin-Durand", "email": "jerome@example.com"})
    assert corrected.status_code == 200
    assert [c["name"] for c in page(world.seller, lead_id)["contacts"]] == ["Hélène Martin", "Jérôme Martin-Durand"]
    assert [i["id"] for i in body(world.seller.get("/leads?q=durand"))["items"]] == [lead_id]
    bad_phone = world.seller.send("PUT", f"/leads/{lead_id}/contacts/{contact_id}", {"name": "J", "mobile": "06"})
    assert bad_phone.status_code == 400 and "mobile" in body(bad_phone)["error"]["fields"]
    unknown = world.seller.send("PUT", f"/leads/{lead_id}/contacts/01JNOCONTACT00000000000000",
                                {"name": "X", "email": "x@example.com"})
    assert unknown.status_code == 404


# --- the list ------------------------------------------------------------------------

def all_pages(api: Api, query: str) -> tuple[list[list[str]], list[int]]:
    """Every page of a listing (ids per page), and the DynamoDB calls each page took."""
    pages, calls_per_page, cursor = [], [], None
    while True:
        url = f"/leads?{query}" + (f"&cursor={cursor}" if cursor else "")
        with dynamodb_calls() as calls:
            answer = api.get(url)
        assert answer.status_code == 200, answer.body
        pages.append([i["id"] for i in body(answer)["items"]])
        calls_per_page.append(len(calls))
        cursor = body(answer)["next_cursor"]
        if cursor is None:
            return pages, calls_per_page


@pytest.fixture
def listed(world):
    """Seven leads, one minute apart: three of Nina's in Villeurbanne (one won), four of Victor's."""
    ids = []
    for n in range(7):
        at(NOW + timedelta(minutes=n))
        mine = n % 2 == 0
        lead = new_lead(world.seller, name=f"Client {n}" if n != 3 else "Élodie Zoé",
                        **({} if mine else {"owner_id": world.colleague_id}))
        ids.append(lead["id"])
    at(NOW + timedelta(minutes=10))
    world.seller.post(f"/leads/{ids[5]}/status", {"status": "won"})
    at(NOW + timedelta(minutes=11))
    return ids


def test_the_list_pages_newest_activity_first_in_at_most_two_calls_per_page(world, listed):
    pages, calls = all_pages(world.seller, "limit=3")
    assert [len(p) for p in pages] == [3, 3, 1]
    assert sum(pages, []) == [listed[5], listed[6], listed[4], listed[3], listed[2], listed[1], listed[0]]
    assert max(calls) <= 2


def test_the_list_filters_by_status_owner_branch_and_contact_name(world, listed):
    def ids(query):
        return sum(all_pages(world.seller, query)[0], [])

    assert ids("status=won") == [listed[5]]
    assert ids(f"owner_id={world.colleague_id}&limit=2") == [listed[5], listed[3], listed[1]]
    assert ids(f"branch_id={world.branch_id}&status=open") == [listed[3], listed[1]]
    assert ids("q=ELODIE") == [listed[3]]
    assert ids("q=client&limit=2") == [listed[5], listed[6], listed[4], listed[2], listed[1], listed[0]]


def test_overdue_leads_are_listed_first_most_overdue_first_then_the_rest_by_activity(world, listed):
    first, third = listed[0], listed[2]
    deadline_of = {i: page(world.seller, i)["follow_up"]["deadlines"][0]["id"] for i in (first, third)}
    world.seller.send("PATCH", f"/leads/{third}/deadlines/{deadline_of[third]}", {"due_at": "2026-03-02T12:00:00Z"})
    world.seller.send("PATCH", f"/leads/{first}/deadlines/{deadline_of[first]}", {"due_at": "2026-03-02T13:00:00Z"})
    at(NOW + timedelta(hours=5))
    pages, calls = all_pages(world.seller, "overdue_first=true&limit=3")
    everything = sum(pages, [])
    assert everything[:2] == [third, first], "most overdue first"
    assert everything[2:] == [listed[5], listed[6], listed[4], listed[3], listed[1]]
    assert max(calls) <= 2
    assert sum(all_pages(world.seller, "overdue=true")[0], []) == [third, first]
    assert third not in sum(all_pages(world.seller, "overdue=false")[0], [])
    at(NOW + timedelta(days=2))
    assert len(sum(all_pages(world.seller, "overdue=true&limit=2")[0], [])) == 6, "every open lead is overdue"


@pytest.mark.parametrize("query, field", [
    ("cursor=bm90LWpzb24", "cursor"),
    ("limit=0", "limit"),
    ("limit=1000", "limit"),
    ("status=paused", "status"),
    ("colour=blue", "colour"),
])
def test_a_bad_list_query_is_refused_naming_the_parameter(world, query, field):
    refused = world.seller.get(f"/leads?{query}")
    assert refused.status_code == 400 and field in body(refused)["error"]["fields"]


def test_another_dealer_lists_none_of_these_leads_even_with_their_cursor(world, listed):
    assert body(world.intruder.get("/leads"))["items"] == []
    cursor = body(world.seller.get("/leads?limit=2"))["next_cursor"]
    assert body(world.intruder.get(f"/leads?cursor={cursor}"))["items"] == []


def test_another_dealer_cannot_give_a_lead_to_this_dealers_user(world):
    before = stored(world.other.dealer.id)
    refused = world.intruder.post("/leads", {"contacts": [{"name": "Paul", "email": "paul@example.com"}],
                                             "type": "purchase", "source": "téléphone",
                                             "owner_id": world.garage.seller.id})
    assert refused.status_code == 400 and body(refused)["error"]["fields"] == {"owner_id": "unknown user"}
    assert stored(world.other.dealer.id) == before


# --- tenant isolation ------------------------------------------------------------------

ROUTES = [
    ("GET", "/leads/{lead}", None),
    ("POST", "/leads/{lead}/trade-ins", {"vehicle": "208", "registration": "AB-123-CD", "mileage_km": 1,
                                         "estimated_value_cents": 1}),
    ("POST", "/leads/{lead}/offers", {"quote_id": QUOTE_ID, "label": "Devis"}),
    ("POST", "/leads/{lead}/test-drives", {"vehicle": "Clio", "starts_at": "2026-03-03T14:00:00Z",
                                           "licence_checked": True, "licence_number": "120375100123"}),
    ("POST", "/leads/{lead}/remarks", {"text": "Intrusion"}),
    ("POST", "/leads/{lead}/documents", {"title": "X", "filename": "x.pdf", "content_type": "application/pdf",
                                         "size_bytes": 10}),
    ("GET", "/leads/{lead}/documents/{document}/download", None),
    ("PATCH", "/leads/{lead}/documents/{document}", {"title": "Volé"}),
    ("DELETE", "/leads/{lead}/documents/{document}", None),
    ("POST", "/leads/{lead}/communications", {"subject": "Bonjour", "text": "Bonjour"}),
    ("POST", "/leads/{lead}/tasks", {"title": "Rappeler", "due_at": "2026-03-05T10:00:00Z"}),
    ("POST", "/leads/{lead}/tasks/{task}/complete", None),
    ("POST", "/leads/{lead}/assign", {"owner_id": "{intruder}"}),
    ("POST", "/leads/{lead}/status", {"status": "won"}),
    ("POST", "/leads/{lead}/keep-open", None),
    ("PATCH", "/leads/{lead}/deadlines/{deadline}", {"due_at": "2026-03-06T08:00:00Z"}),
    ("POST", "/leads/{lead}/deadlines/{deadline}/contact", {"contact_made": True}),
    ("POST", "/leads/{lead}/contacts", {"name": "Intrus", "email": "intrus@example.com"}),
    ("PUT", "/leads/{lead}/contacts/{contact}", {"name": "Intrus", "email": "intrus@example.com"}),
]


def test_every_lead_route_is_in_the_isolation_check():
    documented = {(method, path.replace("{lead_id}", "{lead}").replace("{document_id}", "{document}")
                   .replace("{task_id}", "{task}").replace("{deadline_id}", "{deadline}")
                   .replace("{contact_id}", "{contact}"))
                  for path, methods in application.app.routes.items() if path.startswith("/leads/")
                  for method in methods}
    assert documented == {(method, path) for method, path, _ in ROUTES}


@pytest.mark.parametrize("method, path, payload", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_a_user_of_another_dealer_gets_404_on_every_lead_route_and_changes_nothing(world, method, path, payload):
    lead = page(world.seller, new_lead(world.seller)["id"])
    lead_id = lead["header"]["id"]
    document = body(world.seller.post(f"/leads/{lead_id}/documents", {
        "title": "CG", "filename": "cg.pdf", "content_type": "application/pdf", "size_bytes": 9}))["document"]
    storage.put(document["s3_key"], b"%PDF-1.7", "application/pdf")
    task = body(world.seller.post(f"/leads/{lead_id}/tasks", {"title": "Rappeler", "due_at": "2026-03-05T10:00:00Z"}))
    names = {"lead": lead_id, "document": document["id"], "task": task["id"],
             "deadline": lead["follow_up"]["deadlines"][0]["id"], "contact": lead["contacts"][0]["id"],
             "intruder": world.other.admin.id}
    before = stored(world.garage.dealer.id)
    url = path.format(**names)
    if payload is not None:
        payload = {k: v.format(**names) if isinstance(v, str) else v for k, v in payload.items()}
    answer = world.intruder.get(url) if method == "GET" else world.intruder.send(method, url, payload)
    assert answer.status_code == 404, answer.body
    assert stored(world.garage.dealer.id) == before
