"""In-person signing on the seller's tablet (issue 16 item 2; seed 000's face-to-face journey).

The seller, signed in on the seller front, opens a signing session for the customer present: a
short-lived link item (purpose in_person) bound to the dealer, the proposal and that seller, whose
token only the seller's screen holds; the portal never opens it (services/visit.open_link). On the
tablet, the customer fills the same sign form; the code goes by SMS to the signer's mobile, and the
customer types it on the tablet. The code rules, the evidence chain, the first-of-two signature and
the acceptance are the portal's (services/signing.start_on, confirm_on): the evidence adds the mode
(in_person) and the host (the seller), the certificate says "en présence du vendeur".
"""
from typing import Callable, TypeVar


from chalicelib.domain import clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.in_person import (
    KEPT_AFTER_END, SESSION_VALIDITY, InPersonCode, InPersonResend, InPersonSession, InPersonSign, InPersonSigner,
    InPersonState, SessionExpired,
)
from chalicelib.domain.links import AccessLink, PortalState
from chalicelib.domain.dealers import Staff
from chalicelib.domain.proposals.model import SIGNER_LABELS, Proposal, ProposalLink, SignerRole
from chalicelib.domain.proposals.status import WITH_THE_CUSTOMER
from chalicelib.domain.signing import (
    NoMobileForCode, Presence, SignFormInput, SigningUnavailable, consent_parts, masked_mobile, signer_address,
    signer_mobile, signer_name,
)
from chalicelib.domain.codes import read_code
from chalicelib.services import signing
from chalicelib.services.customer_contact import stored_pdf
from chalicelib.services.visit import IN_PERSON, Closed, Visit, Visitor, open_link, retried
from chalicelib.store import dealers as dealer_store
from chalicelib.store import proposals as proposal_store
from chalicelib.store.unit_of_work import commit

def open_session(dealer_id: str, proposal_id: str, by: Staff) -> InPersonSession:
    """A new session for the customer present (the proposal sent, signable, not expired), for this seller."""
    from chalicelib.documents import storage

    dealer = dealer_store.get(dealer_id)
    dealer.require_remote_selling()
    proposal = proposal_store.get(dealer_id, proposal_id)  # another dealer's: not found
    now = clock.now()
    if proposal.status not in WITH_THE_CUSTOMER or not proposal.e_signature_requested or now >= proposal.expires_at:
        raise SigningUnavailable("Cette proposition ne peut pas être signée maintenant : envoyez-la d'abord (avec "
                                 "la signature électronique), et vérifiez qu'elle est encore valable.")
    if not any(signer_mobile(proposal, role) for role in proposal.awaited_signers()):
        raise NoMobileForCode()
    host = dealer_store.get_user(dealer_id, by.user_id)
    token, access = AccessLink.issue(now, SESSION_VALIDITY)
    link = ProposalLink(
        dealer_id=dealer_id, proposal_id=proposal.id, proposal_version=proposal.version, purpose=IN_PERSON,
        host_id=by.user_id, host_name=host.profile.display_name if host.profile else host.name,
        recipient=signer_address(proposal, SignerRole.HOLDER) or "", issued_at=now, expires_at=access.expires_at,
        ttl=int((access.expires_at + KEPT_AFTER_END).timestamp()),
    )
    shown = stored_pdf(proposal)
    commit(proposal_store.new_link(access.token_hash, link))
    assert shown.pdf is not None
    url = storage.download_url(shown.pdf.s3_key, f"proposition-{proposal.reference}.pdf",
                               int(SESSION_VALIDITY.total_seconds()))
    return InPersonSession(session=token, expires_at=access.expires_at, reference=shown.reference,
                           version=shown.version, document_url=url, ttc_cents=shown.totals.ttc_cents,
                           consent=consent_parts(shown), **_state(shown).model_dump())


def start(dealer_id: str, proposal_id: str, command: InPersonSign, by: Staff, visitor: Visitor) -> InPersonSigner:
    """The sign form on the tablet: the code goes by SMS to the signer's mobile."""
    typed = SignFormInput(full_name=command.full_name, terms=command.terms, no_claim=command.no_claim,
                          iban=command.iban)
    opener, presence = _session_of(dealer_id, proposal_id, command.session, by)
    role = _closed_said(lambda: retried(
        lambda: signing.start_on(opener, typed, _raw(command.signer), visitor, presence)))
    return _signer(proposal_store.get(dealer_id, proposal_id), role)


def resend(dealer_id: str, proposal_id: str, command: InPersonResend, by: Staff,
           visitor: Visitor) -> InPersonSigner:
    opener, presence = _session_of(dealer_id, proposal_id, command.session, by)
    try:
        role = _closed_said(lambda: retried(lambda: signing.resend_on(opener, _raw(command.signer), visitor, presence)))
    except signing.NeedsForm:
        raise NotFound("Aucun code en cours dans cette session : remplissez d'abord le formulaire.") from None
    return _signer(proposal_store.get(dealer_id, proposal_id), role)


def confirm(dealer_id: str, proposal_id: str, command: InPersonCode, by: Staff, visitor: Visitor) -> InPersonState:
    """The code typed on the tablet: signs for its signer (accepts when it is the last awaited signature)."""
    typed = read_code(command.code)
    opener, presence = _session_of(dealer_id, proposal_id, command.session, by)
    _closed_said(lambda: retried(lambda: signing.confirm_on(opener, typed, _raw(command.signer), visitor, presence)))
    return _state(proposal_store.get(dealer_id, proposal_id))


def _raw(role: SignerRole | None) -> str | None:
    return role.value if role else None


def _session_of(dealer_id: str, proposal_id: str, session: str, by: Staff) -> tuple[signing.Opener, Presence]:
    """The session's opener, if it is this seller's session for this proposal of their dealer (else not found)."""
    first = open_link(session, host_id=by.user_id)
    link = first.link
    if link is None or link.link.dealer_id != dealer_id or link.link.proposal_id != proposal_id:
        raise NotFound("Session de signature introuvable : ouvrez-en une nouvelle depuis la proposition.")
    presence = Presence(host_id=by.user_id, host_name=link.link.host_name or by.user_id)

    def opener(whole: bool) -> Visit:
        visit = open_link(session, whole, host_id=by.user_id)
        if visit.state == PortalState.LINK_EXPIRED:
            raise SessionExpired()
        return visit

    return opener, presence


T = TypeVar("T")


def _closed_said(action: Callable[[], T]) -> T:
    """A session whose proposal can no longer be signed says why (the portal would show the link's page)."""
    try:
        return action()
    except Closed as closed:
        if closed.state == PortalState.LINK_EXPIRED:
            raise SessionExpired() from None
        raise SigningUnavailable("Cette proposition ne peut plus être signée (elle a changé d'état).") from None


def _signer(proposal: Proposal, role: SignerRole) -> InPersonSigner:
    mobile = signer_mobile(proposal, role)
    return InPersonSigner(role=role, label=SIGNER_LABELS[role], name=signer_name(proposal, role),
                          mobile_masked=masked_mobile(mobile) if mobile else None, signed=proposal.signed_by(role))


def _state(proposal: Proposal) -> InPersonState:
    return InPersonState(signers=[_signer(proposal, role) for role in proposal.signer_roles],
                         accepted=proposal.signature is not None)
