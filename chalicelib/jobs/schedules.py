"""Scheduled functions. Each has an explicit name, unique in the app (Chalice adds app and stage)."""
from chalice import Blueprint, Rate

from chalicelib.services import due_work, outbox

jobs = Blueprint(__name__)


@jobs.schedule(Rate(1, unit=Rate.MINUTES), name="retry-outbox")
def retry_outbox(event):
    return {"attempted": outbox.retry_due()}


@jobs.schedule(Rate(1, unit=Rate.MINUTES), name="order-milestones")
def order_milestones(event):
    return {"handled": due_work.sweep_milestones()}
