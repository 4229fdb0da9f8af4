"""Quotes and customers through the dealer API: totals on the server, numbering, duplicates, PDF."""
from datetime import timedelta

import pytest

from chalicelib.documents import storage
from chalicelib.domain import local_time
from chalicelib.store import keys
from chalicelib.store import quotes as quote_store
from chalicelib.store.table import table
from tests import offers
from tests.portal import NOW
from tests.support import Api, body, tenant

TODAY = local_time.paris_date(NOW)


@pytest.fixture
def garage(aws):
    return tenant("Garage Sans Option", remote_selling=False)


@pytest.fixture
def offer(seller, garage):
    return offers.offer(seller, garage.dealer.id.lower())


def test_totals_are_computed_on_the_server_in_cents(seller, offer):
    quote = body(seller.get(f"/quotes/{offer.quote_id}"))
    totals = quote["totals"]
    assert (totals["ht_cents"], totals["vat_cents"], totals["ttc_cents"]) == (1_701_496, 340_299, 2_041_795)
    assert totals["optional_ttc_cents"] == 59_000 and totals["direct_debit_ttc_cents"] == 106_800
    mats = quote["lines"][1]
    assert mats["vat_rate_bp"] == 2_000 and mats["vat_rate"] == 20.0
    assert mats["totals"] == {"ht_cents": 4_996, "vat_cents": 999, "ttc_cents": 5_995}


def test_a_stored_quote_keeps_what_was_entered_not_the_totals_worked_out_from_it(garage, offer):
    item = table.get(keys.quote(garage.dealer.id, offer.quote_id))
    assert "totals" not in item and not any("totals" in line or "vat_rate" in line for line in item["lines"])
    assert item["lines"][1]["vat_rate_bp"] == 2_000


def test_a_quote_is_valid_for_the_dealer_validity_by_default_and_numbered_in_sequence(seller, offer):
    first = body(seller.get(f"/quotes/{offer.quote_id}"))
    assert first["valid_until"] == (TODAY + timedelta(days=30)).isoformat()
    second = body(seller.post("/quotes", {"account_id": offer.account_id, "lines": []}))
    assert (first["number"], second["number"]) == (f"D{TODAY.year}-00001", f"D{TODAY.year}-00002")
    assert second["origin"] == "quote_list" and second["contact_id"] is None


def test_a_quote_made_from_a_lead_keeps_the_lead_reference(seller, offer):
    lead = seller.post("/leads", {"contacts": [{"name": "Marie Durand", "mobile": "+33612345678"}], "type": "used_vehicle_sale",
                                  "source": "site web"})
    lead_id = body(lead)["id"]
    made = seller.post("/quotes", {"account_id": offer.account_id, "origin": "lead", "lead_id": lead_id})
    assert made.status_code == 201 and body(made)["lead_id"] == lead_id
    refused = seller.post("/quotes", {"account_id": offer.account_id, "origin": "lead"})
    assert refused.status_code == 400


@pytest.mark.parametrize("change, field", [
    ({"contact_id": "nobody"}, "contact_id"),
    ({"account_id": "nobody"}, "account_id"),
    ({"seller_id": "nobody"}, "seller_id"),
    ({"valid_until": "2020-01-01"}, "valid_until"),
    ({"lines": [{"kind": "accessory", "label": "Tapis", "unit_price_cents": 100, "vat_rate": 20,
                 "payment": "direct_debit"}]}, "lines.0"),
    ({"lines": [{"kind": "fee", "label": "Frais", "unit_price_cents": 9.99, "vat_rate": 20}]},
     "lines.0.unit_price_cents"),
    ({"lines": [{"kind": "fee", "label": "Frais", "unit_price_cents": 100, "vat_rate": 5.555}]}, "lines.0.vat_rate"),
])
def test_a_bad_quote_is_a_400_naming_the_field(seller, offer, change, field):
    refused = seller.post("/quotes", {"account_id": offer.account_id, **change})
    assert refused.status_code == 400
    assert any(name.startswith(field) for name in body(refused)["error"]["fields"]), body(refused)


def test_a_contact_of_another_account_cannot_be_the_quote_contact(seller, garage, offer):
    stranger = offers.customer(seller, "x" + garage.dealer.id.lower())["contacts"][0]
    refused = seller.post("/quotes", {"account_id": offer.account_id, "contact_id": stranger["id"]})
    assert refused.status_code == 400 and "contact_id" in body(refused)["error"]["fields"]


