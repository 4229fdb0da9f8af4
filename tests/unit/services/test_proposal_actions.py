"""The seller's actions on a proposal, on the in-memory table: create, send, remind, edit, withdraw.
Each is one unit of work (the proposal, its history event, its link and its email together); what is
refused writes nothing."""
from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain import evidence
from chalicelib.domain.dealers import DealerSettingsChange
from chalicelib.domain.errors import Conflict, InvalidInput, InvalidTransition, RemoteSellingDisabled
from chalicelib.domain.outbox import Channel
from chalicelib.domain.proposals.commands import NewProposal, ProposalChange, RemindProposal, SendProposal
from chalicelib.domain.proposals.model import EventKind
from chalicelib.domain.proposals.status import ProposalStatus
from chalicelib.domain.templates import TemplateKind
from chalicelib.services import dealers, proposals
from chalicelib.store import keys
from chalicelib.store import dealers as dealers_store
from chalicelib.store import portal as portal_store
from chalicelib.store import proposals as store
from chalicelib.store.unit_of_work import commit
from tests import desk
from tests.desk import admin, command, seller
from tests.offers import SELLER_BLOCK, with_legal
from tests.support import Tenant, at, tenant

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def garage(memory) -> Tenant:
    at(NOW)
    return with_legal(tenant())


def draft(garage: Tenant, **quote_fields):
    quote = desk.quote(garage, **quote_fields)
    return proposals.create(garage.dealer.id, command(NewProposal, quote_id=quote.id, seller=SELLER_BLOCK),
                            by=seller(garage)).proposal


def sent(garage: Tenant, **send):
    proposal = draft(garage)
    return proposals.send(garage.dealer.id, proposal.id, command(SendProposal, **send), by=seller(garage)).proposal


def history(garage: Tenant, proposal_id: str) -> list[EventKind]:
    """The kinds of the proposal's events (sorted: events of the same instant have no order)."""
    return sorted(event.kind for event in proposals.get(garage.dealer.id, proposal_id).history)


def emails(memory) -> list[dict]:
    return [item for item in memory.items.values()
            if item[keys.SK].startswith("OUTBOX#") and item["channel"] == Channel.EMAIL]


def links(memory) -> list[dict]:
    return [item for item in memory.items.values() if item[keys.PK].startswith("LINK#")]


def everything(memory) -> dict:
    return {key: dict(item) for key, item in memory.items.items()}


# --- creating ---------------------------------------------------------------------------------

def test_a_proposal_is_a_numbered_draft_of_the_quote_and_its_seller_block_becomes_the_profile(garage):
    proposal = draft(garage)
    assert (proposal.reference, proposal.status, proposal.version) == ("P2026-00001", ProposalStatus.DRAFT, 1)
    assert history(garage, proposal.id) == [EventKind.CREATED]
    assert dealers.get_profile(garage.dealer.id, garage.seller.id).display_name == "Victor Vendeur"


def test_no_proposal_without_the_dealers_legal_information_nor_the_remote_selling_option(memory):
    at(NOW)
    garage = tenant()
    quote = desk.quote(garage)
    with pytest.raises(InvalidInput):
        proposals.create(garage.dealer.id, command(NewProposal, quote_id=quote.id, seller=SELLER_BLOCK),
                         by=seller(garage))
    dealers.change_settings(garage.dealer.id, DealerSettingsChange(remote_selling=False), by=admin(garage))
    with pytest.raises(RemoteSellingDisabled):
        proposals.create(garage.dealer.id, command(NewProposal, quote_id=quote.id, seller=SELLER_BLOCK),
                         by=seller(garage))
    assert not [i for i in memory.items.values() if i[keys.SK].startswith("PROPOSAL#")]


def test_no_proposal_of_an_expired_quote_nor_without_a_seller_block(garage, memory):
    expired = desk.quote(garage, valid_until="2026-03-03")
    at(NOW + timedelta(days=2))
    with pytest.raises(InvalidInput) as refused:
        proposals.create(garage.dealer.id, command(NewProposal, quote_id=expired.id, seller=SELLER_BLOCK),
                         by=seller(garage))
    assert refused.value.fields == {"valid_until": "expired"}
    quote = desk.quote(garage)
    with pytest.raises(InvalidInput) as refused:
        proposals.create(garage.dealer.id, command(NewProposal, quote_id=quote.id), by=seller(garage))
    assert refused.value.fields == {"seller": "no seller profile yet"}
    assert not [i for i in memory.items.values() if i[keys.SK].startswith("PROPOSAL#")]


