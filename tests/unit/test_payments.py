"""The payment adapter without network: the Checkout Session Stripe is asked for, and the webhook signature
check shared by Stripe's events and the local provider's."""
import json
import time
from urllib.parse import parse_qs

import pytest
import stripe

from chalicelib.payments import SESSION_PLACEHOLDER, CheckoutRequest, ProviderFailed, webhook
from chalicelib.payments.local import InvalidSession, LocalCheckout, sign
from chalicelib.payments.stripe_checkout import StripeCheckout

SECRET = "whsec_test_secret"
EXPIRES = 1_900_000_000


class RecordingHttp(stripe.HTTPClient):
    """Stripe's own HTTP client interface, answering from memory and keeping what was sent."""
    name = "recording"

    def __init__(self, status: int = 200, answer: dict | None = None):
        super().__init__()
        self.status, self.requests = status, []
        self.answer = answer or {"id": "cs_test_123", "object": "checkout.session",
                                 "url": "https://checkout.stripe.com/c/pay/cs_test_123", "expires_at": EXPIRES}

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.requests.append({"method": method, "url": url, "headers": dict(headers or {}), "body": post_data})
        return json.dumps(self.answer), self.status, {}

    def close(self):
        pass


def checkout_request(**changes) -> CheckoutRequest:
    return CheckoutRequest(**{
        "amount_cents": 50_000, "currency": "eur", "reference": "P2026-00012",
        "description": "Acompte – proposition P2026-00012 – Garage des Tilleuls",
        "metadata": {"dealer_id": "D1", "proposal_id": "P1", "reference": "P2026-00012"},
        "success_url": f"https://app.example/p/retour/REF/paid?session_id={SESSION_PLACEHOLDER}",
        "cancel_url": "https://app.example/p/retour/REF/cancelled",
        "idempotency_key": "offerline-deposit-D1-P1-1", **changes,
    })


def test_stripe_is_asked_for_a_card_payment_of_the_acompte_in_euros_under_the_idempotency_key():
    http = RecordingHttp()
    checkout = StripeCheckout("sk_test_123", http_client=http).create_checkout(checkout_request())
    [sent] = http.requests
    assert sent["method"] == "post" and sent["url"] == "https://api.stripe.com/v1/checkout/sessions"
    assert sent["headers"]["Idempotency-Key"] == "offerline-deposit-D1-P1-1"
    assert sent["headers"]["Authorization"] == "Bearer sk_test_123"
    form = {k: v[0] for k, v in parse_qs(sent["body"]).items()}
    assert form["mode"] == "payment"
    assert form["payment_method_types[0]"] == "card"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["line_items[0][price_data][unit_amount]"] == "50000"
    assert form["line_items[0][quantity]"] == "1"
    assert form["client_reference_id"] == "P2026-00012"
    assert form["metadata[dealer_id]"] == "D1" and form["metadata[proposal_id]"] == "P1"
    assert form["payment_intent_data[metadata][proposal_id]"] == "P1"
    assert form["success_url"] == "https://app.example/p/retour/REF/paid?session_id={CHECKOUT_SESSION_ID}"
    assert form["cancel_url"] == "https://app.example/p/retour/REF/cancelled"
    assert "expires_at" not in form  # a changing expiry would break the idempotency key's retries
    assert checkout.session_id == "cs_test_123" and checkout.url.startswith("https://checkout.stripe.com/")
    assert int(checkout.expires_at.timestamp()) == EXPIRES


def test_a_refusal_from_stripe_becomes_a_provider_failure():
    http = RecordingHttp(status=400, answer={"error": {"type": "invalid_request_error", "message": "nope"}})
    with pytest.raises(ProviderFailed):
        StripeCheckout("sk_test_123", http_client=http).create_checkout(checkout_request())


def event(**session) -> bytes:
    return json.dumps({
        "id": "evt_1", "object": "event", "type": "checkout.session.completed", "livemode": False,
        "data": {"object": {"id": "cs_1", "object": "checkout.session", "amount_total": 50_000, "currency": "eur",
                            "payment_status": "paid", "payment_intent": "pi_1", "client_reference_id": "P2026-00012",
                            "metadata": {"dealer_id": "D1", "proposal_id": "P1"}, **session}},
    }).encode()


