"""Invoice use cases on the in-memory table: the acompte paid, the handover, a refund, a quote invoiced,
a correction; the numbering, the list, the download, the export, another dealer."""
import copy
import csv
import io
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from chalicelib.documents import storage
from chalicelib.domain.customers import AccountKind, NewAccount, NewContact
from chalicelib.domain.dealers import DealerLegalChange
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.invoices import (
    AlreadyInvoiced, CreditExceedsInvoice, ExportQuery, InvoiceKind, InvoiceListQuery, NewCreditNote,
)
from chalicelib.domain.quotes import NewQuote
from chalicelib.services import customers, dealers, invoices, quotes
from chalicelib.store import keys
from tests.invoices_support import customer, proposal_item, used_car_sale
from tests.offers import LEGAL
from tests.orders_support import garage
from tests.support import at

PAID_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def g(memory):
    at(PAID_AT)
    g = garage()
    dealers.change_legal(g.dealer_id, DealerLegalChange(**LEGAL), by=g.admin)
    proposal_item(g.dealer_id, "P0", "P1", "P2")
    return g


def deposit(g, proposal_id="P1", amount=100_000):
    return invoices.deposit_paid(g.dealer_id, proposal_id, "P2026-00012", customer(), used_car_sale(), amount,
                                 PAID_AT)


def handover(g, order_id="O1", deposit_of="P1"):
    return invoices.handed_over(g.dealer_id, order_id, "P2026-00012", customer(), used_car_sale(),
                                date(2026, 3, 20), deposit_of=deposit_of)


def outbox(memory) -> list[dict]:
    return [item for (_, sk), item in memory.items.items() if sk.startswith(keys.OUTBOX_PREFIX)]


def test_a_paid_acompte_gets_the_dealer_s_first_deposit_invoice_emailed_with_its_pdf(memory, g):
    invoice = deposit(g)
    assert (invoice.number, invoice.kind, invoice.totals.ttc_cents) == ("F000001", InvoiceKind.DEPOSIT, 100_000)
    assert invoice.seller.legal.siret == LEGAL["siret"] and invoice.buyer.name == "Marie Durand"
    [message] = outbox(memory)
    assert message["to"] == "marie@example.com" and message["purpose"] == "invoice_deposit"
    assert message["attachments"] == [{"filename": "facture-F000001.pdf", "content_type": "application/pdf",
                                       "s3_key": storage.invoice_pdf_key(g.dealer_id, "F000001")}]


def test_a_replayed_payment_returns_its_invoice_and_takes_no_number(memory, g):
    first = deposit(g)
    before = copy.deepcopy(memory.items)
    assert deposit(g) == first
    assert memory.items == before


def test_the_handover_invoice_deducts_the_deposit_invoice(g):
    paid = deposit(g)
    final = handover(g)
    assert (final.number, final.kind) == ("F000002", InvoiceKind.FINAL)
    assert [(d.number, d.ttc_cents) for d in final.deductions] == [(paid.number, 100_000)]
    assert final.totals.due_cents == final.totals.ttc_cents - 100_000
    assert final.sale_date == date(2026, 3, 20)


def test_an_order_s_buyer_is_read_from_the_customer_file_with_its_address(g):
    account = customers.create_account(g.dealer_id, NewAccount(
        kind=AccountKind.COMPANY, name="Durand Transports", siren="552100554",
        address={"line1": "3 place Bellecour", "postal_code": "69002", "city": "Lyon"},
        contact=NewContact(first_name="Marie", last_name="Durand", email="marie@example.com")))
    buyer = invoices.buyer_of(g.dealer_id, account.account.id, None)
    final = invoices.handed_over(g.dealer_id, "O9", None, buyer, used_car_sale(), date(2026, 3, 20))
    assert (final.buyer.name, final.buyer.contact_name, final.buyer.siren) == ("Durand Transports", "Marie Durand",
                                                                               "552100554")
    assert final.buyer.address is not None and final.buyer.address.city == "Lyon" and final.deductions == []


