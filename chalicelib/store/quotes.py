"""Quotes, and the dealer's numbering sequences (quotes' and proposals' numbers)."""
from chalicelib.domain.errors import NotFound
from chalicelib.domain.quotes import Quote, document_number
from chalicelib.store import keys, paging
from chalicelib.store.table import Check, Put, Update, if_absent, if_attribute_equals, if_exists, if_version, table


def next_number(dealer_id: str, sequence: str) -> int:
    """The next value of a dealer's sequence (e.g. "quote-2026"): atomic, never twice, gaps possible.

    Outside the use case's unit of work (a transaction cannot read what it adds): a use case
    that fails after it leaves a gap in the numbers, never a duplicate.
    """
    item = table.write(Update(keys.counter(dealer_id, sequence), add={"value": 1}))
    assert item is not None  # an Update returns the item as written
    return int(item["value"])


def next_document_number(dealer_id: str, prefix: str, year: int) -> str:
    """The next number of a dealer's documents of this prefix and year (domain/quotes.document_number)."""
    return document_number(prefix, year, next_number(dealer_id, f"{prefix}-{year}"))


def created(quote: Quote) -> Put:
    return Put(keys.quote(quote.dealer_id, quote.id), _item(quote), if_absent())


def still_exists(quote: Quote) -> Check:
    """A transaction guard: the quote has not been deleted meanwhile."""
    return Check(keys.quote(quote.dealer_id, quote.id), if_exists())


def get(dealer_id: str, quote_id: str) -> Quote:
    item = table.get(keys.quote(dealer_id, quote_id))
    if item is None:
        raise NotFound("Devis introuvable.")
    return Quote.model_validate(item)


def saved(quote: Quote) -> Put:
    """The changed quote, if nobody changed it since it was read."""
    return Put(keys.quote(quote.dealer_id, quote.id), _item(quote), if_version(quote.version - 1))


def page(dealer_id: str, limit: int, cursor: str | None,
         account_id: str | None = None) -> tuple[list[Quote], str | None]:
    """Newest first; one page, optionally one customer's."""
    partition, prefix = keys.quotes_of(dealer_id)
    start = paging.decode(cursor, {keys.PK: partition}, prefix)
    condition = if_attribute_equals("account_id", account_id) if account_id else None
    items, after = table.query(partition, prefix, limit=limit, start_after=start, newest_first=True,
                               filter=condition)
    return [Quote.model_validate(i) for i in items], paging.encode(after)


def _item(quote: Quote) -> dict:
    """The quote as entered: its totals (and each line's) are worked out again on every read, never stored."""
    return quote.model_dump(mode="json", exclude_computed_fields=True)
