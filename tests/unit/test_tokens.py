"""Seller tokens: only ours, only signed, only fresh, only for this audience."""
from datetime import datetime, timedelta, timezone

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.auth import tokens
from chalicelib.domain import clock
from chalicelib.domain.dealers import Role, Staff
from chalicelib.domain.errors import NotAuthenticated
from chalicelib.settings import settings

STAFF = Staff(dealer_id="D1", user_id="U1", role=Role.SELLER)
SECRET = settings().local_issuer_secret.get_secret_value()


def claims(**changes):
    now = datetime.now(timezone.utc)
    base = {
        "iss": settings().auth_issuer, "aud": settings().auth_audience, "sub": "U1",
        "custom:dealer_id": "D1", "custom:role": "seller",
        "iat": int(now.timestamp()), "exp": int((now + timedelta(hours=1)).timestamp()),
    }
    return {k: v for k, v in (base | changes).items() if v is not None}


def test_a_token_from_the_local_issuer_gives_the_dealer_user_and_role():
    assert tokens.verify(tokens.issue_local(STAFF, "v@example.com")) == STAFF


@pytest.mark.parametrize("token", [
    pytest.param(jwt.encode(claims(), "another-secret-of-sufficient-length-0001", algorithm="HS256"), id="forged"),
    pytest.param(jwt.encode(claims(exp=1_000), SECRET, algorithm="HS256"), id="expired"),
    pytest.param(jwt.encode(claims(iss="https://evil.example"), SECRET, algorithm="HS256"), id="wrong-issuer"),
    pytest.param(jwt.encode(claims(aud="another-app"), SECRET, algorithm="HS256"), id="wrong-audience"),
    pytest.param(jwt.encode(claims(), None, algorithm="none"), id="unsigned"),
    pytest.param(jwt.encode(claims(**{"custom:dealer_id": None}), SECRET, algorithm="HS256"), id="no-dealer"),
    pytest.param(jwt.encode(claims(**{"custom:role": "emperor"}), SECRET, algorithm="HS256"), id="unknown-role"),
    pytest.param("not-a-jwt", id="garbage"),
])
def test_a_token_that_is_not_ours_and_valid_is_refused(token):
    with pytest.raises(NotAuthenticated):
        tokens.verify(token)


def test_a_token_expires_with_its_lifetime():
    issued_at = datetime.now(timezone.utc) - timedelta(minutes=settings().token_lifetime_minutes + 1)
    clock.set_source(lambda: issued_at)
    token = tokens.issue_local(STAFF, "v@example.com")
    clock.reset()
    with pytest.raises(NotAuthenticated):
        tokens.verify(token)


@pytest.fixture
def cognito(monkeypatch):
    """Production mode: Cognito's RS256 keys from a JWKS."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    monkeypatch.setenv("OFFERLINE_AUTH_JWKS_URL", "https://cognito.example/jwks.json")
    monkeypatch.setenv("OFFERLINE_AUTH_ISSUER", "https://cognito.example/pool")
    settings.cache_clear()

    class FakeJwks:
        def get_signing_key_from_jwt(self, token):
            return jwt.PyJWK.from_dict(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True))

    monkeypatch.setattr(tokens, "_jwks_client", lambda: FakeJwks())
    yield key
    settings.cache_clear()


def test_production_accepts_a_cognito_token(cognito):
    token = jwt.encode(claims(iss="https://cognito.example/pool"), cognito, algorithm="RS256")
    assert tokens.verify(token) == STAFF


def test_production_refuses_a_token_signed_with_the_development_secret(cognito):
    token = jwt.encode(claims(iss="https://cognito.example/pool"), SECRET, algorithm="HS256")
    with pytest.raises(NotAuthenticated):
        tokens.verify(token)


def test_production_has_no_local_issuer(cognito):
    with pytest.raises(NotAuthenticated):
        tokens.issue_local(STAFF, "v@example.com")
