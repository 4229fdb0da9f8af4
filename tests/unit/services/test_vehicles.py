"""The stock's use cases on the in-memory table: create, edit, list; a repricing tells the sellers; one car,
one buyer at acceptance; a hold released after the dealer's period, its seller told first."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.dealers import DealerSettingsChange, NewBranch, Role, Staff
from chalicelib.domain.errors import Forbidden, InvalidInput, InvalidTransition, NotFound, StaleVersion
from chalicelib.domain.vehicles import (
    HOLD_WARNING, NewVehicle, OpenProposal, VehicleChange, VehicleListQuery, VehicleNoLongerAvailable,
    VehicleProposalsChanged, VehicleStatus, VinAlreadyInStock,
)
from chalicelib.services import dealers, due_work, vehicles
from chalicelib.store import keys
from chalicelib.store import vehicles as store
from chalicelib.store.table import Put, if_absent
from chalicelib.store.unit_of_work import UnitOfWork
from tests.support import Tenant, at, tenant

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=timezone.utc)
CLIO = {"vin": "VF1RFB00X56789012", "make": "Renault", "model": "Clio", "version": "TCe 90",
        "registration": "AB-123-CD", "first_registration": "2021-03-15", "mileage_km": 42_000, "kind": "used",
        "price_cents": 1_499_000, "vat_regime": "margin"}


class Garage:
    def __init__(self, tenant: Tenant):
        self.tenant = tenant
        admin = Staff(dealer_id=tenant.dealer.id, user_id=tenant.admin.id, role=Role.ADMIN)
        dealers.add_branch(tenant.dealer.id, NewBranch(name="Lyon"), by=admin)
        dealer = dealers.add_branch(tenant.dealer.id, NewBranch(name="Villeurbanne"), by=admin)
        self.dealer = dealer
        self.lyon, self.villeurbanne = (b.id for b in dealer.branches)
        self.seller = Staff(dealer_id=dealer.id, user_id=tenant.seller.id, role=Role.SELLER)

    def car(self, **changes):
        return vehicles.create(self.seller, NewVehicle.model_validate({**CLIO, "branch_id": self.lyon, **changes}))

    def proposal(self, number: int, seller_id: str | None = None) -> OpenProposal:
        return OpenProposal(proposal_id=f"P{number}", seller_id=seller_id or self.tenant.seller.id,
                            seller_email=self.tenant.seller.email, reference=f"PR-2026-{number:04d}")


@pytest.fixture
def garage(memory) -> Garage:
    at(NOW)
    return Garage(tenant())


def outbox(memory, purpose: str) -> list[dict]:
    return [i for i in memory.items.values() if i[keys.SK].startswith(keys.OUTBOX_PREFIX) and i["purpose"] == purpose]


def vins(page) -> list[str]:
    return [v.vin for v in page.items]


# --- create, get, edit ---------------------------------------------------------------------

def test_a_vehicle_is_created_available_and_read_back(garage):
    car = garage.car()
    assert car.status == VehicleStatus.AVAILABLE
    assert vehicles.get(garage.dealer.id, car.id) == car


def test_a_vin_is_unique_in_a_dealer_s_stock_and_a_refusal_writes_nothing(garage, memory):
    garage.car()
    before = dict(memory.items)
    with pytest.raises(VinAlreadyInStock):
        garage.car(registration="EF-456-GH")
    assert memory.items == before


def test_another_dealer_may_stock_the_same_vin_and_never_sees_ours(garage):
    ours = garage.car()
    theirs = Garage(tenant("Autre garage")).car()
    assert theirs.vin == ours.vin
    with pytest.raises(NotFound):
        vehicles.get(theirs.dealer_id, ours.id)
    with pytest.raises(NotFound):
        vehicles.change(Staff(dealer_id=theirs.dealer_id, user_id="U", role=Role.SELLER), ours.id,
                        VehicleChange(price_cents=1))


def test_an_unknown_branch_is_refused(garage, memory):
    with pytest.raises(InvalidInput):
        garage.car(branch_id="NOPE")


def test_back_office_cannot_add_to_the_stock(garage):
    back_office = Staff(dealer_id=garage.dealer.id, user_id="U", role=Role.BACK_OFFICE)
    with pytest.raises(Forbidden):
        vehicles.create(back_office, NewVehicle.model_validate({**CLIO, "branch_id": garage.lyon}))


def test_a_corrected_vin_frees_the_old_one(garage):
    car = garage.car()
    vehicles.change(garage.seller, car.id, VehicleChange(vin="VF1RFB00X56789013"))
    garage.car()  # the old VIN is free again
    with pytest.raises(VinAlreadyInStock):
        garage.car(vin="VF1RFB00X56789013")


def test_an_edit_from_a_stale_read_is_refused(garage, memory):
    car = garage.car()
    vehicles.change(garage.seller, car.id, VehicleChange(mileage_km=43_000))
    with pytest.raises(StaleVersion):
        UnitOfWork(store.changed(car, car.changed(VehicleChange(mileage_km=44_000), NOW))).commit()
    assert vehicles.get(garage.dealer.id, car.id).mileage_km == 43_000


# --- list -------------------------------------------------------------------------------------

def test_the_list_filters_by_status_branch_and_text(garage):
    clio = garage.car()
    at(NOW + timedelta(minutes=1))
    zoe = garage.car(vin="VF1AG000X12345678", model="Zoe", registration="FG-456-HJ", branch_id=garage.villeurbanne)
    at(NOW + timedelta(minutes=2))
    new = garage.car(vin="VF1RJA00X11111111", model="Captur", kind="new", vat_regime="normal", registration=None,
                     first_registration=None, mileage_km=10)
    unit = UnitOfWork()
    vehicles.reserve_for_acceptance(unit, garage.dealer, zoe.id, garage.proposal(1), NOW)
    unit.commit()
    everything = vehicles.list_vehicles(garage.dealer.id, VehicleListQuery())
    assert vins(everything) == [new.vin, clio.vin, zoe.vin]  # available newest first, then reserved
    assert vins(vehicles.list_vehicles(garage.dealer.id, VehicleListQuery(status="reserved"))) == [zoe.vin]
    assert vins(vehicles.list_vehicles(garage.dealer.id, VehicleListQuery(branch_id=garage.lyon))) == [new.vin,
                                                                                                        clio.vin]
    assert vins(vehicles.list_vehicles(garage.dealer.id, VehicleListQuery(
        branch_id=garage.villeurbanne, status="available"))) == []
    assert vins(vehicles.list_vehicles(garage.dealer.id, VehicleListQuery(q="fg456"))) == [zoe.vin]
    assert vins(vehicles.list_vehicles(garage.dealer.id, VehicleListQuery(q="CLIO"))) == [clio.vin]


@pytest.mark.parametrize("text_slice", [2, store.TEXT_SLICE])
def test_pages_follow_each_other_in_at_most_two_queries_each(garage, memory, monkeypatch, text_slice):
    monkeypatch.setattr(store, "TEXT_SLICE", text_slice)  # 2: a text page needs its second Query
    made = []
    for n in range(7):
        at(NOW + timedelta(minutes=n))
        made.append(garage.car(vin=f"VF1RFB00X5678900{n}", model="Zoe" if n % 3 == 0 else "Clio").vin)
    for query in ({}, {"q": "zoe"}):
        seen, cursor = [], None
        while True:
            before = memory.calls["Query"]
            page = vehicles.list_vehicles(garage.dealer.id, VehicleListQuery(limit=2, cursor=cursor, **query))
            assert memory.calls["Query"] - before <= 2
            seen += vins(page)
            cursor = page.next_cursor
            if cursor is None:
                break
        wanted = [v for n, v in enumerate(made) if not query or n % 3 == 0]
        assert seen == list(reversed(wanted))


def test_a_cursor_of_another_list_is_refused(garage):
    for n in range(3):
        garage.car(vin=f"VF1RFB00X5678900{n}")
    cursor = vehicles.list_vehicles(garage.dealer.id, VehicleListQuery(limit=1)).next_cursor
    with pytest.raises(InvalidInput):
        vehicles.list_vehicles(garage.dealer.id, VehicleListQuery(status="sold", cursor=cursor))
    with pytest.raises(InvalidInput):
        vehicles.list_vehicles(garage.dealer.id, VehicleListQuery(branch_id=garage.lyon, cursor=cursor))
    with pytest.raises(InvalidInput):
        vehicles.list_vehicles(Garage(tenant("Autre")).dealer.id, VehicleListQuery(cursor=cursor))


# --- repricing -------------------------------------------------------------------------------

def test_a_new_price_flags_the_open_proposals_and_tells_each_seller_once(garage, memory):
    car = garage.car()
    other_seller = "S2"
    for proposal in (garage.proposal(1), garage.proposal(2), garage.proposal(3, seller_id=other_seller)):
        unit = UnitOfWork()
        vehicles.list_proposal(unit, garage.dealer.id, car.id, proposal)
        unit.commit()
    at(NOW + timedelta(hours=2))
    vehicles.change(garage.seller, car.id, VehicleChange(price_cents=1_399_000))
    notices = outbox(memory, "vehicle_repriced")
    assert sorted(n["to"] for n in notices) == sorted([garage.tenant.seller.id, other_seller])
    mine = next(n for n in notices if n["to"] == garage.tenant.seller.id)
    assert "PR-2026-0001, PR-2026-0002" in mine["text"] and "14\u00a0990,00\u00a0€" in mine["text"]
    assert mine["channel"] == "seller" and mine["notice"]["email_anyway"] == garage.tenant.seller.email
    index = store.open_proposals(garage.dealer.id, car.id)
    assert {p.repriced_at for p in index.proposals.values()} == {NOW + timedelta(hours=2)}


def test_an_edit_that_keeps_the_price_tells_nobody(garage, memory):
    car = garage.car()
    unit = UnitOfWork()
    vehicles.list_proposal(unit, garage.dealer.id, car.id, garage.proposal(1))
    unit.commit()
    vehicles.change(garage.seller, car.id, VehicleChange(mileage_km=42_100, price_cents=car.price_cents))
    assert outbox(memory, "vehicle_repriced") == []


# --- acceptance: one car, one buyer ------------------------------------------------------------

def accepted(garage: Garage, car_id: str, number: int):
    """An acceptance's unit of work: the proposal's own write (a marker here) and the vehicle's part."""
    unit = UnitOfWork(Put({keys.PK: f"DEALER#{garage.dealer.id}", keys.SK: f"ACCEPTED#P{number}"}, {}, if_absent()))
    reservation = vehicles.reserve_for_acceptance(unit, garage.dealer, car_id, garage.proposal(number), NOW)
    return unit, reservation


