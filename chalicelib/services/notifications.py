"""Telling the assigned seller what the customer did, by email and/or SMS, per the seller's preferences.

`notify_seller` only builds the messages: write each with `store.outbox.new(message)` in the
transaction of the customer's action, then `services.outbox.deliver(messages)` after the commit.
"""
from datetime import datetime
from typing import Any

from chalicelib.domain import local_time
from chalicelib.domain.errors import NotFound
from chalicelib.domain.outbox import Channel, OutboxMessage
from chalicelib.domain.proposals import EventKind, Proposal, email_variables
from chalicelib.domain.templates import TemplateKind
from chalicelib.services import templates
from chalicelib.settings import settings
from chalicelib.store import dealers as dealer_store

# Which preference (User.notifications) governs each customer action, and how it reads.
PREFERENCE = {
    EventKind.VIEWED: "on_view",
    EventKind.DOWNLOADED: "on_download",
    EventKind.QUESTION_ASKED: "on_question",
    EventKind.ACCEPTED: "on_signature",
    EventKind.PAYMENT_RECEIVED: "on_payment",
}
LABEL = {
    EventKind.VIEWED: "consulté",
    EventKind.DOWNLOADED: "téléchargé",
    EventKind.QUESTION_ASKED: "posé une question sur",
    EventKind.ACCEPTED: "signé",
    EventKind.PAYMENT_RECEIVED: "réglé l'acompte de",
}
SMS_LIMIT = 300


def notify_seller(dealer_id: str, proposal: Proposal, event_kind: EventKind, at: datetime,
                  details: dict[str, Any] | None = None) -> list[OutboxMessage]:
    """The email and/or SMS the proposal's seller asked for on this kind of event ([] when none).

    `details` may carry {"question": "..."} for a question; it is shown to the seller only.
    """
    preference = PREFERENCE.get(event_kind)
    if preference is None:
        return []
    try:
        seller = dealer_store.get_user(dealer_id, proposal.seller_id)
    except NotFound:
        return []
    wants = seller.notifications
    if not seller.active or not getattr(wants, preference):
        return []
    customer = proposal.customer.company_name or proposal.customer.full_name
    when = local_time.format_moment(at)
    messages = []
    if wants.email:
        rendered = templates.render(dealer_id, TemplateKind.SELLER_NOTIFICATION, email_variables(proposal) | {
            "customer_name": customer, "event": LABEL[event_kind], "event_at": when,
            "proposal_url": f"{settings().public_base_url}/app/#/proposals/{proposal.id}",
            "question": str((details or {}).get("question") or ""),
        })
        messages.append(OutboxMessage(
            dealer_id=dealer_id, channel=Channel.EMAIL, to=seller.profile.email if seller.profile else seller.email,
            subject=rendered.subject, text=rendered.text, html=rendered.html, purpose="seller_notification",
            created_at=at,
        ))
    phone = seller.profile.phone if seller.profile else seller.phone
    if wants.sms and phone:
        text = f"Offerline : {customer} a {LABEL[event_kind]} la proposition {proposal.reference} ({when})."
        messages.append(OutboxMessage(
            dealer_id=dealer_id, channel=Channel.SMS, to=phone, text=text[:SMS_LIMIT], purpose="seller_notification",
            created_at=at,
        ))
    return messages
