"""Signature evidence: append-only, hash-chained events and the evidence file (SPEC F).

Each event's hash is the SHA-256 of its canonical JSON, which includes the previous
event's hash, so changing, removing, reordering or inserting an event breaks every
hash after it. The first event chains to a hash of the chain's subject (dealer and
proposal), so a chain cannot be moved to another proposal. Removing the last events
leaves a valid shorter chain: the head (last seq and hash) is therefore kept on the
proposal, written in the same transaction as each event, and printed on the signed
PDF's certificate page.
"""
import hashlib
import json
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any, Sequence

from pydantic import Field

from chalicelib.domain.model import Entity

FORMAT = "offerline-evidence/1"
HASH_RULE = (
    "hash = SHA-256 (hex) of the UTF-8 JSON of {seq, kind, at, ip, user_agent, details, prev_hash}, "
    "keys sorted, no spaces, times in UTC as YYYY-MM-DDTHH:MM:SS.ffffffZ; "
    "the first prev_hash is SHA-256 of 'offerline-evidence:' + subject"
)

# Detail names that could carry a secret. Evidence never holds a code, a token or an HMAC.
_FORBIDDEN_DETAIL_WORDS = ("code", "token", "secret", "hmac", "password", "otp")

Detail = str | int | bool | None


class EventKind(StrEnum):
    PROPOSAL_SENT = "proposal_sent"  # the seller's send (services/proposals.send)
    REMINDER_SENT = "reminder_sent"  # a reminder, the seller's or automatic (services/proposals.reminder_of)
    LINK_RENEWED = "link_renewed"
    LINK_OPENED = "link_opened"
    VIEWED = "viewed"
    DOWNLOADED = "downloaded"
    QUESTION_ASKED = "question_asked"
    QUESTION_ANSWERED = "question_answered"
    SIGN_FORM_SUBMITTED = "sign_form_submitted"
    CODE_SENT = "code_sent"
    CODE_VERIFIED = "code_verified"
    CODE_FAILED = "code_failed"
    SIGNER_SIGNED = "signer_signed"  # the first of two signers signed: the proposal awaits the other
    ACCEPTED = "accepted"
    DECLINED = "declined"
    PAYMENT = "payment"  # a payment received: the acompte (provider's webhook) or the balance (services/orders)
    CHECKOUT_OPENED = "checkout_opened"  # the customer opened a card checkout for an order's balance (portal)
    WITHDRAWAL = "withdrawal"  # the customer withdrew from products on the portal (model form, L221-21)
    DOCUMENT_UPLOADED = "document_uploaded"  # the customer sent an order's document from the portal
    CODE_EMAIL_FATE = "code_email_fate"  # SES delivered or bounced the signing code's email (email_events)
    OPTIONS_CHANGED = "options_changed"  # the customer added or removed optional products: a new version (portal)


CODE_EVENTS = (EventKind.CODE_SENT, EventKind.CODE_VERIFIED, EventKind.CODE_FAILED)


class EvidenceEvent(Entity):
    seq: int = Field(ge=1)
    kind: EventKind
    at: datetime
    ip: str | None = None
    user_agent: str | None = None
    details: dict[str, Detail] = {}
    prev_hash: str
    hash: str


class Chain(Entity):
    """Where the next event goes: the subject and the head of the chain so far."""
    subject: str
    seq: int = 0
    head_hash: str

    @classmethod
    def start(cls, subject: str) -> "Chain":
        return cls(subject=subject, head_hash=genesis_hash(subject))


class VerificationReport(Entity):
    ok: bool
    events: int
    first_bad_seq: int | None = None
    problem: str | None = None
    note: str | None = None  # how it was checked, when not the usual way (a PDF signed before it embedded evidence)


def subject_of(dealer_id: str, proposal_id: str) -> str:
    return f"{dealer_id}/{proposal_id}"


def genesis_hash(subject: str) -> str:
    return hashlib.sha256(f"offerline-evidence:{subject}".encode()).hexdigest()


def append(
    chain: Chain,
    kind: EventKind,
    at: datetime,
    *,
    ip: str | None = None,
    user_agent: str | None = None,
    details: dict[str, Detail] | None = None,
) -> tuple[Chain, EvidenceEvent]:
    """The next event and the chain after it; the caller stores both in one transaction."""
    details = dict(details or {})
    _refuse_secrets(details)
    if at.tzinfo is None:
        raise ValueError("naive datetime: evidence times are UTC-aware")
    fields = {
        "seq": chain.seq + 1, "kind": kind, "at": at.astimezone(timezone.utc), "ip": ip,
        "user_agent": user_agent, "details": details, "prev_hash": chain.head_hash,
    }
    event = EvidenceEvent(**fields, hash=_hash_of(fields))
    return chain.model_copy(update={"seq": event.seq, "head_hash": event.hash}), event


