"""One car, two buyers, on the local services: two customers type their right codes at the same moment on two
proposals of one stock vehicle → exactly one is accepted; the other is told the car is gone (409, the seller's
contact on the page) and nothing of theirs is half-written."""
import secrets
import threading
from datetime import timedelta

from chalicelib.domain.dealers import NewBranch, Role, Staff
from chalicelib.services import dealers
from chalicelib.store import vehicles as vehicle_store
from tests import offers, portal
from tests.offers import LINES, emails_to
from tests.portal import LATER, SENT_AT, Customer, at, html
from tests.support import body

CLIO = {"vin": "VF1RFB00X56789012", "make": "Renault", "model": "Clio", "version": "TCe 90 Evolution",
        "registration": "AB-123-CD", "first_registration": "2021-03-15", "mileage_km": 42000, "kind": "used",
        "price_cents": 1499000, "vat_regime": "margin"}


def stock_car(seller, garage) -> str:
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=Role.ADMIN)
    branch = dealers.add_branch(garage.dealer.id, NewBranch(name="Lyon"), by=admin).branches[0].id
    created = seller.post("/vehicles", {**CLIO, "branch_id": branch})
    assert created.status_code == 201, created.body
    return body(created)["id"]


def sent_for(seller, garage, car_id: str) -> portal.Sent:
    """A proposal whose vehicle line is taken from the stock, sent to a customer of its own."""
    vehicle_line = {key: value for key, value in LINES[0].items() if key != "vehicle"} | {"vehicle_id": car_id}
    offer = offers.offer(seller, garage.dealer.id.lower() + secrets.token_hex(2), lines=[vehicle_line, *LINES[1:]])
    proposal = offers.propose(seller, offer, seller=portal.seller_block(offer.quote_id))
    at(SENT_AT)
    sent = seller.post(f"/proposals/{proposal['id']}/send", {})
    assert sent.status_code == 200, sent.body
    token = offers.token_in(offers.read(emails_to(offer.email)[-1]))
    at(LATER)
    return portal.Sent(proposal["id"], offer.email, token)


def test_two_customers_typing_their_codes_at_once_one_gets_the_car(client, seller, garage):
    car_id = stock_car(seller, garage)
    sents = [sent_for(seller, garage, car_id), sent_for(seller, garage, car_id)]
    customers = [Customer(client, sent.token) for sent in sents]
    codes = []
    for customer, sent in zip(customers, sents):
        assert customer.post("/sign", portal.SIGN_FORM, form="sign").status_code == 303
        codes.append(portal.latest_code(sent.email))

    barrier = threading.Barrier(2)
    answers: dict[int, object] = {}

    def type_code(n: int) -> None:
        barrier.wait()
        answers[n] = customers[n].post("/code", {"code": codes[n]}, form="code")

    threads = [threading.Thread(target=type_code, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = [body(seller.get(f"/proposals/{sent.proposal_id}"))["proposal"]["status"] for sent in sents]
    assert sorted(statuses) == ["accepted", "withdrawn"], statuses
    winner, loser = (0, 1) if statuses[0] == "accepted" else (1, 0)
    assert answers[winner].status_code == 303
    # The loser either lost the transaction (409 in place) or read the proposal already withdrawn (back to its page).
    assert answers[loser].status_code in (303, 409)
    page = customers[loser].get()
    assert page.status_code == 410
    loser_view = body(seller.get(f"/proposals/{sents[loser].proposal_id}"))
    assert "Ce véhicule n'est plus disponible" in html(page).replace("&#39;", "'")
    assert loser_view["proposal"]["seller"]["email"] in html(page)
    assert loser_view["proposal"]["signature"] is None
    car = body(seller.get(f"/vehicles/{car_id}"))
    assert car["status"] == "reserved" and car["reservation"]["proposal_id"] == sents[winner].proposal_id
    kinds = [event["kind"] for event in loser_view["history"]]
    assert "vehicle_gone" in kinds and "accepted" not in kinds and "code_verified" not in kinds
    [order] = body(seller.get("/orders"))["items"]
    opened = body(seller.get(f"/orders/{order['id']}"))
    assert opened["order"]["proposal_id"] == sents[winner].proposal_id, opened
    assert opened["order"]["vehicle"]["vehicle_id"] == car_id


def test_an_accepted_car_whose_order_goes_forward_stays_reserved_past_the_hold(client, seller, garage):
    car_id = stock_car(seller, garage)
    sent = sent_for(seller, garage, car_id)
    portal.sign(Customer(client, sent.token), sent)
    [order] = body(seller.get("/orders"))["items"]
    # The payment method confirmed on the order: the order goes forward, the hold no longer runs out.
    confirmed = seller.send("PUT", f"/orders/{order['id']}/payment-plan", {"method": "transfer"})
    assert confirmed.status_code == 200, confirmed.body
    assert body(seller.get(f"/vehicles/{car_id}"))["reservation"]["hold_until"] is None

    event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                            resources=[])
    at(LATER + timedelta(days=60))
    client.lambda_.invoke("order-milestones", event)
    car = body(seller.get(f"/vehicles/{car_id}"))
    assert car["status"] == "reserved" and car["reservation"]["order_id"] == order["id"]


def stock_line(car_id: str) -> dict:
    return {key: value for key, value in LINES[0].items() if key != "vehicle"} | {"vehicle_id": car_id}


def test_a_draft_moved_to_another_stock_car_leaves_the_old_one_and_is_listed_on_the_new_one(client, seller, garage):
    first = stock_car(seller, garage)
    second = body(seller.post("/vehicles", {**CLIO, "vin": "VF1RFB00X56789013",
                                            "branch_id": body(seller.get(f"/vehicles/{first}"))["branch_id"]}))["id"]
    offer = offers.offer(seller, "deux-voitures", lines=[stock_line(first), *LINES[1:]])
    proposal = offers.propose(seller, offer, seller=portal.seller_block(offer.quote_id))
    assert list(vehicle_store.open_proposals(garage.dealer.id, first).proposals) == [proposal["id"]]

    moved = seller.send("PATCH", f"/proposals/{proposal['id']}", {"lines": [stock_line(second), *LINES[1:]]})
    assert moved.status_code == 200, moved.body
    assert body(moved)["proposal"]["lines"][0]["vehicle_id"] == second
    assert vehicle_store.open_proposals(garage.dealer.id, first).proposals == {}
    assert list(vehicle_store.open_proposals(garage.dealer.id, second).proposals) == [proposal["id"]]

    # A car reserved meanwhile cannot be pointed at: 409 naming the car, nothing changes.
    showroom = offers.offer(seller, "vitrine", lines=[stock_line(first), *LINES[1:]])
    assert seller.post("/orders", {"quote_id": showroom.quote_id}).status_code == 201
    refused = seller.send("PATCH", f"/proposals/{proposal['id']}", {"lines": [stock_line(first), *LINES[1:]]})
    assert refused.status_code == 409, refused.body
    assert body(refused)["error"]["code"] == "vehicle_no_longer_available"
    after = body(seller.get(f"/proposals/{proposal['id']}"))["proposal"]
    assert after["lines"][0]["vehicle_id"] == second and after["version"] == body(moved)["proposal"]["version"]
    assert list(vehicle_store.open_proposals(garage.dealer.id, second).proposals) == [proposal["id"]]
