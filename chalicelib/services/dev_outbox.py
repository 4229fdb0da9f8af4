"""Development only: the emails and SMS the local moto server captured, ready to read.

moto exposes the state of its backends at GET /moto-api/data.json: SES keeps sent
Raw and Simple messages (SES v2 send_email goes through it), SNS keeps published SMS.
"""
import email
import json
import os
import re
import urllib.request
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
from typing import Any

from pydantic import BaseModel

from chalicelib.domain.errors import NotFound
from chalicelib.store import email_events

_URL = re.compile(r"https?://[^\s<>\"'`]+")
# moto keeps one part of a Simple message, the HTML one when both are given.
_HTML_MARKUP = re.compile(r"<(html|body|p|div|a|br|table|span|h[1-6])\b", re.IGNORECASE)


class CapturedEmail(BaseModel):
    id: str
    sender: str
    recipients: list[str]
    subject: str
    text: str | None
    html: str | None
    links: list[str]
    attachments: list[str]
    fate: str | None = None
    fate_at: str | None = None
    fate_detail: str | None = None


class CapturedSms(BaseModel):
    id: str
    phone_number: str
    text: str
    links: list[str]


class Outbox(BaseModel):
    """Newest first. moto stores Raw and Simple emails apart and without a time, so Raw ones come first."""
    emails: list[CapturedEmail]
    sms: list[CapturedSms]


def read() -> Outbox:
    state = _moto_state()
    ses, sns = state.get("ses", {}), state.get("sns", {})
    emails = [_raw_email(m) for m in reversed(ses.get("RawMessage", []))] \
        + [_simple_email(m) for m in reversed(ses.get("Message", []))]
    return Outbox(emails=_with_fates(emails), sms=[_sms(m) for m in reversed(sns.get("SMS", []))])


def _with_fates(emails: list[CapturedEmail]) -> list[CapturedEmail]:
    """Each email with what SES (locally, its mailbox simulator) said became of it, if anything yet."""
    known = email_events.fates([m.id for m in emails])
    return [m.model_copy(update={
        "fate": known[m.id].get("fate"), "fate_at": known[m.id].get("fate_at"),
        "fate_detail": " ".join(str(known[m.id][k]) for k in ("fate_type", "fate_diagnostic") if known[m.id].get(k))
        or None,
    }) if m.id in known else m for m in emails]


def _moto_state() -> dict[str, Any]:
    base = os.environ.get("AWS_ENDPOINT_URL_SESV2", "")
    if not base.startswith(("http://", "https://")):
        raise NotFound("Pas de boîte d'envoi locale : AWS_ENDPOINT_URL_SESV2 ne désigne pas un serveur moto.")
    with urllib.request.urlopen(f"{base.rstrip('/')}/moto-api/data.json", timeout=10) as answer:
        state: dict[str, Any] = json.load(answer)
    return state


def _raw_email(message: dict[str, Any]) -> CapturedEmail:
    mime: EmailMessage = email.message_from_string(message["raw_data"], policy=policy.default)
    text, html = _body(mime, "plain"), _body(mime, "html")
    return CapturedEmail(
        id=message["id"],
        sender=message.get("source") or str(mime.get("From", "")),
        recipients=_unique(message.get("destinations", [])),
        subject=str(mime.get("Subject", "")),
        text=text,
        html=html,
        links=links_in(text, html),
        attachments=[part.get_filename() or "(sans nom)" for part in mime.iter_attachments()],
    )


def _body(mime: EmailMessage, subtype: str) -> str | None:
    part = mime.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None else None


def _simple_email(message: dict[str, Any]) -> CapturedEmail:
    body = message.get("body", "")
    html = body if _HTML_MARKUP.search(body) else None
    text = None if html else body
    destinations = message.get("destinations", {})
    return CapturedEmail(
        id=message["id"],
        sender=message.get("source", ""),
        recipients=_unique(
            destinations.get("ToAddresses", []) + destinations.get("CcAddresses", [])
            + destinations.get("BccAddresses", [])
        ),
        subject=message.get("subject", ""),
        text=text,
        html=html,
        links=links_in(text, html),
        attachments=[],
    )


def _sms(message: dict[str, Any]) -> CapturedSms:
    return CapturedSms(
        id=message["message_id"],
        phone_number=message["phone_number"],
        text=message["message"],
        links=links_in(message["message"], None),
    )


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.found.extend(value for name, value in attrs if name == "href" and value)


def links_in(text: str | None, html: str | None) -> list[str]:
    """The http(s) links a person could follow: hrefs of the HTML, URLs written in the text."""
    found = _URL.findall(text or "")
    if html:
        hrefs = _Hrefs()
        hrefs.feed(html)
        found += [href for href in hrefs.found if href.startswith(("http://", "https://"))]
    return _unique(found)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
