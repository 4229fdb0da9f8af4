"""Outbox messages: written in the transaction of the state change that causes them.

A message for the bell (channel bell) is delivered by being written: `new` writes its in-app notice
(store/notices.py) in that same transaction, the one place every notice reaches the bell from.
"""
from chalicelib.domain.notices import Notice
from chalicelib.domain.outbox import FIRST_RETRY_AFTER, Channel, OutboxMessage
from chalicelib.store import keys
from chalicelib.store import notices
from chalicelib.store.table import Put, if_absent, table

KIND = "outbox"


def key(message: OutboxMessage) -> keys.Key:
    return keys.outbox(message.dealer_id, message.id)


def new(message: OutboxMessage) -> Put:
    """The write that queues a message: the table's stream brings it to delivery at once, and it is
    due for the retry schedule a minute later unless sent by then. A bell message: its notice, at once."""
    if message.channel == Channel.BELL:
        return notices.new(in_app(message))
    attributes = {
        **message.model_dump(mode="json"),
        **keys.due_attributes(KIND, key(message), message.created_at + FIRST_RETRY_AFTER),
    }
    return Put(key(message), attributes, if_absent())


def get(dealer_id: str, message_id: str) -> OutboxMessage | None:
    item = table.get(keys.outbox(dealer_id, message_id))
    return OutboxMessage.model_validate(item) if item else None


def in_app(message: OutboxMessage) -> Notice:
    """The notice a bell message is."""
    assert message.channel == Channel.BELL and message.bell is not None
    return Notice(id=message.id, dealer_id=message.dealer_id, user_id=message.to, kind=message.bell.kind,
                  text=message.text, about=message.bell.about, about_id=message.bell.about_id,
                  created_at=message.created_at)
