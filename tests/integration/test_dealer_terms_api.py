"""The dealer's terms through HTTP (DynamoDB Local, moto server), issue 16 item 1: an admin uploads the
vehicle terms, a proposal is sent, the shown PDF carries their pages under the hash the evidence keeps,
the consent names them, the welcome email attaches the signed contract and the terms. Sellers read but
may not change them; another dealer's ids are 404; a file that is not a PDF is refused and not kept."""
import hashlib
import urllib.request

import pytest

from chalicelib.clients import client as aws
from chalicelib.settings import settings
from chalicelib.store import keys
from chalicelib.store.table import table
from tests import offers, portal
from tests.offers import emails_to, read
from tests.portal import Customer, html
from tests.support import Api, body, tenant
from tests.terms_support import pages_text, terms_pdf, upload


@pytest.fixture
def admin(client, garage) -> Api:
    return Api(client, garage.token(garage.admin))


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.body
    return body(response)


def terms_items(dealer_id: str) -> list[dict]:
    partition, _ = keys.dealer_terms(dealer_id)
    return [i for i in table.query_all(partition) if i[keys.SK].startswith(("TERMS#", "TERMSUPLOAD#"))]


def test_the_vehicle_terms_are_in_the_signed_document_and_the_welcome_email(client, garage, admin, seller):
    data = terms_pdf("CGV VEHICULES", pages=2)
    version = ok(upload(admin, data), 201)
    assert (version["kind"], version["version"], version["sha256"]) == (
        "vehicle", 1, hashlib.sha256(data).hexdigest())
    listed = ok(seller.get("/dealer/terms"))
    [vehicle] = [k for k in listed["kinds"] if k["kind"] == "vehicle"]
    assert vehicle["current"]["title"] == "CGV véhicules d'occasion" and vehicle["current"]["uploaded_at"]
    link = ok(seller.get("/dealer/terms/vehicle/versions/1/download"))
    with urllib.request.urlopen(link["url"]) as download:
        assert download.read() == data

    # A proposal is sent: its PDF ends with the terms' pages, under the hash the evidence records.
    offer = offers.offer(seller, garage.dealer.id.lower())
    sent = portal.send(seller, offer)
    view = portal.proposal_view(seller, sent.proposal_id)
    shown = view["proposal"]["pdf"]
    document = ok(seller.get(f"/proposals/{sent.proposal_id}/pdf"))
    with urllib.request.urlopen(document["url"]) as download:
        pdf = download.read()
    assert hashlib.sha256(pdf).hexdigest() == shown["sha256"] == document["sha256"]
    assert pages_text(pdf)[-2:] == ["CGV VEHICULES - ARTICLE 1", "CGV VEHICULES - ARTICLE 2"]
    assert [(t["kind"], t["version"]) for t in shown["terms"]] == [("vehicle", 1)]

    # The consent names them; the customer signs.
    customer = Customer(client, sent.token)
    assert "conditions générales de vente annexées (véhicule, v1)" in html(customer.get("/sign"))
    portal.sign(customer, sent)
    view = portal.proposal_view(seller, sent.proposal_id)
    signature = view["proposal"]["signature"]
    assert "(véhicule, v1)" in signature["consent_text"] and signature["shown_pdf"]["sha256"] == shown["sha256"]
    proofs = ok(seller.get(view["proofs"]["evidence"]))
    [submitted] = [e for e in proofs["chain"]["events"] if e["kind"] == "sign_form_submitted"]
    assert submitted["details"]["document_sha256"] == shown["sha256"] == proofs["documents"]["shown"]["sha256"]
    assert submitted["details"]["terms"] == f"vehicle v1 sha256:{version['sha256']}"

    # The welcome email: the signed contract and the terms, as attachments.
    [welcome] = [m for m in emails_to(sent.email) if "Bienvenue" in read(m).subject]
    signed = portal.attachment_of(welcome, "-signee.pdf")
    assert hashlib.sha256(signed[:shown["size"]]).hexdigest() == shown["sha256"]
    assert portal.attachment_of(welcome, "conditions-generales-vehicle-v1.pdf") == data
    assert "CGV véhicules d'occasion (version 1)" in read(welcome).text


def test_a_seller_may_read_but_not_change_the_terms(client, garage, admin, seller):
    ok(upload(admin, terms_pdf()), 201)
    before = terms_items(garage.dealer.id)
    refused = seller.post("/dealer/terms/uploads", {"kind": "vehicle", "title": "CGV", "filename": "c.pdf",
                                                   "content_type": "application/pdf"})
    assert refused.status_code == 403
    assert seller.send("DELETE", "/dealer/terms/vehicle").status_code == 403
    assert terms_items(garage.dealer.id) == before
    assert admin.send("DELETE", "/dealer/terms/vehicle").status_code == 204
    [vehicle] = [k for k in ok(seller.get("/dealer/terms"))["kinds"] if k["kind"] == "vehicle"]
    assert vehicle["current"] is None and [v["version"] for v in vehicle["versions"]] == [1]


def test_another_dealer_s_upload_and_terms_are_not_found(client, garage, admin):
    form = ok(admin.post("/dealer/terms/uploads", {"kind": "vehicle", "title": "CGV", "filename": "c.pdf",
                                                  "content_type": "application/pdf"}), 201)
    other = offers.with_legal(tenant("Autre Garage"))
    stranger = Api(client, other.token(other.admin))
    assert stranger.post(f"/dealer/terms/uploads/{form['document']['id']}/confirm").status_code == 404
    ok(upload(admin, terms_pdf()), 201)
    assert stranger.get("/dealer/terms/vehicle/versions/1/download").status_code == 404
    assert stranger.get("/dealer/terms/boat/versions/1/download").status_code == 404


def test_a_file_that_is_not_a_pdf_is_refused_and_nothing_is_stored(client, garage, admin):
    refused = upload(admin, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert refused.status_code == 400 and body(refused)["error"]["fields"] == {"file": "not a PDF"}
    assert terms_items(garage.dealer.id) == []
    left = aws("s3").list_objects_v2(Bucket=settings().documents_bucket, Prefix=f"dealers/{garage.dealer.id}/terms/")
    assert left.get("KeyCount", 0) == 0
    announced = upload(admin, b"", content_type="image/png")
    assert announced.status_code == 400 and "content_type" in body(announced)["error"]["fields"]
