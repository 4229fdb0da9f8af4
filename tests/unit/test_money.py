"""Money in integer cents, rates in basis points, French formatting, one rounding rule."""
from decimal import Decimal

import pytest

from chalicelib.domain.money import apply_rate, format_euros, format_rate, percent_to_bp, round_half_up

NBSP = "\u00a0"


@pytest.mark.parametrize("cents, shown", [
    (1_234_567, "12 345,67 €"),
    (0, "0,00 €"),
    (5, "0,05 €"),
    (100, "1,00 €"),
    (99_999_999, "999 999,99 €"),
    (123_456_789_00, "123 456 789,00 €"),
    (-1_250, "-12,50 €"),
])
def test_amounts_read_the_french_way_with_no_break_spaces(cents, shown):
    assert format_euros(cents) == shown.replace(" ", NBSP)


def test_a_half_cent_goes_up_and_less_goes_down():
    assert round_half_up(5, 10) == 1
    assert round_half_up(4, 10) == 0
    assert round_half_up(15, 10) == 2
    assert round_half_up(-15, 10) == -2


def test_vat_of_a_line_is_rounded_half_up_to_the_cent():
    assert apply_rate(1_249, 2_000) == 250  # 249.8 → 250
    assert apply_rate(1_005, 550) == 55  # 55.275 → 55
    assert apply_rate(10, 550) == 1  # 0.55 → 1
    assert apply_rate(9, 550) == 0  # 0.495 → 0
    assert apply_rate(1, 5_000) == 1  # exactly half a cent goes up


@pytest.mark.parametrize("percent, bp, shown", [
    ("20", 2_000, "20 %"), ("5.5", 550, "5,5 %"), ("0", 0, "0 %"), ("2.1", 210, "2,1 %"), ("19.6", 1_960, "19,6 %"),
])
def test_vat_rates_are_stored_as_basis_points(percent, bp, shown):
    assert percent_to_bp(Decimal(percent)) == bp
    assert format_rate(bp) == shown.replace(" ", NBSP)
