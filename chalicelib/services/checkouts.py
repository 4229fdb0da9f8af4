"""A card checkout at the payment provider, as the acompte (services/deposits) and the balance
(services/balance) open it. The provider keeps the return addresses, so they carry a single-purpose
return reference (decision 32), never the portal token."""
from dataclasses import dataclass

from chalicelib import payments
from chalicelib.domain import deposits as rules
from chalicelib.domain.deposits import RETURN_PATH, PaymentUnavailable
from chalicelib.observability import logger
from chalicelib.payments import SESSION_PLACEHOLDER, CheckoutRequest, ProviderFailed
from chalicelib.payments.checkout import Checkout
from chalicelib.settings import settings


@dataclass(frozen=True)
class OpenedCheckout:
    checkout: Checkout
    provider: str
    return_reference: str  # stored hashed by the caller, beside what the checkout is for


def open_checkout(key: str, amount_cents: int, reference: str, description: str, metadata: dict[str, str],
                  log: dict[str, str]) -> OpenedCheckout:
    """The checkout for this idempotency key (the same one again when a start is retried)."""
    provider = payments.provider()
    return_reference = rules.return_reference(settings().code_hmac_secret.get_secret_value(), key)
    return_url = f"{settings().public_base_url}{RETURN_PATH}{return_reference}"
    try:
        checkout = provider.create_checkout(CheckoutRequest(
            amount_cents=amount_cents, currency=rules.CURRENCY, reference=reference, description=description,
            metadata=metadata, success_url=f"{return_url}/paid?session_id={SESSION_PLACEHOLDER}",
            cancel_url=f"{return_url}/cancelled", idempotency_key=key,
        ))
    except ProviderFailed as failure:
        logger.warning("checkout failed", extra={**log, "reason": str(failure)})
        raise PaymentUnavailable() from None
    return OpenedCheckout(checkout, provider.name, return_reference)
