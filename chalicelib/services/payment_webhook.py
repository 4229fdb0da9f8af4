"""A provider event, from POST /payments/webhook or the local provider's "Payer" (SPEC E.6): verified, then
handed by its type and its checkout's purpose to the use case that opened the checkout, the acompte
(services/deposits) or an order's balance (services/balance); neither knows of the other.
"""
from chalicelib.domain.errors import InvalidInput
from chalicelib.observability import logger
from chalicelib.payments import webhook
from chalicelib.services import balance, deposits
from chalicelib.services.payment_events import Judge, Outcome, Received, judged
from chalicelib.settings import settings

COMPLETED: dict[str, Judge] = {webhook.DEPOSIT: deposits.confirmed, balance.PURPOSE: balance.confirmed}


class InvalidSignature(InvalidInput):
    code = "invalid_signature"

    def __init__(self) -> None:
        super().__init__("Signature du webhook invalide.", {"stripe-signature": "invalid, missing or too old"})


class InvalidEvent(InvalidInput):
    code = "invalid_event"

    def __init__(self) -> None:
        super().__init__("Événement de paiement mal formé.", {"body": "not a provider event"})


def receive(payload: bytes, signature: str | None) -> Received:
    """A provider event, as its raw bytes and Stripe-Signature header arrived."""
    try:
        event = webhook.verify(payload, signature, settings().stripe_webhook_secret.get_secret_value())
    except webhook.InvalidSignature as refused:
        logger.warning("payment webhook refused", extra={"reason": str(refused)})
        raise InvalidSignature() from None
    except webhook.MalformedEvent as malformed:
        logger.warning("payment webhook malformed", extra={"reason": str(malformed)})
        raise InvalidEvent() from None
    session = event.session
    if session is not None and event.type == webhook.COMPLETED and session.purpose in COMPLETED:
        return judged(event, session, COMPLETED[session.purpose])
    if session is not None and event.type == webhook.EXPIRED and session.purpose == webhook.DEPOSIT:
        return deposits.expired(event, session)  # the balance keeps no checkout to close: nothing to do
    logger.info("payment webhook ignored", extra={"event_id": event.id, "event_type": event.type,
                                                  "purpose": session.purpose if session else None})
    return Received(Outcome.IGNORED)
