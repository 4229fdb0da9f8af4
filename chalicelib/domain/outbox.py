"""Outgoing email and SMS, written with the state change that causes them.

A message is sent right after its state change commits; a schedule retries
what is still pending, backing off, and parks it after the last try.
"""
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field

from chalicelib.domain.ids import new_id
from chalicelib.domain.model import Entity

FIRST_RETRY_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 6


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class Delivery(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    PARKED = "parked"


class Attachment(Entity):
    """A file already stored in S3, attached to an email by reference."""
    filename: str
    content_type: str = "application/pdf"
    s3_key: str


class OutboxMessage(Entity):
    id: str = Field(default_factory=new_id)
    dealer_id: str
    channel: Channel
    to: str
    subject: str = ""
    text: str = ""
    html: str | None = None
    reply_to: str | None = None
    attachments: list[Attachment] = []
    purpose: str = Field(description="why it is sent, e.g. proposal_sent; never personal data")
    status: Delivery = Delivery.PENDING
    attempts: int = 0
    created_at: datetime
    sent_at: datetime | None = None
    provider_id: str | None = None
    last_error: str | None = None


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after `attempts` failed sends: 1, 2, 4, 8, 16 minutes."""
    return FIRST_RETRY_AFTER * (2 ** max(attempts - 1, 0))


def is_last_attempt(attempts: int) -> bool:
    return attempts >= MAX_ATTEMPTS
