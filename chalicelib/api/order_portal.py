"""The order on the proposal's link (/p/{token}/commande): its page, a document's return from S3, a document,
the balance paid by card.

Registered on the portal's blueprint with its `page_route`: the same headers, nonce, error pages. The
page's upload forms post to the documents bucket (allowed in its CSP form-action); S3 sends the browser
back to `commande/document`, which keeps the file or says why not (services/order_portal.py). Its card
form posts to `commande/solde`, which sends the browser to the provider's checkout (services/balance.py).
"""
from typing import Any
from urllib.parse import urlsplit

from chalicelib.api.middleware import status_of
from chalicelib.api.portal import Page, Redirect, _context, _form, _root, _visitor, page_route, portal_api
from chalicelib.domain import errors
from chalicelib.domain.orders.documents import LABELS, DocumentKind
from chalicelib.services import balance, deposits, order_portal, visit as visits
from chalicelib.services.visit import Closed, Visit

PAGE_DEPTH = 1


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _order_page(visit: Visit, token: str, depth: int, status: int = 200, **extra: Any) -> Page | Redirect:
    """The order's page, or back to the link's page while there is no order to show (not signed, closed)."""
    shown = order_portal.shown(visit, order_portal.page_url(token))
    if shown is None:
        return Redirect(_root(token, depth))
    targets = sorted({_origin(r.form["url"]) for r in shown.requests if r.form}
                     | ({deposits.checkout_origin()} if shown.card_payable else set()))
    context = {**_context(visit, token, depth), "form_targets": tuple(targets), "order": shown,
               "received": None, **extra}
    return Page("order.html", status, context)


@page_route("/p/{token}/commande")
def order_page(token: str):
    params = dict(portal_api.current_request.query_params or {})
    try:
        received = LABELS[DocumentKind(params.get("recu") or "")]
    except ValueError:
        received = None
    return _order_page(visits.look(token), token, PAGE_DEPTH, received=received)


@page_route("/p/{token}/commande/document")
def document_received(token: str):
    """Where S3 sends the browser once it stored a file: kept → back to the page saying so (303, so a reload
    posts nothing again); refused → the page with the reason, nothing kept."""
    params = dict(portal_api.current_request.query_params or {})
    try:
        document = order_portal.received(token, params, _visitor())
    except Closed:
        return Redirect(_root(token, 2))
    except errors.DomainError as error:
        return _order_page(visits.look(token), token, 2, status=status_of(error), error=error)
    return Redirect(f"../commande?recu={document.kind.value}")


@page_route("/p/{token}/commande/documents/{document_id}")
def document_download(token: str, document_id: str):
    """One of the customer's documents: a redirect to a short-lived URL (another's: not found)."""
    try:
        return Redirect(order_portal.download(token, document_id))
    except Closed:
        return Redirect(_root(token, 3))
    except errors.NotFound:
        return Page("not_found.html", 404)



@page_route("/p/{token}/commande/solde", method="POST")
def pay_balance(token: str):
    """The order page's "Payer le solde par carte": off to the provider's checkout (303); refused → the
    page again, saying why, nothing changed."""
    try:
        return Redirect(balance.start(token, _form(), _visitor()))
    except Closed:
        return Redirect(_root(token, 2))
    except errors.DomainError as error:
        return _order_page(visits.look(token), token, 2, status=status_of(error), error=error)


@page_route("/p/{token}/commande/solde")
def balance_form(token: str):
    return Redirect("../commande")
