"""Proposals through the dealer API, on DynamoDB Local and moto (SES, S3): the seller's side of remote selling."""
import hashlib
import json
from datetime import datetime, timedelta

import pytest

from chalicelib.documents import storage
from chalicelib.domain import clock, local_time
from chalicelib.domain.outbox import Delivery
from chalicelib.domain.proposals.model import EventKind
from chalicelib.domain.proposals.status import ProposalStatus
from chalicelib.domain.templates import TemplateKind
from chalicelib.services import customer_contact, notifications
from chalicelib.services import outbox as outbox_service
from chalicelib.settings import settings
from chalicelib.store import dealers as dealer_store
from chalicelib.store import due, keys
from chalicelib.store import outbox as outbox_store
from chalicelib.store import proposals as store
from chalicelib.store.table import table
from tests import offers
from tests.offers import emails_to, read, sms_to, token_in
from tests.portal import NOW
from tests.support import Api, at, body, delivered, tenant

YEAR = local_time.paris_date(NOW).year
REF = f"P{YEAR}-00001"
SEND_AT = NOW + timedelta(minutes=1)


@pytest.fixture
def offer(seller, garage):
    return offers.offer(seller, garage.dealer.id.lower())


@pytest.fixture
def draft(seller, offer):
    """A draft made at NOW; the test goes on a minute later (history is in time order)."""
    created = offers.propose(seller, offer)
    at(SEND_AT)
    return created


def stored_item(garage, proposal_id) -> dict:
    return table.get(keys.proposal(garage.dealer.id, proposal_id))


def everything_stored_for(garage, proposal_id) -> list[dict]:
    partition, prefix = keys.proposal_with_history(garage.dealer.id, proposal_id)
    return table.query_all(partition, prefix)


# --- create ---------------------------------------------------------------------------

def test_a_proposal_is_a_frozen_versioned_copy_of_the_quote(seller, offer, draft):
    assert draft["status"] == "draft" and draft["version"] == 1 and draft["reference"] == REF
    quote = body(seller.get(f"/quotes/{offer.quote_id}"))
    assert draft["totals"] == quote["totals"] and draft["quote_number"] == quote["number"]
    assert draft["customer"]["company_name"] == "Durand Transports"
    assert draft["customer"]["mobile"] == "+33612345678"
    assert draft["seller"]["display_name"] == "Victor Vendeur"
    seller.send("PATCH", f"/quotes/{offer.quote_id}", {"version": quote["version"], "notes": "changé"})
    assert body(seller.get(f"/proposals/{draft['id']}"))["proposal"]["notes"] is None


def test_a_quote_of_an_account_with_one_contact_is_proposed_to_that_contact_without_asking(seller):
    created = seller.post("/accounts", {"kind": "person", "contact": {
        "civility": "Mme", "first_name": "Hélène", "last_name": "Martin", "email": "helene-seule@example.com"}})
    assert created.status_code == 201, created.body
    account = body(created)
    quote = body(seller.post("/quotes", {"account_id": account["account"]["id"], "origin": "quote_list",
                                         "lines": offers.LINES}))
    assert quote.get("contact_id") is None, quote
    proposal = offers.propose(seller, offers.Offer(account["account"]["id"], "", "", quote["id"], ""))
    assert proposal["customer"]["contact_id"] == account["contacts"][0]["id"]
    assert proposal["customer"]["email"] == "helene-seule@example.com"


def test_a_quote_without_a_contact_of_an_account_with_two_is_refused_naming_the_contact(seller):
    view = offers.customer(seller, "deux-contacts")
    quote = body(seller.post("/quotes", {"account_id": view["account"]["id"], "origin": "quote_list",
                                         "lines": offers.LINES}))
    assert "id" in quote, quote
    refused = seller.post("/proposals", {"quote_id": quote["id"], "seller": offers.SELLER_BLOCK})
    assert refused.status_code == 400, refused.body
    assert body(refused)["error"]["fields"] == {"contact_id": "the quote has no contact"}


