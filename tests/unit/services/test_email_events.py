"""SES's events about sent emails, recorded on the in-memory table: each event changes the right message
and proposal once (one read, one transaction); a replayed or late event changes nothing; a permanent
bounce or a complaint suppresses the address; the signing code's fate reaches the evidence chain."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import evidence
from chalicelib.domain.email_events import AddressSuppressed, Fate, parse
from chalicelib.domain.outbox import Channel, Delivery, OutboxMessage
from chalicelib.domain.proposals.model import EventKind, Proposal
from chalicelib.domain.dealers import Staff
from chalicelib.services import email_events, outbox
from chalicelib.store import email_events as fate_store
from chalicelib.store import keys
from chalicelib.store import outbox as outbox_store
from chalicelib.store import proposals as proposal_store
from chalicelib.store.unit_of_work import commit
from local.ses_simulator import detail
from tests import samples
from tests.support import Tenant, at, tenant

NOW = datetime(2026, 11, 24, 9, 15, tzinfo=timezone.utc)
MARIE = samples.TO_MARIE.email


@pytest.fixture
def garage(memory) -> Tenant:
    at(NOW)
    return tenant()


@pytest.fixture
def proposal(garage) -> Proposal:
    draft = samples.proposal().model_copy(update={"id": "P1", "dealer_id": garage.dealer.id,
                                                  "seller_id": garage.seller.id})
    sent = draft.sent(samples.TO_MARIE, True, NOW)
    proposal_store.create(sent, [])
    return sent


def sent_email(proposal: Proposal, purpose: str = "proposal_sent", when: datetime = NOW) -> str:
    """A customer email about the proposal, queued then sent by the outbox; returns SES's message id."""
    at(when)
    message = OutboxMessage(dealer_id=proposal.dealer_id, channel=Channel.EMAIL, to=MARIE, subject="Votre offre",
                            text="Bonjour", purpose=purpose, created_at=when, proposal=proposal.email_ref())
    commit(outbox_store.new(message))
    outbox.deliver_written(outbox_store.key(message))
    stored = outbox_store.get(message.dealer_id, message.id)
    assert stored is not None and stored.status == Delivery.SENT and stored.provider_id
    return stored.provider_id


def outbox_item(memory, ses_id: str) -> dict:
    email = fate_store.find(ses_id)
    assert email is not None
    return memory.items[(keys.outbox(email.dealer_id, email.outbox_id)[keys.PK],
                         keys.outbox(email.dealer_id, email.outbox_id)[keys.SK])]


def history(proposal: Proposal) -> list:
    return [e for e in proposal_store.get_with_history(proposal.dealer_id, proposal.id).history
            if e.kind in (EventKind.EMAIL_DELIVERED, EventKind.EMAIL_UNDELIVERED)]


def notices(memory) -> list[dict]:
    return [i for i in memory.items.values() if i[keys.SK].startswith("OUTBOX#") and i["purpose"] == "email_bounced"]


def snapshot(memory) -> dict:
    return {k: dict(v) for k, v in memory.items.items()}


def test_a_delivery_is_recorded_once_as_remis(proposal, memory):
    ses_id = sent_email(proposal)
    assert email_events.record(detail("Delivery", ses_id, MARIE, NOW)) == "recorded"
    assert outbox_item(memory, ses_id)["fate"] == "delivered"
    [remis] = history(proposal)
    assert (remis.kind, remis.details["label"], remis.details["to"]) == (EventKind.EMAIL_DELIVERED, "remis", MARIE)
    assert remis.at == NOW + timedelta(seconds=2)
    assert proposal_store.get(proposal.dealer_id, proposal.id).email_bounce is None

    before = snapshot(memory)
    assert email_events.record(detail("Delivery", ses_id, MARIE, NOW)) == "replayed"
    assert snapshot(memory) == before


def test_a_permanent_bounce_flags_the_proposal_tells_the_seller_and_suppresses_the_address(proposal, memory):
    ses_id = sent_email(proposal)
    assert email_events.record(detail("Bounce", ses_id, MARIE, NOW)) == "recorded"
    item = outbox_item(memory, ses_id)
    assert (item["fate"], item["fate_permanent"], item["fate_diagnostic"]) == \
        ("bounced", True, "smtp; 550 5.1.1 user unknown")
    [bounced] = history(proposal)
    assert bounced.details["label"] == "non remis : adresse inconnue"
    flag = proposal_store.get(proposal.dealer_id, proposal.id).email_bounce
    assert flag is not None and (flag.to, flag.fate, flag.permanent) == (MARIE, Fate.BOUNCED, True)
    [notice] = notices(memory)
    assert notice["channel"] == Channel.SELLER and notice["to"] == proposal.seller_id
    assert MARIE in notice["text"] and notice["notice"]["email_anyway"] == str(proposal.seller.email)
    with pytest.raises(AddressSuppressed) as refused:
        email_events.check_sendable(proposal.dealer_id, MARIE.upper())
    assert MARIE.upper() in refused.value.message and refused.value.code == "address_suppressed"

    # Replayed, and a "delivered" that comes after the bounce: nothing changes.
    before = snapshot(memory)
    assert email_events.record(detail("Bounce", ses_id, MARIE, NOW)) == "replayed"
    assert email_events.record(detail("Delivery", ses_id, MARIE, NOW)) == "replayed"
    assert email_events.record(detail("DeliveryDelay", ses_id, MARIE, NOW)) == "replayed"
    assert snapshot(memory) == before


