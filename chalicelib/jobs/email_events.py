"""SES's events about the emails we sent (delivered, bounced, complained, rejected, delayed), from EventBridge.

Every send names the configuration set whose event destination publishes these events to the
account's default event bus (infra/resources.yaml); this function's rule matches them. A bad
event is logged and raised: EventBridge retries the asynchronous invocation, and a replay is
harmless (services/email_events.py writes nothing twice).
"""
from chalice import Blueprint

from chalicelib.domain.email_events import SES_DETAIL_TYPES
from chalicelib.services import email_events

email_fates = Blueprint(__name__)

NAME = "email-events"
EVENT_PATTERN = {"source": ["aws.ses"], "detail-type": SES_DETAIL_TYPES}


@email_fates.on_cw_event(EVENT_PATTERN, name=NAME)
def record_email_event(event):
    return {"outcome": email_events.record(event.detail)}