def test_a_stored_proposal_holds_its_fields_not_what_is_computed_from_them(seller, garage, draft):
    item = stored_item(garage, draft["id"])
    assert {"lines", "deposit", "status"} <= set(item)
    assert not {"totals", "deposit_cents", "deposit_status", "withdrawal", "requires_iban",
                "requires_no_claim_declaration"} & set(item)
    assert body(seller.get(f"/proposals/{draft['id']}"))["proposal"]["totals"] == draft["totals"]


def test_the_first_remote_sale_builds_the_seller_profile_reused_afterwards(seller, offer, draft):
    assert body(seller.get("/me/profile"))["display_name"] == "Victor Vendeur"
    again = offers.propose(seller, offer, seller=None)
    assert again["seller"]["phone"] == "+33611223344"


def test_remote_selling_needs_the_dealer_legal_name_and_address_first(client, aws):
    at(NOW)
    garage = tenant("Garage Incomplet")
    seller = Api(client, garage.token(garage.seller))
    refused = seller.post("/proposals", {"quote_id": offers.offer(seller, "inc").quote_id,
                                         "seller": offers.SELLER_BLOCK})
    assert refused.status_code == 400
    assert set(body(refused)["error"]["fields"]) == {
        "dealer.legal.legal_name", "dealer.legal.address_line", "dealer.legal.postal_code", "dealer.legal.city"}
    assert "informations légales" in body(refused)["error"]["message"]


def test_the_dealer_legal_information_is_copied_into_the_proposal(draft):
    assert draft["dealer"]["legal"]["siret"] == "12345678900012"
    assert draft["dealer"]["legal"]["address_line"] == "12 rue des Tilleuls"


def test_without_a_seller_profile_or_block_the_proposal_is_refused(seller, offer):
    refused = seller.post("/proposals", {"quote_id": offer.quote_id})
    assert refused.status_code == 400 and "seller" in body(refused)["error"]["fields"]


def test_a_new_proposal_waits_in_the_due_index_until_its_validity_ends(garage, draft):
    valid_end = datetime.fromisoformat(draft["expires_at"])
    assert valid_end == local_time.end_of_day(local_time.paris_date(NOW) + timedelta(days=30))
    waiting = [i["SK"] for i in due.due(store.EXPIRY, valid_end) if i["PK"] == f"DEALER#{garage.dealer.id}"]
    assert waiting == [f"PROPOSAL#{draft['id']}"]
    assert not [i for i in due.due(store.EXPIRY, valid_end - timedelta(seconds=1))
                if i["PK"] == f"DEALER#{garage.dealer.id}"]


# --- send -----------------------------------------------------------------------------

def test_sending_emails_the_contact_a_link_and_on_request_the_pdf(seller, garage, offer, draft):
    sent = seller.post(f"/proposals/{draft['id']}/send", {"attach_pdf": True, "note": "Reprise incluse."})
    assert sent.status_code == 200, sent.body
    view = body(sent)
    assert view["proposal"]["status"] == "sent" and view["proposal"]["sent_at"]
    assert view["proposal"]["recipient"]["email"] == offer.email
    assert [e["kind"] for e in view["history"]] == ["created", "email_sent"]
    [message] = emails_to(offer.email)
    received = read(message)
    assert f"votre proposition commerciale {REF}" in received.subject
    assert "Reprise incluse." in received.text
    assert received.attachments == [f"proposition-{REF}-v1.pdf"]
    token = token_in(received)
    assert f"{settings().public_base_url}/p/{token}" in received.text
    pdf = view["proposal"]["pdf"]
    assert storage.get(pdf["s3_key"]).startswith(b"%PDF-")
    assert hashlib.sha256(storage.get(pdf["s3_key"])).hexdigest() == pdf["sha256"]


