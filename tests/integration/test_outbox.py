"""Email and SMS are never lost: sent from the table's stream, retried with backoff, parked and reported."""
from datetime import datetime, timedelta, timezone

import pytest

import app as application
from chalicelib.documents import storage
from chalicelib.domain import clock
from chalicelib.domain.outbox import MAX_ATTEMPTS, Attachment, Channel, Delivery, OutboxMessage
from chalicelib.domain.templates import TemplateKind
from chalicelib.services import outbox
from chalicelib.settings import settings
from chalicelib.store import keys, outbox as store
from chalicelib.store.table import to_dynamo
from local.client import Client
from tests.offers import recipients, ses_messages, sms_messages
from tests.support import at, at_once, delivered, queue, tenant

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def garage(aws):
    at(NOW)
    return tenant()


def email(garage, **changes) -> OutboxMessage:
    fields = dict(dealer_id=garage.dealer.id, channel=Channel.EMAIL, to="client@example.com",
                  subject="Votre proposition", text="Bonjour", purpose="test", created_at=clock.now())
    return OutboxMessage(**(fields | changes))


def queued(*messages):
    queue(list(messages))
    return list(messages)


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


def test_a_queued_email_is_sent_by_the_stream_and_marked_sent(garage):
    before = len(ses_messages())
    [message] = queued(email(garage))
    delivered()
    stored = store.get(garage.dealer.id, message.id)
    assert stored.status == Delivery.SENT and stored.attempts == 1 and stored.provider_id
    assert len(ses_messages()) == before + 1
    at(NOW + timedelta(hours=1))
    assert outbox.retry_due() == 0


def test_an_email_with_an_attachment_goes_as_raw_mime(garage):
    storage.put("tests/devis.pdf", b"%PDF-1.7 fake", "application/pdf")
    [message] = queued(email(garage, attachments=[Attachment(filename="devis.pdf", s3_key="tests/devis.pdf")]))
    delivered()
    raw = ses_messages()[-1].raw_data
    assert store.get(garage.dealer.id, message.id).status == Delivery.SENT
    assert 'filename="devis.pdf"' in (raw if isinstance(raw, str) else raw.decode())


def test_an_sms_goes_through_sns(garage):
    [message] = queued(email(garage, channel=Channel.SMS, to="+33612345678", subject=""))
    delivered()
    assert store.get(garage.dealer.id, message.id).status == Delivery.SENT
    assert ("+33612345678", "Bonjour") in sms_messages().values()


def test_when_ses_fails_the_message_stays_and_is_sent_exactly_once_later(garage, ses_down, monkeypatch):
    [message] = queued(email(garage))
    delivered()
    failed = store.get(garage.dealer.id, message.id)
    assert failed.status == Delivery.PENDING and failed.attempts == 1
    assert failed.last_error == "ses:MessageRejected"
    at(NOW + timedelta(seconds=59))
    assert outbox.retry_due() == 0
    ses_back(monkeypatch)
    before = len(ses_messages())
    at(NOW + timedelta(minutes=2))
    assert outbox.retry_due() == 1
    at(NOW + timedelta(hours=2))
    assert outbox.retry_due() == 0
    assert len(ses_messages()) == before + 1
    assert store.get(garage.dealer.id, message.id).status == Delivery.SENT


def test_after_the_last_try_the_message_is_parked_and_the_admins_told(garage, ses_down, monkeypatch):
    [message] = queued(email(garage))
    moment = NOW
    delivered()
    for _ in range(MAX_ATTEMPTS - 1):
        moment += timedelta(hours=1)
        at(moment)
        outbox.retry_due()
    parked = store.get(garage.dealer.id, message.id)
    assert parked.status == Delivery.PARKED and parked.attempts == MAX_ATTEMPTS
    ses_back(monkeypatch)
    at(moment + timedelta(hours=1))
    outbox.retry_due()
    assert store.get(garage.dealer.id, message.id).status == Delivery.PARKED
    told = [m for m in ses_messages() if garage.admin.email in recipients(m)]
    assert told and "n'a pas pu" in told[-1].subject


def test_two_sweeps_at_once_send_each_message_once(garage, ses_down, monkeypatch):
    queued(*[email(garage, to=f"client{n}@example.com") for n in range(12)])
    delivered()
    ses_back(monkeypatch)
    before = len(ses_messages())
    at(NOW + timedelta(minutes=5))
    assert sum(at_once(outbox.retry_due)) == 12
    assert len(ses_messages()) == before + 12


