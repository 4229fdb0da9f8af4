"""The order's balance paid by card on the in-memory table: offered only when the dealer enables it, a
checkout for the amount left opened from the order page (the customer's request on the chain), the
webhook recording it on the order once (replays and a second event for the same checkout write nothing),
and a payment that does not fit recorded as an anomaly, the order untouched."""
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.dealers import BalanceChange, DealerSettingsChange, Staff
from chalicelib.domain.proposals.model import EventKind
from chalicelib.payments.local import LocalCheckout
from chalicelib.payments.local import sign as stripe_signature
from chalicelib.portal.security import InvalidCsrf
from chalicelib.domain.money import format_euros
from chalicelib.domain.notices import About
from chalicelib.services import balance, dealers, order_portal, payment_webhook, signing
from chalicelib.services import bell as bell_service
from chalicelib.services.payment_events import Outcome
from chalicelib.services.visit import look
from chalicelib.settings import DEV_PAYMENT_WEBHOOK_SECRET, settings
from chalicelib.store import portal as portal_store
from tests import customer_side as side
from tests.customer_side import PHONE, SIGN_FORM, Sent
from tests.support import Tenant, tenant
from tests.unit.services.test_bell import delivered


@pytest.fixture
def garage(memory) -> Tenant:
    side.at(side.NOW)
    return tenant()


@pytest.fixture
def signed(memory, garage) -> Sent:
    the = side.sent(garage)
    signing.start(the.token, the.form("sign", **SIGN_FORM), PHONE)
    signing.confirm(the.token, the.form("code", code=side.latest_code(memory)), PHONE)
    return the


def card(garage: Tenant, enabled: bool = True) -> None:
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=garage.admin.role)
    dealers.change_settings(garage.dealer.id, DealerSettingsChange(balance=BalanceChange(card_enabled=enabled)),
                            by=admin)


def the_order(the: Sent):
    agg = order_portal.order_of(side.stored(the))
    assert agg is not None
    return agg


def pay(the: Sent) -> str:
    return balance.start(the.token, the.form("balance"), PHONE)


def paid_event(checkout_url: str) -> tuple[bytes, str]:
    """What "Payer" on the local checkout hands to the webhook."""
    provider = LocalCheckout(settings().public_base_url, DEV_PAYMENT_WEBHOOK_SECRET)
    return provider.completed_event(provider.open(parse_qs(urlsplit(checkout_url).query)["session"][0]))


def test_without_the_dealer_s_card_option_nothing_opens_and_nothing_changes(memory, garage, signed):
    assert not order_portal.shown(look(signed.token), "x").card_payable
    before = side.snapshot(memory)
    with pytest.raises(balance.CardNotOffered, match="par virement"):
        pay(signed)
    assert memory.items == before


def test_the_balance_is_paid_by_card_and_recorded_on_the_order_once(memory, garage, signed):
    card(garage)
    left = the_order(signed).order.left_to_pay_cents
    assert left > 0 and order_portal.shown(look(signed.token), "x").card_payable
    url = pay(signed)
    # The customer's request is on the chain; the provider keeps the order and the purpose, not the token.
    chain = portal_store.read(garage.dealer.id, signed.proposal.id, whole=True).evidence
    assert (chain[-1].kind.value, chain[-1].ip, chain[-1].user_agent) == ("checkout_opened", PHONE.ip,
                                                                          PHONE.user_agent)
    session = LocalCheckout(settings().public_base_url, DEV_PAYMENT_WEBHOOK_SECRET).open(
        parse_qs(urlsplit(url).query)["session"][0])
    assert session.amount_cents == left and session.metadata["purpose"] == "balance"
    assert signed.token not in session.success_url and signed.token not in session.cancel_url
    assert pay(signed) == url  # a second click: the same checkout

    payload, signature = paid_event(url)
    assert payment_webhook.receive(payload, signature).outcome == Outcome.RECORDED
    agg = the_order(signed)
    [payment] = agg.payments
    assert (payment.kind, payment.method, payment.amount_cents, payment.recorded_by) == (
        "balance", "card", left, "customer")
    assert agg.order.left_to_pay_cents == 0 and agg.order.funds_received_at is not None
    assert side.evidence(signed)[-1] == "payment"
    assert side.stored(signed).deposit_payment is None  # the acompte is another matter

    before = side.snapshot(memory)
    assert payment_webhook.receive(payload, signature).outcome == Outcome.DUPLICATE
    other = json.loads(payload)
    other["id"] = "evt_another_for_the_same_checkout"
    again = json.dumps(other).encode()
    assert payment_webhook.receive(again, stripe_signature(again, DEV_PAYMENT_WEBHOOK_SECRET, int(time.time()))
                            ).outcome == Outcome.ALREADY_PAID
    assert memory.items == before
    with pytest.raises(balance.CardNotOffered, match="déjà réglé"):
        pay(signed)


def test_the_customer_gets_a_receipt_and_the_seller_a_notice_in_the_bell(memory, garage, signed):
    card(garage)
    left = the_order(signed).order.left_to_pay_cents
    seller_notices_before = len(side.queued(memory, "seller_notification"))
    payload, signature = paid_event(pay(signed))
    assert payment_webhook.receive(payload, signature).outcome == Outcome.RECORDED

    [receipt] = side.queued(memory, "balance_receipt")
    assert receipt["channel"] == "email" and receipt["to"] == side.stored(signed).recipient.email
    assert f"paiement de {format_euros(left)}" in receipt["text"] and signed.proposal.reference in receipt["text"]
    assert "entièrement réglée" in receipt["text"] and "acompte" not in receipt["text"]
    *_, notice = side.queued(memory, "seller_notification")
    assert len(side.queued(memory, "seller_notification")) == seller_notices_before + 1
    assert notice["variables"]["event"] == "réglé le solde de la commande de"
    delivered(memory)
    seller = garage.seller
    [told] = [n for n in bell_service.listed(Staff(dealer_id=seller.dealer_id, user_id=seller.id,
                                                   role=seller.role)).items if n.kind == "balance_paid"]
    assert (told.about, told.about_id, told.read) == (About.ORDER, the_order(signed).order.id, False)
    assert "solde" in told.text

    before = side.snapshot(memory)
    assert payment_webhook.receive(payload, signature).outcome == Outcome.DUPLICATE  # told once
    assert memory.items == before


def test_a_payment_that_does_not_fit_is_an_anomaly_and_the_order_is_untouched(memory, garage, signed):
    card(garage)
    url = pay(signed)
    payload, _ = paid_event(url)
    event = json.loads(payload)
    event["data"]["object"]["amount_total"] += 100
    tampered = json.dumps(event).encode()
    signature = stripe_signature(tampered, DEV_PAYMENT_WEBHOOK_SECRET, int(time.time()))
    assert payment_webhook.receive(tampered, signature).outcome == Outcome.ANOMALY
    assert the_order(signed).payments == []
    assert EventKind.PAYMENT_ANOMALY in side.history(signed)
    [alert, *_] = side.queued(memory, "payment_anomaly")
    assert "solde restant dû" in alert["text"]
    assert payment_webhook.receive(tampered, signature).outcome == Outcome.DUPLICATE


def test_another_link_s_form_is_refused(memory, garage, signed):
    card(garage)
    other = side.sent(tenant("Garage du Port"))
    before = side.snapshot(memory)
    with pytest.raises(InvalidCsrf):
        balance.start(signed.token, other.form("balance"), PHONE)
    assert memory.items == before
