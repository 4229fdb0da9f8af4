"""Validity dates are days in France; stored times are UTC."""
from datetime import date, datetime, timezone

from chalicelib.domain import local_time


def test_a_validity_day_ends_at_midnight_in_paris_in_winter_and_in_summer():
    assert local_time.end_of_day(date(2026, 12, 24)) == datetime(2026, 12, 24, 23, 0, tzinfo=timezone.utc)
    assert local_time.end_of_day(date(2026, 7, 14)) == datetime(2026, 7, 14, 22, 0, tzinfo=timezone.utc)


def test_late_evening_utc_is_already_tomorrow_in_paris():
    assert local_time.paris_date(datetime(2026, 7, 14, 22, 30, tzinfo=timezone.utc)) == date(2026, 7, 15)
    assert local_time.paris_date(datetime(2026, 12, 24, 22, 30, tzinfo=timezone.utc)) == date(2026, 12, 24)


def test_summer_time_starts_and_ends_on_the_last_sundays_of_march_and_october():
    assert local_time.paris_offset(datetime(2026, 3, 29, 0, 59, tzinfo=timezone.utc)).seconds == 3600
    assert local_time.paris_offset(datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc)).seconds == 7200
    assert local_time.paris_offset(datetime(2026, 10, 25, 0, 59, tzinfo=timezone.utc)).seconds == 7200
    assert local_time.paris_offset(datetime(2026, 10, 25, 1, 0, tzinfo=timezone.utc)).seconds == 3600


def test_moments_read_in_paris_time():
    assert local_time.format_moment(datetime(2026, 11, 24, 9, 5, tzinfo=timezone.utc)) == "24/11/2026 à 10:05"
