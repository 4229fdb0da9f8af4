"""Sending what the outbox holds: as soon as the table's stream brings a new message, then by the retry schedule.

Both paths claim the message first (store/due.py), so a message is sent by one of them only;
a send that fails is retried with backoff, then parked and the dealer's admins are told.
What the request that queued a message did not read is read here: a dealer template is
rendered (message.template); a seller notice (channel seller) becomes the email and/or SMS the
seller wants now (services/notifications.py), queued as messages of their own, each with its
own retries, in the transaction that ends the notice.
"""
from datetime import datetime


from chalicelib.documents import storage
from chalicelib.domain import clock
from chalicelib.domain.outbox import Channel, Delivery, OutboxMessage, is_last_attempt, retry_delay
from chalicelib.messaging import email, sms
from chalicelib.messaging.errors import DeliveryFailed
from chalicelib.observability import logger, metrics
from chalicelib.services import due_work, notifications, templates
from chalicelib.settings import settings
from chalicelib.store import dealers as dealer_store
from chalicelib.store import due, email_events, outbox as store
from chalicelib.store.keys import Key
from chalicelib.store.unit_of_work import commit

SENDER_NAME = "Offerline"
# A body can carry a customer's access link or signing code: it is kept only until the
# message has gone (or been given up), never afterwards.
SECRET_BEARING = ("text", "html", "variables")


def deliver_written(message_key: Key) -> None:
    """Sends a message the stream says was just written, unless another path already took it.
    What fails stays queued for the retry schedule."""
    claimed = due.claim_fresh(message_key, clock.now())
    if claimed is not None:
        _attempt(claimed)


def retry_due() -> int:
    """The schedule: every message still pending and due. Returns how many were attempted."""
    return due_work.sweep(store.KIND, _attempt)


def _attempt(claimed: due.Claimed) -> None:
    now = clock.now()
    message = OutboxMessage.model_validate(claimed.item)
    if message.channel == Channel.SELLER:
        _expand(claimed, message)
        return
    attempts = message.attempts + 1
    try:
        provider_id = _send(_rendered(message))
    except DeliveryFailed as failure:
        logger.warning("send failed", extra={"outbox_id": message.id, "purpose": message.purpose,
                                             "reason": failure.reason, "attempts": attempts})
        metrics.add_metric(name="OutboxSendFailed", unit="Count", value=1)
        if is_last_attempt(attempts):
            commit(due.finished(claimed, forget=SECRET_BEARING, status=Delivery.PARKED.value,
                                attempts=attempts, last_error=failure.reason),
                   [store.new(m) for m in _admins_told_of_parking(message, now)])
        else:
            commit(due.postponed(claimed, store.KIND, now + retry_delay(attempts),
                                 attempts=attempts, last_error=failure.reason))
        return
    commit(due.finished(claimed, forget=SECRET_BEARING, status=Delivery.SENT.value, attempts=attempts,
                        sent_at=now.isoformat(), provider_id=provider_id),
           # SES's events name the message by provider_id: the lookup finds it (services/email_events.py).
           [email_events.sent(message, provider_id, now)] if message.channel == Channel.EMAIL else [])


def _expand(claimed: due.Claimed, notice: OutboxMessage) -> None:
    wanted = notifications.expand(notice, clock.now())
    commit(due.finished(claimed, forget=SECRET_BEARING, status=Delivery.EXPANDED.value,
                        expanded_into=[m.id for m in wanted]),
           [store.new(m) for m in wanted])


def _rendered(message: OutboxMessage) -> OutboxMessage:
    """The message with its dealer template rendered, if it has one."""
    if message.template is None:
        return message
    from jinja2 import TemplateError  # imported with the template's rendering, not by `import app`

    try:
        rendered = templates.render(message.dealer_id, message.template, message.variables)
    except TemplateError as error:
        raise DeliveryFailed(f"template:{type(error).__name__}") from None
    return message.model_copy(update={"subject": rendered.subject, "text": rendered.text, "html": rendered.html})


def _send(message: OutboxMessage) -> str:
    if message.channel == Channel.SMS:
        return sms.send(message.to, message.text)
    files = [(a.filename, a.content_type, storage.get(a.s3_key)) for a in message.attachments]
    return email.send(message, settings().sender_email, SENDER_NAME, files)


def _admins_told_of_parking(message: OutboxMessage, at: datetime) -> list[OutboxMessage]:
    """The emails telling the dealer's active admins that a message is parked, queued in the write that parks it
    (none for such an email itself)."""
    if message.purpose == "outbox_parked":
        return []
    admins = [u for u in dealer_store.list_users(message.dealer_id) if u.is_active_admin]
    return [
        OutboxMessage(
            dealer_id=message.dealer_id, channel=Channel.EMAIL, to=admin.email, purpose="outbox_parked",
            subject="Offerline : un envoi n'a pas pu partir",
            text=(
                f"Bonjour {admin.name},\n\nUn message ({_purpose_label(message)}, "
                f"{'SMS' if message.channel == Channel.SMS else 'e-mail'}) n'a pas pu être envoyé après "
                f"{message.attempts + 1} tentatives. Référence : {message.id}.\n"
                "Vérifiez l'adresse ou le numéro du destinataire et corrigez-le sur sa fiche, puis refaites "
                "l'action dans Offerline (par exemple « Renvoyer » sur la proposition) ou prévenez-le directement.\n"
            ),
            created_at=at,
        )
        for admin in admins
    ]


def _purpose_label(message: OutboxMessage) -> str:
    return message.purpose.replace("_", " ")