def test_a_transient_bounce_flags_the_proposal_without_suppressing(proposal, memory):
    ses_id = sent_email(proposal)
    email_events.record(detail("Bounce", ses_id, MARIE, NOW, bounce_type="Transient", sub_type="MailboxFull",
                               diagnostic="smtp; 452 4.2.2 mailbox full"))
    flag = proposal_store.get(proposal.dealer_id, proposal.id).email_bounce
    assert flag is not None and not flag.permanent and flag.diagnostic == "smtp; 452 4.2.2 mailbox full"
    assert history(proposal)[0].details["label"] == "non remis : refus temporaire"
    email_events.check_sendable(proposal.dealer_id, MARIE)


def test_a_complaint_after_the_delivery_is_recorded_and_suppresses(proposal, memory):
    ses_id = sent_email(proposal)
    assert email_events.record(detail("Delivery", ses_id, MARIE, NOW)) == "recorded"
    assert email_events.record(detail("Complaint", ses_id, MARIE, NOW)) == "recorded"
    assert [e.kind for e in history(proposal)] == [EventKind.EMAIL_DELIVERED, EventKind.EMAIL_UNDELIVERED]
    assert outbox_item(memory, ses_id)["fate"] == "complained"
    assert proposal_store.get(proposal.dealer_id, proposal.id).email_bounce.fate == Fate.COMPLAINED
    with pytest.raises(AddressSuppressed):
        email_events.check_sendable(proposal.dealer_id, MARIE)


def test_a_delay_is_kept_on_the_message_until_the_delivery(proposal, memory):
    ses_id = sent_email(proposal)
    assert email_events.record(detail("DeliveryDelay", ses_id, MARIE, NOW)) == "recorded"
    assert (outbox_item(memory, ses_id)["fate"], history(proposal)) == ("delayed", [])
    assert email_events.record(detail("DeliveryDelay", ses_id, MARIE, NOW)) == "replayed"
    assert email_events.record(detail("Delivery", ses_id, MARIE, NOW)) == "recorded"
    assert outbox_item(memory, ses_id)["fate"] == "delivered"


def test_a_rejected_email_flags_the_proposal(proposal, memory):
    ses_id = sent_email(proposal)
    email_events.record(detail("Reject", ses_id, MARIE, NOW))
    assert proposal_store.get(proposal.dealer_id, proposal.id).email_bounce.fate == Fate.REJECTED
    email_events.check_sendable(proposal.dealer_id, MARIE)


def test_an_older_emails_late_bounce_does_not_hide_a_newer_delivery(proposal, memory):
    older = sent_email(proposal)
    newer = sent_email(proposal, when=NOW + timedelta(minutes=5))
    email_events.record(detail("Delivery", newer, MARIE, NOW + timedelta(minutes=5)))
    assert email_events.record(detail("Bounce", older, MARIE, NOW)) == "recorded"
    assert proposal_store.get(proposal.dealer_id, proposal.id).email_bounce is None
    assert [e.kind for e in history(proposal)] == [EventKind.EMAIL_UNDELIVERED, EventKind.EMAIL_DELIVERED]
    assert notices(memory) == []


def test_a_newer_delivery_clears_the_flag(proposal, memory):
    email_events.record(detail("Bounce", sent_email(proposal), MARIE, NOW, bounce_type="Transient"))
    later = NOW + timedelta(minutes=5)
    email_events.record(detail("Delivery", sent_email(proposal, when=later), MARIE, later))
    assert proposal_store.get(proposal.dealer_id, proposal.id).email_bounce is None


def test_an_event_costs_one_read_and_one_transaction(proposal, memory, monkeypatch):
    ses_id = sent_email(proposal)
    calls: list[str] = []
    for name in ("get", "query", "write", "transact"):
        real = getattr(memory, name)
        monkeypatch.setattr(memory, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    email_events.record(detail("Bounce", ses_id, MARIE, NOW))
    assert calls == ["get", "transact"]


def test_events_of_other_senders_and_other_kinds_are_left(garage):
    assert email_events.record(detail("Delivery", "not-ours", MARIE, NOW)) == "unknown"
    assert email_events.record({"eventType": "Open", "mail": {"messageId": "x"}}) == "ignored"
    assert parse({"eventType": "Bounce"}) is None


def test_the_code_emails_bounce_reaches_the_evidence_chain(proposal, memory):
    ses_id = sent_email(proposal, purpose="signing_code")
    assert email_events.record(detail("Bounce", ses_id, MARIE, NOW)) == "recorded"
    stored = proposal_store.get(proposal.dealer_id, proposal.id)
    assert stored.evidence_seq == 1 and stored.email_bounce is not None
    chain = [evidence.EvidenceEvent.model_validate(i) for k, i in sorted(memory.items.items())
             if k[1].startswith(f"PROPOSAL#{proposal.id}#EVIDENCE#")]
    assert [(e.kind, e.details["fate"], e.details["to"]) for e in chain] == \
        [(evidence.EventKind.CODE_EMAIL_FATE, "bounced", MARIE)]
    subject = evidence.subject_of(proposal.dealer_id, proposal.id)
    head = evidence.Chain(subject=subject, seq=stored.evidence_seq, head_hash=stored.evidence_head)
    assert evidence.verify(chain, subject, head).ok
    assert len(notices(memory)) == 1
    before = snapshot(memory)
    assert email_events.record(detail("Bounce", ses_id, MARIE, NOW)) == "replayed"
    assert snapshot(memory) == before


def test_a_seller_confirming_the_address_lifts_the_suppression(proposal, garage, memory):
    email_events.record(detail("Bounce", sent_email(proposal), MARIE, NOW))
    seller = Staff(dealer_id=garage.dealer.id, user_id=garage.seller.id, role=garage.seller.role)
    view = email_events.confirm_address(proposal.dealer_id, proposal.id, seller)
    assert view.history[-1].kind == EventKind.ADDRESS_CONFIRMED
    email_events.check_sendable(proposal.dealer_id, MARIE)
