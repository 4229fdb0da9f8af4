"""Use cases on quotes: create (from the list, a contact or a lead), change, duplicate, PDF.

Quotes work with or without the remote-selling option. Each change commits one unit of work;
a quote made from a lead is the lead's offer in the same one.
"""
import hashlib

from chalicelib.documents import pdf, storage
from chalicelib.domain import clock, local_time
from chalicelib.domain.customers import AccountView, Contact
from chalicelib.domain.dealers import Staff, User
from chalicelib.domain.errors import InvalidInput, NotFound, StaleVersion
from chalicelib.domain.ids import new_id
from chalicelib.domain.leads.model import offer_linked
from chalicelib.domain.proposals.views import DocumentLink, document_of_quote
from chalicelib.domain.quotes import (
    LineInput, NewQuote, Quote, QuoteChange, QuoteLine, QuoteListQuery, QuotePage, build_lines, check_validity,
    default_validity,
)
from chalicelib.services import vehicles
from chalicelib.store import customers as customer_store
from chalicelib.store import dealers as dealer_store
from chalicelib.store import leads as lead_store
from chalicelib.store import quotes as store
from chalicelib.store.unit_of_work import UnitOfWork, commit

PDF_URL_SECONDS = 300


def create(dealer_id: str, command: NewQuote, by: Staff) -> Quote:
    dealer = dealer_store.get(dealer_id)
    account = _account(dealer_id, command.account_id)
    if command.contact_id is not None:
        _contact(account, command.contact_id)
    seller_id = _seller(dealer_id, command.seller_id or by.user_id).id
    now = clock.now()
    today = local_time.paris_date(now)
    valid_until = command.valid_until or default_validity(now, dealer.settings.proposal_validity_days)
    check_validity(valid_until, today)
    lines = lines_of(dealer_id, command.lines)  # before the number: an unknown vehicle takes none
    number = store.next_document_number(dealer_id, "D", local_time.number_year(now))
    quote = Quote(
        id=new_id(), dealer_id=dealer_id, number=number,
        origin=command.origin,
        lead_id=command.lead_id, account_id=account.account.id, contact_id=command.contact_id, seller_id=seller_id,
        lines=lines, valid_until=valid_until, notes=command.notes,
        created_at=now, created_by=by.user_id, updated_at=now,
    )
    work = UnitOfWork(store.created(quote))
    if quote.lead_id is not None:
        offer = lead_store.get(dealer_id, quote.lead_id).offer(quote.id, f"Devis {quote.number}", now, by.user_id)
        work.add(lead_store.recorded(dealer_id, quote.lead_id, offer, offer_linked(new_id(), offer), counted=True))
    work.commit()
    return quote


def get(dealer_id: str, quote_id: str) -> Quote:
    return store.get(dealer_id, quote_id)


def page(dealer_id: str, query: QuoteListQuery) -> QuotePage:
    items, cursor = store.page(dealer_id, query.limit, query.cursor, query.account_id)
    return QuotePage(items=items, next_cursor=cursor)


def change(dealer_id: str, quote_id: str, command: QuoteChange, by: Staff) -> Quote:
    quote = store.get(dealer_id, quote_id)
    if command.version != quote.version:
        raise StaleVersion("Ce devis")
    if command.contact_id is not None:
        _contact(_account(dealer_id, quote.account_id), command.contact_id)
    if command.seller_id is not None:
        _seller(dealer_id, command.seller_id)
    if command.valid_until is not None:
        check_validity(command.valid_until, local_time.paris_date(clock.now()))
    lines = lines_of(dealer_id, command.lines) if command.lines is not None else None
    changed = quote.changed(command, lines, clock.now())
    commit(store.saved(changed))
    return changed


def duplicate(dealer_id: str, quote_id: str, by: Staff) -> Quote:
    """A new draft quote with the same customer and lines, a new number and a fresh validity."""
    quote = store.get(dealer_id, quote_id)
    dealer = dealer_store.get(dealer_id)
    now = clock.now()
    copy = quote.duplicate(
        new_id(), store.next_document_number(dealer_id, "D", local_time.number_year(now)), by.user_id, now,
        default_validity(now, dealer.settings.proposal_validity_days),
    )
    copy = copy.model_copy(update={"lines": [line.model_copy(update={"id": new_id()}) for line in copy.lines]})
    commit(store.created(copy))
    return copy


def render_pdf(dealer_id: str, quote_id: str) -> DocumentLink:
    """Renders the quote's current version, stores it, and gives a short-lived download URL."""
    quote = store.get(dealer_id, quote_id)
    dealer = dealer_store.get(dealer_id)
    account = customer_store.get_account(dealer_id, quote.account_id)
    seller = _user_or_none(dealer_id, quote.seller_id)
    document = document_of_quote(quote, dealer, account.account, quote.addressee(account),
                                 seller.seller_block() if seller else None)
    data = pdf.render_quote(document)
    key = storage.quote_pdf_key(dealer_id, quote.id, quote.version)
    storage.put(key, data, "application/pdf")
    return DocumentLink(s3_key=key, sha256=hashlib.sha256(data).hexdigest(), size=len(data), version=quote.version,
                        url=storage.download_url(key, f"devis-{quote.number}-v{quote.version}.pdf", PDF_URL_SECONDS),
                        url_expires_in=PDF_URL_SECONDS)


# --- references given in a request must exist in this dealer ------------------------

def lines_of(dealer_id: str, inputs: list[LineInput]) -> list[QuoteLine]:
    """The lines; a vehicle line naming a stock vehicle takes its details from the stock, as they are now
    (the line keeps that snapshot; another dealer's vehicle is a 404)."""
    return build_lines(inputs, new_id, lambda vehicle_id: vehicles.get(dealer_id, vehicle_id).quote_details())


def _account(dealer_id: str, account_id: str) -> AccountView:
    try:
        return customer_store.get_account(dealer_id, account_id)
    except NotFound:
        raise InvalidInput("Compte client inconnu.", {"account_id": "unknown account"}) from None


def _contact(account: AccountView, contact_id: str) -> Contact:
    try:
        return account.contact(contact_id)
    except NotFound:
        raise InvalidInput("Ce contact n'appartient pas au compte client du devis.",
                           {"contact_id": "not a contact of this account"}) from None


def _seller(dealer_id: str, user_id: str) -> User:
    user = _user_or_none(dealer_id, user_id)
    if user is None or not user.active:
        raise InvalidInput("Vendeur inconnu ou désactivé.", {"seller_id": "unknown or inactive user"})
    return user


def _user_or_none(dealer_id: str, user_id: str) -> User | None:
    try:
        return dealer_store.get_user(dealer_id, user_id)
    except NotFound:
        return None
