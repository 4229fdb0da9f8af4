"""The task overview on the in-memory table: whose milestones are whose, and the bounded reads."""
import pytest

from chalicelib.domain.orders.commands import OpenFromQuote
from chalicelib.services import orders, task_overview
from tests.orders_support import OPENED_AT, command, garage, quote_for_a_car
from tests.support import at


@pytest.fixture
def g(memory):
    at(OPENED_AT)
    return garage()


def opened(g) -> str:
    opening = command(OpenFromQuote, quote_id=quote_for_a_car(g))
    return orders.open_from_quote(g.dealer_id, opening, by=g.seller).order.id


def test_the_reads_stay_bounded_and_say_when_more_orders_exist(g, memory):
    ids = {opened(g) for _ in range(task_overview.ORDERS_READ + 2)}
    memory.calls.clear()

    overview = task_overview.overview(g.seller)

    assert (overview.orders_read, overview.leads_read, overview.complete) == (task_overview.ORDERS_READ, 0, False)
    assert len({i.order_id for i in overview.items}) == task_overview.ORDERS_READ
    assert {i.order_id for i in overview.items} <= ids
    assert "Scan" not in memory.calls
    # the orders' page, one page per order read, the leads' page (1–2 Queries), the caller's record tasks
    assert memory.calls["Query"] <= 1 + task_overview.ORDERS_READ + 2 + 1


def test_back_office_sees_only_its_role_and_a_done_milestone_leaves(g):
    order_id = opened(g)
    office = task_overview.overview(g.as_back_office)
    assert {i.code for i in office.items} >= {"cleaning", "documents_validated"}
    assert "availability" not in {i.code for i in office.items}
    assert office.complete

    orders.check_milestone(g.dealer_id, order_id, "cleaning", by=g.as_back_office)
    assert "cleaning" not in {i.code for i in task_overview.overview(g.as_back_office).items}
