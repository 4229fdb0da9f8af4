"""The quote / proposal PDF: French, complete, and the same bytes for the same version."""
import hashlib
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from chalicelib.documents import storage
from chalicelib.documents.pdf import render_quote
from chalicelib.domain.dealers import Deposit
from chalicelib.domain.proposals.commands import ProposalChange
from chalicelib.domain.proposals.model import CoHolder
from chalicelib.domain.proposals.views import document_of_proposal
from chalicelib.domain.quotes import LineKind
from tests import pdf_text, samples

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def document():
    return document_of_proposal(samples.proposal())


@pytest.fixture(scope="module")
def words(document):
    return pdf_text.text(render_quote(document, compress=False))


def test_the_same_version_gives_the_same_bytes(document):
    first = render_quote(document)
    assert first.startswith(b"%PDF-") and render_quote(document) == first


def test_the_same_version_gives_the_same_bytes_in_another_process(document):
    script = ("import sys; from tests import samples; from chalicelib.documents.pdf import render_quote; "
              "from chalicelib.domain.proposals.views import document_of_proposal; "
              "sys.stdout.buffer.write(render_quote(document_of_proposal(samples.proposal())))")
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, cwd=ROOT).stdout
    assert other == render_quote(document)


def test_a_document_without_a_co_holder_keeps_the_bytes_whose_hashes_are_recorded(document):
    # The SHA-256 of documents already sent and signed are recorded (evidence, seals): a change of the
    # renderer must leave them as they were. These are the sample's, as rendered before the co-holder.
    assert hashlib.sha256(render_quote(document)).hexdigest() == (
        "c2936e4c0e884a94a54e265843d6793226222f8ed7bbe5e1231ebf5a8a14e9ac")
    without_deposit = document_of_proposal(samples.proposal(the_dealer=samples.dealer(deposit=Deposit(enabled=False))))
    assert hashlib.sha256(render_quote(without_deposit)).hexdigest() == (
        "f7ab99f393cd61bf7d233221dbf053b69b7960360a3370f59bb743fdc871bbd1")


def test_a_co_holder_is_printed_beside_the_holder():
    co_holder = CoHolder(contact_id="C2", name="Paul Durand", email="paul@example.com", mobile="+33698765432")
    words = pdf_text.text(render_quote(document_of_proposal(
        samples.proposal().model_copy(update={"co_holder": co_holder})), compress=False))
    assert "Client Mme Marie Durand 3 place Bellecour 69002 Lyon marie@example.com +33 6 12 34 56 78 " \
           "Cotitulaire Paul Durand paul@example.com Véhicule" in words


def test_a_new_version_gives_a_new_document(document):
    sent = samples.proposal().sent(samples.TO_MARIE, True, samples.AT)
    edited = sent.edited(ProposalChange(email="autre@example.com"), None, samples.AT + timedelta(days=1))
    assert render_quote(document_of_proposal(edited)) != render_quote(document)


def test_the_document_names_the_dealer_seller_customer_and_validity(words):
    for expected in ("Garage des Tilleuls", "Tilleuls Automobiles SAS", "SIRET 12345678900012",
                     "Votre conseiller Victor Vendeur", "+33 6 11 22 33 44", "Mme Marie Durand",
                     "3 place Bellecour 69002 Lyon", "PROPOSITION COMMERCIALE", "N° P2026-00012 — version 1",
                     "Valable jusqu'au : 24/12/2026", "VIN VF3LBHNSJKS123456"):
        assert expected in words, expected


def test_the_lines_and_totals_are_in_euros(words):
    for expected in ("Tapis de sol", "12,49 €", "49,96 €", "59,95 €", "Total TTC 20 417,95 €",
                     "TVA 20 % sur 17 014,96 € 3 402,99 €", "dont payé par prélèvement 1 068,00 €",
                     "Payé par prélèvement SEPA"):
        assert expected in words, expected


def test_optional_products_are_listed_apart_from_the_total(words):
    assert "Options proposées (non comprises dans le total)" in words
    assert words.index("Extension de garantie panne mécanique") > words.index("Options proposées")


def test_the_withdrawal_information_per_product_kind_is_in_the_document(words):
    assert "Droit de rétractation" in words
    assert "14 jours à compter de la remise (ou de la livraison) du véhicule" in words
    assert "Contrat de service : 14 jours à compter de la signature du contrat" in words
    assert "Assurance : 30 jours à compter de la signature du contrat (art. L112-10 du Code des assurances)" in words


def test_the_model_withdrawal_form_is_in_the_document(words):
    assert "Formulaire de rétractation" in words
    assert "Veuillez compléter et renvoyer le présent formulaire uniquement si vous souhaitez vous rétracter" in words
    assert "À l'attention de Tilleuls Automobiles SAS, 12 rue des Tilleuls, 69003 Lyon" in words
    assert "(*) Rayez la mention inutile." in words


def test_a_deposit_is_called_an_acompte(words):
    assert "Acompte à la signature 2 041,80 €" in words
    assert "à titre d'acompte (et non d'arrhes" in words


def test_without_a_deposit_the_word_acompte_is_not_needed():
    document = document_of_proposal(samples.proposal(the_dealer=samples.dealer(deposit=Deposit(enabled=False))))
    assert "Acompte à la signature" not in pdf_text.text(render_quote(document, compress=False))


def test_names_in_other_alphabets_are_printed():
    lines = [samples.line(LineKind.FEE, 100, label="Frais — Łódź, Ærøskøbing, Çağrı, Дмитрий, Ελένη, ½ €")]
    document = document_of_proposal(samples.proposal(samples.quote(lines)))
    assert "Frais — Łódź, Ærøskøbing, Çağrı, Дмитрий, Ελένη, ½ €" in pdf_text.text(
        render_quote(document, compress=False))


def test_pdfs_are_stored_per_dealer_document_and_version():
    assert storage.proposal_pdf_key("D1", "P1", 2) == "dealers/D1/proposals/P1/v2.pdf"
