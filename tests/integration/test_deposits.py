"""The acompte paid by card after signature, on the local services: the local provider's checkout, the
signed webhook, the return page, the history, the seller's notification and the customer's receipt;
and every refusal, each proving that nothing stored (or sent) changed."""
import json
import secrets
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.dealers import DealerSettingsChange, DepositChange, Staff
from chalicelib.domain.money import format_euros
from chalicelib.payments import ProviderFailed
from chalicelib.payments.local import LocalCheckout, LocalSession
from chalicelib.payments.local import sign as stripe_signature
from chalicelib.services import dealers
from chalicelib.settings import DEV_PAYMENT_WEBHOOK_SECRET
from chalicelib.store import keys
from chalicelib.store.table import table
from tests import offers, portal
from tests.offers import emails_to, read, sent_emails
from tests.portal import FORM, Customer, LATER, SENT_AT, at, html, sign, stored_state
from tests.support import Api, body, tenant

DEPOSIT = 50_000
BASE = "http://localhost:8000"  # settings().public_base_url in the tests


def with_deposit(garage, amount_cents: int | None = DEPOSIT) -> None:
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=garage.admin.role)
    deposit = DepositChange(enabled=True, amount_cents=amount_cents) if amount_cents else DepositChange(enabled=False)
    garage.dealer = dealers.change_settings(garage.dealer.id, DealerSettingsChange(deposit=deposit), by=admin)


def send(seller, garage) -> portal.Sent:
    offer = offers.offer(seller, garage.dealer.id.lower() + secrets.token_hex(2))
    proposal = offers.propose(seller, offer, seller=portal.seller_block(offer.quote_id))
    at(SENT_AT)
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    at(LATER)
    return portal.Sent(proposal["id"], offer.email, offers.token_in(read(emails_to(offer.email)[-1])))


@pytest.fixture
def sent(seller, garage) -> portal.Sent:
    with_deposit(garage)
    return send(seller, garage)


@pytest.fixture
def signed(customer, sent) -> portal.Sent:
    sign(customer, sent)
    return sent


