"""The stock's rules: VIN, French plates, the margin scheme, the status transitions."""
from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from chalicelib.domain.dealers import Role, Staff
from chalicelib.domain.errors import Forbidden, InvalidInput, InvalidTransition
from chalicelib.domain.vehicles import (
    HOLD_WARNING, NewVehicle, OpenProposal, Vehicle, VehicleChange, VehicleNoLongerAvailable, VehicleProposals,
    VehicleStatus, new_vehicle, normalize_registration, normalize_vin, require_stock_editor, vin_check_digit,
)

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=timezone.utc)
USED = {"vin": "VF1RFB00X56789012", "make": "Renault", "model": "Clio", "version": "TCe 90 Evolution",
        "registration": "ab-123-cd", "first_registration": "2021-03-15", "mileage_km": 42_000, "kind": "used",
        "price_cents": 1_499_000, "vat_regime": "margin", "branch_id": "B1"}


def used_car(**changes) -> Vehicle:
    return new_vehicle("V1", "D1", NewVehicle.model_validate({**USED, **changes}), NOW)


# --- VIN --------------------------------------------------------------------------------

def test_a_north_american_vin_must_carry_its_check_digit():
    assert normalize_vin("1M8GDM9AXKP042788") == "1M8GDM9AXKP042788"
    with pytest.raises(ValueError, match="check digit"):
        normalize_vin("1M8GDM9A1KP042788")


def test_the_check_digit_follows_the_weighted_sum_modulo_11():
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    assert vin_check_digit("11111111111111111") == "1"


def test_a_european_vin_has_no_check_digit_to_enforce():
    assert normalize_vin(" vf1rfb00x56789012 ") == "VF1RFB00X56789012"
    assert normalize_vin("WVWZZZ1JZXW000001") == "WVWZZZ1JZXW000001"


@pytest.mark.parametrize("vin", ["VF1RFB00X5678901", "VF1RFB00X567890123", "VF1RFB00I56789012",
                                 "VF1RFB00O56789012", "VF1RFB00Q56789012", "VF1RFB00X5678901!"])
def test_a_vin_has_17_characters_without_i_o_q(vin):
    with pytest.raises(ValueError):
        normalize_vin(vin)


# --- registration ------------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("ab-123-cd", "AB-123-CD"), ("AB 123 CD", "AB-123-CD"), ("ab123cd", "AB-123-CD"),
    ("1234 ab 75", "1234 AB 75"), ("123 ABC 2A", "123 ABC 2A"), ("56 XY 974", "56 XY 974"),
])
def test_a_french_plate_is_stored_in_its_official_form(typed, stored):
    assert normalize_registration(typed) == stored


@pytest.mark.parametrize("plate", ["AI-123-CD", "AB-123-CO", "AU-123-CD", "AB-000-CD", "SS-123-AB", "AB-123-SS",
                                   "AB-12-CD", "1234 AB 96", "12345 AB 75", "ABC", ""])
def test_a_plate_that_is_never_issued_is_refused(plate):
    with pytest.raises(ValueError):
        normalize_registration(plate)


# --- VAT regime, dates -----------------------------------------------------------------

def test_the_margin_scheme_is_for_used_vehicles_only():
    with pytest.raises(ValidationError, match="297 A"):
        NewVehicle.model_validate({**USED, "kind": "new", "registration": None, "first_registration": None})
    new = NewVehicle.model_validate({**USED, "kind": "new", "vat_regime": "normal", "registration": None,
                                     "first_registration": None, "mileage_km": 12})
    assert new.vat_regime == "normal"


def test_a_used_vehicle_has_a_first_registration_date():
    with pytest.raises(ValidationError, match="first-registration"):
        NewVehicle.model_validate({**USED, "first_registration": None})


def test_a_first_registration_in_the_future_is_refused():
    with pytest.raises(InvalidInput):
        used_car(first_registration=(NOW + timedelta(days=2)).date().isoformat())


