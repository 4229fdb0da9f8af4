"""Accept and sign from the portal, and the seller's proofs (SPEC E.5, F).

The customer fills the sign form → a six-digit code goes to the proposal's recorded address →
the customer types it → the proposal is accepted. The order of the calls follows
docs/signing.md: the code is kept only as an HMAC (domain/codes.py); a wrong code is counted
in the same conditional write that records it; the signed PDF (the document shown, its
certificate page, the PAdES seal) is stored in S3 under a key fixed by proposal and version
before the one transaction that accepts: proposal status, signature and chain head (on
condition of status, version and chain head), the used code, the evidence and history events,
the emails. A refused code on a spent challenge (used, locked, expired, another version, none)
writes nothing: nothing changed, and hammering it cannot grow the proposal's partition.
"""
import hashlib
from datetime import datetime
from typing import Any, Callable

from chalicelib.documents import storage
from chalicelib.domain import clock, evidence, letters, local_time
from chalicelib.domain.codes import (
    CodeAlreadyUsed, CodeForAnotherVersion, NoActiveCode, Outcome, SigningChallenge, read_code,
)
from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.domain.funnel import Step
from chalicelib.domain.evidence import Signer, VerificationReport, evidence_document, subject_of, verify
from chalicelib.domain.links import PortalState
from chalicelib.domain.outbox import Attachment, Channel, OutboxMessage
from chalicelib.domain.proposals.model import (
    SIGNER_LABELS, EventKind, Proposal, Signature, SignerRole, SignerSignature, StoredPdf,
)
from chalicelib.domain.proposals.status import WITH_THE_CUSTOMER, ProposalStatus
from chalicelib.domain.proposals.views import DocumentLink
from chalicelib.domain.signing import (
    AlreadySigned, NoMobileForCode, PendingSignature, Presence, SignFormInput, SigningUnavailable, check_sign_form,
    code_mobile, masked_mobile, periods_of, read_role, signed_filename, signer_address, signer_mobile,
)
from chalicelib.domain.terms import terms_evidence, terms_text
from chalicelib.domain.templates import TemplateKind
from chalicelib.domain.quotes import describes_a_vehicle, stock_vehicle_id
from chalicelib.domain.signing import ConcurrentChange
from chalicelib.domain.vehicles import OpenProposal, VehicleProposalsChanged
from chalicelib.services import funnel, leads, notifications, orders, vehicles, verification
from chalicelib.services.customer_contact import customer_address, customer_email, stored_pdf
from chalicelib.services.visit import Opened, Record, Visit, Visitor, checked, commit, open_link, retried
from chalicelib.settings import settings
from chalicelib.store import dealers as dealer_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import portal as store
from chalicelib.store import proposals as proposal_store
from chalicelib.store.unit_of_work import UnitOfWork

PROOF_URL_SECONDS = 300

Opener = Callable[[bool], Visit]
"""Opens what the signer acts through (the portal link, or the seller's in-person session); `True`: whole."""


class NeedsForm(Exception):
    """A new code needs the sign form first (none filled for this version yet)."""


# --- the sign form → a code --------------------------------------------------------------------

def start(token: str, form: dict[str, str], visitor: Visitor) -> SignerRole:
    """Checks the sign form and emails a code (at most three per 15 minutes) to the signer the form names;
    returns who signs (the code page is theirs)."""
    checked(token, "sign", form)
    typed = SignFormInput(full_name=form.get("full_name", ""), terms=bool(form.get("terms")),
                          no_claim=bool(form.get("no_claim")), iban=form.get("iban", ""))
    return retried(lambda: start_on(_portal(token), typed, form.get("signer"), visitor))


def _portal(token: str) -> Opener:
    def opened(whole: bool) -> Visit:
        return open_link(token, whole)
    return opened


