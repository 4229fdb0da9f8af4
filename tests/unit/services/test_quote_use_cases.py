"""Quotes on the in-memory table: a seller makes one for a customer of the dealership, changes it,
duplicates it; what is refused leaves every quote as it was."""
from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import InvalidInput, NotFound, StaleVersion
from chalicelib.domain.quotes import NewQuote, QuoteChange
from chalicelib.services import dealers, quotes
from chalicelib.store import keys
from tests import desk
from tests.desk import admin, colleague, command, seller
from tests.offers import LINES
from tests.support import Tenant, at, tenant

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def garage(memory) -> Tenant:
    at(NOW)
    return tenant()


def quote_items(memory) -> list[dict]:
    return [dict(item) for item in memory.items.values() if item[keys.SK].startswith("QUOTE#")]


def test_a_quote_gets_the_next_number_of_the_year_and_the_dealers_validity(garage):
    first, second = desk.quote(garage), desk.quote(garage)
    assert (first.number, second.number) == ("D2026-00001", "D2026-00002")
    assert first.seller_id == garage.seller.id and first.valid_until == date(2026, 3, 2) + timedelta(days=30)
    assert quotes.get(garage.dealer.id, first.id) == first


def test_each_dealer_numbers_its_own_quotes(garage):
    desk.quote(garage)
    assert desk.quote(tenant("Autre Garage")).number == "D2026-00001"


def test_a_quote_is_for_a_customer_and_contact_of_this_dealer_and_an_active_seller(garage, memory):
    account = desk.customer(garage)
    elsewhere = desk.customer(tenant("Autre Garage"))
    gone = colleague(garage)
    dealers.deactivate_user(garage.dealer.id, gone.id, by=admin(garage))
    refusals = [
        ({"account_id": elsewhere.account.id}, {"account_id": "unknown account"}),
        ({"contact_id": elsewhere.contacts[0].id}, {"contact_id": "not a contact of this account"}),
        ({"seller_id": gone.id}, {"seller_id": "unknown or inactive user"}),
        ({"valid_until": "2026-03-01"}, {"valid_until": "in the past"}),
    ]
    before = quote_items(memory)
    for changes, fields in refusals:
        fields_given = {"account_id": account.account.id, "contact_id": account.contacts[0].id, "lines": LINES}
        with pytest.raises(InvalidInput) as refused:
            quotes.create(garage.dealer.id, command(NewQuote, **fields_given | changes), by=seller(garage))
        assert refused.value.fields == fields
    assert quote_items(memory) == before


def test_a_change_makes_a_new_version_of_the_quote(garage):
    quote = desk.quote(garage)
    paul = desk.customer(garage).contacts[1]
    changed = quotes.change(garage.dealer.id, quote.id, command(QuoteChange, version=1, notes="Remise fidélité"),
                            by=seller(garage))
    assert (changed.version, changed.notes) == (2, "Remise fidélité")
    assert quotes.get(garage.dealer.id, quote.id) == changed
    with pytest.raises(InvalidInput) as refused:
        quotes.change(garage.dealer.id, quote.id, command(QuoteChange, version=2, contact_id=paul.id),
                      by=seller(garage))
    assert refused.value.fields == {"contact_id": "not a contact of this account"}


def test_a_change_on_a_version_read_before_someone_elses_change_is_refused(garage, memory):
    quote = desk.quote(garage)
    quotes.change(garage.dealer.id, quote.id, command(QuoteChange, version=1, notes="A"), by=seller(garage))
    before = quote_items(memory)
    with pytest.raises(StaleVersion):
        quotes.change(garage.dealer.id, quote.id, command(QuoteChange, version=1, notes="B"), by=seller(garage))
    assert quote_items(memory) == before


def test_a_change_that_changes_nothing_is_refused(garage):
    quote = desk.quote(garage)
    with pytest.raises(InvalidInput) as refused:
        quotes.change(garage.dealer.id, quote.id, command(QuoteChange, version=1), by=seller(garage))
    assert refused.value.fields == {"body": "no field given"}


def test_a_duplicate_is_a_new_quote_with_the_same_lines_a_new_number_and_a_fresh_validity(garage):
    quote = desk.quote(garage, valid_until="2026-03-10")
    at(NOW + timedelta(days=20))
    copy = quotes.duplicate(garage.dealer.id, quote.id, by=seller(garage))
    assert (copy.number, copy.duplicated_from, copy.version) == ("D2026-00002", quote.id, 1)
    assert copy.valid_until == date(2026, 3, 22) + timedelta(days=30)
    assert [line.label for line in copy.lines] == [line.label for line in quote.lines]
    assert not {line.id for line in copy.lines} & {line.id for line in quote.lines}
    assert quotes.get(garage.dealer.id, quote.id) == quote


def test_a_quote_of_another_dealer_is_not_duplicated(garage, memory):
    elsewhere = desk.quote(tenant("Autre Garage"))
    before = quote_items(memory)
    with pytest.raises(NotFound):
        quotes.duplicate(garage.dealer.id, elsewhere.id, by=seller(garage))
    assert quote_items(memory) == before
