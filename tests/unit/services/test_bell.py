"""The bell on the in-memory table: every notice a seller is told by email or SMS is also in the app, written
with the notice; read one, read all; another user's notice is not found."""
from datetime import timedelta

import pytest

from chalicelib.domain.dealers import NewUser, NotificationPreferences, Role, Staff
from chalicelib.domain.errors import NotFound
from chalicelib.domain.notices import RETENTION, About
from chalicelib.domain.outbox import Bell, bell_message
from chalicelib.services import bell, dealers, outbox, portal, proposal_expiry
from chalicelib.store import dealers as dealer_store
from chalicelib.store import keys
from chalicelib.store import outbox as outbox_store
from chalicelib.store.unit_of_work import commit
from tests import customer_side as side
from tests.customer_side import PHONE
from tests.support import Tenant, at, tenant


@pytest.fixture
def garage(memory) -> Tenant:
    side.at(side.NOW)
    return tenant()


def staff(user) -> Staff:
    return Staff(dealer_id=user.dealer_id, user_id=user.id, role=user.role)


def delivered(memory) -> None:
    """What the table's stream does with the seller notices just queued: expands them."""
    for (pk, sk), item in list(memory.items.items()):
        if sk.startswith(keys.OUTBOX_PREFIX) and item["channel"] == "seller" and item["status"] == "pending":
            outbox.deliver_written({keys.PK: pk, keys.SK: sk})


def quiet(user) -> None:
    """The user wants neither email nor SMS."""
    commit(dealer_store.user_saved(user.model_copy(update={
        "notifications": NotificationPreferences(email=False, sms=False), "version": user.version + 1})))


def test_a_customer_s_view_reaches_the_seller_s_bell_unread_with_its_link(garage, memory):
    sent = side.sent(garage)
    portal.seen(sent.token, PHONE)
    assert bell.listed(staff(garage.seller)).items == []  # told when the notice is expanded, from the stream
    delivered(memory)
    listed = bell.listed(staff(garage.seller))
    [notice] = listed.items
    assert (notice.kind, notice.about, notice.link, notice.read) == (
        "viewed", "proposal", f"#/proposals/{sent.proposal.id}", False)
    assert "a consulté la proposition" in notice.text and listed.unread == 1
    [item] = [i for (_, sk), i in memory.items.items() if sk.startswith(keys.NOTICE_PREFIX)]
    assert item[keys.TTL] == int((side.NOW + RETENTION).timestamp())
    assert bell.listed(staff(garage.admin)).items == []


def test_reading_one_then_all_empties_the_unread_count(garage, memory):
    sent = side.sent(garage)
    portal.seen(sent.token, PHONE)
    portal.ask(sent.token, sent.form("question", question="La garantie ?"), PHONE)
    delivered(memory)
    newest, oldest = bell.listed(staff(garage.seller)).items
    assert (newest.kind, oldest.kind) == ("question", "viewed")
    assert bell.read(staff(garage.seller), oldest.id).read
    assert bell.read(staff(garage.seller), oldest.id).read  # again: still read, nothing to do
    assert bell.listed(staff(garage.seller)).unread == 1
    assert bell.read_all(staff(garage.seller)).marked == 1
    listed = bell.listed(staff(garage.seller))
    assert listed.unread == 0 and all(n.read for n in listed.items)


def test_another_user_s_or_dealer_s_notice_is_not_found(garage, memory):
    sent = side.sent(garage)
    portal.seen(sent.token, PHONE)
    delivered(memory)
    [notice] = bell.listed(staff(garage.seller)).items
    other = tenant("Garage du Lac")
    for stranger in (garage.admin, other.seller):
        with pytest.raises(NotFound):
            bell.read(staff(stranger), notice.id)
    assert not bell.listed(staff(garage.seller)).items[0].read


def test_an_alert_reaches_the_bell_even_when_email_and_sms_are_off(garage):
    quiet(garage.seller)
    proposal = side.sent(garage).proposal
    at(proposal.expires_at + timedelta(minutes=1))
    assert proposal_expiry.expire_due() == 1
    [notice] = bell.listed(staff(garage.seller)).items
    assert (notice.kind, notice.about_id) == ("expired", proposal.id) and "a expiré" in notice.text


def test_a_manager_who_follows_the_team_finds_its_customers_actions_in_the_bell(garage, memory):
    by = staff(garage.admin)
    follows = dealers.create_user(garage.dealer.id, NewUser(email="m1@example.com", name="Manon", role=Role.MANAGER),
                                  by=by)
    commit(dealer_store.user_saved(follows.model_copy(update={
        "notifications": NotificationPreferences(team_in_app=True, on_view=True), "version": follows.version + 1})))
    dealers.create_user(garage.dealer.id, NewUser(email="m2@example.com", name="Marc", role=Role.MANAGER), by=by)
    sent = side.sent(garage)
    portal.seen(sent.token, PHONE)
    delivered(memory)
    assert [n.kind for n in bell.listed(staff(dealer_store.get_user(garage.dealer.id, follows.id))).items] == ["viewed"]
    assert bell.listed(staff(garage.admin)).items == []


def test_the_count_stops_at_a_hundred_and_read_all_goes_through_every_page(garage, memory):
    about = Bell(kind="order_milestone", about=About.ORDER, about_id="O1")
    for n in range(150):
        commit(outbox_store.new(bell_message(garage.dealer.id, garage.seller.id, f"Étape {n}", about, "order_milestone",
                                             side.NOW + timedelta(seconds=n))))
    listed = bell.listed(staff(garage.seller), limit=20)
    assert (len(listed.items), listed.unread, listed.items[0].text) == (20, 100, "Étape 149")
    assert [n.text for n in bell.listed(staff(garage.seller), listed.next_cursor, 1).items] == ["Étape 129"]
    assert bell.read_all(staff(garage.seller)).marked == 150
    assert bell.listed(staff(garage.seller)).unread == 0
