"""Dealer API: the caller's task overview (seed 004)."""
from chalice import Blueprint

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint
from chalicelib.domain.task_overview import TaskOverview
from chalicelib.services import task_overview

tasks_api = Blueprint(__name__)


@endpoint(tasks_api, "/me/tasks", summary="The caller's order milestones, lead deadlines and lead tasks, "
          "overdue first, then by due time", response=TaskOverview, authorizer=seller_auth, tag="orders")
def my_tasks():
    return task_overview.overview(current_staff(tasks_api))
