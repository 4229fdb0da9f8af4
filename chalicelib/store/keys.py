"""Every key format of the one table. Nothing outside store/ builds a key.

Tenant data lives under PK = DEALER#<dealer_id>; an aggregate's children share
its SK prefix so one Query reads the whole aggregate.
"""
import zlib
from datetime import datetime, timezone

Key = dict[str, str]

PK, SK = "PK", "SK"
DUE_INDEX = "due"
DUE_PK, DUE_AT = "due_pk", "due_at"
TTL = "ttl"
# Fixed for the life of the table: changing it would hide items from the sweep.
DUE_SHARDS = 8

USER_PREFIX = "USER#"


def _dealer_pk(dealer_id: str) -> str:
    return f"DEALER#{dealer_id}"


def dealer(dealer_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: "DEALER"}


def user(dealer_id: str, user_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{USER_PREFIX}{user_id}"}


def users_of(dealer_id: str) -> tuple[str, str]:
    """(partition, sort-key prefix) that lists a dealer's users."""
    return _dealer_pk(dealer_id), USER_PREFIX


def user_email(email: str) -> Key:
    """Keeps a login email unique across dealers and finds its user at login."""
    return {PK: f"USEREMAIL#{email.strip().lower()}", SK: "USEREMAIL"}


def link(token_hash: str) -> Key:
    return {PK: f"LINK#{token_hash}", SK: "LINK"}


def outbox(dealer_id: str, message_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"OUTBOX#{message_id}"}


def due_partition(kind: str, item_key: Key) -> str:
    """Spreads one kind of due work over DUE_SHARDS partitions of the GSI, stably per item."""
    shard = zlib.crc32(f"{item_key[PK]}|{item_key[SK]}".encode()) % DUE_SHARDS
    return f"DUE#{kind}#{shard}"


def due_partitions(kind: str) -> list[str]:
    """Every partition a sweep of this kind reads."""
    return [f"DUE#{kind}#{n}" for n in range(DUE_SHARDS)]


def due_attributes(kind: str, item_key: Key, due_at: datetime) -> dict[str, str]:
    """Attributes that put an item in the sparse due-work index until it is handled."""
    return {DUE_PK: due_partition(kind, item_key), DUE_AT: iso(due_at)}


DUE_ATTRIBUTES = (DUE_PK, DUE_AT, "due_claim")


def iso(moment: datetime) -> str:
    """UTC ISO-8601 with a fixed width, so string order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every stored time is UTC-aware")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
