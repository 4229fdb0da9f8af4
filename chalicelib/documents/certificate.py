"""The certificate page added to a signed proposal (SPEC F.2), in French.

The page is drawn with fpdf2, then appended to the proposal as an incremental update with
pyHanko: the original bytes stay untouched at the start of the file, so the SHA-256 printed
on the page can be checked against them. fpdf2 and pyHanko are imported inside the functions
so that app.py's cold start never pays for them.
"""
import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from io import BytesIO
from typing import Sequence
from zoneinfo import ZoneInfo

from chalicelib.domain.evidence import Chain, EventKind, EvidenceEvent

PARIS = ZoneInfo("Europe/Paris")

STEP_LABELS = {
    EventKind.PROPOSAL_SENT: "Envoi de la proposition",
    EventKind.REMINDER_SENT: "Relance",
    EventKind.LINK_OPENED: "Ouverture du lien d'accès",
    EventKind.VIEWED: "Consultation de la proposition",
    EventKind.DOWNLOADED: "Téléchargement du PDF",
    EventKind.OPTIONS_CHANGED: "Options modifiées par le client",
    EventKind.SIGN_FORM_SUBMITTED: "Formulaire de signature validé",
    EventKind.CODE_SENT: "Code de sécurité envoyé par e-mail",
    EventKind.CODE_FAILED: "Code de sécurité erroné",
    EventKind.CODE_VERIFIED: "Code de sécurité vérifié",
    EventKind.SIGNER_SIGNED: "Signature (1 sur 2)",
    EventKind.ACCEPTED: "Acceptation et signature",
}
# Reading can happen many times; the page shows when it first happened, and every signature step.
_FIRST_ONLY = {EventKind.LINK_OPENED, EventKind.VIEWED, EventKind.DOWNLOADED}



@dataclass(frozen=True)
class SignerFacts:
    """Another signer of the same proposal (the first of two), as the page lists them."""
    role: str
    name: str
    email: str
    ip: str | None
    user_agent: str | None
    signed_at: datetime
    consent_text: str
    code_sent_to: str = "e-mail"  # where the code went: "e-mail" or "SMS au +33•••••••78"
    host: str | None = None  # signed in person: the seller present


@dataclass(frozen=True)
class CertificateFacts:
    dealer_name: str
    proposal_reference: str
    proposal_version: int
    signer_name: str
    signer_email: str
    ip: str | None
    user_agent: str | None
    consent_text: str
    events: Sequence[EvidenceEvent]
    chain: Chain
    withdrawal: str = ""  # the periods with their end dates, one a line, as the page and the email say them
    signer_role: str | None = None  # "titulaire" or "cotitulaire" when the proposal has two signers
    co_signers: Sequence[SignerFacts] = ()  # the first of two signers, who signed before this one
    code_sent_to: str | None = None  # "SMS au +33•••••••78" when the code went by SMS (else by email)
    host: str | None = None  # signed in person, on the seller's tablet: the seller present


def with_certificate(original: bytes, facts: CertificateFacts) -> bytes:
    """The proposal followed by its certificate page; `original` stays a prefix of the result."""
    return append_pages(original, certificate_pdf(facts, hashlib.sha256(original).hexdigest(), len(original)))