def path_of(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def stored_proposal(garage, sent) -> dict:
    return table.get(keys.proposal(garage.dealer.id, sent.proposal_id))


def checkout(customer: Customer) -> str:
    """Presses "Payer l'acompte" on the accepted page: the local provider's checkout address."""
    page = html(customer.get())
    started = customer.submit("", page, {}, action="/deposit")
    assert started.status_code == 303, html(started)[:500]
    return portal.header(started, "location")


def session_of(checkout_url: str) -> str:
    return parse_qs(urlsplit(checkout_url).query)["session"][0]


def local_session(checkout_url: str) -> LocalSession:
    """What the local provider was given for this checkout (as Stripe keeps it in its records)."""
    return LocalCheckout(BASE, DEV_PAYMENT_WEBHOOK_SECRET).open(session_of(checkout_url))


def pay(client, checkout_url: str):
    """Presses "Payer" on the local checkout page."""
    page = client.http.get(path_of(checkout_url))
    assert page.status_code == 200 and "Payer" in html(page)
    return client.http.request("POST", "/dev/checkout/pay", body=f"session={session_of(checkout_url)}".encode(),
                               headers={"content-type": FORM})


def completed_event(sent: portal.Sent, dealer_id: str, amount: int = DEPOSIT, event_id: str | None = None,
                    session_id: str = "cs_test_1", currency: str = "eur", **extra) -> bytes:
    event = {
        "id": event_id or f"evt_{secrets.token_hex(8)}", "object": "event", "type": "checkout.session.completed",
        "created": int(time.time()), "livemode": False,
        "data": {"object": {
            "id": session_id, "object": "checkout.session", "amount_total": amount, "currency": currency,
            "payment_status": "paid", "payment_intent": "pi_test_1",
            "metadata": {"dealer_id": dealer_id, "proposal_id": sent.proposal_id}, **extra,
        }},
    }
    return json.dumps(event).encode()


def post_webhook(client, payload: bytes, secret: str = DEV_PAYMENT_WEBHOOK_SECRET, timestamp: int | None = None,
                 signature: str | None = None):
    header = signature if signature is not None else stripe_signature(payload, secret, timestamp or int(time.time()))
    return client.http.request("POST", "/payments/webhook", body=payload,
                               headers={"content-type": "application/json; charset=utf-8",
                                        "stripe-signature": header})


def unchanged(garage, sent):
    """Nothing stored for the dealer (or the link) changes inside, and no email goes out."""
    class Same:
        def __enter__(self):
            self.before = stored_state(garage.dealer.id, sent.token)
            self.emails = len(sent_emails())

        def __exit__(self, *failure):
            if failure[0] is None:
                assert stored_state(garage.dealer.id, sent.token) == self.before
                assert len(sent_emails()) == self.emails
    return Same()


def payment_emails(garage, sent: portal.Sent, reference: str) -> tuple[list, list]:
    """(the customer's receipts, the seller's payment notifications) of this proposal."""
    user = dealers.get_user(garage.dealer.id, garage.seller.id)
    seller = str(user.profile.email if user.profile else user.email)  # where the seller notice's email goes
    receipts = [read(m) for m in emails_to(sent.email) if read(m).subject == f"Acompte reçu – proposition {reference}"]
    notices = [read(m) for m in emails_to(seller) if f"a réglé l'acompte de la proposition {reference}" in read(m).subject]
    return receipts, notices


# --- the journey ----------------------------------------------------------------------------------

def test_a_customer_pays_the_acompte_on_the_local_provider_and_sees_it_confirmed(client, seller, garage, signed,
                                                                                 customer):
    accepted = unescape(html(customer.get()))
    amount = format_euros(DEPOSIT)
    assert f"Payer l'acompte de {amount} par carte" in accepted
    assert "Votre conseiller vous indique comment le régler" not in accepted
    assert "acompte (et non d'arrhes" in accepted  # the only mention of arrhes: what it is not
    assert "form-action 'self' http://localhost:8000" in portal.header(customer.get(), "content-security-policy")

    checkout_url = checkout(customer)
    assert checkout_url.startswith(f"{BASE}/dev/checkout?session=")
    view = portal.proposal_view(seller, signed.proposal_id)
    assert view["proposal"]["deposit_status"] == "pending"
    [started] = [e for e in view["history"] if e["kind"] == "payment_started"]
    assert started["details"]["amount_cents"] == DEPOSIT and started["details"]["provider"] == "local"
    assert signed.token not in json.dumps(view)  # the local checkout's address carries the link: never shown

    paid = pay(client, checkout_url)
    assert paid.status_code == 303
    back = path_of(portal.header(paid, "location"))
    assert back.startswith("/p/retour/") and "/paid?session_id=cs_local_" in back
    returned = client.http.get(back)
    page = unescape(html(returned))
    assert returned.status_code == 200 and "Acompte reçu, merci" in page and amount in page
    assert "ouvrez le lien reçu par e\u2011mail" in page
    assert signed.token not in page, page[page.find(signed.token) - 300:page.find(signed.token) + 100]
    assert 'role="status"' in page and "frame-ancestors 'none'" in portal.header(returned, "content-security-policy")
    assert "Acompte réglé le " in unescape(html(customer.get()))
    assert "Payer l'acompte" not in unescape(html(customer.get()))

    view = portal.proposal_view(seller, signed.proposal_id)
    payment = view["proposal"]["deposit_payment"]
    assert view["proposal"]["deposit_status"] == "paid"
    assert payment["status"] == "paid" and payment["amount_cents"] == DEPOSIT and payment["currency"] == "eur"
    assert payment["paid_at"] and payment["provider_reference"].startswith("pi_local_")
    assert "checkout_url" not in payment
    [received] = [e for e in view["history"] if e["kind"] == "payment_received"]
    assert received["details"]["amount_cents"] == DEPOSIT
    assert received["details"]["provider_reference"] == payment["provider_reference"]
    [row] = [p for p in body(seller.get("/proposals"))["items"] if p["id"] == signed.proposal_id]
    assert row["deposit_status"] == "paid" and row["deposit_cents"] == DEPOSIT and row["deposit_paid_at"]

    receipts, notices = payment_emails(garage, signed, view["proposal"]["reference"])
    assert len(receipts) == 1 and len(notices) == 1
    assert amount in receipts[0].text and payment["provider_reference"] in receipts[0].text
    assert "acompte" in receipts[0].text and "arrhes" not in receipts[0].text.lower()


def test_the_provider_never_gets_the_portal_token_only_a_return_reference(client, signed, customer):
    session = local_session(checkout(customer))
    given = json.dumps(session.model_dump())
    assert signed.token not in given
    paid, cancelled = urlsplit(session.success_url).path, urlsplit(session.cancel_url).path
    reference = paid.split("/")[3]
    assert paid == f"/p/retour/{reference}/paid" and cancelled == f"/p/retour/{reference}/cancelled"
    # The reference opens nothing of the proposal: as a portal link it is unknown, its pages hold no way in.
    assert Customer(client, reference).get().status_code == 404
    for path in (f"/p/retour/{reference}/document.pdf", f"/p/retour/{reference}/decline"):
        assert client.http.get(path).status_code == 404
    page = unescape(html(client.http.get(paid)))
    assert "href" not in page.split("<main>")[1].split("</main>")[0].replace('href="paid', "").replace(
        'href="tel:', "").replace('href="mailto:', "")
    assert "<form" not in page


def test_an_unknown_return_reference_says_to_open_the_email_link(client, signed):
    for reference in (secrets.token_urlsafe(32), "pas-une-reference"):
        answer = client.http.get(f"/p/retour/{reference}/paid?session_id=cs_local_x")
        page = unescape(html(answer))
        assert answer.status_code == 404 and "Lien de retour non reconnu" in page
        assert "ouvrez le lien reçu par e\u2011mail" in page


def test_the_return_page_says_the_payment_is_being_confirmed_until_the_webhook_arrives(client, signed, customer):
    paid = urlsplit(local_session(checkout(customer)).success_url).path
    returned = client.http.get(f"{paid}?session_id=cs_local_x")
    page = unescape(html(returned))
    assert returned.status_code == 200 and "Paiement en cours de confirmation" in page
    assert 'href="paid?session_id=cs_local_x"' in page  # the refresh link, no script needed
    assert "<script" not in page


def test_a_cancelled_checkout_can_be_tried_again_and_resumes_the_same_session(client, signed, customer):
    first = checkout(customer)
    cancelled = client.http.request("POST", "/dev/checkout/cancel", body=f"session={session_of(first)}".encode(),
                                    headers={"content-type": FORM})
    back = path_of(portal.header(cancelled, "location"))
    assert back.startswith("/p/retour/") and back.endswith("/cancelled") and signed.token not in back
    page = unescape(html(client.http.get(back)))
    assert "Paiement annulé" in page and "y est toujours" in page
    again = customer.submit("", html(customer.get()), {}, action="/deposit")
    assert portal.header(again, "location") == first  # the open checkout, not a second one


def test_the_webhook_confirms_once_under_retries_and_replays(client, seller, garage, signed):
    payload = completed_event(signed, garage.dealer.id, event_id="evt_once")
    first = post_webhook(client, payload)
    assert first.status_code == 200 and body(first)["outcome"] == "recorded"
    with unchanged(garage, signed):
        again = post_webhook(client, payload)
        assert again.status_code == 200 and body(again)["outcome"] == "duplicate"
        # Another event of the same checkout: the payment already recorded, not a second one.
        other = post_webhook(client, completed_event(signed, garage.dealer.id, event_id="evt_other"))
        assert other.status_code == 200 and body(other)["outcome"] == "already_paid"
    view = portal.proposal_view(seller, signed.proposal_id)
    assert [e["kind"] for e in view["history"]].count("payment_received") == 1
    receipts, notices = payment_emails(garage, signed, view["proposal"]["reference"])
    assert len(receipts) == 1 and len(notices) == 1
    assert table.get(keys.payment_event(garage.dealer.id, signed.proposal_id, "evt_once"))


def test_the_acompte_paid_is_invoiced_once(client, seller, garage, signed):
    payload = completed_event(signed, garage.dealer.id, event_id="evt_invoiced")
    assert body(post_webhook(client, payload))["outcome"] == "recorded"
    assert body(post_webhook(client, payload))["outcome"] == "duplicate"
    [invoice] = body(seller.get("/invoices"))["items"]
    assert (invoice["kind"], invoice["ttc_cents"]) == ("deposit", DEPOSIT)


def test_a_cancelled_order_s_refunded_acompte_gets_its_credit_note(client, seller, garage, signed):
    from chalicelib.domain.dealers import NewUser, Role
    from chalicelib.store import orders as order_store

    # The order the acceptance opened in its own transaction (services/signing.py).
    order_id = order_store.opened_from(garage.dealer.id, "proposal", signed.proposal_id)
    assert order_id is not None
    assert body(post_webhook(client, completed_event(signed, garage.dealer.id, event_id="evt_ref")))["outcome"] \
        == "recorded"
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=garage.admin.role)
    manager = dealers.create_user(garage.dealer.id, NewUser(email="manager-refund@example.com", name="Marc Manager",
                                                            role=Role.MANAGER), by=admin)
    path = f"/orders/{order_id}"
    assert body(seller.get(path))["order"]["deposit_paid_cents"] == DEPOSIT
    asked = seller.post(f"{path}/cancellation", {"reason": "cancellation"})
    assert asked.status_code == 200, asked.body
    approved = seller.as_(garage.token(manager)).post(f"{path}/cancellation/approve")
    assert approved.status_code == 200 and body(approved)["order"]["status"] == "cancelled", approved.body
    credit, deposit = body(seller.get("/invoices"))["items"]  # newest first
    assert (deposit["kind"], credit["kind"]) == ("deposit", "credit_note")
    assert credit["credited_number"] == deposit["number"] and credit["ttc_cents"] == DEPOSIT


