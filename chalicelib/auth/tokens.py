"""Seller tokens: verified here, by us, before any route runs.

Production trusts only Cognito's RS256 keys (JWKS); development trusts only the
local issuer's HS256 secret. Each accepts one algorithm, so neither can be used
to forge the other, and unsigned tokens never pass.

PyJWT (and the `cryptography` it loads for RS256) is imported when a token is first verified or
issued: only the authorizer does that, so the other functions (API, schedules, the outbox stream)
never pay for it at cold start.
"""
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chalicelib.domain import clock
from chalicelib.domain.dealers import Role, Staff
from chalicelib.domain.errors import NotAuthenticated
from chalicelib.settings import settings

if TYPE_CHECKING:
    import jwt

DEALER_CLAIM = "custom:dealer_id"
ROLE_CLAIM = "custom:role"


@lru_cache(maxsize=1)
def _jwks_client() -> "jwt.PyJWKClient":
    import jwt

    url = settings().auth_jwks_url
    assert url is not None, "read only when Cognito issues the tokens (settings.uses_local_issuer is False)"
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600)


def _verification_key(token: str) -> tuple[Any, str]:
    config = settings()
    if config.uses_local_issuer:
        if config.local_issuer_secret is None:
            raise NotAuthenticated("Aucun émetteur de jetons configuré.")
        return config.local_issuer_secret.get_secret_value(), "HS256"
    return _jwks_client().get_signing_key_from_jwt(token).key, "RS256"


def verify(token: str) -> Staff:
    """The staff member a token speaks for, or NotAuthenticated."""
    import jwt

    config = settings()
    try:
        key, algorithm = _verification_key(token)
        claims = jwt.decode(
            token,
            key=key,
            algorithms=[algorithm],
            audience=config.auth_audience,
            issuer=config.auth_issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub", DEALER_CLAIM, ROLE_CLAIM]},
        )
        return Staff(dealer_id=claims[DEALER_CLAIM], user_id=claims["sub"], role=Role(claims[ROLE_CLAIM]))
    except (jwt.PyJWTError, ValueError, KeyError):
        raise NotAuthenticated("Jeton invalide ou expiré.") from None


def issue_local(staff: Staff, email: str) -> str:
    """Development only: what Cognito's hosted UI gives a seller in production."""
    import jwt

    config = settings()
    if not config.uses_local_issuer or config.local_issuer_secret is None:
        raise NotAuthenticated("L'émetteur local n'existe pas dans cet environnement.")
    issued = clock.now()
    claims = {
        "iss": config.auth_issuer,
        "aud": config.auth_audience,
        "sub": staff.user_id,
        "email": email,
        "token_use": "id",
        DEALER_CLAIM: staff.dealer_id,
        ROLE_CLAIM: staff.role.value,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(minutes=config.token_lifetime_minutes)).timestamp()),
    }
    return jwt.encode(claims, config.local_issuer_secret.get_secret_value(), algorithm="HS256")