def test_the_retry_schedule_runs_as_a_lambda(garage, ses_down, monkeypatch):
    [message] = queued(email(garage))
    delivered()
    ses_back(monkeypatch)
    at(NOW + timedelta(minutes=3))
    with Client(application.app) as client:
        result = client.lambda_.invoke("retry-outbox", client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]))
    assert result.payload == {"attempted": 1}
    assert store.get(garage.dealer.id, message.id).status == Delivery.SENT


def test_a_sent_message_keeps_no_body_that_could_hold_a_link_or_a_code(garage):
    [message] = queued(email(garage, text="Votre code : 123456", html="<p>https://x.example/p/secret</p>"))
    delivered()
    stored = store.get(garage.dealer.id, message.id)
    assert stored.status == Delivery.SENT
    assert stored.text == "" and stored.html is None


def test_a_parked_message_keeps_no_body_either(garage, ses_down):
    [message] = queued(email(garage, text="Votre code : 123456"))
    moment = NOW
    delivered()
    for _ in range(MAX_ATTEMPTS - 1):
        moment += timedelta(hours=1)
        at(moment)
        outbox.retry_due()
    assert store.get(garage.dealer.id, message.id).text == ""


# --- the stream -------------------------------------------------------------------------------

def stream_event(*items: tuple[str, dict]) -> dict:
    """What Lambda passes the delivery function: (eventName, key) records of the table's KEYS_ONLY stream."""
    return {"Records": [{
        "eventID": f"event-{n}", "eventName": name, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-3", "eventSourceARN": "arn:aws:dynamodb:eu-west-3:123456789012:table/t/stream/1",
        "dynamodb": {"ApproximateCreationDateTime": NOW.timestamp(), "Keys": to_dynamo(key),
                     "SequenceNumber": str(n), "SizeBytes": 60, "StreamViewType": "KEYS_ONLY"},
    } for n, (name, key) in enumerate(items)]}


def invoke_delivery(event: dict) -> dict:
    with Client(application.app, deliver_stream=False) as client:
        return client.lambda_.invoke("deliver-outbox", event).payload


def test_a_record_delivered_twice_sends_its_message_once(garage):
    before = len(ses_messages())
    [message] = queued(email(garage))
    record = ("INSERT", store.key(message))
    assert invoke_delivery(stream_event(record, record)) == {"handled": 2}
    assert invoke_delivery(stream_event(record)) == {"handled": 1}
    assert len(ses_messages()) == before + 1
    assert store.get(garage.dealer.id, message.id).attempts == 1


def test_the_delivery_function_ignores_what_is_not_a_new_message(garage):
    [message] = queued(email(garage))
    assert invoke_delivery(stream_event(("MODIFY", store.key(message)), ("INSERT", keys.dealer(garage.dealer.id)),
                                        ("REMOVE", store.key(message)))) == {"handled": 0}
    assert store.get(garage.dealer.id, message.id).status == Delivery.PENDING


def test_a_record_that_fails_leaves_its_message_to_the_retry_schedule_and_the_others_go(garage, monkeypatch):
    before = len(ses_messages())
    broken, fine = queued(email(garage, to="a@example.com"), email(garage, to="b@example.com"))
    real = outbox.deliver_written

    def deliver(key):
        if key == store.key(broken):
            raise RuntimeError("DynamoDB throttled")
        real(key)

    monkeypatch.setattr(outbox, "deliver_written", deliver)
    assert invoke_delivery(stream_event(("INSERT", store.key(broken)), ("INSERT", store.key(fine)))) == {"handled": 2}
    assert store.get(garage.dealer.id, broken.id).status == Delivery.PENDING
    assert store.get(garage.dealer.id, fine.id).status == Delivery.SENT
    monkeypatch.undo()
    at(NOW + timedelta(minutes=2))
    assert outbox.retry_due() == 1
    assert len(ses_messages()) == before + 2


def test_a_templated_email_is_rendered_when_sent_and_forgets_its_variables(garage):
    [message] = queued(email(garage, subject="", text="", template=TemplateKind.QUESTION_ACK,
                             variables={"dealer_name": "Garage des Tilleuls", "question": "Livraison samedi ?",
                                        "customer_name": "Marie Durand"}))
    delivered()
    sent = ses_messages()[-1]
    assert "client@example.com" in recipients(sent) and sent.subject
    stored = store.get(garage.dealer.id, message.id)
    assert stored.status == Delivery.SENT and stored.variables == {}
