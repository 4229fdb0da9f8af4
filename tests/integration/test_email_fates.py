"""Email fates on the local stack (DynamoDB Local, moto, the SES mailbox simulator of local/ses_simulator.py):
a proposal sent to an address that bounces is flagged in the list and on its page with "non remis", the
seller is told, the address is refused (409, nothing written) until corrected or confirmed, and sending
again to a corrected address is "remis". The signing code's bounce reaches the evidence chain."""
from datetime import timedelta

import app as application
from chalicelib.domain import evidence
from chalicelib.store import keys
from chalicelib.store.table import table
from local import ses_simulator
from local.ses_simulator import BOUNCE, COMPLAINT, SUCCESS
from local.stream import lambda_context
from tests import offers
from tests.offers import emails_to, read
from tests.portal import NOW, SIGN_FORM, Customer, at, proposal_view, seller_block, stored_state
from tests.support import body


def proposal_to(seller, garage, address: str) -> dict:
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = offers.propose(seller, offer, seller=seller_block(offer.quote_id))
    assert seller.send("PATCH", f"/proposals/{proposal['id']}", {"email": address}).status_code == 200
    return proposal


def fates(view: dict) -> list[tuple[str, str]]:
    return [(e["kind"], e["details"]["label"]) for e in view["history"]
            if e["kind"] in ("email_delivered", "email_undelivered")]


def test_a_bounce_is_flagged_the_address_refused_until_corrected_then_remis(client, garage, seller):
    proposal = proposal_to(seller, garage, BOUNCE)
    at(NOW + timedelta(minutes=1))
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200

    view = proposal_view(seller, proposal["id"])
    assert fates(view) == [("email_undelivered", "non remis : adresse inconnue")]
    assert view["proposal"]["email_bounce"]["to"] == BOUNCE
    [row] = [p for p in body(seller.get("/proposals"))["items"] if p["id"] == proposal["id"]]
    assert row["email_bounce"]["fate"] == "bounced"
    seller_address = seller_block(proposal["quote_id"])["email"]
    [told] = [read(m) for m in emails_to(seller_address) if "non remis" in read(m).subject]
    assert BOUNCE in told.text and proposal["reference"] in told.text

    # Sending or reminding to the same address: 409 with the reason, nothing written.
    before = stored_state(garage.dealer.id)
    for action in ("send", "remind"):
        refused = seller.post(f"/proposals/{proposal['id']}/{action}", {})
        assert refused.status_code == 409, refused.body
        assert body(refused)["error"]["code"] == "address_suppressed"
        assert BOUNCE in body(refused)["error"]["message"]
    assert stored_state(garage.dealer.id) == before

    # The seller corrects the address (allowed after sending) and sends again: delivered, flag gone.
    at(NOW + timedelta(minutes=2))
    assert seller.send("PATCH", f"/proposals/{proposal['id']}", {"email": SUCCESS}).status_code == 200
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    view = proposal_view(seller, proposal["id"])
    assert fates(view) == [("email_undelivered", "non remis : adresse inconnue"), ("email_delivered", "remis")]
    assert view["proposal"]["email_bounce"] is None


def test_a_complaint_suppresses_until_the_seller_confirms_the_address(client, garage, seller):
    proposal = proposal_to(seller, garage, COMPLAINT)
    at(NOW + timedelta(minutes=1))
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    view = proposal_view(seller, proposal["id"])
    assert [kind for kind, _ in fates(view)] == ["email_delivered", "email_undelivered"]
    assert view["proposal"]["email_bounce"]["fate"] == "complained"
    assert seller.post(f"/proposals/{proposal['id']}/remind", {}).status_code == 409

    confirmed = seller.post(f"/proposals/{proposal['id']}/confirm-address", {})
    assert confirmed.status_code == 200, confirmed.body
    assert body(confirmed)["history"][-1]["kind"] == "address_confirmed"
    assert seller.post(f"/proposals/{proposal['id']}/remind", {}).status_code == 200
    # The simulator complains again about the reminder: the address is suppressed again.
    assert seller.post(f"/proposals/{proposal['id']}/remind", {}).status_code == 409


