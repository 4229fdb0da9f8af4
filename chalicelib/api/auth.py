"""The seller authorizer: API Gateway calls it before any dealer route runs.

It checks the token, then the user it names (one GetItem): a deactivated user is refused on
their next request. Nothing is cached (ttl 0), so that refusal is immediate.
"""
from chalice import AuthResponse, Blueprint, UnauthorizedError

from chalicelib.domain.errors import NotAuthenticated

auth = Blueprint(__name__)


@auth.authorizer(ttl_seconds=0)
def seller_auth(auth_request):
    # Imported by the first call: app.py imports this module (the routes refer to the authorizer), and
    # `import app` stays cheap (docs/performance.md, "Cold start").
    from chalicelib.auth import tokens
    from chalicelib.services import dealers

    scheme, _, token = (auth_request.token or "").partition(" ")
    try:
        if scheme.lower() != "bearer" or not token:
            raise NotAuthenticated("missing bearer token")
        staff = dealers.signed_in(tokens.verify(token.strip()))
    except NotAuthenticated:
        # API Gateway answers 401 to this exact message (see infra GatewayResponse UNAUTHORIZED).
        raise UnauthorizedError("Unauthorized") from None
    return AuthResponse(
        routes=["*"],
        principal_id=staff.user_id,
        context={"dealer_id": staff.dealer_id, "user_id": staff.user_id, "role": staff.role.value},
    )
