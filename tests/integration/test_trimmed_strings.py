"""Text is trimmed before its length is checked, in every body the API reads."""
import pytest

from tests import offers
from tests.support import Api, body

PADDING = " " * 85


@pytest.fixture
def admin(client, garage):
    return Api(client, garage.token(garage.admin))


def test_a_branch_name_padded_past_its_limit_is_accepted_trimmed(admin):
    added = admin.post("/dealer/branches", {"name": f"{PADDING}Villeurbanne{PADDING}"})

    assert added.status_code == 201, added.body
    assert [b["name"] for b in body(added)["branches"]] == ["Villeurbanne"]


def test_a_branch_name_still_too_long_once_trimmed_is_refused(admin):
    refused = admin.post("/dealer/branches", {"name": f"{PADDING}{'V' * 81}"})

    assert refused.status_code == 400
    assert set(body(refused)["error"]["fields"]) == {"name"}


def test_the_vehicle_of_a_quote_line_is_trimmed_as_the_rest_of_the_quote(seller):
    view = offers.customer(seller, "trim")
    vehicle_line = {**offers.LINES[0], "vehicle": {**offers.LINES[0]["vehicle"], "make": f"{PADDING}Peugeot "}}

    quote = seller.post("/quotes", {"account_id": view["account"]["id"], "contact_id": view["contacts"][0]["id"],
                                    "origin": "contact", "lines": [vehicle_line]})

    assert quote.status_code == 201, quote.body
    assert body(quote)["lines"][0]["vehicle"]["make"] == "Peugeot"
