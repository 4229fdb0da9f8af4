"""Money is integer cents (euros); rates are integer basis points (20 % = 2000).

Rounding rule, written once: a product of cents and a rate is rounded half up to the
cent (0.5 cent goes up), per line. Totals are sums of rounded line amounts, never
rounded again.
"""
from decimal import Decimal

NBSP = "\u00a0"  # keeps "12 345,67 €" on one line, in PDFs and emails alike
BASIS_POINTS = 10_000


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest integer, halves away from zero."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder * 2 >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def apply_rate(cents: int, rate_bp: int) -> int:
    """cents × rate, rounded half up to the cent (e.g. the VAT of a line)."""
    return round_half_up(cents * rate_bp, BASIS_POINTS)


def percent_to_bp(percent: Decimal) -> int:
    """20 → 2000, 5.5 → 550; at most two decimals (checked by the command)."""
    return int((percent * 100).to_integral_value())


def bp_to_percent(rate_bp: int) -> Decimal:
    return (Decimal(rate_bp) / 100).normalize()


def format_euros(cents: int) -> str:
    """French formatting: 1234567 → "12 345,67 €" (no-break spaces)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", NBSP)
    return f"{sign}{grouped},{rest:02d}{NBSP}€"


def format_rate(rate_bp: int) -> str:
    """2000 → "20 %", 550 → "5,5 %"."""
    text = format(bp_to_percent(rate_bp), "f").replace(".", ",")
    return f"{text}{NBSP}%"
