"""Telling the assigned seller what the customer did, by email and/or SMS, per the seller's preferences.

`seller_notice` builds, reading nothing, one message of channel SELLER: write it with
`store.outbox.new(message)` in the transaction of the customer's action. When the table's
stream delivers it, `expand` reads the seller's preferences as they stand then and turns it
into the email and/or SMS the seller wants; a question, a signature or a refusal always
reaches the seller by email, whatever the preferences, because each needs an answer or an action
(the first of two signatures does not yet: it goes only as the seller chose).
The notice also reaches the bell in the app (domain/notices.py), in the transaction that expands it:
the seller's, whatever the preferences (the bell interrupts nobody), and that of each active manager
or admin who chose to follow the team (`team_in_app`) and this kind of action.
"""
from datetime import datetime
from typing import Any

from chalicelib.domain import local_time
from chalicelib.domain.dealers import Role, User
from chalicelib.domain.errors import NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.notices import About
from chalicelib.domain.outbox import Bell, Channel, OutboxMessage, SellerNotice, bell_message
from chalicelib.domain.money import format_euros
from chalicelib.domain.proposals.model import SIGNER_LABELS, EventKind, Proposal
from chalicelib.domain.proposals.options import OptionsChanges
from chalicelib.domain.proposals.views import email_variables
from chalicelib.domain.templates import TemplateKind
from chalicelib.settings import settings
from chalicelib.store import dealers as dealer_store

# Which preference (User.notifications) governs each customer action, and how it reads.
PREFERENCE = {
    EventKind.VIEWED: "on_view",
    EventKind.DOWNLOADED: "on_download",
    EventKind.QUESTION_ASKED: "on_question",
    EventKind.ACCEPTED: "on_signature",
    EventKind.PARTLY_SIGNED: "on_signature",
    EventKind.PAYMENT_RECEIVED: "on_payment",
    EventKind.OPTIONS_CHANGED: "on_signature",  # a step towards the signature: the signed offer changes
}
LABEL = {
    EventKind.VIEWED: "consulté",
    EventKind.DOWNLOADED: "téléchargé",
    EventKind.QUESTION_ASKED: "posé une question sur",
    EventKind.ACCEPTED: "signé",
    EventKind.PARTLY_SIGNED: "signé (1 signature sur 2)",
    EventKind.DECLINED: "refusé",
    EventKind.PAYMENT_RECEIVED: "réglé l'acompte de",
    EventKind.OPTIONS_CHANGED: "modifié les options de",
}
BELL_KIND = {
    EventKind.VIEWED: "viewed",
    EventKind.DOWNLOADED: "downloaded",
    EventKind.QUESTION_ASKED: "question",
    EventKind.ACCEPTED: "signed",
    EventKind.PARTLY_SIGNED: "partly_signed",
    EventKind.DECLINED: "declined",
    EventKind.PAYMENT_RECEIVED: "paid",
    EventKind.OPTIONS_CHANGED: "options",
}
BALANCE_LABEL = "réglé le solde de la commande de"
BALANCE_BELL_KIND = "balance_paid"
SELLER_MUST_KNOW = (EventKind.QUESTION_ASKED, EventKind.ACCEPTED, EventKind.DECLINED)
SMS_LIMIT = 300


def seller_notice(proposal: Proposal, kind: EventKind, at: datetime, details: dict[str, Any] | None = None,
                  reply_to: str | None = None, options: OptionsChanges | None = None) -> OutboxMessage:
    """The notice of what the customer did, for the proposal's seller.

    `details` may carry {"question": "..."} for a question: it is shown to the seller only.
    `reply_to` is where the seller's answer to the email goes (the customer, for a question).
    The first of two signatures (PARTLY_SIGNED, `proposal` holding it) names who signed rather than the customer.
    `options`: the options the customer took or left (`proposal` is the new version), named in the notice.
    """
    return _notice(proposal, LABEL[kind], PREFERENCE.get(kind), at,
                   Bell(kind=BELL_KIND[kind], about=About.PROPOSAL, about_id=proposal.id),
                   str((details or {}).get("question") or ""), reply_to, kind in SELLER_MUST_KNOW,
                   who=_first_signer(proposal) if kind == EventKind.PARTLY_SIGNED else None, options=options)


def _first_signer(proposal: Proposal) -> str:
    first = proposal.partly_signed
    assert first is not None  # told with the proposal the first signature was just recorded on
    return f"{first.signer_name} ({SIGNER_LABELS[first.role]})"


