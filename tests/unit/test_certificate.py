"""The certificate page: who signed what, when, from where, appended without touching the original."""
import hashlib
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from io import BytesIO

import pytest

from chalicelib.documents.certificate import CertificateFacts, append_pages, certificate_pdf, steps, with_certificate
from chalicelib.domain.evidence import Chain, EventKind, append, subject_of
from tests import pdf_text
from tests.pdf_text import last_page_text

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Safari/604.1"


def proposal_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for page in (1, 2):
        pdf.add_page()
        pdf.cell(text=f"Proposition commerciale - page {page}")
    return bytes(pdf.output())


def facts(name: str = "Zoé Lefèvre", kinds=None) -> CertificateFacts:
    chain = Chain.start(subject_of("D1", "P1"))
    events = []
    kinds = kinds or [
        EventKind.PROPOSAL_SENT, EventKind.LINK_OPENED, EventKind.VIEWED, EventKind.LINK_OPENED, EventKind.VIEWED,
        EventKind.QUESTION_ASKED, EventKind.SIGN_FORM_SUBMITTED, EventKind.CODE_SENT, EventKind.CODE_FAILED,
        EventKind.CODE_VERIFIED, EventKind.ACCEPTED,
    ]
    for minute, kind in enumerate(kinds):
        chain, event = append(chain, kind, T0 + timedelta(minutes=minute), ip="203.0.113.7", user_agent=UA)
        events.append(event)
    return CertificateFacts(
        dealer_name="Garage des Tilleuls", proposal_reference="OFF-2026-0042", proposal_version=2,
        signer_name=name, signer_email="zoe@example.com", ip="203.0.113.7", user_agent=UA,
        consent_text="J’ai lu et j'accepte la proposition commerciale et ses conditions générales.",
        events=events, chain=chain,
    )


def pages(pdf: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Count"])


@pytest.fixture(scope="module")
def signed():
    original = proposal_pdf()
    return original, with_certificate(original, facts())


def test_the_certificate_is_one_more_page_after_the_untouched_original(signed):
    original, with_page = signed
    assert pages(original) == 2 and pages(with_page) == 3
    assert with_page.startswith(original)


def test_the_certificate_names_the_signer_the_document_and_its_fingerprint(signed):
    original, with_page = signed
    text = last_page_text(with_page)
    for expected in (
        "Certificat de signature électronique", "Zoé Lefèvre", "zoe@example.com", "203.0.113.7", "iPhone OS 17_4",
        "OFF-2026-0042", "version 2", "Garage des Tilleuls", hashlib.sha256(original).hexdigest(),
        f"{len(original)} octets", "conditions générales", facts().chain.head_hash,
    ):
        assert expected in text, expected


def test_each_step_is_dated_in_paris_time_and_in_utc(signed):
    text = last_page_text(signed[1])
    assert "Code de sécurité envoyé par e-mail" in text and "Acceptation et signature" in text
    assert "02/03/2026 10:10:00" in text and "2026-03-02 09:10:00 UTC" in text


def test_summer_time_is_shown_as_paris_sees_it():
    summer = datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc)
    base = facts()
    moved = [e.model_copy(update={"at": summer}) for e in base.events]
    page = certificate_pdf(replace(base, events=moved), "00" * 32, 1)
    text = last_page_text(append_pages(proposal_pdf(), page))
    assert "01/07/2026 11:00:00" in text and "2026-07-01 09:00:00 UTC" in text


def test_reading_steps_appear_once_and_every_signature_step_appears():
    shown = [e.kind for e in steps(facts().events)]
    assert shown == [
        EventKind.PROPOSAL_SENT, EventKind.LINK_OPENED, EventKind.VIEWED, EventKind.SIGN_FORM_SUBMITTED,
        EventKind.CODE_SENT, EventKind.CODE_FAILED, EventKind.CODE_VERIFIED, EventKind.ACCEPTED,
    ]


def test_a_name_outside_latin_1_is_printed_as_typed():
    page = certificate_pdf(facts("Łukasz Œuvrard — Nguyễn"), "00" * 32, 1)
    text = last_page_text(append_pages(proposal_pdf(), page))
    assert "Łukasz Œuvrard — Nguyễn" in text


def test_the_masked_iban_keeps_its_dots_and_every_accent_stays():
    consent = ("J'ai lu la proposition commerciale et les informations sur le droit de rétractation. "
               "J'autorise Tilleuls Automobiles à prélever sur le compte FR76 •••• •••• 0189 les sommes dues.")
    page = certificate_pdf(replace(facts(), consent_text=consent), "00" * 32, 1, compress=False)
    text = pdf_text.text(page)
    assert "droit de rétractation" in text
    assert "FR76 •••• •••• 0189" in text
    assert "Certificat de signature électronique" in text and "Étapes" in text


def test_many_code_attempts_flow_onto_a_second_certificate_page():
    kinds = [EventKind.SIGN_FORM_SUBMITTED] + [EventKind.CODE_SENT, *[EventKind.CODE_FAILED] * 5] * 8
    original = proposal_pdf()
    assert pages(with_certificate(original, facts(kinds=kinds))) == 4


def test_appending_pages_keeps_the_original_as_a_prefix():
    original = proposal_pdf()
    combined = append_pages(original, proposal_pdf())
    assert combined.startswith(original) and pages(combined) == 4


def test_the_withdrawal_end_dates_are_printed_as_the_page_and_the_email_say_them():
    withdrawal = ("Contrat de service : 14 jours à compter de la signature, soit jusqu'au lundi 4 mai 2026 inclus "
                  "(art. L221-18 du Code de la consommation).")
    page = certificate_pdf(replace(facts(), withdrawal=withdrawal), "00" * 32, 1, compress=False)
    text = pdf_text.text(page)
    assert "Délais de rétractation" in text and "soit jusqu'au lundi 4 mai 2026 inclus" in text