def test_two_acceptances_of_one_car_exactly_one_wins_and_the_other_writes_nothing(garage, memory):
    car = garage.car()
    for n in (1, 2):
        unit = UnitOfWork()
        vehicles.list_proposal(unit, garage.dealer.id, car.id, garage.proposal(n))
        unit.commit()
    first, first_reservation = accepted(garage, car.id, 1)
    second, _ = accepted(garage, car.id, 2)  # both read the car available
    first.commit()
    before = dict(memory.items)
    with pytest.raises(VehicleNoLongerAvailable) as refused:
        second.commit()
    assert refused.value.fields == {"vehicle_id": car.id}
    assert memory.items == before
    stored = vehicles.get(garage.dealer.id, car.id)
    assert stored.status == VehicleStatus.RESERVED and stored.reservation.proposal_id == "P1"
    assert [p.proposal_id for p in first_reservation.others] == ["P2"]
    [gone] = outbox(memory, "vehicle_gone")
    assert "PR-2026-0002" in gone["text"]
    assert store.open_proposals(garage.dealer.id, car.id).proposals == {}


def test_a_proposal_listed_during_an_acceptance_makes_it_read_again(garage, memory):
    car = garage.car()
    unit, _ = accepted(garage, car.id, 1)
    listing = UnitOfWork()
    vehicles.list_proposal(listing, garage.dealer.id, car.id, garage.proposal(2))
    listing.commit()
    with pytest.raises(VehicleProposalsChanged):
        unit.commit()
    retried, reservation = accepted(garage, car.id, 1)
    retried.commit()
    assert [p.proposal_id for p in reservation.others] == ["P2"]


