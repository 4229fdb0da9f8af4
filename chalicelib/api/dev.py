"""Routes that exist only in the dev stage (app.py registers this blueprint only there)."""
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from chalice import Blueprint, Response
from pydantic import BaseModel, EmailStr

from chalicelib.api.http import endpoint, parse
from chalicelib.domain import errors
from chalicelib.domain.model import Command
from chalicelib.domain.money import format_euros

if TYPE_CHECKING:
    from jinja2 import Environment
from chalicelib import payments
from chalicelib.payments import local
from chalicelib.services import dev_login, dev_outbox, payment_webhook
from chalicelib.settings import settings

dev_api = Blueprint(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Captured emails are shown as they were sent: no script runs, nothing is fetched from elsewhere.
OUTBOX_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


class DevLogin(Command):
    email: EmailStr


class DevToken(BaseModel):
    token: str
    dealer_id: str
    user_id: str
    role: str
    name: str


@endpoint(dev_api, "/dev/login", method="POST", summary="Development only: a seller token for a demo user",
          body=DevLogin, response=DevToken, tag="dev")
def login():
    command = parse(DevLogin, dev_api.current_request)
    return DevToken(**dev_login.login(command.email))


@endpoint(dev_api, "/dev/outbox.json", summary="Development only: emails and SMS captured by the local moto server",
          response=dev_outbox.Outbox, tag="dev")
def outbox_json():
    return dev_outbox.read()


@endpoint(dev_api, "/dev/outbox", summary="Development only: the captured emails and SMS as a page to read",
          tag="dev")
def outbox_page():
    page = _pages().get_template("dev/outbox.html").render(outbox=dev_outbox.read())
    return Response(body=page, headers={"Content-Type": "text/html; charset=utf-8",
                                        "Content-Security-Policy": OUTBOX_CSP})


# --- the local payment provider's checkout page (docs/payments.md) -----------------------------

def _checkout_provider() -> local.LocalCheckout:
    if settings().payment_provider != "local":
        raise errors.NotFound("Le prestataire de paiement local n'est pas utilisé.")
    provider = payments.provider()  # the one the portal opened the checkout with
    assert isinstance(provider, local.LocalCheckout)
    return provider


def _checkout_csp(provider: local.LocalCheckout) -> str:
    return ("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; "
            f"form-action 'self' {provider.checkout_origin()}")


def _session(provider: local.LocalCheckout, sealed: str | None) -> local.LocalSession:
    try:
        return provider.open(sealed)
    except local.InvalidSession:
        raise errors.NotFound("Session de paiement inconnue.") from None


def _posted_session() -> str | None:
    body = dev_api.current_request.raw_body or b""
    raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return dict(parse_qsl(raw)).get("session")


@endpoint(dev_api, "/dev/checkout", summary="Development only: the local payment provider's checkout page",
          tag="dev")
def checkout_page():
    provider = _checkout_provider()
    sealed = (dev_api.current_request.query_params or {}).get("session")
    session = _session(provider, sealed)
    page = _pages().get_template("dev/checkout.html").render(
        session=session, sealed=sealed, amount=format_euros(session.amount_cents))
    return Response(body=page, headers={"Content-Type": "text/html; charset=utf-8",
                                        "Content-Security-Policy": _checkout_csp(provider)})


@endpoint(dev_api, "/dev/checkout/pay", method="POST", tag="dev",
          summary="Development only: pays the local checkout; its signed event goes through the payment webhook")
def checkout_pay():
    provider = _checkout_provider()
    session = _session(provider, _posted_session())
    payload, signature = provider.completed_event(session)
    payment_webhook.receive(payload, signature)  # the webhook's own use case, with the raw bytes and header
    return Response(body="", status_code=303, headers={"Location": provider.success_url(session),
                                                       "Content-Security-Policy": _checkout_csp(provider)})


@endpoint(dev_api, "/dev/checkout/cancel", method="POST", tag="dev",
          summary="Development only: leaves the local checkout unpaid, back to the cancel URL")
def checkout_cancel():
    provider = _checkout_provider()
    session = _session(provider, _posted_session())
    return Response(body="", status_code=303, headers={"Location": session.cancel_url,
                                                       "Content-Security-Policy": _checkout_csp(provider)})


@lru_cache(maxsize=1)
def _pages() -> "Environment":
    from jinja2 import Environment, FileSystemLoader

    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