@pytest.mark.parametrize("change, field", [
    ({"contact_id": "stranger"}, "contact_id"),
    ({"seller_id": "nobody"}, "seller_id"),
    ({"seller_id": "another dealer's seller"}, "seller_id"),
    ({"valid_until": "2020-01-01"}, "valid_until"),
    ({"lines": None}, "lines"),
    ({}, "body"),
])
def test_a_bad_quote_change_is_a_400_naming_the_field_and_changes_nothing(seller, garage, offer, change, field):
    if change.get("contact_id") == "stranger":
        change = {"contact_id": offers.customer(seller, "y" + garage.dealer.id.lower())["contacts"][0]["id"]}
    if change.get("seller_id") == "another dealer's seller":
        change = {"seller_id": tenant("Autre Garage").seller.id}
    before = body(seller.get(f"/quotes/{offer.quote_id}"))
    refused = seller.send("PATCH", f"/quotes/{offer.quote_id}", {"version": before["version"], **change})
    assert refused.status_code == 400
    assert any(name.startswith(field) for name in body(refused)["error"]["fields"]), body(refused)
    assert body(seller.get(f"/quotes/{offer.quote_id}")) == before


def test_a_quote_changes_with_the_version_read_and_refuses_a_stale_one(seller, offer):
    quote = body(seller.get(f"/quotes/{offer.quote_id}"))
    changed = seller.send("PATCH", f"/quotes/{offer.quote_id}", {
        "version": quote["version"],
        "lines": [{"kind": "vehicle", "label": "Clio", "unit_price_cents": 1_000_000, "vat_rate": 20}]})
    assert changed.status_code == 200 and body(changed)["totals"]["ttc_cents"] == 1_200_000
    stale = seller.send("PATCH", f"/quotes/{offer.quote_id}", {"version": quote["version"], "notes": "x"})
    assert stale.status_code == 409 and body(stale)["error"]["code"] == "stale_version"
    assert body(seller.get(f"/quotes/{offer.quote_id}"))["notes"] is None


def test_a_duplicate_has_a_new_number_and_the_same_offer(seller, offer):
    original = body(seller.get(f"/quotes/{offer.quote_id}"))
    copy = seller.post(f"/quotes/{offer.quote_id}/duplicate")
    assert copy.status_code == 201
    duplicate = body(copy)
    assert duplicate["id"] != original["id"] and duplicate["number"] != original["number"]
    assert duplicate["duplicated_from"] == original["id"] and duplicate["totals"] == original["totals"]
    assert {ln["id"] for ln in duplicate["lines"]}.isdisjoint({ln["id"] for ln in original["lines"]})


def test_quotes_are_listed_newest_first_per_customer_and_paged(seller, garage, offer):
    other = offers.offer(seller, "b" + garage.dealer.id.lower())
    listed = body(seller.get("/quotes"))
    assert [q["id"] for q in listed["items"]] == [other.quote_id, offer.quote_id]
    mine = body(seller.get(f"/quotes?account_id={offer.account_id}"))
    assert [q["id"] for q in mine["items"]] == [offer.quote_id]
    page = body(seller.get("/quotes?limit=1"))
    rest = body(seller.get(f"/quotes?limit=1&cursor={page['next_cursor']}"))
    assert [q["id"] for q in page["items"] + rest["items"]] == [other.quote_id, offer.quote_id]
    assert seller.get("/quotes?cursor=garbage").status_code == 400


def test_the_quote_pdf_is_stored_and_downloadable_without_remote_selling(seller, garage, offer):
    document = seller.get(f"/quotes/{offer.quote_id}/pdf")
    assert document.status_code == 200, document.body
    pdf = body(document)
    assert pdf["s3_key"] == f"dealers/{garage.dealer.id}/quotes/{offer.quote_id}/v1.pdf"
    assert storage.get(pdf["s3_key"]).startswith(b"%PDF-") and pdf["url"].startswith("http")
    again = body(seller.get(f"/quotes/{offer.quote_id}/pdf"))
    assert again["sha256"] == pdf["sha256"]


def test_the_pdf_of_a_quote_for_an_account_without_a_contact_asks_for_one(seller):
    company = body(seller.post("/accounts", {"kind": "company", "name": "Flotte Sans Contact"}))["account"]
    quote = body(seller.post("/quotes", {"account_id": company["id"], "lines": []}))
    refused = seller.get(f"/quotes/{quote['id']}/pdf")
    assert refused.status_code == 400
    assert body(refused)["error"]["fields"] == {"contact_id": "the account has no contact"}


