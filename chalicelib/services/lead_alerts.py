"""The lead-deadline-alerts schedule: the owner hears once that a contact deadline has passed.

Reads kind `lead_deadline`: the lead item itself, in the index while it is open with a
pending deadline (store/leads.py writes it; moving the deadline puts it back, with any
claim dropped). The alert (email and/or SMS per the owner's preferences), its timeline
event and the lead leaving the due index are one transaction, on condition that this
sweep still holds the claim: once per deadline, again after the deadline is moved.

"Overdue" keeps its one definition: an open lead whose pending deadline is in the past
(`Lead.is_overdue`, the `gsi2` listing). The alert does not flag anything else; the lead
stays in gsi2, so the list shows it overdue until contact is made or the deadline moves.
"""
from chalicelib.domain import clock
from chalicelib.domain.ids import new_id
from chalicelib.domain.leads.model import EventKind, Lead, LeadStatus, LinkedItem, event
from chalicelib.services import due_work, staff_alerts
from chalicelib.store import due
from chalicelib.store import leads as store
from chalicelib.store import outbox as outbox_store
from chalicelib.store.unit_of_work import commit

SYSTEM = "system"


def alert_due() -> int:
    """Returns how many leads this run claimed."""
    return due_work.sweep(store.DUE_KIND, _alert)


def _alert(claimed: due.Claimed) -> None:
    now = clock.now()
    lead = Lead.model_validate(claimed.item)
    if lead.status != LeadStatus.OPEN or lead.deadline is None:
        commit(due.finished(claimed))
        return
    if now < lead.deadline.due_at:
        commit(due.postponed(claimed, store.DUE_KIND, lead.deadline.due_at))
        return
    alert = staff_alerts.lead_deadline_passed(lead, now)
    alerted = event(new_id(), EventKind.DEADLINE_ALERTED, now, SYSTEM, LinkedItem(kind="deadline", id=lead.deadline.id),
                    when=lead.deadline.due_at, told=alert.told)
    commit(due.finished(claimed), store.added(lead.dealer_id, lead.id, alerted),
           [outbox_store.new(m) for m in alert.messages])
