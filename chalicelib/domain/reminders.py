"""Automatic proposal reminders: on which days, at what time, and when one is left out.

The dealer sets `reminder_days` (e.g. [3, 7]): a proposal sent on day 0 is reminded on
day 3 and on day 7, at the time of day it was sent, moved into working hours in Paris
(a send at 21:30 is reminded at 9:00 the next morning). Every send restarts the count.
A reminder is left out when the customer already heard from the seller in the last
24 hours (a send or a reminder, manual or automatic), and none is planned past the
proposal's expiry. Reminders missed while nothing ran collapse into one.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable

from chalicelib.domain.local_time import WINTER, paris_offset, paris_time
from chalicelib.domain.model import Entity

WORKDAY_STARTS, WORKDAY_ENDS = 9, 19  # Paris hours an automatic reminder may go out between
RECENTLY_CONTACTED = timedelta(hours=24)


class ReminderSchedule(Entity):
    """The stored state of a proposal's automatic reminders (its own item, in the due index)."""
    dealer_id: str
    proposal_id: str
    sent_at: datetime
    done_day: int = 0


@dataclass(frozen=True)
class Reminder:
    day: int
    at: datetime


@dataclass(frozen=True)
class Decision:
    """What a sweep does with a reminder schedule that is due: send or not, then wait for `next` (or stop)."""
    send: bool
    day: int
    next: Reminder | None


def days_of(setting: Iterable[int]) -> list[int]:
    return sorted(set(setting))


def at_paris(day: date, hour: int) -> datetime:
    """`hour`:00 in Paris on `day`, in UTC (the offset changes at 01:00 UTC, never near working hours)."""
    local = datetime.combine(day, time(hour))
    offset = paris_offset(local.replace(tzinfo=timezone.utc) - WINTER)
    return (local - offset).replace(tzinfo=timezone.utc)


def in_working_hours(moment: datetime) -> datetime:
    """The moment itself between 9:00 and 19:00 in Paris; otherwise the next 9:00."""
    local = paris_time(moment)
    if local.hour < WORKDAY_STARTS:
        return at_paris(local.date(), WORKDAY_STARTS)
    if local.hour >= WORKDAY_ENDS:
        return at_paris(local.date() + timedelta(days=1), WORKDAY_STARTS)
    return moment


def reminder_at(sent_at: datetime, day: int) -> datetime:
    return in_working_hours(sent_at + timedelta(days=day))


def upcoming(sent_at: datetime, setting: Iterable[int], after_day: int = 0,
             until: datetime | None = None) -> Reminder | None:
    """The first reminder after `after_day`, if there is one before `until` (the proposal's expiry)."""
    for day in days_of(setting):
        if day > after_day:
            at = reminder_at(sent_at, day)
            return Reminder(day, at) if until is None or at < until else None
    return None


def decide(schedule: ReminderSchedule, setting: Iterable[int], now: datetime,
           last_contact: datetime | None, until: datetime) -> Decision:
    """The reminder due now (the latest one passed, so missed ones go out once), and the next one.

    The dealer may have changed its days since the send: with none passed yet, nothing is
    sent and the schedule waits for the first new day.
    """
    passed = [day for day in days_of(setting) if day > schedule.done_day and reminder_at(schedule.sent_at, day) <= now]
    if not passed:
        return Decision(False, schedule.done_day, upcoming(schedule.sent_at, setting, schedule.done_day, until))
    day = passed[-1]
    recently = last_contact is not None and now - last_contact < RECENTLY_CONTACTED
    return Decision(not recently, day, upcoming(schedule.sent_at, setting, day, until))
