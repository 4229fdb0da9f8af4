"""Email through SES v2: simple content, or raw MIME when files are attached."""
from email.message import EmailMessage
from email.utils import formataddr

from chalicelib.clients import client
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.messaging.errors import PROVIDER_ERRORS, DeliveryFailed
from chalicelib.settings import settings

OUTBOX_HEADER = "X-Offerline-Outbox-Id"


def send(message: OutboxMessage, sender: str, sender_name: str, files: list[tuple[str, str, bytes]]) -> str:
    """Sends one outbox email; returns the provider's message id."""
    source = formataddr((sender_name, sender))
    # The configuration set publishes the message's delivery, bounce and complaint events (issue 17).
    tracked = {"ConfigurationSetName": settings().ses_configuration_set} if settings().ses_configuration_set else {}
    try:
        if files:
            answer = client("sesv2").send_email(
                FromEmailAddress=source,
                Destination={"ToAddresses": [message.to]},
                Content={"Raw": {"Data": _mime(message, source, files)}}, **tracked,
            )
        else:
            answer = client("sesv2").send_email(
                FromEmailAddress=source,
                Destination={"ToAddresses": [message.to]},
                ReplyToAddresses=[message.reply_to] if message.reply_to else [],
                Content={"Simple": {
                    "Subject": {"Data": message.subject, "Charset": "UTF-8"},
                    "Body": _body(message),
                    "Headers": [{"Name": OUTBOX_HEADER, "Value": message.id}],
                }}, **tracked,
            )
    except PROVIDER_ERRORS as error:
        raise DeliveryFailed.of("ses", error) from None
    return answer["MessageId"]


def _body(message: OutboxMessage) -> dict:
    body = {"Text": {"Data": message.text, "Charset": "UTF-8"}}
    if message.html:
        body["Html"] = {"Data": message.html, "Charset": "UTF-8"}
    return body


def _mime(message: OutboxMessage, source: str, files: list[tuple[str, str, bytes]]) -> bytes:
    mime = EmailMessage()
    mime["Subject"] = message.subject
    mime["From"] = source
    mime["To"] = message.to
    if message.reply_to:
        mime["Reply-To"] = message.reply_to
    mime[OUTBOX_HEADER] = message.id
    mime.set_content(message.text)
    if message.html:
        mime.add_alternative(message.html, subtype="html")
    for filename, content_type, data in files:
        maintype, _, subtype = content_type.partition("/")
        mime.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mime.as_bytes()