# --- refusals: nothing changes ------------------------------------------------------------------

@pytest.mark.parametrize("how", ["wrong secret", "tampered body", "too old", "no header"])
def test_a_badly_signed_event_is_refused_and_changes_nothing(client, garage, signed, how):
    payload = completed_event(signed, garage.dealer.id)
    with unchanged(garage, signed):
        if how == "wrong secret":
            answer = post_webhook(client, payload, secret="whsec_not_ours")
        elif how == "tampered body":
            header = stripe_signature(payload, DEV_PAYMENT_WEBHOOK_SECRET, int(time.time()))
            answer = post_webhook(client, payload.replace(b'"amount_total": 50000', b'"amount_total": 1'),
                                  signature=header)
        elif how == "too old":
            answer = post_webhook(client, payload, timestamp=int(time.time()) - 301)
        else:
            answer = post_webhook(client, payload, signature="")
        assert answer.status_code == 400
        assert body(answer)["error"]["code"] == "invalid_signature"
    assert stored_proposal(garage, signed).get("deposit_payment") is None


@pytest.mark.parametrize("change", [{"payment_status": "unpaid"}, {"payment_status": "no_payment_required"}])
def test_a_completed_checkout_with_nothing_paid_is_acknowledged_and_changes_nothing(client, garage, signed, change):
    with unchanged(garage, signed):
        answer = post_webhook(client, completed_event(signed, garage.dealer.id, **change))
        assert answer.status_code == 200 and body(answer)["outcome"] == "ignored"