def test_no_proposal_is_listed_on_a_reserved_car(garage):
    car = garage.car()
    accepted(garage, car.id, 1)[0].commit()
    unit = UnitOfWork()
    with pytest.raises(VehicleNoLongerAvailable):
        vehicles.list_proposal(unit, garage.dealer.id, car.id, garage.proposal(2))
        unit.commit()


# --- the hold ------------------------------------------------------------------------------------

def test_a_hold_warns_the_seller_a_day_ahead_then_releases_the_car(garage, memory):
    car = garage.car()
    accepted(garage, car.id, 1)[0].commit()
    end = NOW + timedelta(days=7)
    at(end - HOLD_WARNING - timedelta(minutes=1))
    assert due_work.sweep_milestones() == 0
    at(end - HOLD_WARNING)
    assert due_work.sweep_milestones() == 1
    [warning] = outbox(memory, "vehicle_hold_ending")
    assert warning["to"] == garage.tenant.seller.id and "sera levée" in warning["text"]
    assert vehicles.get(garage.dealer.id, car.id).status == VehicleStatus.RESERVED
    assert due_work.sweep_milestones() == 0
    at(end)
    assert due_work.sweep_milestones() == 1
    released = vehicles.get(garage.dealer.id, car.id)
    assert released.status == VehicleStatus.AVAILABLE and released.reservation is None
    assert len(outbox(memory, "vehicle_hold_released")) == 1
    at(end + timedelta(days=30))
    assert due_work.sweep_milestones() == 0
    assert vins(vehicles.list_vehicles(garage.dealer.id, VehicleListQuery(status="available"))) == [car.vin]


