"""Two signers and the code's channel, as pure rules (issue 16): who is awaited, who may sign first, the
acceptance only with the last signature, the co-holder's choice, the masked mobile, the signer named by a form."""
from datetime import datetime, timezone

import pytest

from chalicelib.domain.customers import AccountView
from chalicelib.domain.errors import InvalidInput, InvalidTransition
from chalicelib.domain.proposals.model import CoHolder, SignerRole, SignerSignature, StoredPdf, co_holder_of
from chalicelib.domain.signing import (
    SignFormInput, check_sign_form, code_mobile, consent_parts, masked_mobile, read_role,
)
from tests import samples

AT = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
PAUL = CoHolder(contact_id="C2", name="Paul Durand", email="marie@example.com", mobile="+33698765432")
PDF = StoredPdf(version=1, s3_key="k", sha256="0" * 64, size=10)
H, C = SignerRole.HOLDER, SignerRole.CO_HOLDER


def couple():
    return samples.proposal().sent(samples.TO_MARIE, True, AT).model_copy(update={"co_holder": PAUL})


def first(role: SignerRole, version: int = 1) -> SignerSignature:
    return SignerSignature(role=role, signer_name="x", signer_email="x@example.com", signed_at=AT,
                           proposal_version=version, consent_text="ok", shown_pdf=PDF, evidence_seq=3,
                           evidence_head="h")


def test_a_single_signer_proposal_awaits_the_holder_only():
    single = samples.proposal().sent(samples.TO_MARIE, True, AT)
    assert single.signer_roles == (H,) and single.awaited_signers() == (H,)
    with pytest.raises(InvalidTransition):
        single.signed_by_one(first(H))  # the only signature accepts: it is never "the first of two"


def test_the_first_of_two_is_kept_and_the_other_is_awaited():
    waiting = couple().signed_by_one(first(C))
    assert waiting.partly_signed.role == C and waiting.awaited_signers() == (H,) and waiting.signed_by(C)
    with pytest.raises(InvalidTransition):
        waiting.signed_by_one(first(C))  # the same signer again
    with pytest.raises(InvalidTransition):
        waiting.signed_by_one(first(H))  # the last signature accepts instead


def test_a_first_signature_of_an_older_version_counts_for_nothing():
    stale = couple().model_copy(update={"first_signature": first(C, version=1), "version": 2})
    assert stale.partly_signed is None and stale.awaited_signers() == (H, C)


def test_the_masked_mobile_and_the_channel_the_dealer_chose():
    assert masked_mobile("+33612345678") == "+33•••••••78"
    by_sms = couple().model_copy(update={"codes_by_sms": True})
    assert code_mobile(by_sms, H) == "+33612345678" and code_mobile(by_sms, C) == "+33698765432"
    assert code_mobile(couple(), H) is None


def test_the_form_names_a_signer_the_proposal_has():
    assert read_role(couple(), "co_holder") == C and read_role(couple(), "") == H
    assert read_role(samples.proposal(), "", chosen=True) == H
    with pytest.raises(InvalidInput):
        read_role(couple(), "", chosen=True)  # two signers: the sign form must say who signs
    with pytest.raises(InvalidInput):
        read_role(samples.proposal(), "co_holder")
    with pytest.raises(InvalidInput):
        read_role(couple(), "someone")


def test_the_direct_debit_mandate_is_the_holders():
    proposal = couple()
    assert proposal.requires_iban  # the sample has a product paid by direct debit
    assert "iban" in consent_parts(proposal, role=H) and "iban" not in consent_parts(proposal, role=C)
    terms = check_sign_form(proposal, SignFormInput(full_name="Paul Durand", terms=True, no_claim=True), C)
    assert terms.iban is None


def test_the_co_holder_is_another_contact_of_the_account_with_an_address():
    marie = samples.contact()
    paul = marie.model_copy(update={"id": "C2", "first_name": "Paul"})
    no_address = marie.model_copy(update={"id": "C3", "email": None})
    account = AccountView(account=samples.account(), contacts=[marie, paul, no_address])
    assert co_holder_of(account, "C1", "C2") == CoHolder(contact_id="C2", name="Paul Durand",
                                                         email="marie@example.com", mobile="+33612345678")
    assert co_holder_of(account, "C1", None) is None
    for wrong in ("C1", "C3", "C9"):
        with pytest.raises(InvalidInput):
            co_holder_of(account, "C1", wrong)
