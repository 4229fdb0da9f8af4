"""Automatic reminders: which day, what time, when one is left out. Plain rules, no AWS."""
from datetime import datetime, timedelta, timezone

from chalicelib.domain import reminders
from chalicelib.domain.local_time import paris_time
from chalicelib.domain.reminders import Reminder, ReminderSchedule, decide, in_working_hours, upcoming

# Tuesday 24 November 2026, 10:15 in Paris (UTC+1 in winter).
SENT = datetime(2026, 11, 24, 9, 15, tzinfo=timezone.utc)
EXPIRES = datetime(2026, 12, 24, 23, 0, tzinfo=timezone.utc)


def schedule(done_day: int = 0, sent_at: datetime = SENT) -> ReminderSchedule:
    return ReminderSchedule(dealer_id="D1", proposal_id="P1", sent_at=sent_at, done_day=done_day)


def test_with_days_3_and_7_the_first_reminder_is_three_days_after_sending_at_the_same_time():
    assert upcoming(SENT, [3, 7]) == Reminder(3, SENT + timedelta(days=3))


def test_the_second_reminder_comes_on_day_7():
    assert upcoming(SENT, [3, 7], after_day=3) == Reminder(7, SENT + timedelta(days=7))


def test_after_the_last_day_there_is_no_more_reminder():
    assert upcoming(SENT, [3, 7], after_day=7) is None


def test_a_dealer_without_reminder_days_sends_none():
    assert upcoming(SENT, []) is None


def test_days_are_taken_in_order_and_once_whatever_the_setting_order():
    assert upcoming(SENT, [7, 3, 3]).day == 3
    assert reminders.days_of([7, 3, 3]) == [3, 7]


def test_no_reminder_is_planned_after_the_proposal_expires():
    assert upcoming(SENT, [3, 7], after_day=3, until=SENT + timedelta(days=5)) is None
    assert upcoming(SENT, [3], until=SENT + timedelta(days=3)) is None


def test_a_proposal_sent_late_in_the_evening_is_reminded_at_nine_the_next_morning():
    evening = datetime(2026, 11, 24, 20, 30, tzinfo=timezone.utc)  # 21:30 in Paris
    at = upcoming(evening, [3]).at
    local = paris_time(at)
    assert (local.day, local.hour, local.minute) == (28, 9, 0)


def test_a_proposal_sent_at_dawn_is_reminded_at_nine_the_same_day():
    dawn = datetime(2026, 11, 24, 5, 0, tzinfo=timezone.utc)  # 6:00 in Paris
    local = paris_time(upcoming(dawn, [3]).at)
    assert (local.day, local.hour) == (27, 9)


def test_working_hours_follow_paris_summer_time():
    summer_dawn = datetime(2026, 7, 1, 5, 0, tzinfo=timezone.utc)  # 7:00 in Paris (UTC+2)
    assert in_working_hours(summer_dawn) == datetime(2026, 7, 1, 7, 0, tzinfo=timezone.utc)
    assert in_working_hours(datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)).hour == 12


def test_a_due_reminder_is_sent_and_the_next_one_planned():
    now = SENT + timedelta(days=3, minutes=2)
    decision = decide(schedule(), [3, 7], now, last_contact=SENT, until=EXPIRES)
    assert (decision.send, decision.day, decision.next) == (True, 3, Reminder(7, SENT + timedelta(days=7)))


def test_reminders_missed_while_nothing_ran_go_out_once():
    now = SENT + timedelta(days=8)
    decision = decide(schedule(), [3, 7], now, last_contact=SENT, until=EXPIRES)
    assert (decision.send, decision.day, decision.next) == (True, 7, None)


def test_a_reminder_is_left_out_when_the_seller_wrote_to_the_customer_within_a_day():
    now = SENT + timedelta(days=3)
    decision = decide(schedule(), [3, 7], now, last_contact=now - timedelta(hours=5), until=EXPIRES)
    assert (decision.send, decision.day, decision.next.day) == (False, 3, 7)


def test_when_the_dealer_moved_its_days_later_nothing_goes_out_before_the_new_day():
    now = SENT + timedelta(days=3)
    decision = decide(schedule(), [5, 10], now, last_contact=SENT, until=EXPIRES)
    assert (decision.send, decision.day, decision.next) == (False, 0, Reminder(5, SENT + timedelta(days=5)))


def test_the_last_reminder_ends_the_schedule():
    decision = decide(schedule(done_day=3), [3, 7], SENT + timedelta(days=7), last_contact=SENT, until=EXPIRES)
    assert decision.send and decision.next is None
