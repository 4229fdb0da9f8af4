"""SPEC K over HTTP: the lead follows its proposal (timeline, last activity, won, « perdu ou ouvert ? »),
the screens' conditional reads (ETag, 304 while nothing changed, never another dealer's), and the
proposals list's filters and search."""
from datetime import datetime, timedelta

import pytest

from tests import offers, portal
from tests.portal import NOW, Customer
from tests.support import Api, at, body, tenant


def minutes(n: int) -> datetime:
    at(NOW + timedelta(minutes=n))
    return NOW + timedelta(minutes=n)


@pytest.fixture
def lead_id(seller) -> str:
    created = seller.post("/leads", {"contacts": [{"name": "Hélène Martin", "email": "helene@example.com"}],
                                     "type": "used_vehicle_sale", "source": "site web"})
    assert created.status_code == 201, created.body
    return body(created)["id"]


@pytest.fixture
def intruder(client) -> Api:
    """A seller of another dealer (tokens made before the tests move the clock on)."""
    other = tenant("Autre Garage")
    return Api(client, other.token(other.seller))


def sent_from(seller: Api, lead_id: str, tag: str, send_at: int = 1) -> portal.Sent:
    """A quote of the lead's, proposed now and sent `send_at` minutes after NOW."""
    sale = offers.offer(seller, tag, origin="lead", lead_id=lead_id)
    minutes(send_at)
    return portal.send(seller, sale)


def lead(seller: Api, lead_id: str) -> dict:
    read = seller.get(f"/leads/{lead_id}")
    assert read.status_code == 200, read.body
    return body(read)


def newest(seller: Api, lead_id: str) -> tuple[str, str, datetime]:
    page = lead(seller, lead_id)
    entry = page["details"]["timeline"][0]
    return entry["source"], entry["kind"], datetime.fromisoformat(page["header"]["last_activity_at"])


# --- the lead follows its proposal --------------------------------------------------------------

def test_each_step_of_the_customer_reaches_the_lead_s_timeline_and_last_activity(client, seller, lead_id):
    sent = sent_from(seller, lead_id, "k1")
    assert newest(seller, lead_id) == ("proposal", "email_sent", NOW + timedelta(minutes=1))
    customer = Customer(client, sent.token)

    minutes(2)
    customer.get()
    assert newest(seller, lead_id) == ("proposal", "viewed", NOW + timedelta(minutes=2))

    minutes(3)
    assert customer.post("/question", {"question": "Livraison un samedi ?"}, form="question").status_code == 303
    assert newest(seller, lead_id) == ("proposal", "question_asked", NOW + timedelta(minutes=3))

    minutes(4)
    [question] = portal.proposal_view(seller, sent.proposal_id)["questions"]
    answered = seller.post(f"/proposals/{sent.proposal_id}/questions/{question['id']}/answer", {"answer": "Oui."})
    assert answered.status_code == 200
    assert newest(seller, lead_id) == ("proposal", "question_answered", NOW + timedelta(minutes=4))

    minutes(5)
    assert seller.post(f"/proposals/{sent.proposal_id}/remind", {}).status_code == 200
    assert newest(seller, lead_id) == ("proposal", "reminder_sent", NOW + timedelta(minutes=5))

    minutes(6)
    portal.sign(customer, sent)
    page = lead(seller, lead_id)
    assert page["header"]["status"] == "won"
    assert datetime.fromisoformat(page["header"]["last_activity_at"]) == NOW + timedelta(minutes=6)
    signed = {(e["source"], e["kind"]) for e in page["details"]["timeline"]}
    assert {("proposal", "accepted"), ("order", "opened"), ("lead", "status_changed")} <= signed
    [row] = page["details"]["proposals"]
    assert (row["id"], row["status"]) == (sent.proposal_id, "accepted")
    [order] = page["details"]["orders"]
    assert order["status"] == "reserved"
    # Every proposal entry opens its proposal.
    assert {e["item"]["id"] for e in page["details"]["timeline"] if e["source"] == "proposal"} == {sent.proposal_id}


