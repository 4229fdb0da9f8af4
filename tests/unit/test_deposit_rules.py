"""The acompte's rules: when it is payable, its states, and what a confirmation must match."""
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from chalicelib.domain import deposits
from chalicelib.domain.deposits import (
    AnomalyReason, Confirmation, DepositNotPayable, DepositPayment, DepositStatus, anomaly_of, recorded_with,
    require_payable,
)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
TEMPLATES = Path(__file__).resolve().parents[2] / "chalicelib" / "templates"


def pending(expires_in: timedelta = timedelta(hours=24), attempt: int = 1) -> DepositPayment:
    return deposits.started(50_000, "stripe", attempt, "cs_1", "https://checkout.stripe.com/c/pay/cs_1",
                            NOW + expires_in, NOW)


def confirmation(**changes) -> Confirmation:
    return Confirmation(**{"event_id": "evt_1", "session_id": "cs_1", "amount_cents": 50_000, "currency": "eur",
                           "paid": True, "payment_reference": "pi_1", **changes})


def test_a_signed_proposal_with_an_acompte_is_payable():
    require_payable("accepted", 50_000, None, NOW)
    require_payable("accepted", 50_000, pending(), NOW)


@pytest.mark.parametrize("status, amount, payment, says", [
    ("viewed", 50_000, None, "acceptez et signez-la d'abord"),
    ("sent", 50_000, None, "acceptez et signez-la d'abord"),
    ("declined", 50_000, None, "acceptez et signez-la d'abord"),
    ("accepted", 0, None, "Aucun acompte"),
    ("accepted", 50_000, "paid", "déjà réglé"),
])
def test_the_acompte_is_not_payable_before_signature_without_deposit_or_once_paid(status, amount, payment, says):
    paid = deposits.paid(pending(), "stripe", confirmation(), NOW) if payment == "paid" else None
    with pytest.raises(DepositNotPayable) as refused:
        require_payable(status, amount, paid, NOW)
    assert says in refused.value.message


def test_an_open_checkout_is_resumed_until_it_nearly_expires_then_the_acompte_is_payable_anew():
    assert pending().status_at(NOW) == DepositStatus.PENDING and pending().resumable(NOW)
    nearly = pending(expires_in=timedelta(minutes=4))
    assert nearly.status_at(NOW) == DepositStatus.PENDING and not nearly.resumable(NOW)
    over = pending(expires_in=timedelta(hours=24))
    assert over.status_at(NOW + timedelta(hours=24)) == DepositStatus.NONE
    assert deposits.next_attempt(over) == 2 and deposits.next_attempt(None) == 1


def test_each_attempt_has_its_own_idempotency_key():
    keys = {deposits.idempotency_key("D1", "P1", n) for n in (1, 2)}
    assert len(keys) == 2 and deposits.idempotency_key("D1", "P1", 1) == deposits.idempotency_key("D1", "P1", 1)


def test_an_expired_checkout_goes_back_to_payable_only_if_it_is_the_open_one():
    closed = deposits.expired(pending(), "cs_1")
    assert closed.status == DepositStatus.NONE and closed.checkout_url is None and closed.attempt == 1
    assert deposits.expired(pending(), "cs_other") is None
    assert deposits.expired(None, "cs_1") is None
    assert deposits.expired(deposits.paid(pending(), "stripe", confirmation(), NOW), "cs_1") is None


def test_a_matching_confirmation_is_believed_and_marks_the_acompte_paid():
    assert anomaly_of("accepted", 50_000, pending(), confirmation(currency="EUR")) is None
    assert anomaly_of("accepted", 50_000, None, confirmation()) is None
    paid = deposits.paid(pending(), "stripe", confirmation(), NOW)
    assert paid.status == DepositStatus.PAID and paid.paid_at == NOW and paid.amount_cents == 50_000
    assert paid.provider_reference == "pi_1" and paid.event_id == "evt_1" and paid.checkout_url is None
    assert paid.status_at(NOW + timedelta(days=30)) == DepositStatus.PAID  # paid is final
    assert deposits.paid(None, "local", confirmation(), NOW).provider == "local"


@pytest.mark.parametrize("status, amount, changes, reason", [
    ("accepted", 50_000, {"amount_cents": 49_999}, AnomalyReason.AMOUNT_MISMATCH),
    ("accepted", 50_000, {"amount_cents": 100_000}, AnomalyReason.AMOUNT_MISMATCH),
    ("accepted", 50_000, {"currency": "usd"}, AnomalyReason.CURRENCY_MISMATCH),
    ("accepted", 50_000, {"currency": "usd", "amount_cents": 1}, AnomalyReason.CURRENCY_MISMATCH),
    ("viewed", 50_000, {}, AnomalyReason.PROPOSAL_NOT_ACCEPTED),
    ("withdrawn", 50_000, {}, AnomalyReason.PROPOSAL_NOT_ACCEPTED),
    ("expired", 50_000, {}, AnomalyReason.PROPOSAL_NOT_ACCEPTED),
    ("accepted", 0, {}, AnomalyReason.NO_DEPOSIT_ASKED),
])
def test_money_taken_that_does_not_fit_the_proposal_is_an_anomaly(status, amount, changes, reason):
    assert anomaly_of(status, amount, pending(), confirmation(**changes)) == reason


def test_a_second_checkout_paid_after_the_acompte_is_an_anomaly_but_the_recorded_one_is_not():
    paid = deposits.paid(pending(), "stripe", confirmation(), NOW)
    second = confirmation(event_id="evt_2", session_id="cs_2", payment_reference="pi_2")
    assert not recorded_with(paid, second)
    assert anomaly_of("accepted", 50_000, paid, second) == AnomalyReason.ALREADY_PAID
    assert recorded_with(paid, confirmation(event_id="evt_again"))  # the same checkout: already recorded
    assert not recorded_with(pending(), confirmation()) and not recorded_with(None, confirmation())


def test_an_anomaly_keeps_what_was_paid_and_why_never_card_data():
    found = deposits.anomaly(AnomalyReason.CURRENCY_MISMATCH, confirmation(currency="USD", amount_cents=1_234),
                             50_000, "stripe", NOW)
    assert found.details() == {"reason": "currency_mismatch", "amount_cents": 1_234, "currency": "usd",
                               "expected_cents": 50_000, "provider": "stripe", "provider_reference": "pi_1"}
    assert found.label == "paiement dans une autre devise que l'euro"
    assert deposits.format_amount(1_234, "usd") == "12,34\u00a0USD"
    assert deposits.format_amount(150_000, "eur") == "1\u00a0500,00\u00a0€"
    assert deposits.anomaly(AnomalyReason.NO_DEPOSIT_ASKED, confirmation(), 0, "local", NOW).expected_cents == 0


def test_the_checkout_address_is_never_serialised():
    assert "checkout_url" not in pending().model_dump(mode="json")
    assert DepositPayment.model_validate({**pending().model_dump(mode="json"),
                                         "checkout_url": "https://x"}).checkout_url == "https://x"


def test_it_is_called_acompte_and_never_arrhes_except_to_say_it_is_not():
    assert deposits.describe(150_000) == "acompte de 1\u00a0500,00\u00a0€"
    for template in [*TEMPLATES.glob("portal/*deposit*.html"), TEMPLATES / "dev" / "checkout.html"]:
        text = template.read_text(encoding="utf-8").lower()
        assert "arrhes" not in text, template.name
    assert "acompte" in (TEMPLATES / "portal" / "_deposit.html").read_text(encoding="utf-8").lower()
