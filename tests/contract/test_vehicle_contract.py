"""The stock's writes on the in-memory table, DynamoDB Local and moto alike: one car, one buyer; the
open-proposals index read again when it changed; list pages with filters; a VIN once per dealer."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import StaleVersion
from chalicelib.domain.vehicles import (
    NewVehicle, OpenProposal, VehicleChange, VehicleListQuery, VehicleNoLongerAvailable, VehicleProposalsChanged,
    VehicleStatus, VinAlreadyInStock, new_vehicle,
)
from chalicelib.store import vehicles as store
from chalicelib.store.unit_of_work import UnitOfWork, commit

pytestmark = pytest.mark.usefixtures("any_dynamodb")
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=timezone.utc)
CLIO = {"vin": "VF1RFB00X56789012", "make": "Renault", "model": "Clio", "registration": "AB-123-CD",
        "first_registration": "2021-03-15", "mileage_km": 42_000, "kind": "used", "price_cents": 1_499_000,
        "vat_regime": "margin", "branch_id": "B1"}


def stocked(vehicle_id: str = "V1", dealer_id: str = "D1", at: datetime = NOW, **changes):
    car = new_vehicle(vehicle_id, dealer_id, NewVehicle.model_validate({**CLIO, **changes}), at)
    commit(store.created(car))
    return car


def offered(car, number: int) -> OpenProposal:
    proposal = OpenProposal(proposal_id=f"P{number}", seller_id="S1", reference=f"PR-{number}")
    index = store.open_proposals(car.dealer_id, car.id)
    commit(store.proposals_written(index, index.with_proposal(proposal)), store.still_available(car))
    return proposal


def acceptance(car, proposal: OpenProposal) -> UnitOfWork:
    index = store.open_proposals(car.dealer_id, car.id)
    reserved = car.reserved(proposal.proposal_id, proposal.seller_id, None, NOW, hold_days=7)
    return UnitOfWork(store.moved(car, reserved), store.proposals_written(index, index.settled()))


def test_of_two_acceptances_read_together_exactly_one_reserves_the_car():
    car = stocked()
    stale = acceptance(car, offered(car, 1))
    offered(car, 2)
    with pytest.raises(VehicleProposalsChanged):
        stale.commit()  # the second listing came after its read: read again
    first = acceptance(car, OpenProposal(proposal_id="P1", seller_id="S1"))
    second = acceptance(car, OpenProposal(proposal_id="P2", seller_id="S1"))
    first.commit()
    with pytest.raises(VehicleNoLongerAvailable):
        second.commit()
    stored = store.get("D1", car.id)
    assert stored.status == VehicleStatus.RESERVED and stored.reservation.proposal_id == "P1"
    assert stored.revision == 2
    assert store.open_proposals("D1", car.id).proposals == {}


def test_a_reserved_car_takes_no_new_proposal():
    car = stocked()
    acceptance(car, OpenProposal(proposal_id="P1", seller_id="S1")).commit()
    with pytest.raises(VehicleNoLongerAvailable):
        offered(car, 2)


def test_a_vin_is_held_once_per_dealer():
    stocked()
    with pytest.raises(VinAlreadyInStock):
        stocked("V2")
    stocked("V3", dealer_id="D2")


def test_an_edit_sets_what_changed_and_a_reservation_in_between_makes_it_stale():
    car = stocked()
    commit(store.changed(car, car.changed(VehicleChange(price_cents=1_399_000), NOW)))
    assert store.get("D1", car.id).price_cents == 1_399_000
    fresh = store.get("D1", car.id)
    acceptance(fresh, OpenProposal(proposal_id="P1", seller_id="S1")).commit()
    with pytest.raises(StaleVersion):
        commit(store.changed(fresh, fresh.changed(VehicleChange(price_cents=1_299_000), NOW)))
    assert store.get("D1", car.id).status == VehicleStatus.RESERVED


def test_list_pages_filter_by_status_branch_and_text():
    for n in range(5):
        stocked(f"V{n}", at=NOW + timedelta(minutes=n), vin=f"VF1RFB00X5678900{n}",
                model="Zoe" if n % 2 else "Clio", branch_id="B2" if n == 4 else "B1")
    acceptance(store.get("D1", "V3"), OpenProposal(proposal_id="P1", seller_id="S1")).commit()

    def ids(**query) -> list[str]:
        seen, cursor = [], None
        while True:
            page, cursor = store.page("D1", VehicleListQuery(limit=2, cursor=cursor, **query))
            seen += [v.id for v in page]
            if cursor is None:
                return seen

    assert ids() == ["V4", "V2", "V1", "V0", "V3"]
    assert ids(status="reserved") == ["V3"]
    assert ids(branch_id="B1", status="available") == ["V2", "V1", "V0"]
    assert ids(q="zoe") == ["V1", "V3"]
    assert ids(q="ab123cd", branch_id="B2") == ["V4"]
