"""Telling staff what a schedule found: a proposal that expired, a lead whose contact deadline passed.

Each message goes by email and/or SMS as the user chose (User.notifications.email / .sms); the
email goes to the seller profile's address when there is one, the SMS to the profile's phone or
else the user's. A deactivated user's alerts go to the dealer's active admins, by email, so
nobody's work falls silently through. Messages are only built here: write each with
`store.outbox.new(message)` in the transaction that records what happened: the table's
stream sends it once committed.
"""
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import local_time
from chalicelib.domain.customers import format_phone
from chalicelib.domain.dealers import Role, User
from chalicelib.domain.errors import NotFound
from chalicelib.domain.leads import Lead
from chalicelib.domain.money import format_euros
from chalicelib.domain.outbox import Channel, OutboxMessage
from chalicelib.domain.proposals import Proposal, ProposalStatus
from chalicelib.settings import settings
from chalicelib.store import dealers as dealer_store

SMS_LIMIT = 300


@dataclass(frozen=True)
class Alert:
    """The messages to queue, and who was told as the history says it ("alerte envoyée à Victor (e-mail)")."""
    messages: list[OutboxMessage]
    told: str


def proposal_expired(proposal: Proposal, at: datetime) -> Alert:
    """The proposal's seller hears that it expired unsigned (or was never sent)."""
    customer = proposal.customer.company_name or proposal.customer.full_name
    valid_until = local_time.format_day(proposal.valid_until)
    how = ("n'a jamais été envoyée au client" if proposal.status == ProposalStatus.DRAFT
           else "n'a pas été signée par le client")
    subject = f"Proposition {proposal.reference} expirée ({customer})"
    text = (
        f"La proposition {proposal.reference} pour {customer} ({format_euros(proposal.totals.ttc_cents)} TTC) "
        f"était valable jusqu'au {valid_until}. Elle {how} : elle est maintenant expirée et ne peut plus "
        "être signée.\n"
        f"Pour poursuivre la vente, créez une nouvelle proposition à partir du devis {proposal.quote_number}.\n\n"
        f"Voir la proposition et son historique :\n"
        f"{settings().public_base_url}/app/#/proposals/{proposal.id}\n"
    )
    sms = f"Offerline : la proposition {proposal.reference} ({customer}) a expiré le {valid_until} sans signature."
    return _alert(proposal.dealer_id, proposal.seller_id, subject, text, sms, "proposal_expired", at)


def lead_deadline_passed(lead: Lead, at: datetime) -> Alert:
    """The lead's owner hears that the deadline to contact the customer has passed."""
    contact = lead.contacts[0]
    due = local_time.format_moment(lead.deadline.due_at) if lead.deadline else ""
    reach = [f"téléphone : {format_phone(contact.mobile)}" if contact.mobile else "",
             f"e-mail : {contact.email}" if contact.email else ""]
    subject = f"Échéance dépassée : {contact.name} (lead {lead.code})"
    text = (
        f"L'échéance pour contacter {contact.name} (lead {lead.code}, {lead.type.label}, source : {lead.source}) "
        f"était fixée au {due}.\n"
        f"{' · '.join(r for r in reach if r)}\n\n"
        "Contactez le client puis enregistrez le contact dans l'onglet Suivi du lead, ou déplacez l'échéance.\n\n"
        f"Ouvrir le lead :\n{settings().public_base_url}/app/#/leads/{lead.id}\n"
    )
    phone = f" Tél. {format_phone(contact.mobile)}." if contact.mobile else ""
    sms = f"Offerline : échéance dépassée pour {contact.name} (lead {lead.code}), prévue le {due}.{phone}"
    return _alert(lead.dealer_id, lead.owner.id, subject, text, sms, "lead_deadline_alert", at)


# --- who, and by which channel ---------------------------------------------------------

def _alert(dealer_id: str, user_id: str, subject: str, text: str, sms: str, purpose: str, at: datetime) -> Alert:
    try:
        user = dealer_store.get_user(dealer_id, user_id)
    except NotFound:
        user = None
    if user is not None and user.active:
        messages = _by_preference(user, subject, text, sms, purpose, at)
        channels = ", ".join(("e-mail" if m.channel == Channel.EMAIL else "SMS") for m in messages)
        told = (f"alerte envoyée à {user.name} ({channels})" if messages
                else f"aucune alerte envoyée, {user.name} a désactivé e-mail et SMS")
        return Alert(messages, told)
    admins = [u for u in dealer_store.list_users(dealer_id) if u.role == Role.ADMIN and u.active]
    absent = f"{user.name} est désactivé" if user is not None else "utilisateur introuvable"
    messages = [_email(admin, subject, text, purpose, at) for admin in admins]
    return Alert(messages, f"alerte envoyée aux administrateurs ({absent})" if admins
                 else f"aucune alerte envoyée ({absent}, aucun administrateur actif)")


def _by_preference(user: User, subject: str, text: str, sms: str, purpose: str,
                   at: datetime) -> list[OutboxMessage]:
    messages = []
    if user.notifications.email:
        messages.append(_email(user, subject, text, purpose, at))
    phone = (user.profile.phone if user.profile else None) or user.phone
    if user.notifications.sms and phone:
        messages.append(OutboxMessage(dealer_id=user.dealer_id, channel=Channel.SMS, to=phone, text=sms[:SMS_LIMIT],
                                      purpose=purpose, created_at=at))
    return messages


def _email(user: User, subject: str, text: str, purpose: str, at: datetime) -> OutboxMessage:
    address = str(user.profile.email) if user.profile else str(user.email)
    return OutboxMessage(dealer_id=user.dealer_id, channel=Channel.EMAIL, to=address, subject=subject,
                         text=f"Bonjour {user.name},\n\n{text}", purpose=purpose, created_at=at)
