"""The lead-deadline-alerts schedule on the in-memory table: the owner hears once per deadline, again
only after it is moved; a lead closed meanwhile is never alerted; a deadline not due is put back."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain import clock
from chalicelib.domain.leads.model import Lead, LeadStatus, PendingDeadline
from chalicelib.services import lead_alerts
from chalicelib.store import due, keys
from chalicelib.store import leads as store
from chalicelib.store.table import Update
from chalicelib.store.unit_of_work import commit
from tests.support import Tenant, at, tenant

NOW = datetime(2026, 11, 24, 9, 15, tzinfo=timezone.utc)
DEADLINE = NOW + timedelta(hours=4)


@pytest.fixture
def garage(memory) -> Tenant:
    at(NOW)
    return tenant()


def lead_of(garage: Tenant, number: int = 1) -> Lead:
    lead = Lead.model_validate({
        "id": f"L{number}", "dealer_id": garage.dealer.id, "code": f"L2026-{number:05d}",
        "contacts": [{"id": "C1", "name": "Hélène Martin", "email": "helene@example.com", "mobile": "+33612345678"}],
        "owner": {"id": garage.seller.id, "name": garage.seller.name}, "type": "used_vehicle_sale",
        "source": "Site web", "deadline": {"id": "DL1", "due_at": DEADLINE}, "created_at": NOW,
        "created_by": garage.seller.id, "last_activity_at": NOW,
    })
    commit(store.created(lead))
    return lead


def alerts(memory, lead: Lead) -> list[dict]:
    """The lead's `deadline_alerted` timeline events."""
    prefix = keys.lead(lead.dealer_id, lead.id)[keys.SK] + "#"
    return [item for (_, sk), item in memory.items.items()
            if sk.startswith(prefix) and item.get("kind") == "deadline_alerted"]


def queued_to(memory, address: str) -> list[dict]:
    return [item for item in memory.items.values() if item[keys.SK].startswith("OUTBOX#") and item.get("to") == address]


def test_the_owner_is_told_once_when_the_deadline_passes(garage, memory):
    lead = lead_of(garage)
    at(DEADLINE - timedelta(minutes=1))
    assert lead_alerts.alert_due() == 0
    at(DEADLINE + timedelta(minutes=1))
    assert [lead_alerts.alert_due(), lead_alerts.alert_due()] == [1, 0]
    [email] = queued_to(memory, garage.seller.email)
    assert email["subject"] == "Échéance dépassée : Hélène Martin (lead L2026-00001)"
    [alert] = alerts(memory, lead)
    assert alert["by"] == "system"
    assert alert["summary"] == "Échéance dépassée : alerte envoyée à Victor Vendeur (e-mail)"
    stays = memory.items[tuple(keys.lead(lead.dealer_id, lead.id).values())]
    assert keys.DUE_PK not in stays and stays["status"] == LeadStatus.OPEN


def test_a_moved_deadline_is_alerted_again_at_its_new_time(garage, memory):
    lead = lead_of(garage)
    at(DEADLINE + timedelta(minutes=1))
    lead_alerts.alert_due()
    later = DEADLINE + timedelta(days=1)
    commit(store.edited(lead, lead.model_copy(update={"deadline": PendingDeadline(id="DL2", due_at=later),
                                                      "version": lead.version + 1})))
    at(later - timedelta(minutes=1))
    assert lead_alerts.alert_due() == 0
    at(later + timedelta(minutes=1))
    assert [lead_alerts.alert_due(), lead_alerts.alert_due()] == [1, 0]
    assert len(alerts(memory, lead)) == 2 and len(queued_to(memory, garage.seller.email)) == 2


def test_a_lead_closed_before_its_deadline_is_never_alerted(garage, memory):
    lead = lead_of(garage)
    commit(store.edited(lead, lead.model_copy(update={"status": LeadStatus.WON, "version": lead.version + 1})))
    at(DEADLINE + timedelta(days=1))
    assert lead_alerts.alert_due() == 0
    assert alerts(memory, lead) == [] and queued_to(memory, garage.seller.email) == []


def test_a_lead_claimed_after_it_closed_only_leaves_the_index(garage, memory):
    lead = lead_of(garage)
    key = keys.lead(lead.dealer_id, lead.id)
    commit(Update(key, set={"status": LeadStatus.LOST.value}))  # closed without leaving the index
    at(DEADLINE + timedelta(minutes=1))
    assert lead_alerts.alert_due() == 1
    assert alerts(memory, lead) == [] and keys.DUE_PK not in memory.items[(key[keys.PK], key[keys.SK])]


def test_a_lead_due_before_its_deadline_is_postponed_to_it(garage, memory):
    lead = lead_of(garage)
    key = keys.lead(lead.dealer_id, lead.id)
    commit(Update(key, set=keys.due_attributes(store.DUE_KIND, key, NOW + timedelta(hours=1))))
    at(NOW + timedelta(hours=2))
    assert lead_alerts.alert_due() == 1
    assert alerts(memory, lead) == []
    assert memory.items[(key[keys.PK], key[keys.SK])][keys.DUE_AT] == keys.iso(DEADLINE)
    at(DEADLINE + timedelta(minutes=1))
    assert lead_alerts.alert_due() == 1 and len(alerts(memory, lead)) == 1


def test_of_two_sweeps_at_once_only_one_tells_each_owner(garage, memory, monkeypatch):
    leads = [lead_of(garage, n) for n in range(1, 4)]
    at(DEADLINE + timedelta(minutes=1))
    read_by_the_other_sweep = list(due.due(store.DUE_KIND, clock.now()))
    assert lead_alerts.alert_due() == 3
    monkeypatch.setattr(due, "due", lambda kind, now: iter(read_by_the_other_sweep))
    assert lead_alerts.alert_due() == 0
    assert [len(alerts(memory, lead)) for lead in leads] == [1, 1, 1]
    assert len(queued_to(memory, garage.seller.email)) == 3


def test_the_alert_of_a_deactivated_owner_goes_to_the_admins(garage, memory):
    lead = lead_of(garage)
    key = keys.user(garage.dealer.id, garage.seller.id)
    commit(Update(key, set={"active": False}))
    at(DEADLINE + timedelta(minutes=1))
    assert lead_alerts.alert_due() == 1
    assert queued_to(memory, garage.seller.email) == [] and len(queued_to(memory, garage.admin.email)) == 1
    [alert] = alerts(memory, lead)
    assert "administrateurs" in alert["summary"]
