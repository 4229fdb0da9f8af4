"""What every customer portal response and form needs, as pure functions.

CSRF tokens are bound to the link (the hash of its token) and to the form, so a token taken
from one link or one form is worthless on another. Headers carry a fresh CSP nonce per
response for the page's inline style; the page needs no script. (How many new links a
proposal may ask for is a rule of domain/links.py.)
"""
import base64
import hashlib
import hmac
import secrets
from typing import Sequence

from pydantic import SecretStr

from chalicelib.domain.errors import Forbidden



class InvalidCsrf(Forbidden):
    code = "invalid_csrf"

    def __init__(self):
        super().__init__("Ce formulaire n'est plus valable : rechargez la page, puis réessayez.")


def csrf_token(secret: SecretStr, link_token_hash: str, form: str) -> str:
    mac = hmac.new(secret.get_secret_value().encode(), f"{link_token_hash}:{form}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def require_csrf(secret: SecretStr, link_token_hash: str, form: str, submitted: str | None) -> None:
    """Refuses a form whose token was not made for this link and this form."""
    if not hmac.compare_digest(csrf_token(secret, link_token_hash, form), submitted or ""):
        raise InvalidCsrf()


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def portal_headers(nonce: str, form_targets: Sequence[str] = ()) -> dict[str, str]:
    """Headers of every portal response: the token is in the URL, so nothing may leak or be kept.

    `form_targets`: origins a form of the page may lead to besides the portal (the deposit's pay
    form redirects to the payment provider's checkout, which form-action must allow).
    """
    form_action = " ".join(("'self'", *form_targets))
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; form-action {form_action}; "
            "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        ),
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Robots-Tag": "noindex, nofollow",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }
