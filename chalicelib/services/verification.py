"""Does a signed PDF still prove what it says? (issue 16: the PDF is the proof on its own; issue 11 item 5).

The signed PDF carries everything: the document shown (its first bytes), the certificate page, the
evidence JSON embedded as `evidence.json`, and the Offerline seal with its RFC 3161 timestamp over all
of it. `check_pdf` re-checks a PDF anyone hands in, each proof apart, and says what, if anything, was
changed; `against_sealed_pdf` lets the seller's evidence verification compare the stored chain with the
head sealed in the signed PDF, so rewriting the stored events, the stored head and
`signature.evidence_head` together (hashes recomputed) is still found. A proposal signed before the PDF
embedded its evidence is compared, instead, with the chain head printed on its certificate page (read with
pypdf). pyHanko is imported by `documents/sealing` inside its functions, pypdf here inside its function: only
these checks pay for them.
"""
import hashlib
import json
import re
from datetime import datetime
from enum import StrEnum
from typing import Any, Sequence

from chalicelib.documents import sealing, storage
from chalicelib.domain import evidence
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.evidence import Chain, EvidenceEvent, Signer, VerificationReport
from chalicelib.domain.files import FileType, sniff
from chalicelib.domain.model import Entity
from chalicelib.domain.proposals.model import Proposal
from chalicelib.domain.signing import PendingSignature
from chalicelib.store import portal as store


class Change(StrEnum):
    """What a verification found changed, or missing, in a signed PDF."""
    NOT_SEALED = "not_sealed"
    SEAL_BROKEN = "seal_broken"
    SEAL_UNTRUSTED = "seal_untrusted"
    CHANGED_AFTER_SEAL = "changed_after_seal"
    TIMESTAMP_MISSING = "timestamp_missing"
    TIMESTAMP_INVALID = "timestamp_invalid"
    EVIDENCE_MISSING = "evidence_missing"
    EVIDENCE_EDITED = "evidence_edited"
    DOCUMENT_EDITED = "document_edited"
    UNKNOWN_PROPOSAL = "unknown_proposal"
    STORED_HEAD_DIFFERS = "stored_head_differs"


MESSAGES = {
    Change.NOT_SEALED: "Le fichier ne porte pas le sceau Offerline.",
    Change.SEAL_BROKEN: "Le fichier a été modifié après son scellement : le sceau ne correspond plus.",
    Change.SEAL_UNTRUSTED: "Le sceau n'a pas été émis par un certificat de confiance d'Offerline.",
    Change.CHANGED_AFTER_SEAL: "Des données ont été ajoutées au fichier après son scellement.",
    Change.TIMESTAMP_MISSING: "Le sceau ne porte pas d'horodatage qualifié (RFC 3161).",
    Change.TIMESTAMP_INVALID: "L'horodatage du sceau n'est pas valide ou son autorité n'est pas de confiance.",
    Change.EVIDENCE_MISSING: "Le fichier ne contient pas les preuves de la signature (evidence.json).",
    Change.EVIDENCE_EDITED: "Les preuves embarquées ont été modifiées : la chaîne d'événements est rompue.",
    Change.DOCUMENT_EDITED: "Le début du fichier n'est plus le document présenté au signataire.",
    Change.UNKNOWN_PROPOSAL: "La proposition signée n'est plus enregistrée chez Offerline.",
    Change.STORED_HEAD_DIFFERS: "Les preuves enregistrées chez Offerline ne correspondent plus à celles scellées "
                                "dans le PDF.",
}
SIGNED_BEFORE_EMBEDDING = "signé avant l'intégration des preuves au PDF"
# The certificate page's "Empreinte finale" row (documents/certificate.py), read with its spaces removed.
_PRINTED_HEAD = re.compile(r"Empreintefinale([0-9a-f]{64})")


class SealFindings(Entity):
    present: bool
    intact: bool
    trusted: bool
    whole_file: bool
    signer: str | None = None


class TimestampFindings(Entity):
    present: bool
    valid: bool
    at: datetime | None = None


class EvidenceFindings(Entity):
    present: bool
    chain_ok: bool = False
    events: int = 0
    head_seq: int | None = None
    head_hash: str | None = None
    problem: str | None = None
    reference: str | None = None


class StoredFindings(Entity):
    compared: bool
    """Compared with what Offerline stores (only for a file Offerline sealed: a trusted, intact seal)."""
    matches: bool | None = None
    problem: str | None = None


class PdfVerification(Entity):
    ok: bool
    changes: list[Change]
    messages: list[str]
    sha256: str
    seal: SealFindings
    timestamp: TimestampFindings
    evidence: EvidenceFindings
    stored: StoredFindings


class NotAPdf(InvalidInput):
    code = "not_a_pdf"


# --- what the acceptance embeds --------------------------------------------------------------------

