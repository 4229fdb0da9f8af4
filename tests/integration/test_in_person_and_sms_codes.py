"""In-person signing and codes by SMS over HTTP on the local services (issue 16 item 2): the code is read
from what SNS took; the evidence says the mode, the host, the channel and the masked number; the session is
the seller's own (another dealer: 404; typed as a portal link: unknown)."""
import re
from datetime import timedelta

from tests import offers, portal
from tests.offers import emails_to, read
from tests.portal import Customer, NOW, at, follow, html
from tests.support import Api, body, tenant

MARIE_MOBILE = "+33612345678"
CODE = re.compile(r"\b(\d{6})\b")


def sms_code() -> str:
    found = CODE.search(offers.sms_to(MARIE_MOBILE)[-1])
    assert found
    return found.group(1)


def code_sent(seller: Api, proposal_id: str) -> dict:
    proofs = body(seller.get(f"/proposals/{proposal_id}/proofs/evidence.json"))
    return [e for e in proofs["chain"]["events"] if e["kind"] == "code_sent"][-1]["details"]


def test_the_customer_present_signs_on_the_tablet_with_a_code_by_sms(client):
    garage = offers.with_legal(tenant())
    seller = Api(client, garage.token(garage.seller))
    sent = portal.send(seller, offers.offer(seller, garage.dealer.id.lower()))
    opened = seller.post(f"/proposals/{sent.proposal_id}/in-person")
    assert opened.status_code == 201, opened.body
    session = body(opened)["session"]
    assert body(opened)["signers"][0]["mobile_masked"] == "+33•••••••78"

    other = offers.with_legal(tenant("Garage du Port"))
    stranger = Api(client, other.token(other.seller))
    assert stranger.post(f"/proposals/{sent.proposal_id}/in-person").status_code == 404
    assert stranger.post(f"/proposals/{sent.proposal_id}/in-person/sign", {"session": session}).status_code == 404
    assert Customer(client, session).get().status_code == 404  # not a portal link

    form = {"session": session, "full_name": "Marie Durand", "terms": True, "iban": portal.IBAN}
    asked = seller.post(f"/proposals/{sent.proposal_id}/in-person/sign", form)
    assert asked.status_code == 200, asked.body
    wrong = f"{(int(sms_code()) + 1) % 1_000_000:06d}"
    refused = seller.post(f"/proposals/{sent.proposal_id}/in-person/code", {"session": session, "code": wrong})
    assert refused.status_code == 400 and body(refused)["error"]["code"] == "wrong_code"
    signed = seller.post(f"/proposals/{sent.proposal_id}/in-person/code", {"session": session, "code": sms_code()})
    assert signed.status_code == 200 and body(signed)["accepted"], signed.body

    details = code_sent(seller, sent.proposal_id)
    assert (details["mode"], details["host"], details["channel"], details["to"]) == (
        "in_person", "Victor Vendeur", "sms", "+33•••••••78")
    view = body(seller.get(f"/proposals/{sent.proposal_id}"))["proposal"]
    assert view["status"] == "accepted" and view["signature"]["host"] == "Victor Vendeur"


def test_a_dealer_sending_remote_codes_by_sms(client):
    garage = offers.with_legal(tenant())
    admin = Api(client, garage.token(garage.admin))
    assert admin.send("PATCH", "/dealer/settings", {"signing_codes_by_sms": True}).status_code == 200
    seller = Api(client, garage.token(garage.seller))
    offer = offers.offer(seller, garage.dealer.id.lower())
    at(NOW + timedelta(minutes=1))
    sent = portal.send(seller, offer)
    customer = Customer(client, sent.token)
    sign_page = html(customer.get("/sign"))
    assert "par SMS au +33•••••••78" in sign_page
    started = customer.submit("/sign", sign_page, {"full_name": "Marie Durand", "terms": "1", "iban": portal.IBAN})
    code_path = follow(started, customer.url + "/sign")
    code_page = html(customer.client.http.get(code_path))
    assert "par SMS au +33•••••••78" in code_page
    assert not [m for m in emails_to(offer.email) if "code de sécurité" in read(m).subject.lower()]
    confirmed = customer.submit("/code", code_page, {"code": sms_code()}, action="/code")
    assert follow(confirmed, code_path) == customer.url
    details = code_sent(seller, sent.proposal_id)
    assert (details["channel"], details["to"]) == ("sms", "+33•••••••78") and "mode" not in details