def test_a_signed_body_that_is_not_an_event_is_refused_and_changes_nothing(client, garage, signed):
    with unchanged(garage, signed):
        for raw in (b"not json", json.dumps({"id": "evt_x", "type": "checkout.session.completed", "data": {
                "object": {"object": "checkout.session", "amount_total": DEPOSIT}}}).encode()):
            answer = post_webhook(client, raw)
            assert answer.status_code == 400 and body(answer)["error"]["code"] == "invalid_event"


def test_the_pay_button_is_refused_before_the_signature(client, garage, sent, customer):
    with unchanged(garage, sent):
        refused = customer.post("/deposit", {}, form="deposit")
        assert refused.status_code == 409
        assert "acceptez et signez-la d'abord" in unescape(html(refused))


def test_a_dealer_without_deposit_shows_no_button_and_refuses_the_pay_form(client, seller, garage):
    sent = send(seller, garage)  # no deposit
    customer = Customer(client, sent.token)
    sign(customer, sent)
    page = unescape(html(customer.get()))
    assert "Payer l'acompte" not in page and "acompte" not in page.lower()
    with unchanged(garage, sent):
        refused = customer.post("/deposit", {}, form="deposit")
        assert refused.status_code == 409 and "Aucun acompte" in unescape(html(refused))


def test_the_pay_form_without_its_csrf_token_is_refused(garage, signed, customer):
    with unchanged(garage, signed):
        assert customer.post("/deposit", {}).status_code == 403
        assert customer.post("/deposit", {}, form="deposit", csrf="forged").status_code == 403
        assert customer.post("/deposit", {}, form="sign").status_code == 403