def start_on(opener: Opener, typed: SignFormInput, signer: str | None, visitor: Visitor,
           presence: Presence | None = None) -> SignerRole:
    visit = _signable(opener(False))
    proposal, now = visit.proposal, visit.now
    role = _awaited(proposal, signer, chosen=True)
    # In person, the code goes by SMS to the customer present, whatever the dealer's remote setting.
    mobile = signer_mobile(proposal, role) if presence else code_mobile(proposal, role)
    if presence and not mobile:
        raise NoMobileForCode()
    terms = check_sign_form(proposal, typed, role)
    current = stored_pdf(proposal)
    assert current.pdf is not None  # stored_pdf stores the current version's
    email = signer_address(proposal, role) if role == SignerRole.CO_HOLDER else customer_address(proposal)
    assert email is not None  # a co-holder is named with an address (co_holder_of)
    pending = PendingSignature(
        role=role, full_name=terms.full_name, email=email, mobile=mobile,
        host=presence.host_name if presence else None, host_id=presence.host_id if presence else None,
        proposal_version=proposal.version,
        consent_text=terms.consent_text, no_claim_declared=terms.no_claim_declared, iban=terms.iban,
        iban_masked=terms.iban_masked, shown_pdf=current.pdf, submitted_at=now, ip=visitor.ip,
        user_agent=visitor.user_agent,
    )
    record = Record(visit.aggregate, visitor, now)
    record.add(evidence.EventKind.SIGN_FORM_SUBMITTED, EventKind.SIGNATURE_STARTED, details={
        "full_name": terms.full_name, "terms_read": True, "no_claim_declared": terms.no_claim_declared,
        "iban_masked": terms.iban_masked, "proposal_version": proposal.version,
        "document_sha256": current.pdf.sha256, **_signer_detail(proposal, role), **_mode(pending),
        **({"terms": terms_evidence(current.pdf.terms)} if current.pdf.terms else {}),
    })
    _send_code(visit, record, pending, current)
    return role


def resend(token: str, form: dict[str, str], visitor: Visitor) -> SignerRole:
    """A new code for the form already filled (same version); else the form is needed again."""
    checked(token, "resend", form)
    return retried(lambda: resend_on(_portal(token), form.get("signer"), visitor))


def resend_on(opener: Opener, signer: str | None, visitor: Visitor, presence: Presence | None = None) -> SignerRole:
    visit = _signable(opener(False))
    role = _awaited(visit.proposal, signer)
    mine = visit.aggregate.code_of(role)
    pending = mine.pending
    if pending is None or pending.proposal_version != visit.proposal.version or mine.challenge is None \
            or (pending.host_id != (presence.host_id if presence else None)):
        raise NeedsForm()  # a code is resent where its form was filled: on the portal, or in this seller's session
    _send_code(visit, Record(visit.aggregate, visitor, visit.now), pending, visit.proposal)
    return role


def _awaited(proposal: Proposal, signer: str | None, chosen: bool = False) -> SignerRole:
    """The signer the form names, if their signature is still awaited (one signer signing twice: refused)."""
    role = read_role(proposal, signer, chosen)
    if proposal.signed_by(role):
        raise AlreadySigned(role)
    return role


def _mode(pending: PendingSignature | None) -> dict[str, str]:
    """How the signer signs, on in-person signing only (a remote signature's evidence is unchanged)."""
    return {"mode": "in_person", "host": pending.host} if pending is not None and pending.host else {}


def _signer_detail(proposal: Proposal, role: SignerRole) -> dict[str, str]:
    """Which signer an event is about, on two-signer proposals only (a single signer's evidence is unchanged)."""
    return {"signer": role.value} if proposal.co_holder is not None else {}


def _send_code(visit: Opened, record: Record, pending: PendingSignature, shown: Proposal) -> None:
    """Issues a code for `pending` and emails it; `shown` is the proposal with the document the form showed."""
    proposal, now = visit.proposal, visit.now
    previous = visit.aggregate.code_of(pending.role).challenge
    code, challenge = SigningChallenge.issue(settings().code_hmac_secret, proposal.id, proposal.version, now,
                                             previous=previous)
    if pending.mobile:
        to, message = {"channel": "sms", "to": masked_mobile(pending.mobile)}, _code_sms(proposal, pending.mobile,
                                                                                          code, now)
    else:
        to, message = {"channel": "email", "to": pending.email}, _code_email(proposal, pending.email, code, now)
    details = {**to, "expires_at": challenge.expires_at.isoformat(), "proposal_version": proposal.version,
               **_signer_detail(proposal, pending.role), **_mode(pending)}
    record.add(evidence.EventKind.CODE_SENT, EventKind.CODE_SENT, details=details)
    commit([store.code(proposal, challenge, pending, read_as=previous, role=pending.role),
            *record.saved(shown, allowed=WITH_THE_CUSTOMER, version=True)], [message])