# --- sending ----------------------------------------------------------------------------------

def test_sending_emails_the_customer_a_link_and_schedules_the_reminders(garage, memory):
    proposal = sent(garage, note="À bientôt")
    assert (proposal.status, proposal.sent_at, proposal.recipient.email) == (ProposalStatus.SENT, NOW,
                                                                              "marie@example.com")
    [email] = emails(memory)
    assert (email["to"], email["template"], email["variables"]["note"]) == ("marie@example.com",
                                                                            TemplateKind.SEND, "À bientôt")
    assert len(links(memory)) == 1 and history(garage, proposal.id) == sorted([EventKind.CREATED, EventKind.EMAIL_SENT])
    assert tuple(keys.proposal_reminder(garage.dealer.id, proposal.id).values()) in memory.items


def test_a_proposal_goes_to_another_contact_of_the_account_only(garage, memory):
    account = desk.customer(garage)
    proposal = draft(garage, account=account)
    before = everything(memory)
    with pytest.raises(InvalidInput) as refused:
        proposals.send(garage.dealer.id, proposal.id, command(SendProposal, recipient_contact_id="nobody"),
                       by=seller(garage))
    assert refused.value.fields == {"recipient_contact_id": "not a contact of this account"}
    assert everything(memory) == before
    paul = account.contacts[1]
    to_paul = proposals.send(garage.dealer.id, proposal.id, command(SendProposal, recipient_contact_id=paul.id),
                             by=seller(garage)).proposal
    assert to_paul.recipient.email == "paul@example.com" == emails(memory)[0]["to"]


def test_e_signature_is_not_requested_when_the_dealer_has_not_enabled_it(garage, memory):
    dealers.change_settings(garage.dealer.id, DealerSettingsChange(e_signature=False), by=admin(garage))
    proposal = draft(garage)
    before = everything(memory)
    with pytest.raises(InvalidInput) as refused:
        proposals.send(garage.dealer.id, proposal.id, command(SendProposal, request_signature=True),
                       by=seller(garage))
    assert refused.value.fields == {"request_signature": "e-signature disabled"}
    assert everything(memory) == before


def test_a_withdrawn_proposal_is_not_sent_again(garage, memory):
    proposal = sent(garage)
    proposals.withdraw(garage.dealer.id, proposal.id, by=seller(garage))
    before = everything(memory)
    with pytest.raises(Conflict):
        proposals.send(garage.dealer.id, proposal.id, command(SendProposal), by=seller(garage))
    assert everything(memory) == before


# --- reminding ----------------------------------------------------------------------------------

def test_a_reminder_uses_its_template_and_a_new_link_while_the_first_stays(garage, memory):
    proposal = sent(garage)
    at(NOW + timedelta(days=1))
    reminded = proposals.remind(garage.dealer.id, proposal.id, command(RemindProposal, note="Des questions ?"),
                                by=seller(garage)).proposal
    assert (reminded.reminder_count, reminded.last_reminded_at) == (1, NOW + timedelta(days=1))
    assert sorted(e["template"] for e in emails(memory)) == sorted([TemplateKind.SEND, TemplateKind.REMINDER])
    assert len(links(memory)) == 2 and EventKind.REMINDER_SENT in history(garage, proposal.id)


def test_the_send_and_each_reminder_are_events_of_the_evidence_chain_with_its_head(garage, memory):
    proposal = sent(garage, attach_pdf=True)
    at(NOW + timedelta(days=1))
    proposals.remind(garage.dealer.id, proposal.id, command(RemindProposal), by=seller(garage))
    aggregate = portal_store.read(garage.dealer.id, proposal.id, whole=True)
    assert [e.kind for e in aggregate.evidence] == [evidence.EventKind.PROPOSAL_SENT, evidence.EventKind.REMINDER_SENT]
    send, reminder = aggregate.evidence
    assert send.details["to"] == reminder.details["to"] and send.details["proposal_version"] == 1
    assert send.details["pdf_attached"] is True and send.details["document_sha256"]
    assert reminder.details["automatic"] is False and reminder.at == NOW + timedelta(days=1)
    assert (aggregate.proposal.evidence_seq, aggregate.proposal.evidence_head) == (2, reminder.hash)
    assert evidence.verify(aggregate.evidence, evidence.subject_of(garage.dealer.id, proposal.id),
                           aggregate.chain).ok


