"""Telling staff what a schedule or a provider found: a proposal that expired, a lead whose contact deadline
passed, a card payment that is not the acompte (an anomaly: money to refund or settle).

Each message goes by email and/or SMS as the user chose (User.notifications.email / .sms); the
email goes to the seller profile's address when there is one, the SMS to the profile's phone or
else the user's. A deactivated user's alerts go to the dealer's active admins, by email, so
nobody's work falls silently through. A payment anomaly is money to handle: it goes by email to the
proposal's seller and to every active admin, whatever their preferences. Whoever is told also finds the
alert in the app's bell (a message of channel bell, whatever their preferences).
Messages are only built here: write each with `store.outbox.new(message)` in the transaction that
records what happened: the table's stream sends it once committed.
"""
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import local_time
from chalicelib.domain.customers import format_phone
from chalicelib.domain.deposits import BALANCE_REASONS, AnomalyReason, DepositAnomaly, format_amount
from chalicelib.domain.dealers import User
from chalicelib.domain.errors import NotFound
from chalicelib.domain.leads.model import Lead
from chalicelib.domain.money import format_euros
from chalicelib.domain.notices import About
from chalicelib.domain.outbox import Bell, Channel, OutboxMessage, bell_message
from chalicelib.domain.proposals.model import Proposal
from chalicelib.domain.proposals.status import STATUS_LABELS, ProposalStatus
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
    return _alert(proposal.dealer_id, proposal.seller_id, subject, text, sms, "proposal_expired", at,
                  Bell(kind="expired", about=About.PROPOSAL, about_id=proposal.id))


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
    return _alert(lead.dealer_id, lead.owner.id, subject, text, sms, "lead_deadline_alert", at,
                  Bell(kind="lead_deadline", about=About.LEAD, about_id=lead.id))


def payment_anomaly(proposal: Proposal, anomaly: DepositAnomaly) -> Alert:
    """The seller and the admins hear of a payment taken that is not the acompte, and what to do with it."""
    customer = proposal.customer.company_name or proposal.customer.full_name
    received = format_amount(anomaly.amount_cents, anomaly.currency)
    reference = anomaly.provider_reference
    subject = f"Paiement à régulariser – proposition {proposal.reference} ({customer})"
    settle = (f"remboursez-le depuis le tableau de bord Stripe (Paiements, recherchez la référence {reference}), "
              "ou convenez avec le client de sa régularisation (par exemple l'imputer sur le prix) et notez-la "
              "dans le dossier. Offerline ne l'enregistre pas comme réglé.")
    todo = (f"Que faire : le client a été débité ; {settle}" if anomaly.provider == "stripe" else
            f"Que faire : c'est un paiement de test ({anomaly.provider}), rien n'a été débité. En production, "
            f"{settle}")
    balance = anomaly.reason in BALANCE_REASONS  # a card payment of the order's balance, not the acompte
    what, asked = ("paiement du solde", "Solde restant dû") if balance else ("acompte", "Acompte demandé")
    text = (
        f"Un paiement par carte de {received} a été reçu pour la proposition {proposal.reference} ({customer}). "
        f"Il n'est pas enregistré comme {what} : {_why(proposal, anomaly)}\n\n"
        f"Montant reçu : {received}\n"
        f"{asked} : {format_amount(anomaly.expected_cents, 'eur') if anomaly.expected_cents else 'aucun'}\n"
        f"Référence du paiement : {reference}\n"
        f"Reçu le : {local_time.format_moment(anomaly.at)}\n\n"
        f"{todo}\n\n"
        "Voir la proposition et son historique :\n"
        f"{settings().public_base_url}/app/#/proposals/{proposal.id}\n"
    )
    users = dealer_store.list_users(proposal.dealer_id)
    told = [u for u in users if u.id == proposal.seller_id and u.active]
    told += [u for u in users if u.is_active_admin and u.id != proposal.seller_id]
    messages, addresses = [], set()
    for user in told:
        message = _email(user, subject, text, "payment_anomaly", anomaly.at)
        if message.to.lower() not in addresses:
            addresses.add(message.to.lower())
            messages.append(message)
    if not messages:  # nobody active: the seller's address on the proposal, so that someone knows
        messages.append(OutboxMessage(dealer_id=proposal.dealer_id, channel=Channel.EMAIL,
                                      to=str(proposal.seller.email), subject=subject, text=f"Bonjour,\n\n{text}",
                                      purpose="payment_anomaly", created_at=anomaly.at))
        return Alert(messages, "alerte envoyée à l'adresse du vendeur de la proposition (aucun utilisateur actif)")
    bell = Bell(kind="payment_anomaly", about=About.PROPOSAL, about_id=proposal.id)
    sms = f"Paiement à régulariser : {received} reçus pour la proposition {proposal.reference} ({customer})."
    messages += [bell_message(u.dealer_id, u.id, sms, bell, "payment_anomaly", anomaly.at) for u in told]
    names = ", ".join(u.name for u in told)
    return Alert(messages, f"alerte envoyée par e-mail à {names}")


