"""The expire-proposals and sweep-links schedules on the in-memory table: each due item is acted on
once, however many sweeps run, and work that is not due yet is put back for later."""
import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import clock
from chalicelib.domain.outbox import Channel
from chalicelib.domain.proposals.model import EventKind, Proposal, ProposalLink
from chalicelib.domain.proposals.status import ProposalStatus
from chalicelib.services import proposal_expiry
from chalicelib.store import due, keys
from chalicelib.store import proposals as store
from chalicelib.store.table import Update
from chalicelib.store.unit_of_work import commit
from tests import samples
from tests.support import Tenant, at, tenant

NOW = datetime(2026, 11, 24, 9, 15, tzinfo=timezone.utc)


@pytest.fixture
def garage(memory) -> Tenant:
    at(NOW)
    return tenant()


def proposal_of(garage: Tenant, number: int = 1, sent: bool = True) -> Proposal:
    """A proposal of this garage's seller, sent to Marie unless `sent` is False, stored."""
    draft = samples.proposal().model_copy(update={
        "id": f"P{number}", "reference": f"P2026-{number:05d}", "dealer_id": garage.dealer.id,
        "seller_id": garage.seller.id,
    })
    proposal = draft.sent(samples.TO_MARIE, True, NOW) if sent else draft
    store.create(proposal, [])
    return proposal


def stored(proposal: Proposal) -> Proposal:
    return store.get(proposal.dealer_id, proposal.id)


def kinds(proposal: Proposal) -> list[EventKind]:
    return [event.kind for event in store.get_with_history(proposal.dealer_id, proposal.id).history]


def queued_for(memory, address: str) -> list[dict]:
    return [item for item in memory.items.values()
            if item[keys.SK].startswith("OUTBOX#") and item.get("to") == address]


def test_a_sent_proposal_past_its_validity_expires_with_its_event_and_the_sellers_email(garage, memory):
    proposal = proposal_of(garage)
    at(proposal.expires_at - timedelta(minutes=1))
    assert proposal_expiry.expire_due() == 0
    at(proposal.expires_at + timedelta(minutes=1))
    assert proposal_expiry.expire_due() == 1
    expired = stored(proposal)
    assert (expired.status, expired.expired_at) == (ProposalStatus.EXPIRED, proposal.expires_at + timedelta(minutes=1))
    assert kinds(expired) == [EventKind.EXPIRED]
    [event] = store.get_with_history(proposal.dealer_id, proposal.id).history
    assert event.by == "system" and event.details["from"] == "sent"
    assert event.details["seller_told"] == "alerte envoyée à Victor Vendeur (e-mail)"
    [email] = queued_for(memory, garage.seller.email)
    assert email["channel"] == Channel.EMAIL and email["purpose"] == "proposal_expired"
    assert keys.DUE_PK not in memory.items[tuple(keys.proposal(proposal.dealer_id, proposal.id).values())]


def test_a_draft_never_sent_expires_too(garage):
    proposal = proposal_of(garage, sent=False)
    at(proposal.expires_at + timedelta(minutes=1))
    assert proposal_expiry.expire_due() == 1
    assert stored(proposal).status == ProposalStatus.EXPIRED


def test_the_same_event_delivered_twice_expires_each_proposal_once(garage, memory):
    proposals = [proposal_of(garage, n) for n in range(1, 4)]
    at(proposals[0].expires_at + timedelta(minutes=1))
    assert [proposal_expiry.expire_due(), proposal_expiry.expire_due()] == [3, 0]
    assert [kinds(p) for p in proposals] == [[EventKind.EXPIRED]] * 3
    assert len(queued_for(memory, garage.seller.email)) == 3


def test_of_two_sweeps_at_once_only_one_claims_each_proposal(garage, memory, monkeypatch):
    proposals = [proposal_of(garage, n) for n in range(1, 4)]
    at(proposals[0].expires_at + timedelta(minutes=1))
    read_by_the_other_sweep = list(due.due(store.EXPIRY, clock.now()))
    assert proposal_expiry.expire_due() == 3
    monkeypatch.setattr(due, "due", lambda kind, now: iter(read_by_the_other_sweep))
    assert proposal_expiry.expire_due() == 0
    assert [kinds(p) for p in proposals] == [[EventKind.EXPIRED]] * 3
    assert len(queued_for(memory, garage.seller.email)) == 3


def test_a_proposal_due_before_its_validity_ends_is_postponed_to_its_end(garage, memory):
    """E.g. an index entry older than an edit that extended the validity: it comes back at the new end."""
    proposal = proposal_of(garage)
    key = keys.proposal(proposal.dealer_id, proposal.id)
    commit(Update(key, set=keys.due_attributes(store.EXPIRY, key, NOW + timedelta(hours=1))))
    at(NOW + timedelta(hours=2))
    assert proposal_expiry.expire_due() == 1
    assert stored(proposal).status == ProposalStatus.SENT and kinds(proposal) == []
    assert memory.items[(key[keys.PK], key[keys.SK])][keys.DUE_AT] == keys.iso(proposal.expires_at)
    assert proposal_expiry.expire_due() == 0
    at(proposal.expires_at)
    assert proposal_expiry.expire_due() == 1
    assert stored(proposal).status == ProposalStatus.EXPIRED


