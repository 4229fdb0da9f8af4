"""Card payment of the acompte: a small provider interface, Stripe Checkout and the local test provider.

A provider opens a checkout (amount, currency, reference, metadata, where to come back, under an
idempotency key) and says where the customer pays it. Whatever the provider, the payment is
confirmed by one webhook (POST /payments/webhook) whose events are signed the Stripe way and
verified by `webhook.verify` with stripe.Webhook.construct_event: the local provider signs its own
events with the dev webhook secret and hands them to the same code. No domain rule lives here.
"""
from chalicelib.payments.checkout import (
    SESSION_PLACEHOLDER,
    Checkout,
    CheckoutRequest,
    PaymentProvider,
    ProviderFailed,
)
from chalicelib.settings import settings

__all__ = ["SESSION_PLACEHOLDER", "Checkout", "CheckoutRequest", "PaymentProvider", "ProviderFailed",
           "checkout_origin", "provider"]


def provider() -> PaymentProvider:
    """The provider of this stage: Stripe in production, the local test provider in development."""
    config = settings()
    if config.payment_provider == "stripe":
        from chalicelib.payments.stripe_checkout import StripeCheckout

        assert config.stripe_secret_key is not None, "OFFERLINE_STRIPE_SECRET_KEY is required with Stripe"
        return StripeCheckout(config.stripe_secret_key.get_secret_value())
    from chalicelib.payments.local import LocalCheckout

    return LocalCheckout(config.public_base_url, config.stripe_webhook_secret.get_secret_value())


def checkout_origin() -> str:
    """The origin of this stage's checkout pages, without opening anything."""
    config = settings()
    if config.payment_provider == "stripe":
        from chalicelib.payments.stripe_checkout import CHECKOUT_ORIGIN

        return CHECKOUT_ORIGIN
    from chalicelib.payments.local import LocalCheckout

    return LocalCheckout(config.public_base_url, config.stripe_webhook_secret.get_secret_value()).checkout_origin()
