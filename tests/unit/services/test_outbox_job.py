"""The outbox on the in-memory table and moto's in-process SES and SNS: sent once from the stream,
retried with backoff, parked after the last try with the admins told in the same commit."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import clock
from chalicelib.domain.outbox import MAX_ATTEMPTS, Channel, Delivery, OutboxMessage
from chalicelib.services import outbox
from chalicelib.settings import settings
from chalicelib.store import due, keys
from chalicelib.store import outbox as store
from chalicelib.store.unit_of_work import commit
from tests.offers import recipients, ses_messages, sms_messages
from tests.support import at, tenant

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def garage(memory):
    at(NOW)
    return tenant()


@pytest.fixture
def ses_down(monkeypatch):
    """SES refuses the sender (unverified), as when the identity is misconfigured."""
    monkeypatch.setenv("OFFERLINE_SENDER_EMAIL", "unverified@example.com")
    settings.cache_clear()
    yield
    settings.cache_clear()


def ses_back(monkeypatch):
    monkeypatch.delenv("OFFERLINE_SENDER_EMAIL")
    settings.cache_clear()


def queued(garage, **changes) -> OutboxMessage:
    fields = dict(dealer_id=garage.dealer.id, channel=Channel.EMAIL, to="client@example.com",
                  subject="Votre proposition", text="Bonjour", purpose="test", created_at=clock.now())
    message = OutboxMessage(**(fields | changes))
    commit(store.new(message))
    return message


def stored(message: OutboxMessage) -> OutboxMessage:
    found = store.get(message.dealer_id, message.id)
    assert found is not None
    return found


def test_a_written_message_is_sent_marked_sent_and_its_body_forgotten(garage, memory):
    message = queued(garage)
    outbox.deliver_written(store.key(message))
    sent = stored(message)
    assert (sent.status, sent.attempts, sent.text) == (Delivery.SENT, 1, "")
    assert sent.provider_id and sent.sent_at == NOW
    assert [recipients(m) for m in ses_messages()] == [["client@example.com"]]
    assert keys.DUE_AT not in memory.items[(store.key(message)[keys.PK], store.key(message)[keys.SK])]
    at(NOW + timedelta(hours=1))
    assert outbox.retry_due() == 0


def test_an_sms_goes_through_sns(garage):
    message = queued(garage, channel=Channel.SMS, to="+33612345678", subject="")
    outbox.deliver_written(store.key(message))
    assert stored(message).status == Delivery.SENT
    assert list(sms_messages().values()) == [("+33612345678", "Bonjour")]


def test_a_record_delivered_twice_sends_once(garage):
    message = queued(garage)
    outbox.deliver_written(store.key(message))
    outbox.deliver_written(store.key(message))
    assert len(ses_messages()) == 1 and stored(message).attempts == 1


def test_the_stream_and_the_schedule_at_once_send_once(garage):
    """The schedule read the message as due, then the stream's delivery took it: the schedule's claim loses."""
    message = queued(garage)
    at(NOW + timedelta(minutes=2))
    seen = list(due.due(store.KIND, clock.now()))
    outbox.deliver_written(store.key(message))
    assert [due.claim(item, clock.now()) for item in seen] == [None]
    assert outbox.retry_due() == 0
    assert len(ses_messages()) == 1


def test_two_sweeps_at_once_send_each_message_once(garage, monkeypatch):
    messages = [queued(garage, to=f"client{n}@example.com") for n in range(3)]
    at(NOW + timedelta(minutes=2))
    read_by_the_other_sweep = list(due.due(store.KIND, clock.now()))
    assert outbox.retry_due() == 3
    monkeypatch.setattr(due, "due", lambda kind, now: iter(read_by_the_other_sweep))
    assert outbox.retry_due() == 0
    assert len(ses_messages()) == 3 and all(stored(m).attempts == 1 for m in messages)


def test_a_failed_send_is_postponed_then_retried_once_it_is_due(garage, ses_down, monkeypatch):
    message = queued(garage)
    outbox.deliver_written(store.key(message))
    failed = stored(message)
    assert (failed.status, failed.attempts, failed.last_error) == (Delivery.PENDING, 1, "ses:MessageRejected")
    assert failed.text == "Bonjour"
    at(NOW + timedelta(seconds=59))
    assert outbox.retry_due() == 0
    ses_back(monkeypatch)
    at(NOW + timedelta(minutes=2))
    assert outbox.retry_due() == 1
    at(NOW + timedelta(hours=2))
    assert outbox.retry_due() == 0
    sent = stored(message)
    assert (sent.status, sent.attempts, len(ses_messages())) == (Delivery.SENT, 2, 1)


def test_after_the_last_try_the_message_is_parked_and_the_admins_told(garage, ses_down, monkeypatch):
    message = queued(garage)
    outbox.deliver_written(store.key(message))
    moment = NOW
    for _ in range(MAX_ATTEMPTS - 1):
        moment += timedelta(hours=1)
        at(moment)
        assert outbox.retry_due() == 1
    parked = stored(message)
    assert (parked.status, parked.attempts, parked.text) == (Delivery.PARKED, MAX_ATTEMPTS, "")
    ses_back(monkeypatch)
    at(moment + timedelta(hours=1))
    outbox.retry_due()
    assert stored(message).status == Delivery.PARKED
    told = [m for m in ses_messages() if garage.admin.email in recipients(m)]
    assert len(told) == 1 and "n'a pas pu" in told[0].subject
    assert not [m for m in ses_messages() if "client@example.com" in recipients(m)]


def test_a_parked_email_about_parking_tells_nobody(garage, ses_down):
    message = queued(garage, to=garage.admin.email, purpose="outbox_parked")
    outbox.deliver_written(store.key(message))
    moment = NOW
    for _ in range(MAX_ATTEMPTS - 1):
        moment += timedelta(hours=1)
        at(moment)
        outbox.retry_due()
    assert stored(message).status == Delivery.PARKED
    at(moment + timedelta(hours=1))
    assert outbox.retry_due() == 0
