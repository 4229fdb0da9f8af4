"""The task overview (GET /me/tasks): the caller's order milestones, lead deadlines, lead tasks and tasks on
quotes, proposals and orders.

Read with a bounded number of Queries, no Scan (docs/data-model.md, "Task overview"): one page of the
dealer's orders (open ones first, by next action), the page of the `ORDERS_READ` most urgent open
orders that may hold the caller's milestones, one page of the caller's open leads (overdue first),
each of those leads' page for its tasks, and one page of the caller's open tasks on records (gsi2).
"""
from chalicelib.domain import clock
from chalicelib.domain.dealers import Role, Staff
from chalicelib.domain.leads.commands import LeadQuery
from chalicelib.domain.leads.model import LeadStatus
from chalicelib.domain.task_overview import TaskOverview, by_due_time, lead_items, milestone_items, record_items
from chalicelib.store import leads as lead_store
from chalicelib.store import orders as order_store
from chalicelib.store import record_work as record_store

ORDERS_LISTED = 100  # one gsi1 page: open orders come first, the most urgent next action first
ORDERS_READ = 15     # order pages read for their milestones: at most 15 Queries
RECORD_TASKS_READ = 100  # the caller's open tasks on quotes, proposals and orders, earliest due first: 1 Query
LEADS_READ = 25      # the caller's open leads, overdue first: 1–2 Queries, then one per lead for its tasks


def overview(staff: Staff) -> TaskOverview:
    now = clock.now()
    listed, more_orders = order_store.page(staff.dealer_id, None, ORDERS_LISTED, None)
    candidates = [o for o in listed if o.is_open and (staff.role != Role.SELLER or o.seller_id == staff.user_id)]
    items = []
    for order in candidates[:ORDERS_READ]:
        agg = order_store.aggregate(staff.dealer_id, order.id)
        items += milestone_items(agg.order, agg.milestones, staff.user_id, staff.role, now)
    leads, more_leads = lead_store.page(staff.dealer_id, LeadQuery(
        status=LeadStatus.OPEN, owner_id=staff.user_id, overdue_first=True, limit=LEADS_READ), now)
    for lead in leads:
        items += lead_items(lead, lead_store.aggregate(staff.dealer_id, lead.id).tasks, staff.user_id, now)
    record_tasks, more_tasks = record_store.assigned(staff.dealer_id, staff.user_id, RECORD_TASKS_READ)
    items += record_items(record_tasks, now)
    listed_all = more_orders is None or len(listed) > len([o for o in listed if o.is_open])
    complete = listed_all and len(candidates) <= ORDERS_READ and more_leads is None and not more_tasks
    return TaskOverview(items=by_due_time(items), orders_read=min(len(candidates), ORDERS_READ), leads_read=len(leads),
                        record_tasks_read=len(record_tasks), complete=complete)
