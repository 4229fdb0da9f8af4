"""Two signers sharing one address, over HTTP on the local services (issue 16 item 3): the seller names the
co-holder on the draft; each says who they are on the sign form (no script), gets their own code and signs;
the first signature shows « 1 signature sur 2 »; signing twice is refused; the second accepts; the signed PDF's
certificate names both, POST /verify finds it intact, and the shared address gets one signed copy."""
from datetime import timedelta
from html import unescape

from tests import offers, portal
from tests.offers import emails_to, read
from tests.pdf_text import last_page_text
from tests.portal import Customer, NOW, at, follow, html
from tests.support import Api, body, tenant


def test_two_signers_with_one_address_each_sign_with_their_own_code(client):
    garage = offers.with_legal(tenant())
    seller = Api(client, garage.token(garage.seller))
    offer = offers.offer(seller, garage.dealer.id.lower())
    # Paul shares Marie's address (seed 001: a couple with one mailbox).
    paul = seller.post(f"/accounts/{offer.account_id}/contacts", {
        "first_name": "Paul", "last_name": "Durand", "email": offer.email})
    assert paul.status_code == 201, paul.body
    proposal = offers.propose(seller, offer, seller=portal.seller_block(offer.quote_id))
    named = seller.send("PATCH", f"/proposals/{proposal['id']}", {"co_holder_contact_id": body(paul)["id"]})
    assert named.status_code == 200, named.body
    assert body(named)["proposal"]["co_holder"]["name"] == "Paul Durand"
    at(NOW + timedelta(minutes=1))
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    customer = Customer(client, offers.token_in(read(emails_to(offer.email)[-1])))

    # Paul signs first: he says who he is on the form, his code comes to the shared address.
    at(NOW + timedelta(minutes=2))
    sign_page = unescape(html(customer.get("/sign")))
    assert "<legend>Qui signe" in sign_page and "Paul Durand (cotitulaire)" in sign_page
    started = customer.submit("/sign", sign_page, {"signer": "co_holder", "full_name": "Paul Durand", "terms": "1"})
    code_path = follow(started, customer.url + "/sign")
    assert code_path == customer.url + "/code?signer=co_holder"
    code_page = html(customer.client.http.get(code_path))
    assert 'name="signer" value="co_holder"' in code_page  # posted with the code, as a browser does
    confirmed = customer.submit("/code", code_page, {"code": portal.latest_code(offer.email), "signer": "co_holder"},
                                action="/code")
    assert follow(confirmed, code_path) == customer.url
    waiting = unescape(html(customer.get()))
    assert "1 signature sur 2" in waiting and "Signer à mon tour" in waiting
    assert body(seller.get(f"/proposals/{proposal['id']}"))["proposal"]["status"] in ("sent", "viewed")

    # Paul again: refused, in place, nothing sent.
    codes_before = len(emails_to(offer.email))
    again = customer.post("/sign", {"signer": "co_holder", "full_name": "Paul Durand", "terms": "1"}, form="sign")
    assert again.status_code == 409 and "déjà signé" in unescape(html(again))
    assert len(emails_to(offer.email)) == codes_before

    # Marie: her own form (the IBAN is hers), her own code; the proposal is accepted.
    at(NOW + timedelta(minutes=4))
    sign_page = unescape(html(customer.get("/sign")))
    assert "Paul Durand a déjà signé" in sign_page and 'value="co_holder"' not in sign_page
    started = customer.submit("/sign", sign_page, {"signer": "holder", "full_name": "Marie Durand", "terms": "1",
                                                   "iban": portal.IBAN})
    code_path = follow(started, customer.url + "/sign")
    assert code_path == customer.url + "/code"
    code_page = html(customer.client.http.get(code_path))
    confirmed = customer.submit("/code", code_page, {"code": portal.latest_code(offer.email)}, action="/code")
    assert follow(confirmed, code_path) == customer.url
    accepted = unescape(html(customer.get()))
    assert "Proposition acceptée et signée" in accepted and "Paul Durand (cotitulaire" in accepted
    view = body(seller.get(f"/proposals/{proposal['id']}"))["proposal"]
    assert view["status"] == "accepted" and view["signature"]["co_signatures"][0]["signer_name"] == "Paul Durand"

    # One signed copy for the shared address, greeting both; its certificate lists both; /verify finds it intact.
    copies = [m for m in emails_to(offer.email) if "signée" in read(m).subject]
    assert len(copies) == 1 and "Bonjour Paul Durand et Marie Durand," in read(copies[0]).text  # in signing order
    signed = portal.attachment_of(copies[0])
    certificate = last_page_text(signed, -2) + " " + last_page_text(signed)
    assert "Signataire (cotitulaire)" in certificate and "Signataire (titulaire)" in certificate
    checked = client.http.request("POST", "/verify", body=signed, headers={"content-type": "application/pdf"})
    assert checked.status_code == 200 and body(checked)["changes"] == []
    proofs = body(seller.get(f"/proposals/{proposal['id']}/proofs/evidence.json"))
    assert [s["role"] for s in proofs["signers"]] == ["co_holder", "holder"]
