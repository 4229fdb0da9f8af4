"""In-person signing on the seller's tablet (issue 16 item 2) on the in-memory table: the seller opens a
session; the code goes by SMS to the customer's mobile and is typed on the tablet; the evidence and the
certificate say "en présence du vendeur", the host, the channel and the masked number. The session is the
seller's own: no portal link, no other seller, no other dealer, and it ends after 30 minutes."""
import pytest

from chalicelib.documents import storage
from chalicelib.domain.codes import WrongCode
from chalicelib.domain.dealers import Role, Staff
from chalicelib.domain.errors import NotFound
from chalicelib.domain.links import PortalState
from chalicelib.domain.proposals.model import CoHolder, ProposalStatus, SignerRole
from chalicelib.domain.signing import NoMobileForCode
from chalicelib.services import in_person, signing, visit
from chalicelib.domain.in_person import InPersonCode, InPersonResend, InPersonSign, SessionExpired
from tests import customer_side as side
from tests.customer_side import SIGN_FORM
from tests.pdf_text import last_page_text
from tests.support import tenant

TABLET = visit.Visitor.of("198.51.100.4", "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X)")


@pytest.fixture
def garage(memory):
    side.at(side.NOW)
    return tenant()


def staff(user) -> Staff:
    return Staff(dealer_id=user.dealer_id, user_id=user.id, role=user.role)


def test_the_customer_present_signs_on_the_sellers_tablet_with_a_code_by_sms(memory, garage):
    the = side.sent(garage)
    seller = staff(garage.seller)
    session = in_person.open_session(garage.dealer.id, the.proposal.id, seller)
    assert [s.mobile_masked for s in session.signers] == ["+33•••••••78"] and not session.accepted
    sent = in_person.start(garage.dealer.id, the.proposal.id, InPersonSign(
        session=session.session, full_name="Marie Durand", terms=True, iban=SIGN_FORM["iban"]), seller, TABLET)
    assert sent.mobile_masked == "+33•••••••78"
    [sms] = side.queued(memory, "signing_code")
    assert (sms["channel"], sms["to"]) == ("sms", "+33612345678")  # by SMS though the dealer's remote codes are emails
    side.later(1)
    code = side.latest_code(memory)
    with pytest.raises(WrongCode):  # the same rules: a wrong code is counted
        in_person.confirm(garage.dealer.id, the.proposal.id, InPersonCode(
            session=session.session, code=f"{(int(code) + 1) % 1_000_000:06d}"), seller, TABLET)
    state = in_person.confirm(garage.dealer.id, the.proposal.id, InPersonCode(session=session.session, code=code),
                              seller, TABLET)
    assert state.accepted
    accepted = side.stored(the)
    assert accepted.status == ProposalStatus.ACCEPTED and accepted.signature.host == "Victor Vendeur"
    assert accepted.signature.ip == "198.51.100.4"
    events = visit.open_link(the.token, whole=True).aggregate.evidence
    [code_sent] = [e for e in events if e.kind.value == "code_sent"]
    assert code_sent.details == {**code_sent.details, "channel": "sms", "to": "+33•••••••78", "mode": "in_person",
                                 "host": "Victor Vendeur"}
    [signed_event] = [e for e in events if e.kind.value == "accepted"]
    assert (signed_event.details["mode"], signed_event.details["host"]) == ("in_person", "Victor Vendeur")
    text = last_page_text(storage.get(accepted.signature.signed_pdf.s3_key))
    for expected in ("en présence du vendeur (Victor Vendeur)", "SMS au +33•••••••78",
                     "Code de sécurité envoyé par SMS"):
        assert expected in text


