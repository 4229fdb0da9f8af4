"""The managers' dashboard on the in-memory table: each event adds once to its day's counter, in the unit of
work that records it; the period's figures, conversion and median come from those counters alone."""
from datetime import date, timedelta

import pytest

from chalicelib.domain.dealers import NewUser, Role, Staff
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.funnel import DashboardQuery, median_hours, sign_bucket
from chalicelib.documents import dashboard_chart
from chalicelib.domain.orders.commands import OpenFromQuote, PaymentPlanInput
from chalicelib.services import deposits, funnel, orders, portal, signing
from chalicelib.services import dealers, payment_webhook
from chalicelib.services.customer_contact import issue_link
from chalicelib.store import keys
from chalicelib.store import proposals as proposal_store
from chalicelib.store.table import Update
from chalicelib.store.unit_of_work import commit
from tests import customer_side as side
from tests import samples
from tests.customer_side import PHONE, SIGN_FORM
from tests.orders_support import OPENED_AT, command, garage as order_garage, quote_for_a_car
from tests.support import Tenant, at, tenant

DAY = date(2026, 11, 24)  # side.NOW in Paris


@pytest.fixture
def garage(memory) -> Tenant:
    side.at(side.NOW)
    return tenant()


def staff(user) -> Staff:
    return Staff(dealer_id=user.dealer_id, user_id=user.id, role=user.role)


def period(start: date = DAY, end: date = DAY + timedelta(days=3)) -> DashboardQuery:
    return DashboardQuery(start=start, end=end).check()


def another_sent(garage: Tenant, number: int) -> side.Sent:
    """One more proposal of the seller sent to Marie, with its link (side.sent makes one per test)."""
    draft = samples.proposal().model_copy(update={"id": f"P{number}", "reference": f"P2026-{number:05d}",
                                                  "dealer_id": garage.dealer.id, "seller_id": garage.seller.id})
    proposal = draft.sent(samples.TO_MARIE, True, side.NOW)
    proposal_store.create(proposal, [])
    link = issue_link(garage.dealer, proposal, samples.TO_MARIE.email, side.NOW)
    commit(link.write)
    return side.Sent(proposal, link.token)


def counters(memory) -> list[dict]:
    return [i for (_, sk), i in memory.items.items() if sk.startswith(keys.FUNNEL_PREFIX)]


def test_the_median_is_read_from_the_time_to_sign_buckets():
    assert [sign_bucket(timedelta(minutes=m)) for m in (30, 60, 61, 60 * 24 * 40)] == [0, 0, 1, 8]
    assert median_hours([0] * 9) is None
    assert median_hours([2, 0, 0, 0, 0, 0, 0, 0, 0]) == 0.5  # two in the first hour: half-way through it
    assert median_hours([0, 0, 4, 0, 0, 0, 0, 0, 0]) == 14.0  # four between 4 h and 24 h
    assert median_hours([0, 0, 0, 0, 0, 0, 0, 0, 3]) == 720.0  # beyond 30 days: its lower bound


def test_a_view_a_signature_and_a_payment_each_count_once_for_the_seller(garage, memory):
    sent = side.sent(garage)
    portal.seen(sent.token, PHONE)
    side.later(60 * 15)  # the next Paris day: a second counted view, not a second viewed proposal
    portal.seen(sent.token, PHONE)
    side.later(60 * 16)
    signing.start(sent.token, sent.form("sign", **SIGN_FORM), PHONE)
    signing.confirm(sent.token, sent.form("code", code=side.latest_code(memory)), PHONE)
    deposits.start(sent.token, sent.form("deposit"), PHONE)
    payload, signature = side.webhook_event(sent, session_id=side.stored(sent).deposit_payment.session_id)
    payment_webhook.receive(payload, signature)
    payment_webhook.receive(payload, signature)  # replayed: counted once
    board = funnel.dashboard(staff(garage.admin), period())
    total = board.total
    assert (total.sent, total.viewed, total.signed, total.paid, total.handed_over) == (0, 1, 1, 1, 0)
    assert total.median_hours_to_sign == 14.0  # one signature 16 h after the send: half-way through 4 h–24 h
    [row] = board.sellers
    assert (row.id, row.name, row.viewed, row.signed) == (garage.seller.id, "Victor Vendeur", 1, 1)
    [site] = board.sites
    assert site.name == funnel.NO_SITE
    assert sorted(c["day"] for c in counters(memory)) == ["2026-11-24", "2026-11-25"]


