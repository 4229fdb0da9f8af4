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


# --- customers, quotes, proposals, email templates (issue 3, dealer side) -------------
# docs/proposals.md lists the access patterns these keys serve.

ACCOUNT_PREFIX = "ACCOUNT#"
QUOTE_PREFIX = "QUOTE#"
PROPOSAL_PREFIX = "PROPOSAL#"
EVENT_INFIX = "#EVENT#"
# The generic listing index the leads work introduces (same definition as its section in
# main: keep one when merging). Proposals list themselves under PROPOSALS#<dealer_id>.
LIST_INDEX, LIST_PK, LIST_SK = "gsi1", "gsi1pk", "gsi1sk"


def account(dealer_id: str, account_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{ACCOUNT_PREFIX}{account_id}"}


def contact(dealer_id: str, account_id: str, contact_id: str) -> Key:
    """A contact sits under its account: one Query reads the account and its contacts."""
    return {PK: _dealer_pk(dealer_id), SK: f"{ACCOUNT_PREFIX}{account_id}#CONTACT#{contact_id}"}


def accounts_of(dealer_id: str) -> tuple[str, str]:
    """(partition, prefix) of every account and contact of a dealer."""
    return _dealer_pk(dealer_id), ACCOUNT_PREFIX


def account_with_contacts(dealer_id: str, account_id: str) -> tuple[str, str]:
    return _dealer_pk(dealer_id), f"{ACCOUNT_PREFIX}{account_id}"


def quote(dealer_id: str, quote_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{QUOTE_PREFIX}{quote_id}"}


def quotes_of(dealer_id: str) -> tuple[str, str]:
    return _dealer_pk(dealer_id), QUOTE_PREFIX


def counter(dealer_id: str, name: str) -> Key:
    """A per-dealer sequence (quote and proposal numbers), incremented atomically."""
    return {PK: _dealer_pk(dealer_id), SK: f"COUNTER#{name}"}


def proposal(dealer_id: str, proposal_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{PROPOSAL_PREFIX}{proposal_id}"}


def proposal_event(dealer_id: str, proposal_id: str, event_id: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"{PROPOSAL_PREFIX}{proposal_id}{EVENT_INFIX}{event_id}"}


def proposal_with_history(dealer_id: str, proposal_id: str) -> tuple[str, str]:
    """(partition, prefix): the proposal item and all its events, in time order (ULIDs)."""
    return _dealer_pk(dealer_id), f"{PROPOSAL_PREFIX}{proposal_id}"


def proposals_list(dealer_id: str) -> str:
    """The listing-index partition of a dealer's proposals."""
    return f"PROPOSALS#{dealer_id}"


def proposal_listing(dealer_id: str, created_at: datetime, proposal_id: str) -> dict[str, str]:
    """Puts a proposal in its dealer's list, in creation order (events never carry these)."""
    return {LIST_PK: proposals_list(dealer_id), LIST_SK: f"{iso(created_at)}#{proposal_id}"}


def email_template(dealer_id: str, kind: str) -> Key:
    return {PK: _dealer_pk(dealer_id), SK: f"EMAILTEMPLATE#{kind}"}