def test_when_the_provider_cannot_open_a_checkout_the_customer_is_asked_to_retry_and_nothing_is_recorded(
        monkeypatch, garage, signed, customer):
    def unreachable(self, request):
        raise ProviderFailed("connection reset")

    monkeypatch.setattr(LocalCheckout, "create_checkout", unreachable)
    accepted = html(customer.get())
    with unchanged(garage, signed):
        refused = customer.submit("", accepted, {}, action="/deposit")
    page = unescape(html(refused))
    assert refused.status_code == 409 and "momentanément indisponible" in page
    assert "Payer l'acompte" in page  # the button stays, to try again


def test_the_deposit_address_of_a_proposal_not_signed_leads_back_to_its_page(garage, sent, customer):
    with unchanged(garage, sent):
        answer = customer.get("/deposit")
    assert (answer.status_code, portal.header(answer, "location")) == (303, f"../{sent.token}")


def test_an_event_over_64_kb_is_refused_before_it_is_read(client, garage, signed):
    payload = completed_event(signed, garage.dealer.id, description="x" * 70_000)  # signed as the provider would
    with unchanged(garage, signed):
        answer = post_webhook(client, payload)
    assert answer.status_code == 413 and body(answer)["error"]["code"] == "payload_too_large"
    assert stored_proposal(garage, signed).get("deposit_payment") is None


def test_events_of_other_kinds_or_unknown_proposals_are_acknowledged_and_ignored(client, garage, signed):
    with unchanged(garage, signed):
        other = json.dumps({"id": "evt_x", "object": "event", "type": "payment_intent.created",
                            "data": {"object": {"id": "pi_1", "object": "payment_intent"}}}).encode()
        assert body(post_webhook(client, other))["outcome"] == "ignored"
        unknown = completed_event(portal.Sent("01UNKNOWNPROPOSAL000000000", "", ""), garage.dealer.id)
        answer = post_webhook(client, unknown)
        assert answer.status_code == 200 and body(answer)["outcome"] == "ignored"
        other_dealer = completed_event(signed, "01UNKNOWNDEALER00000000000")
        assert body(post_webhook(client, other_dealer))["outcome"] == "ignored"
        no_metadata = completed_event(signed, garage.dealer.id, metadata={})
        answer = post_webhook(client, no_metadata)
        assert answer.status_code == 200 and body(answer)["outcome"] == "ignored"


def expired_event(sent: portal.Sent, dealer_id: str, session_id: str, event_id: str = "evt_expired") -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": "checkout.session.expired",
                       "data": {"object": {"id": session_id, "object": "checkout.session",
                                           "amount_total": DEPOSIT, "currency": "eur", "payment_status": "unpaid",
                                           "metadata": {"dealer_id": dealer_id,
                                                        "proposal_id": sent.proposal_id}}}}).encode()


def test_an_expired_checkout_makes_the_acompte_payable_again(client, seller, garage, signed, customer):
    first = checkout(customer)
    session_id = stored_proposal(garage, signed)["deposit_payment"]["session_id"]
    expired = expired_event(signed, garage.dealer.id, session_id)
    assert body(post_webhook(client, expired))["outcome"] == "checkout_closed"
    assert stored_proposal(garage, signed)["deposit_payment"]["status"] == "none"
    second = checkout(customer)
    assert session_of(second) != session_of(first)
    assert stored_proposal(garage, signed)["deposit_payment"]["attempt"] == 2


def test_an_expired_event_replayed_of_an_older_checkout_or_of_an_unknown_proposal_changes_nothing(
        client, garage, signed, customer):
    checkout(customer)
    first = stored_proposal(garage, signed)["deposit_payment"]["session_id"]
    assert body(post_webhook(client, expired_event(signed, garage.dealer.id, first)))["outcome"] == "checkout_closed"
    checkout(customer)
    second = stored_proposal(garage, signed)["deposit_payment"]["session_id"]
    with unchanged(garage, signed):
        replayed = post_webhook(client, expired_event(signed, garage.dealer.id, first))
        older = post_webhook(client, expired_event(signed, garage.dealer.id, first, event_id="evt_late"))
        unknown = post_webhook(client, expired_event(portal.Sent("01UNKNOWNPROPOSAL000000000", "", ""),
                                                     garage.dealer.id, second, event_id="evt_unknown"))
        for answer in (replayed, older, unknown):
            assert answer.status_code == 200 and body(answer)["outcome"] == "ignored"
    assert stored_proposal(garage, signed)["deposit_payment"]["session_id"] == second
    assert stored_proposal(garage, signed)["deposit_payment"]["status"] == "pending"