def test_a_refunded_acompte_gets_a_credit_note_and_the_handover_deducts_only_what_was_kept(g):
    deposit(g)
    note = invoices.refunded(g.dealer_id, "P1", "R1", 40_000, "Remboursement partiel de l'acompte")
    assert (note.kind, note.credited_number, note.totals.ttc_cents) == (InvoiceKind.CREDIT_NOTE, "F000001", 40_000)
    assert invoices.refunded(g.dealer_id, "P1", "R1", 40_000, "rejoué") == note
    assert handover(g).deductions[0].ttc_cents == 60_000
    assert invoices.refunded(g.dealer_id, "no-such-proposal", "R2", 1, "x") is None


def test_a_quote_for_a_service_contract_alone_is_invoiced_once(g):
    account = customers.create_account(g.dealer_id, NewAccount(
        kind=AccountKind.COMPANY, name="Durand Transports", siren="552100554",
        contact=NewContact(first_name="Marie", last_name="Durand", email="marie@example.com")))
    quote = quotes.create(g.dealer_id, NewQuote.model_validate({
        "account_id": account.account.id, "lines": [
            {"kind": "service_contract", "label": "Contrat d'entretien 36 mois", "unit_price_cents": 90_000,
             "vat_rate": 20}]}, strict=False), by=g.seller)
    invoice = invoices.from_quote(g.dealer_id, quote.id, by=g.seller)
    assert (invoice.kind, invoice.order_reference, invoice.totals.ttc_cents) == (InvoiceKind.STANDARD, quote.number,
                                                                                108_000)
    assert invoice.buyer.is_business and invoice.buyer.siren == "552100554"
    with pytest.raises(AlreadyInvoiced):
        invoices.from_quote(g.dealer_id, quote.id, by=g.seller)


def test_a_quote_with_a_car_is_invoiced_at_handover_not_from_the_quote(memory, g):
    from tests.orders_support import quote_for_a_car
    quote_id = quote_for_a_car(g)
    before = copy.deepcopy(memory.items)
    with pytest.raises(InvalidInput):
        invoices.from_quote(g.dealer_id, quote_id, by=g.seller)
    assert memory.items == before


def test_a_correction_credits_part_of_an_invoice_and_never_more_than_it(memory, g):
    final = handover(g, deposit_of=None)
    note = invoices.credit_note(g.dealer_id, final.number, NewCreditNote(amount_cents=10_000, reason="Remise"),
                                by=g.admin)
    assert (note.totals.ttc_cents, note.credited_number) == (10_000, final.number)
    before = copy.deepcopy(memory.items)
    with pytest.raises(CreditExceedsInvoice):
        invoices.credit_note(g.dealer_id, final.number, NewCreditNote(amount_cents=final.totals.ttc_cents,
                                                                      reason="Trop"), by=g.admin)
    assert memory.items == before
    rest = invoices.credit_note(g.dealer_id, final.number, NewCreditNote(reason="Annulation"), by=g.admin)
    assert rest.totals.ttc_cents == final.totals.ttc_cents - 10_000


def test_an_invoice_reads_with_its_credit_notes(g):
    final = handover(g, deposit_of=None)
    assert invoices.read(g.dealer_id, final.number).credit_notes == []
    first = invoices.credit_note(g.dealer_id, final.number, NewCreditNote(amount_cents=10_000, reason="Remise"),
                                 by=g.admin)
    rest = invoices.credit_note(g.dealer_id, final.number, NewCreditNote(reason="Annulation"), by=g.admin)
    read = invoices.read(g.dealer_id, final.number)
    assert [(n.number, n.ttc_cents) for n in read.credit_notes] == [
        (first.number, 10_000), (rest.number, final.totals.ttc_cents - 10_000)]
    assert read.totals == final.totals and read.number == final.number
    assert invoices.read(g.dealer_id, rest.number).credit_notes == []


def test_a_seller_may_not_issue_a_credit_note(memory, g):
    final = handover(g, deposit_of=None)
    before = copy.deepcopy(memory.items)
    with pytest.raises(Forbidden):
        invoices.credit_note(g.dealer_id, final.number, NewCreditNote(reason="Annulation"), by=g.seller)
    assert memory.items == before