def test_the_link_is_stored_only_as_the_hash_of_its_token(seller, garage, offer, draft):
    seller.post(f"/proposals/{draft['id']}/send", {})
    token = token_in(read(emails_to(offer.email)[-1]))
    link = table.get(keys.link(hashlib.sha256(token.encode()).hexdigest()))
    assert link["dealer_id"] == garage.dealer.id and link["proposal_id"] == draft["id"]
    assert link["proposal_version"] == 1 and link["recipient"] == offer.email and link["purpose"] == "send"
    issued, expires = datetime.fromisoformat(link["issued_at"]), datetime.fromisoformat(link["expires_at"])
    assert (issued, expires - issued) == (SEND_AT, timedelta(hours=24))
    assert link["ttl"] > expires.timestamp()
    assert store.get_link(hashlib.sha256(token.encode()).hexdigest()).proposal_id == draft["id"]
    assert table.get(keys.link(token)) is None
    for item in [link, *everything_stored_for(garage, draft["id"])]:
        assert token not in json.dumps(item, default=str)


def test_without_asking_the_pdf_is_not_attached(seller, offer, draft):
    seller.post(f"/proposals/{draft['id']}/send", {})
    received = read(emails_to(offer.email)[-1])
    assert received.attachments == [] and token_in(received)


def test_e_signature_is_requested_by_default(seller, draft):
    assert body(seller.post(f"/proposals/{draft['id']}/send", {}))["proposal"]["e_signature_requested"] is True


def test_another_contact_of_the_same_account_can_receive_the_proposal(seller, offer, draft):
    sent = body(seller.post(f"/proposals/{draft['id']}/send", {"recipient_contact_id": offer.other_contact_id}))
    other_email = sent["proposal"]["recipient"]["email"]
    assert other_email != offer.email and "Bonjour Paul Durand" in read(emails_to(other_email)[-1]).text


def test_a_contact_of_another_account_is_refused_and_nothing_changes(seller, garage, offer, draft):
    stranger = offers.customer(seller, "stranger-" + garage.dealer.id.lower())["contacts"][0]
    before = stored_item(garage, draft["id"])
    refused = seller.post(f"/proposals/{draft['id']}/send", {"recipient_contact_id": stranger["id"]})
    assert refused.status_code == 400
    assert body(refused)["error"]["fields"] == {"recipient_contact_id": "not a contact of this account"}
    assert stored_item(garage, draft["id"]) == before
    assert emails_to(stranger["email"]) == [] and emails_to(offer.email) == []


def test_a_failed_email_does_not_lose_the_send_and_is_retried(seller, garage, offer, draft, monkeypatch):
    monkeypatch.setenv("OFFERLINE_SENDER_EMAIL", "unverified@example.com")
    settings.cache_clear()
    view = body(seller.post(f"/proposals/{draft['id']}/send", {}))
    assert view["proposal"]["status"] == "sent" and emails_to(offer.email) == []
    outbox_id = view["history"][-1]["details"]["outbox_id"]
    assert outbox_store.get(garage.dealer.id, outbox_id).status == Delivery.PENDING
    monkeypatch.delenv("OFFERLINE_SENDER_EMAIL")
    settings.cache_clear()
    at(NOW + timedelta(minutes=2))
    outbox_service.retry_due()
    assert outbox_store.get(garage.dealer.id, outbox_id).status == Delivery.SENT
    assert token_in(read(emails_to(offer.email)[-1]))


# --- remind, withdraw, terminal states -----------------------------------------------

def test_the_reminder_uses_its_own_template_and_a_new_link_while_the_first_stays_valid(seller, garage, offer, draft):
    seller.post(f"/proposals/{draft['id']}/send", {})
    at(NOW + timedelta(hours=3))
    reminded = seller.post(f"/proposals/{draft['id']}/remind", {"attach_pdf": True})
    assert reminded.status_code == 200, reminded.body
    first, second = (read(m) for m in emails_to(offer.email))
    assert second.subject.startswith("Rappel") and second.subject != first.subject
    assert second.attachments == [f"proposition-{REF}-v1.pdf"]
    old, new = token_in(first), token_in(second)
    assert old != new
    for token in (old, new):
        link = store.get_link(hashlib.sha256(token.encode()).hexdigest())
        assert link.expires_at > NOW + timedelta(hours=3)
    view = body(reminded)
    assert view["proposal"]["reminder_count"] == 1
    assert [e["kind"] for e in view["history"]] == ["created", "email_sent", "reminder_sent"]


