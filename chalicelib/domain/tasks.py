"""Tasks ("tâches", seeds 003 and 004): one model and one set of rules for a task, wherever it hangs —
a lead, a quote, a proposal or an order. A task has a title, a due time, an assignee, and is done
once, for good."""
from datetime import datetime, timezone
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import AfterValidator, AwareDatetime, Field

from chalicelib.domain.dealers import User
from chalicelib.domain.errors import InvalidInput, InvalidTransition
from chalicelib.domain.model import Command, Entity

# A time the user gives with its offset, stored in UTC like every other time.
UtcTime = Annotated[AwareDatetime, AfterValidator(lambda moment: moment.astimezone(timezone.utc))]


class PersonRef(Entity):
    """A user as a page shows them; kept on the record so the page is one read."""
    id: str
    name: str

    @classmethod
    def of(cls, user: User) -> "PersonRef":
        return cls(id=user.id, name=user.name)


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


# A task is done once, for good.
TASK_TRANSITIONS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.DONE}),
    TaskStatus.DONE: frozenset(),
}


def check_future(moment: datetime, now: datetime, field: str) -> None:
    if moment <= now:
        raise InvalidInput("La date doit être dans le futur.", {field: "must be in the future"})


def require_active(user: User, field: str) -> User:
    if not user.active:
        raise InvalidInput("Cet utilisateur est désactivé.", {field: "inactive user"})
    return user


class Task(Entity):
    part: ClassVar[str] = "task"
    id: str
    title: str
    due_at: datetime
    assignee: PersonRef
    status: TaskStatus = TaskStatus.OPEN
    completed_at: datetime | None = None
    completed_by: str | None = None
    created_at: datetime
    created_by: str

    @classmethod
    def new(cls, task_id: str, title: str, due_at: datetime, assignee: PersonRef, at: datetime, by: str,
            **where: Any) -> Self:
        """A new open task, due in the future; `where` is what a kind of task adds (the record it is on)."""
        check_future(due_at, at, "due_at")
        return cls(id=task_id, title=title, due_at=due_at, assignee=assignee, created_at=at, created_by=by, **where)

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    def overdue(self, now: datetime) -> bool:
        return self.is_open and self.due_at < now

    def moved_to(self, status: TaskStatus, **changes: Any) -> Self:
        if status not in TASK_TRANSITIONS[self.status]:
            raise InvalidTransition("Cette tâche est déjà terminée.", {"task_id": "already done"})
        return self.model_copy(update={"status": status, **changes})

    def completed(self, at: datetime, by: str) -> Self:
        return self.moved_to(TaskStatus.DONE, completed_at=at, completed_by=by)


class NewTask(Command):
    title: str = Field(min_length=1, max_length=120)
    due_at: UtcTime
    assignee_id: str | None = Field(default=None, description="defaults to the record's owner (its seller)")