def test_an_edit_cannot_put_a_new_vehicle_under_the_margin_scheme():
    car = used_car()
    with pytest.raises(InvalidInput) as refused:
        car.changed(VehicleChange(kind="new"), NOW)
    assert refused.value.fields


def test_an_edit_keeps_what_it_does_not_name_and_counts_a_revision():
    car = used_car()
    edited = car.changed(VehicleChange.model_validate({"price_cents": 1_399_000}), NOW + timedelta(hours=1))
    assert (edited.price_cents, edited.make, edited.revision) == (1_399_000, "Renault", 2)
    assert edited.first_registration == date(2021, 3, 15)


# --- transitions -------------------------------------------------------------------------

def test_a_reservation_holds_the_car_for_the_dealer_s_hold_period():
    reserved = used_car().reserved("P1", "S1", "vendeur@example.com", NOW, hold_days=7)
    assert reserved.status == VehicleStatus.RESERVED
    assert reserved.reservation.hold_until == NOW + timedelta(days=7)
    assert reserved.hold_warning_at() == NOW + timedelta(days=7) - HOLD_WARNING


def test_a_reserved_car_cannot_be_reserved_again():
    reserved = used_car().reserved("P1", "S1", None, NOW, hold_days=7)
    with pytest.raises(VehicleNoLongerAvailable) as refused:
        reserved.reserved("P2", "S2", None, NOW, hold_days=7)
    assert refused.value.fields == {"vehicle_id": "V1"}
    assert "Renault Clio (AB-123-CD)" in refused.value.message


def test_a_reservation_ends_released_or_sold_and_a_sold_car_stays_sold():
    reserved = used_car().reserved("P1", "S1", None, NOW, hold_days=7)
    assert reserved.released(NOW).status == VehicleStatus.AVAILABLE
    sold = reserved.sold(NOW)
    assert sold.status == VehicleStatus.SOLD and sold.hold_warning_at() is None
    for move in (sold.released, sold.sold):
        with pytest.raises(InvalidTransition):
            move(NOW)
    with pytest.raises(InvalidTransition):
        used_car().sold(NOW)
    with pytest.raises(InvalidTransition):
        sold.changed(VehicleChange(price_cents=1), NOW)


def test_an_order_going_forward_stops_the_hold():
    held = used_car().reserved("P1", "S1", None, NOW, hold_days=7).held_for_order("O1", NOW)
    assert held.reservation.order_id == "O1"
    assert held.hold_warning_at() is None


def test_a_late_warning_still_comes_a_day_before_the_release():
    reserved = used_car().reserved("P1", "S1", None, NOW, hold_days=7)
    late = NOW + timedelta(days=7, hours=3)
    warned = reserved.hold_warned(late)
    assert warned.reservation.warned and warned.reservation.hold_until == late + HOLD_WARNING


def test_back_office_reads_the_stock_but_does_not_edit_it():
    for role in (Role.SELLER, Role.MANAGER, Role.ADMIN):
        require_stock_editor(Staff(dealer_id="D1", user_id="U1", role=role))
    with pytest.raises(Forbidden):
        require_stock_editor(Staff(dealer_id="D1", user_id="U1", role=Role.BACK_OFFICE))


def test_the_open_proposals_index_names_the_others_and_empties_at_acceptance():
    index = VehicleProposals(dealer_id="D1", vehicle_id="V1")
    for n in (1, 2, 3):
        index = index.with_proposal(OpenProposal(proposal_id=f"P{n}", seller_id=f"S{n}"))
    assert [p.proposal_id for p in index.others("P2")] == ["P1", "P3"]
    assert index.revision == 3
    assert index.settled().proposals == {} and index.settled().revision == 4
    assert list(index.without("P1").proposals) == ["P2", "P3"]
    assert all(p.repriced_at == NOW for p in index.repriced(NOW).proposals.values())


def test_a_quote_line_takes_a_snapshot_of_the_stock_vehicle():
    details = used_car().quote_details()
    assert (details.vin, details.registration, details.mileage_km, details.used) == (
        "VF1RFB00X56789012", "AB-123-CD", 42_000, True)
    assert "immatriculé AB-123-CD" in details.summary()