def test_a_draft_cannot_be_reminded_before_it_is_sent(seller, draft):
    refused = seller.post(f"/proposals/{draft['id']}/remind", {})
    assert refused.status_code == 409 and "pas encore été envoyée" in body(refused)["error"]["message"]


def test_a_withdrawn_proposal_refuses_send_remind_and_edits_and_nothing_changes(seller, garage, offer, draft):
    seller.post(f"/proposals/{draft['id']}/send", {})
    withdrawn = seller.post(f"/proposals/{draft['id']}/withdraw")
    assert withdrawn.status_code == 200 and body(withdrawn)["proposal"]["status"] == "withdrawn"
    assert "due_pk" not in stored_item(garage, draft["id"])
    before, mails = stored_item(garage, draft["id"]), len(emails_to(offer.email))
    for path, payload in (("send", {}), ("remind", {}), ("withdraw", None)):
        refused = seller.post(f"/proposals/{draft['id']}/{path}", payload)
        assert refused.status_code == 409, path
        assert "retirée" in body(refused)["error"]["message"]
    edit = seller.send("PATCH", f"/proposals/{draft['id']}", {"email": "autre@example.com"})
    assert edit.status_code == 409 and body(edit)["error"]["code"] == "proposal_locked"
    assert stored_item(garage, draft["id"]) == before and len(emails_to(offer.email)) == mails


def test_an_accepted_proposal_cannot_be_withdrawn_or_sent(seller, garage, draft):
    seller.post(f"/proposals/{draft['id']}/send", {})
    proposal = store.get(garage.dealer.id, draft["id"])
    table.write(store.transition(proposal, ProposalStatus.ACCEPTED, NOW, expect_version=1))
    assert seller.post(f"/proposals/{draft['id']}/withdraw").status_code == 409
    assert seller.post(f"/proposals/{draft['id']}/send", {}).status_code == 409
    assert store.get(garage.dealer.id, draft["id"]).status == ProposalStatus.ACCEPTED


# --- edits after sending ---------------------------------------------------------------

def test_after_sending_a_locked_field_is_a_409_telling_to_make_a_new_proposal(seller, garage, draft):
    seller.post(f"/proposals/{draft['id']}/send", {})
    before = stored_item(garage, draft["id"])
    for change in ({"last_name": "Martin"}, {"vehicle": {"make": "Renault", "model": "Clio"}},
                   {"address": {"line1": "1 rue Neuve", "postal_code": "75001", "city": "Paris"}}):
        refused = seller.send("PATCH", f"/proposals/{draft['id']}", change)
        assert refused.status_code == 409
        error = body(refused)["error"]
        assert error["code"] == "proposal_locked" and "nouvelle proposition" in error["message"]
        assert set(error["fields"]) == set(change)
    assert stored_item(garage, draft["id"]) == before


def test_after_sending_the_email_mobile_and_seller_block_change_in_a_new_version(seller, garage, offer, draft):
    seller.post(f"/proposals/{draft['id']}/send", {})
    store_view = store.get(garage.dealer.id, draft["id"])
    table.write(offers.counted_view(store_view, NOW))  # the portal counts a view meanwhile
    at(NOW + timedelta(hours=1))
    edited = seller.send("PATCH", f"/proposals/{draft['id']}", {
        "email": "marie.durand@example.com", "mobile": "07 11 22 33 44",
        "seller": {"display_name": "Nina Vendeuse", "phone": "+33622334455", "email": "nina@tilleuls.example"}})
    assert edited.status_code == 200, edited.body
    proposal = body(edited)["proposal"]
    assert proposal["version"] == 2 and proposal["customer"]["email"] == "marie.durand@example.com"
    assert proposal["recipient"]["email"] == "marie.durand@example.com"
    assert proposal["seller"]["display_name"] == "Nina Vendeuse"
    assert proposal["status"] == "viewed" and proposal["view_count"] == 1
    assert body(edited)["history"][-1]["details"] == {"fields": ["email", "mobile", "seller"], "version": 2}
    seller.post(f"/proposals/{draft['id']}/remind", {"attach_pdf": True})
    reminder = read(emails_to("marie.durand@example.com")[-1])
    assert reminder.attachments == [f"proposition-{REF}-v2.pdf"] and "Nina Vendeuse" in reminder.text
    link = store.get_link(hashlib.sha256(token_in(reminder).encode()).hexdigest())
    assert link.proposal_version == 2


