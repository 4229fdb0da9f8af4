"""Invoices on DynamoDB Local and the moto server: the numbering under concurrency, a quote invoiced and
found, downloaded and exported by the seller, its Factur-X XML extracted back from the PDF."""
import itertools
import threading
import urllib.request

from facturx import get_facturx_xml_from_pdf, xml_check_xsd

from chalicelib.documents import storage
from chalicelib.domain.customers import AccountKind, NewAccount, NewContact
from chalicelib.services import customers, invoices
from chalicelib.store import keys
from chalicelib.store.table import table
from tests.invoices_support import customer, proposal_item, used_car_sale
from tests.portal import NOW
from tests.support import at_once, body


def test_fifty_invoices_of_one_dealer_at_once_take_fifty_consecutive_numbers(garage):
    proposal_ids = (f"P{n:02d}" for n in itertools.count())
    proposal_item(garage.dealer.id, *(f"P{n:02d}" for n in range(50)))
    lock = threading.Lock()

    def one():
        with lock:
            proposal_id = next(proposal_ids)
        return invoices.deposit_paid(garage.dealer.id, proposal_id, "P2026-00001", customer(email=None),
                                     used_car_sale(), 10_000, NOW)

    issued = at_once(one, times=50)
    assert sorted(i.seq for i in issued) == list(range(1, 51))
    assert len({i.number for i in issued}) == 50
    partition, prefix = keys.invoices_of(garage.dealer.id)
    stored = table.query_all(partition, prefix)
    assert [item["seq"] for item in stored] == list(range(1, 51))
    by_number = sorted(issued, key=lambda i: i.seq)
    assert all(a.issued_at <= b.issued_at for a, b in zip(by_number, by_number[1:]))
    assert table.get(keys.invoice_counter(garage.dealer.id))["value"] == 50


def service_quote(garage, seller) -> str:
    account = customers.create_account(garage.dealer.id, NewAccount(
        kind=AccountKind.COMPANY, name="Durand Transports", siren="552100554",
        contact=NewContact(first_name="Marie", last_name="Durand", email="marie@example.com")))
    answer = seller.post("/quotes", {"account_id": account.account.id, "lines": [
        {"kind": "service_contract", "label": "Contrat d'entretien 36 mois", "unit_price_cents": 90_000,
         "vat_rate": 20}]})
    assert answer.status_code == 201, answer.body
    return body(answer)["id"]


def test_a_seller_invoices_a_service_contract_then_finds_downloads_and_exports_it(garage, seller):
    quote_id = service_quote(garage, seller)
    created = seller.post(f"/quotes/{quote_id}/invoice")
    assert created.status_code == 201, created.body
    number = body(created)["number"]
    assert body(created)["totals"]["ttc_cents"] == 108_000
    assert seller.post(f"/quotes/{quote_id}/invoice").status_code == 409

    listed = body(seller.get("/invoices?limit=10"))
    assert [(i["number"], i["kind"], i["customer"], i["ttc_cents"]) for i in listed["items"]] == [
        (number, "standard", "Durand Transports", 108_000)]
    assert body(seller.get(f"/invoices/{number}"))["buyer"]["siren"] == "552100554"

    link = body(seller.get(f"/invoices/{number}/pdf"))
    with urllib.request.urlopen(link["url"]) as download:
        pdf = download.read()
    assert pdf == storage.get(storage.invoice_pdf_key(garage.dealer.id, number))
    filename, xml = get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml" and xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert b"<ram:GrandTotalAmount>1080.00</ram:GrandTotalAmount>" in xml

    day = NOW.date().isoformat()
    export = seller.get(f"/invoices/export?from={day}&to={day}")
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv")
    lines = export.body.decode().splitlines()
    assert lines[0].startswith("numero;type;date") and lines[1].startswith(f"{number};standard;{day}")
    assert seller.get(f"/invoices/export?from={day}").status_code == 400


def test_a_correction_is_a_credit_note_and_another_dealer_sees_nothing(client, garage, seller):
    from tests.offers import with_legal
    from tests.support import Api, tenant

    quote_id = service_quote(garage, seller)
    number = body(seller.post(f"/quotes/{quote_id}/invoice"))["number"]
    refused = seller.post(f"/invoices/{number}/credit-notes", {"amount_cents": 8_000, "reason": "Geste commercial"})
    assert (refused.status_code, body(refused)["error"]["code"]) == (403, "forbidden")
    admin = Api(client, garage.token(garage.admin))
    note = admin.post(f"/invoices/{number}/credit-notes", {"amount_cents": 8_000, "reason": "Geste commercial"})
    assert note.status_code == 201, note.body
    assert (body(note)["kind"], body(note)["credited_number"]) == ("credit_note", number)
    read = body(seller.get(f"/invoices/{number}"))
    assert [(n["number"], n["ttc_cents"]) for n in read["credit_notes"]] == [(body(note)["number"], 8_000)]
    assert admin.post(f"/invoices/{number}/credit-notes", {"amount_cents": 200_000, "reason": "x"}).status_code == 409
    assert admin.post(f"/invoices/{number}/credit-notes", {"reason": ""}).status_code == 400

    other = with_legal(tenant("Autre Garage"))
    stranger = Api(client, other.token(other.seller))
    assert stranger.get(f"/invoices/{number}").status_code == 404
    assert stranger.get(f"/invoices/{number}/pdf").status_code == 404
    assert stranger.post(f"/quotes/{quote_id}/invoice").status_code == 404
