"""The stock through the dealer API, on the local services: create, read, list with filters and pages,
edit; another dealer's vehicles are 404; bad input is a 400 naming the field and changes nothing."""
import pytest

from chalicelib.domain.dealers import NewBranch, NewUser, Role, Staff
from chalicelib.services import dealers, vehicles
from chalicelib.store import keys
from chalicelib.store.table import table
from tests.support import Api, body, tenant

CLIO = {"vin": "VF1RFB00X56789012", "make": "Renault", "model": "Clio", "version": "TCe 90 Evolution",
        "registration": "ab 123 cd", "first_registration": "2021-03-15", "mileage_km": 42000, "kind": "used",
        "price_cents": 1499000, "vat_regime": "margin"}


@pytest.fixture
def branches(garage) -> list[str]:
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=Role.ADMIN)
    dealers.add_branch(garage.dealer.id, NewBranch(name="Lyon"), by=admin)
    dealer = dealers.add_branch(garage.dealer.id, NewBranch(name="Villeurbanne"), by=admin)
    return [b.id for b in dealer.branches]


def stock_items(dealer_id: str) -> list[dict]:
    return table.query_all(keys.vehicle(dealer_id, "")[keys.PK], keys.VEHICLE_PREFIX)


def test_a_seller_adds_a_vehicle_and_reads_it_back(seller, branches):
    created = seller.post("/vehicles", {**CLIO, "branch_id": branches[0]})
    assert created.status_code == 201
    car = body(created)
    assert (car["registration"], car["status"], car["vat_regime"]) == ("AB-123-CD", "available", "margin")
    assert body(seller.get(f"/vehicles/{car['id']}")) == car


def test_the_list_filters_and_pages(seller, branches):
    ids = []
    for n, (model, branch) in enumerate([("Clio", 0), ("Zoe", 1), ("Clio", 0), ("Captur", 0)]):
        made = seller.post("/vehicles", {**CLIO, "vin": f"VF1RFB00X5678900{n}", "model": model,
                                         "registration": None, "branch_id": branches[branch]})
        assert made.status_code == 201, body(made)
        ids.append(body(made)["id"])
    first = body(seller.get("/vehicles?limit=3"))
    second = body(seller.get(f"/vehicles?limit=3&cursor={first['next_cursor']}"))
    assert [v["id"] for v in first["items"] + second["items"]] == list(reversed(ids))
    assert second["next_cursor"] is None
    in_lyon = body(seller.get(f"/vehicles?branch_id={branches[0]}&status=available&q=clio"))
    assert [v["id"] for v in in_lyon["items"]] == [ids[2], ids[0]]
    assert body(seller.get("/vehicles?status=sold"))["items"] == []


def test_an_edit_changes_only_what_it_names(seller, branches):
    car = body(seller.post("/vehicles", {**CLIO, "branch_id": branches[0]}))
    changed = seller.send("PATCH", f"/vehicles/{car['id']}", {"price_cents": 1399000, "branch_id": branches[1]})
    assert changed.status_code == 200
    assert (body(changed)["price_cents"], body(changed)["make"]) == (1399000, "Renault")
    assert [v["id"] for v in body(seller.get(f"/vehicles?branch_id={branches[1]}"))["items"]] == [car["id"]]
    assert body(seller.get(f"/vehicles?branch_id={branches[0]}"))["items"] == []


def test_another_dealer_s_vehicles_are_404(client, seller, garage, branches):
    car = body(seller.post("/vehicles", {**CLIO, "branch_id": branches[0]}))
    other = tenant("Autre Garage")
    intruder = Api(client, other.token(other.admin))
    assert intruder.get(f"/vehicles/{car['id']}").status_code == 404
    assert intruder.send("PATCH", f"/vehicles/{car['id']}", {"price_cents": 1}).status_code == 404
    assert body(intruder.get("/vehicles"))["items"] == []
    assert vehicles.get(garage.dealer.id, car["id"]).price_cents == CLIO["price_cents"]


def test_a_vin_already_in_stock_is_a_409_naming_the_field(seller, branches, garage):
    seller.post("/vehicles", {**CLIO, "branch_id": branches[0]})
    again = seller.post("/vehicles", {**CLIO, "branch_id": branches[1]})
    assert again.status_code == 409
    assert body(again)["error"]["code"] == "vin_already_in_stock" and "vin" in body(again)["error"]["fields"]
    assert len(stock_items(garage.dealer.id)) == 1


@pytest.mark.parametrize("change, field", [
    ({"vin": "1M8GDM9A1KP042788"}, "vin"),
    ({"vin": "VF1RFB00I56789012"}, "vin"),
    ({"registration": "AI-123-CD"}, "registration"),
    ({"kind": "new", "first_registration": None}, "body"),
    ({"mileage_km": "12"}, "mileage_km"),
    ({"price_cents": 0}, "price_cents"),
    ({"colour": "blue"}, "colour"),
    ({"branch_id": "NOPE"}, "branch_id"),
    ({"first_registration": "2999-01-01"}, "first_registration"),
])
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(seller, branches, garage, change, field):
    made = seller.post("/vehicles", {**CLIO, "branch_id": branches[0], **change})
    assert made.status_code == 400
    assert field in body(made)["error"]["fields"]
    assert stock_items(garage.dealer.id) == []
    car = body(seller.post("/vehicles", {**CLIO, "branch_id": branches[0]}))
    before = stock_items(garage.dealer.id)
    edited = seller.send("PATCH", f"/vehicles/{car['id']}", change)
    assert edited.status_code == 400, body(edited)
    assert stock_items(garage.dealer.id) == before


def test_back_office_reads_the_stock_but_cannot_change_it(client, seller, garage, branches):
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=Role.ADMIN)
    clerk = dealers.create_user(garage.dealer.id, NewUser(email="bo@example.com", name="Béa", role=Role.BACK_OFFICE),
                                by=admin)
    back_office = Api(client, garage.token(clerk))
    car = body(seller.post("/vehicles", {**CLIO, "branch_id": branches[0]}))
    assert back_office.get(f"/vehicles/{car['id']}").status_code == 200
    assert back_office.post("/vehicles", {**CLIO, "vin": "VF1RFB00X56789013", "branch_id": branches[0]}
                            ).status_code == 403
    assert back_office.send("PATCH", f"/vehicles/{car['id']}", {"price_cents": 1}).status_code == 403