def _why(proposal: Proposal, anomaly: DepositAnomaly) -> str:
    paid = proposal.deposit_payment
    match anomaly.reason:
        case AnomalyReason.AMOUNT_MISMATCH:
            return (f"le montant payé ({format_amount(anomaly.amount_cents, anomaly.currency)}) n'est pas celui de "
                    f"l'acompte demandé ({format_amount(anomaly.expected_cents, 'eur')}).")
        case AnomalyReason.CURRENCY_MISMATCH:
            return f"le paiement a été fait en {anomaly.currency.upper()}, et non en euros."
        case AnomalyReason.PROPOSAL_NOT_ACCEPTED:
            return (f"la proposition n'est pas signée (elle est {STATUS_LABELS[proposal.status]}) : "
                    "aucun acompte ne peut être encaissé.")
        case AnomalyReason.NO_DEPOSIT_ASKED:
            return "aucun acompte n'est demandé pour cette proposition."
        case AnomalyReason.ALREADY_PAID:
            when = f" le {local_time.format_moment(paid.paid_at)}" if paid and paid.paid_at else ""
            ref = f" (référence {paid.provider_reference})" if paid and paid.provider_reference else ""
            return f"l'acompte était déjà réglé{when}{ref} : le client a payé deux fois."
        case AnomalyReason.BALANCE_MISMATCH:
            return (f"le montant payé ({format_amount(anomaly.amount_cents, anomaly.currency)}) n'est pas le solde "
                    f"restant dû sur la commande ({format_amount(anomaly.expected_cents, 'eur')}).")
        case AnomalyReason.ORDER_CLOSED:
            return "la commande est annulée ou close : aucun solde ne peut plus y être encaissé."
    return anomaly.label


# --- who, and by which channel ---------------------------------------------------------

def alert_user(dealer_id: str, user_id: str, subject: str, text: str, sms: str, purpose: str, at: datetime,
               bell: Bell) -> Alert:
    """Any other capability's alert to one user (e.g. an order milestone that is due), by their channels."""
    return _alert(dealer_id, user_id, subject, text, sms, purpose, at, bell)


def _alert(dealer_id: str, user_id: str, subject: str, text: str, sms: str, purpose: str, at: datetime,
           bell: Bell) -> Alert:
    try:
        user = dealer_store.get_user(dealer_id, user_id)
    except NotFound:
        user = None
    if user is not None and user.active:
        messages = _by_preference(user, subject, text, sms, purpose, at)
        channels = ", ".join(("e-mail" if m.channel == Channel.EMAIL else "SMS") for m in messages)
        told = (f"alerte envoyée à {user.name} ({channels})" if messages
                else f"aucune alerte envoyée, {user.name} a désactivé e-mail et SMS")
        return Alert([*messages, bell_message(dealer_id, user.id, sms, bell, purpose, at)], told)
    admins = [u for u in dealer_store.list_users(dealer_id) if u.is_active_admin]
    absent = f"{user.name} est désactivé" if user is not None else "utilisateur introuvable"
    messages = [_email(admin, subject, text, purpose, at) for admin in admins]
    messages += [bell_message(dealer_id, admin.id, sms, bell, purpose, at) for admin in admins]
    return Alert(messages, f"alerte envoyée aux administrateurs ({absent})" if admins
                 else f"aucune alerte envoyée ({absent}, aucun administrateur actif)")


def _by_preference(user: User, subject: str, text: str, sms: str, purpose: str,
                   at: datetime) -> list[OutboxMessage]:
    messages = []
    if user.notifications.email:
        messages.append(_email(user, subject, text, purpose, at))
    phone = user.contact_phone
    if user.notifications.sms and phone:
        messages.append(OutboxMessage(dealer_id=user.dealer_id, channel=Channel.SMS, to=phone, text=sms[:SMS_LIMIT],
                                      purpose=purpose, created_at=at))
    return messages


def _email(user: User, subject: str, text: str, purpose: str, at: datetime) -> OutboxMessage:
    return OutboxMessage(dealer_id=user.dealer_id, channel=Channel.EMAIL, to=user.contact_email, subject=subject,
                         text=f"Bonjour {user.name},\n\n{text}", purpose=purpose, created_at=at)
