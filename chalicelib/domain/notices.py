"""In-app notices: the bell of the seller front (SPEC K).

A notice is what a user is told by email or SMS (a customer viewed, downloaded, asked, signed, paid
or declined; a proposal expired; a lead's deadline passed; an order step is due), kept for the
user to read in the app, unread until they open it or mark everything read. It links to the
proposal, lead or order it is about, and is forgotten after RETENTION (the table's TTL).
"""
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field

from chalicelib.domain.ids import new_id
from chalicelib.domain.model import Command, Entity

RETENTION = timedelta(days=90)
TEXT_MAX = 300
PAGE_MAX = 50
UNREAD_SHOWN_MAX = 99  # the bell says "99+" beyond: counting further would read more for nothing


class About(StrEnum):
    PROPOSAL = "proposal"
    LEAD = "lead"
    ORDER = "order"


class Notice(Entity):
    id: str = Field(default_factory=new_id)
    dealer_id: str
    user_id: str = Field(description="who it is for")
    kind: str = Field(description="what happened: viewed, downloaded, question, options, signed, "
                                  "partly_signed (the first of two signers), paid, declined, "
                                  "balance_paid, expired, lead_deadline, payment_anomaly, or an order step's purpose")
    text: str = Field(max_length=TEXT_MAX, description="one French sentence, as the SMS says it")
    about: About
    about_id: str
    created_at: datetime
    read_at: datetime | None = None

    @property
    def expires_at(self) -> datetime:
        return self.created_at + RETENTION

    def read(self, at: datetime) -> "Notice":
        return self if self.read_at is not None else self.model_copy(update={"read_at": at})


class NoticeView(Entity):
    id: str
    kind: str
    text: str
    about: About
    about_id: str
    link: str = Field(description="the front's route of what it is about, e.g. #/proposals/<id>")
    created_at: datetime
    read: bool

    @classmethod
    def of(cls, notice: Notice) -> "NoticeView":
        return cls(id=notice.id, kind=notice.kind, text=notice.text, about=notice.about, about_id=notice.about_id,
                   link=f"#/{notice.about.value}s/{notice.about_id}", created_at=notice.created_at,
                   read=notice.read_at is not None)


class NoticeList(Entity):
    items: list[NoticeView]
    unread: int = Field(description=f"unread notices, counted up to {UNREAD_SHOWN_MAX + 1} (shown \"99+\")")
    next_cursor: str | None = None


class ReadAll(Entity):
    marked: int


class NoticeQuery(Command):
    model_config = Command.model_config | {"strict": False}

    limit: int = Field(default=PAGE_MAX, ge=1, le=PAGE_MAX)
    cursor: str | None = Field(default=None, max_length=2000)