def test_confirming_an_address_that_is_not_suppressed_is_refused(client, garage, seller):
    proposal = proposal_to(seller, garage, SUCCESS)
    refused = seller.post(f"/proposals/{proposal['id']}/confirm-address", {})
    assert refused.status_code == 400 and body(refused)["error"]["fields"] == {"email": "not suppressed"}


def test_a_replayed_or_late_event_changes_nothing(client, garage, seller):
    proposal = proposal_to(seller, garage, BOUNCE)
    at(NOW + timedelta(minutes=1))
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    [lookup] = [i for i in table.query_all(keys.dealer(garage.dealer.id)[keys.PK], "OUTBOX#")
                if i.get("to") == BOUNCE]
    ses_id = lookup["provider_id"]
    before = stored_state(garage.dealer.id)
    function = application.app.handler_map["email-events"]
    for event_type in ("Bounce", "Delivery", "DeliveryDelay"):
        event = ses_simulator.eventbridge(ses_simulator.detail(event_type, ses_id, BOUNCE, NOW))
        answer = function(event, lambda_context(application.app, None, "email-events"))
        assert answer == {"outcome": "replayed"}
    assert stored_state(garage.dealer.id) == before


def test_the_code_emails_bounce_reaches_the_evidence(client, garage, seller):
    proposal = proposal_to(seller, garage, BOUNCE)
    at(NOW + timedelta(minutes=1))
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    token = offers.token_in(read(emails_to(BOUNCE)[-1]))
    customer = Customer(client, token)
    at(NOW + timedelta(minutes=2))
    assert customer.post("/sign", SIGN_FORM, form="sign").status_code == 303
    customer.get()  # the next request brings the code email's fate (the stream runs after each request)

    items = table.query_all(keys.dealer(garage.dealer.id)[keys.PK], f"PROPOSAL#{proposal['id']}#EVIDENCE#")
    chain = [evidence.EvidenceEvent.model_validate(i) for i in items]
    [fate] = [e for e in chain if e.kind == evidence.EventKind.CODE_EMAIL_FATE]
    assert (fate.details["fate"], fate.details["to"], fate.details["permanent"]) == ("bounced", BOUNCE, True)
    stored = table.get(keys.proposal(garage.dealer.id, proposal["id"]))
    subject = evidence.subject_of(garage.dealer.id, proposal["id"])
    head = evidence.Chain(subject=subject, seq=stored["evidence_seq"], head_hash=stored["evidence_head"])
    assert evidence.verify(chain, subject, head).ok


def test_the_dev_outbox_shows_each_emails_fate(client, garage, seller):
    # A label of the test's own: moto's outbox is shared by the session, the simulator ignores the label.
    address = BOUNCE.replace("@", f"+{garage.dealer.id.lower()}@")
    proposal = proposal_to(seller, garage, address)
    at(NOW + timedelta(minutes=1))
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    captured = body(client.http.get("/dev/outbox.json"))["emails"]
    bounced = [m for m in captured if address in m["recipients"]]
    assert bounced and {m["fate"] for m in bounced} == {"bounced"}
    assert "550 5.1.1" in bounced[0]["fate_detail"]
    page = client.http.get("/dev/outbox").body.decode()
    assert "non remis (rejeté)" in page


def test_a_bounce_of_the_renewed_link_email_shows_on_the_proposal(client, garage, seller):
    proposal = proposal_to(seller, garage, SUCCESS)
    at(NOW + timedelta(minutes=1))
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    token = offers.token_in(read(emails_to(SUCCESS)[-1]))
    # The address goes wrong after sending; the customer asks for a new link once the first one expired.
    assert seller.send("PATCH", f"/proposals/{proposal['id']}", {"email": BOUNCE}).status_code == 200
    at(NOW + timedelta(hours=25))
    assert Customer(client, token).post("", {}, form="new-link").status_code == 200

    view = proposal_view(seller, proposal["id"])
    assert ("email_undelivered", "non remis : adresse inconnue") in fates(view)
    assert view["proposal"]["email_bounce"]["to"] == BOUNCE
