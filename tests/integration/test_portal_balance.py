"""The order's balance paid by card, through the pages on the local services: the dealer's option in the
settings, the order page's form (CSP allowing the checkout), the local checkout paying it, the webhook
recording it once even when replayed, the return page and the order page showing it; without the option
no form and a post refused in place, nothing changed; another link's post refused."""
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.payments.local import LocalCheckout
from chalicelib.settings import DEV_PAYMENT_WEBHOOK_SECRET
from tests import portal
from tests.integration.test_portal_order import order_of, page_text, send_and_sign
from tests.portal import FORM, html, stored_state
from tests.support import Api, body

BASE = "http://localhost:8000"  # settings().public_base_url in the tests
CARD_BUTTON = "par carte"


@pytest.fixture
def signed(seller, garage, client):
    return send_and_sign(seller, garage, client)


def card_option(client, garage, enabled: bool) -> None:
    admin = Api(client, garage.token(garage.admin))
    saved = admin.send("PATCH", "/dealer/settings", {"balance": {"card_enabled": enabled}})
    assert saved.status_code == 200, saved.body
    assert body(saved)["settings"]["balance"]["card_enabled"] is enabled


def local_path(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def session_of(checkout_url: str) -> str:
    return parse_qs(urlsplit(checkout_url).query)["session"][0]


def webhook(client, payload: bytes, signature: str):
    return client.http.request("POST", "/payments/webhook", body=payload,
                               headers={"content-type": "application/json", "stripe-signature": signature})


def test_the_balance_is_paid_by_card_recorded_once_and_shown(client, garage, signed):
    sent, customer = signed
    card_option(client, garage, True)
    answer = customer.get("/commande")
    page = html(answer)
    left = order_of(garage, sent).order.left_to_pay_cents
    assert "Payer le solde de" in page_text(answer) and 'action="' in page
    form_action = portal.header(answer, "content-security-policy").split("form-action")[1].split(";")[0]
    assert BASE in form_action.split()  # the checkout's origin, beside the documents bucket

    started = customer.submit("/commande", page, {}, action="/commande/solde")
    assert started.status_code == 303, html(started)[:500]
    checkout = portal.header(started, "location")
    assert sent.token not in checkout
    provider = LocalCheckout(BASE, DEV_PAYMENT_WEBHOOK_SECRET)
    session = provider.open(session_of(checkout))
    assert session.amount_cents == left and session.metadata["purpose"] == "balance"

    # "Payer" on the local checkout: its signed event goes through the webhook; back by the return reference.
    assert client.http.get(local_path(checkout)).status_code == 200
    paid = client.http.request("POST", "/dev/checkout/pay", body=f"session={session_of(checkout)}".encode(),
                               headers={"content-type": FORM})
    assert paid.status_code == 303
    back = local_path(portal.header(paid, "location"))
    assert back.startswith("/p/retour/") and sent.token not in back
    returned = unescape(html(client.http.get(back)))
    assert "Paiement du solde transmis" in returned and "Acompte" not in returned

    [payment] = order_of(garage, sent).payments
    assert (payment.kind, payment.method, payment.amount_cents) == ("balance", "card", left)
    page = page_text(customer.get("/commande"))
    assert "reçu le" in page and "par carte (solde)" in page and "✓ Fonds reçus" in page
    assert "Régler le solde" not in page

    # The provider sends the same event again: nothing more is recorded.
    before = stored_state(garage.dealer.id, sent.token)
    payload, signature = provider.completed_event(session, int(time.time()))
    replayed = webhook(client, payload, signature)
    assert replayed.status_code == 200 and body(replayed)["outcome"] == "duplicate"
    assert stored_state(garage.dealer.id, sent.token) == before


def test_without_the_option_no_form_and_a_post_is_refused_in_place(client, garage, signed):
    sent, customer = signed
    card_option(client, garage, False)
    page = page_text(customer.get("/commande"))
    assert "Régler le solde" in page and "/commande/solde" not in page
    before = stored_state(garage.dealer.id, sent.token)
    refused = customer.post("/commande/solde", {}, form="balance")
    assert refused.status_code == 409
    assert "n'est pas proposé par la concession" in page_text(refused)
    assert stored_state(garage.dealer.id, sent.token) == before


def test_another_link_s_post_is_refused(client, garage, seller, signed):
    sent, customer = signed
    card_option(client, garage, True)
    other_sent, _ = send_and_sign(seller, garage, client)
    before = stored_state(garage.dealer.id, sent.token, other_sent.token)
    refused = customer.post("/commande/solde", {}, form="balance", csrf=portal.Customer(client, other_sent.token)
                            .csrf("balance"))
    assert refused.status_code == 403
    assert stored_state(garage.dealer.id, sent.token, other_sent.token) == before
