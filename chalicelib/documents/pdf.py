"""The quote / proposal PDF, in French: the document the customer reads and signs.

Deterministic: the creation date is the version's date, fonts are bundled (DejaVu
Sans, chalicelib/documents/fonts/, licence alongside), nothing random goes in, so
the same document gives the same bytes (the signature seals those bytes).
fpdf2 is imported on first render only: importing app.py stays cheap.
"""
import re
from datetime import datetime
from pathlib import Path
from typing import Sequence

from chalicelib.domain import local_time
from chalicelib.domain.customers import format_phone
from chalicelib.domain.money import format_euros, format_rate
from chalicelib.domain.proposals.views import QuoteDocument
from chalicelib.domain.quotes import KIND_LABELS, Payment, QuoteLine, WithdrawalStart

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
PRODUCER = "Offerline"
WIDTH = 180  # A4 (210 mm) minus 15 mm margins
GREY = (90, 90, 90)
LIGHT = (238, 240, 243)
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


def render_quote(document: QuoteDocument, compress: bool = True) -> bytes:
    """The PDF of a quote or proposal version. `compress=False` leaves content streams readable (tests)."""
    from fpdf import FPDF

    class _Pdf(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font(FAMILY, size=7)
            self.set_text_color(*GREY)
            self.cell(0, 5, _clean(
                f"{document.dealer.legal.legal_name or document.dealer.name} · {document.title} "
                f"{document.reference} · version {document.version} · page {self.page_no()}/{{nb}}"
            ), align="C")
            self.set_text_color(0, 0, 0)

    pdf = _Pdf(format="A4", unit="mm")
    set_up(pdf, compress, document.issued_at, f"{document.title} {document.reference}",
           document.dealer.legal.legal_name or document.dealer.name)
    pdf.add_page()
    _Writer(pdf, document).write()
    return bytes(pdf.output())


def set_up(pdf, compress: bool, issued_at: datetime, title: str, author: str,
           fonts: tuple[str, str] = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")) -> None:
    """What the proposal and the invoice share: metadata (the creation date is the document's, so that
    the same document gives the same bytes), A4 with 15 mm margins, DejaVu Sans (regular, bold)."""
    pdf.set_compression(compress)
    pdf.set_creation_date(issued_at)
    pdf.set_producer(PRODUCER)
    pdf.set_creator(PRODUCER)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_lang("fr-FR")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    add_fonts(pdf, *fonts)


def add_fonts(pdf, regular: str = "DejaVuSans.ttf", bold: str = "DejaVuSans-Bold.ttf") -> None:
    """The bundled DejaVu Sans as FAMILY: fpdf2's core fonts are Latin-1 only."""
    pdf.add_font(FAMILY, "", str(FONTS / regular))
    pdf.add_font(FAMILY, "B", str(FONTS / bold))


def _clean(text: str | None) -> str:
    return _CONTROL.sub("", text or "").replace("\r", "")


class Writing:
    """Writes on a document set up by `set_up`: the proposal's and the invoice's writers."""

    def __init__(self, pdf):
        self.pdf = pdf

    def font(self, size: float = 9, bold: bool = False, grey: bool = False) -> None:
        self.pdf.set_font(FAMILY, "B" if bold else "", size)
        self.pdf.set_text_color(*(GREY if grey else (0, 0, 0)))


class _Writer(Writing):
    def __init__(self, pdf, document: QuoteDocument):
        super().__init__(pdf)
        self.doc = document

    # --- small helpers ---------------------------------------------------------------

    def para(self, text: str, size: float = 9, bold: bool = False, grey: bool = False, height: float = 4.4,
             gap: float = 1.2) -> None:
        self.font(size, bold, grey)
        self.pdf.multi_cell(0, height, _clean(text), new_x="LMARGIN", new_y="NEXT", align="L")
        self.pdf.ln(gap)

    def heading(self, text: str) -> None:
        self.pdf.ln(3)
        if self.pdf.will_page_break(16):
            self.pdf.add_page()
        self.font(11, bold=True)
        self.pdf.cell(0, 6, _clean(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_draw_color(200, 200, 200)
        self.pdf.line(15, self.pdf.get_y(), 15 + WIDTH, self.pdf.get_y())
        self.pdf.ln(1.5)

    def column(self, x: float, y: float, width: float, lines: Sequence[tuple[str, float, bool]]) -> float:
        """Writes lines (text, size, bold) in a column; returns the y where it ends."""
        self.pdf.set_xy(x, y)
        for text, size, bold in lines:
            self.font(size, bold)
            self.pdf.set_x(x)
            self.pdf.multi_cell(width, size * 0.48, _clean(text), new_x="LEFT", new_y="NEXT", align="L")
        return self.pdf.get_y()

    # --- the document ----------------------------------------------------------------

    def write(self) -> None:
        self.header()
        self.parties()
        self.vehicles()
        self.lines_table()
        self.totals()
        self.deposit()
        self.notes()
        self.withdrawal()
        self.mediation()
        self.terms()
        self.acceptance()
        self.withdrawal_form()

    def header(self) -> None:
        doc, legal = self.doc, self.doc.dealer.legal
        left: list[tuple[str, float, bool]] = [(doc.dealer.name, 14, True)]
        if legal.legal_name and legal.legal_name != doc.dealer.name:
            left.append((legal.legal_name + (f", {legal.legal_form}" if legal.legal_form else ""), 8, False))
        elif legal.legal_form:
            left.append((legal.legal_form, 8, False))
        address = " ".join(p for p in (legal.address_line, legal.postal_code, legal.city) if p)
        if address:
            left.append((address, 8, False))
        ids = " · ".join(p for p in (
            f"SIRET {legal.siret}" if legal.siret else "", legal.rcs or "",
            f"TVA {legal.vat_number}" if legal.vat_number else "") if p)
        if ids:
            left.append((ids, 8, False))
        contact = " · ".join(p for p in (format_phone(legal.phone), legal.email or "") if p)
        if contact:
            left.append((contact, 8, False))
        right = [
            (doc.title.upper(), 13, True),
            (f"N° {doc.reference} — version {doc.version}", 9, False),
        ]
        if doc.quote_number != doc.reference:
            right.append((f"Devis d'origine : {doc.quote_number}", 9, False))
        right += [
            (f"Date : {local_time.format_day(local_time.paris_date(doc.issued_at))}", 9, False),
            (f"Valable jusqu'au : {local_time.format_day(doc.valid_until)}", 9, True),
        ]
        top = self.pdf.get_y()
        end = max(self.column(15, top, 100, left), self.column(120, top, 75, right))
        self.pdf.set_xy(15, end + 5)

    def parties(self) -> None:
        doc, customer = self.doc, self.doc.customer
        seller = [("Votre conseiller", 8, True)]
        if doc.seller:
            seller += [(doc.seller.display_name, 10, True), (format_phone(doc.seller.phone), 9, False),
                       (doc.seller.email, 9, False)]
        else:
            seller += [(doc.dealer.name, 10, True)]
        client = [("Client", 8, True)]
        if customer.company_name:
            client.append((customer.company_name + (f" (SIREN {customer.siren})" if customer.siren else ""), 10, True))
            client.append((f"À l'attention de {self._person()}", 9, False))
        else:
            client.append((self._person(), 10, True))
        if customer.address:
            client += [(line, 9, False) for line in customer.address.lines()]
        client += [(text, 9, False) for text in (customer.email, format_phone(customer.mobile)) if text]
        if doc.co_holder is not None:  # the second signer (seed 001); without one, the box is as it always was
            client += [("", 4, False), ("Cotitulaire", 8, True), (doc.co_holder.name, 10, True),
                       (doc.co_holder.email, 9, False)]
        top = self.pdf.get_y()
        end = max(self.column(18, top + 3, 78, seller), self.column(108, top + 3, 84, client)) + 3
        self.pdf.set_draw_color(200, 200, 200)
        self.pdf.rect(15, top, 85, end - top)
        self.pdf.rect(105, top, 90, end - top)
        self.pdf.set_xy(15, end + 5)

    def _person(self) -> str:
        c = self.doc.customer
        civility = f"{c.civility.value} " if c.civility else ""
        return f"{civility}{c.first_name} {c.last_name}"

    def vehicles(self) -> None:
        described = [line for line in self.doc.lines if line.vehicle is not None and line.included]
        if not described:
            return
        self.heading("Véhicule")
        for line in described:
            assert line.vehicle is not None
            self.para(line.vehicle.summary(), size=9)

    def lines_table(self) -> None:
        included = [line for line in self.doc.lines if line.included]
        offered = [line for line in self.doc.lines if not line.included]
        self.heading("Détail de l'offre")
        self._table(included)
        if offered:
            self.heading("Options proposées (non comprises dans le total)")
            self.para("Ces produits vous sont proposés en option : ils ne sont comptés que si vous les retenez.",
                      size=8, grey=True)
            self.pdf.ln(1)
            self._table(offered)

    def _table(self, lines: list[QuoteLine]) -> None:
        from fpdf.fonts import FontFace

        self.font(8)
        with self.pdf.table(
            width=WIDTH, col_widths=(76, 12, 24, 16, 26, 26), line_height=4.2, padding=1.2,
            text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
            borders_layout="HORIZONTAL_LINES", first_row_as_headings=True, repeat_headings=1,
            headings_style=FontFace(emphasis="BOLD", fill_color=LIGHT),
        ) as table:
            heading = table.row()
            for title in ("Désignation", "Qté", "PU HT", "TVA", "Total HT", "Total TTC"):
                heading.cell(title)
            for line in lines:
                row = table.row()
                row.cell(_clean(self._designation(line)))
                row.cell(str(line.quantity))
                row.cell(format_euros(line.unit_price_cents))
                row.cell("marge" if line.margin_scheme else format_rate(line.vat_rate_bp))
                row.cell(format_euros(line.totals.ht_cents))
                row.cell(format_euros(line.totals.ttc_cents))

    @staticmethod
    def _designation(line: QuoteLine) -> str:
        parts = [f"{line.label}"]
        kind = KIND_LABELS[line.kind]
        if line.optional and line.chosen:
            kind += " — option retenue"
        parts.append(kind)
        if line.description:
            parts.append(line.description)
        if line.payment == Payment.DIRECT_DEBIT:
            parts.append("Payé par prélèvement SEPA (mandat à signer avec la proposition)")
        if line.margin_scheme:
            parts.append("TVA sur la marge, non récupérable (art. 297 A du CGI)")
        return "\n".join(parts)

    def totals(self) -> None:
        totals = self.doc.totals
        rows: list[tuple[str, str, bool]] = [("Total HT", format_euros(totals.ht_cents), False)]
        for rate in totals.by_rate:
            rows.append((f"TVA {format_rate(rate.vat_rate_bp)} sur {format_euros(rate.base_cents)}",
                         format_euros(rate.vat_cents), False))
        if totals.margin_scheme_cents:
            rows.append(("Régime de la marge, sans TVA apparente", format_euros(totals.margin_scheme_cents), False))
        rows.append(("Total TTC", format_euros(totals.ttc_cents), True))
        if totals.direct_debit_ttc_cents:
            rows.append(("dont payé par prélèvement", format_euros(totals.direct_debit_ttc_cents), False))
        if self.doc.deposit_cents:
            rows.append(("Acompte à la signature", format_euros(self.doc.deposit_cents), True))
        self.pdf.ln(3)
        if self.pdf.will_page_break(6 * len(rows)):
            self.pdf.add_page()
        for label, value, bold in rows:
            self.font(10 if bold else 9, bold)
            self.pdf.set_x(95)
            if bold:
                self.pdf.set_fill_color(*LIGHT)
            self.pdf.cell(64, 6, _clean(label), align="R", fill=bold)
            self.pdf.cell(36, 6, value, align="R", fill=bold, new_x="LMARGIN", new_y="NEXT")

    def deposit(self) -> None:
        if not self.doc.deposit_cents:
            return
        self.heading("Acompte")
        self.para(
            f"Un acompte de {format_euros(self.doc.deposit_cents)} est demandé à la signature. Cette somme est "
            "versée à titre d'acompte (et non d'arrhes, art. L214-1 du Code de la consommation) : elle s'impute "
            "sur le prix et engage les deux parties, sous réserve de votre droit de rétractation. Si vous vous "
            "rétractez dans le délai, l'acompte vous est intégralement remboursé."
        )

    def notes(self) -> None:
        if not self.doc.notes:
            return
        self.heading("Conditions particulières")
        self.para(self.doc.notes)

    def withdrawal(self) -> None:
        terms = self.doc.withdrawal
        self.heading("Droit de rétractation")
        if not terms:
            self.para("Aucun produit de cette offre n'ouvre de délai de rétractation.")
            return
        self.para("Cette offre est conclue à distance : vous disposez d'un droit de rétractation, sans avoir à "
                  "justifier de motif ni à payer de pénalité, dans les délais suivants :")
        for term in terms:
            self.para(f"•  {term.label()}", bold=True, gap=0.6)
        self.pdf.ln(0.6)
        self.para(
            "Pour l'exercer, adressez-nous avant la fin du délai le formulaire de rétractation ci-après ou toute "
            "autre déclaration dénuée d'ambiguïté (courrier ou e-mail aux coordonnées indiquées sur le formulaire). "
            "Le délai expire à la fin de son dernier jour ; s'il finit un samedi, un dimanche ou un jour férié ou "
            "chômé, il est prolongé jusqu'au premier jour ouvrable suivant."
        )
        self.para(
            "En cas de rétractation, nous vous remboursons toutes les sommes versées, acompte compris, au plus "
            "tard 14 jours après avoir été informés de votre décision (art. L221-24 du Code de la consommation) ; "
            "pour un bien, le remboursement peut être différé jusqu'à sa récupération. Sauf accord contraire, "
            "les frais de restitution du véhicule ou des accessoires restent à votre charge (art. L221-23)."
        )
        if any(term.starts == WithdrawalStart.SIGNATURE for term in terms):
            self.para(
                "Si vous demandez que l'exécution d'un contrat de service commence avant la fin du délai, le "
                "montant correspondant au service fourni jusqu'à votre rétractation reste dû (art. L221-25)."
            )

    def mediation(self) -> None:
        mediator = self.doc.dealer.legal.mediator
        if mediator:
            self.para(f"Médiation de la consommation : en cas de litige non résolu avec nous, vous pouvez "
                      f"recourir gratuitement au médiateur {mediator} (art. L612-1 du Code de la consommation).")

    def terms(self) -> None:
        """Names the dealer's terms appended after this document (their pages follow the withdrawal form)."""
        if not self.doc.terms:
            return
        self.heading("Conditions générales")
        self.para("Les conditions générales suivantes font partie de cette proposition ; elles sont annexées à la "
                  "suite de ce document :")
        for terms in self.doc.terms:
            self.para(f"• {KIND_LABELS[terms.kind]} : {terms.title} (version {terms.version})", gap=0.4)

    def acceptance(self) -> None:
        if not self.doc.e_signature and self.pdf.will_page_break(52):
            self.pdf.add_page()  # the heading, the mention and the signature box stay together
        self.heading("Acceptation")
        if self.doc.e_signature:
            self.para(
                "Vous acceptez cette proposition en la signant électroniquement depuis le lien reçu par e-mail "
                "(signature confirmée par un code à usage unique). Le certificat de signature est ajouté à la fin "
                "du document signé."
            )
            return
        self.para("Date et signature du client, précédées de la mention manuscrite « Bon pour accord » :")
        self.pdf.ln(2)
        self.pdf.set_draw_color(160, 160, 160)
        self.pdf.rect(15, self.pdf.get_y(), 90, 28)
        self.pdf.ln(30)

    def withdrawal_form(self) -> None:
        legal, dealer = self.doc.dealer.legal, self.doc.dealer
        self.pdf.add_page()
        self.font(12, bold=True)
        self.pdf.cell(0, 7, "Formulaire de rétractation", new_x="LMARGIN", new_y="NEXT")
        self.para("(Annexe à l'article R221-1 du Code de la consommation)", size=8, grey=True)
        self.pdf.ln(2)
        self.para("Veuillez compléter et renvoyer le présent formulaire uniquement si vous souhaitez vous "
                  "rétracter du contrat.", size=9)
        self.pdf.ln(2)
        address = ", ".join(p for p in (legal.address_line, " ".join(
            q for q in (legal.postal_code, legal.city) if q)) if p)
        recipient = ", ".join(p for p in (legal.legal_name or dealer.name, address, legal.email or "") if p)
        form = [
            f"À l'attention de {recipient} :",
            "Je/Nous (*) vous notifie/notifions (*) par la présente ma/notre (*) rétractation du contrat portant "
            "sur la vente du bien (*)/pour la prestation de services (*) ci-dessous :",
            f"Référence : {self.doc.title.lower()} {self.doc.reference}, version {self.doc.version}",
            "Commandé le (*)/reçu le (*) :",
            "Nom du (des) consommateur(s) :",
            "Adresse du (des) consommateur(s) :",
            "Signature du (des) consommateur(s) (uniquement en cas de notification du présent formulaire "
            "sur papier) :",
            "Date :",
        ]
        for text in form:
            self.para(text, size=9.5, height=5)
            self.pdf.ln(4)
        self.para("(*) Rayez la mention inutile.", size=8, grey=True)
