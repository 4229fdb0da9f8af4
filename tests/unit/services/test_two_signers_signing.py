"""Two signers (issue 16 item 3, seed 001's titulaire and cotitulaire) on the in-memory table: each signs with
their own form, code and evidence, even sharing one address; the first signature is recorded and waits; one
signer signing twice is refused and changes nothing; the second accepts, seals a certificate naming both and
sends the signed copy to each address (one email for a shared one)."""
import json

import pytest

from chalicelib.documents import storage
from chalicelib.domain.codes import TooManyCodes
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.dealers import NotificationPreferences, Staff
from chalicelib.domain.proposals.model import CoHolder, EventKind, ProposalStatus, SignerRole
from chalicelib.domain.proposals.views import ProposalSummary
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.domain.signing import AlreadySigned, code_mobile
from chalicelib.services import bell, outbox, signing, verification, visit
from chalicelib.store import dealers as dealer_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store.unit_of_work import commit
from tests import customer_side as side
from tests.customer_side import PHONE, SIGN_FORM
from tests.offers import sms_messages
from tests.pdf_text import last_page_text
from tests.support import tenant
from tests.unit.services.test_bell import delivered

SHARED = CoHolder(contact_id="C2", name="Paul Durand", email="marie@example.com", mobile="+33698765432")
OWN = SHARED.model_copy(update={"email": "paul@example.com"})
CO_FORM = {"full_name": "Paul Durand", "terms": "1", "signer": "co_holder"}


@pytest.fixture
def garage(memory):
    side.at(side.NOW)
    return tenant()


def signs(memory, the, form, minutes=1):
    """One signer's whole turn: the form, then the code it received."""
    side.later(minutes)
    signing.start(the.token, the.form("sign", **form), PHONE)
    side.later(minutes + 1)
    signing.confirm(the.token, the.form("code", code=side.latest_code(memory), signer=form.get("signer", "")), PHONE)


def test_each_signer_has_their_own_code_and_the_first_signature_waits_for_the_other(memory, garage):
    the = side.sent(garage, co_holder=SHARED)
    signing.start(the.token, the.form("sign", **SIGN_FORM, signer="holder"), PHONE)
    side.later(1)
    signing.start(the.token, the.form("sign", **CO_FORM), PHONE)
    aggregate = visit.open_link(the.token).aggregate
    holder, co_holder = aggregate.code_of(SignerRole.HOLDER), aggregate.code_of(SignerRole.CO_HOLDER)
    assert holder.challenge.challenge_id != co_holder.challenge.challenge_id
    assert (holder.pending.full_name, co_holder.pending.full_name) == ("Marie Durand", "Paul Durand")
    assert co_holder.pending.iban is None  # the direct-debit mandate is the holder's
    [first, second] = sorted(side.queued(memory, "signing_code"), key=lambda m: m["created_at"])
    assert first["to"] == second["to"] == "marie@example.com"

    side.later(2)
    signing.confirm(the.token, the.form("code", code=side.latest_code(memory), signer="co_holder"), PHONE)
    waiting = side.stored(the)
    assert waiting.status == ProposalStatus.SENT and waiting.signature is None
    assert waiting.partly_signed.role == SignerRole.CO_HOLDER and waiting.awaited_signers() == (SignerRole.HOLDER,)
    assert ProposalSummary.of(waiting).partly_signed_at == waiting.partly_signed.signed_at  # the list says so too
    assert EventKind.PARTLY_SIGNED in side.history(the)
    assert side.evidence(the)[-2:] == ["code_verified", "signer_signed"]
    assert side.queued(memory, "signature_ack") == []


def first_signature_told(memory) -> list[dict]:
    """The seller's notices of a first signature, and once expanded the emails they became."""
    return [n for n in side.queued(memory, "seller_notification")
            if "1 signature sur 2" in n.get("variables", {}).get("event", "")]