def _code_sms(proposal: Proposal, to: str, code: str, at: datetime) -> OutboxMessage:
    """The code by SMS (SNS), through the outbox like the email: the body is forgotten once sent."""
    text = (f"{proposal.dealer.name} : votre code de signature de la proposition {proposal.reference} est {code}. "
            "Valable 10 minutes. Ne le donnez à personne : saisissez-le vous-même.")
    return OutboxMessage(dealer_id=proposal.dealer_id, channel=Channel.SMS, to=to, purpose="signing_code",
                         created_at=at, proposal=proposal.email_ref(), text=text)


def _code_email(proposal: Proposal, to: str, code: str, at: datetime) -> OutboxMessage:
    """The code goes out through the outbox, which forgets the body once sent (purpose signing_code)."""
    letter = letters.write("signing_code", f"Votre code de sécurité – proposition {proposal.reference}",
                           reference=proposal.reference, dealer=proposal.dealer.name, code=code)
    return OutboxMessage(dealer_id=proposal.dealer_id, channel=Channel.EMAIL, to=to, purpose="signing_code",
                         created_at=at, proposal=proposal.email_ref(), **letter.parts())


# --- the code → accepted --------------------------------------------------------------------------

def confirm(token: str, form: dict[str, str], visitor: Visitor) -> None:
    """Checks the typed code; a right one signs for its signer. The last awaited signature accepts the proposal,
    signs and seals its PDF, tells everyone; the first of two is recorded and waits for the other."""
    checked(token, "code", form)
    typed = read_code(form.get("code", ""))
    retried(lambda: confirm_on(_portal(token), typed, form.get("signer"), visitor))


def confirm_on(opener: Opener, typed: str, signer: str | None, visitor: Visitor,
             presence: Presence | None = None) -> None:
    looked = opener(True)
    if looked.state == PortalState.ACCEPTED_VIEW:
        raise CodeAlreadyUsed()
    visit = _signable(looked)
    proposal, now = visit.proposal, visit.now
    role = _awaited(proposal, signer)
    mine = visit.aggregate.code_of(role)
    challenge = mine.challenge
    if challenge is None:
        raise NoActiveCode()
    verification = challenge.verify(settings().code_hmac_secret, typed, proposal.version, now)
    if verification.error is not None and verification.outcome == Outcome.WRONG:
        record = Record(visit.aggregate, visitor, now)
        record.add(evidence.EventKind.CODE_FAILED, EventKind.CODE_REFUSED, details={
            "outcome": verification.outcome.value, "remaining": verification.challenge.remaining_attempts,
            **_signer_detail(proposal, role)})
        commit([store.code(proposal, verification.challenge, mine.pending, read_as=challenge, role=role),
                *record.saved(allowed=WITH_THE_CUSTOMER)], [])
        raise verification.error
    if verification.error is not None:
        raise verification.error
    pending = mine.pending
    if pending is None or pending.proposal_version != proposal.version:
        raise CodeForAnotherVersion()
    if pending.host_id != (presence.host_id if presence else None):
        raise NoActiveCode()  # a code asked in a seller's session is typed there, and a portal's on the portal
    if proposal.awaited_signers() != (role,):
        _first_of_two(visit, challenge, verification.challenge, pending, visitor)
    else:
        _accept(visit, challenge, verification.challenge, pending, visitor)


def _first_of_two(visit: Opened, read_as: SigningChallenge, used: SigningChallenge, pending: PendingSignature,
                  visitor: Visitor) -> None:
    """The first signature of two: kept on the proposal (« 1 signature sur 2 »), with its own evidence and the
    seller's notice; the proposal is accepted only when the other signer signs (the acceptance's unit of work)."""
    proposal, now = visit.proposal, visit.now
    record, who = _code_verified(visit, pending, visitor)
    record.add(evidence.EventKind.SIGNER_SIGNED, EventKind.PARTLY_SIGNED, details={
        "proposal_version": proposal.version, "signer_name": pending.full_name,
        "document_sha256": pending.shown_pdf.sha256, **who, **_mode(pending)})
    first = SignerSignature(**_signed_by(pending, proposal, visitor, record, now))
    waiting = proposal.signed_by_one(first)
    commit([store.code(proposal, used, pending, read_as=read_as, role=pending.role),
            *record.saved(waiting, allowed=WITH_THE_CUSTOMER, version=True)],
           [notifications.seller_notice(waiting, EventKind.PARTLY_SIGNED, now)])


