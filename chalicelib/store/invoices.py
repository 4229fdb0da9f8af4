"""Invoices: the dealer's number sequence, the immutable invoice items, what was credited on them.

The number is taken in the transaction that stores the invoice: the counter moves from the
value read to the next one only if nobody moved it meanwhile (else NumberTaken, and the use
case reads it again). The invoice is written if absent and never rewritten.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterator

from botocore.exceptions import ClientError

from chalicelib.domain import local_time
from chalicelib.domain.errors import NotFound
from chalicelib.domain.orders.model import OrderSource
from chalicelib.domain.invoices import (
    AlreadyInvoiced, CreditExceedsInvoice, Invoice, InvoiceSource, InvoiceSummary, NumberTaken, seq_of,
)
from chalicelib.store import keys, paging
from chalicelib.store.table import Condition, Put, Update, Write, if_absent, table
from chalicelib.store.unit_of_work import commit

_NOT_FOUND = NotFound("Facture introuvable.")


@dataclass(frozen=True)
class Counter:
    """The dealer's last invoice number and when it was issued (the next one is never earlier)."""
    value: int = 0
    last_issued_at: datetime | None = None


def counter(dealer_id: str) -> Counter:
    item = table.get(keys.invoice_counter(dealer_id))
    if item is None:
        return Counter()
    return Counter(int(item["value"]), datetime.fromisoformat(item["last_issued_at"]))


def numbered(invoice: Invoice, read: Counter) -> Update:
    """Moves the counter to the invoice's number, only from the value read (no gap, no duplicate)."""
    condition = (Condition("attribute_not_exists(#value)", {"#value": "value"}) if read.value == 0 else
                 Condition("#value = :read", {"#value": "value"}, {":read": read.value}))
    return Update(keys.invoice_counter(invoice.dealer_id),
                  set={"value": invoice.seq, "last_issued_at": invoice.issued_at.isoformat()},
                  condition=condition, error=NumberTaken())


def new(invoice: Invoice) -> list[Write]:
    """The invoice, written once, and its source marker (one invoice per paid acompte, handover, refund);
    a credit note is also listed under the invoice it credits."""
    credited = seq_of(invoice.credited_number) if invoice.credited_number else None
    listed = [] if credited is None else [
        Put(keys.invoice_credit_note(invoice.dealer_id, credited, invoice.seq),
            InvoiceSummary.of(invoice).model_dump(mode="json"), if_absent(), error=NumberTaken())]
    return [*listed,
        Put(keys.invoice(invoice.dealer_id, invoice.seq),
            {**invoice.model_dump(mode="json"), **keys.invoice_listing(invoice.dealer_id, invoice.issued_at,
                                                                      invoice.seq)},
            if_absent(), error=NumberTaken()),
        Put(keys.invoice_source(invoice.dealer_id, invoice.source.value, invoice.source_id),
            {"seq": invoice.seq, "number": invoice.number}, if_absent(), error=AlreadyInvoiced()),
    ]


def credited(invoice: Invoice, amount_cents: int, already: int) -> Update:
    """Adds a credit note's amount to what was credited on `invoice`, never beyond its total."""
    remaining = invoice.totals.ttc_cents - amount_cents
    return Update(keys.invoice_credited(invoice.dealer_id, invoice.seq), add={"credited_cents": amount_cents},
                  condition=Condition("attribute_not_exists(#credited) OR #credited <= :most",
                                      {"#credited": "credited_cents"}, {":most": remaining}),
                  error=CreditExceedsInvoice(invoice.totals.ttc_cents - already))


def credit_notes_of(dealer_id: str, seq: int) -> list[InvoiceSummary]:
    """The credit notes issued on an invoice, in number order: one Query."""
    partition, prefix = keys.invoice_credits(dealer_id, seq)
    return [InvoiceSummary.model_validate(item) for item in table.query_all(partition, prefix)
            if "#NOTE#" in item[keys.SK]]


