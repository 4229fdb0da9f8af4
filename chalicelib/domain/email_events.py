"""What became of a customer email once SES took it: delivered, bounced, complained, rejected, delayed.

SES publishes each event of a message sent with our configuration set to EventBridge, at least
once and in no guaranteed order. Each fate has a rank; a message's recorded fate only ever moves
to a higher rank, so a replayed event, or a late "delivered" after a bounce, changes nothing.
A complaint normally follows a delivery, and a bounce can follow one too (an asynchronous bounce
from the receiving server): both outrank it. Pure: no boto3.
"""
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

from pydantic import Field

from chalicelib.domain import clock
from chalicelib.domain.errors import Conflict
from chalicelib.domain.model import Entity


class Fate(StrEnum):
    DELAYED = "delayed"
    DELIVERED = "delivered"
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    REJECTED = "rejected"


RANK = {Fate.DELAYED: 1, Fate.DELIVERED: 2, Fate.BOUNCED: 3, Fate.COMPLAINED: 3, Fate.REJECTED: 3}
# The fates that mean the customer did not (or does not want to) get our email: the seller must act.
UNDELIVERED = (Fate.BOUNCED, Fate.COMPLAINED, Fate.REJECTED)

# SES's eventType (the "detail" of its EventBridge events) → our fate; Send, Open, Click... are not fates.
_OF_SES = {"Delivery": Fate.DELIVERED, "Bounce": Fate.BOUNCED, "Complaint": Fate.COMPLAINED,
           "Reject": Fate.REJECTED, "DeliveryDelay": Fate.DELAYED}
DIAGNOSTIC_LIMIT = 300


class EmailEvent(Entity):
    """One SES event about one message, reduced to what we record."""
    ses_message_id: str
    fate: Fate
    at: datetime
    permanent: bool = Field(default=False, description="a permanent bounce (or a complaint): stop sending there")
    bounce_type: str | None = Field(default=None, description="SES's bounceType/bounceSubType, or delayType")
    diagnostic: str | None = Field(default=None, description="the receiving server's answer, as SES reports it")

    @property
    def rank(self) -> int:
        return RANK[self.fate]

    @property
    def suppresses(self) -> bool:
        """An address that bounced for good or complained is not written to again unless a seller confirms it."""
        return self.fate == Fate.COMPLAINED or (self.fate == Fate.BOUNCED and self.permanent)

    @property
    def label(self) -> str:
        """How the history reads it (French, shown to the seller)."""
        if self.fate == Fate.DELIVERED:
            return "remis"
        if self.fate == Fate.BOUNCED:
            return "non remis : adresse inconnue" if self.permanent else "non remis : refus temporaire"
        if self.fate == Fate.COMPLAINED:
            return "signalé comme indésirable par le destinataire"
        if self.fate == Fate.REJECTED:
            return "non envoyé : refusé par SES"
        return "remise retardée"


class EmailBounce(Entity):
    """On the proposal: its last email did not reach the customer, and where it was sent."""
    outbox_id: str
    to: str
    fate: Fate
    permanent: bool
    at: datetime
    diagnostic: str | None = None


class FateAlreadyKnown(Conflict):
    """The message already has this fate or a later one: the event is a replay or came late."""
    code = "fate_already_known"

    def __init__(self) -> None:
        super().__init__("Cet événement est déjà pris en compte.")


class NewerEmailKnown(Conflict):
    """The proposal already shows the fate of a newer email: an older one's event must not hide it."""
    code = "newer_email_known"

    def __init__(self) -> None:
        super().__init__("Un e-mail plus récent de cette proposition a déjà un sort connu.")


class AddressSuppressed(Conflict):
    """409 at send and remind: the address bounced for good or complained, and nobody confirmed it since."""
    code = "address_suppressed"

    def __init__(self, address: str, fate: str) -> None:
        why = "a signalé nos e-mails comme indésirables" if fate == Fate.COMPLAINED else \
            "n'existe pas (l'e-mail précédent est revenu en erreur définitive)"
        super().__init__(
            f"Envoi bloqué : l'adresse {address} {why}. Corrigez l'adresse e-mail du client sur la proposition, "
            "ou confirmez qu'elle est juste (« Adresse vérifiée ») avant de renvoyer.",
            {"email": fate},
        )


def parse(detail: dict[str, Any]) -> EmailEvent | None:
    """The event SES published (EventBridge `detail`), or None for an event type we do not record."""
    fate = _OF_SES.get(detail.get("eventType") or detail.get("notificationType") or "")
    mail = detail.get("mail") or {}
    message_id = mail.get("messageId")
    if fate is None or not message_id:
        return None
    part = detail.get({Fate.DELIVERED: "delivery", Fate.BOUNCED: "bounce", Fate.COMPLAINED: "complaint",
                       Fate.REJECTED: "reject", Fate.DELAYED: "deliveryDelay"}[fate]) or {}
    at = _time(part.get("timestamp") or mail.get("timestamp"))
    permanent, kind, diagnostic = False, None, None
    if fate == Fate.BOUNCED:
        permanent = part.get("bounceType") == "Permanent"
        kind = "/".join(x for x in (part.get("bounceType"), part.get("bounceSubType")) if x) or None
        diagnostic = _first_diagnostic(part.get("bouncedRecipients"))
    elif fate == Fate.COMPLAINED:
        permanent = True
        kind = part.get("complaintFeedbackType")
    elif fate == Fate.REJECTED:
        diagnostic = part.get("reason")
    elif fate == Fate.DELAYED:
        kind = part.get("delayType")
        diagnostic = _first_diagnostic(part.get("delayedRecipients"))
    return EmailEvent(ses_message_id=message_id, fate=fate, at=at, permanent=permanent, bounce_type=kind,
                      diagnostic=diagnostic[:DIAGNOSTIC_LIMIT] if diagnostic else None)


def _first_diagnostic(recipients: Any) -> str | None:
    for recipient in recipients or []:
        found = recipient.get("diagnosticCode") or recipient.get("status")
        if found:
            return str(found)
    return None


def _time(value: Any) -> datetime:
    if not value:
        return clock.now()
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def normalised(address: str) -> str:
    return address.strip().lower()
