"""Orders through HTTP (DynamoDB Local, moto server): seed 001 from the reservation to "sold", the guards
refusing and changing nothing, each cancellation branch, the template, and another dealer's 404."""
from datetime import datetime, time, timedelta, timezone

import pytest
import requests

from chalicelib.domain import local_time
from chalicelib.domain.dealers import NewBranch, NewUser, Role, Staff
from chalicelib.services import dealers
from tests import offers
from tests.portal import NOW
from tests.support import Api, at, body, tenant

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n"
IBAN = "FR7630006000011234567890189"


@pytest.fixture
def staff(client, garage):
    """The garage's seller, manager, back office and admin, each with their own token."""
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=Role.ADMIN)
    slug = garage.dealer.id.lower()
    manager = dealers.create_user(garage.dealer.id, NewUser(email=f"manager-{slug}@example.com", name="Marc Manager",
                                                            role=Role.MANAGER), by=admin)
    office = dealers.create_user(garage.dealer.id, NewUser(email=f"adv-{slug}@example.com", name="Bérénice ADV",
                                                           role=Role.BACK_OFFICE), by=admin)
    seller = Api(client, garage.token(garage.seller))
    return {"seller": seller, "manager": seller.as_(garage.token(manager)),
            "office": seller.as_(garage.token(office)), "admin": seller.as_(garage.token(garage.admin))}


@pytest.fixture
def order(staff):
    quote_id = offers.offer(staff["seller"], "order").quote_id
    opened = staff["seller"].post("/orders", {"quote_id": quote_id, "deposit_paid_cents": 50_000,
                                              "deposit_method": "transfer"})
    assert opened.status_code == 201, opened.body
    return body(opened)


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.body
    return body(response)


def document(staff, order_id: str, kind: str, data: bytes = PDF, content_type: str = "application/pdf") -> str:
    """Uploaded as a browser does (the presigned POST, straight to S3), confirmed, and accepted by back office."""
    form = ok(staff["seller"].post(f"/orders/{order_id}/documents", {
        "kind": kind, "filename": f"{kind}.pdf", "content_type": content_type}), 201)
    sent = requests.post(form["url"], data=form["fields"], files={"file": (f"{kind}.pdf", data, content_type)},
                         timeout=10)
    assert sent.status_code in (200, 201, 204), sent.text
    document_id = form["document"]["id"]
    ok(staff["seller"].post(f"/orders/{order_id}/documents/{document_id}/confirm"))
    return document_id


def accept(staff, order_id: str, document_id: str) -> None:
    ok(staff["office"].post(f"/orders/{order_id}/documents/{document_id}/review", {"accepted": True}))


def test_seed_001_from_the_reservation_to_sold(client, staff, order):
    seller, order_id = staff["seller"], order["order"]["id"]
    assert order["order"]["status"] == "reserved" and order["order"]["deposit_paid_cents"] == 50_000
    path = f"/orders/{order_id}"
    total = order["order"]["total_ttc_cents"]
    ok(seller.send("PUT", f"{path}/payment-plan", {"method": "transfer"}))
    ok(seller.send("PUT", f"{path}/holder", {"kind": "individual", "name": "Marie Durand"}))
    ok(seller.send("PUT", f"{path}/delivery", {"mode": "branch", "inspector": {
        "name": "Inès Inspectrice", "email": "ines@inspection.example"}}))
    handover_on = (NOW + timedelta(days=12)).date().isoformat()
    page = ok(seller.send("PUT", f"{path}/handover-date", {"handover_on": handover_on, "handover_slot": "10:00"}))
    assert page["order"]["handover_on"] == handover_on
    ok(seller.post(f"{path}/transfer-order"))
    page = ok(seller.post(f"{path}/payments", {"amount_cents": total - 50_000}), 201)
    assert page["order"]["funds_received_at"] is not None
    for kind in page["required_documents"]:
        accept(staff, order_id, document(staff, order_id, kind))
    assert ok(seller.get(path))["missing_documents"] == []
    ok(staff["office"].post(f"{path}/milestones/documents_validated/done"))
    ok(seller.post(f"{path}/organise"))
    at(NOW + timedelta(days=12, hours=1))
    assert ok(seller.post(f"{path}/handover"))["order"]["status"] == "handed_over"
    for kind in ("handover_slip", "certificate_of_sale", "barred_registration"):
        accept(staff, order_id, document(staff, order_id, kind))
    ok(seller.post(f"{path}/milestones/handover_documents/done"))
    sold = ok(seller.post(f"{path}/sold"))
    assert sold["order"]["status"] == "sold" and sold["blockers"]["sold"] == []
    kinds = [e["kind"] for e in sold["history"]]
    assert kinds[0] == "opened" and kinds[-1] == "sold" and "funds_received" in kinds
    listed = ok(seller.get("/orders?status=sold"))["items"]
    assert [o["id"] for o in listed] == [order_id]


