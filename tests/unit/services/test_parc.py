"""A customer's vehicles on the in-memory table: the car bought here, the one taken in trade-in, the one a
seller records, their contracts, and the after-sales quote started from one (seeds 000 and 003)."""
import json
from datetime import date

import pytest
from pydantic import ValidationError

from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.leads.commands import NewLead, NewTradeIn
from chalicelib.domain.orders.commands import OpenFromQuote
from chalicelib.domain.parc import AfterSalesQuote, NewContract, NewRecordedVehicle
from chalicelib.domain.quotes import NewQuote
from chalicelib.services import leads, orders, parc, quotes
from chalicelib.store import quotes as quote_store
from tests.orders_support import OPENED_AT, command, garage, quote_for_a_car
from tests.support import at


def car(**fields) -> NewRecordedVehicle:
    """A vehicle as the seller types it (`model` is a field: not through `command`)."""
    return NewRecordedVehicle.model_validate_json(json.dumps(fields))


@pytest.fixture
def g(memory):
    at(OPENED_AT)
    return garage()


@pytest.fixture
def account_id(g) -> str:
    """Marie bought a Peugeot 308 here, and traded in her Clio on the lead the sale came from."""
    quote_id = quote_for_a_car(g)
    account = quote_store.get(g.dealer_id, quote_id).account_id
    orders.open_from_quote(g.dealer_id, command(OpenFromQuote, quote_id=quote_id), by=g.seller)
    lead_id = leads.create(g.dealer_id, command(NewLead, contacts=[{"name": "Marie Durand",
                                                                     "email": "marie@example.com"}],
                                                type="used_vehicle_sale", source="showroom"), by=g.seller.user_id).id
    leads.add_trade_in(g.dealer_id, lead_id, command(NewTradeIn, vehicle="Renault Clio IV", registration="EF-456-GH",
                                                      mileage_km=98000, estimated_value_cents=450000),
                       by=g.seller.user_id)
    quotes.create(g.dealer_id, command(NewQuote, account_id=account, origin="lead", lead_id=lead_id), by=g.seller)
    return account


def test_the_parc_shows_the_car_bought_here_and_the_one_taken_in_trade_in(g, account_id):
    vehicles = parc.parc(g.dealer_id, account_id).vehicles
    assert sorted((v.source, v.label, v.registration) for v in vehicles) == [
        ("sold", "Peugeot 308", "AB-123-CD"), ("trade_in", "Renault Clio IV", "EF-456-GH")]
    [sold] = [v for v in vehicles if v.source == "sold"]
    assert (sold.vin, sold.first_registration, sold.mileage_km) == ("VF3LBHNSJKS123456", date(2021, 3, 2), 32500)


def test_a_recorded_vehicle_has_a_valid_vin_and_a_french_plate_written_one_way(g, account_id):
    added = parc.record_vehicle(g.dealer_id, account_id, car(
        make="Citroën", model="C3", vin="vf7sxhmz6gt123456", registration="gh 789 jk",
        first_registration="2019-05-04", mileage_km=61000), by=g.seller)
    assert (added.vin, added.registration, added.source) == ("VF7SXHMZ6GT123456", "GH-789-JK", "recorded")
    old = parc.record_vehicle(g.dealer_id, account_id, car(make="Renault", model="Twingo", registration="1234 ab 56"),
                              by=g.seller)
    assert old.registration == "1234 AB 56"
    assert {v.id for v in parc.parc(g.dealer_id, account_id).vehicles} >= {added.id, old.id}


@pytest.mark.parametrize("fields", [
    {"vin": "VF7SXHMZ6GT12345"},      # 16 characters
    {"vin": "VF7SXHMZ6GT12345O"},     # an O
    {"vin": "IF7SXHMZ6GT123456"},     # an I
    {"registration": "AB-12-CD"},
    {"registration": "OB-123-CD"},    # no O on a SIV plate
])
def test_a_wrong_vin_or_plate_is_refused(fields):
    with pytest.raises(ValidationError):
        car(make="Citroën", model="C3", **fields)


def test_a_contract_with_its_end_date_is_attached_to_a_vehicle(g, account_id):
    [sold] = [v for v in parc.parc(g.dealer_id, account_id).vehicles if v.source == "sold"]
    parc.add_contract(g.dealer_id, account_id, sold.id, command(
        NewContract, kind="warranty_extension", ends_on="2028-01-25"), by=g.seller)
    [sold] = [v for v in parc.parc(g.dealer_id, account_id).vehicles if v.source == "sold"]
    assert [(c.kind, c.ends_on) for c in sold.contracts] == [("warranty_extension", date(2028, 1, 25))]
    with pytest.raises(NotFound):
        parc.add_contract(g.dealer_id, account_id, "order-NOPE", command(
            NewContract, kind="service_contract", ends_on="2028-01-25"), by=g.seller)


def test_a_warranty_extension_quote_starts_from_a_vehicle(g, account_id):
    [sold] = [v for v in parc.parc(g.dealer_id, account_id).vehicles if v.source == "sold"]
    quote = parc.start_quote(g.dealer_id, account_id, sold.id, command(AfterSalesQuote, product="warranty_extension"),
                             by=g.seller)
    [line] = quote.lines
    assert (quote.account_id, line.kind, line.label, line.payment) == (
        account_id, "insurance", "Extension de garantie", "direct_debit")
    assert "AB-123-CD" in line.description and "VF3LBHNSJKS123456" in line.description


def test_another_dealer_s_account_is_not_found(g, account_id):
    other = garage("Autre Garage")
    with pytest.raises(NotFound):
        parc.parc(other.dealer_id, account_id)
    with pytest.raises((NotFound, InvalidInput)):
        parc.record_vehicle(other.dealer_id, account_id, car(make="A", model="B"),
                            by=other.seller)