def test_an_expired_event_for_the_open_checkout_once_paid_changes_nothing(client, garage, signed, customer):
    checkout(customer)
    session = stored_proposal(garage, signed)["deposit_payment"]["session_id"]
    paid = completed_event(signed, garage.dealer.id, session_id=session)
    assert body(post_webhook(client, paid))["outcome"] == "recorded"
    with unchanged(garage, signed):
        late = post_webhook(client, expired_event(signed, garage.dealer.id, session, event_id="evt_after_paid"))
        assert late.status_code == 200 and body(late)["outcome"] == "ignored"
    assert stored_proposal(garage, signed)["deposit_payment"]["status"] == "paid"


def test_the_portal_view_reads_only_the_link_and_the_proposal_with_a_payment_started(client, garage, signed, customer, monkeypatch):
    checkout(customer)
    calls = portal.table_calls(monkeypatch)
    assert customer.fetch().status_code == 200  # the page request alone (not its seen.svg image)
    # The link was already opened today (nothing to record); the proposal's invoices (none yet: the order
    # its acceptance opened is not handed over) are listed on the proposal item, so nothing more is read
    # (tests/integration/test_portal_invoices.py: the same with an invoice).
    assert calls == ["get_item", "query"]


# --- anomalies: money taken that is not the acompte, recorded and told, never as paid -------------

ANOMALY_SUBJECT = "Paiement à régulariser – proposition "


def address_of(garage, user) -> str:
    user = dealers.get_user(garage.dealer.id, user.id)
    return str(user.profile.email if user.profile else user.email)


def anomaly_emails(garage, provider_reference: str) -> tuple[list, list]:
    """(the seller's, the admin's) emails about this payment (each test's payment reference is its own)."""
    def about(address):
        return [read(m) for m in emails_to(address)
                if read(m).subject.startswith(ANOMALY_SUBJECT) and provider_reference in read(m).text]
    return about(address_of(garage, garage.seller)), about(address_of(garage, garage.admin))


def anomalous(client, seller, garage, sent, reason: str, says: str, **event) -> dict:
    """Posts the event: 200 "anomaly", the proposal item as it was, one history event, the seller and the admin
    told once; a replay answers "duplicate" and changes nothing. Returns the anomaly as the proposal JSON shows it."""
    reference = f"pi_{secrets.token_hex(6)}"
    payload = completed_event(sent, garage.dealer.id, payment_intent=reference, **event)
    before = stored_proposal(garage, sent)
    answer = post_webhook(client, payload)
    assert answer.status_code == 200 and body(answer) == {"received": True, "outcome": "anomaly"}
    after = stored_proposal(garage, sent)
    # The acompte's state (and the whole proposal) untouched, but for the count of anomalies to settle.
    assert after.pop("open_payment_anomalies") == before.pop("open_payment_anomalies", 0) + 1
    assert after == before
    [row] = [p for p in body(seller.get("/proposals"))["items"] if p["id"] == sent.proposal_id]
    assert row["payment_anomalies"] >= 1  # the list's acompte column says a payment is to settle

    view = portal.proposal_view(seller, sent.proposal_id)
    [recorded] = [e for e in view["history"] if e["kind"] == "payment_anomaly"]
    details = recorded["details"]
    assert recorded["by"] == "system"
    assert details["reason"] == reason and details["provider_reference"] == reference
    assert details["amount_cents"] == event.get("amount", DEPOSIT)
    assert details["currency"] == event.get("currency", "eur")
    assert "Alice Admin" in details["told"]
    assert not {"email", "name", "card", "ip", "user_agent"} & set(details)
    [shown] = view["deposit_anomalies"]
    assert shown["reason"] == reason and shown["provider_reference"] == reference and shown["at"] == recorded["at"]

    to_seller, to_admin = anomaly_emails(garage, reference)
    assert len(to_seller) == 1 and len(to_admin) == 1
    text = to_admin[0].text
    assert says in text and "tableau de bord Stripe" in text and f"Référence du paiement : {reference}" in text
    assert view["proposal"]["reference"] in to_admin[0].subject
    assert f"/app/#/proposals/{sent.proposal_id}" in text
    assert to_seller[0].subject == to_admin[0].subject

    with unchanged(garage, sent):
        again = post_webhook(client, payload)
        assert again.status_code == 200 and body(again)["outcome"] == "duplicate"
    assert table.get(keys.payment_event(garage.dealer.id, sent.proposal_id, json.loads(payload)["id"]))
    return shown