def credited_cents(dealer_id: str, seq: int) -> int:
    item = table.get(keys.invoice_credited(dealer_id, seq))
    return int(item["credited_cents"]) if item else 0


def commit_numbered(writes: list[Write]) -> None:
    """Commits an invoice's transaction. Two invoices of a dealer racing for one number may also meet as a
    transaction conflict (both in flight on the counter): that too is a number lost to the other."""
    try:
        commit(writes)
    except ClientError as error:
        reasons = error.response.get("CancellationReasons", [])
        if any(r.get("Code") == "TransactionConflict" for r in reasons) \
                or error.response["Error"]["Code"] == "TransactionConflictException":
            raise NumberTaken() from None
        raise


def get(dealer_id: str, seq: int) -> Invoice:
    item = table.get(keys.invoice(dealer_id, seq))
    if item is None:
        raise _NOT_FOUND
    return Invoice.model_validate(item)


def by_source(dealer_id: str, source: str, source_id: str) -> Invoice | None:
    marker = table.get(keys.invoice_source(dealer_id, source, source_id))
    return get(dealer_id, int(marker["seq"])) if marker else None


def of_proposal(dealer_id: str, proposal_id: str) -> list[Invoice]:
    """The deposit invoice of a proposal, the final invoice of the order it opened and the credit notes issued on
    either (the portal shows them), in number order: batch reads of their markers, then of the invoices, a Query
    of each invoice's credit notes and a batch read of those; a signed proposal with no order nor invoice yet
    costs one read."""
    deposit = keys.invoice_source(dealer_id, InvoiceSource.DEPOSIT.value, proposal_id)
    origin = keys.order_origin(dealer_id, OrderSource.PROPOSAL.value, proposal_id)
    read = {item[keys.SK]: item for item in table.batch_get([deposit, origin])}
    markers = [read[deposit[keys.SK]]] if deposit[keys.SK] in read else []
    if origin[keys.SK] in read:
        markers += table.batch_get([keys.invoice_source(dealer_id, InvoiceSource.HANDOVER.value,
                                                        read[origin[keys.SK]]["order_id"])])
    if not markers:
        return []
    found = [Invoice.model_validate(item)
             for item in table.batch_get([keys.invoice(dealer_id, int(marker["seq"])) for marker in markers])]
    notes = [seq_of(note.number) for invoice in found for note in credit_notes_of(dealer_id, invoice.seq)]
    if notes:
        found += [Invoice.model_validate(item)
                  for item in table.batch_get([keys.invoice(dealer_id, seq) for seq in notes if seq is not None])]
    return sorted(found, key=lambda invoice: invoice.seq)


def page(dealer_id: str, limit: int, cursor: str | None) -> tuple[list[Invoice], str | None]:
    """Newest first: one Query."""
    partition, prefix = keys.invoices_of(dealer_id)
    start = paging.decode(cursor, {keys.PK: partition}, prefix)
    items, after = table.query(partition, prefix, limit=limit, start_after=start, newest_first=True)
    return [Invoice.model_validate(i) for i in items], paging.encode(after)


def issued_between(dealer_id: str, first_day: date, last_day: date) -> Iterator[Invoice]:
    """The invoices issued from `first_day` to `last_day` (Paris days), oldest first, reading only those."""
    partition = keys.invoices_list(dealer_id)
    start = keys.iso(local_time.end_of_day(first_day - timedelta(days=1)))
    end = keys.iso(local_time.end_of_day(last_day))
    found: list[Invoice] = []
    after = None
    while True:
        items, after = table.query(partition, index=keys.LIST_INDEX, partition_attribute=keys.LIST_PK,
                                   sort_attribute=keys.LIST_SK, sort_at_most=end, newest_first=True,
                                   start_after=after, limit=200)
        for item in items:
            if item[keys.LIST_SK] <= start:
                return iter(reversed(found))
            found.append(Invoice.model_validate(item))
        if after is None:
            return iter(reversed(found))