def test_no_invoice_without_the_dealer_s_legal_details(memory):
    at(PAID_AT)
    bare = garage("Sans Mentions")
    before = copy.deepcopy(memory.items)
    with pytest.raises(InvalidInput):
        invoices.deposit_paid(bare.dealer_id, "P1", "P2026-00001", customer(), used_car_sale(), 1_000, PAID_AT)
    assert memory.items == before


def test_numbers_follow_each_other_and_never_go_back_in_time(g):
    first = deposit(g, "P1")
    at(PAID_AT - timedelta(minutes=5))  # a Lambda whose clock lags behind
    second = deposit(g, "P2")
    assert (first.seq, second.seq) == (1, 2) and second.issued_at >= first.issued_at


def test_the_list_is_newest_first_one_query_a_page(memory, g):
    for n in range(3):
        deposit(g, f"P{n}")
    memory.calls.clear()
    page = invoices.page(g.dealer_id, InvoiceListQuery(limit=2))
    assert dict(memory.calls) == {"Query": 1}
    assert [(i.number, i.kind, i.customer, i.ttc_cents) for i in page.items] == [
        ("F000003", InvoiceKind.DEPOSIT, "Marie Durand", 100_000), ("F000002", InvoiceKind.DEPOSIT, "Marie Durand",
                                                                    100_000)]
    rest = invoices.page(g.dealer_id, InvoiceListQuery(limit=2, cursor=page.next_cursor))
    assert [i.number for i in rest.items] == ["F000001"]


def test_the_pdf_is_rendered_on_first_download_and_kept(memory, g):
    invoice = invoices.deposit_paid(g.dealer_id, "P1", "P2026-00012", customer(email=None), used_car_sale(),
                                    100_000, PAID_AT)
    key = storage.invoice_pdf_key(g.dealer_id, invoice.number)
    assert storage.size_of(key) is None
    link = invoices.download(g.dealer_id, invoice.number)
    assert link.number == "F000001" and key in link.url
    stored = storage.get(key)
    assert stored.startswith(b"%PDF")
    invoices.download(g.dealer_id, invoice.number)
    assert storage.get(key) == stored


def test_the_emailed_pdf_is_in_s3_before_its_email_is_queued(memory, g):
    deposit(g)
    [message] = outbox(memory)
    assert storage.get(message["attachments"][0]["s3_key"]).startswith(b"%PDF")


def test_an_email_lost_after_issuing_is_queued_by_the_replayed_event_once(memory, g):
    deposit(g)
    [(key, _)] = [(k, i) for k, i in memory.items.items() if k[1].startswith(keys.OUTBOX_PREFIX)]
    del memory.items[key]
    deposit(g)
    deposit(g)
    assert len(outbox(memory)) == 1


def test_another_dealer_finds_no_invoice(g):
    invoice = deposit(g)
    other = garage("Autre Garage")
    with pytest.raises(NotFound):
        invoices.get(other.dealer_id, invoice.number)
    with pytest.raises(NotFound):
        invoices.download(other.dealer_id, invoice.number)
    with pytest.raises(NotFound):
        invoices.get(g.dealer_id, "not-a-number")


def test_the_export_lists_a_period_s_invoices_with_credit_notes_negative(g):
    at(datetime(2026, 2, 27, 22, 30, tzinfo=UTC))  # 23:30 in Paris: still February
    deposit(g, "P0")
    at(PAID_AT)
    deposit(g, "P1")
    invoices.refunded(g.dealer_id, "P1", "R1", 100_000, "Rétractation")
    at(datetime(2026, 3, 31, 22, 30, tzinfo=UTC))  # 00:30 in Paris on 1 April
    deposit(g, "P2")
    rows = list(csv.reader(io.StringIO(invoices.export_csv(
        g.dealer_id, ExportQuery.model_validate({"from": "2026-03-01", "to": "2026-03-31"}))), delimiter=";"))
    assert rows[0] == invoices.EXPORT_COLUMNS
    assert [(r[0], r[1], r[2], r[9]) for r in rows[1:]] == [
        ("F000002", "deposit", "2026-03-02", "1000,00"), ("F000003", "credit_note", "2026-03-02", "-1000,00")]