def test_a_refused_handover_and_a_refused_sale_change_nothing(client, staff, order):
    seller, path = staff["seller"], f"/orders/{order['order']['id']}"
    ok(seller.send("PUT", f"{path}/payment-plan", {"method": "bankers_cheque"}))
    before = ok(seller.get(path))
    refused = seller.post(f"{path}/handover")
    assert refused.status_code == 409
    error = body(refused)["error"]
    assert error["code"] == "guard_refused" and "réception des fonds" in error["message"]
    assert ok(seller.get(path)) == before
    ok(seller.send("PUT", f"{path}/payment-plan", {"method": "credit", "financed_cents": 1_000_000}))
    ok(seller.post(f"{path}/credit-approval"))
    ok(staff["office"].post(f"{path}/milestones/documents_validated/done"))
    ok(seller.post(f"{path}/handover"))
    before = ok(seller.get(path))
    refused = seller.post(f"{path}/sold")
    assert refused.status_code == 409 and "cerfa 15776" in body(refused)["error"]["message"]
    assert ok(seller.get(path)) == before


def test_a_file_that_is_not_a_pdf_or_an_image_is_refused(client, staff, order):
    order_id = order["order"]["id"]
    form = ok(staff["seller"].post(f"/orders/{order_id}/documents", {
        "kind": "identity", "filename": "cni.pdf", "content_type": "application/pdf"}), 201)
    requests.post(form["url"], data=form["fields"], files={"file": ("cni.pdf", b"<script>", "application/pdf")},
                  timeout=10)
    refused = staff["seller"].post(f"/orders/{order_id}/documents/{form['document']['id']}/confirm")
    assert refused.status_code == 400 and body(refused)["error"]["fields"] == {"file": "unsupported type"}


def test_cancellation_with_the_reservation_fee_only(client, staff, order):
    path = f"/orders/{order['order']['id']}"
    asked = ok(staff["seller"].post(f"{path}/cancellation", {"reason": "cancellation"}))
    assert asked["order"]["cancellation"]["branch"] == "fee_only"
    assert staff["seller"].post(f"{path}/cancellation/approve").status_code == 403
    done = ok(staff["manager"].post(f"{path}/cancellation/approve"))
    assert done["order"]["status"] == "cancelled"
    assert ok(staff["seller"].get("/orders?status=cancelled"))["items"][0]["id"] == order["order"]["id"]


