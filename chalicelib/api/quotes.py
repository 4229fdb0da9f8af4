"""Dealer API: quotes (devis), with or without the remote-selling option."""
from chalice import Blueprint

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint, parse, parse_query
from chalicelib.domain.proposals.views import DocumentLink
from chalicelib.domain.quotes import NewQuote, Quote, QuoteChange, QuoteListQuery, QuotePage
from chalicelib.services import quotes

quotes_api = Blueprint(__name__)


@endpoint(quotes_api, "/quotes", method="POST",
          summary="Create a quote (from the quote list, a contact, or a lead)",
          body=NewQuote, response=Quote, status=201, authorizer=seller_auth)
def create_quote():
    staff = current_staff(quotes_api)
    command = parse(NewQuote, quotes_api.current_request)
    return quotes.create(staff.dealer_id, command, by=staff)


@endpoint(quotes_api, "/quotes", summary="Quotes, newest first (?account_id=&limit=&cursor=)",
          response=QuotePage, authorizer=seller_auth)
def list_quotes():
    staff = current_staff(quotes_api)
    query = parse_query(QuoteListQuery, quotes_api.current_request)
    return quotes.page(staff.dealer_id, query)


@endpoint(quotes_api, "/quotes/{quote_id}", summary="One quote with its totals", response=Quote,
          authorizer=seller_auth)
def read_quote(quote_id: str):
    staff = current_staff(quotes_api)
    return quotes.get(staff.dealer_id, quote_id)


@endpoint(quotes_api, "/quotes/{quote_id}", method="PATCH",
          summary="Change a quote (the fields given; `version` as read)",
          body=QuoteChange, response=Quote, authorizer=seller_auth)
def change_quote(quote_id: str):
    staff = current_staff(quotes_api)
    change = parse(QuoteChange, quotes_api.current_request)
    return quotes.change(staff.dealer_id, quote_id, change, by=staff)


@endpoint(quotes_api, "/quotes/{quote_id}/duplicate", method="POST", summary="Duplicate a quote",
          response=Quote, status=201, authorizer=seller_auth)
def duplicate_quote(quote_id: str):
    staff = current_staff(quotes_api)
    return quotes.duplicate(staff.dealer_id, quote_id, by=staff)


@endpoint(quotes_api, "/quotes/{quote_id}/pdf", summary="The quote's PDF: stored, with a short-lived download URL",
          response=DocumentLink, authorizer=seller_auth)
def quote_pdf(quote_id: str):
    staff = current_staff(quotes_api)
    return quotes.render_pdf(staff.dealer_id, quote_id)