def test_the_seller_is_told_of_the_first_signature_by_email_and_in_the_bell(memory, garage):
    the = side.sent(garage, co_holder=SHARED)
    signs(memory, the, CO_FORM)
    [notice] = first_signature_told(memory)  # queued by the first signature's own unit of work
    assert (notice["channel"], notice["to"], notice["notice"]["preference"]) == (
        "seller", garage.seller.id, "on_signature")
    assert "email_anyway" not in notice["notice"]  # nothing to answer yet: the seller's preferences decide
    sms = notice["notice"]["sms_text"]
    assert "Paul Durand (cotitulaire) a signé (1 signature sur 2) la proposition" in sms
    assert the.proposal.reference in sms
    delivered(memory)
    [email] = [n for n in first_signature_told(memory) if n["channel"] == "email"]
    assert email["to"] == garage.seller.email
    assert (email["variables"]["customer_name"], email["variables"]["event"]) == (
        "Paul Durand (cotitulaire)", "signé (1 signature sur 2)")
    [told] = bell.listed(Staff(dealer_id=garage.seller.dealer_id, user_id=garage.seller.id,
                               role=garage.seller.role)).items
    assert (told.kind, told.about_id, told.text) == ("partly_signed", the.proposal.id, sms.removeprefix("Offerline : "))


def test_a_seller_who_does_not_follow_signatures_finds_the_first_one_in_the_bell_only(memory, garage):
    seller = dealer_store.get_user(garage.seller.dealer_id, garage.seller.id)
    commit(dealer_store.user_saved(seller.model_copy(update={
        "notifications": NotificationPreferences(on_signature=False, sms=True), "version": seller.version + 1})))
    the = side.sent(garage, co_holder=SHARED)
    signs(memory, the, {**SIGN_FORM, "signer": "holder"})
    delivered(memory)
    assert [n for n in side.queued(memory, "seller_notification") if n["channel"] in ("email", "sms")] == []
    [told] = bell.listed(Staff(dealer_id=seller.dealer_id, user_id=seller.id, role=seller.role)).items
    assert told.kind == "partly_signed" and told.text.startswith("Marie Durand (titulaire) a signé")


def test_one_signer_signing_twice_is_refused_and_changes_nothing(memory, garage):
    the = side.sent(garage, co_holder=SHARED)
    signs(memory, the, {**SIGN_FORM, "signer": "holder"})
    before = side.snapshot(memory)
    with pytest.raises(AlreadySigned):
        signing.start(the.token, the.form("sign", **SIGN_FORM, signer="holder"), PHONE)
    with pytest.raises(AlreadySigned):
        signing.confirm(the.token, the.form("code", code=side.latest_code(memory), signer="holder"), PHONE)
    with pytest.raises(AlreadySigned):
        signing.resend(the.token, the.form("resend", signer="holder"), PHONE)
    assert memory.items == before


def test_the_second_signature_accepts_seals_both_and_sends_one_copy_to_a_shared_address(memory, garage):
    the = side.sent(garage, co_holder=SHARED)
    signs(memory, the, {**SIGN_FORM, "signer": "holder"})
    signs(memory, the, CO_FORM)
    accepted = side.stored(the)
    assert accepted.status == ProposalStatus.ACCEPTED
    signature = accepted.signature
    assert signature.role == SignerRole.CO_HOLDER and signature.signer_name == "Paul Durand"
    assert [s.signer_name for s in signature.co_signatures] == ["Marie Durand"]
    assert signature.iban_masked.endswith("0189")
    [copy] = side.queued(memory, "signature_ack")  # one address, one email naming both
    assert copy["to"] == "marie@example.com"
    assert copy["variables"]["customer_name"] == "Marie Durand et Paul Durand"
    assert copy["attachments"][0]["s3_key"] == signature.signed_pdf.s3_key
    checked = verification.check_pdf(storage.get(signature.signed_pdf.s3_key))  # as POST /verify does
    assert checked.ok and checked.changes == [] and checked.evidence.chain_ok
    signed = storage.get(signature.signed_pdf.s3_key)
    text = last_page_text(signed, -2) + " " + last_page_text(signed)  # two signers: the certificate's two pages
    for expected in ("Signataire (titulaire)", "Signataire (cotitulaire)", "Marie Durand", "Paul Durand",
                     "Signature (1 sur 2) (titulaire)"):
        assert expected in text
    proofs = signing.evidence_file(the.proposal.dealer_id, the.proposal.id)
    assert [(s["role"], s["name"]) for s in proofs["signers"]] == [("holder", "Marie Durand"),
                                                                   ("co_holder", "Paul Durand")]
    assert proofs["chain"]["verification"]["ok"]


