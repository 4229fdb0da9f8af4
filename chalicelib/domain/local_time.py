"""Dates as French customers read them: the day in Paris, its end, "24/12/2026".

Validity dates are calendar days in France; stored times stay UTC. The offset of
Europe/Paris follows the EU rule (summer time from the last Sunday of March to the
last Sunday of October, switching at 01:00 UTC), computed here so the Lambda needs
no time-zone database.
"""
from datetime import date, datetime, time, timedelta, timezone

WINTER = timedelta(hours=1)
SUMMER = timedelta(hours=2)
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def paris_offset(moment: datetime) -> timedelta:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    utc = moment.astimezone(timezone.utc)
    starts = datetime.combine(_last_sunday(utc.year, 3), time(1), timezone.utc)
    ends = datetime.combine(_last_sunday(utc.year, 10), time(1), timezone.utc)
    return SUMMER if starts <= utc < ends else WINTER


def paris_time(moment: datetime) -> datetime:
    offset = paris_offset(moment)
    return moment.astimezone(timezone(offset))


def paris_date(moment: datetime) -> date:
    return paris_time(moment).date()


def number_year(moment: datetime) -> int:
    """The year a lead code or a document number made at `moment` carries: the dealer's (Paris) year, so a
    number made at 00:30 on 1 January in Paris belongs to the new year although UTC still says the old one."""
    return paris_date(moment).year


def end_of_day(day: date) -> datetime:
    """The first UTC instant after `day` ends in Paris (a validity "until the 24th" ends here)."""
    midnight = datetime.combine(day + timedelta(days=1), time(0))
    guess = midnight.replace(tzinfo=timezone.utc) - WINTER
    offset = paris_offset(guess)
    return (midnight - offset).replace(tzinfo=timezone.utc)


def format_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def format_long_day(day: date) -> str:
    """"4 mai 2026"; the first of the month is "1er mai 2026", as French writes it."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def format_weekday(day: date) -> str:
    """"lundi 4 mai 2026": a deadline names its day."""
    return f"{WEEKDAYS[day.weekday()]} {format_long_day(day)}"


def format_moment(moment: datetime) -> str:
    """"24/11/2026 à 10:05" in Paris time."""
    local = paris_time(moment)
    return f"{local:%d/%m/%Y} à {local:%H:%M}"
