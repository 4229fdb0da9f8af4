"""The bell: the caller's in-app notices, newest first, and marking them read.

Notices are written where they are told (store/outbox.py, channel bell); here they are only read
and marked read. Every read and write is keyed by the verified caller: another user's notice is 404.
"""
from chalicelib.domain import clock
from chalicelib.domain.dealers import Staff
from chalicelib.domain.notices import PAGE_MAX, NoticeList, NoticeView, ReadAll
from chalicelib.store import notices as store
from chalicelib.store.unit_of_work import MAX_WRITES, commit


def listed(staff: Staff, cursor: str | None = None, limit: int = PAGE_MAX) -> NoticeList:
    items, next_cursor = store.page(staff.dealer_id, staff.user_id, min(max(limit, 1), PAGE_MAX), cursor)
    return NoticeList(items=[NoticeView.of(n) for n in items],
                      unread=store.unread_count(staff.dealer_id, staff.user_id), next_cursor=next_cursor)


def read(staff: Staff, notice_id: str) -> NoticeView:
    notice = store.get(staff.dealer_id, staff.user_id, notice_id)
    if notice.read_at is not None:
        return NoticeView.of(notice)
    now = clock.now()
    commit(store.marked_read(notice, now))
    return NoticeView.of(notice.read(now))


def read_all(staff: Staff) -> ReadAll:
    """Every unread notice marked read, a transaction per page of a hundred (a notice read meanwhile is
    read again: harmless)."""
    marked, after, now = 0, None, clock.now()
    while True:
        unread, after = store.unread(staff.dealer_id, staff.user_id, MAX_WRITES, after)
        if unread:
            commit([store.marked_read(n, now) for n in unread])
            marked += len(unread)
        if after is None:
            return ReadAll(marked=marked)