def test_a_declined_proposal_asks_whether_the_lead_is_lost_and_keep_open_answers(client, seller, lead_id, intruder):
    sent = sent_from(seller, lead_id, "k2")
    minutes(10)
    customer = Customer(client, sent.token)
    assert customer.post("/decline", {"reason": "Trop cher"}, form="decline").status_code == 303
    page = lead(seller, lead_id)
    assert page["loss_prompt"]["outcome"] == "declined"
    assert page["loss_prompt"]["proposal_id"] == sent.proposal_id
    assert datetime.fromisoformat(page["header"]["last_activity_at"]) == NOW + timedelta(minutes=10)

    assert intruder.post(f"/leads/{lead_id}/keep-open").status_code == 404
    minutes(11)
    kept = seller.post(f"/leads/{lead_id}/keep-open")
    assert kept.status_code == 200 and body(kept)["loss_prompt"] is None
    assert body(kept)["details"]["timeline"][0]["kind"] == "kept_open"
    again = seller.post(f"/leads/{lead_id}/keep-open")
    assert again.status_code == 409


# --- conditional reads ---------------------------------------------------------------------------

def test_a_read_answers_304_until_what_it_shows_changes_and_never_for_another_dealer(client, seller, lead_id,
                                                                                    intruder):
    sent = sent_from(seller, lead_id, "k3")
    paths = [f"/proposals/{sent.proposal_id}", f"/leads/{lead_id}", "/proposals", "/leads", "/orders"]
    tags = {}
    for path in paths:
        first = seller.get(path)
        assert first.status_code == 200 and first.headers["ETag"].startswith('W/"')
        tags[path] = first.headers["ETag"]
    minutes(90)  # time passing alone (the lead's countdown) is no change
    for path in paths:
        unchanged = client.http.get(path, headers={**seller._headers(), "if-none-match": tags[path]})
        assert (unchanged.status_code, unchanged.body) == (304, b""), path

    Customer(client, sent.token).get()  # viewed: the proposal, its list and its lead change; orders do not
    changed = {path: client.http.get(path, headers={**seller._headers(), "if-none-match": tags[path]})
               for path in paths}
    assert {path: answer.status_code for path, answer in changed.items()} == {
        f"/proposals/{sent.proposal_id}": 200, f"/leads/{lead_id}": 200, "/proposals": 200, "/leads": 200,
        "/orders": 304}
    assert changed["/proposals"].headers["ETag"] != tags["/proposals"]

    for path in (f"/proposals/{sent.proposal_id}", f"/leads/{lead_id}"):
        stolen = client.http.get(path, headers={**intruder._headers(), "if-none-match": tags[path]})
        assert stolen.status_code == 404
    # Another dealer's list has its own version: this dealer's changes never show in it.
    theirs = intruder.get("/proposals")
    minutes(100)
    Customer(client, sent.token).post("/question", {"question": "Encore là ?"}, form="question")
    again = client.http.get("/proposals", headers={**intruder._headers(), "if-none-match": theirs.headers["ETag"]})
    assert again.status_code == 304


# --- the proposals list ------------------------------------------------------------------------

def test_the_list_filters_by_status_seller_and_customer_name_or_reference(client, seller, garage):
    sent = portal.send(seller, offers.offer(seller, "f1"))
    draft = offers.propose(seller, offers.offer(seller, "f2"))
    admin = Api(client, garage.token(garage.admin))
    by_admin = offers.propose(admin, offers.offer(admin, "f3"))
    everything = body(seller.get("/proposals"))["items"]
    assert len(everything) == 3
    reference = next(p["reference"] for p in everything if p["id"] == sent.proposal_id)

    def ids(query: str) -> list[str]:
        answer = seller.get(f"/proposals?{query}")
        assert answer.status_code == 200, answer.body
        return [p["id"] for p in body(answer)["items"]]

    assert ids(f"q={reference.lower()}") == [sent.proposal_id]
    assert ids("q=DURAND%20TRANSPORTS") == [by_admin["id"], draft["id"], sent.proposal_id]
    assert ids("q=transpôrts&status=sent") == [sent.proposal_id]
    assert ids(f"seller_id={garage.admin.id}") == [by_admin["id"]]
    assert ids(f"seller_id={garage.seller.id}&status=draft") == [draft["id"]]
    assert ids("q=personne") == []
    page = body(seller.get(f"/proposals?seller_id={garage.seller.id}&limit=1"))
    following = body(seller.get(f"/proposals?seller_id={garage.seller.id}&limit=1&cursor={page['next_cursor']}"))
    assert [p["id"] for p in page["items"] + following["items"]] == [draft["id"], sent.proposal_id]
    assert seller.get("/proposals?q=" + "x" * 101).status_code == 400
    row = next(p for p in everything if p["id"] == sent.proposal_id)
    assert (row["signed_at"], row["payment_anomalies"]) == (None, 0)
