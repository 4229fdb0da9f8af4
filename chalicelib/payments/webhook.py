"""The one verification of payment webhooks, Stripe's and the local provider's alike.

`verify` checks the `Stripe-Signature` header (t=<unix time>,v1=<HMAC-SHA256 of "t.body">) with
stripe.Webhook.construct_event, refusing events older than five minutes, and returns a typed event:
only the fields the use cases read, never card data (Checkout events carry none, and nothing else is kept).
"""
from typing import Any

from pydantic import BaseModel

TOLERANCE_SECONDS = 300
COMPLETED = "checkout.session.completed"
EXPIRED = "checkout.session.expired"
DEPOSIT = "deposit"  # the purpose of a checkout whose metadata names none: the acompte's never did


class InvalidSignature(Exception):
    """The body was not signed with our webhook secret, was changed, or is too old."""


class MalformedEvent(Exception):
    """Signed, but not shaped like a provider event (no id or type, a checkout session without its id or
    with fields of the wrong type): nothing to act on."""


class CheckoutSession(BaseModel):
    id: str
    amount_total: int | None = None
    currency: str | None = None
    payment_status: str | None = None
    payment_intent: str | None = None
    client_reference_id: str | None = None
    metadata: dict[str, str] = {}

    @property
    def purpose(self) -> str:
        """What the checkout was opened for, as its signed metadata says: the use case its events go to."""
        return self.metadata.get("purpose") or DEPOSIT


class PaymentEvent(BaseModel):
    id: str
    type: str
    livemode: bool = False
    session: CheckoutSession | None = None
    """Set for checkout.session.* events."""


def verify(payload: bytes, signature_header: str | None, secret: str) -> PaymentEvent:
    import stripe

    try:
        event = stripe.Webhook.construct_event(payload, signature_header, secret, tolerance=TOLERANCE_SECONDS)
        return _event(event.to_dict())
    except stripe.SignatureVerificationError as refused:
        raise InvalidSignature(type(refused).__name__) from None
    except (KeyError, TypeError, AttributeError, ValueError) as malformed:  # not JSON, not an event; pydantic's
        raise MalformedEvent(type(malformed).__name__) from None             # ValidationError is a ValueError


def _event(data: dict[str, Any]) -> PaymentEvent:
    kind = str(data.get("type") or "")
    if not data.get("id") or not kind:
        raise KeyError("id or type")
    session = None
    obj = (data.get("data") or {}).get("object") or {}
    if kind.startswith("checkout.session.") and obj.get("object") == "checkout.session":
        session = CheckoutSession(
            id=obj["id"], amount_total=obj.get("amount_total"), currency=obj.get("currency"),
            payment_status=obj.get("payment_status"), payment_intent=_id_of(obj.get("payment_intent")),
            client_reference_id=obj.get("client_reference_id"),
            metadata={str(k): str(v) for k, v in (obj.get("metadata") or {}).items()},
        )
    return PaymentEvent(id=str(data["id"]), type=kind, livemode=bool(data.get("livemode")), session=session)


def _id_of(value: Any) -> str | None:
    """payment_intent is an id, or an object when expanded."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None