def test_withdrawal_after_funds_needs_two_ids_and_an_iban(client, staff, order):
    seller, order_id = staff["seller"], order["order"]["id"]
    path = f"/orders/{order_id}"
    ok(seller.send("PUT", f"{path}/payment-plan", {"method": "transfer"}))
    ok(seller.post(f"{path}/payments", {"amount_cents": order["order"]["total_ttc_cents"] - 50_000}), 201)
    asked = ok(seller.post(f"{path}/cancellation", {"reason": "withdrawal", "note": "Le client se rétracte"}))
    assert asked["order"]["cancellation"]["branch"] == "after_funds"
    assert asked["order"]["cancellation"]["refund_due_on"] == (NOW + timedelta(days=14)).date().isoformat()
    refused = staff["manager"].post(f"{path}/cancellation/approve")
    assert refused.status_code == 409 and body(refused)["error"]["code"] == "cancellation_incomplete"
    wrong = seller.send("PUT", f"{path}/cancellation/iban", {"iban": "FR76 3000 6000 0112 3456 7890 188"})
    assert body(wrong)["error"]["code"] == "invalid_iban"
    ok(seller.send("PUT", f"{path}/cancellation/iban", {"iban": IBAN}))
    document(staff, order_id, "refund_identity")
    document(staff, order_id, "refund_identity", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg")
    assert ok(staff["manager"].post(f"{path}/cancellation/approve"))["order"]["status"] == "cancelled"


def test_cancelling_an_organised_order_tells_back_office_inspector_and_partner(client, staff, order):
    path = f"/orders/{order['order']['id']}"
    ok(staff["seller"].send("PUT", f"{path}/delivery", {
        "mode": "home", "address": "3 place Bellecour, 69002 Lyon",
        "partner": {"name": "Livraisons Express", "email": "planning@livraisons.example"}}))
    ok(staff["seller"].post(f"{path}/organise"))
    asked = ok(staff["seller"].post(f"{path}/cancellation", {"reason": "cancellation"}))
    assert asked["order"]["cancellation"]["organised"]
    assert offers.emails_to("planning@livraisons.example")
    told = asked["history"][-1]["details"]["told"]
    assert "Bérénice ADV" in told and "Marc Manager" in told


def test_only_an_admin_reads_and_edits_the_template(client, staff):
    assert staff["seller"].get("/dealer/order-template").status_code == 403
    template = ok(staff["admin"].get("/dealer/order-template"))
    items = template["items"][:5]
    items[0]["label"] = "Appeler le client pour fixer la cession"
    edited = ok(staff["admin"].send("PUT", "/dealer/order-template", {"version": 0, "items": items}))
    assert edited["version"] == 1 and edited["items"][0]["label"].startswith("Appeler")


def test_another_dealer_gets_404(client, staff, order):
    other = tenant("Autre Garage")
    stranger = staff["seller"].as_(other.token(other.seller))
    path = f"/orders/{order['order']['id']}"
    assert stranger.get(path).status_code == 404
    assert stranger.post(f"{path}/handover").status_code == 404
    assert stranger.post(f"{path}/cancellation", {"reason": "cancellation"}).status_code == 404
    assert stranger.post("/orders", {"quote_id": order["order"]["quote_id"]}).status_code == 404
    assert ok(stranger.get("/orders"))["items"] == []


def test_staff_download_a_received_document_through_a_short_lived_link_and_another_dealer_gets_404(
        client, staff, order):
    order_id = order["order"]["id"]
    document_id = document(staff, order_id, "identity")
    link = ok(staff["office"].get(f"/orders/{order_id}/documents/{document_id}/download"))
    assert "X-Amz-Expires=300" in link["url"] and datetime.fromisoformat(link["expires_at"])
    fetched = requests.get(link["url"], timeout=10)
    assert fetched.status_code == 200 and fetched.content == PDF
    assert "identity.pdf" in fetched.headers["content-disposition"]

    waiting = ok(staff["seller"].post(f"/orders/{order_id}/documents", {
        "kind": "proof_of_address", "filename": "adresse.pdf", "content_type": "application/pdf"}), 201)
    refused = staff["seller"].get(f"/orders/{order_id}/documents/{waiting['document']['id']}/download")
    assert refused.status_code == 400 and body(refused)["error"]["fields"] == {"document_id": "not uploaded"}

    other = tenant("Autre Garage")
    stranger = staff["seller"].as_(other.token(other.seller))
    assert stranger.get(f"/orders/{order_id}/documents/{document_id}/download").status_code == 404
    assert staff["seller"].get(f"/orders/{order_id}/documents/nope/download").status_code == 404


def test_the_order_milestones_schedule_tells_the_seller_once_by_email(client, staff, order, garage):
    reserved_on = local_time.paris_date(NOW)
    next_morning = datetime.combine(reserved_on + timedelta(days=1), time(12), timezone.utc)
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                            resources=[])
    at(next_morning)
    first = client.lambda_.invoke("order-milestones", event).payload
    again = client.lambda_.invoke("order-milestones", event).payload
    assert first["handled"] >= 10 and again == {"handled": 0}
    subjects = [offers.read(m).subject for m in offers.emails_to(garage.seller.email)]
    assert sum("Disponibilités du client et du véhicule" in s for s in subjects) == 1
    page = ok(staff["seller"].get(f"/orders/{order['order']['id']}"))
    assert page["overdue"] >= 10 and page["milestones"][0]["overdue"]
    assert ok(staff["seller"].get("/orders"))["items"][0]["overdue"]


