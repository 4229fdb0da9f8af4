"""Signing from the portal, called as its routes call it, on the in-memory table: the sign form emails a code,
the right code accepts and seals, a wrong one is counted, the sixth try and an expired code are refused and
write nothing. Replaces the hand-written story: these go through the services themselves."""
import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest

from chalicelib.documents import storage
from chalicelib.documents.sealing import validate
from chalicelib.domain.codes import CODE_VALIDITY, MAX_WRONG_ATTEMPTS, CodeExpired, CodeLocked, WrongCode
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.links import PortalState
from chalicelib.domain.orders.milestones import OrderTemplate, default_template
from chalicelib.domain.orders.model import OrderSource
from chalicelib.domain.proposals.model import EventKind, ProposalStatus
from chalicelib.domain.signing import SigningUnavailable
from chalicelib.portal.security import InvalidCsrf
from chalicelib.services import signing, visit
from chalicelib.services.visit import Closed
from chalicelib.settings import settings
from chalicelib.store import keys
from chalicelib.store import orders as order_store
from chalicelib.store.unit_of_work import commit
from tests import customer_side as side
from tests.customer_side import IBAN, PHONE, SIGN_FORM, Sent
from tests.portal import dev_root
from tests.support import tenant


@pytest.fixture
def garage(memory):
    side.at(side.NOW)
    return tenant()


@pytest.fixture
def sent(garage):
    return side.sent(garage)


@pytest.fixture
def coded(memory, sent):
    """The sign form filled: a code is on its way."""
    signing.start(sent.token, sent.form("sign", **SIGN_FORM), PHONE)
    return sent


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- the sign form --------------------------------------------------------------------------------------

def test_the_sign_form_keeps_what_was_signed_for_and_emails_a_code(memory, sent):
    memory.calls.clear()
    signing.start(sent.token, sent.form("sign", **SIGN_FORM), PHONE)
    assert dict(memory.calls) == {"GetItem": 1, "Query": 1, "TransactWriteItems": 1}
    aggregate = visit.open_link(sent.token).aggregate
    assert aggregate.pending.full_name == "Marie Durand" and aggregate.pending.iban_masked.endswith("0189")
    assert aggregate.challenge.wrong_attempts == 0
    assert sorted(side.history(sent)) == sorted([EventKind.SIGNATURE_STARTED, EventKind.CODE_SENT])  # same time
    assert side.evidence(sent) == ["sign_form_submitted", "code_sent"]
    [email] = side.queued(memory, "signing_code")
    assert email["to"] == "marie@example.com" and len(side.latest_code(memory)) == 6
    assert IBAN.replace(" ", "") not in json.dumps(side.snapshot(memory)[tuple(
        keys.proposal(sent.proposal.dealer_id, sent.proposal.id).values())])


@pytest.mark.parametrize("fields", [
    {"full_name": "Marie Durand", "iban": IBAN},                  # terms not ticked
    {"full_name": "M", "terms": "1", "iban": IBAN},               # no name
    {"full_name": "Marie Durand", "terms": "1", "iban": "FR76"},  # no IBAN for the direct debit
])
def test_a_sign_form_to_complete_changes_nothing(memory, sent, fields):
    before = side.snapshot(memory)
    with pytest.raises(InvalidInput):
        signing.start(sent.token, sent.form("sign", **fields), PHONE)
    assert memory.items == before


def test_a_sign_form_without_its_csrf_token_changes_nothing(memory, sent):
    before = side.snapshot(memory)
    with pytest.raises(InvalidCsrf):
        signing.start(sent.token, {**SIGN_FORM, "csrf": "forged"}, PHONE)
    assert memory.items == before


def test_a_proposal_to_sign_on_paper_refuses_the_sign_form(memory, garage):
    on_paper = side.sent(garage, e_signature=False)
    before = side.snapshot(memory)
    with pytest.raises(SigningUnavailable):
        signing.start(on_paper.token, on_paper.form("sign", **SIGN_FORM), PHONE)
    assert memory.items == before


def test_a_declined_proposal_sends_the_sign_form_back_to_its_page(memory, garage):
    declined = side.sent(garage, status=ProposalStatus.DECLINED)
    with pytest.raises(Closed) as closed:
        signing.start(declined.token, declined.form("sign", **SIGN_FORM), PHONE)
    assert closed.value.state == PortalState.DECLINED_VIEW


# --- the code -----------------------------------------------------------------------------------------

