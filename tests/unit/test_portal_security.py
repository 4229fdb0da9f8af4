"""Portal security: CSRF bound to link and form, strict headers, a limit on new-link requests."""
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import SecretStr

from chalicelib.domain.errors import Forbidden
from chalicelib.domain.links import admit_link_request, hash_token
from chalicelib.portal.security import InvalidCsrf, csrf_token, new_nonce, portal_headers, require_csrf

SECRET = SecretStr("csrf-secret-of-at-least-32-characters!")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
# Fixed tokens keep the parametrized test ids the same on every xdist worker.
LINK_HASH = hash_token("A" * 43)
OTHER_LINK_HASH = hash_token("B" * 43)


def test_a_form_token_made_for_this_link_and_form_is_accepted():
    token = csrf_token(SECRET, LINK_HASH, "sign")
    require_csrf(SECRET, LINK_HASH, "sign", token)
    assert len(token) == 43


@pytest.mark.parametrize("submitted", [
    None, "", "x" * 43,
    csrf_token(SECRET, OTHER_LINK_HASH, "sign"),
    csrf_token(SECRET, LINK_HASH, "question"),
    csrf_token(SecretStr("another-secret-another-secret-xxxxx"), LINK_HASH, "sign"),
], ids=["missing", "empty", "forged", "other-link", "other-form", "other-secret"])
def test_a_form_token_from_another_link_form_or_secret_is_refused(submitted):
    with pytest.raises(InvalidCsrf) as refused:
        require_csrf(SECRET, LINK_HASH, "sign", submitted)
    assert isinstance(refused.value, Forbidden) and "rechargez la page" in refused.value.message


def test_every_response_gets_its_own_nonce():
    assert len({new_nonce() for _ in range(100)}) == 100


def test_portal_headers_forbid_scripts_framing_referrers_caching_and_indexing():
    headers = portal_headers("abc123")
    csp = headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'none';")
    for directive in ("style-src 'self' 'nonce-abc123'", "img-src 'self' data:", "form-action 'self'",
                      "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"):
        assert directive in csp
    assert "script-src" not in csp
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Robots-Tag"].startswith("noindex")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_three_new_links_an_hour_are_sent_and_the_fourth_is_not():
    recent: tuple = ()
    for minute in (0, 10, 20):
        decision = admit_link_request(recent, NOW + timedelta(minutes=minute))
        assert decision.send
        recent = decision.recent
    refused = admit_link_request(recent, NOW + timedelta(minutes=59))
    assert not refused.send and refused.recent == recent


def test_a_new_link_may_be_sent_again_once_the_oldest_request_is_an_hour_old():
    recent = (NOW, NOW + timedelta(minutes=10), NOW + timedelta(minutes=20))
    decision = admit_link_request(recent, NOW + timedelta(hours=1))
    assert decision.send and decision.recent == recent[1:] + (NOW + timedelta(hours=1),)