def test_an_export_period_must_make_sense(g):
    with pytest.raises(InvalidInput):
        invoices.export_csv(g.dealer_id, ExportQuery.model_validate({"from": "2026-03-31", "to": "2026-03-01"}))


def test_a_proposal_s_invoices_are_its_deposit_and_its_order_s_final_invoice_only(memory, g):
    from chalicelib.store.table import Put, table
    assert invoices.of_proposal(g.dealer_id, "P1") == []
    first = deposit(g)
    deposit(g, proposal_id="P2")
    assert [i.number for i in invoices.of_proposal(g.dealer_id, "P1")] == [first.number]
    table.write(Put(keys.order_origin(g.dealer_id, "proposal", "P1"), {"order_id": "O1"}))
    final = handover(g)
    assert [i.number for i in invoices.of_proposal(g.dealer_id, "P1")] == [first.number, final.number]
    assert invoices.proposal_download(g.dealer_id, "P1", final.number).startswith("http")
    with pytest.raises(NotFound):
        invoices.proposal_download(g.dealer_id, "P2", final.number)


def test_a_proposal_keeps_what_its_page_shows_of_its_invoices_even_of_one_issued_before_it_was_kept(g):
    from chalicelib.store.table import Put, table

    def listed() -> list[dict]:
        return table.get(keys.proposal(g.dealer_id, "P1"))["invoices"]

    first = deposit(g)
    assert listed() == [{"number": first.number, "title": "Facture d'acompte", "issue_date": "2026-03-02",
                         "ttc_cents": 100_000}]
    table.write(Put(keys.proposal(g.dealer_id, "P1"), {}))  # as a proposal invoiced before the list was kept
    table.write(Put(keys.order_origin(g.dealer_id, "proposal", "P1"), {"order_id": "O1"}))
    final = handover(g)
    assert listed() == [i.shown().model_dump(mode="json") for i in (first, final)]


def test_a_credit_note_is_listed_on_its_proposal_negative_and_downloads_there_only(memory, g, monkeypatch):
    from chalicelib.store.table import Put, table

    def listed() -> list[dict]:
        return table.get(keys.proposal(g.dealer_id, "P1"))["invoices"]

    first = deposit(g)
    note = invoices.refunded(g.dealer_id, "P1", "R1", 40_000, "Rétractation")
    assert listed() == [first.shown().model_dump(mode="json"),
                        {"number": note.number, "title": "Avoir", "issue_date": "2026-03-02", "ttc_cents": -40_000}]
    # The final invoice's own transaction keeps the credit note listed, and a correction of it lists too.
    table.write(Put(keys.order_origin(g.dealer_id, "proposal", "P1"), {"order_id": "O1"}))
    # Order O1 (which the fixture does not make) was opened from P1.
    monkeypatch.setattr(invoices.order_store, "get",
                        lambda dealer_id, order_id: SimpleNamespace(proposal_id="P1" if order_id == "O1" else None))
    final = handover(g)
    correction = invoices.credit_note(g.dealer_id, final.number, NewCreditNote(amount_cents=10_000, reason="Remise"),
                                      by=g.admin)
    assert [i["number"] for i in listed()] == [first.number, note.number, final.number, correction.number]
    assert listed()[-1]["ttc_cents"] == -10_000
    assert [i.number for i in invoices.of_proposal(g.dealer_id, "P1")] == [i["number"] for i in listed()]
    assert invoices.proposal_download(g.dealer_id, "P1", note.number).startswith("http")
    with pytest.raises(NotFound):
        invoices.proposal_download(g.dealer_id, "P2", note.number)
    # Each credit note is also emailed with its PDF, as every invoice.
    assert {m["attachments"][0]["filename"] for m in outbox(memory)} >= {f"avoir-{note.number}.pdf",
                                                                        f"avoir-{correction.number}.pdf"}
