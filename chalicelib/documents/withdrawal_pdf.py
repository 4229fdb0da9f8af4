"""The acknowledgement of a withdrawal, as a PDF: the model form as the customer filled it (Annexe à
l'article R221-1 du Code de la consommation) and what follows, sent by email as the durable medium the
seller owes (art. L221-21). Same fonts as the quote PDF; fpdf2 is imported on first render only.
"""
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.documents.pdf import FAMILY, FONTS, PRODUCER, _clean
from chalicelib.domain import local_time
from chalicelib.domain.money import format_euros


@dataclass(frozen=True)
class WithdrawalAck:
    dealer_name: str
    dealer_address: str
    reference: str
    customer_name: str
    customer_address: str
    signed_on: date
    handed_over_on: date | None
    withdrawn: list[str]
    ended: list[str]
    credit_ended: str | None
    refund_cents: int
    refund_due_on: date
    at: datetime


def render(ack: WithdrawalAck) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(ack.at)
    pdf.set_producer(PRODUCER)
    pdf.set_creator(PRODUCER)
    pdf.set_title(f"Rétractation – proposition {ack.reference}")
    pdf.set_author(ack.dealer_name)
    pdf.set_lang("fr-FR")
    pdf.set_margins(15, 15, 15)
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_page()

    def para(text: str, size: float = 10, bold: bool = False) -> None:
        pdf.set_font(FAMILY, "B" if bold else "", size)
        pdf.multi_cell(0, 5, _clean(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)

    para("Accusé de réception de votre rétractation", 15, bold=True)
    para(f"{ack.dealer_name} a reçu votre rétractation le {local_time.format_moment(ack.at)}.")
    para("Formulaire de rétractation (annexe à l'article R221-1 du Code de la consommation)", 11, bold=True)
    para(f"À l'attention de {ack.dealer_name}{', ' + ack.dealer_address if ack.dealer_address else ''} :")
    para("Je vous notifie par la présente ma rétractation du contrat portant sur les produits ci-dessous :")
    for label in ack.withdrawn:
        para(f"• {label}")
    para(f"Référence : proposition commerciale {ack.reference}")
    received = (f" ; véhicule reçu le {local_time.format_day(ack.handed_over_on)}" if ack.handed_over_on else "")
    para(f"Commandé le {local_time.format_day(ack.signed_on)}{received}")
    para(f"Nom du consommateur : {ack.customer_name}")
    para(f"Adresse du consommateur : {ack.customer_address}")
    para(f"Date : {local_time.format_day(local_time.paris_date(ack.at))}")
    if ack.ended or ack.credit_ended:
        para("Contrats accessoires résiliés de plein droit (art. L221-27)", 11, bold=True)
        for label in ack.ended:
            para(f"• {label}")
        if ack.credit_ended:
            para(f"• Crédit affecté ({ack.credit_ended})")
    para("Remboursement", 11, bold=True)
    para(f"Les sommes versées pour ces produits (au plus {format_euros(ack.refund_cents)}) vous sont remboursées "
         f"au plus tard le {local_time.format_day(ack.refund_due_on)}, par le moyen de paiement utilisé "
         "(art. L221-24 du Code de la consommation).")
    if ack.handed_over_on:
        para("Le véhicule est à restituer au vendeur au plus tard 14 jours après votre rétractation "
             "(art. L221-23) ; le remboursement peut être différé jusqu'à sa récupération (art. L221-24).")
    return bytes(pdf.output())