def test_a_proposal_signed_after_the_claim_is_left_signed(garage, memory, monkeypatch):
    proposal = proposal_of(garage)
    claim = due.claim

    def claim_then_the_customer_signs(item, now):
        claimed = claim(item, now)
        commit(store.transition(stored(proposal), ProposalStatus.ACCEPTED, now, expect_version=1))
        return claimed

    monkeypatch.setattr(due, "claim", claim_then_the_customer_signs)
    at(proposal.expires_at + timedelta(minutes=1))
    assert proposal_expiry.expire_due() == 1
    assert stored(proposal).status == ProposalStatus.ACCEPTED
    assert kinds(proposal) == [] and queued_for(memory, garage.seller.email) == []


def test_a_proposal_already_at_its_end_only_leaves_the_index(garage, memory):
    proposal = proposal_of(garage)
    key = keys.proposal(proposal.dealer_id, proposal.id)
    commit(Update(key, set={"status": ProposalStatus.ACCEPTED.value}))  # an end reached without leaving the index
    before = {k: v for k, v in memory.items[(key[keys.PK], key[keys.SK])].items() if k not in keys.DUE_ATTRIBUTES}
    at(proposal.expires_at + timedelta(minutes=1))
    assert proposal_expiry.expire_due() == 1
    assert memory.items[(key[keys.PK], key[keys.SK])] == before
    assert kinds(proposal) == []


# --- sweep-links -----------------------------------------------------------------------------

def link_of(proposal: Proposal, number: int = 1) -> str:
    token_hash = hashlib.sha256(f"token-{proposal.id}-{number}".encode()).hexdigest()
    commit(store.new_link(token_hash, ProposalLink(
        dealer_id=proposal.dealer_id, proposal_id=proposal.id, proposal_version=proposal.version, purpose="send",
        recipient="marie@example.com", issued_at=NOW, expires_at=NOW + timedelta(hours=24),
        ttl=int((NOW + timedelta(days=60)).timestamp()),
    )))
    return token_hash


def test_an_expired_link_is_recorded_once_and_kept_for_a_new_link(garage, memory):
    proposal = proposal_of(garage)
    token_hash = link_of(proposal)
    at(NOW + timedelta(hours=23, minutes=59))
    assert proposal_expiry.sweep_links() == 0
    at(NOW + timedelta(hours=24, minutes=10))
    assert [proposal_expiry.sweep_links(), proposal_expiry.sweep_links()] == [1, 0]
    [expired] = store.get_with_history(proposal.dealer_id, proposal.id).history
    assert (expired.kind, expired.by, expired.at) == (EventKind.LINK_EXPIRED, "system", NOW + timedelta(hours=24))
    assert expired.details == {"purpose": "send", "to": "marie@example.com", "issued_at": NOW.isoformat(),
                               "version": 1}
    kept = memory.items[tuple(keys.link(token_hash).values())]
    assert kept["proposal_id"] == proposal.id and keys.DUE_PK not in kept


def test_a_link_swept_early_is_put_back_until_it_expires(garage, memory):
    proposal = proposal_of(garage)
    token_hash = link_of(proposal)
    key = keys.link(token_hash)
    commit(Update(key, set=keys.due_attributes(store.LINK_EXPIRY, key, NOW + timedelta(hours=1))))
    at(NOW + timedelta(hours=2))
    assert proposal_expiry.sweep_links() == 1
    assert kinds(proposal) == []
    assert memory.items[(key[keys.PK], key[keys.SK])][keys.DUE_AT] == keys.iso(NOW + timedelta(hours=24))


def test_a_link_of_an_accepted_proposal_expires_without_a_history_entry(garage):
    proposal = proposal_of(garage)
    link_of(proposal)
    commit(store.transition(proposal, ProposalStatus.ACCEPTED, NOW + timedelta(hours=1)))
    at(NOW + timedelta(days=2))
    assert proposal_expiry.sweep_links() == 1
    assert kinds(proposal) == []


def test_of_two_link_sweeps_at_once_only_one_records_each_link(garage, monkeypatch):
    proposals = [proposal_of(garage, n) for n in range(1, 4)]
    for proposal in proposals:
        link_of(proposal)
    at(NOW + timedelta(days=2))
    read_by_the_other_sweep = list(due.due(store.LINK_EXPIRY, clock.now()))
    assert proposal_expiry.sweep_links() == 3
    monkeypatch.setattr(due, "due", lambda kind, now: iter(read_by_the_other_sweep))
    assert proposal_expiry.sweep_links() == 0
    assert [kinds(p) for p in proposals] == [[EventKind.LINK_EXPIRED]] * 3
