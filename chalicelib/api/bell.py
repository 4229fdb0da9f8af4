"""Dealer API: the caller's in-app notices (the bell of the seller front)."""
from chalice import Blueprint

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint, parse_query
from chalicelib.domain.notices import NoticeList, NoticeQuery, NoticeView, ReadAll
from chalicelib.services import bell

bell_api = Blueprint(__name__)
BELL = dict(authorizer=seller_auth, tag="notifications")


@endpoint(bell_api, "/me/notifications", summary="The caller's notices, newest first, and how many are unread "
          "(?limit=&cursor=)", response=NoticeList, **BELL)
def my_notifications():
    staff = current_staff(bell_api)
    query = parse_query(NoticeQuery, bell_api.current_request)
    return bell.listed(staff, query.cursor, query.limit)


@endpoint(bell_api, "/me/notifications/read-all", method="POST", summary="Mark every notice of the caller read",
          response=ReadAll, **BELL)
def read_all_notifications():
    return bell.read_all(current_staff(bell_api))


@endpoint(bell_api, "/me/notifications/{notice_id}/read", method="POST", summary="Mark one of the caller's notices "
          "read (another user's: 404)", response=NoticeView, **BELL)
def read_notification(notice_id: str):
    return bell.read(current_staff(bell_api), notice_id)