def test_the_dealer_s_hold_period_applies(garage):
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.tenant.admin.id, role=Role.ADMIN)
    garage.dealer = dealers.change_settings(garage.dealer.id, DealerSettingsChange(vehicle_hold_days=3), by=admin)
    car = garage.car()
    _, reservation = accepted(garage, car.id, 1)
    assert reservation.vehicle.reservation.hold_until == NOW + timedelta(days=3)


def test_an_order_going_forward_leaves_the_due_index_and_ends_sold(garage, memory):
    car = garage.car()
    accepted(garage, car.id, 1)[0].commit()
    unit = UnitOfWork()
    vehicles.hold_for_order(unit, garage.dealer.id, car.id, "O1", "P1", NOW)
    unit.commit()
    at(NOW + timedelta(days=60))
    assert due_work.sweep_milestones() == 0
    assert vehicles.get(garage.dealer.id, car.id).status == VehicleStatus.RESERVED
    unit = UnitOfWork()
    vehicles.sell(unit, garage.dealer.id, car.id, NOW + timedelta(days=60))
    unit.commit()
    sold = vehicles.get(garage.dealer.id, car.id)
    assert sold.status == VehicleStatus.SOLD and sold.reservation.order_id == "O1"
    assert vins(vehicles.list_vehicles(garage.dealer.id, VehicleListQuery(status="sold"))) == [car.vin]


def test_a_cancelled_order_puts_the_car_back_on_sale(garage):
    car = garage.car()
    accepted(garage, car.id, 1)[0].commit()
    unit = UnitOfWork()
    vehicles.release(unit, garage.dealer.id, car.id, NOW)
    unit.commit()
    assert vehicles.get(garage.dealer.id, car.id).status == VehicleStatus.AVAILABLE
    with pytest.raises(InvalidTransition):
        vehicles.sell(UnitOfWork(), garage.dealer.id, car.id, NOW)


def test_a_showroom_order_reserves_the_car_and_stops_its_open_proposals(garage, memory):
    car = garage.car()
    unit = UnitOfWork()
    vehicles.list_proposal(unit, garage.dealer.id, car.id, garage.proposal(1))
    unit.commit()
    unit = UnitOfWork()
    reservation = vehicles.reserve_for_order(unit, garage.dealer.id, car.id, "O1", garage.tenant.seller.id, None, NOW)
    unit.commit()
    assert [p.proposal_id for p in reservation.others] == ["P1"]
    stored = vehicles.get(garage.dealer.id, car.id)
    assert stored.status == VehicleStatus.RESERVED and stored.reservation.order_id == "O1"
    assert stored.hold_warning_at() is None and "due_pk" not in memory.items[tuple(keys.vehicle(
        garage.dealer.id, car.id).values())]
    assert len(outbox(memory, "vehicle_gone")) == 1
    with pytest.raises(VehicleNoLongerAvailable):
        accepted(garage, car.id, 1)[0].commit()
