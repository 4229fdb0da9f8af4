"""The bell and the managers' dashboard through HTTP (DynamoDB Local, moto): proposals moved through send,
view, signature and acompte reach the seller's bell and the dashboard's figures; read, read all; a seller
may not read the dashboard; another user's or dealer's notice is not found."""
from datetime import timedelta

import pytest

from chalicelib.domain import local_time
from chalicelib.domain.dealers import NewUser, Role, Staff
from chalicelib.services import dealers
from tests.integration.test_deposits import checkout, pay, send, with_deposit
from tests.portal import NOW, Customer, header, sign
from tests.support import Api, body, tenant


@pytest.fixture
def manager(client, garage) -> Api:
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=Role.ADMIN)
    user = dealers.create_user(garage.dealer.id, NewUser(email=f"resp-{garage.dealer.id.lower()}@example.com",
                                                         name="Manon Responsable", role=Role.MANAGER), by=admin)
    return Api(client, garage.token(user))


def ok(response, status: int = 200):
    assert response.status_code == status, response.body
    return body(response)


def period() -> str:
    day = local_time.paris_date(NOW)
    return f"from={(day - timedelta(days=1)).isoformat()}&to={(day + timedelta(days=1)).isoformat()}"


def test_a_known_set_of_proposals_gives_the_dashboard_its_figures_and_the_seller_its_bell(
        client, garage, seller, manager):
    with_deposit(garage)
    paid, signed, viewed, unseen = (send(seller, garage) for _ in range(4))
    for sent in (paid, signed, viewed):
        customer = Customer(client, sent.token)
        customer.get()
        customer.get()  # a second view the same day: the same viewed proposal
    for sent in (paid, signed):
        sign(Customer(client, sent.token), sent)
    assert pay(client, checkout(Customer(client, paid.token))).status_code in (200, 303)

    board = ok(manager.get(f"/dashboard?{period()}"))
    total = board["total"]
    assert [total[k] for k in ("sent", "viewed", "signed", "paid", "handed_over")] == [4, 3, 2, 1, 0]
    assert total["conversion_percent"] == 50.0 and total["median_hours_to_sign"] is not None
    [row] = board["sellers"]
    assert (row["id"], row["name"], row["sent"]) == (garage.seller.id, "Victor Vendeur", 4)
    csv = manager.get(f"/dashboard/export?{period()}")
    assert csv.status_code == 200 and header(csv, "content-type").startswith("text/csv")
    assert "Vendeur;Victor Vendeur;4;3;2;1;0;50" in csv.body.decode("utf-8-sig")
    chart = manager.get(f"/dashboard/chart?{period()}")
    assert chart.status_code == 200 and chart.body.decode().startswith("<svg")

    bell = ok(seller.get("/me/notifications"))
    kinds = [n["kind"] for n in bell["items"]]
    assert sorted(set(kinds)) == ["paid", "signed", "viewed"] and kinds.count("viewed") == 3
    assert bell["unread"] == len(kinds)
    assert {n["link"] for n in bell["items"]} == {f"#/proposals/{s.proposal_id}" for s in (paid, signed, viewed)}
    assert unseen.proposal_id not in {n["about_id"] for n in bell["items"]}
    first = bell["items"][0]
    assert ok(seller.post(f"/me/notifications/{first['id']}/read"))["read"] is True
    assert ok(seller.get("/me/notifications"))["unread"] == len(kinds) - 1
    assert ok(seller.post("/me/notifications/read-all"))["marked"] == len(kinds) - 1
    assert ok(seller.get("/me/notifications"))["unread"] == 0


def test_a_seller_may_not_read_the_dashboard_and_a_bad_period_is_refused(client, seller, manager):
    refused = seller.get(f"/dashboard?{period()}")
    assert refused.status_code == 403 and body(refused)["error"]["code"] == "forbidden"
    assert seller.get(f"/dashboard/export?{period()}").status_code == 403
    bad = manager.get("/dashboard?from=2026-12-01&to=2026-11-01")
    assert bad.status_code == 400 and "to" in body(bad)["error"]["fields"]
    assert manager.get("/dashboard?from=2026-12-01").status_code == 400


def test_another_user_s_or_dealer_s_notice_is_not_found(client, garage, seller, manager):
    sent = send(seller, garage)
    Customer(client, sent.token).get()
    [notice] = ok(seller.get("/me/notifications"))["items"]
    other = tenant("Garage du Lac")
    stranger = Api(client, other.token(other.seller))
    for someone in (manager, stranger):
        answer = someone.post(f"/me/notifications/{notice['id']}/read")
        assert answer.status_code == 404 and body(answer)["error"]["code"] == "not_found"
        assert ok(someone.get("/me/notifications"))["items"] == []
    assert ok(seller.get("/me/notifications"))["unread"] == 1
