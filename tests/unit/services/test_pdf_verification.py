"""`check_pdf` on files sealed by the machine's development CA, on the in-memory table: what each proof says when
the evidence is unreadable, the document shown was swapped, or the proposal is no longer stored."""
import hashlib
import json
from datetime import datetime, timezone

import pytest

from chalicelib.documents.sealing import seal
from chalicelib.domain import evidence
from chalicelib.services import verification
from chalicelib.services.verification import Change
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
