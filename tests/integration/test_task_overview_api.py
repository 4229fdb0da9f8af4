"""GET /me/tasks through HTTP (DynamoDB Local): each user's order milestones by role and assignee, their
leads' deadlines and tasks, overdue first; nothing of another seller's orders or another dealer's."""
from datetime import timedelta

import pytest

from chalicelib.domain.dealers import NewUser, Role, Staff
from chalicelib.services import dealers
from tests import offers
from tests.portal import NOW
from tests.support import Api, at, body, tenant


@pytest.fixture
def staff(client, garage):
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=Role.ADMIN)
    slug = garage.dealer.id.lower()
    office = dealers.create_user(garage.dealer.id, NewUser(email=f"adv-{slug}@example.com", name="Bérénice ADV",
                                                           role=Role.BACK_OFFICE), by=admin)
    other = dealers.create_user(garage.dealer.id, NewUser(email=f"autre-{slug}@example.com", name="Paul Autre",
                                                          role=Role.SELLER), by=admin)
    seller = Api(client, garage.token(garage.seller))
    return {"seller": seller, "office": seller.as_(garage.token(office)), "other": seller.as_(garage.token(other))}


def tasks(api: Api) -> dict:
    answer = api.get("/me/tasks")
    assert answer.status_code == 200, answer.body
    return body(answer)


def test_each_user_sees_their_milestones_deadlines_and_tasks_overdue_first(client, garage, staff):
    seller = staff["seller"]
    order = body(seller.post("/orders", {"quote_id": offers.offer(seller, "tasks").quote_id}))["order"]
    lead = seller.post("/leads", {"type": "purchase", "source": "Téléphone",
                                  "contacts": [{"name": "Hélène Tâche", "email": "tache@example.com"}]})
    assert lead.status_code == 201, lead.body
    lead_id = body(lead)["id"]
    task = seller.post(f"/leads/{lead_id}/tasks", {"title": "Rappeler pour l'essai",
                                                   "due_at": (NOW + timedelta(hours=2)).isoformat()})
    assert task.status_code == 201, task.body

    mine = tasks(seller)
    kinds = {(i["kind"], i["label"]) for i in mine["items"]}
    assert ("lead_deadline", "Échéance de contact") in kinds
    assert ("lead_task", "Rappeler pour l'essai") in kinds
    assert ("milestone", "Disponibilités du client et du véhicule") in kinds
    milestones = [i for i in mine["items"] if i["kind"] == "milestone"]
    assert {i["order_id"] for i in milestones} == {order["id"]}
    assert "Nettoyage demandé" not in {i["label"] for i in milestones}  # back office's
    assert [i["due_at"] for i in mine["items"]] == sorted(i["due_at"] for i in mine["items"])
    assert not any(i["overdue"] for i in mine["items"])
    assert (mine["orders_read"], mine["leads_read"], mine["complete"]) == (1, 1, True)

    office = tasks(staff["office"])
    assert {i["kind"] for i in office["items"]} == {"milestone"}
    assert "Nettoyage demandé" in {i["label"] for i in office["items"]}
    assert "Disponibilités du client et du véhicule" not in {i["label"] for i in office["items"]}
    assert tasks(staff["other"])["items"] == []  # another seller's order and lead are not theirs

    # Done, it leaves the overview; days later the rest is overdue, listed first.
    done = seller.post(f"/orders/{order['id']}/milestones/availability/done", {})
    assert done.status_code == 200, done.body
    at(NOW + timedelta(days=2))
    later = tasks(seller)["items"]
    assert "availability" not in {i["code"] for i in later}
    overdue = [i["overdue"] for i in later]
    assert overdue[0] and overdue == sorted(overdue, reverse=True)


def test_another_dealers_orders_and_leads_are_not_listed(client, garage, staff):
    seller = staff["seller"]
    assert seller.post("/orders", {"quote_id": offers.offer(seller, "mine").quote_id}).status_code == 201
    stranger = offers.with_legal(tenant("Garage du Port"))
    assert tasks(Api(client, stranger.token(stranger.seller)))["items"] == []
