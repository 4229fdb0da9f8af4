"""The customer's questions as a thread: each question (a `question_asked` history event) and the
seller's answers to it (`question_answered` events naming the question's id), in time order.

The texts live in the proposal's history only; the evidence chain records each question's and
answer's id and length (the chain is shown to third parties, the texts stay with the dealer).
"""
from datetime import datetime
from typing import Iterable

from pydantic import Field

from chalicelib.domain.errors import NotFound
from chalicelib.domain.model import Command, Entity
from chalicelib.domain.proposals.model import EventKind, ProposalEvent

ANSWER_MAX = 2000
THREAD_KINDS = (EventKind.QUESTION_ASKED, EventKind.QUESTION_ANSWERED)


class AnswerQuestion(Command):
    answer: str = Field(min_length=1, max_length=ANSWER_MAX)

    def text(self) -> str:
        return self.answer.replace("\r\n", "\n")


class Answer(Entity):
    id: str
    at: datetime
    by: str
    text: str


class Question(Entity):
    id: str
    at: datetime
    text: str
    answers: list[Answer] = []


def thread_of(history: Iterable[ProposalEvent]) -> list[Question]:
    """The questions, oldest first, each with its answers (an answer to an unknown question is ignored)."""
    questions: dict[str, Question] = {}
    for event in history:
        if event.kind == EventKind.QUESTION_ASKED:
            questions[event.id] = Question(id=event.id, at=event.at, text=str(event.details.get("question", "")))
        elif event.kind == EventKind.QUESTION_ANSWERED:
            asked = questions.get(str(event.details.get("question_id")))
            if asked is not None:
                asked.answers.append(Answer(id=event.id, at=event.at, by=event.by,
                                            text=str(event.details.get("answer", ""))))
    return list(questions.values())


def question_in(history: Iterable[ProposalEvent], question_id: str) -> Question:
    """The question `question_id` of this history (404 if the proposal has none with that id)."""
    for question in thread_of(history):
        if question.id == question_id:
            return question
    raise NotFound("Question introuvable.")