def sealed_evidence(proposal: Proposal, pending: PendingSignature, events: Sequence[EvidenceEvent], chain: Chain,
                    at: datetime) -> bytes:
    """The evidence JSON embedded in the signed PDF, as the seller's evidence file but for the signed PDF's own
    hash (the file that carries it): UTF-8, indented for whoever opens the attachment."""
    document = evidence.evidence_document(
        subject=evidence.subject_of(proposal.dealer_id, proposal.id), proposal_reference=proposal.reference,
        proposal_version=proposal.version,
        signer=Signer(name=pending.full_name, email=pending.email, role=pending.role.value),
        consent_text=pending.consent_text, shown_pdf_sha256=pending.shown_pdf.sha256,
        shown_pdf_length=pending.shown_pdf.size, signed_pdf_sha256=None, events=events, head=chain,
        generated_at=at, co_signers=[Signer(name=first.signer_name, email=first.signer_email, role=first.role.value,
                                            signed_at=first.signed_at, consent_text=first.consent_text)
                                     for first in ([proposal.partly_signed] if proposal.partly_signed else [])],
    )
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


# --- a PDF handed in ------------------------------------------------------------------------------

def check_pdf(pdf: bytes) -> PdfVerification:
    """Every proof the PDF carries, checked apart, and against what Offerline stores when Offerline sealed it."""
    if sniff(pdf[:16]) is not FileType.PDF:
        raise NotAPdf("Le fichier envoyé n'est pas un PDF.", {"body": "expected a PDF (application/pdf)"})
    report = sealing.validate(pdf, sealing.trust_roots_from_settings())
    changes = _seal_changes(report)
    sealed = _sealed_evidence(report)
    found = _findings(sealed)
    if sealed is None:
        changes.append(Change.EVIDENCE_MISSING)
    elif not found.chain_ok:
        changes.append(Change.EVIDENCE_EDITED)
    elif not _shown_prefix_matches(pdf, sealed.document):
        changes.append(Change.DOCUMENT_EDITED)
    stored = StoredFindings(compared=False)
    # Only a file Offerline sealed (intact, trusted seal) is looked up: its subject was written by Offerline,
    # never chosen by whoever hands the file in.
    if report.intact and report.valid and sealed is not None and found.chain_ok:
        stored = _compare(sealed)
        if stored.matches is False:
            changes.append(Change.UNKNOWN_PROPOSAL if stored.problem == MESSAGES[Change.UNKNOWN_PROPOSAL]
                           else Change.STORED_HEAD_DIFFERS)
    return PdfVerification(
        ok=not changes, changes=changes, messages=[MESSAGES[c] for c in changes],
        sha256=hashlib.sha256(pdf).hexdigest(),
        seal=SealFindings(present=report.signer is not None, intact=report.intact, trusted=report.valid,
                          whole_file=report.whole_file, signer=report.signer),
        timestamp=TimestampFindings(present=report.timestamp is not None, valid=report.timestamp_valid,
                                    at=report.timestamp),
        evidence=found, stored=stored,
    )


def _seal_changes(report: sealing.SealReport) -> list[Change]:
    if report.signer is None:
        return [Change.NOT_SEALED]
    changes = []
    if not report.intact:
        changes.append(Change.SEAL_BROKEN)
    elif not report.valid:
        changes.append(Change.SEAL_UNTRUSTED)
    if not report.whole_file:
        changes.append(Change.CHANGED_AFTER_SEAL)
    if report.timestamp is None:
        changes.append(Change.TIMESTAMP_MISSING)
    elif not report.timestamp_valid:
        changes.append(Change.TIMESTAMP_INVALID)
    return changes


class _Sealed:
    """The evidence embedded in a signed PDF, read: its document, and its chain when it has one."""

    head: Chain | None

    def __init__(self, document: Any):
        self.document = document if isinstance(document, dict) else {}
        try:
            self.subject, self.events, self.head = evidence.read_chain(document)
            self.check = evidence.verify(self.events, self.subject, self.head)
        except ValueError:
            self.subject, self.events, self.head = "", [], None
            self.check = VerificationReport(ok=False, events=0, problem="les preuves embarquées sont illisibles")


def _sealed_evidence(report: sealing.SealReport) -> _Sealed | None:
    if report.evidence is None:
        return None
    try:
        return _Sealed(json.loads(report.evidence))
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return _Sealed(None)


def _findings(sealed: _Sealed | None) -> EvidenceFindings:
    if sealed is None:
        return EvidenceFindings(present=False)
    reference = (sealed.document.get("proposal") or {}).get("reference")
    return EvidenceFindings(
        present=True, chain_ok=sealed.check.ok, events=len(sealed.events),
        head_seq=sealed.head.seq if sealed.head else None, head_hash=sealed.head.head_hash if sealed.head else None,
        problem=sealed.check.problem, reference=reference if isinstance(reference, str) else None,
    )


