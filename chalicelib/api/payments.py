"""The payment webhook: public (no authorizer), the raw body as sent, verified before anything is read.

Stripe (production) and the local test provider (development) both post here; the signature is
the only proof of origin, so the body is handed over byte for byte. 200 for every verified event
(recorded, already recorded, an anomaly recorded for the seller and the admins to refund or settle,
or ignored: Stripe stops retrying), 400 for a bad signature or a malformed body.
"""
from chalice import Blueprint
from pydantic import BaseModel, Field

from chalicelib.api.http import endpoint
from chalicelib.domain.errors import PayloadTooLarge
from chalicelib.services import payment_webhook as webhook_events

payments_api = Blueprint(__name__)

MAX_EVENT_BYTES = 64 * 1024  # a Checkout event is a few kilobytes


class WebhookReceived(BaseModel):
    received: bool = True
    outcome: str = Field(description="recorded, anomaly (a payment that is not the acompte, recorded in the history "
                                     "and emailed to the seller and the admins), duplicate, already_paid, "
                                     "checkout_closed or ignored")


@endpoint(payments_api, "/payments/webhook", method="POST", tag="payments",
          summary="Payment provider webhook (Stripe-Signature header, raw JSON body): confirms the acompte",
          response=WebhookReceived)
def payment_webhook():
    request = payments_api.current_request
    raw = request.raw_body or b""
    if len(raw) > MAX_EVENT_BYTES:
        raise PayloadTooLarge("Événement trop volumineux.")
    received = webhook_events.receive(raw, request.headers.get("stripe-signature"))
    return WebhookReceived(outcome=received.outcome)