def certificate_pdf(facts: CertificateFacts, original_sha256: str, original_length: int,
                    compress: bool = True) -> bytes:
    """The page itself. In the proposal PDF's Unicode font (DejaVu Sans, as documents/pdf.py): fpdf2's core
    fonts are Latin-1, and one character outside it (the masked IBAN's "•", a Polish name) cost every accent.
    `compress=False` leaves the content stream readable (tests)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from chalicelib.documents.pdf import FAMILY, add_fonts

    signed_at = next((e.at for e in reversed(facts.events) if e.kind is EventKind.ACCEPTED), None)
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    add_fonts(pdf)
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(_plain(f"Certificat de signature - {facts.proposal_reference}"))
    pdf.set_author("Offerline")
    if signed_at:
        pdf.set_creation_date(signed_at)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str) -> None:
        pdf.ln(3)
        pdf.set_font(FAMILY, "B", 11)
        pdf.cell(width, 7, _plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, border="B")
        pdf.ln(1)

    def row(label: str, value: str, mono: bool = False) -> None:
        pdf.set_font(FAMILY, "B", 9)
        pdf.cell(48, 5.5, _plain(label))
        pdf.set_font(FAMILY, "", 7.5 if mono else 9)
        pdf.multi_cell(width - 48, 5.5, _plain(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_font(FAMILY, "B", 16)
    pdf.cell(width, 10, _plain("Certificat de signature électronique"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 10)
    pdf.multi_cell(width, 5.5, _plain(
        f"Proposition commerciale {facts.proposal_reference}, version {facts.proposal_version}, "
        f"émise par {facts.dealer_name}."
    ), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    for other in facts.co_signers:
        heading(f"Signataire ({other.role})")
        row("Nom", other.name)
        row("Adresse e-mail", other.email)
        row("Adresse IP", other.ip or "non communiquée")
        row("Navigateur", other.user_agent or "non communiqué")
        row("Mode", _mode(other.host))
        row("Code reçu par", other.code_sent_to)
        row("Signé le", f"{_paris(other.signed_at)} (heure de Paris), {_utc(other.signed_at)}")
    heading(f"Signataire ({facts.signer_role})" if facts.signer_role else "Signataire")
    row("Nom", facts.signer_name)
    row("Adresse e-mail", facts.signer_email)
    row("Adresse IP", facts.ip or "non communiquée")
    row("Navigateur", facts.user_agent or "non communiqué")
    if facts.host or facts.co_signers:
        row("Mode", _mode(facts.host))
    if facts.code_sent_to:
        row("Code reçu par", facts.code_sent_to)
    if signed_at:
        row("Signé le", f"{_paris(signed_at)} (heure de Paris), {_utc(signed_at)}")

    heading("Document signé")
    row("Référence", facts.proposal_reference)
    row("Version", str(facts.proposal_version))
    row("SHA-256 de l'original", original_sha256, mono=True)
    row("Taille de l'original", f"{original_length} octets")

    heading("Étapes")
    pdf.set_font(FAMILY, "B", 9)
    for text, w in (("Étape", 82), ("Heure de Paris", 44), ("UTC", width - 126)):
        pdf.cell(w, 6, _plain(text), border="B")
    pdf.ln()
    pdf.set_font(FAMILY, "", 9)
    for event in steps(facts.events):
        pdf.cell(82, 5.5, _plain(step_label(event)))
        pdf.cell(44, 5.5, _paris(event.at))
        pdf.cell(width - 126, 5.5, _utc(event.at), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    heading("Consentement exprimé")
    pdf.set_font(FAMILY, "", 9)
    for other in facts.co_signers:
        pdf.multi_cell(width, 5, _plain(f"{other.name} ({other.role}) : {other.consent_text}"),
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    consent = f"{facts.signer_name} ({facts.signer_role}) : {facts.consent_text}" if facts.co_signers \
        else facts.consent_text
    pdf.multi_cell(width, 5, _plain(consent), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    if facts.withdrawal:
        heading("Délais de rétractation")
        pdf.set_font(FAMILY, "", 9)
        pdf.multi_cell(width, 5, _plain(facts.withdrawal), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    heading("Preuves")
    row("Chaîne de preuves", f"{facts.chain.seq} événements horodatés et chaînés (SHA-256)")
    row("Empreinte finale", facts.chain.head_hash, mono=True)
    pdf.ln(2)
    pdf.set_font(FAMILY, "", 8)
    pdf.multi_cell(width, 4.5, _plain(
        f"Ce certificat est ajouté au document sans en modifier le contenu : les {original_length} premiers "
        "octets de ce fichier sont le document présenté au signataire, dont l'empreinte SHA-256 figure "
        "ci-dessus. Le fichier est scellé par Offerline (signature électronique PAdES) : tout lecteur PDF "
        "signale une modification postérieure au scellement. " + _authenticated_by(facts.events)
    ), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def step_label(event: EvidenceEvent) -> str:
    """The step's label, naming the signer on a two-signer proposal (its events say whose they are)."""
    role = _ROLE_LABELS.get(str(event.details.get("signer_role") or event.details.get("signer")))
    label = STEP_LABELS[event.kind]
    if event.kind is EventKind.CODE_SENT and event.details.get("channel") == "sms":
        label = "Code de sécurité envoyé par SMS"
    return f"{label} ({role})" if role else label


_ROLE_LABELS = {"holder": "titulaire", "co_holder": "cotitulaire"}


def _mode(host: str | None) -> str:
    return f"en présence du vendeur ({host}), sur sa tablette" if host else "à distance"


def _authenticated_by(events: Sequence[EvidenceEvent]) -> str:
    """How the signers got their codes, as the code events say (by email, by SMS, or both)."""
    channels = {e.details.get("channel") for e in events if e.kind is EventKind.CODE_SENT}
    where = {"sms": "son téléphone mobile (SMS)", "email": "son adresse e-mail"}
    said = " ou ".join(where[c] for c in ("email", "sms") if c in channels) or where["email"]
    who = "Chaque signataire a été authentifié" if any(e.kind is EventKind.SIGNER_SIGNED for e in events) \
        else "Le signataire a été authentifié"
    return f"{who} par un code à usage unique envoyé à {said}."


def steps(events: Sequence[EvidenceEvent]) -> list[EvidenceEvent]:
    """The events the certificate lists: signature steps, and the first time of each reading step."""
    seen: set[EventKind] = set()
    shown = []
    for event in events:
        if event.kind not in STEP_LABELS or (event.kind in _FIRST_ONLY and event.kind in seen):
            continue
        seen.add(event.kind)
        shown.append(event)
    return shown


def append_pages(original: bytes, extra: bytes) -> bytes:
    """`original` followed by every page of `extra`, written as an incremental update.

    Each extra page is imported as a form XObject and drawn on a new page of the same size,
    pyHanko's supported way of copying a page between files.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import PageObject

    writer = IncrementalPdfFileWriter(BytesIO(original))
    source = PdfFileReader(BytesIO(extra))
    for index in range(int(source.root["/Pages"]["/Count"])):
        drawing = writer.import_page_as_xobject(source, page_ix=index)
        contents = writer.add_object(generic.StreamObject(stream_data=b"q /Page Do Q"))
        resources = generic.DictionaryObject({
            generic.pdf_name("/XObject"): generic.DictionaryObject({generic.pdf_name("/Page"): drawing}),
        })
        writer.insert_page(PageObject(contents, list(drawing.get_object()["/BBox"]), resources))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _paris(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M:%S")


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _plain(text: str) -> str:
    """The text as typed, composed (a decomposed "é" from a Mac keyboard is one glyph of the font)."""
    return unicodedata.normalize("NFC", text)
