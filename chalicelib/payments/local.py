"""The local test provider (development only): a fake checkout page under /dev/checkout.

Its sessions keep nothing server-side: the checkout's details travel in the page address, signed
with the dev webhook secret so the page cannot be made to pay another amount. "Payer" builds a
`checkout.session.completed` event shaped like Stripe's, signs it the Stripe way (Stripe-Signature:
t=...,v1=HMAC-SHA256) and hands the raw bytes and header to the webhook's own use case; "Annuler"
goes back to the cancel URL. The same session id comes back for the same idempotency key.
"""
import base64
import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from pydantic import BaseModel

from chalicelib.payments.checkout import SESSION_PLACEHOLDER, Checkout, CheckoutRequest

PAGE = "/dev/checkout"
LIFETIME = timedelta(hours=24)  # as a Stripe Checkout session by default


class LocalSession(BaseModel):
    id: str
    amount_cents: int
    currency: str
    reference: str
    description: str
    metadata: dict[str, str]
    success_url: str
    cancel_url: str
    expires_at: int


class InvalidSession(Exception):
    """The page's session was not made by this provider (or was changed)."""


class LocalCheckout:
    name = "local"

    def __init__(self, public_base_url: str, secret: str):
        self.base_url, self._secret = public_base_url.rstrip("/"), secret.encode()

    def checkout_origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        digest = hashlib.sha256(request.idempotency_key.encode()).hexdigest()[:24]
        session = LocalSession(
            id=f"cs_local_{digest}", amount_cents=request.amount_cents, currency=request.currency,
            reference=request.reference, description=request.description, metadata=request.metadata,
            success_url=request.success_url, cancel_url=request.cancel_url,
            expires_at=int(time.time() + LIFETIME.total_seconds()),
        )
        return Checkout(session_id=session.id, url=f"{self.base_url}{PAGE}?session={self.seal(session)}",
                        expires_at=datetime.fromtimestamp(session.expires_at, timezone.utc))

    # --- the session in the page's address -------------------------------------------------

    def seal(self, session: LocalSession) -> str:
        body = base64.urlsafe_b64encode(session.model_dump_json().encode()).rstrip(b"=")
        mac = base64.urlsafe_b64encode(hmac.new(self._secret, body, hashlib.sha256).digest()).rstrip(b"=")
        return f"{body.decode()}.{mac.decode()}"

    def open(self, sealed: str | None) -> LocalSession:
        body, _, mac = (sealed or "").partition(".")
        expected = base64.urlsafe_b64encode(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())
        if not body or not hmac.compare_digest(expected.rstrip(b"=").decode(), mac):
            raise InvalidSession()
        try:
            return LocalSession.model_validate_json(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except ValueError:
            raise InvalidSession() from None

    # --- what "Payer" and "Annuler" do -------------------------------------------------------

    def completed_event(self, session: LocalSession, now: int | None = None) -> tuple[bytes, str]:
        """The raw body and Stripe-Signature header of the event Stripe would send for this payment."""
        created = now if now is not None else int(time.time())
        event = {
            "id": f"evt_local_{hashlib.sha256(f'{session.id}:completed'.encode()).hexdigest()[:24]}",
            "object": "event", "api_version": "2025-01-01", "created": created, "livemode": False,
            "type": "checkout.session.completed",
            "data": {"object": {
                "id": session.id, "object": "checkout.session", "mode": "payment",
                "amount_total": session.amount_cents, "amount_subtotal": session.amount_cents,
                "currency": session.currency, "payment_status": "paid", "status": "complete",
                "payment_intent": f"pi_local_{session.id.removeprefix('cs_local_')}",
                "client_reference_id": session.reference, "metadata": session.metadata,
            }},
        }
        payload = json.dumps(event, separators=(",", ":")).encode()
        return payload, sign(payload, self._secret.decode(), created)

    @staticmethod
    def success_url(session: LocalSession) -> str:
        return session.success_url.replace(SESSION_PLACEHOLDER, session.id)


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """Stripe's webhook signature scheme: v1 = HMAC-SHA256(secret, "<t>.<body>")."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"