def test_a_draft_may_change_its_customer_name(seller, draft):
    edited = seller.send("PATCH", f"/proposals/{draft['id']}", {"last_name": "Durand-Martin"})
    assert edited.status_code == 200 and body(edited)["proposal"]["customer"]["last_name"] == "Durand-Martin"


def test_an_unknown_field_is_a_400_naming_it(seller, draft):
    refused = seller.send("PATCH", f"/proposals/{draft['id']}", {"colour": "bleu"})
    assert refused.status_code == 400 and "colour" in body(refused)["error"]["fields"]


# --- list, history, pdf, portal hooks -------------------------------------------------

def test_the_list_shows_each_proposal_status_view_count_and_last_view(seller, garage, offer, draft):
    second = offers.propose(seller, offer)
    seller.post(f"/proposals/{draft['id']}/send", {})
    viewed_at = NOW + timedelta(hours=2)
    for _ in range(2):
        table.write(offers.counted_view(store.get(garage.dealer.id, draft["id"]), viewed_at))
    listed = body(seller.get("/proposals"))
    assert [p["id"] for p in listed["items"]] == [second["id"], draft["id"]]
    first = listed["items"][1]
    assert (first["status"], first["view_count"]) == ("viewed", 2)
    assert datetime.fromisoformat(first["last_viewed_at"]) == viewed_at
    assert first["customer_name"] == "Durand Transports" and first["total_ttc_cents"] == 2_041_795
    only_drafts = body(seller.get("/proposals?status=draft"))
    assert [p["id"] for p in only_drafts["items"]] == [second["id"]]


def test_the_list_pages_with_a_cursor_that_stays_in_the_dealer(client, seller, garage, offer, draft):
    second = offers.propose(seller, offer)
    page = body(seller.get("/proposals?limit=1"))
    assert [p["id"] for p in page["items"]] == [second["id"]] and page["next_cursor"]
    following = body(seller.get(f"/proposals?limit=1&cursor={page['next_cursor']}"))
    assert [p["id"] for p in following["items"]] == [draft["id"]]
    other = tenant("Autre Garage")
    intruder = Api(client, other.token(other.seller))
    refused = intruder.get(f"/proposals?cursor={page['next_cursor']}")
    assert refused.status_code == 400 and "cursor" in body(refused)["error"]["fields"]
    assert seller.get("/proposals?limit=0").status_code == 400


def test_the_history_keeps_every_customer_step_with_its_time(seller, garage, draft):
    seller.post(f"/proposals/{draft['id']}/send", {})
    steps = [(EventKind.VIEWED, NOW + timedelta(minutes=5)), (EventKind.DOWNLOADED, NOW + timedelta(minutes=6)),
             (EventKind.QUESTION_ASKED, NOW + timedelta(minutes=7)),
             (EventKind.SIGNATURE_STARTED, NOW + timedelta(minutes=9)),
             (EventKind.CODE_SENT, NOW + timedelta(minutes=9, seconds=1)),
             (EventKind.CODE_VERIFIED, NOW + timedelta(minutes=11))]
    for kind, moment in steps:
        table.write(store.record_event(garage.dealer.id, draft["id"], kind, moment, {"ip": "203.0.113.7"}))
    table.write(offers.counted_download(store.get(garage.dealer.id, draft["id"]), NOW + timedelta(minutes=6)))
    view = body(seller.get(f"/proposals/{draft['id']}"))
    history = view["history"]
    assert view["proposal"]["download_count"] == 1
    assert [e["kind"] for e in history] == ["created", "email_sent", *[k.value for k, _ in steps]]
    assert datetime.fromisoformat(history[-1]["at"]) == NOW + timedelta(minutes=11)
    assert history[-1]["by"] == "customer"


