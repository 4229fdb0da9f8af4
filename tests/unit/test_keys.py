from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.outbox import MAX_ATTEMPTS, is_last_attempt, retry_delay
from chalicelib.store import keys


def test_stored_times_sort_as_strings_in_time_order():
    early = datetime(2026, 1, 1, 9, 0, 0, 5, tzinfo=timezone.utc)
    later = early + timedelta(microseconds=1)
    assert keys.iso(early) < keys.iso(later)
    assert len(keys.iso(early)) == len(keys.iso(later)) == 27


def test_a_naive_time_is_never_stored():
    with pytest.raises(ValueError):
        keys.iso(datetime(2026, 1, 1))


def test_an_item_always_lands_in_the_same_due_partition_of_its_kind():
    key = keys.outbox("D1", "M1")
    partition = keys.due_partition("outbox", key)
    assert partition == keys.due_partition("outbox", key)
    assert partition in keys.due_partitions("outbox")
    assert len(keys.due_partitions("outbox")) == keys.DUE_SHARDS


def test_a_login_email_is_unique_whatever_its_case():
    assert keys.user_email("Vendeur@Example.COM ") == keys.user_email("vendeur@example.com")


def test_retries_back_off_exponentially_then_stop():
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert not is_last_attempt(MAX_ATTEMPTS - 1)
    assert is_last_attempt(MAX_ATTEMPTS)


def test_a_cursor_s_time_and_sort_value_are_checked_against_what_the_keys_write():
    moment = datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)
    written = keys.lead_listing("D1", moment, "01HZZZZZZZZZZZZZZZZZZZZZZZ")[keys.LIST_SK]
    assert keys.is_listing_sort_value(written) and keys.is_iso(keys.iso(moment))
    assert not keys.is_listing_sort_value(f"{keys.iso(moment)}#not-a-ulid")
    assert not keys.is_iso("2026-11-24T09:30:00Z") and not keys.is_iso(None)
