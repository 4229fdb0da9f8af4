"""Outbox messages: written in the transaction of the state change that causes them."""
from typing import Any

from chalicelib.domain.outbox import FIRST_RETRY_AFTER, OutboxMessage
from chalicelib.store import keys
from chalicelib.store.table import Put, if_absent, table

KIND = "outbox"


def key(message: OutboxMessage) -> keys.Key:
    return keys.outbox(message.dealer_id, message.id)


def new(message: OutboxMessage) -> Put:
    """The write that queues a message; due for retry a minute later unless sent by then."""
    attributes = {
        **message.model_dump(mode="json"),
        **keys.due_attributes(KIND, key(message), message.created_at + FIRST_RETRY_AFTER),
    }
    return Put(key(message), attributes, if_absent())


def queue(messages: list[OutboxMessage]) -> None:
    """Queues messages on their own (when no other state changes with them)."""
    for message in messages:
        table.write(new(message))


def as_due_item(message: OutboxMessage) -> dict[str, Any]:
    """The stored form, as a sweep would read it from the due index."""
    return {**key(message), keys.DUE_AT: keys.iso(message.created_at + FIRST_RETRY_AFTER)}


def get(dealer_id: str, message_id: str) -> OutboxMessage | None:
    item = table.get(keys.outbox(dealer_id, message_id))
    return OutboxMessage.model_validate(item) if item else None
