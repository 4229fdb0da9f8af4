"""The automatic reminders schedule on the in-memory table: a sent proposal is reminded on the dealer's
reminder days, unless the customer heard from the seller the day before, and never once it is no
longer with the customer."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.dealers import DealerSettingsChange
from chalicelib.domain.proposals.commands import NewProposal, RemindProposal, SendProposal
from chalicelib.domain.proposals.model import EventKind
from chalicelib.domain.templates import TemplateKind
from chalicelib.domain.email_events import Fate
from chalicelib.services import dealers, email_events, proposal_reminders, proposals
from chalicelib.store import email_events as email_store
from chalicelib.store import keys
from chalicelib.store import proposals as store
from tests import desk
from tests.desk import admin, command, seller
from tests.offers import SELLER_BLOCK, with_legal
from tests.support import Tenant, at, tenant

SENT = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday, 10:00 in Paris
DAY_3, DAY_7 = SENT + timedelta(days=3), SENT + timedelta(days=7)


@pytest.fixture
def garage(memory) -> Tenant:
    at(SENT)
    return with_legal(tenant())


def sent_proposal(garage: Tenant):
    quote = desk.quote(garage)
    proposal = proposals.create(garage.dealer.id, command(NewProposal, quote_id=quote.id, seller=SELLER_BLOCK),
                                by=seller(garage)).proposal
    return proposals.send(garage.dealer.id, proposal.id, command(SendProposal), by=seller(garage)).proposal


def reminders_sent(garage: Tenant, proposal_id: str) -> list[dict]:
    return [event.details for event in store.get_with_history(garage.dealer.id, proposal_id).history
            if event.kind == EventKind.REMINDER_SENT]


def reminder_emails(memory) -> list[dict]:
    return [item for item in memory.items.values()
            if item[keys.SK].startswith("OUTBOX#") and item.get("template") == TemplateKind.REMINDER]


def schedule_of(memory, proposal) -> dict | None:
    return memory.items.get(tuple(keys.proposal_reminder(proposal.dealer_id, proposal.id).values()))


def test_a_sent_proposal_is_reminded_on_day_3_and_day_7_then_no_more(garage, memory):
    proposal = sent_proposal(garage)
    at(DAY_3 - timedelta(minutes=1))
    assert proposal_reminders.send_due() == 0
    at(DAY_3)
    assert proposal_reminders.send_due() == 1
    at(DAY_7)
    assert proposal_reminders.send_due() == 1
    assert [(r["automatic"], r["day"]) for r in reminders_sent(garage, proposal.id)] == [(True, 3), (True, 7)]
    assert len(reminder_emails(memory)) == 2
    assert schedule_of(memory, proposal) is None, "no reminder day is left"


def test_the_same_due_reminder_swept_twice_goes_out_once(garage, memory):
    proposal = sent_proposal(garage)
    at(DAY_3)
    assert [proposal_reminders.send_due(), proposal_reminders.send_due()] == [1, 0]
    assert len(reminders_sent(garage, proposal.id)) == 1


def test_no_automatic_reminder_the_day_after_the_seller_reminded_by_hand(garage, memory):
    proposal = sent_proposal(garage)
    at(DAY_3 - timedelta(hours=2))
    proposals.remind(garage.dealer.id, proposal.id, command(RemindProposal), by=seller(garage))
    at(DAY_3)
    assert proposal_reminders.send_due() == 1
    assert [r.get("automatic") for r in reminders_sent(garage, proposal.id)] == [None]
    assert schedule_of(memory, proposal)[keys.DUE_AT] == keys.iso(DAY_7), "the schedule waits for day 7"


def test_a_withdrawn_proposal_is_never_reminded_and_its_schedule_ends(garage, memory):
    proposal = sent_proposal(garage)
    proposals.withdraw(garage.dealer.id, proposal.id, by=seller(garage))
    at(DAY_3)
    assert proposal_reminders.send_due() == 1
    assert reminders_sent(garage, proposal.id) == [] and reminder_emails(memory) == []
    assert schedule_of(memory, proposal) is None


def test_no_reminder_once_the_dealer_stops_remote_selling(garage, memory):
    proposal = sent_proposal(garage)
    dealers.change_settings(garage.dealer.id, DealerSettingsChange(remote_selling=False), by=admin(garage))
    at(DAY_3)
    assert proposal_reminders.send_due() == 1
    assert reminders_sent(garage, proposal.id) == [] and schedule_of(memory, proposal) is None


def test_no_automatic_reminder_to_an_address_that_bounced_for_good_until_the_seller_confirms_it(garage, memory):
    proposal = sent_proposal(garage)
    address = proposal.recipient.email
    suppression = email_store.Suppression(email=address, fate=Fate.BOUNCED, at=SENT, outbox_id="01BOUNCE")
    memory.items[tuple(keys.suppressed_address(garage.dealer.id, address).values())] = {
        **keys.suppressed_address(garage.dealer.id, address), **suppression.model_dump(mode="json"),
        "dealer_id": garage.dealer.id}
    at(DAY_3)
    assert proposal_reminders.send_due() == 1
    assert reminders_sent(garage, proposal.id) == [] and reminder_emails(memory) == []
    assert schedule_of(memory, proposal)[keys.DUE_AT] == keys.iso(DAY_7), "the schedule moves on"
    email_events.confirm_address(garage.dealer.id, proposal.id, by=seller(garage))
    at(DAY_7)
    assert proposal_reminders.send_due() == 1
    assert [r["day"] for r in reminders_sent(garage, proposal.id)] == [7]
