"""POST /verify: a signed PDF handed in is re-checked (seal, timestamp, embedded evidence, Offerline's stored
head) and the answer says what, if anything, was changed (issue 16 item 5)."""
import json
from pathlib import Path

import pytest

from chalicelib.documents import dev_ca, storage
from chalicelib.documents.sealing import local_timestamper, seal, validate
from chalicelib.settings import settings
from chalicelib.store import keys
from chalicelib.store.table import table
from tests import offers, portal
from tests.offers import emails_to
from tests.portal import LATER, SENT_AT, Customer, at, sign
from tests.support import body


@pytest.fixture
def signed_pdf(seller, garage, client) -> tuple[portal.Sent, bytes]:
    offer = offers.offer(seller, garage.dealer.id.lower())
    proposal = offers.propose(seller, offer, seller=portal.seller_block(garage.dealer.id))
    at(SENT_AT)
    assert seller.post(f"/proposals/{proposal['id']}/send", {}).status_code == 200
    at(LATER)
    sent = portal.Sent(proposal["id"], offer.email, offers.token_in(offers.read(emails_to(offer.email)[-1])))
    customer = Customer(client, sent.token)
    customer.get()
    sign(customer, sent)
    stored = table.get(keys.proposal(garage.dealer.id, sent.proposal_id))
    return sent, storage.get(stored["signature"]["signed_pdf"]["s3_key"])


def verify(client, pdf: bytes, media: str = "application/pdf"):
    return client.http.post("/verify", headers={"Content-Type": media}, body=pdf)


def test_a_signed_pdf_as_sealed_verifies_in_every_proof_and_a_changed_byte_does_not(client, signed_pdf):
    sent, pdf = signed_pdf
    answer = verify(client, pdf)
    assert answer.status_code == 200, answer.body
    report = body(answer)
    assert report["ok"] is True and report["changes"] == [] and report["messages"] == []
    assert report["seal"] == {"present": True, "intact": True, "trusted": True, "whole_file": True,
                              "signer": "Offerline"}
    assert report["timestamp"]["present"] and report["timestamp"]["valid"] and report["timestamp"]["at"]
    assert report["evidence"]["chain_ok"] and report["evidence"]["events"] == report["evidence"]["head_seq"]
    assert report["stored"] == {"compared": True, "matches": True, "problem": None}

    where = pdf.index(b"stream") + 20
    tampered = pdf[:where] + bytes([pdf[where] ^ 0x01]) + pdf[where + 1:]
    report = body(verify(client, tampered, "application/octet-stream"))
    assert report["ok"] is False and "seal_broken" in report["changes"]
    assert report["stored"]["compared"] is False


def test_an_edited_embedded_evidence_sealed_again_by_someone_else_is_reported(client, signed_pdf):
    sent, pdf = signed_pdf
    document = json.loads(validate(pdf, [portal.dev_root(Path(settings().dev_ca_dir))]).evidence)
    document["chain"]["events"][1]["ip"] = "198.51.100.9"
    shown = pdf[:document["documents"]["shown"]["length"]]
    forger = dev_ca.generate_authority()
    forged = seal(shown, forger.seal, evidence=json.dumps(document).encode(),
                  timestamper=local_timestamper(forger.tsa))
    report = body(verify(client, forged))
    assert report["ok"] is False
    assert report["changes"] == ["seal_untrusted", "timestamp_invalid", "evidence_edited"]
    assert "n° 2" in report["evidence"]["problem"] and report["stored"]["compared"] is False
    assert "modifiées" in report["messages"][-1]


def test_a_signed_pdf_whose_stored_evidence_was_rewritten_says_the_stored_head_differs(client, garage, signed_pdf):
    sent, pdf = signed_pdf
    portal.rewrite_evidence(garage.dealer.id, sent.proposal_id, seq=2, ip="198.51.100.9")
    report = body(verify(client, pdf))
    assert report["ok"] is False and report["changes"] == ["stored_head_differs"]
    assert report["stored"]["matches"] is False and "n° 2" in report["stored"]["problem"]


def test_a_pdf_without_the_seal_is_reported_unsealed_without_evidence(client):
    report = body(verify(client, b"%PDF-1.7\n%" + b"x" * 200))
    assert report["ok"] is False and report["changes"] == ["not_sealed", "evidence_missing"]


@pytest.mark.parametrize("sent_body, media, status, code", [
    (b"GIF89a not a pdf at all", "application/pdf", 400, "not_a_pdf"),
    (b"", "application/pdf", 400, "invalid_input"),
    (b'{"pdf": "..."}', "application/json", 415, "unsupported_media_type"),
    (b"%PDF-1.7\n" + b"0" * (1_048_576 + 1), "application/pdf", 413, "payload_too_large"),
])
def test_what_is_not_a_pdf_of_a_reasonable_size_is_refused_in_the_error_shape(client, sent_body, media, status,
                                                                              code):
    answer = verify(client, sent_body, media)
    assert answer.status_code == status, answer.body
    assert body(answer)["error"]["code"] == code
