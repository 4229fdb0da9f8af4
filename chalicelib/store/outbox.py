"""Outbox messages: written in the transaction of the state change that causes them."""
from chalicelib.domain.outbox import FIRST_RETRY_AFTER, OutboxMessage
from chalicelib.store import keys
from chalicelib.store.table import Put, if_absent, table

KIND = "outbox"


def key(message: OutboxMessage) -> keys.Key:
    return keys.outbox(message.dealer_id, message.id)


def new(message: OutboxMessage) -> Put:
    """The write that queues a message: the table's stream brings it to delivery at once, and it is
    due for the retry schedule a minute later unless sent by then."""
    attributes = {
        **message.model_dump(mode="json"),
        **keys.due_attributes(KIND, key(message), message.created_at + FIRST_RETRY_AFTER),
    }
    return Put(key(message), attributes, if_absent())


def get(dealer_id: str, message_id: str) -> OutboxMessage | None:
    item = table.get(keys.outbox(dealer_id, message_id))
    return OutboxMessage.model_validate(item) if item else None
