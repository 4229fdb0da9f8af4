"""The invoice or credit note as a Factur-X PDF: a PDF/A-3 page in French with its EN 16931 XML embedded.

The visible page and the XML are both written from the stored Invoice and its totals, so they
agree. Mentions: art. 242 nonies A annexe II CGI (seller, buyer, number, dates, lines, VAT per
rate, totals), art. L441-9 / L441-10 / D441-5 C. com. (payment terms, penalties and the 40 €
indemnity, business buyers), art. 297 E CGI (the margin scheme wording, no VAT shown).
Style and fonts as documents/pdf.py; for speed (fonts are parsed on every render), a Latin subset of
DejaVu Sans is used when it covers every character of the invoice, else the full font.
fpdf2, lxml and factur-x are imported on first render only.
"""
from functools import lru_cache
from chalicelib.documents.facturx_xml import xml_of
from chalicelib.documents.pdf import FONTS, LIGHT, WIDTH, Writing, _clean, set_up
from chalicelib.domain import local_time
from chalicelib.domain.customers import format_phone
from chalicelib.domain.invoices import (
    LATE_PAYMENT_MENTION, MARGIN_SCHEME_BASIS, MARGIN_SCHEME_MENTION, Invoice, InvoiceKind,
    recovery_indemnity_applies,
)
from chalicelib.domain.money import format_euros, format_rate

COLUMNS = [("Désignation", 78, "L"), ("Qté", 12, "R"), ("PU HT", 26, "R"), ("TVA", 18, "R"), ("Total HT", 26, "R"),
           ("Total TTC", 20, "R")]


def render(invoice: Invoice) -> bytes:
    """The Factur-X PDF (PDF/A-3B, EN 16931 profile) of an issued invoice."""
    from facturx import generate_from_binary

    xml = xml_of(invoice)
    check_xml(xml)
    return generate_from_binary(
        visible_pdf(invoice), xml, flavor="factur-x", level="en16931", check_xsd=False,
        pdf_metadata={"author": invoice.seller.legal.legal_name or invoice.seller.name,
                      "keywords": "Factur-X", "title": f"{invoice.title} {invoice.number}",
                      "subject": f"{invoice.title} {invoice.number}"},
        lang="fr-FR",
    )


def check_xml(xml: bytes) -> None:
    """Refuses XML that does not validate against the library's Factur-X EN 16931 schema (compiled once)."""
    from lxml import etree

    schema = _schema()
    if not schema.validate(etree.fromstring(xml)):
        raise ValueError(f"Factur-X XML invalid: {schema.error_log.last_error}")


@lru_cache(maxsize=1)
def _schema():
    from importlib.resources import files

    from lxml import etree

    path = files("facturx") / "xsd_and_schematron" / "facturx-en16931" / "Factur-X_EN16931.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def _fonts(invoice: Invoice) -> tuple[str, str]:
    """The Latin subset (a third of the parsing) when it has every character the invoice shows."""
    if set(invoice.model_dump_json()) <= _latin_characters():
        return "DejaVuSans-Latin.ttf", "DejaVuSans-Bold-Latin.ttf"
    return "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"


@lru_cache(maxsize=1)
def _latin_characters() -> frozenset[str]:
    from fontTools.ttLib import TTFont

    for_both = [set(TTFont(FONTS / name, lazy=True).getBestCmap()) for name in
                ("DejaVuSans-Latin.ttf", "DejaVuSans-Bold-Latin.ttf")]
    return frozenset(chr(c) for c in for_both[0] & for_both[1])