def verify(events: Sequence[EvidenceEvent], subject: str, head: Chain | None = None) -> VerificationReport:
    """Checks the events in the order given; with the stored head, a cut-off end is found too."""
    prev_hash = genesis_hash(subject)
    for position, event in enumerate(events, start=1):
        problem = None
        if event.seq != position:
            problem = f"l'événement n° {position} manque ou a été déplacé (trouvé : n° {event.seq})"
        elif event.prev_hash != prev_hash:
            problem = f"l'événement n° {position} ne suit pas le précédent (inséré, supprimé ou déplacé)"
        elif event.hash != _hash_of(event.model_dump(exclude={"hash"})):
            problem = f"l'événement n° {position} a été modifié"
        if problem:
            return VerificationReport(ok=False, events=len(events), first_bad_seq=position, problem=problem)
        prev_hash = event.hash
    if head is not None and (head.seq, head.head_hash) != (len(events), prev_hash):
        return VerificationReport(
            ok=False, events=len(events), first_bad_seq=len(events) + 1,
            problem=f"la chaîne devait compter {head.seq} événements, {len(events)} sont présents",
        )
    return VerificationReport(ok=True, events=len(events))


def _refuse_secrets(details: dict[str, Detail]) -> None:
    for name, value in details.items():
        if any(word in name.lower() for word in _FORBIDDEN_DETAIL_WORDS):
            raise ValueError(f"evidence details never hold secrets: {name!r} is refused")
        if not isinstance(value, Detail):
            raise ValueError(f"evidence detail {name!r} must be a string, an integer, a boolean or None")


def _hash_of(fields: dict[str, Any]) -> str:
    canonical = {
        "seq": fields["seq"],
        "kind": str(fields["kind"]),
        "at": _utc(fields["at"]),
        "ip": fields["ip"],
        "user_agent": fields["user_agent"],
        "details": fields["details"],
        "prev_hash": fields["prev_hash"],
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- the evidence file the seller downloads --------------------------------------------

class Signer(Entity):
    name: str
    email: str
    role: str | None = None  # holder or co_holder, on a two-signer proposal
    signed_at: datetime | None = None
    consent_text: str | None = None


def evidence_document(
    *,
    subject: str,
    proposal_reference: str,
    proposal_version: int,
    signer: Signer,
    consent_text: str,
    shown_pdf_sha256: str,
    shown_pdf_length: int,
    signed_pdf_sha256: str | None,
    events: Sequence[EvidenceEvent],
    head: Chain,
    generated_at: datetime,
    co_signers: Sequence[Signer] = (),
) -> dict[str, Any]:
    """The proofs of one signature as JSON-ready data (SPEC F.1-F.3).

    The signed PDF begins with the exact bytes of the PDF shown (the certificate page and
    the seal are incremental updates), so its first `length` bytes hash to `shown.sha256`.
    The copy embedded in the signed PDF itself has no `signed` hash (`signed_pdf_sha256=None`):
    it is sealed inside that file. With two signers, `signer` is the last (who accepted) and `signers` lists
    both, each with their role, time and consent (their own events name them: details.signer).
    """
    signing = _last(events, EventKind.ACCEPTED) or _last(events, EventKind.SIGN_FORM_SUBMITTED)
    report = verify(events, subject, head)
    return {
        "format": FORMAT,
        "generated_at": _utc(generated_at),
        "proposal": {"reference": proposal_reference, "version": proposal_version},
        "signer": {
            "name": signer.name,
            "email": signer.email,
            "ip": signing.ip if signing else None,
            "user_agent": signing.user_agent if signing else None,
        },
        "documents": {
            "shown": {"sha256": shown_pdf_sha256, "length": shown_pdf_length},
            **({"signed": {"sha256": signed_pdf_sha256}} if signed_pdf_sha256 is not None else {}),
        },
        "consent_text": consent_text,
        **({"signers": [
            *({"role": s.role, "name": s.name, "email": s.email, "signed_at": _utc(s.signed_at) if s.signed_at
               else None, "consent_text": s.consent_text} for s in co_signers),
            {"role": signer.role, "name": signer.name, "email": signer.email,
             "signed_at": _utc(signing.at) if signing and signing.kind is EventKind.ACCEPTED else None,
             "consent_text": consent_text},
        ]} if co_signers else {}),
        "steps": [
            {"seq": e.seq, "kind": str(e.kind), "at": _utc(e.at), "ip": e.ip, "user_agent": e.user_agent}
            for e in events
        ],
        "code_events": [
            {"seq": e.seq, "kind": str(e.kind), "at": _utc(e.at), "details": e.details}
            for e in events if e.kind in CODE_EVENTS
        ],
        "chain": {
            "subject": subject,
            "rule": HASH_RULE,
            "head": {"seq": head.seq, "hash": head.head_hash},
            "events": [e.model_dump(mode="json") | {"at": _utc(e.at)} for e in events],
            "verification": report.model_dump(),
        },
    }


def read_chain(document: Any) -> tuple[str, list[EvidenceEvent], Chain]:
    """The subject, events and head of an evidence document's chain (as `evidence_document` writes it);
    `ValueError` when it is not one."""
    try:
        chain = document["chain"]
        events = [EvidenceEvent.model_validate(event) for event in chain["events"]]
        head = Chain(subject=chain["subject"], seq=chain["head"]["seq"], head_hash=chain["head"]["hash"])
    except (KeyError, TypeError, ValueError) as error:  # pydantic's ValidationError is a ValueError
        raise ValueError("not an evidence document") from error
    return head.subject, events, head


def _last(events: Sequence[EvidenceEvent], kind: EventKind) -> EvidenceEvent | None:
    return next((e for e in reversed(events) if e.kind is kind), None)