def _code_verified(visit: Opened, pending: PendingSignature, visitor: Visitor) -> tuple[Record, dict[str, str]]:
    """The record of a signer's right code (its first event), and which signer it is about."""
    record = Record(visit.aggregate, visitor, visit.now)
    who = _signer_detail(visit.proposal, pending.role)
    record.add(evidence.EventKind.CODE_VERIFIED, EventKind.CODE_VERIFIED,
               details={"proposal_version": visit.proposal.version, **who, **_mode(pending)})
    return record, who


def _accept(visit: Opened, read_as: SigningChallenge, used: SigningChallenge, pending: PendingSignature,
            visitor: Visitor) -> None:
    from chalicelib.documents.certificate import CertificateFacts, SignerFacts, with_certificate
    from chalicelib.documents.sealing import seal

    proposal, now = visit.proposal, visit.now
    first = proposal.partly_signed
    record, who = _code_verified(visit, pending, visitor)
    record.add(evidence.EventKind.ACCEPTED, EventKind.ACCEPTED, details={
        "proposal_version": proposal.version, "signer": pending.full_name,
        "document_sha256": pending.shown_pdf.sha256, **({"signer_role": pending.role.value} if who else {}),
        **_mode(pending)})
    shown = storage.get(pending.shown_pdf.s3_key)
    if hashlib.sha256(shown).hexdigest() != pending.shown_pdf.sha256:
        raise RuntimeError("the stored PDF is not the one shown to the customer")
    events = [*visit.aggregate.evidence, *record.events]
    others = [SignerFacts(role=SIGNER_LABELS[first.role], name=first.signer_name, email=first.signer_email,
                          ip=first.ip, user_agent=first.user_agent, signed_at=first.signed_at,
                          consent_text=first.consent_text, code_sent_to=first.code_sent_to,
                          host=first.host)] if first else []
    signed = seal(with_certificate(shown, CertificateFacts(
        dealer_name=proposal.dealer.name, proposal_reference=proposal.reference,
        proposal_version=proposal.version, signer_name=pending.full_name, signer_email=pending.email,
        ip=visitor.ip, user_agent=visitor.user_agent, consent_text=pending.consent_text,
        events=events, chain=record.chain,
        withdrawal=withdrawal_text(proposal.moved_to(ProposalStatus.ACCEPTED, now)),  # as the page and email
        signer_role=SIGNER_LABELS[pending.role] if first else None, co_signers=others,
        code_sent_to=_code_sent_to(pending) if pending.mobile or first else None, host=pending.host,
    )), evidence=verification.sealed_evidence(proposal, pending, events, record.chain, now), at=now)
    signed_sha256 = hashlib.sha256(signed).hexdigest()
    key = storage.signed_pdf_key(proposal.dealer_id, proposal.id, proposal.version, signed_sha256)
    storage.put(key, signed, "application/pdf")
    signature = Signature(**{
        **_signed_by(pending, proposal, visitor, record, now), "co_signatures": [first] if first else [],
        "iban_masked": pending.iban_masked or (first.iban_masked if first else None),
        "signed_pdf": StoredPdf(version=proposal.version, s3_key=key, sha256=signed_sha256, size=len(signed)),
    })
    accepted = proposal.accepted(signature)
    messages = [notifications.seller_notice(accepted, EventKind.ACCEPTED, now), *_signed_copies(accepted, now, key)]
    try:
        # The stock vehicle's writes first: when both it and the proposal's condition fail (another
        # customer's acceptance took the car and withdrew this proposal), the vehicle's error tells why.
        unit = UnitOfWork()
        vehicle_id = stock_vehicle_id(proposal.lines)
        if vehicle_id is not None:
            _reserve(unit, visit, vehicle_id)
        unit.add(record.saved(accepted, version=True),
                 store.code(proposal, used, pending, read_as=read_as, role=pending.role),
                 [outbox_store.new(m) for m in messages], funnel.counted(accepted, now, Step.SIGNED))
        if describes_a_vehicle(proposal.lines):
            unit.add(orders.opened_by_acceptance(accepted, now, vehicle_id=vehicle_id).writes)
        if proposal.lead_id is not None:
            unit.add(leads.won_by_acceptance(proposal.dealer_id, proposal.lead_id, now, proposal.reference))
        unit.commit()
    except VehicleProposalsChanged:
        storage.delete(key)
        raise ConcurrentChange() from None  # a proposal was listed on the car meanwhile: `retried` reads again
    except DomainError:
        storage.delete(key)  # a lost race (the same code typed twice at once): only the winner's file stays
        raise


