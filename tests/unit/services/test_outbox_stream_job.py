"""The deliver-outbox function as the table's stream invokes it, on the in-memory table: it sends the
messages of INSERT records of outbox items, ignores every other record, and never raises for one
that fails (its message waits for the retry schedule)."""
from datetime import datetime, timezone

import pytest

import app as application
from chalicelib.domain.outbox import Channel, Delivery, OutboxMessage
from chalicelib.jobs import delivery
from chalicelib.store import due, keys
from chalicelib.store import outbox as store
from chalicelib.store.table import to_dynamo
from chalicelib.store.unit_of_work import commit
from local.stream import lambda_context
from tests.offers import ses_messages
from tests.support import at, tenant

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def garage(memory):
    at(NOW)
    return tenant()


def queued(garage, **changes) -> OutboxMessage:
    fields = dict(dealer_id=garage.dealer.id, channel=Channel.EMAIL, to="client@example.com",
                  subject="Votre proposition", text="Bonjour", purpose="test", created_at=NOW)
    message = OutboxMessage(**(fields | changes))
    commit(store.new(message))
    return message


def record(key: keys.Key, event_name: str = "INSERT") -> dict:
    """A record of the table's KEYS_ONLY stream, as Lambda hands it over."""
    return {
        "eventID": "1", "eventName": event_name, "awsRegion": "eu-west-3",
        "eventSourceARN": delivery.STREAM_ARN_SET_BY_INFRA,
        "dynamodb": {"Keys": to_dynamo(key), "ApproximateCreationDateTime": NOW.timestamp(),
                     "SequenceNumber": "1", "SizeBytes": 64, "StreamViewType": "KEYS_ONLY"},
    }


def invoke(*records: dict) -> dict:
    function = application.app.handler_map[delivery.NAME]
    return function({"Records": list(records)}, lambda_context(application.app, None, delivery.NAME))


def test_an_inserted_message_is_sent_and_other_records_are_left(garage):
    message = queued(garage)
    other = queued(garage, to="other@example.com")
    answer = invoke(record(store.key(message)), record(store.key(other), "MODIFY"),
                    record(keys.dealer(garage.dealer.id)))
    assert answer == {"handled": 1}
    assert store.get(message.dealer_id, message.id).status == Delivery.SENT
    assert store.get(other.dealer_id, other.id).status == Delivery.PENDING
    assert len(ses_messages()) == 1


def test_the_same_record_handed_over_twice_sends_once(garage):
    message = queued(garage)
    assert [invoke(record(store.key(message))), invoke(record(store.key(message)))] == [{"handled": 1}] * 2
    assert len(ses_messages()) == 1


def test_a_record_that_fails_does_not_hold_back_the_next(garage, monkeypatch):
    broken, fine = queued(garage, to="broken@example.com"), queued(garage)
    claim_fresh = due.claim_fresh

    def throttled(key: keys.Key, now: datetime) -> due.Claimed | None:
        if key == store.key(broken):
            raise RuntimeError("throttled")
        return claim_fresh(key, now)

    monkeypatch.setattr(due, "claim_fresh", throttled)
    assert invoke(record(store.key(broken)), record(store.key(fine))) == {"handled": 2}
    assert store.get(fine.dealer_id, fine.id).status == Delivery.SENT
    assert store.get(broken.dealer_id, broken.id).status == Delivery.PENDING
