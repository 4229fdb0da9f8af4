"""Evidence events are append-only and hash-chained; any tampering is reported (SPEC F)."""
import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.evidence import (
    Chain, EventKind, EvidenceEvent, Signer, append, evidence_document, genesis_hash, subject_of, verify,
)

SUBJECT = subject_of("D1", "P1")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
CUSTOMER = {"ip": "203.0.113.7", "user_agent": "Mozilla/5.0 (iPhone)"}


def signing_story() -> tuple[Chain, list[EvidenceEvent]]:
    chain = Chain.start(SUBJECT)
    events = []
    story = [
        (EventKind.LINK_OPENED, {}),
        (EventKind.VIEWED, {}),
        (EventKind.DOWNLOADED, {"document_sha256": "ab" * 32}),
        (EventKind.SIGN_FORM_SUBMITTED, {"full_name": "Zoé Lefèvre", "terms_read": True, "no_claim": True}),
        (EventKind.CODE_SENT, {"channel": "email", "proposal_version": 2}),
        (EventKind.CODE_FAILED, {"outcome": "wrong", "remaining": 4}),
        (EventKind.CODE_VERIFIED, {"proposal_version": 2}),
        (EventKind.ACCEPTED, {"proposal_version": 2}),
    ]
    for minute, (kind, details) in enumerate(story):
        chain, event = append(chain, kind, T0 + timedelta(minutes=minute), details=details, **CUSTOMER)
        events.append(event)
    return chain, events