@pytest.mark.parametrize("amount", [DEPOSIT - 1, DEPOSIT * 2])
def test_a_payment_of_another_amount_is_recorded_as_an_anomaly_and_told(client, seller, garage, signed, amount):
    shown = anomalous(client, seller, garage, signed, "amount_mismatch",
                      f"le montant payé ({format_euros(amount)}) n'est pas celui de l'acompte demandé "
                      f"({format_euros(DEPOSIT)})", amount=amount)
    assert shown["expected_cents"] == DEPOSIT and shown["amount_cents"] == amount
    assert stored_proposal(garage, signed).get("deposit_payment") is None  # still to pay


def test_a_payment_in_another_currency_is_recorded_as_an_anomaly_and_told(client, seller, garage, signed, customer):
    checkout(customer)
    anomalous(client, seller, garage, signed, "currency_mismatch", "le paiement a été fait en USD, et non en euros",
              currency="usd")
    assert stored_proposal(garage, signed)["deposit_payment"]["status"] == "pending"
    assert "Payer l'acompte" in unescape(html(customer.get()))  # the customer may still pay the acompte


def test_a_payment_for_a_proposal_not_signed_is_recorded_as_an_anomaly_and_told(client, seller, garage, sent):
    anomalous(client, seller, garage, sent, "proposal_not_accepted", "la proposition n'est pas signée (elle est ")


def test_a_payment_for_a_withdrawn_proposal_is_recorded_as_an_anomaly_and_told(client, seller, garage, sent):
    assert seller.post(f"/proposals/{sent.proposal_id}/withdraw", {}).status_code == 200
    anomalous(client, seller, garage, sent, "proposal_not_accepted",
              "la proposition n'est pas signée (elle est retirée)")
    assert stored_proposal(garage, sent)["status"] == "withdrawn"


def test_a_payment_where_no_acompte_is_asked_is_recorded_as_an_anomaly_and_told(client, seller, garage):
    sent = send(seller, garage)  # no deposit
    sign(Customer(client, sent.token), sent)
    anomalous(client, seller, garage, sent, "no_deposit_asked", "aucun acompte n'est demandé pour cette proposition")


def test_a_second_checkout_paid_after_the_acompte_is_an_anomaly_and_the_first_stays_paid(client, seller, garage,
                                                                                         signed):
    first = post_webhook(client, completed_event(signed, garage.dealer.id, session_id="cs_first"))
    assert body(first)["outcome"] == "recorded"
    paid = stored_proposal(garage, signed)["deposit_payment"]
    anomalous(client, seller, garage, signed, "already_paid", "le client a payé deux fois", session_id="cs_second")
    assert stored_proposal(garage, signed)["deposit_payment"] == paid
    view = portal.proposal_view(seller, signed.proposal_id)
    assert [e["kind"] for e in view["history"]].count("payment_received") == 1
    receipts, notices = payment_emails(garage, signed, view["proposal"]["reference"])
    assert len(receipts) == 1 and len(notices) == 1  # the customer's receipt and the seller's notice, once


def test_the_seller_is_told_of_an_anomaly_whatever_their_preferences(client, seller, garage, signed):
    profile = body(seller.get("/me/profile"))
    off = {name: False for name in ("email", "sms", "on_view", "on_download", "on_question", "on_signature",
                                    "on_payment")}
    changed = seller.send("PUT", "/me/profile", {"display_name": profile["display_name"], "phone": profile["phone"],
                                                 "email": profile["email"], "notifications": off})
    assert changed.status_code == 200, changed.body
    anomalous(client, seller, garage, signed, "amount_mismatch", "n'est pas celui de l'acompte demandé", amount=1)


def test_the_admins_are_told_of_an_anomaly_when_the_seller_is_deactivated(client, garage, signed):
    admin = Api(client, garage.token(garage.admin))
    assert admin.post(f"/users/{garage.seller.id}/deactivate", {}).status_code == 200
    reference = f"pi_{secrets.token_hex(6)}"
    answer = post_webhook(client, completed_event(signed, garage.dealer.id, amount=1, payment_intent=reference))
    assert answer.status_code == 200 and body(answer)["outcome"] == "anomaly"
    to_seller, to_admin = anomaly_emails(garage, reference)
    assert to_seller == [] and len(to_admin) == 1


