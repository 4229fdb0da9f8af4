"""SES's events about the emails we sent (delivered, bounced, complained, rejected, delayed), from EventBridge.

Every send names the configuration set whose event destination publishes these events to the
account's default event bus (infra/resources.yaml); this function's rule matches them. A bad
event is logged and raised: EventBridge retries the asynchronous invocation, and a replay is
harmless (services/email_events.py writes nothing twice).
"""
from chalice import Blueprint

email_fates = Blueprint(__name__)

NAME = "email-events"
# The EventBridge detail-types of the events that are fates (domain/email_events._OF_SES): the rule's pattern.
SES_DETAIL_TYPES = ["Email Delivered", "Email Bounced", "Email Complaint Received", "Email Rejected",
                    "Email Delivery Delayed"]
EVENT_PATTERN = {"source": ["aws.ses"], "detail-type": SES_DETAIL_TYPES}


@email_fates.on_cw_event(EVENT_PATTERN, name=NAME)
def record_email_event(event):
    # Imported by the first event: app.py imports this module, and `import app` stays cheap.
    from chalicelib.services import email_events

    return {"outcome": email_events.record(event.detail)}