def test_the_pdf_route_gives_a_short_lived_url_of_the_current_version(seller, draft):
    document = seller.get(f"/proposals/{draft['id']}/pdf")
    assert document.status_code == 200
    pdf = body(document)
    assert pdf["s3_key"].endswith(f"/proposals/{draft['id']}/v1.pdf") and pdf["url"].startswith("http")
    assert body(seller.get(f"/proposals/{draft['id']}"))["proposal"]["pdf"]["sha256"] == pdf["sha256"]


def test_the_seller_hears_of_a_view_by_email_and_sms_per_preferences(seller, garage, draft):
    seller.send("PUT", "/me/profile", {**offers.SELLER_BLOCK, "notifications": {"email": True, "sms": True,
                                                                                "on_download": False}})
    proposal = store.get(garage.dealer.id, draft["id"])
    earlier = len(emails_to(offers.SELLER_BLOCK["email"])), len(sms_to("+33611223344"))  # other tests' too
    viewed = notifications.seller_notice(proposal, EventKind.VIEWED, NOW)
    assert sorted(m.channel.value for m in notifications.expand(viewed, NOW)) == ["bell", "email", "sms"]
    # Not wanted by email or SMS: in the app's bell only.
    downloaded = notifications.expand(notifications.seller_notice(proposal, EventKind.DOWNLOADED, NOW), NOW)
    assert [m.channel.value for m in downloaded] == ["bell"]
    table.transact([outbox_store.new(viewed)])
    delivered()
    [email] = emails_to(offers.SELLER_BLOCK["email"])[earlier[0]:]
    assert f"Durand Transports a consulté la proposition {REF}" == email.subject
    [sms] = sms_to("+33611223344")[earlier[1]:]
    assert f"a consulté la proposition {REF}" in sms
    assert outbox_store.get(garage.dealer.id, viewed.id).status == Delivery.EXPANDED


def test_a_question_reaches_the_seller_with_its_text_even_if_they_chose_no_email(seller, garage, draft):
    seller.send("PUT", "/me/profile", {**offers.SELLER_BLOCK, "notifications": {"email": False, "sms": False}})
    proposal = store.get(garage.dealer.id, draft["id"])
    earlier = len(emails_to(offers.SELLER_BLOCK["email"]))  # other tests' too
    table.transact([outbox_store.new(notifications.seller_notice(
        proposal, EventKind.QUESTION_ASKED, NOW, {"question": "Livraison un samedi ?"}))])
    delivered()
    [email] = [read(m) for m in emails_to(offers.SELLER_BLOCK["email"])[earlier:]]
    assert "posé une question" in email.subject and "Livraison un samedi ?" in email.text


def test_the_portal_can_issue_a_new_link_and_acknowledge_a_question(seller, garage, offer, draft):
    seller.post(f"/proposals/{draft['id']}/send", {})
    proposal = store.get(garage.dealer.id, draft["id"])
    link = customer_contact.issue_link(dealer_store.get(garage.dealer.id), proposal, proposal.recipient.email,
                                       NOW, purpose="renewal")
    ack = customer_contact.customer_email(garage.dealer.id, proposal, TemplateKind.QUESTION_ACK,
                                          NOW, purpose="proposal_question_ack",
                                          variables={"question": "Livraison un samedi ?"})
    table.transact([link.write, outbox_store.new(ack)])
    delivered()
    assert store.get_link(link.token_hash).purpose == "renewal"
    assert "Livraison un samedi ?" in read(emails_to(offer.email)[-1]).text


# --- tenancy and the option ------------------------------------------------------------

