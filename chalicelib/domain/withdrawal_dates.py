"""The last day of a withdrawal period, as article L221-19 du Code de la consommation counts it.

The period runs from the day after the signature (the signature day is not counted) to the end of
its last day; "si ce délai expire un samedi, un dimanche ou un jour férié ou chômé, il est prorogé
jusqu'au premier jour ouvrable suivant" (L221-19, after EU regulation 1182/71). The same counting
applies to the insurance period of art. L112-10 du Code des assurances.

Public holidays come from the `holidays` package (France, by département): Alsace-Moselle (57, 67,
68) adds Good Friday and 26 December, overseas départements their own days. Pure: no AWS, no clock.
"""
import re
from datetime import date, timedelta
from functools import lru_cache

ALSACE_MOSELLE = frozenset({"57", "67", "68"})
# Départements whose own public holidays the `holidays` package knows (besides the national ones).
OVERSEAS = frozenset({"971", "972", "973", "974", "976"})


def departement_of(postal_code: str | None) -> str | None:
    """The département of a French postal code ("67000" → "67", "97400" → "974"); None when not one."""
    code = (postal_code or "").replace(" ", "")
    if not re.fullmatch(r"\d{5}", code):
        return None
    return code[:3] if code.startswith("97") else code[:2]


def last_day(nominal_end: date, departement: str | None = None) -> date:
    """`nominal_end` (signature day + the period's days), moved past Saturdays, Sundays and public holidays."""
    day = nominal_end
    while day.weekday() >= 5 or day in public_holidays(day.year, departement):
        day += timedelta(days=1)
    return day


def ends_on(signed_on: date, days: int, departement: str | None = None) -> date:
    """The last day to withdraw from a period of `days` days starting at the signature."""
    return last_day(signed_on + timedelta(days=days), departement)


@lru_cache(maxsize=64)
def public_holidays(year: int, departement: str | None = None) -> frozenset[date]:
    """France's public holidays that year, with the département's own. Imported on first use: a signature
    needs it, app.py's cold start does not."""
    import holidays

    subdivision = "57" if departement in ALSACE_MOSELLE else departement if departement in OVERSEAS else None
    return frozenset(holidays.France(years=year, subdiv=subdivision))  # type: ignore[no-untyped-call]