def test_a_reminder_that_lost_the_race_with_a_customer_s_event_writes_nothing(garage, memory):
    proposal = sent(garage)
    reminder = proposals.reminder_of(dealers_store.get(garage.dealer.id), proposals.get(
        garage.dealer.id, proposal.id).proposal, command(RemindProposal), NOW, by=seller(garage).user_id)
    moved = proposals.get(garage.dealer.id, proposal.id).proposal
    chain, proof = evidence.append(portal_store.Aggregate(moved).chain, evidence.EventKind.LINK_OPENED, NOW)
    commit(portal_store.proposal_change(moved, moved.evidenced(chain.seq, chain.head_hash)),
           portal_store.evidence(moved, proof))
    before = everything(memory)
    with pytest.raises(Conflict):
        reminder.committed(moved).commit()
    assert everything(memory) == before


def test_a_draft_is_sent_before_it_is_reminded(garage, memory):
    proposal = draft(garage)
    before = everything(memory)
    with pytest.raises(InvalidTransition):
        proposals.remind(garage.dealer.id, proposal.id, command(RemindProposal), by=seller(garage))
    assert everything(memory) == before


def test_a_proposal_past_its_validity_is_not_reminded(garage, memory):
    proposal = sent(garage)
    at(datetime.combine(proposal.valid_until + timedelta(days=1), datetime.min.time(), timezone.utc)
       + timedelta(hours=12))
    before = everything(memory)
    with pytest.raises(InvalidTransition):
        proposals.remind(garage.dealer.id, proposal.id, command(RemindProposal), by=seller(garage))
    assert everything(memory) == before


# --- editing ------------------------------------------------------------------------------------

def test_after_sending_the_customers_email_changes_in_a_new_version(garage):
    proposal = sent(garage)
    edited = proposals.edit(garage.dealer.id, proposal.id, command(ProposalChange, email="marie.d@example.com"),
                            by=seller(garage)).proposal
    assert (edited.version, edited.customer.email, edited.recipient.email) == (2, "marie.d@example.com",
                                                                              "marie.d@example.com")
    assert EventKind.EDITED in history(garage, proposal.id)


def test_after_sending_the_lines_no_longer_change(garage, memory):
    proposal = sent(garage)
    before = everything(memory)
    with pytest.raises(Conflict):
        proposals.edit(garage.dealer.id, proposal.id, command(ProposalChange, first_name="Maria"), by=seller(garage))
    assert everything(memory) == before


def test_a_draft_validity_is_not_moved_to_the_past(garage, memory):
    proposal = draft(garage)
    before = everything(memory)
    with pytest.raises(InvalidInput) as refused:
        proposals.edit(garage.dealer.id, proposal.id, command(ProposalChange, valid_until=date(2026, 3, 1)),
                       by=seller(garage))
    assert refused.value.fields == {"valid_until": "in the past"}
    assert everything(memory) == before


# --- withdrawing --------------------------------------------------------------------------------

def test_a_withdrawn_proposal_leaves_the_due_index_and_says_so_in_its_history(garage, memory):
    proposal = sent(garage)
    withdrawn = proposals.withdraw(garage.dealer.id, proposal.id, by=seller(garage)).proposal
    assert withdrawn.status == ProposalStatus.WITHDRAWN
    assert store.get(garage.dealer.id, proposal.id).status == ProposalStatus.WITHDRAWN
    assert keys.DUE_PK not in memory.items[tuple(keys.proposal(garage.dealer.id, proposal.id).values())]
    assert EventKind.WITHDRAWN in history(garage, proposal.id)


def test_a_proposal_is_withdrawn_once(garage, memory):
    proposal = sent(garage)
    proposals.withdraw(garage.dealer.id, proposal.id, by=seller(garage))
    before = everything(memory)
    with pytest.raises(Conflict):
        proposals.withdraw(garage.dealer.id, proposal.id, by=seller(garage))
    assert everything(memory) == before