def test_another_dealer_gets_404_on_every_proposal_route(client, seller, garage, draft):
    other = tenant("Autre Garage")
    intruder = Api(client, other.token(other.seller))
    pid = draft["id"]
    before = stored_item(garage, pid)
    for method, path, payload in [
        ("GET", f"/proposals/{pid}", None), ("GET", f"/proposals/{pid}/pdf", None),
        ("PATCH", f"/proposals/{pid}", {"email": "x@example.com"}), ("POST", f"/proposals/{pid}/send", {}),
        ("POST", f"/proposals/{pid}/remind", {}), ("POST", f"/proposals/{pid}/withdraw", None),
    ]:
        answer = intruder.get(path) if method == "GET" else intruder.send(method, path, payload)
        assert answer.status_code == 404, (method, path)
    assert body(intruder.get("/proposals"))["items"] == []
    refused = intruder.post("/proposals", {"quote_id": draft["quote_id"], "seller": offers.SELLER_BLOCK})
    assert refused.status_code == 400 and "quote_id" in body(refused)["error"]["fields"]
    assert stored_item(garage, pid) == before


def test_without_remote_selling_every_proposal_route_is_a_403_with_the_reason(client, aws):
    clock.set_source(lambda: NOW)
    garage = tenant("Garage Sans Option", remote_selling=False)
    seller = Api(client, garage.token(garage.seller))
    found = offers.offer(seller, garage.dealer.id.lower())
    assert seller.get(f"/quotes/{found.quote_id}").status_code == 200  # quotes work without the option
    for method, path, payload in [
        ("GET", "/proposals", None), ("POST", "/proposals", {"quote_id": found.quote_id}),
        ("GET", "/proposals/X", None), ("GET", "/proposals/X/pdf", None),
        ("PATCH", "/proposals/X", {"email": "a@b.fr"}),
        ("POST", "/proposals/X/send", {}), ("POST", "/proposals/X/remind", {}), ("POST", "/proposals/X/withdraw", None),
    ]:
        answer = seller.get(path) if method == "GET" else seller.send(method, path, payload)
        assert answer.status_code == 403, (method, path)
        error = body(answer)["error"]
        assert error["code"] == "remote_selling_disabled" and "vente à distance" in error["message"]


def test_an_admin_enters_the_legal_information_sellers_cannot(client, aws):
    garage = tenant("Garage Neuf")
    admin, seller = Api(client, garage.token(garage.admin)), Api(client, garage.token(garage.seller))
    legal = {**offers.LEGAL, "rcs": "RCS Lyon 123 456 789", "vat_number": "FR12123456789", "phone": "+33472000000",
             "mediator": "CNPM Médiation Consommation, www.cnpm-mediation-consommation.eu"}
    assert seller.send("PUT", "/dealer/legal", legal).status_code == 403
    saved = admin.send("PUT", "/dealer/legal", legal)
    assert saved.status_code == 200 and body(saved)["legal"]["rcs"] == "RCS Lyon 123 456 789"
    refused = admin.send("PUT", "/dealer/legal", {**legal, "siret": "123"})
    assert refused.status_code == 400 and "siret" in body(refused)["error"]["fields"]


def test_a_draft_validity_cannot_move_into_the_past(seller, draft):
    refused = seller.send("PATCH", f"/proposals/{draft['id']}", {"valid_until": "2020-01-01"})
    assert refused.status_code == 400 and "valid_until" in body(refused)["error"]["fields"]
    later = (local_time.paris_date(NOW) + timedelta(days=40)).isoformat()
    moved = body(seller.send("PATCH", f"/proposals/{draft['id']}", {"valid_until": later}))["proposal"]
    assert moved["valid_until"] == later and moved["version"] == 2
    new_end = datetime.fromisoformat(moved["expires_at"])
    mine = f"PROPOSAL#{draft['id']}"
    assert mine in [i["SK"] for i in due.due(store.EXPIRY, new_end)]
    assert mine not in [i["SK"] for i in due.due(store.EXPIRY, new_end - timedelta(days=2))]