def test_another_dealer_sees_none_of_these_quotes_or_customers(client, seller, offer):
    other = tenant("Autre Garage")
    intruder = Api(client, other.token(other.seller))
    for path in (f"/quotes/{offer.quote_id}", f"/quotes/{offer.quote_id}/pdf", f"/accounts/{offer.account_id}"):
        assert intruder.get(path).status_code == 404, path
    assert intruder.post(f"/quotes/{offer.quote_id}/duplicate").status_code == 404
    assert intruder.send("PATCH", f"/quotes/{offer.quote_id}", {"version": 1, "notes": "x"}).status_code == 404
    assert intruder.send("PATCH", f"/accounts/{offer.account_id}", {"name": "x"}).status_code == 404
    assert intruder.post(f"/accounts/{offer.account_id}/contacts", {"first_name": "a", "last_name": "b"}
                         ).status_code == 404
    assert intruder.send("PATCH", f"/accounts/{offer.account_id}/contacts/{offer.contact_id}", {"first_name": "x"}
                         ).status_code == 404
    assert body(intruder.get("/quotes"))["items"] == [] and body(intruder.get("/accounts")) == []
    assert intruder.post("/quotes", {"account_id": offer.account_id}).status_code == 400


def test_an_account_lists_its_contacts_and_changes_them(seller, offer):
    view = body(seller.get(f"/accounts/{offer.account_id}"))
    assert view["account"]["kind"] == "company" and len(view["contacts"]) == 2
    assert view["contacts"][0]["mobile"] == "+33612345678"
    changed = seller.send("PATCH", f"/accounts/{offer.account_id}/contacts/{offer.contact_id}",
                          {"mobile": "07 11 22 33 44"})
    assert changed.status_code == 200 and body(changed)["mobile"] == "+33711223344"
    renamed = seller.send("PATCH", f"/accounts/{offer.account_id}", {"name": "Durand Logistique"})
    assert body(renamed)["account"]["name"] == "Durand Logistique"
    assert [v["account"]["id"] for v in body(seller.get("/accounts"))] == [offer.account_id]


def test_a_person_account_is_named_after_its_contact(seller):
    made = seller.post("/accounts", {"kind": "person", "contact": {"first_name": "Marie", "last_name": "Durand",
                                                                   "mobile": "06 12 34 56 78"}})
    assert made.status_code == 201 and body(made)["account"]["name"] == "Marie Durand"
    refused = seller.post("/accounts", {"kind": "person", "contact": {"first_name": "M", "last_name": "D",
                                                                      "mobile": "12"}})
    assert refused.status_code == 400 and "contact.mobile" in body(refused)["error"]["fields"]


@pytest.mark.parametrize("path, change, field", [
    ("", {}, "body"),
    ("", {"siren": "12345"}, "siren"),
    ("/contacts/{contact}", {"mobile": "12"}, "mobile"),
    ("/contacts/{contact}", {"first_name": None}, "first_name"),
    ("/contacts/{contact}", {}, "body"),
])
def test_a_bad_account_or_contact_change_is_a_400_naming_the_field(seller, offer, path, change, field):
    url = f"/accounts/{offer.account_id}" + path.format(contact=offer.contact_id)
    before = body(seller.get(f"/accounts/{offer.account_id}"))
    refused = seller.send("PATCH", url, change)
    assert refused.status_code == 400 and field in body(refused)["error"]["fields"], body(refused)
    assert body(seller.get(f"/accounts/{offer.account_id}")) == before


def test_a_persons_account_is_not_given_a_siren(seller):
    person = body(seller.post("/accounts", {"kind": "person", "contact": {"first_name": "Marie",
                                                                          "last_name": "Durand"}}))["account"]
    refused = seller.send("PATCH", f"/accounts/{person['id']}", {"siren": "123456789"})
    assert refused.status_code == 400 and body(refused)["error"]["fields"] == {
        "siren": "a SIREN belongs to a company account"}
    assert body(seller.get(f"/accounts/{person['id']}"))["account"]["siren"] is None


def test_an_unknown_contact_of_an_account_is_a_404(seller, offer):
    missing = seller.send("PATCH", f"/accounts/{offer.account_id}/contacts/01JNOCONTACT00000000000000",
                          {"first_name": "X"})
    assert missing.status_code == 404


def test_a_contact_cannot_be_added_to_a_missing_account(seller):
    refused = seller.post("/accounts/nope/contacts", {"first_name": "a", "last_name": "b"})
    assert refused.status_code == 404


def test_numbers_never_repeat(aws, garage):
    numbers = {quote_store.next_document_number(garage.dealer.id, "D", 2026) for _ in range(5)}
    assert numbers == {f"D2026-0000{n}" for n in range(1, 6)}
