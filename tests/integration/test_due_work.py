"""Due work: each item handled once, by the handler of its kind, retried when a handler fails."""
from datetime import datetime, timedelta, timezone

import pytest

import app as application
from chalicelib.domain import clock
from chalicelib.services import due_work
from chalicelib.store import due, keys
from chalicelib.store.table import Put, table
from local.client import Client
from tests.support import at_once

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
pytestmark = pytest.mark.usefixtures("aws")


def milestone(n: int, name: str = "test_reminder", at: datetime = NOW) -> dict:
    key = {keys.PK: "DEALER#D1", keys.SK: f"ORDER#O{n}#MILESTONE#{name}"}
    table.write(Put(key, {"milestone": name, **keys.due_attributes(due_work.MILESTONE, key, at)}))
    return key


@pytest.fixture
def handled(monkeypatch):
    """A milestone handler that records what it handled and ends the work."""
    seen = []

    def handle(claimed):
        seen.append(claimed.key[keys.SK])
        table.write(due.finished(claimed, done_at=keys.iso(clock.now())))

    monkeypatch.setitem(due_work._milestone_handlers, "test_reminder", handle)
    clock.set_source(lambda: NOW)
    return seen


def test_a_milestone_reaches_the_handler_of_its_kind_once(handled):
    key = milestone(1)
    milestone(2, at=NOW + timedelta(days=1))
    assert due_work.sweep_milestones() == 1
    assert due_work.sweep_milestones() == 0
    assert handled == [key[keys.SK]]
    assert table.get(key)["done_at"]


def test_the_same_scheduled_event_delivered_twice_handles_each_item_once(handled):
    for n in range(5):
        milestone(n)
    event = None
    with Client(application.app) as client:
        event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event",
                                                detail={}, resources=[])
        first = client.lambda_.invoke("order-milestones", event).payload
        second = client.lambda_.invoke("order-milestones", event).payload
    assert (first, second) == ({"handled": 5}, {"handled": 0})
    assert len(handled) == 5


def test_two_sweeps_at_once_handle_each_item_once(handled):
    for n in range(20):
        milestone(n)
    assert sum(at_once(due_work.sweep_milestones)) == 20
    assert sorted(handled) == sorted(set(handled)) and len(handled) == 20


def test_a_failing_handler_leaves_the_item_for_a_later_sweep(handled, monkeypatch):
    key = milestone(1)

    def crash(claimed):
        raise RuntimeError("downstream unavailable")

    monkeypatch.setitem(due_work._milestone_handlers, "test_reminder", crash)
    assert due_work.sweep_milestones() == 1
    assert table.get(key).get("done_at") is None
    monkeypatch.undo()
    monkeypatch.setitem(due_work._milestone_handlers, "test_reminder",
                        lambda claimed: table.write(due.finished(claimed, done_at="later")))
    clock.set_source(lambda: NOW + due.LEASE + timedelta(seconds=1))
    assert due_work.sweep_milestones() == 1
    assert table.get(key)["done_at"] == "later"


def test_a_milestone_without_a_handler_is_not_lost(handled):
    key = milestone(1, name="unknown_kind")
    assert due_work.sweep_milestones() == 1
    assert keys.DUE_PK in table.get(key)


def test_two_concurrent_claims_of_one_item_have_one_winner():
    # On DynamoDB Local only: moto's server does not serialize conditional writes across threads.
    milestone(1)
    item = next(due.due(due_work.MILESTONE, NOW))
    results = at_once(lambda: due.claim(item, NOW), times=4)
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