def _signed_by(pending: PendingSignature, proposal: Proposal, visitor: Visitor, record: Record,
               at: datetime) -> dict[str, Any]:
    """What one signer's signature keeps, the first of two's as the accepting one's."""
    return {"role": pending.role, "signer_name": pending.full_name, "signer_email": pending.email, "signed_at": at,
            "proposal_version": proposal.version, "ip": visitor.ip, "user_agent": visitor.user_agent,
            "consent_text": pending.consent_text, "no_claim_declared": pending.no_claim_declared,
            "iban_masked": pending.iban_masked, "shown_pdf": pending.shown_pdf, "evidence_seq": record.chain.seq,
            "evidence_head": record.chain.head_hash, "code_sent_to": _code_sent_to(pending), "host": pending.host}


def _code_sent_to(pending: PendingSignature) -> str:
    return f"SMS au {masked_mobile(pending.mobile)}" if pending.mobile else "e-mail"


def _signed_copies(accepted: Proposal, at: datetime, key: str) -> list[OutboxMessage]:
    """The signed copy for each signer: one email per distinct address, greeting whoever signed from it (two
    signers sharing one address get one email naming both: docs/signing.md)."""
    assert accepted.signature is not None
    signers = [(s.signer_name, s.signer_email) for s in accepted.signature.co_signatures]
    signers.append((accepted.signature.signer_name, accepted.signature.signer_email))
    by_address: dict[str, list[str]] = {}
    for name, email in signers:
        by_address.setdefault(email.lower(), []).append(name)
    terms = accepted.signature.shown_pdf.terms  # the welcome email carries the terms the document included
    attachments = [Attachment(filename=signed_filename(accepted), s3_key=key),
                   *(Attachment(filename=t.filename, s3_key=t.s3_key) for t in terms)]
    copies = []
    for address, names in by_address.items():
        greeting = {"customer_name": " et ".join(names)} if accepted.co_holder is not None else {}
        copies.append(customer_email(
            accepted.dealer_id, accepted, TemplateKind.SIGNATURE_ACK, at, purpose="signature_ack",
            variables={"signed_at": local_time.format_moment(at), "withdrawal": withdrawal_text(accepted),
                       "terms": terms_text(terms), **greeting},
            attachments=attachments,
            to=next(email for _, email in signers if email.lower() == address),
        ))
    return copies


def _reserve(unit: UnitOfWork, visit: Opened, vehicle_id: str) -> None:
    """Reserves the stock vehicle for the proposal and withdraws every other open proposal of it, each with a
    history event saying why (their sellers' notices come with the reservation)."""
    proposal, now = visit.proposal, visit.now
    dealer = dealer_store.get(proposal.dealer_id)
    stock = vehicles.reserve_for_acceptance(unit, dealer, vehicle_id, OpenProposal(
        proposal_id=proposal.id, seller_id=proposal.seller_id, seller_email=proposal.seller.email,
        reference=proposal.reference), now)
    for other in stock.others:
        try:
            before = proposal_store.get(proposal.dealer_id, other.proposal_id)
        except NotFound:
            continue  # deleted since it was listed: nothing left to stop
        if before.terminal:
            continue
        unit.add(proposal_store.update(before, before.vehicle_gone(now), version=False, error=ConcurrentChange()),
                 proposal_store.record_event(proposal.dealer_id, before.id, EventKind.VEHICLE_GONE, now, {
                     "vehicle_id": vehicle_id, "vehicle": stock.vehicle.label,
                     "accepted_reference": proposal.reference}, by="system"))


