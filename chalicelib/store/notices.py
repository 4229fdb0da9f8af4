"""In-app notices (the bell): written with what they tell, read by their user, marked read one by one or all.

The key holds the user's id: a notice id of another user or dealer is simply not found (404).
"""
from datetime import datetime

from chalicelib.domain.errors import NotFound
from chalicelib.domain.notices import PAGE_MAX, UNREAD_SHOWN_MAX, Notice
from chalicelib.store import keys, paging
from chalicelib.store.table import Put, Update, if_absent, if_exists, table

_UNREAD = (keys.DEADLINE_PK, keys.DEADLINE_SK)
_NOT_FOUND = NotFound("Notification introuvable.")


def new(notice: Notice) -> Put:
    """The notice, unread (in its user's unread index), forgotten by the table's TTL after RETENTION."""
    attributes = {
        **notice.model_dump(mode="json"),
        **keys.unread_listing(notice.dealer_id, notice.user_id, notice.created_at, notice.id),
        keys.TTL: int(notice.expires_at.timestamp()),
    }
    return Put(keys.notice(notice.dealer_id, notice.user_id, notice.id), attributes, if_absent())


def page(dealer_id: str, user_id: str, limit: int = PAGE_MAX,
         cursor: str | None = None) -> tuple[list[Notice], str | None]:
    """One page of the user's notices, newest first, and the cursor of the next page."""
    partition, prefix = keys.notices_of(dealer_id, user_id)
    start = paging.decode(cursor, {keys.PK: partition}, prefix)
    items, after = table.query(partition, prefix, limit=limit, start_after=start, newest_first=True)
    return [Notice.model_validate(i) for i in items], paging.encode(after)


def unread_count(dealer_id: str, user_id: str) -> int:
    """Unread notices, counted up to UNREAD_SHOWN_MAX + 1: one Query of the sparse unread index."""
    items, _ = table.query(keys.unread_notices(dealer_id, user_id), index=keys.DEADLINE_INDEX,
                           partition_attribute=keys.DEADLINE_PK, sort_attribute=keys.DEADLINE_SK,
                           newest_first=True, limit=UNREAD_SHOWN_MAX + 1)
    return len(items)


def unread(dealer_id: str, user_id: str, limit: int,
           after: keys.Key | None = None) -> tuple[list[Notice], keys.Key | None]:
    """A page of the unread index, and where the next one starts (the index lags a little behind writes:
    a reader goes through it page by page rather than reading its first page again)."""
    items, last = table.query(keys.unread_notices(dealer_id, user_id), index=keys.DEADLINE_INDEX,
                              partition_attribute=keys.DEADLINE_PK, sort_attribute=keys.DEADLINE_SK,
                              newest_first=True, limit=limit, start_after=after)
    return [Notice.model_validate(i) for i in items], last


def get(dealer_id: str, user_id: str, notice_id: str) -> Notice:
    item = table.get(keys.notice(dealer_id, user_id, notice_id))
    if item is None:
        raise _NOT_FOUND
    return Notice.model_validate(item)


def marked_read(notice: Notice, at: datetime) -> Update:
    """Read: out of the unread index. On condition that it still exists (the TTL may have taken it)."""
    return Update(keys.notice(notice.dealer_id, notice.user_id, notice.id), set={"read_at": at.isoformat()},
                  remove=_UNREAD, condition=if_exists(), error=_NOT_FOUND)
