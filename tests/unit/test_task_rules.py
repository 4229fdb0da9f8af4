"""The one set of task rules (domain/tasks.py), shared by a lead's, a quote's, a proposal's and an order's tasks."""
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from chalicelib.domain.errors import InvalidInput, InvalidTransition
from chalicelib.domain.leads.model import LeadTask
from chalicelib.domain.tasks import NewTask, PersonRef, Task, TaskStatus

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
NINA = PersonRef(id="U2", name="Nina Vendeuse")


def task(due_in: timedelta = timedelta(days=1)) -> Task:
    return Task.new("T1", "Rappeler le client", NOW + due_in, NINA, NOW, "U1")


def test_a_new_task_is_open_and_assigned():
    created = task()
    assert (created.status, created.assignee, created.created_by) == (TaskStatus.OPEN, NINA, "U1")


@pytest.mark.parametrize("due_in", [timedelta(0), timedelta(minutes=-1)])
def test_a_task_is_due_in_the_future(due_in):
    with pytest.raises(InvalidInput) as refused:
        task(due_in)
    assert refused.value.fields == {"due_at": "must be in the future"}


def test_a_task_is_completed_once_by_someone_at_a_time():
    done = task().completed(NOW + timedelta(hours=1), "U2")
    assert (done.status, done.completed_at, done.completed_by) == (TaskStatus.DONE, NOW + timedelta(hours=1), "U2")
    with pytest.raises(InvalidTransition):
        done.completed(NOW + timedelta(hours=2), "U1")


def test_only_an_open_task_past_its_due_time_is_overdue():
    late = task()
    assert not late.overdue(NOW) and late.overdue(NOW + timedelta(days=2))
    assert not late.completed(NOW, "U2").overdue(NOW + timedelta(days=2))


def test_a_lead_task_is_the_same_task():
    assert LeadTask is Task


def test_a_due_time_is_given_with_its_offset_and_kept_in_utc():
    asked = NewTask.model_validate({"title": "Relancer", "due_at": "2026-03-03T10:00:00+01:00"}, strict=False)
    assert asked.due_at == datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)
    with pytest.raises(ValidationError):
        NewTask.model_validate({"title": "Relancer", "due_at": "2026-03-03T10:00:00"}, strict=False)