def withdrawal_text(proposal: Proposal) -> str:
    return "\n".join(period.text for period in periods_of(proposal))


def _signable(visit: Visit) -> Opened:
    opened = visit.require(PortalState.SHOW)
    if not opened.signable:
        raise SigningUnavailable()
    return opened


# --- the seller's proofs ----------------------------------------------------------------------------

_NO_PROOFS = NotFound("Pas de preuves de signature : cette proposition n'a pas été signée.")


def _aggregate(dealer_id: str, proposal_id: str) -> store.Aggregate:
    """The proposal with its whole evidence chain (one Query), for the seller's proofs."""
    dealer_store.get(dealer_id).require_remote_selling()
    aggregate = store.read(dealer_id, proposal_id, whole=True)
    if aggregate is None:
        raise NotFound("Proposition introuvable.")
    return aggregate


def _signed(dealer_id: str, proposal_id: str) -> tuple[store.Aggregate, Signature]:
    aggregate = _aggregate(dealer_id, proposal_id)
    if aggregate.proposal.signature is None:
        raise _NO_PROOFS
    return aggregate, aggregate.proposal.signature


def signed_pdf(dealer_id: str, proposal_id: str) -> DocumentLink:
    """The sealed, signed PDF: where it is, its fingerprint, a five-minute download URL."""
    aggregate, signature = _signed(dealer_id, proposal_id)
    proposal, stored = aggregate.proposal, signature.signed_pdf
    return DocumentLink(s3_key=stored.s3_key, sha256=stored.sha256, size=stored.size, version=stored.version,
                        url=storage.download_url(stored.s3_key, signed_filename(proposal), PROOF_URL_SECONDS),
                        url_expires_in=PROOF_URL_SECONDS)


def evidence_file(dealer_id: str, proposal_id: str) -> dict[str, Any]:
    """The evidence JSON: signer, documents, consent, steps, code events, the chain and its verification now."""
    aggregate, signature = _signed(dealer_id, proposal_id)
    proposal, events = aggregate.proposal, aggregate.evidence
    document = evidence_document(
        subject=subject_of(dealer_id, proposal_id), proposal_reference=proposal.reference,
        proposal_version=signature.proposal_version,
        signer=Signer(name=signature.signer_name, email=signature.signer_email, role=signature.role.value),
        consent_text=signature.consent_text, shown_pdf_sha256=signature.shown_pdf.sha256,
        shown_pdf_length=signature.shown_pdf.size, signed_pdf_sha256=signature.signed_pdf.sha256,
        events=events, head=aggregate.chain, generated_at=clock.now(),
        co_signers=[Signer(name=s.signer_name, email=s.signer_email, role=s.role.value, signed_at=s.signed_at,
                           consent_text=s.consent_text) for s in signature.co_signatures],
    )
    report = _verified(aggregate)
    document["chain"]["verification"] = report.model_dump()
    document["chain"]["at_signature"] = {"seq": signature.evidence_seq, "hash": signature.evidence_head}
    return document


def verify_evidence(dealer_id: str, proposal_id: str) -> VerificationReport:
    """Checks the stored chain against the head kept on the proposal, and once signed against the chain sealed
    in the signed PDF (issue 11: a rewrite of events, head and `signature.evidence_head` together shows there)."""
    return _verified(_aggregate(dealer_id, proposal_id))


def _verified(aggregate: store.Aggregate) -> VerificationReport:
    proposal, events = aggregate.proposal, aggregate.evidence
    report = verify(events, subject_of(proposal.dealer_id, proposal.id), aggregate.chain)
    signature = proposal.signature
    if report.ok and signature is not None:
        at_signature = events[signature.evidence_seq - 1] if 0 < signature.evidence_seq <= len(events) else None
        if at_signature is None or at_signature.hash != signature.evidence_head:
            return VerificationReport(ok=False, events=len(events), first_bad_seq=signature.evidence_seq,
                                      problem="la chaîne ne passe plus par l'empreinte scellée à la signature")
        return verification.against_sealed_pdf(aggregate) or report
    return report

