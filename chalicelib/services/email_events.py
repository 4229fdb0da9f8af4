"""What SES says became of a sent email, recorded where the seller sees it; and the suppressed addresses.

`record` takes one SES event (the EventBridge `detail`): one read (the SES-id lookup written when the
message was sent) and one transaction: the fate on the outbox item, conditional on outranking the
fate already there (domain/email_events.py), so a replay or a late event writes nothing; with it,
for an email about a proposal, the proposal's history ("remis", "non remis : adresse inconnue"),
its bounce flag, the seller's notice (the address to fix) and, for a permanent bounce or a
complaint, the address's suppression. The signing code's email also leaves its fate in the
evidence chain, which costs a read of the proposal's chain head.

A suppressed address is refused at send and remind (409, nothing written) until the seller corrects
the customer's address on the proposal or confirms it (`confirm_address`).
"""
from typing import Any

from chalicelib.domain import clock, evidence, local_time
from chalicelib.domain.dealers import Staff
from chalicelib.domain.email_events import (
    UNDELIVERED, AddressSuppressed, EmailEvent, Fate, FateAlreadyKnown, NewerEmailKnown, parse,
)
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.evidence import Chain, subject_of
from chalicelib.domain.outbox import Channel, OutboxMessage, SellerNotice
from chalicelib.domain.proposals.model import EventKind
from chalicelib.domain.proposals.status import ProposalStatus
from chalicelib.domain.proposals.views import ProposalView
from chalicelib.observability import logger, metrics
from chalicelib.settings import settings
from chalicelib.store import dealers as dealer_store
from chalicelib.store import email_events as store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import portal as portal_store
from chalicelib.store import proposals as proposal_store
from chalicelib.store.unit_of_work import Write
from chalicelib.store.unit_of_work import commit

CODE_PURPOSE = "signing_code"
BOUNCE_NOTICE = "email_bounced"
SMS_LIMIT = 300
_EVIDENCE_TRIES = 3


def record(detail: dict[str, Any]) -> str:
    """Records one SES event. Returns what happened: recorded, replayed (nothing written), unknown
    (not a message of ours), ignored (not a fate)."""
    event = parse(detail)
    if event is None:
        return "ignored"
    email = store.find(event.ses_message_id)
    if email is None:
        return "unknown"
    try:
        if email.proposal is not None and email.purpose == CODE_PURPOSE and event.fate != Fate.DELAYED:
            _record_with_evidence(email, event)
        else:
            _record(email, event)
    except FateAlreadyKnown:
        return "replayed"
    metrics.add_metric(name=f"Email{event.fate.value.capitalize()}", unit="Count", value=1)
    logger.info("email fate recorded", extra={"outbox_id": email.outbox_id, "purpose": email.purpose,
                                              "fate": event.fate.value})
    return "recorded"


def _record(email: store.SentEmail, event: EmailEvent) -> None:
    try:
        commit(_writes(email, event, flag=True))
    except NewerEmailKnown:
        # A newer email of the proposal already has its fate: record this one's without touching the flag.
        commit(_writes(email, event, flag=False))


def _writes(email: store.SentEmail, event: EmailEvent, flag: bool) -> list[Write]:
    writes: list[Write] = [store.fate_recorded(email, event)]
    if event.suppresses:
        writes.append(store.suppressed(email, event))
    if email.proposal is None or event.fate == Fate.DELAYED:
        return writes
    writes.append(_history(email, event))
    if flag:
        writes.append(store.proposal_flagged(email, event))
        if event.fate in UNDELIVERED:
            writes.append(outbox_store.new(seller_notice(email, event)))
    return writes


def _history(email: store.SentEmail, event: EmailEvent) -> Write:
    assert email.proposal is not None
    kind = EventKind.EMAIL_DELIVERED if event.fate == Fate.DELIVERED else EventKind.EMAIL_UNDELIVERED
    details = {"to": email.to, "outbox_id": email.outbox_id, "purpose": email.purpose, "fate": event.fate.value,
               "label": event.label, "permanent": event.permanent}
    if event.diagnostic:
        details["diagnostic"] = event.diagnostic
    return proposal_store.record_event(email.dealer_id, email.proposal.proposal_id, kind, event.at, details,
                                       by="system")