def visible_pdf(invoice: Invoice, compress: bool = True) -> bytes:
    """The page alone (PDF/A-3B), before the XML is embedded. `compress=False` keeps text readable (tests)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm", enforce_compliance="PDF/A-3B")
    set_up(pdf, compress, invoice.issued_at, f"{invoice.title} {invoice.number}",
           invoice.seller.legal.legal_name or invoice.seller.name, _fonts(invoice))
    pdf.add_page()
    _Page(pdf, invoice).write()
    return bytes(pdf.output())


class _Page(Writing):
    def __init__(self, pdf, invoice: Invoice):
        super().__init__(pdf)
        self.invoice = invoice

    def para(self, text: str, size: float = 8.5, bold: bool = False, grey: bool = False) -> None:
        self.font(size, bold, grey)
        self.pdf.multi_cell(0, size * 0.48, _clean(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def write(self) -> None:
        self.parties()
        self.title()
        self.lines()
        self.totals()
        self.mentions()

    def parties(self) -> None:
        invoice, legal = self.invoice, self.invoice.seller.legal
        seller = [invoice.seller.name, legal.legal_name or "", legal.legal_form or "", legal.address_line or "",
                  f"{legal.postal_code or ''} {legal.city or ''}".strip(),
                  f"SIRET {legal.siret}" if legal.siret else "", legal.rcs or "",
                  f"N° TVA intracommunautaire {legal.vat_number}" if legal.vat_number else "",
                  format_phone(legal.phone) if legal.phone else "", str(legal.email or "")]
        top = self.pdf.get_y()
        self.pdf.set_xy(15, top)
        self.font(13, bold=True)
        self.pdf.multi_cell(95, 6, _clean(seller[0]), new_x="LEFT", new_y="NEXT")
        self.font(8)
        for text in (t for t in seller[1:] if t and t != seller[0]):
            self.pdf.multi_cell(95, 3.9, _clean(text), new_x="LEFT", new_y="NEXT")
        left_end = self.pdf.get_y()
        buyer = invoice.buyer
        lines = [buyer.name, buyer.contact_name or "", f"SIREN {buyer.siren}" if buyer.siren else ""]
        if buyer.address:
            lines += [buyer.address.line1, buyer.address.line2 or "",
                      f"{buyer.address.postal_code} {buyer.address.city}",
                      buyer.address.country if buyer.address.country != "FR" else ""]
        self.pdf.set_xy(120, top)
        self.font(8, grey=True)
        self.pdf.cell(75, 4, "Client", new_x="LEFT", new_y="NEXT")
        self.font(9.5, bold=True)
        self.pdf.multi_cell(75, 4.6, _clean(lines[0]), new_x="LEFT", new_y="NEXT")
        self.font(8.5)
        for text in (t for t in lines[1:] if t):
            self.pdf.multi_cell(75, 4.1, _clean(text), new_x="LEFT", new_y="NEXT")
        self.pdf.set_xy(15, max(left_end, self.pdf.get_y()) + 6)

    def title(self) -> None:
        invoice = self.invoice
        self.font(15, bold=True)
        self.pdf.cell(0, 8, _clean(f"{invoice.title} n° {invoice.number}"), new_x="LMARGIN", new_y="NEXT")
        facts = [f"Date d'émission : {local_time.format_day(invoice.issue_date)}"]
        if invoice.sale_date is not None:
            what = ("Date de paiement de l'acompte" if invoice.kind == InvoiceKind.DEPOSIT
                    else "Date de la vente / livraison")
            facts.append(f"{what} : {local_time.format_day(invoice.sale_date)}")
        if invoice.order_reference:
            facts.append(f"Référence : {invoice.order_reference}")
        self.para("   ·   ".join(facts), size=8.5)
        if invoice.credited_number:
            issued = (f" du {local_time.format_day(invoice.credited_issue_date)}"
                      if invoice.credited_issue_date else "")
            self.para(f"Avoir se rapportant à la facture n° {invoice.credited_number}{issued}."
                      + (f" Motif : {invoice.reason}" if invoice.reason else ""), bold=True)
        self.pdf.ln(2)

    def lines(self) -> None:
        pdf = self.pdf
        self.font(8, bold=True)
        pdf.set_fill_color(*LIGHT)
        for label, width, align in COLUMNS:
            pdf.cell(width, 6, label, align=align, fill=True)
        pdf.ln(6)
        for line in self.invoice.lines:
            if pdf.will_page_break(12):
                pdf.add_page()
            top = pdf.get_y()
            self.font(8.5, bold=True)
            pdf.multi_cell(COLUMNS[0][1], 4.2, _clean(line.label), new_x="LEFT", new_y="NEXT")
            if line.description:
                self.font(7.5, grey=True)
                pdf.multi_cell(COLUMNS[0][1], 3.6, _clean(line.description), new_x="LEFT", new_y="NEXT")
            if line.margin_scheme:
                self.font(7.5, bold=True)
                pdf.multi_cell(COLUMNS[0][1], 3.6, _clean(f"{MARGIN_SCHEME_MENTION} ({MARGIN_SCHEME_BASIS})"),
                               new_x="LEFT", new_y="NEXT")
            bottom = pdf.get_y()
            pdf.set_xy(15 + COLUMNS[0][1], top)
            self.font(8.5)
            vat = "—" if line.margin_scheme else format_rate(line.vat_rate_bp)
            values = [str(line.quantity), format_euros(line.unit_price_cents), vat, format_euros(line.ht_cents),
                      format_euros(line.ttc_cents)]
            for (_, width, align), value in zip(COLUMNS[1:], values):
                pdf.cell(width, 4.2, value, align=align)
            pdf.set_xy(15, bottom + 1.5)
            pdf.set_draw_color(220, 220, 220)
            pdf.line(15, pdf.get_y(), 15 + WIDTH, pdf.get_y())
            pdf.ln(1.5)

    def row(self, label: str, value: str, bold: bool = False) -> None:
        self.font(9.5 if bold else 8.5, bold)
        self.pdf.set_x(95)
        self.pdf.cell(70, 5, _clean(label))
        self.pdf.cell(30, 5, value, align="R", new_x="LMARGIN", new_y="NEXT")

    def totals(self) -> None:
        totals = self.invoice.totals
        self.pdf.ln(2)
        if self.pdf.will_page_break(40):
            self.pdf.add_page()
        taxed_ht = totals.ht_cents - totals.margin_scheme_cents
        if totals.margin_scheme_cents:
            self.row("Total biens d'occasion (régime de la marge)", format_euros(totals.margin_scheme_cents))
            if taxed_ht:
                self.row("Total HT (autres lignes)", format_euros(taxed_ht))
        else:
            self.row("Total HT", format_euros(totals.ht_cents))
        for breakdown in totals.by_rate:
            self.row(f"TVA {format_rate(breakdown.vat_rate_bp)} sur {format_euros(breakdown.base_cents)}",
                     format_euros(breakdown.vat_cents))
        self.row("Total TVA", format_euros(totals.vat_cents))
        self.row("Total TTC", format_euros(totals.ttc_cents), bold=True)
        for deduction in self.invoice.deductions:
            self.row(f"Acompte facturé (n° {deduction.number} du {local_time.format_day(deduction.issue_date)})",
                     format_euros(-deduction.ttc_cents))
        if self.invoice.kind == InvoiceKind.CREDIT_NOTE:
            self.row("Montant de l'avoir", format_euros(totals.due_cents), bold=True)
        elif self.invoice.kind == InvoiceKind.DEPOSIT:
            self.row("Acompte réglé", format_euros(totals.due_cents), bold=True)
        else:
            self.row("Net à payer", format_euros(totals.due_cents), bold=True)

    def mentions(self) -> None:
        invoice = self.invoice
        self.pdf.ln(4)
        self.para(f"Conditions de paiement : {invoice.payment_terms}")
        if invoice.has_margin_scheme:
            self.para(f"{MARGIN_SCHEME_MENTION} ({MARGIN_SCHEME_BASIS}) : la TVA n'est pas indiquée et ne peut "
                      "pas être déduite par l'acheteur.")
        if invoice.kind == InvoiceKind.DEPOSIT:
            self.para("Acompte : il s'impute sur le prix et sera déduit de la facture de solde.", grey=True)
        if recovery_indemnity_applies(invoice):
            self.para(LATE_PAYMENT_MENTION, grey=True)
        self.para("Facture électronique au format Factur-X (EN 16931) : les données jointes font foi.", size=7,
                  grey=True)
