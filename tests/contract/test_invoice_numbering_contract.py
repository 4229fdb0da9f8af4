"""The invoice writes' conditions on the in-memory table, DynamoDB Local and moto: a number is taken
from the value read only, an issued invoice is never rewritten, a credit never exceeds its invoice."""
import pytest

from chalicelib.domain.invoices import AlreadyInvoiced, CreditExceedsInvoice, NumberTaken
from chalicelib.store import invoices as store
from chalicelib.store import keys
from chalicelib.store.table import table
from tests.invoices_support import ISSUED_AT, draft

pytestmark = pytest.mark.usefixtures("any_dynamodb")


def issue(seq: int, source_id: str = "Q1"):
    invoice = draft().model_copy(update={"source_id": source_id}).issued(seq, ISSUED_AT)
    store.commit_numbered([store.numbered(invoice, store.counter("D1")), *store.new(invoice)])
    return invoice


def test_numbers_are_taken_one_after_the_other_from_the_value_read():
    issue(1, "Q1")
    issue(2, "Q2")
    assert store.counter("D1").value == 2 and store.get("D1", 2).number == "F000002"


def test_a_number_read_before_another_invoice_took_it_is_refused_and_nothing_is_written():
    stale = store.counter("D1")
    issue(1, "Q1")
    late = draft().model_copy(update={"source_id": "Q2"}).issued(1, ISSUED_AT)
    with pytest.raises(NumberTaken):
        store.commit_numbered([store.numbered(late, stale), *store.new(late)])
    assert store.get("D1", 1).source_id == "Q1"
    assert store.by_source("D1", "quote", "Q2") is None


def test_one_source_gets_one_invoice():
    issue(1, "Q1")
    with pytest.raises(AlreadyInvoiced):
        issue(2, "Q1")
    assert store.counter("D1").value == 1 and table.get(keys.invoice("D1", 2)) is None


def test_credits_add_up_to_the_invoice_s_total_and_no_more():
    invoice = issue(1)
    total = invoice.totals.ttc_cents
    table.write(store.credited(invoice, total - 100, 0))
    with pytest.raises(CreditExceedsInvoice):
        table.write(store.credited(invoice, 101, total - 100))
    table.write(store.credited(invoice, 100, total - 100))
    assert store.credited_cents("D1", 1) == total