def test_signers_with_their_own_addresses_each_get_the_signed_copy(memory, garage):
    the = side.sent(garage, co_holder=OWN)
    signs(memory, the, CO_FORM)
    signs(memory, the, {**SIGN_FORM, "signer": "holder"})
    copies = side.queued(memory, "signature_ack")
    assert sorted((c["to"], c["variables"]["customer_name"]) for c in copies) == [
        ("marie@example.com", "Marie Durand"), ("paul@example.com", "Paul Durand")]
    assert side.stored(the).signature.role == SignerRole.HOLDER


def test_each_signer_has_their_own_three_codes_per_quarter_hour(memory, garage):
    the = side.sent(garage, co_holder=SHARED)
    for _ in range(3):
        signing.start(the.token, the.form("sign", **SIGN_FORM, signer="holder"), PHONE)
    with pytest.raises(TooManyCodes):
        signing.resend(the.token, the.form("resend", signer="holder"), PHONE)
    signing.start(the.token, the.form("sign", **CO_FORM), PHONE)  # the co-holder's own limit


def test_a_single_signer_proposal_has_no_co_holder_to_name(memory, garage):
    the = side.sent(garage)
    before = side.snapshot(memory)
    with pytest.raises(InvalidInput):
        signing.start(the.token, the.form("sign", **CO_FORM), PHONE)
    assert memory.items == before


# --- codes by SMS (the dealer's setting) -----------------------------------------------------------------

def test_a_dealer_sending_codes_by_sms_sends_them_to_the_signers_mobile_and_forgets_them_once_sent(memory, garage):
    the = side.sent(garage, codes_by_sms=True)
    signing.start(the.token, the.form("sign", **SIGN_FORM), PHONE)
    [sms] = side.queued(memory, "signing_code")
    assert (sms["channel"], sms["to"]) == ("sms", "+33612345678")
    code = side.latest_code(memory)
    events = visit.open_link(the.token, whole=True).aggregate.evidence
    [code_sent] = [e for e in events if e.kind.value == "code_sent"]
    assert (code_sent.details["channel"], code_sent.details["to"]) == ("sms", "+33•••••••78")
    outbox.deliver_written(outbox_store.key(OutboxMessage.model_validate(sms)))
    assert [text for number, text in sms_messages().values() if number == "+33612345678"][0].count(code) == 1
    assert code not in json.dumps(list(side.snapshot(memory).values()), default=str)  # forgotten once sent

    side.later(2)
    signing.confirm(the.token, the.form("code", code=code), PHONE)
    signature = side.stored(the).signature
    assert signature is not None
    text = last_page_text(storage.get(signature.signed_pdf.s3_key))
    assert "Code de sécurité envoyé par SMS" in text and "SMS au +33•••••••78" in text
    assert "code à usage unique envoyé à son téléphone mobile (SMS)" in text


def test_without_a_mobile_the_code_goes_by_email(memory, garage):
    the = side.sent(garage, codes_by_sms=True)
    no_mobile = the.proposal.model_copy(update={
        "recipient": the.proposal.recipient.model_copy(update={"mobile": None}),
        "customer": the.proposal.customer.model_copy(update={"mobile": None})})
    assert code_mobile(no_mobile, SignerRole.HOLDER) is None
    assert code_mobile(the.proposal, SignerRole.HOLDER) == "+33612345678"
    assert code_mobile(the.proposal.model_copy(update={"codes_by_sms": False}), SignerRole.HOLDER) is None


def test_with_two_signers_the_sign_form_must_say_who_signs(memory, garage):
    the = side.sent(garage, co_holder=SHARED)
    before = side.snapshot(memory)
    with pytest.raises(InvalidInput) as refused:
        signing.start(the.token, the.form("sign", **SIGN_FORM), PHONE)
    assert "signer" in refused.value.fields
    assert memory.items == before
