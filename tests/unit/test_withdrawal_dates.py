"""Withdrawal end dates as art. L221-19 du Code de la consommation counts them."""
from datetime import date

import pytest

from chalicelib.domain.withdrawal_dates import departement_of, ends_on, last_day, public_holidays


def test_a_period_ending_on_a_saturday_runs_to_the_monday():
    assert ends_on(date(2026, 3, 7), 14) == date(2026, 3, 23)


def test_a_period_ending_on_the_first_of_may_runs_past_the_weekend_to_the_monday():
    assert ends_on(date(2026, 4, 17), 14) == date(2026, 5, 4)


def test_a_period_ending_on_a_working_day_ends_that_day():
    assert ends_on(date(2026, 11, 24), 14) == date(2026, 12, 8)
    assert ends_on(date(2026, 11, 24), 30) == date(2026, 12, 24)


def test_the_insurance_period_is_extended_too():
    # 30 days after 2026-11-25 is Friday 25 December: Christmas, then the weekend.
    assert ends_on(date(2026, 11, 25), 30) == date(2026, 12, 28)


@pytest.mark.parametrize("departement", ["57", "67", "68"])
def test_alsace_moselle_also_rests_on_good_friday_and_the_26th_of_december(departement):
    assert ends_on(date(2026, 3, 20), 14, departement) == date(2026, 4, 7)  # Good Friday, weekend, Easter Monday
    assert last_day(date(2025, 12, 26), departement) == date(2025, 12, 29)
    assert last_day(date(2025, 12, 26)) == date(2025, 12, 26)  # elsewhere a working day
    assert ends_on(date(2026, 3, 20), 14, "69") == date(2026, 4, 3)


def test_overseas_departements_have_their_own_holidays():
    # Abolition of slavery: 27 May in Guadeloupe, 22 May in Martinique.
    assert date(2026, 5, 27) in public_holidays(2026, "971")
    assert date(2026, 5, 27) not in public_holidays(2026, "75")


def test_national_holidays_are_known_for_any_year():
    assert {date(2027, 7, 14), date(2027, 11, 11), date(2027, 5, 17)} <= public_holidays(2027)  # Pentecost Monday


@pytest.mark.parametrize("postal_code, departement", [
    ("69003", "69"), ("67000", "67"), ("57000", "57"), ("97400", "974"), ("97110", "971"), (" 75 001", "75"),
    (None, None), ("", None), ("1234", None), ("B-1000", None),
])
def test_the_departement_is_read_from_the_postal_code(postal_code, departement):
    assert departement_of(postal_code) == departement