def _record_with_evidence(email: store.SentEmail, event: EmailEvent) -> None:
    """The code email's fate also goes in the evidence chain: its append is conditional on the chain
    head (and the last-email marker) as read, so a concurrent append makes us read and try again."""
    assert email.proposal is not None
    for attempt in range(_EVIDENCE_TRIES):
        read = store.read_proposal(email.dealer_id, email.proposal.proposal_id)
        if read is None:
            _record(email, event)
            return
        proposal, item = read
        chain = Chain.start(subject_of(proposal.dealer_id, proposal.id))
        if proposal.evidence_seq:
            chain = chain.model_copy(update={"seq": proposal.evidence_seq, "head_hash": proposal.evidence_head})
        details: dict[str, evidence.Detail] = {"fate": event.fate.value, "permanent": event.permanent,
                                               "to": email.to, "outbox_id": email.outbox_id,
                                               "reported_at": event.at.isoformat()}
        if event.diagnostic:
            details["diagnostic"] = event.diagnostic
        chain, proof = evidence.append(chain, evidence.EventKind.CODE_EMAIL_FATE, clock.now(), details=details)
        flag = store.flag_applies(item, email)
        head = portal_store.proposal_change(proposal, proposal.evidenced(chain.seq, chain.head_hash),
                                           allowed=tuple(ProposalStatus))
        if flag:
            head = store.with_flag(head, email, event, item)
        writes = _writes(email, event, flag=False)
        if flag and event.fate in UNDELIVERED:
            writes.append(outbox_store.new(seller_notice(email, event)))
        try:
            commit(writes, head, portal_store.evidence(proposal, proof))
            return
        except FateAlreadyKnown:
            raise
        except Conflict:
            if attempt == _EVIDENCE_TRIES - 1:
                raise


def seller_notice(email: store.SentEmail, event: EmailEvent) -> OutboxMessage:
    """Tells the proposal's seller, whatever their preferences, that the customer did not get the email."""
    assert email.proposal is not None
    ref = email.proposal
    what = "le code de signature" if email.purpose == CODE_PURPOSE else "l'e-mail de la proposition"
    why = {Fate.COMPLAINED: "le client l'a signalé comme indésirable",
           Fate.REJECTED: "il a été refusé avant l'envoi"}.get(
        event.fate, "l'adresse est inconnue ou refuse les messages" if event.permanent
        else "la boîte du client l'a refusé pour l'instant")
    when = local_time.format_moment(event.at)
    url = f"{settings().public_base_url}/app/#/proposals/{ref.proposal_id}"
    text = (
        f"Bonjour,\n\n{what.capitalize()} {ref.reference} envoyé à {email.to} n'a pas été remis ({when}) : {why}.\n"
        + (f"Réponse du serveur du client : {event.diagnostic}\n" if event.diagnostic else "")
        + f"\nCorrigez l'adresse e-mail du client sur la proposition puis renvoyez-la : {url}\n"
    )
    sms = f"Offerline : e-mail non remis à {email.to} (proposition {ref.reference}). Corrigez l'adresse et renvoyez."
    return OutboxMessage(
        dealer_id=email.dealer_id, channel=Channel.SELLER, to=ref.seller_id, purpose=BOUNCE_NOTICE,
        subject=f"Offerline : e-mail non remis ({ref.reference})", text=text, created_at=clock.now(),
        notice=SellerNotice(preference=None, sms_text=sms[:SMS_LIMIT], email_anyway=ref.seller_email),
    )


# --- suppression ----------------------------------------------------------------------------

def check_sendable(dealer_id: str, address: str) -> None:
    """Raises AddressSuppressed (409) when the address bounced for good or complained: one GetItem."""
    found = store.suppression(dealer_id, address)
    if found is not None:
        raise AddressSuppressed(address, found.fate)


def confirm_address(dealer_id: str, proposal_id: str, by: Staff) -> ProposalView:
    """The seller says the proposal's address is right (the mailbox is fixed): sends may go there again."""
    dealer_store.get(dealer_id).require_remote_selling()
    view = proposal_store.get_with_history(dealer_id, proposal_id)
    proposal = view.proposal
    address = proposal.recipient.email if proposal.recipient else proposal.customer.email
    if not address:
        raise InvalidInput("Le client n'a pas d'adresse e-mail.", {"email": "missing"})
    if store.suppression(dealer_id, address) is None:
        raise InvalidInput("Cette adresse n'est pas bloquée : vous pouvez envoyer.", {"email": "not suppressed"})
    event = proposal_store.record_event(dealer_id, proposal_id, EventKind.ADDRESS_CONFIRMED, clock.now(),
                                        {"to": address}, by=by.user_id)
    commit(store.lifted(dealer_id, address), event)
    return view.then(proposal, proposal_store.event_of(event))