def test_the_right_code_accepts_signs_and_seals_in_one_transaction(memory, coded):
    code = side.latest_code(memory)
    side.later(2)
    memory.calls.clear()
    signing.confirm(coded.token, coded.form("code", code=code), PHONE)
    # The order the acceptance opens takes its milestones from the proposal (kept when it was sent): no read.
    assert dict(memory.calls) == {"GetItem": 1, "Query": 1, "TransactWriteItems": 1}
    accepted = side.stored(coded)
    assert (accepted.status, accepted.accepted_at) == (ProposalStatus.ACCEPTED, side.NOW + timedelta(minutes=2))
    signature = accepted.signature
    assert (signature.signer_name, signature.ip, signature.evidence_seq) == ("Marie Durand", PHONE.ip, 4)
    signed = storage.get(signature.signed_pdf.s3_key)
    assert hashlib.sha256(signed).hexdigest() == signature.signed_pdf.sha256
    assert signed[:signature.shown_pdf.size] == storage.get(signature.shown_pdf.s3_key)
    assert validate(signed, [dev_root(Path(settings().dev_ca_dir))]).ok
    assert sorted(side.history(coded)[-2:]) == sorted([EventKind.CODE_VERIFIED, EventKind.ACCEPTED])
    assert side.evidence(coded)[-2:] == ["code_verified", "accepted"]
    assert side.seller_notices(memory) == ["signé"] and len(side.queued(memory, "signature_ack")) == 1
    item = memory.items[tuple(keys.proposal(accepted.dealer_id, accepted.id).values())]
    assert keys.DUE_PK not in item
    assert signing.verify_evidence(accepted.dealer_id, accepted.id).ok
    proofs = json.dumps(signing.evidence_file(accepted.dealer_id, accepted.id), ensure_ascii=False)
    for secret in (coded.token, f'"{code}"', IBAN.replace(" ", "")):
        assert secret not in proofs


def accepted_order_milestones(the: Sent) -> list[str]:
    order_id = order_store.opened_from(the.proposal.dealer_id, OrderSource.PROPOSAL.value, the.proposal.id)
    assert order_id is not None
    milestones = order_store.aggregate(the.proposal.dealer_id, order_id).milestones
    return [m.code for m in sorted(milestones, key=lambda m: m.position)]


def test_the_order_follows_the_milestones_the_proposal_was_sent_with(memory, coded):
    kept = default_template().items
    shorter = OrderTemplate(items=kept[:3], version=1)
    commit(order_store.template_saved(coded.proposal.dealer_id, shorter))  # changed after the proposal was sent
    signing.start(coded.token, coded.form("sign", **SIGN_FORM), PHONE)
    signing.confirm(coded.token, coded.form("code", code=side.latest_code(memory)), PHONE)
    assert accepted_order_milestones(coded) == [item.code for item in kept]


def test_a_proposal_sent_before_its_milestones_were_kept_reads_the_dealer_s(memory, garage):
    earlier = side.sent(garage, order_template=False)
    shorter = OrderTemplate(items=default_template().items[:3], version=1)
    commit(order_store.template_saved(garage.dealer.id, shorter))
    signing.start(earlier.token, earlier.form("sign", **SIGN_FORM), PHONE)
    memory.calls.clear()
    signing.confirm(earlier.token, earlier.form("code", code=side.latest_code(memory)), PHONE)
    assert dict(memory.calls) == {"GetItem": 2, "Query": 1, "TransactWriteItems": 1}  # + the template
    assert side.stored(earlier).status == ProposalStatus.ACCEPTED
    assert accepted_order_milestones(earlier) == [item.code for item in shorter.items]


def test_a_wrong_code_is_counted_and_recorded(memory, coded):
    code = side.latest_code(memory)
    side.later(1)
    with pytest.raises(WrongCode):
        signing.confirm(coded.token, coded.form("code", code=wrong(code)), PHONE)
    assert visit.open_link(coded.token).challenge.wrong_attempts == 1
    assert side.history(coded)[-1] == EventKind.CODE_REFUSED
    assert side.evidence(coded)[-1] == "code_failed"
    assert side.stored(coded).status == ProposalStatus.SENT


def test_the_sixth_try_is_refused_even_with_the_right_code_and_writes_nothing(memory, coded):
    code = side.latest_code(memory)
    for _ in range(MAX_WRONG_ATTEMPTS):
        with pytest.raises(WrongCode):
            signing.confirm(coded.token, coded.form("code", code=wrong(code)), PHONE)
    before = side.snapshot(memory)
    with pytest.raises(CodeLocked):
        signing.confirm(coded.token, coded.form("code", code=code), PHONE)
    assert memory.items == before and side.stored(coded).status == ProposalStatus.SENT


def test_an_expired_code_is_refused_and_writes_nothing(memory, coded):
    code = side.latest_code(memory)
    side.later(int(CODE_VALIDITY.total_seconds() // 60) + 1)
    before = side.snapshot(memory)
    with pytest.raises(CodeExpired):
        signing.confirm(coded.token, coded.form("code", code=code), PHONE)
    assert memory.items == before and side.stored(coded).status == ProposalStatus.SENT


def test_a_new_code_replaces_the_old_one(memory, coded):
    first = side.latest_code(memory)
    signing.resend(coded.token, coded.form("resend"), PHONE)
    second = side.latest_code(memory)
    if first != second:  # one chance in a million that both draws agree
        with pytest.raises(WrongCode):
            signing.confirm(coded.token, coded.form("code", code=first), PHONE)
    signing.confirm(coded.token, coded.form("code", code=second), PHONE)
    assert side.stored(coded).status == ProposalStatus.ACCEPTED