def test_the_dashboard_reads_only_counters_whatever_the_number_of_proposals(garage, memory):
    for number in range(5):
        portal.seen(another_sent(garage, number).token, PHONE)
    memory.calls.clear()
    board = funnel.dashboard(staff(garage.admin), period(DAY - timedelta(days=40), DAY))
    assert board.total.viewed == 5
    assert dict(memory.calls) == {"GetItem": 1, "Query": 3}  # the dealer, its users, two months of counters


def test_a_period_outside_the_events_shows_nothing(garage):
    portal.seen(side.sent(garage).token, PHONE)
    board = funnel.dashboard(staff(garage.admin), period(DAY + timedelta(days=1), DAY + timedelta(days=30)))
    assert (board.total.viewed, board.sellers, board.total.conversion_percent) == (0, [], None)


def test_a_seller_may_not_read_the_dashboard_and_a_period_is_checked(garage):
    with pytest.raises(Forbidden):
        funnel.dashboard(staff(garage.seller), period())
    manager = dealers.create_user(garage.dealer.id, NewUser(email="m@example.com", name="Manon", role=Role.MANAGER),
                                  by=staff(garage.admin))
    assert funnel.dashboard(staff(manager), period()).total.viewed == 0
    with pytest.raises(InvalidInput):
        DashboardQuery(start=DAY, end=DAY - timedelta(days=1)).check()
    with pytest.raises(InvalidInput):
        DashboardQuery(start=DAY, end=DAY + timedelta(days=366)).check()


def test_the_csv_holds_the_same_figures(garage):
    portal.seen(side.sent(garage).token, PHONE)
    text = funnel.as_csv(funnel.dashboard(staff(garage.admin), period()))
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Périmètre;Nom;Envoyées;Consultées")
    assert lines[1].split(";")[:4] == ["Concession", "Garage des Tilleuls", "0", "1"]
    assert lines[2].split(";")[:4] == ["Vendeur", "Victor Vendeur", "0", "1"]


def test_the_chart_is_an_svg_with_every_figure_written_and_names_escaped(garage):
    portal.seen(side.sent(garage).token, PHONE)
    board = funnel.dashboard(staff(garage.admin), period())
    renamed = board.model_copy(update={"sellers": [board.sellers[0].model_copy(update={"name": "<Victor & co>"})]})
    svg = dashboard_chart.chart(renamed)
    assert svg.startswith("<svg") and "Consultées" in svg and "&lt;Victor &amp; co&gt;" in svg
    assert "<Victor" not in svg


def test_the_handover_of_an_order_sold_by_a_proposal_counts_once(memory):
    at(OPENED_AT)
    g = order_garage()
    opened = orders.open_from_quote(g.dealer_id, command(OpenFromQuote, quote_id=quote_for_a_car(g),
                                                         deposit_paid_cents=50_000), by=g.seller)
    order_id = opened.order.id
    # As an acceptance opens it: the order names its proposal (the only handovers the funnel counts).
    commit(Update(keys.order(g.dealer_id, order_id), set={"proposal_id": "P1"}))
    orders.set_payment_plan(g.dealer_id, order_id, command(PaymentPlanInput, method="credit",
                                                           financed_cents=1_000_000), by=g.seller)
    orders.approve_credit(g.dealer_id, order_id, by=g.seller)
    orders.check_milestone(g.dealer_id, order_id, "documents_validated", by=g.as_back_office)
    orders.hand_over(g.dealer_id, order_id, by=g.seller)
    board = funnel.dashboard(g.admin, period(OPENED_AT.date(), OPENED_AT.date()))
    assert (board.total.handed_over, board.sellers[0].id) == (1, g.seller.user_id)