def _shown_prefix_matches(pdf: bytes, document: dict[str, Any]) -> bool:
    """The signed file begins with the document shown (the certificate page and the seal are appended)."""
    shown = (document.get("documents") or {}).get("shown") or {}
    length = shown.get("length")
    return isinstance(length, int) and hashlib.sha256(pdf[:length]).hexdigest() == shown.get("sha256")


def _compare(sealed: _Sealed) -> StoredFindings:
    dealer_id, _, proposal_id = sealed.subject.partition("/")
    aggregate = store.read(dealer_id, proposal_id, whole=True) if dealer_id and proposal_id else None
    if aggregate is None or aggregate.proposal.signature is None:
        return StoredFindings(compared=True, matches=False, problem=MESSAGES[Change.UNKNOWN_PROPOSAL])
    difference = _stored_difference(aggregate, sealed)
    return StoredFindings(compared=True, matches=difference is None,
                          problem=difference.problem if difference else None)


# --- the seller's evidence verification, against the signed PDF ----------------------------------------

def against_sealed_pdf(aggregate: store.Aggregate) -> VerificationReport | None:
    """What differs between the stored chain and the one sealed in the signed PDF (None: nothing). The seal is
    validated first: a head read from a file Offerline did not seal proves nothing."""
    signature = aggregate.proposal.signature
    assert signature is not None
    events = len(aggregate.evidence)
    pdf = storage.get(signature.signed_pdf.s3_key)
    if hashlib.sha256(pdf).hexdigest() != signature.signed_pdf.sha256:
        return VerificationReport(ok=False, events=events,
                                  problem="le PDF signé conservé n'est plus celui enregistré à la signature")
    report = sealing.validate(pdf, sealing.trust_roots_from_settings())
    if not (report.intact and report.valid and report.whole_file):
        return VerificationReport(ok=False, events=events, problem="le sceau du PDF signé n'est plus valide")
    sealed = _sealed_evidence(report)
    if sealed is None:
        return _against_certificate_page(aggregate, pdf)
    if not sealed.check.ok:
        return VerificationReport(ok=False, events=events,
                                  problem="le PDF signé ne contient pas de preuves scellées lisibles")
    return _stored_difference(aggregate, sealed)


def _against_certificate_page(aggregate: store.Aggregate, pdf: bytes) -> VerificationReport:
    """A PDF sealed before it embedded its evidence (no evidence.json) still prints the head at acceptance on its
    certificate page, under the seal: the stored head at signature must be that one (the caller checked that the
    stored chain passes through it)."""
    signature = aggregate.proposal.signature
    assert signature is not None
    events = len(aggregate.evidence)
    printed = _printed_head(pdf)
    if printed is None:
        return VerificationReport(ok=False, events=events, problem=f"{SIGNED_BEFORE_EMBEDDING}, et le certificat "
                                                                   "ne porte pas d'empreinte lisible")
    if printed != signature.evidence_head:
        return VerificationReport(ok=False, events=events, first_bad_seq=signature.evidence_seq,
                                  problem=f"{SIGNED_BEFORE_EMBEDDING}, et l'empreinte enregistrée à la signature "
                                          "n'est plus celle imprimée sur le certificat")
    return VerificationReport(ok=True, events=events, note=f"{SIGNED_BEFORE_EMBEDDING} : l'empreinte enregistrée à la "
                                                            "signature est celle imprimée sur le certificat")


def _printed_head(pdf: bytes) -> str | None:
    """The chain head printed on the certificate page (the last page of the signed PDF), None when unreadable."""
    from io import BytesIO

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = PdfReader(BytesIO(pdf)).pages
        for page in reversed(pages):
            found = _PRINTED_HEAD.search(re.sub(r"\s+", "", page.extract_text()))
            if found:
                return found.group(1)
    except (PyPdfError, ValueError):
        return None
    return None


def _stored_difference(aggregate: store.Aggregate, sealed: _Sealed) -> VerificationReport | None:
    """The stored chain must verify against its head, and pass through the sealed chain event for event."""
    proposal, stored = aggregate.proposal, aggregate.evidence
    signature, head = proposal.signature, sealed.head
    assert signature is not None and head is not None
    checked = evidence.verify(stored, evidence.subject_of(proposal.dealer_id, proposal.id), aggregate.chain)
    if not checked.ok:
        return checked
    for position, event in enumerate(sealed.events, start=1):
        if position > len(stored) or stored[position - 1].hash != event.hash:
            return VerificationReport(
                ok=False, events=len(stored), first_bad_seq=position,
                problem=f"l'événement n° {position} enregistré n'est plus celui scellé dans le PDF signé")
    if (signature.evidence_seq, signature.evidence_head) != (head.seq, head.head_hash):
        return VerificationReport(ok=False, events=len(stored), first_bad_seq=head.seq,
                                  problem="l'empreinte enregistrée à la signature n'est plus celle scellée dans le PDF")
    return None
