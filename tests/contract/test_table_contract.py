"""The table contract: the same cases on the in-memory table, DynamoDB Local and moto; domain errors, never
botocore's."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import AlreadyExists, InvalidTransition, NotFound, StaleVersion
from chalicelib.store import due, keys
from chalicelib.store.table import (
    Check, Condition, Delete, Put, Update, all_of, if_absent, if_exists, if_status, if_version, table,
)
from chalicelib.store.unit_of_work import UnitOfWork, commit

pytestmark = pytest.mark.usefixtures("any_dynamodb")
KEY = {keys.PK: "DEALER#D1", keys.SK: "THING#1"}
OTHER = {keys.PK: "DEALER#D1", keys.SK: "THING#2"}
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


def test_create_if_absent_refuses_a_second_create_and_keeps_the_first():
    table.write(Put(KEY, {"status": "draft", "version": 1}, if_absent()))
    with pytest.raises(AlreadyExists):
        table.write(Put(KEY, {"status": "sent", "version": 1}, if_absent()))
    assert table.get(KEY)["status"] == "draft"


def test_a_stale_version_is_refused():
    table.write(Put(KEY, {"status": "draft", "version": 2}, if_absent()))
    with pytest.raises(StaleVersion):
        table.write(Put(KEY, {"status": "sent", "version": 2}, if_version(1)))
    table.write(Put(KEY, {"status": "sent", "version": 3}, if_version(2)))
    assert table.get(KEY)["version"] == 3


def test_a_transition_from_the_wrong_status_is_refused():
    table.write(Put(KEY, {"status": "accepted", "version": 1}, if_absent()))
    with pytest.raises(InvalidTransition):
        table.write(Update(KEY, set={"status": "declined"}, condition=if_status("sent", "viewed")))
    assert table.get(KEY)["status"] == "accepted"


def test_a_transition_of_a_missing_item_is_not_found():
    with pytest.raises(NotFound):
        table.write(Update(KEY, set={"status": "sent"}, condition=if_exists()))
    assert table.get(KEY) is None


def test_a_transaction_writes_all_or_nothing_and_names_the_write_that_failed():
    table.write(Put(OTHER, {"status": "accepted", "version": 1}, if_absent()))
    with pytest.raises(InvalidTransition):
        table.transact([
            Put(KEY, {"status": "new"}, if_absent()),
            Update(OTHER, set={"status": "declined"}, condition=if_status("sent")),
        ])
    assert table.get(KEY) is None
    assert table.get(OTHER)["status"] == "accepted"


def test_a_transaction_can_carry_a_custom_error_and_checks_and_deletes():
    table.write(Put(OTHER, {"status": "sent", "version": 1}, if_absent()))
    table.transact([Put(KEY, {"n": 1}, if_absent()), Check(OTHER, if_status("sent"))])
    table.transact([Delete(KEY, if_exists())])
    assert table.get(KEY) is None
    with pytest.raises(NotFound, match="custom"):
        table.transact([Delete(KEY, if_exists(), error=NotFound("custom"))])


def test_a_query_pages_through_a_prefix_in_order():
    for n in range(7):
        table.write(Put({keys.PK: "DEALER#D1", keys.SK: f"ITEM#{n:02d}"}, {"n": n}))
    table.write(Put({keys.PK: "DEALER#D1", keys.SK: "ZZZ#other"}, {"n": 99}))
    first, after = table.query("DEALER#D1", "ITEM#", limit=4)
    second, end = table.query("DEALER#D1", "ITEM#", limit=4, start_after=after)
    assert [i["n"] for i in first + second] == list(range(7))
    assert [i["n"] for i in table.query_all("DEALER#D1", "ITEM#", newest_first=True)] == list(range(6, -1, -1))


def test_numbers_come_back_as_python_ints_and_nested_maps_survive():
    table.write(Put(KEY, {"total_cents": 1234567, "lines": [{"qty": 2, "label": "Tapis"}], "ratio": 0.5}))
    item = table.get(KEY)
    assert item["total_cents"] == 1234567 and isinstance(item["total_cents"], int)
    assert item["lines"] == [{"qty": 2, "label": "Tapis"}]
    assert item["ratio"] == 0.5


def _due_item(n: int, at: datetime) -> dict:
    key = {keys.PK: "DEALER#D1", keys.SK: f"JOB#{n:03d}"}
    return {**key, **keys.due_attributes("test", key, at)}


def test_a_sweep_reads_only_what_is_due():
    for n in range(5):
        table.write(Put(_due_item(n, NOW - timedelta(minutes=1)), {"n": n}))
    for n in range(5, 8):
        table.write(Put(_due_item(n, NOW + timedelta(minutes=1)), {"n": n}))
    table.write(Put({keys.PK: "DEALER#D1", keys.SK: "JOB#not-due"}, {"n": 100}))
    assert sorted(i["n"] for i in due.due("test", NOW)) == [0, 1, 2, 3, 4]


def test_finished_work_leaves_the_index_and_postponed_work_returns_later():
    table.write(Put(_due_item(1, NOW), {}))
    table.write(Put(_due_item(2, NOW), {}))
    first, second = [due.claim(i, NOW) for i in due.due("test", NOW)]
    table.write(due.finished(first, result="done"))
    table.write(due.postponed(second, "test", NOW + timedelta(hours=1), tries=1))
    assert list(due.due("test", NOW + timedelta(minutes=30))) == []
    assert [i[keys.SK] for i in due.due("test", NOW + timedelta(hours=1))] == [second.key[keys.SK]]
    assert table.get(first.key)["result"] == "done"


def test_a_lost_claim_cannot_finish_the_work():
    table.write(Put(_due_item(1, NOW), {}))
    item = next(due.due("test", NOW))
    stale = due.claim(item, NOW)
    # the lease ran out and another sweep took the item
    fresh = due.claim(next(due.due("test", NOW + timedelta(minutes=6))), NOW + timedelta(minutes=6))
    with pytest.raises(InvalidTransition):
        table.write(due.finished(stale, result="late"))
    table.write(due.finished(fresh, result="done"))
    assert table.get(stale.key)["result"] == "done"


def test_a_query_limit_counts_items_before_the_filter():
    for n in range(6):
        table.write(Put({keys.PK: "DEALER#D1", keys.SK: f"ITEM#{n:02d}"}, {"status": "open" if n % 2 else "closed"}))
    only_open = Condition("#st = :st", {"#st": "status"}, {":st": "open"})
    page, after = table.query("DEALER#D1", "ITEM#", limit=3, filter=only_open)
    assert [i[keys.SK] for i in page] == ["ITEM#01"]
    assert after is not None
    rest, _ = table.query("DEALER#D1", "ITEM#", limit=3, start_after=after, filter=only_open)
    assert [i[keys.SK] for i in rest] == ["ITEM#03", "ITEM#05"]


def test_an_index_holds_only_items_carrying_both_of_its_keys_in_sort_order():
    for n, when in enumerate(["2026-01-03", "2026-01-01", "2026-01-02"]):
        table.write(Put({keys.PK: "DEALER#D1", keys.SK: f"LISTED#{n}"},
                        {keys.LIST_PK: "LIST#D1", keys.LIST_SK: f"{when}#{n}"}))
    table.write(Put({keys.PK: "DEALER#D1", keys.SK: "HALF#1"}, {keys.LIST_PK: "LIST#D1"}))
    items, _ = table.query("LIST#D1", index=keys.LIST_INDEX, partition_attribute=keys.LIST_PK,
                           sort_attribute=keys.LIST_SK, newest_first=True)
    assert [i[keys.SK] for i in items] == ["LISTED#0", "LISTED#2", "LISTED#1"]
    first, after = table.query("LIST#D1", index=keys.LIST_INDEX, partition_attribute=keys.LIST_PK,
                               sort_attribute=keys.LIST_SK, limit=2)
    second, _ = table.query("LIST#D1", index=keys.LIST_INDEX, partition_attribute=keys.LIST_PK,
                            sort_attribute=keys.LIST_SK, limit=2, start_after=after)
    assert [i[keys.SK] for i in first + second] == ["LISTED#1", "LISTED#2", "LISTED#0"]


def test_a_query_can_stop_at_a_sort_value():
    for n in range(4):
        table.write(Put({keys.PK: "DEALER#D1", keys.SK: f"T#{n}"}, {}))
    assert [i[keys.SK] for i in table.query_all("DEALER#D1", sort_at_most="T#1")] == ["T#0", "T#1"]


def test_an_update_sets_adds_and_removes_and_answers_the_item_as_written():
    table.write(Put(KEY, {"count": 1, "note": "x", "deposit": {"status": "pending"}}))
    written = table.write(Update(KEY, set={"status": "sent"}, add={"count": 2}, remove=("note",),
                                 condition=Condition("#d.#s = :s", {"#d": "deposit", "#s": "status"},
                                                     {":s": "pending"})))
    assert written == {**KEY, "count": 3, "status": "sent", "deposit": {"status": "pending"}}
    with pytest.raises(AlreadyExists):  # what _failure names a failed attribute_not_exists
        table.write(Update(KEY, set={"status": "x"}, condition=Condition(
            "attribute_not_exists(#d) OR #d.#s <> :s", {"#d": "deposit", "#s": "status"}, {":s": "pending"})))


def test_a_transaction_refuses_two_writes_to_one_item_and_writes_nothing():
    with pytest.raises(Exception):
        table.transact([Put(KEY, {"n": 1}), Update(KEY, set={"n": 2}), Put(OTHER, {"n": 3})])
    assert table.get(KEY) is None and table.get(OTHER) is None


def test_conditions_that_give_one_placeholder_two_meanings_are_refused_before_any_write():
    with pytest.raises(ValueError):
        all_of(Condition("#a = :v", {"#a": "status"}, {":v": "sent"}),
               Condition("#a = :v", {"#a": "version"}, {":v": 2}))
    assert all_of(if_status("sent"), if_version(2)).values == {":status0": "sent", ":expected_version": 2}


def test_a_unit_of_work_commits_one_item_alone_and_several_at_once():
    commit(Put(KEY, {"status": "draft"}, if_absent()))
    with pytest.raises(InvalidTransition):
        UnitOfWork(Put(OTHER, {"n": 1}, if_absent()), Update(KEY, set={"status": "x"},
                                                              condition=if_status("sent"))).commit()
    assert table.get(OTHER) is None
    UnitOfWork().add(Put(OTHER, {"n": 1}, if_absent()), [Update(KEY, set={"status": "sent"},
                                                                condition=if_status("draft"))]).commit()
    assert table.get(KEY)["status"] == "sent" and table.get(OTHER)["n"] == 1
