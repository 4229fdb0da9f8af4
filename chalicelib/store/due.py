"""The sparse due-work index: what schedules read, and how a sweep claims an item.

An item waits in the index while it carries due_pk/due_at. A sweep reads each
partition of its kind for due_at <= now, then claims each item by moving its
due_at forward (a lease) on the condition that due_at is still what it read:
of two concurrent sweeps exactly one wins. Work that starts as soon as it is written (the
outbox, through the table's stream) is claimed by `claim_fresh`, on the condition that nobody
holds it. The handler's own write leaves the
index (`finished`) on the condition that it still holds the claim; if the
handler dies, the lease runs out and the item is due again.
"""
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Iterator

from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.ids import new_id
from chalicelib.store import keys
from chalicelib.store.keys import Key
from chalicelib.store.table import Condition, Delete, Update, all_of, if_attribute_equals, table

LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Claimed:
    key: Key
    claim: str
    item: dict[str, Any]


def due(kind: str, now: datetime, page_size: int = 100) -> Iterator[dict[str, Any]]:
    """Items of this kind due at `now`, partition by partition; reads nothing else."""
    for partition in keys.due_partitions(kind):
        after = None
        while True:
            items, after = table.query(
                partition, index=keys.DUE_INDEX, partition_attribute=keys.DUE_PK,
                sort_attribute=keys.DUE_AT, sort_at_most=keys.iso(now), limit=page_size, start_after=after,
            )
            yield from items
            if not after:
                break


def claim(item: dict[str, Any], now: datetime) -> Claimed | None:
    """Takes the item for this sweep, or None when another sweep already has it."""
    key = {keys.PK: item[keys.PK], keys.SK: item[keys.SK]}
    claim_id = new_id()
    try:
        claimed = table.write(Update(
            key,
            set={keys.DUE_AT: keys.iso(now + LEASE), "due_claim": claim_id},
            condition=if_attribute_equals(keys.DUE_AT, item[keys.DUE_AT]),
        ))
    except (Conflict, NotFound):
        return None
    assert claimed is not None  # an update answers with the item as written
    return Claimed(key, claim_id, claimed)


def claim_fresh(key: Key, now: datetime) -> Claimed | None:
    """Takes an item as soon as it is written (its change stream brings it), or None when another
    path got there first: a sweep or an earlier delivery of the same record holds it, or its work
    is over. An item waiting for a retry may be taken before its due time: a duplicate record
    only brings the retry forward."""
    claim_id = new_id()
    try:
        claimed = table.write(Update(
            key,
            set={keys.DUE_AT: keys.iso(now + LEASE), "due_claim": claim_id},
            condition=Condition("attribute_exists(#due_at) AND attribute_not_exists(#claim)",
                                {"#due_at": keys.DUE_AT, "#claim": "due_claim"}),
        ))
    except (Conflict, NotFound):
        return None
    assert claimed is not None  # an update answers with the item as written
    return Claimed(key, claim_id, claimed)


def holding(claimed: Claimed, write: Update) -> Update:
    """Another write on the claimed item (e.g. a status transition that also leaves the index),
    made only if this sweep still holds the claim, on top of the write's own condition."""
    assert write.key == claimed.key, "a claim guards writes on the claimed item only"
    held = if_attribute_equals("due_claim", claimed.claim)
    return replace(write, condition=all_of(write.condition, held) if write.condition else held)


def dropped(claimed: Claimed) -> Delete:
    """Deletes the claimed item (work that has nothing left to wait for), if this sweep still holds it."""
    return Delete(claimed.key, condition=if_attribute_equals("due_claim", claimed.claim))


def finished(claimed: Claimed, forget: tuple[str, ...] = (), **changes: Any) -> Update:
    """The write that ends the work: leaves the index (and drops `forget`), if this sweep still holds the claim."""
    return Update(
        claimed.key, set=changes, remove=keys.DUE_ATTRIBUTES + forget,
        condition=if_attribute_equals("due_claim", claimed.claim),
    )


def postponed(claimed: Claimed, kind: str, until: datetime, **changes: Any) -> Update:
    """The write that puts the item back in the index for later (a retry, the next reminder)."""
    return Update(
        claimed.key,
        set={**changes, **keys.due_attributes(kind, claimed.key, until)},
        remove=("due_claim",),
        condition=if_attribute_equals("due_claim", claimed.claim),
    )