def test_a_refund_still_to_make_warns_the_managers_once_four_days_before_its_day(client, staff, order, garage):
    seller, path = staff["seller"], f"/orders/{order['order']['id']}"
    ok(seller.send("PUT", f"{path}/payment-plan", {"method": "transfer"}))
    ok(seller.post(f"{path}/payments", {"amount_cents": order["order"]["total_ttc_cents"] - 50_000}), 201)
    asked = ok(seller.post(f"{path}/cancellation", {"reason": "withdrawal"}))
    due_on = datetime.fromisoformat(asked["order"]["cancellation"]["refund_due_on"]).date()
    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                            resources=[])
    at(datetime.combine(due_on - timedelta(days=4), time(12), timezone.utc))
    client.lambda_.invoke("order-milestones", event)
    client.lambda_.invoke("order-milestones", event)
    warned = ok(seller.get(path))
    assert warned["order"]["cancellation"]["warned_at"] is not None
    assert warned["order"]["version"] == asked["order"]["version"] + 1
    assert [e["kind"] for e in warned["history"]].count("refund_due_soon") == 1
    to_manager = offers.emails_to(f"manager-{garage.dealer.id.lower()}@example.com")
    assert [offers.read(m).subject.startswith("Remboursement dû") for m in to_manager].count(True) == 1


# --- the stock vehicle and the invoices (the wiring) ----------------------------------------------

CLIO = {"vin": "VF1RFB00X56789012", "make": "Renault", "model": "Clio", "version": "TCe 90",
        "registration": "EF-456-GH", "first_registration": "2021-03-15", "mileage_km": 42_000, "kind": "used",
        "price_cents": 1_499_000, "vat_regime": "margin"}


def test_a_showroom_order_of_a_car_already_reserved_is_refused(client, staff, garage):
    seller = staff["seller"]
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=Role.ADMIN)
    branch = dealers.add_branch(garage.dealer.id, NewBranch(name="Lyon"), by=admin).branches[-1]
    car = ok(seller.post("/vehicles", {**CLIO, "branch_id": branch.id}), 201)
    line = {"kind": "vehicle", "label": "Renault Clio", "unit_price_cents": 1_499_000, "vat_rate": 0,
            "margin_scheme": True, "vehicle_id": car["id"]}
    first, second = (offers.offer(seller, tag, lines=[line]).quote_id for tag in ("stock1", "stock2"))
    quote = ok(seller.get(f"/quotes/{first}"))
    assert quote["lines"][0]["vehicle"]["vin"] == CLIO["vin"] and quote["lines"][0]["vehicle_id"] == car["id"]
    opened = ok(seller.post("/orders", {"quote_id": first}), 201)
    assert opened["order"]["vehicle"]["vehicle_id"] == car["id"]
    assert ok(seller.get(f"/vehicles/{car['id']}"))["status"] == "reserved"
    refused = seller.post("/orders", {"quote_id": second})
    assert refused.status_code == 409, refused.body
    error = body(refused)["error"]
    assert error["code"] == "vehicle_no_longer_available" and "Renault Clio" in error["message"]
    assert [o["id"] for o in ok(seller.get("/orders"))["items"]] == [opened["order"]["id"]]


def test_the_handover_issues_the_final_invoice(client, staff, order):
    seller, order_id = staff["seller"], order["order"]["id"]
    path = f"/orders/{order_id}"
    ok(seller.send("PUT", f"{path}/payment-plan", {"method": "credit", "financed_cents": 1_000_000}))
    ok(seller.post(f"{path}/credit-approval"))
    ok(staff["office"].post(f"{path}/milestones/documents_validated/done"))
    assert ok(seller.post(f"{path}/handover"))["order"]["status"] == "handed_over"
    [final] = ok(seller.get("/invoices"))["items"]
    assert final["kind"] == "final" and final["ttc_cents"] == order["order"]["total_ttc_cents"]
