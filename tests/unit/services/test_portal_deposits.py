"""The acompte on the in-memory table: the checkout from the portal, the provider's webhook (paid, replayed,
an anomaly, an expired checkout) and the settling of an anomaly, each one unit of work or nothing written."""
import pytest

from chalicelib.domain.dealers import Staff
from chalicelib.domain.deposits import AlreadySettled, AnomalySettlement, DepositNotPayable, DepositStatus
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.proposals.model import EventKind, ProposalStatus
from chalicelib.services import deposits, payment_webhook
from chalicelib.services.payment_events import Outcome
from chalicelib.services.payment_webhook import InvalidSignature
from chalicelib.store import proposals as store
from tests import customer_side as side
from tests.customer_side import PHONE
from tests.support import tenant


@pytest.fixture
def garage(memory):
    side.at(side.NOW)
    return tenant()


@pytest.fixture
def signed(garage):
    return side.sent(garage, status=ProposalStatus.ACCEPTED)


def staff(garage, user) -> Staff:
    return Staff(dealer_id=garage.dealer.id, user_id=user.id, role=user.role)


def checkout(signed) -> str:
    return deposits.start(signed.token, signed.form("deposit"), PHONE)


def session_of(signed) -> str:
    return side.stored(signed).deposit_payment.session_id


# --- checkout -----------------------------------------------------------------------------------------

def test_a_signed_proposal_opens_one_checkout_and_offers_it_again(memory, signed):
    memory.calls.clear()
    url = checkout(signed)
    assert dict(memory.calls) == {"GetItem": 1, "Query": 1, "TransactWriteItems": 1}
    payment = side.stored(signed).deposit_payment
    assert (payment.status, payment.amount_cents, payment.attempt) == (
        DepositStatus.PENDING, signed.proposal.deposit_cents, 1)
    assert side.history(signed) == [EventKind.PAYMENT_STARTED]
    before = side.snapshot(memory)
    assert checkout(signed) == url and memory.items == before


def test_a_proposal_not_signed_yet_has_no_acompte_to_pay(memory, garage):
    sent = side.sent(garage)
    before = side.snapshot(memory)
    with pytest.raises(DepositNotPayable):
        checkout(sent)
    assert memory.items == before


# --- the webhook ----------------------------------------------------------------------------------------

def test_the_provider_s_payment_marks_the_acompte_paid_once(memory, signed):
    checkout(signed)
    payload, signature = side.webhook_event(signed, session_id=session_of(signed))
    assert payment_webhook.receive(payload, signature).outcome == Outcome.RECORDED
    paid = side.stored(signed).deposit_payment
    assert (paid.status, paid.provider_reference, paid.event_id) == (DepositStatus.PAID, "pi_1", "evt_1")
    assert side.history(signed)[-1] == EventKind.PAYMENT_RECEIVED
    assert side.seller_notices(memory) == ["réglé l'acompte de"]
    assert len(side.queued(memory, "deposit_receipt")) == 1
    before = side.snapshot(memory)
    assert payment_webhook.receive(payload, signature).outcome == Outcome.DUPLICATE
    assert memory.items == before


def test_the_payment_is_an_event_of_the_evidence_chain_even_when_a_view_moved_the_chain_meanwhile(
        memory, signed, monkeypatch):
    from chalicelib.domain import evidence
    from chalicelib.services import deposits as service
    from chalicelib.store import portal as portal_store
    from chalicelib.store.unit_of_work import commit

    checkout(signed)
    payload, signature = side.webhook_event(signed, session_id=session_of(signed))
    judged, viewed = service.confirmed, []

    def a_view_first(event, session, proposal):
        """The customer's page is opened between the webhook's read and its write, once."""
        if viewed:
            return judged(event, session, proposal)
        viewed.append(proposal.id)
        chain, proof = evidence.append(portal_store.Aggregate(proposal).chain, evidence.EventKind.LINK_OPENED,
                                       side.NOW)
        commit(portal_store.proposal_change(proposal, proposal.evidenced(chain.seq, chain.head_hash),
                                            allowed=[ProposalStatus.ACCEPTED]), portal_store.evidence(proposal, proof))
        return judged(event, session, proposal)

    monkeypatch.setitem(payment_webhook.COMPLETED, "deposit", a_view_first)
    assert payment_webhook.receive(payload, signature).outcome == Outcome.RECORDED
    assert side.evidence(signed)[-2:] == ["link_opened", "payment"]
    aggregate = portal_store.read(signed.proposal.dealer_id, signed.proposal.id, whole=True)
    payment = aggregate.evidence[-1]
    assert (payment.details["amount_cents"], payment.details["provider_reference"]) == (
        signed.proposal.deposit_cents, "pi_1")
    assert evidence.verify(aggregate.evidence, evidence.subject_of(signed.proposal.dealer_id, signed.proposal.id),
                           aggregate.chain).ok


def test_a_forged_event_is_refused_and_writes_nothing(memory, signed):
    payload, _ = side.webhook_event(signed)
    before = side.snapshot(memory)
    with pytest.raises(InvalidSignature):
        payment_webhook.receive(payload, "t=1,v1=forged")
    assert memory.items == before


def test_a_payment_of_another_amount_is_an_anomaly_to_refund_then_settle_once(memory, garage, signed):
    checkout(signed)
    payload, signature = side.webhook_event(signed, amount=signed.proposal.deposit_cents + 100,
                                            session_id=session_of(signed))
    assert payment_webhook.receive(payload, signature).outcome == Outcome.ANOMALY
    assert side.stored(signed).deposit_payment.status == DepositStatus.PENDING
    view = store.get_with_history(signed.proposal.dealer_id, signed.proposal.id)
    [anomaly] = view.deposit_anomalies
    assert anomaly.reason.value == "amount_mismatch" and anomaly.settled_at is None
    assert payment_webhook.receive(payload, signature).outcome == Outcome.DUPLICATE

    with pytest.raises(Forbidden):
        deposits.settle_anomaly(garage.dealer.id, signed.proposal.id, anomaly.id,
                                AnomalySettlement(note="Remboursé"), by=staff(garage, garage.seller))
    settled = deposits.settle_anomaly(garage.dealer.id, signed.proposal.id, anomaly.id,
                                      AnomalySettlement(note="Remboursé depuis Stripe"), by=staff(garage, garage.admin))
    [done] = settled.deposit_anomalies
    assert (done.settled_by, done.settlement_note) == (garage.admin.id, "Remboursé depuis Stripe")
    before = side.snapshot(memory)
    with pytest.raises(AlreadySettled):
        deposits.settle_anomaly(garage.dealer.id, signed.proposal.id, anomaly.id,
                                AnomalySettlement(note="Encore"), by=staff(garage, garage.admin))
    assert memory.items == before


def test_an_expired_checkout_makes_the_acompte_payable_again(memory, signed):
    checkout(signed)
    payload, signature = side.webhook_event(signed, kind="checkout.session.expired", event_id="evt_expired",
                                            session_id=session_of(signed), status="unpaid")
    assert payment_webhook.receive(payload, signature).outcome == Outcome.CHECKOUT_CLOSED
    assert side.stored(signed).deposit_payment.status == DepositStatus.NONE
    assert payment_webhook.receive(payload, signature).outcome == Outcome.IGNORED
