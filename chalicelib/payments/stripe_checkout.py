"""Stripe Checkout (production): opens a hosted payment page for the acompte.

The official library, pinned in requirements.txt, is imported only here and only when a checkout is
opened, so importing the app stays cheap. `http_client` is for tests (no network).
"""
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from chalicelib.payments.checkout import Checkout, CheckoutRequest, ProviderFailed

CHECKOUT_ORIGIN = "https://checkout.stripe.com"
NETWORK_RETRIES = 2  # the idempotency key makes a retried create return the same session

if TYPE_CHECKING:
    from stripe.params.checkout import SessionCreateParams


class StripeCheckout:
    name = "stripe"

    def __init__(self, secret_key: str, http_client=None):
        import stripe

        self._client = stripe.StripeClient(secret_key, http_client=http_client, max_network_retries=NETWORK_RETRIES)

    def checkout_origin(self) -> str:
        return CHECKOUT_ORIGIN

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        import stripe

        params: "SessionCreateParams" = {
            "mode": "payment",
            # stripe 16's typed params list only allowed_payment_method_types; the request keeps this field.
            "payment_method_types": ["card"],  # type: ignore[typeddict-unknown-key]
            "line_items": [{
                "quantity": 1,
                "price_data": {"currency": request.currency, "unit_amount": request.amount_cents,
                               "product_data": {"name": request.description}},
            }],
            "client_reference_id": request.reference,
            "metadata": request.metadata,
            "payment_intent_data": {"metadata": request.metadata, "description": request.description},
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "locale": "fr",
        }
        try:
            session = self._client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": request.idempotency_key})
        except stripe.StripeError as failure:
            raise ProviderFailed(f"stripe: {type(failure).__name__}") from None
        # Stripe's default lifetime (24 hours): an expiry of our own would differ between two requests
        # made under the same idempotency key, which Stripe refuses.
        return Checkout(session_id=session.id, url=session.url,
                        expires_at=datetime.fromtimestamp(session.expires_at, timezone.utc))
