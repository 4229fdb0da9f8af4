"""Invoice rules: totals per VAT rate, the margin scheme, the deposit and its deduction, credit notes,
the mandatory mentions, and the Factur-X XML agreeing with the page."""
import io
from datetime import date

import pytest
from lxml import etree
from pypdf import PdfReader

from chalicelib.documents import facturx_xml, invoice_pdf
from chalicelib.domain.customers import AccountKind
from chalicelib.domain.dealers import DealerLegal
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.invoices import (
    CreditExceedsInvoice, Deduction, InvoiceKind, InvoiceLine, Seller, number_of, sale_lines, seq_of, share_of,
)
from chalicelib.domain.money import format_euros
from chalicelib.domain.quotes import LineKind
from tests.invoices_support import ISSUED_AT, customer, draft, line, used_car_sale

NS = {"ram": facturx_xml.RAM, "rsm": facturx_xml.RSM}


def issued(kind=InvoiceKind.STANDARD, seq=42, **fields):
    return draft(kind, **fields).issued(seq, ISSUED_AT)


def page_text(invoice) -> str:
    """What the reader sees on the Factur-X PDF, words separated by single spaces."""
    reader = PdfReader(io.BytesIO(invoice_pdf.render(invoice)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ").split())


def xml_tree(invoice):
    return etree.fromstring(facturx_xml.xml_of(invoice))


def test_totals_add_line_amounts_per_vat_rate_and_leave_out_an_optional_line_not_chosen():
    totals = issued().totals
    assert [(b.vat_rate_bp, b.base_cents, b.vat_cents) for b in totals.by_rate] == [(2000, 9_000, 1_800),
                                                                                     (0, 27_676, 0)]
    assert (totals.ht_cents, totals.vat_cents, totals.ttc_cents) == (1_536_676, 1_800, 1_538_476)
    assert totals.due_cents == totals.ttc_cents


def test_each_line_s_vat_is_rounded_half_up_and_totals_are_never_rounded_again():
    lines = [InvoiceLine.priced("Vis", 3, 333, 2000), InvoiceLine.priced("Écrou", 1, 1, 550)]
    assert [(li.ht_cents, li.vat_cents) for li in lines] == [(999, 200), (1, 0)]
    assert issued(lines=lines).totals.vat_cents == 200


def test_a_used_car_under_the_margin_scheme_shows_no_vat_and_the_scheme_s_wording():
    invoice = issued()
    car = invoice.lines[0]
    assert car.margin_scheme and (car.vat_rate_bp, car.vat_cents, car.ttc_cents) == (0, 0, 1_500_000)
    assert invoice.totals.margin_scheme_cents == 1_500_000
    assert all(b.base_cents != 1_500_000 for b in invoice.totals.by_rate)
    page = page_text(invoice)
    assert "Régime particulier – Biens d'occasion (art. 297 A et 297 E du CGI)" in page
    tax = [t for t in xml_tree(invoice).iterfind(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", NS)
           if t.findtext("ram:CategoryCode", namespaces=NS) == "E"]
    assert [t.findtext("ram:ExemptionReasonCode", namespaces=NS) for t in tax] == ["VATEX-EU-F"]
    assert tax[0].findtext("ram:CalculatedAmount", namespaces=NS) == "0.00"


def test_a_deposit_is_spread_over_the_sale_s_rates_and_adds_up_to_the_amount_paid():
    lines = share_of(sale_lines(used_car_sale()), 100_000, "Acompte")
    assert sum(li.ttc_cents for li in lines) == 100_000
    margin = next(li for li in lines if li.margin_scheme)
    assert margin.vat_cents == 0 and "Biens d'occasion" in margin.label
    taxed = next(li for li in lines if li.vat_rate_bp == 2000)
    assert taxed.vat_cents == taxed.ttc_cents - taxed.ht_cents and abs(taxed.ht_cents * 12 // 10 - taxed.ttc_cents) <= 1


def test_a_deposit_of_nothing_is_refused():
    with pytest.raises(InvalidInput):
        share_of(sale_lines(used_car_sale()), 0, "Acompte")


def test_the_final_invoice_deducts_the_deposit_from_what_remains_to_pay():
    invoice = issued(InvoiceKind.FINAL, deductions=[Deduction(number="F000007", issue_date=date(2026, 2, 1),
                                                              ttc_cents=100_000)])
    assert (invoice.totals.prepaid_cents, invoice.totals.due_cents) == (100_000, 1_438_476)
    summation = xml_tree(invoice).find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
    assert summation.findtext("ram:TotalPrepaidAmount", namespaces=NS) == "1000.00"
    assert summation.findtext("ram:DuePayableAmount", namespaces=NS) == "14384.76"
    page = page_text(invoice)
    assert "Acompte facturé (n° F000007 du 01/02/2026)" in page and "Net à payer" in page


def test_a_full_credit_note_repeats_the_invoice_s_lines():
    invoice = issued()
    assert invoice.credit(None, 0) == invoice.lines


def test_a_partial_credit_note_credits_the_amount_over_the_invoice_s_rates():
    lines = issued().credit(50_000, 0)
    assert sum(li.ttc_cents for li in lines) == 50_000
    assert all(li.label.startswith("Avoir sur facture F000042") for li in lines)


def test_a_credit_note_never_credits_more_than_remains():
    invoice = issued()
    with pytest.raises(CreditExceedsInvoice):
        invoice.credit(invoice.totals.ttc_cents, 1)
    with pytest.raises(CreditExceedsInvoice):
        invoice.credit(None, invoice.totals.ttc_cents)


def test_a_credit_note_names_the_invoice_it_corrects():
    note = issued(InvoiceKind.CREDIT_NOTE, credited_number="F000041", credited_issue_date=date(2026, 2, 27),
                  reason="Rétractation")
    tree = xml_tree(note)
    assert tree.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    assert tree.findtext(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", namespaces=NS) == "F000041"
    page = page_text(note)
    assert "Avoir n° F000042" in page and "facture n° F000041 du 27/02/2026" in page


def test_the_invoice_shows_the_mandatory_mentions():
    page = page_text(issued(sale_date=date(2026, 3, 1), order_reference="P2026-00012"))
    for mention in ("Tilleuls Automobiles SAS", "SAS au capital de 50 000 €", "12 rue des Tilleuls",
                    "SIRET 12345678900012", "N° TVA intracommunautaire FR12123456789", "Marie Durand",
                    "3 place Bellecour", "Facture n° F000042", "Date d'émission : 02/03/2026",
                    "Date de la vente / livraison : 01/03/2026", "Tapis de sol", "TVA 20 % sur 90,00 €",
                    "Total TTC", "Conditions de paiement : Payable à réception"):
        assert mention in page, mention
    assert "40 €" not in page  # a consumer owes no recovery indemnity


def test_a_business_buyer_is_told_the_late_payment_penalties_and_the_40_euro_indemnity():
    invoice = issued(buyer=customer(AccountKind.COMPANY))
    assert invoice.buyer.name == "Durand Transports SARL" and invoice.buyer.siren == "552100554"
    page = page_text(invoice)
    assert "L441-10" in page and "indemnité forfaitaire pour frais de recouvrement de 40 €" in page


def test_no_invoice_without_the_seller_s_legal_details():
    with pytest.raises(InvalidInput) as refused:
        draft(seller=Seller(name="Garage", legal=DealerLegal())).issued(1, ISSUED_AT)
    assert "legal.siret" in refused.value.fields


def test_numbers_are_one_sequence_and_read_back():
    assert number_of(42) == "F000042" and seq_of("F000042") == 42 and number_of(1_234_567) == "F1234567"
    assert seq_of("X42") is None and seq_of("F") is None and seq_of("F12a") is None


@pytest.mark.parametrize("kind,code", [(InvoiceKind.DEPOSIT, "386"), (InvoiceKind.FINAL, "380"),
                                       (InvoiceKind.STANDARD, "380")])
def test_the_xml_validates_and_its_totals_are_the_page_s(kind, code):
    invoice = issued(kind, lines=sale_lines([*used_car_sale(), line(LineKind.ACCESSORY, "Attelage", 30_000, 1000)]))
    xml = facturx_xml.xml_of(invoice)
    invoice_pdf.check_xml(xml)
    tree = etree.fromstring(xml)
    assert tree.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == code
    summation = tree.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
    totals = invoice.totals
    assert summation.findtext("ram:GrandTotalAmount", namespaces=NS) == facturx_xml.amount(totals.ttc_cents)
    assert summation.findtext("ram:TaxTotalAmount", namespaces=NS) == facturx_xml.amount(totals.vat_cents)
    page = page_text(invoice)
    for cents in (totals.ttc_cents, totals.vat_cents, *(b.vat_cents for b in totals.by_rate)):
        assert format_euros(cents).replace("\u00a0", " ") in page


def test_an_invalid_xml_is_refused_before_it_goes_in_a_pdf():
    xml = facturx_xml.xml_of(issued()).replace(b"<ram:TypeCode>380", b"<ram:Bogus>380</ram:Bogus><ram:TypeCode>380")
    with pytest.raises(ValueError):
        invoice_pdf.check_xml(xml)


def test_a_name_outside_the_latin_subset_falls_back_to_the_full_font():
    latin = issued()
    greek = issued(buyer=customer().model_copy(update={"last_name": "Παπαδόπουλος"}))
    assert invoice_pdf._fonts(latin)[0] == "DejaVuSans-Latin.ttf"
    assert invoice_pdf._fonts(greek)[0] == "DejaVuSans.ttf"
    assert "Παπαδόπουλος" in page_text(greek)
