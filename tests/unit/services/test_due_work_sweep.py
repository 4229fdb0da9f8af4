"""Due work on the in-memory table: a sweep hands each due item to its kind's handler once; a handler
that fails, or whose write finds the item changed, leaves it to come back when the claim's lease ends."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import clock
from chalicelib.services import due_work
from chalicelib.store import due, keys
from chalicelib.store.table import Put
from chalicelib.store.unit_of_work import commit
from tests.support import at

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


def milestone(n: int, when: datetime = NOW, name: str = "test_reminder") -> dict:
    key = {keys.PK: "DEALER#D1", keys.SK: f"ORDER#O{n}#MILESTONE#{name}"}
    commit(Put(key, {"milestone": name, **keys.due_attributes(due_work.MILESTONE, key, when)}))
    return key


@pytest.fixture
def handled(memory, monkeypatch) -> list[str]:
    seen: list[str] = []

    def handle(claimed: due.Claimed) -> None:
        seen.append(claimed.key[keys.SK])
        commit(due.finished(claimed, done_at=keys.iso(clock.now())))

    monkeypatch.setitem(due_work._milestone_handlers, "test_reminder", handle)
    at(NOW)
    return seen


def test_a_due_milestone_reaches_its_handler_once(handled, memory):
    key = milestone(1)
    milestone(2, when=NOW + timedelta(days=1))
    assert [due_work.sweep_milestones(), due_work.sweep_milestones()] == [1, 0]
    assert handled == [key[keys.SK]]
    item = memory.items[(key[keys.PK], key[keys.SK])]
    assert item["done_at"] and keys.DUE_PK not in item


def test_work_whose_handler_fails_comes_back_after_the_lease_and_the_sweep_goes_on(memory, monkeypatch):
    calls: list[str] = []

    def fails(claimed: due.Claimed) -> None:
        calls.append(claimed.claim)
        raise RuntimeError("provider down")

    monkeypatch.setitem(due_work._milestone_handlers, "test_reminder", fails)
    at(NOW)
    milestone(1)
    milestone(2)
    assert due_work.sweep_milestones() == 2
    at(NOW + due.LEASE - timedelta(seconds=1))
    assert due_work.sweep_milestones() == 0
    at(NOW + due.LEASE)
    assert due_work.sweep_milestones() == 2
    assert len(calls) == 4 and len(set(calls)) == 4


def test_a_milestone_without_a_handler_stays_claimed(memory):
    at(NOW)
    key = milestone(1, name="nobody_handles_this")
    assert due_work.sweep_milestones() == 1
    assert memory.items[(key[keys.PK], key[keys.SK])][keys.DUE_AT] == keys.iso(NOW + due.LEASE)
