"""Scheduled functions. Each has an explicit name, unique in the app (Chalice adds app and stage).

Each reads only the due items of its own kind (services/due_work.sweep) and claims every one
before acting, so the same EventBridge event delivered twice, or two runs at once, act once
per item. What each job does, and how to plug a new one in: docs/schedules.md.

Each job imports its service on its first call: app.py imports this module, and `import app` (every
cold start of the API) stays cheap (docs/performance.md, "Cold start").
"""
from chalice import Blueprint, Rate

jobs = Blueprint(__name__)


@jobs.schedule(Rate(1, unit=Rate.MINUTES), name="retry-outbox")
def retry_outbox(event):
    from chalicelib.services import outbox

    return {"attempted": outbox.retry_due()}


@jobs.schedule(Rate(1, unit=Rate.MINUTES), name="order-milestones")
def order_milestones(event):
    import chalicelib.services.order_milestones  # noqa: F401  (registers the order milestones' handlers)
    import chalicelib.services.order_reminders  # noqa: F401  (registers the customer's order reminders)
    from chalicelib.services import due_work

    return {"handled": due_work.sweep_milestones()}


@jobs.schedule(Rate(5, unit=Rate.MINUTES), name="expire-proposals")
def expire_proposals(event):
    from chalicelib.services import proposal_expiry

    return {"handled": proposal_expiry.expire_due()}


@jobs.schedule(Rate(15, unit=Rate.MINUTES), name="sweep-links")
def sweep_links(event):
    from chalicelib.services import proposal_expiry

    return {"handled": proposal_expiry.sweep_links()}


@jobs.schedule(Rate(1, unit=Rate.MINUTES), name="lead-deadline-alerts")
def lead_deadline_alerts(event):
    from chalicelib.services import lead_alerts

    return {"handled": lead_alerts.alert_due()}


@jobs.schedule(Rate(5, unit=Rate.MINUTES), name="proposal-reminders")
def proposal_reminders_job(event):
    from chalicelib.services import proposal_reminders

    return {"handled": proposal_reminders.send_due()}
