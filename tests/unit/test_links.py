"""Access links: random, stored as hashes, usable for a limited time; what the portal shows."""
import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.links import AccessLink, LinkRefusal, PortalState, hash_token, is_well_formed, portal_state

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
DAY = timedelta(hours=24)


def test_a_link_carries_a_256_bit_random_token_and_keeps_only_its_sha256():
    token, link = AccessLink.issue(NOW, DAY)
    assert len(token) == 43 and is_well_formed(token)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest() == hash_token(token)
    assert token not in repr(link) and token not in link.model_dump_json()


def test_two_links_never_share_a_token():
    tokens = {AccessLink.issue(NOW, DAY)[0] for _ in range(200)}
    assert len(tokens) == 200


@pytest.mark.parametrize("token", ["", "abc", "x" * 42, "x" * 44, "é" * 43, "a/b+" * 10 + "abc"])
def test_a_token_we_could_not_have_issued_is_refused_before_any_lookup(token):
    assert not is_well_formed(token)


def test_a_link_works_for_24_hours_and_not_one_microsecond_more():
    _, link = AccessLink.issue(NOW, DAY)
    assert link.is_usable(NOW + DAY - timedelta(microseconds=1))
    assert link.refusal(NOW + DAY) is LinkRefusal.EXPIRED
    assert not link.is_usable(NOW + DAY)


def test_a_revoked_link_is_refused_as_revoked_even_before_it_expires():
    _, link = AccessLink.issue(NOW, DAY)
    revoked = link.revoked(NOW + timedelta(hours=1))
    assert revoked.is_usable(NOW + timedelta(minutes=30))
    assert revoked.refusal(NOW + timedelta(hours=2)) is LinkRefusal.REVOKED
    assert revoked.revoked(NOW + timedelta(hours=3)).revoked_at == revoked.revoked_at


def state(link, status="sent", valid_until=NOW + timedelta(days=30), blocked=False, at=NOW + timedelta(hours=1)):
    return portal_state(at, link, proposal_status=status, valid_until=valid_until, blocked=blocked)


LINK = AccessLink.issue(NOW, DAY)[1]


@pytest.mark.parametrize("status", ["sent", "viewed"])
def test_an_open_proposal_behind_a_fresh_link_is_shown_and_can_be_signed(status):
    assert state(LINK, status) is PortalState.SHOW
    assert PortalState.SHOW.can_sign


def test_an_unknown_token_is_unknown_and_an_expired_link_expired():
    assert portal_state(NOW, None, proposal_status=None, valid_until=None) is PortalState.UNKNOWN
    assert state(LINK, at=NOW + 2 * DAY) is PortalState.LINK_EXPIRED


def test_a_link_to_a_draft_looks_unknown():
    assert state(LINK, "draft") is PortalState.UNKNOWN


def test_a_link_older_than_24_hours_offers_a_new_one():
    assert state(LINK, at=NOW + DAY) is PortalState.LINK_EXPIRED


def test_a_proposal_past_its_validity_date_says_so_rather_than_offering_a_useless_new_link():
    assert state(LINK, valid_until=NOW) is PortalState.PROPOSAL_EXPIRED
    assert state(LINK, valid_until=NOW, at=NOW + 2 * DAY) is PortalState.PROPOSAL_EXPIRED
    assert state(LINK, "expired") is PortalState.PROPOSAL_EXPIRED


def test_blocked_access_and_a_withdrawn_proposal_show_the_blocked_page_whatever_the_link():
    assert state(LINK, blocked=True) is PortalState.BLOCKED
    assert state(LINK, "withdrawn") is PortalState.BLOCKED
    assert state(LINK, blocked=True, at=NOW + 2 * DAY) is PortalState.BLOCKED


def test_an_accepted_proposal_stays_readable_after_its_validity_date_through_a_fresh_link():
    assert state(LINK, "accepted", valid_until=NOW) is PortalState.ACCEPTED_VIEW
    assert state(LINK, "accepted", at=NOW + DAY) is PortalState.LINK_EXPIRED
    assert not PortalState.ACCEPTED_VIEW.can_sign


def test_a_declined_proposal_shows_the_answer_given():
    assert state(LINK, "declined") is PortalState.DECLINED_VIEW
