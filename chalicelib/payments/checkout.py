"""What every payment provider takes and gives: the checkout it opens, and how it fails.

Apart from the package's `provider()` so that the providers (local.py, stripe_checkout.py) import
these and the package imports the providers, never the other way round.
"""
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field

SESSION_PLACEHOLDER = "{CHECKOUT_SESSION_ID}"
"""Put in the success URL, replaced by the provider with the checkout's id (Stripe's own convention)."""


class CheckoutRequest(BaseModel):
    amount_cents: int = Field(ge=1)
    currency: str
    reference: str = Field(description="shown to the customer and kept as client_reference_id")
    description: str
    metadata: dict[str, str]
    success_url: str
    cancel_url: str
    idempotency_key: str
    """The same key gives the same checkout: so every other parameter must be the same too (Stripe checks)."""


class Checkout(BaseModel):
    session_id: str
    url: str
    expires_at: datetime


class PaymentProvider(Protocol):
    name: str

    def create_checkout(self, request: CheckoutRequest) -> Checkout: ...

    def checkout_origin(self) -> str:
        """The origin the portal's pay form may redirect to (CSP form-action)."""
        ...


class ProviderFailed(Exception):
    """The provider could not open the checkout (network, refused request): nothing was recorded."""
