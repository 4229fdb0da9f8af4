"""Outgoing email and SMS, written with the state change that causes them.

A message is sent by the table's change stream moments after its state change commits
(jobs/delivery.py); a schedule retries what is still pending, backing off, and parks it
after the last try. What a request would have to read to write a message (the dealer's
template, the seller's preferences) is read at delivery instead, so that a customer's
request costs only its own reads and its one transaction.
"""
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field

from chalicelib.domain.ids import new_id
from chalicelib.domain.model import Entity
from chalicelib.domain.notices import About
from chalicelib.domain.templates import TemplateKind

FIRST_RETRY_AFTER = timedelta(minutes=1)
MAX_ATTEMPTS = 6


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    # To a seller by the channels they chose (User.notifications), looked up when delivered:
    # the message becomes the email and/or SMS they want, or nothing.
    SELLER = "seller"
    # To a user's bell in the app (domain/notices.py): delivered by being written, in the unit of work
    # that queues it; nothing is sent.
    BELL = "bell"


class Delivery(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    PARKED = "parked"
    EXPANDED = "expanded"  # a seller notice, turned into the messages the seller wants (maybe none)


class Attachment(Entity):
    """A file already stored in S3, attached to an email by reference."""
    filename: str
    content_type: str = "application/pdf"
    s3_key: str


class SellerNotice(Entity):
    """What a seller is told about, for a message of channel SELLER."""
    preference: str | None = Field(
        default=None, description="the NotificationPreferences flag that governs it (on_view, ...); "
                                  "None: no preference, only `email_anyway` applies")
    sms_text: str = ""
    email_anyway: str | None = Field(
        default=None, description="an address that gets the email whatever the preferences say: what the "
                                  "customer did needs an answer or an action (a question, a signature, a refusal)")


class Bell(Entity):
    """What a notice says in the app's bell: for channel bell the notice itself, for channel seller the
    notice the seller (and the managers who chose to) find in the bell when it is expanded."""
    kind: str
    about: About
    about_id: str


class ProposalRef(Entity):
    """The proposal a customer email is about: where its fate (delivered, bounced) is shown (email_events)."""
    proposal_id: str
    reference: str
    seller_id: str
    seller_email: str | None = Field(default=None, description="where the seller hears that it bounced")


class OutboxMessage(Entity):
    id: str = Field(default_factory=new_id)
    dealer_id: str
    channel: Channel
    to: str = Field(description="an email address, an E.164 number, or for channels seller and bell a user id")
    subject: str = ""
    text: str = ""
    html: str | None = None
    template: TemplateKind | None = Field(
        default=None, description="rendered with the dealer's template of this kind when delivered "
                                  "(subject, text and html stay empty until then)")
    variables: dict[str, Any] = Field(default_factory=dict, description="the template's variables")
    notice: SellerNotice | None = None
    bell: Bell | None = None
    reply_to: str | None = None
    attachments: list[Attachment] = []
    purpose: str = Field(description="why it is sent, e.g. proposal_sent; never personal data")
    proposal: ProposalRef | None = None
    status: Delivery = Delivery.PENDING
    attempts: int = 0
    created_at: datetime
    sent_at: datetime | None = None
    provider_id: str | None = None
    last_error: str | None = None


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after `attempts` failed sends: 1, 2, 4, 8, 16 minutes."""
    return FIRST_RETRY_AFTER * (1 << max(attempts - 1, 0))


def is_last_attempt(attempts: int) -> bool:
    return attempts >= MAX_ATTEMPTS


def bell_message(dealer_id: str, user_id: str, text: str, bell: Bell, purpose: str, at: datetime) -> OutboxMessage:
    """The notice for a user's bell; `text` as the SMS says it, without its "Offerline : " prefix."""
    return OutboxMessage(dealer_id=dealer_id, channel=Channel.BELL, to=user_id, text=text.removeprefix("Offerline : "),
                         bell=bell, purpose=purpose, created_at=at)
