"""SES's mailbox simulator, locally: an email sent to one of its addresses comes back as SES's events.

In AWS, a message sent to bounce@simulator.amazonses.com bounces, and SES publishes the event
through the configuration set to EventBridge, whose rule invokes the email-events function. The
moto SES of the dev stack publishes nothing, so local/stream.py hands us the records of each new
SES-id lookup item (written when a message is sent, store/email_events.py): for a simulator
address we build the events SES would publish and invoke the app's EventBridge function with them,
the way Lambda would. Other addresses get no event (moto delivers nothing), as in SES's sandbox
before the fate is known.
"""
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from chalice import Chalice
from chalice.app import CloudWatchEventConfig

from chalicelib.domain.email_events import normalised
from chalicelib.store import email_events, keys
from chalicelib.store.table import from_dynamo

SIMULATOR_DOMAIN = "simulator.amazonses.com"
BOUNCE = f"bounce@{SIMULATOR_DOMAIN}"
COMPLAINT = f"complaint@{SIMULATOR_DOMAIN}"
SUCCESS = f"success@{SIMULATOR_DOMAIN}"
OUT_OF_OFFICE = f"ooto@{SIMULATOR_DOMAIN}"
SUPPRESSION_LIST = f"suppressionlist@{SIMULATOR_DOMAIN}"
DETAIL_TYPE = {"Delivery": "Email Delivered", "Bounce": "Email Bounced", "Complaint": "Email Complaint Received",
               "Reject": "Email Rejected", "DeliveryDelay": "Email Delivery Delayed"}


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def detail(event_type: str, ses_message_id: str, to: str, at: datetime, **part: Any) -> dict[str, Any]:
    """The `detail` SES publishes for one event of one message (the fields we read, and a few more)."""
    mail = {"timestamp": _iso(at), "messageId": ses_message_id, "destination": [to],
            "source": "ne-pas-repondre@offerline.example", "sendingAccountId": "000000000000"}
    when = _iso(at + timedelta(seconds=2))
    parts = {
        "Delivery": lambda: {"delivery": {"timestamp": when, "recipients": [to], "processingTimeMillis": 1800,
                                          "smtpResponse": "250 2.6.0 Message received"}},
        "Bounce": lambda: {"bounce": {"timestamp": when, "bounceType": part.get("bounce_type", "Permanent"),
                                      "bounceSubType": part.get("sub_type", "General"),
                                      "bouncedRecipients": [{"emailAddress": to, "action": "failed",
                                                             "status": "5.1.1", "diagnosticCode": part.get(
                                                                 "diagnostic", "smtp; 550 5.1.1 user unknown")}],
                                      "feedbackId": str(uuid.uuid4())}},
        "Complaint": lambda: {"complaint": {"timestamp": when, "complainedRecipients": [{"emailAddress": to}],
                                            "complaintFeedbackType": "abuse", "feedbackId": str(uuid.uuid4())}},
        "Reject": lambda: {"reject": {"reason": "Bad content"}},
        "DeliveryDelay": lambda: {"deliveryDelay": {"timestamp": when, "delayType": "MailboxFull",
                                                    "expirationTime": _iso(at + timedelta(hours=14)),
                                                    "delayedRecipients": [{"emailAddress": to, "status": "4.2.2",
                                                                           "diagnosticCode": "smtp; 452 4.2.2 full"}]}},
    }
    return {"eventType": event_type, "mail": mail, **parts[event_type]()}


def eventbridge(detail_: dict[str, Any], at: datetime | None = None) -> dict[str, Any]:
    """The EventBridge event around an SES event's detail, as the rule's target receives it."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": DETAIL_TYPE[detail_["eventType"]],
            "source": "aws.ses", "account": "000000000000", "time": _iso(at or datetime.now(timezone.utc)),
            "region": "eu-west-3", "resources": ["arn:aws:ses:eu-west-3:000000000000:configuration-set/offerline"],
            "detail": detail_}


def simulated(ses_message_id: str, to: str, at: datetime) -> list[dict[str, Any]]:
    """What SES's simulator answers for a message to this address (none for another address). As in SES,
    a label after "+" keeps the simulator's answer (bounce+marie@simulator.amazonses.com bounces)."""
    local_part, _, domain = normalised(to).partition("@")
    address = f"{local_part.split('+')[0]}@{domain}"
    if address in (SUCCESS, OUT_OF_OFFICE):
        return [detail("Delivery", ses_message_id, to, at)]
    if address == BOUNCE:
        return [detail("Bounce", ses_message_id, to, at)]
    if address == SUPPRESSION_LIST:
        return [detail("Bounce", ses_message_id, to, at, sub_type="OnAccountSuppressionList",
                       diagnostic="Amazon SES did not send the message to this address because it is on the "
                                  "suppression list for your account.")]
    if address == COMPLAINT:
        return [detail("Delivery", ses_message_id, to, at), detail("Complaint", ses_message_id, to, at)]
    return []


def play(app: Chalice, records: list[dict[str, Any]], context: Callable[[str], Any]) -> int:
    """Invokes the app's SES-event functions with the simulator's events for the messages these stream
    records say were just sent (`context`: the Lambda context of a function by name); returns how many
    events were handed on."""
    functions = [s for s in app.event_sources if isinstance(s, CloudWatchEventConfig)
                 and "aws.ses" in s.event_pattern.get("source", [])]
    handed = 0
    for record in records:
        ses_message_id = keys.ses_message_id_of(from_dynamo(record["dynamodb"]["Keys"]))
        if record["eventName"] != "INSERT" or ses_message_id is None:
            continue
        sent = email_events.find(ses_message_id)
        if sent is None:
            continue
        for event in simulated(sent.ses_message_id, sent.to, sent.sent_at):
            for function in functions:
                app.handler_map[function.name](eventbridge(event), context(function.name))
                handed += 1
    return handed