def test_the_seller_front_names_the_anomaly_in_french(client):
    script = client.http.get("/app/screens/proposal.js").body.decode()
    assert 'payment_anomaly: "Paiement à régulariser"' in script and "deposit_anomalies" in script


def test_a_second_payment_confirmed_while_the_first_is_being_recorded_becomes_an_anomaly(client, seller, garage,
                                                                                        signed, monkeypatch):
    from chalicelib.services import deposits as deposit_service

    stale = deposit_service.proposal_store.get(garage.dealer.id, signed.proposal_id)  # read before the first paid
    assert body(post_webhook(client, completed_event(signed, garage.dealer.id, session_id="cs_first")))["outcome"] \
        == "recorded"
    real, reads = deposit_service.proposal_store.get, []

    def first_read_stale(dealer_id, proposal_id):
        reads.append(proposal_id)
        return stale if len(reads) == 1 else real(dealer_id, proposal_id)

    monkeypatch.setattr(deposit_service.proposal_store, "get", first_read_stale)
    reference = f"pi_{secrets.token_hex(6)}"
    answer = post_webhook(client, completed_event(signed, garage.dealer.id, session_id="cs_second",
                                                  payment_intent=reference))
    assert body(answer)["outcome"] == "anomaly" and len(reads) == 2  # judged again on what is stored now
    view = portal.proposal_view(seller, signed.proposal_id)
    assert [a["reason"] for a in view["deposit_anomalies"]] == ["already_paid"]
    assert view["proposal"]["deposit_payment"]["session_id"] == "cs_first"
    assert [len(found) for found in anomaly_emails(garage, reference)] == [1, 1]


# --- settling an anomaly -----------------------------------------------------------------------------

def settle(api: Api, sent: portal.Sent, anomaly_id: str, note: str = "Remboursé depuis Stripe le 25/11."):
    return api.post(f"/proposals/{sent.proposal_id}/payment-anomalies/{anomaly_id}/settle", {"note": note})


def test_an_admin_marks_an_anomaly_settled_once_with_a_note(client, seller, garage, signed):
    shown = anomalous(client, seller, garage, signed, "amount_mismatch", "n'est pas celui de l'acompte demandé",
                      amount=DEPOSIT + 100)
    assert shown["settled_at"] is None
    admin = Api(client, garage.token(garage.admin))
    settled = settle(admin, signed, shown["id"])
    assert settled.status_code == 200
    [anomaly] = body(settled)["deposit_anomalies"]
    assert anomaly["settled_by"] == garage.admin.id and anomaly["settlement_note"] == "Remboursé depuis Stripe le 25/11."
    [event] = [e for e in body(settled)["history"] if e["kind"] == "payment_anomaly_settled"]
    assert event["by"] == garage.admin.id and event["details"]["anomaly_id"] == shown["id"]
    [row] = [p for p in body(seller.get("/proposals"))["items"] if p["id"] == signed.proposal_id]
    assert row["payment_anomalies"] == 0  # the list's "Paiement à régulariser" is gone
    with unchanged(garage, signed):
        again = settle(admin, signed, shown["id"], "Encore")
    assert again.status_code == 409 and body(again)["error"]["code"] == "already_settled"


def test_settling_is_refused_to_a_seller_to_an_unknown_anomaly_to_another_dealer_and_without_a_note(
        client, seller, garage, signed):
    shown = anomalous(client, seller, garage, signed, "amount_mismatch", "n'est pas celui de l'acompte demandé",
                      amount=DEPOSIT - 100)
    admin = Api(client, garage.token(garage.admin))
    other = tenant("Garage Voisin")
    intruder = Api(client, other.token(other.admin))
    with unchanged(garage, signed):
        assert settle(seller, signed, shown["id"]).status_code == 403
        assert settle(admin, signed, "01HZZZZZZZZZZZZZZZZZZZZZZZ").status_code == 404
        assert settle(intruder, signed, shown["id"]).status_code == 404
        # looked up before the role check: another dealer's seller learns nothing either
        assert settle(intruder.as_(other.token(other.seller)), signed, shown["id"]).status_code == 404
        blank = settle(admin, signed, shown["id"], "  ")
        assert blank.status_code == 400 and "note" in body(blank)["error"]["fields"]
    assert body(seller.get(f"/proposals/{signed.proposal_id}"))["deposit_anomalies"][0]["settled_at"] is None