def test_each_event_chains_to_the_previous_by_sha256_of_its_canonical_json():
    chain, events = signing_story()
    assert events[0].prev_hash == genesis_hash(SUBJECT)
    assert [e.seq for e in events] == list(range(1, 9))
    for before, after in zip(events, events[1:]):
        assert after.prev_hash == before.hash
    first = events[0]
    canonical = json.dumps({
        "seq": 1, "kind": "link_opened", "at": "2026-03-02T09:00:00.000000Z", "ip": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (iPhone)", "details": {}, "prev_hash": first.prev_hash,
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert first.hash == hashlib.sha256(canonical.encode()).hexdigest()
    assert (chain.seq, chain.head_hash) == (8, events[-1].hash)


def test_an_untouched_chain_verifies():
    chain, events = signing_story()
    assert verify(events, SUBJECT, chain).ok
    assert verify([], SUBJECT, Chain.start(SUBJECT)).ok


def test_a_chain_read_back_from_storage_still_verifies():
    chain, events = signing_story()
    stored = [EvidenceEvent.model_validate(json.loads(e.model_dump_json())) for e in events]
    assert verify(stored, SUBJECT, chain).ok


def test_a_modified_event_is_found():
    chain, events = signing_story()
    events[3] = events[3].model_copy(update={"details": {**events[3].details, "full_name": "Autre Personne"}})
    report = verify(events, SUBJECT, chain)
    assert (report.ok, report.first_bad_seq) == (False, 4)
    assert "modifié" in report.problem


def test_a_moved_time_is_found():
    chain, events = signing_story()
    events[7] = events[7].model_copy(update={"at": events[7].at - timedelta(days=1)})
    assert verify(events, SUBJECT, chain).first_bad_seq == 8


def test_a_removed_event_is_found():
    chain, events = signing_story()
    del events[5]
    report = verify(events, SUBJECT, chain)
    assert (report.ok, report.first_bad_seq) == (False, 6)


def test_swapped_events_are_found():
    chain, events = signing_story()
    events[4], events[5] = events[5], events[4]
    assert verify(events, SUBJECT, chain).first_bad_seq == 5


def test_an_inserted_event_is_found_even_when_renumbered_and_rehashed_after_it():
    chain, events = signing_story()
    forged_chain = Chain(subject=SUBJECT, seq=5, head_hash=events[4].hash)
    forged_chain, forged = append(forged_chain, EventKind.CODE_VERIFIED, T0 + timedelta(minutes=4, seconds=30))
    tampered = events[:5] + [forged] + events[5:]
    report = verify(tampered, SUBJECT, chain)
    assert (report.ok, report.first_bad_seq) == (False, 7)
    renumbered = events[:5] + [forged]
    for event in events[5:]:
        forged_chain, copy = append(forged_chain, event.kind, event.at, ip=event.ip,
                                    user_agent=event.user_agent, details=event.details)
        renumbered.append(copy)
    assert verify(renumbered, SUBJECT).ok, "without the head a full rewrite cannot be told apart"
    report = verify(renumbered, SUBJECT, chain)
    assert not report.ok and "devait compter 8" in report.problem


def test_cut_off_last_events_are_found_against_the_stored_head():
    chain, events = signing_story()
    assert verify(events[:-1], SUBJECT).ok
    report = verify(events[:-1], SUBJECT, chain)
    assert (report.ok, report.first_bad_seq) == (False, 8)


def test_a_chain_cannot_be_moved_to_another_proposal():
    chain, events = signing_story()
    assert verify(events, subject_of("D1", "P2")).first_bad_seq == 1


@pytest.mark.parametrize("name", ["code", "signing_code", "token", "link_token", "code_hmac", "secret", "OTP"])
def test_a_code_a_token_or_a_secret_is_never_written_as_evidence(name):
    with pytest.raises(ValueError, match="never hold secrets"):
        append(Chain.start(SUBJECT), EventKind.CODE_SENT, T0, details={name: "123456"})


def test_details_are_plain_values_so_their_json_is_stable():
    with pytest.raises(ValueError):
        append(Chain.start(SUBJECT), EventKind.VIEWED, T0, details={"amount": 1.5})
    with pytest.raises(ValueError):
        append(Chain.start(SUBJECT), EventKind.VIEWED, datetime(2026, 3, 2, 9, 0))


def test_times_are_stored_in_utc_whatever_zone_they_come_in():
    paris = timezone(timedelta(hours=1))
    _, event = append(Chain.start(SUBJECT), EventKind.VIEWED, datetime(2026, 3, 2, 10, 0, tzinfo=paris))
    assert event.at == T0 and event.at.utcoffset() == timedelta(0)


def document(events, chain):
    return evidence_document(
        subject=SUBJECT, proposal_reference="OFF-2026-0042", proposal_version=2,
        signer=Signer(name="Zoé Lefèvre", email="zoe@example.com"),
        consent_text="J'ai lu et j'accepte la proposition et ses conditions générales.",
        shown_pdf_sha256="aa" * 32, shown_pdf_length=12345, signed_pdf_sha256="bb" * 32,
        events=events, head=chain, generated_at=T0 + timedelta(hours=1),
    )


def test_the_evidence_file_has_every_proof_the_seller_needs():
    chain, events = signing_story()
    proofs = document(events, chain)
    json.dumps(proofs)
    assert proofs["signer"] == {"name": "Zoé Lefèvre", "email": "zoe@example.com", **CUSTOMER}
    assert proofs["proposal"] == {"reference": "OFF-2026-0042", "version": 2}
    assert proofs["documents"] == {"shown": {"sha256": "aa" * 32, "length": 12345}, "signed": {"sha256": "bb" * 32}}
    assert proofs["consent_text"].startswith("J'ai lu")
    assert [s["kind"] for s in proofs["steps"]][-1] == "accepted"
    assert proofs["steps"][0]["at"] == "2026-03-02T09:00:00.000000Z"
    assert [c["kind"] for c in proofs["code_events"]] == ["code_sent", "code_failed", "code_verified"]
    assert proofs["chain"]["verification"]["ok"] is True
    assert proofs["chain"]["head"] == {"seq": 8, "hash": chain.head_hash}
    restored = [EvidenceEvent.model_validate(e) for e in proofs["chain"]["events"]]
    assert verify(restored, SUBJECT, chain).ok


def test_the_evidence_file_reports_a_tampered_chain():
    chain, events = signing_story()
    proofs = document(events[:-1], chain)
    assert proofs["chain"]["verification"]["ok"] is False