def test_the_session_is_no_portal_link_and_no_one_elses(memory, garage):
    the = side.sent(garage)
    session = in_person.open_session(garage.dealer.id, the.proposal.id, staff(garage.seller))
    assert visit.open_link(session.session).state == PortalState.UNKNOWN  # typed as /p/<token>: unknown
    before = side.snapshot(memory)
    form = InPersonSign(session=session.session, full_name="Marie Durand", terms=True, iban=SIGN_FORM["iban"])
    with pytest.raises(NotFound):  # another seller of the same dealer
        in_person.start(garage.dealer.id, the.proposal.id, form, staff(garage.admin), TABLET)
    other = tenant("Garage du Port")
    with pytest.raises(NotFound):  # another dealer, even naming this proposal
        in_person.open_session(other.dealer.id, the.proposal.id, staff(other.seller))
    with pytest.raises(NotFound):
        in_person.start(other.dealer.id, the.proposal.id, form, Staff(
            dealer_id=other.dealer.id, user_id=garage.seller.id, role=Role.SELLER), TABLET)
    with pytest.raises(NotFound):  # the portal's token is not a session
        in_person.start(garage.dealer.id, the.proposal.id, form.model_copy(update={"session": the.token}),
                        staff(garage.seller), TABLET)
    assert {k: v for k, v in memory.items.items() if k in before} == before


def test_a_session_ends_after_thirty_minutes(memory, garage):
    the = side.sent(garage)
    seller = staff(garage.seller)
    session = in_person.open_session(garage.dealer.id, the.proposal.id, seller)
    side.later(31)
    with pytest.raises(SessionExpired):
        in_person.start(garage.dealer.id, the.proposal.id, InPersonSign(
            session=session.session, full_name="Marie Durand", terms=True, iban=SIGN_FORM["iban"]), seller, TABLET)


def test_a_code_asked_on_the_tablet_is_not_typed_on_the_portal(memory, garage):
    the = side.sent(garage)
    seller = staff(garage.seller)
    session = in_person.open_session(garage.dealer.id, the.proposal.id, seller)
    in_person.start(garage.dealer.id, the.proposal.id, InPersonSign(
        session=session.session, full_name="Marie Durand", terms=True, iban=SIGN_FORM["iban"]), seller, TABLET)
    with pytest.raises(signing.NeedsForm):
        signing.resend(the.token, the.form("resend"), side.PHONE)
    in_person.resend(garage.dealer.id, the.proposal.id, InPersonResend(session=session.session), seller, TABLET)
    assert side.stored(the).status != ProposalStatus.ACCEPTED


def test_a_signer_without_a_mobile_cannot_sign_in_person(memory, garage):
    the = side.sent(garage)
    no_mobile = the.proposal.model_copy(update={
        "recipient": the.proposal.recipient.model_copy(update={"mobile": None}),
        "customer": the.proposal.customer.model_copy(update={"mobile": None})})
    from chalicelib.store import proposals as proposal_store
    from chalicelib.store.unit_of_work import commit

    commit(proposal_store.update(the.proposal, no_mobile))
    with pytest.raises(NoMobileForCode):
        in_person.open_session(garage.dealer.id, the.proposal.id, staff(garage.seller))


def test_two_signers_can_sign_one_after_the_other_in_the_same_session(memory, garage):
    the = side.sent(garage, co_holder=CoHolder(contact_id="C2", name="Paul Durand", email="marie@example.com",
                                               mobile="+33698765432"))
    seller = staff(garage.seller)
    session = in_person.open_session(garage.dealer.id, the.proposal.id, seller)
    for role, name, number in (("co_holder", "Paul Durand", "+33698765432"),
                               ("holder", "Marie Durand", "+33612345678")):
        side.later(1)
        in_person.start(garage.dealer.id, the.proposal.id, InPersonSign(
            session=session.session, signer=SignerRole(role), full_name=name, terms=True, iban=SIGN_FORM["iban"]),
            seller, TABLET)
        assert any(m["to"] == number for m in side.queued(memory, "signing_code"))  # each to their own mobile
        side.later(2)
        state = in_person.confirm(garage.dealer.id, the.proposal.id, InPersonCode(
            session=session.session, signer=SignerRole(role), code=side.latest_code(memory)), seller, TABLET)
    assert state.accepted and all(s.signed for s in state.signers)