def balance_notice(proposal: Proposal, order_id: str, at: datetime) -> OutboxMessage:
    """The notice of the order's balance paid by card from the portal: the payment preference governs it as
    the acompte's, and the bell leads to the order, where the payment is recorded."""
    return _notice(proposal, BALANCE_LABEL, PREFERENCE[EventKind.PAYMENT_RECEIVED], at,
                   Bell(kind=BALANCE_BELL_KIND, about=About.ORDER, about_id=order_id))


def _notice(proposal: Proposal, label: str, preference: str | None, at: datetime, bell: Bell, question: str = "",
            reply_to: str | None = None, must_know: bool = False, who: str | None = None,
            options: OptionsChanges | None = None) -> OutboxMessage:
    customer = who or proposal.customer.company_name or proposal.customer.full_name
    when = local_time.format_moment(at)
    variables = email_variables(proposal) | {
        "customer_name": customer, "event": label, "event_at": when,
        "proposal_url": f"{settings().public_base_url}/app/#/proposals/{proposal.id}", "question": question,
        "options": options.lines_text() if options is not None else "",
    }
    sms = f"Offerline : {customer} a {label} la proposition {proposal.reference} ({when})"
    if options is None:
        sms += "."
    else:
        sms = _fitted(sms, options.named(), f" ; nouveau total TTC {format_euros(options.new_ttc_cents)}.")
    return OutboxMessage(
        dealer_id=proposal.dealer_id, channel=Channel.SELLER, to=proposal.seller_id,
        template=TemplateKind.SELLER_NOTIFICATION, variables=variables, reply_to=reply_to,
        purpose="seller_notification", created_at=at, bell=bell,
        notice=SellerNotice(preference=preference, sms_text=sms[:SMS_LIMIT],
                            email_anyway=str(proposal.seller.email) if must_know else None),
    )


def _fitted(head: str, named: list[str], tail: str) -> str:
    """« head : named ; tail » within the SMS and the bell's limit: the list of options is cut (…) rather than
    the new total, which the seller needs whatever the options' labels."""
    listed = " ; ".join(named)
    room = SMS_LIMIT - len(head) - len(" : ") - len(tail)
    if len(listed) > room:
        listed = listed[:max(room - 1, 0)].rstrip() + "…"
    return f"{head} : {listed}{tail}"[:SMS_LIMIT]


def expand(notice: OutboxMessage, at: datetime) -> list[OutboxMessage]:
    """The email and/or SMS the seller wants for this notice now ([] when none)."""
    assert notice.channel == Channel.SELLER and notice.notice is not None
    seller = _seller(notice.dealer_id, notice.to)
    preference = notice.notice.preference
    # The seller, when they want to hear of this kind of action at all.
    told = seller if seller is not None and preference is not None and getattr(seller.notifications, preference) \
        else None
    messages = []
    address = told.contact_email if told is not None and told.notifications.email else notice.notice.email_anyway
    if address:
        messages.append(notice.model_copy(update={
            "id": new_id(), "channel": Channel.EMAIL, "to": address, "notice": None, "created_at": at,
        }))
    phone = told.contact_phone if told is not None and told.notifications.sms else None
    if phone:
        messages.append(OutboxMessage(
            dealer_id=notice.dealer_id, channel=Channel.SMS, to=phone, text=notice.notice.sms_text,
            purpose=notice.purpose, created_at=at,
        ))
    return messages + _bells(notice, seller, at)


def _bells(notice: OutboxMessage, seller: User | None, at: datetime) -> list[OutboxMessage]:
    """The seller's bell, and the bells of the managers and admins who follow the team's customers."""
    assert notice.notice is not None
    if notice.bell is None:
        return []
    preference = notice.notice.preference
    followers = [u.id for u in dealer_store.list_users(notice.dealer_id)
                 if u.active and u.role in (Role.MANAGER, Role.ADMIN) and u.notifications.team_in_app
                 and (preference is None or getattr(u.notifications, preference))]
    users = ([seller.id] if seller is not None else []) + followers
    return [bell_message(notice.dealer_id, user_id, notice.notice.sms_text, notice.bell, notice.purpose, at)
            for user_id in dict.fromkeys(users)]


def _seller(dealer_id: str, user_id: str) -> User | None:
    """The seller, if still there and active: a deactivated seller is told nothing by preference."""
    try:
        seller = dealer_store.get_user(dealer_id, user_id)
    except NotFound:
        return None
    return seller if seller.active else None