def test_a_well_signed_event_is_read_as_a_typed_event():
    payload = event()
    verified = webhook.verify(payload, sign(payload, SECRET, int(time.time())), SECRET)
    assert verified.id == "evt_1" and verified.type == webhook.COMPLETED
    assert verified.session.amount_total == 50_000 and verified.session.currency == "eur"
    assert verified.session.payment_intent == "pi_1"
    assert verified.session.metadata == {"dealer_id": "D1", "proposal_id": "P1"}


def test_our_signature_is_the_one_stripe_s_library_makes():
    payload = event()
    timestamp = int(time.time())
    expected = stripe.WebhookSignature.generate_signature_header(payload.decode(), SECRET, timestamp)
    assert sign(payload, SECRET, timestamp) == expected


@pytest.mark.parametrize("case", ["wrong secret", "tampered body", "too old", "missing header", "garbage header"])
def test_a_badly_signed_event_is_refused(case):
    payload = event()
    now = int(time.time())
    header = {
        "wrong secret": sign(payload, "whsec_other", now),
        "tampered body": sign(payload, SECRET, now),
        "too old": sign(payload, SECRET, now - webhook.TOLERANCE_SECONDS - 5),
        "missing header": None,
        "garbage header": "nonsense",
    }[case]
    body = event(amount_total=1) if case == "tampered body" else payload
    with pytest.raises(webhook.InvalidSignature):
        webhook.verify(body, header, SECRET)


@pytest.mark.parametrize("raw", [
    b"not json", b"[1, 2]", b'{"object": "event", "type": "checkout.session.completed"}',
    b'{"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {"object": "checkout.session"}}}',
    b'{"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {"object": "checkout.session", '
    b'"id": "cs_1", "amount_total": "lots"}}}',
    b'{"id": "evt_1", "type": "checkout.session.completed", "data": {"object": [1]}}',
], ids=["not json", "not an object", "no id", "session without id", "amount not a number", "object a list"])
def test_a_well_signed_body_that_is_not_an_event_is_refused_as_malformed(raw):
    with pytest.raises(webhook.MalformedEvent):
        webhook.verify(raw, sign(raw, SECRET, int(time.time())), SECRET)


def test_an_event_just_inside_the_five_minutes_is_accepted():
    payload = event()
    assert webhook.verify(payload, sign(payload, SECRET, int(time.time()) - 290), SECRET).id == "evt_1"


def test_the_local_provider_pays_through_an_event_the_webhook_verifies():
    provider = LocalCheckout("http://localhost:8000", SECRET)
    checkout = provider.create_checkout(checkout_request())
    assert checkout.url.startswith("http://localhost:8000/dev/checkout?session=")
    assert provider.create_checkout(checkout_request()).session_id == checkout.session_id  # same key, same session
    assert provider.create_checkout(checkout_request(idempotency_key="k2")).session_id != checkout.session_id
    session = provider.open(checkout.url.split("session=")[1])
    payload, header = provider.completed_event(session)
    verified = webhook.verify(payload, header, SECRET)
    assert verified.type == "checkout.session.completed" and verified.session.id == checkout.session_id
    assert verified.session.amount_total == 50_000 and verified.session.metadata["proposal_id"] == "P1"
    assert provider.success_url(session).endswith(f"session_id={checkout.session_id}")


def test_the_local_checkout_page_cannot_be_made_to_pay_another_amount():
    provider = LocalCheckout("http://localhost:8000", SECRET)
    sealed = provider.create_checkout(checkout_request()).url.split("session=")[1]
    body, mac = sealed.split(".")
    forged = provider.seal(provider.open(sealed).model_copy(update={"amount_cents": 1}))
    with pytest.raises(InvalidSession):
        provider.open(f"{forged.split('.')[0]}.{mac}")
    with pytest.raises(InvalidSession):
        LocalCheckout("http://localhost:8000", "whsec_other").open(sealed)
