"""`check_pdf` on files sealed by the machine's development CA, on the in-memory table: what each proof says when
the evidence is unreadable, the document shown was swapped, or the proposal is no longer stored."""
import dataclasses
import hashlib
import json
from datetime import datetime, timezone

import pytest

from chalicelib.documents import certificate, sealing, storage
from chalicelib.documents.sealing import seal
from chalicelib.domain import evidence
from chalicelib.domain.proposals.model import Proposal
from chalicelib.services import signing, verification
from chalicelib.services.verification import Change
from tests import customer_side as side
from tests.customer_side import PHONE, SIGN_FORM
from tests.support import tenant
from tests.unit.test_sealing import two_page_pdf

AT = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def evidence_of(shown: bytes, subject: str = "D-GONE/P-GONE") -> dict:
    chain, events = evidence.Chain.start(subject), []
    for minute, kind in enumerate([evidence.EventKind.PROPOSAL_SENT, evidence.EventKind.ACCEPTED]):
        chain, event = evidence.append(chain, kind, AT.replace(minute=minute))
        events.append(event)
    return evidence.evidence_document(
        subject=subject, proposal_reference="P2026-00001", proposal_version=1,
        signer=evidence.Signer(name="Marie Durand", email="marie@example.com"), consent_text="J'accepte.",
        shown_pdf_sha256=hashlib.sha256(shown).hexdigest(), shown_pdf_length=len(shown), signed_pdf_sha256=None,
        events=events, head=chain, generated_at=AT)


def test_a_file_sealed_by_offerline_for_a_proposal_no_longer_stored_says_so(memory):
    shown = two_page_pdf()
    report = verification.check_pdf(seal(shown, evidence=json.dumps(evidence_of(shown)).encode()))
    assert report.changes == [Change.UNKNOWN_PROPOSAL] and not report.ok
    assert report.seal.trusted and report.timestamp.valid and report.evidence.chain_ok
    assert report.evidence.reference == "P2026-00001" and report.stored.compared


def test_a_document_shown_that_is_not_the_start_of_the_file_is_reported(memory):
    shown = two_page_pdf()
    document = evidence_of(two_page_pdf("Une autre proposition"))
    report = verification.check_pdf(seal(shown, evidence=json.dumps(document).encode()))
    assert report.changes == [Change.DOCUMENT_EDITED, Change.UNKNOWN_PROPOSAL]


@pytest.mark.parametrize("embedded", [b"not json", b'{"chain": {"events": "none"}}', "é".encode("latin-1")])
def test_unreadable_embedded_evidence_is_reported_edited(memory, embedded):
    report = verification.check_pdf(seal(two_page_pdf(), evidence=embedded))
    assert report.changes == [Change.EVIDENCE_EDITED] and report.evidence.problem == (
        "les preuves embarquées sont illisibles")
    assert report.stored.compared is False


# --- the seller's evidence verification of a proposal signed before the PDF embedded its evidence ----------------

def signed_before_embedding(memory, monkeypatch, printed_head: str | None = None) -> Proposal:
    """Signed as before the evidence was embedded: the sealed PDF carries the certificate page (the head printed
    there, or `printed_head`) but no evidence.json."""
    monkeypatch.setattr(verification, "sealed_evidence", lambda *args, **kwargs: None)
    if printed_head is not None:
        drawn = certificate.with_certificate

        def printing(original: bytes, facts: certificate.CertificateFacts) -> bytes:
            head = evidence.Chain(subject=facts.chain.subject, seq=facts.chain.seq, head_hash=printed_head)
            return drawn(original, dataclasses.replace(facts, chain=head))

        monkeypatch.setattr(certificate, "with_certificate", printing)
    side.at(side.NOW)
    the = side.sent(tenant())
    signing.start(the.token, the.form("sign", **SIGN_FORM), PHONE)
    signing.confirm(the.token, the.form("code", code=side.latest_code(memory)), PHONE)
    accepted = side.stored(the)
    assert accepted.signature is not None
    assert sealing.validate(storage.get(accepted.signature.signed_pdf.s3_key), sealing.trust_roots_from_settings()
                            ).evidence is None
    return accepted


def test_a_proposal_signed_before_the_evidence_was_embedded_is_checked_against_its_certificate_page(
        memory, monkeypatch):
    accepted = signed_before_embedding(memory, monkeypatch)
    report = signing.verify_evidence(accepted.dealer_id, accepted.id)
    assert report.ok and report.problem is None
    assert report.note is not None and report.note.startswith("signé avant l'intégration des preuves au PDF")


def test_a_head_at_signature_that_is_not_the_one_printed_on_the_certificate_is_reported(memory, monkeypatch):
    accepted = signed_before_embedding(memory, monkeypatch, printed_head="0" * 64)
    report = signing.verify_evidence(accepted.dealer_id, accepted.id)
    assert not report.ok and report.problem is not None
    assert report.problem.startswith("signé avant l'intégration des preuves au PDF")
    assert "imprimée sur le certificat" in report.problem
