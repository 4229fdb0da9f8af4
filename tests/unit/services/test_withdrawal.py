"""The customer withdraws online, product by product, on the in-memory table (services/withdrawal.py)."""
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.clients import client
from chalicelib.documents import storage
from chalicelib.domain.dealers import DealerLegalChange
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.invoices import InvoiceKind, InvoiceListQuery
from chalicelib.domain.orders.cancellation import CancellationReason
from chalicelib.domain.orders.commands import OrderListQuery, PaymentPlanInput
from chalicelib.domain.orders.events import OrderEventKind
from chalicelib.domain.orders.model import OrderStatus
from chalicelib.domain.orders.withdrawal import ProductStatus
from chalicelib.domain.proposals.model import EventKind, ProposalStatus
from chalicelib.domain.quotes import LineKind
from chalicelib.portal.security import InvalidCsrf
from chalicelib.settings import settings
from chalicelib.services import dealers, invoices, order_cancellation, orders, task_overview, withdrawal
from chalicelib.services.customer_contact import issue_link
from chalicelib.store import withdrawals as withdrawal_store
from chalicelib.store.unit_of_work import commit
from tests import customer_side as side
from tests.offers import LEGAL
from tests.orders_support import OPENED_AT, Garage, command, garage
from tests.support import at

SIGNED_ON = side.NOW.date()  # Tuesday 24 November 2026


@pytest.fixture
def g(memory) -> Garage:
    at(OPENED_AT)
    g = garage()
    dealers.change_legal(g.dealer_id, DealerLegalChange(**LEGAL), by=g.admin)  # to invoice
    return g


@pytest.fixture
def signed(g):
    """A proposal Marie signed, with the order its acceptance opened (as signing does)."""
    at(side.NOW)
    the = side.sent(g.tenant, status=ProposalStatus.ACCEPTED)
    commit(orders.opened_by_acceptance(side.stored(the), side.NOW).writes)
    return the


def order_of(g: Garage, the):
    [summary] = orders.page(g.dealer_id, command(OrderListQuery)).items
    return orders.view(g.dealer_id, summary.id)


def relinked(g: Garage, the, when: datetime):
    """A new link at `when` (the customer asks for one by email once the first expired)."""
    at(when)
    link = issue_link(g.tenant.dealer, side.stored(the), "marie@example.com", when)
    commit(link.write)
    return side.Sent(the.proposal, link.token)


def line_id(the, kind: LineKind) -> str:
    return next(line.id for line in the.proposal.lines if line.kind == kind and line.included)


def form(the, *kinds: LineKind, **fields: str) -> dict[str, str]:
    ticked = {f"product-{line_id(the, kind)}": "1" for kind in kinds}
    return {**the.form("withdrawal"), "name": "Marie Durand", "address": "3 place Bellecour, 69002 Lyon", **ticked,
            **fields}


def state(the):
    return withdrawal_store.get(the.proposal.dealer_id, the.proposal.id)


def status_of(the, kind: LineKind) -> ProductStatus:
    return state(the).product(line_id(the, kind)).status


def handed_over(g: Garage, order_id: str, when: datetime) -> None:
    at(when)
    orders.set_payment_plan(g.dealer_id, order_id, command(PaymentPlanInput, method="credit", lender="Cetelem",
                                                           financed_cents=1_000_000), by=g.seller)
    orders.approve_credit(g.dealer_id, order_id, by=g.seller)
    for code in ("documents_validated", "handover_documents"):
        orders.check_milestone(g.dealer_id, order_id, code, by=g.as_back_office)
    orders.hand_over(g.dealer_id, order_id, by=g.seller)


# --- the page -----------------------------------------------------------------------------------------

def test_each_product_shows_its_own_period(signed):
    page = withdrawal.page(side.stored(signed), side.NOW)
    periods = {row.product.kind: row.period for row in page.rows}
    assert set(periods) == {LineKind.VEHICLE, LineKind.ACCESSORY, LineKind.SERVICE_CONTRACT}  # fees follow the car
    assert periods[LineKind.SERVICE_CONTRACT].ends_on == date(2026, 12, 8)  # 14 days from the signature
    assert periods[LineKind.VEHICLE].ends_on is None  # from the handover, not yet
    assert all(row.choosable for row in page.rows)
    assert page.customer_name == "Marie Durand"


def test_the_vehicle_period_runs_from_the_handover(g, signed):
    order_id = order_of(g, signed).order.id
    handed_over(g, order_id, datetime(2026, 12, 4, 15, tzinfo=UTC))  # Friday: +14 is Friday 18 December
    page = withdrawal.page(side.stored(signed), datetime(2026, 12, 19, 9, tzinfo=UTC))
    vehicle = next(row for row in page.rows if row.product.kind == LineKind.VEHICLE)
    assert vehicle.period.ends_on == date(2026, 12, 18) and not vehicle.open and not vehicle.choosable


# --- withdrawing a product -----------------------------------------------------------------------------

def test_withdrawing_the_service_contract_changes_the_products_the_order_and_tells_everyone(g, signed, memory):
    at(side.later(60))
    withdrawal.withdraw(signed.token, form(signed, LineKind.SERVICE_CONTRACT), side.PHONE)

    assert status_of(signed, LineKind.SERVICE_CONTRACT) == ProductStatus.WITHDRAWN
    assert status_of(signed, LineKind.VEHICLE) == ProductStatus.TAKEN
    view = order_of(g, signed)
    assert view.order.status == OrderStatus.RESERVED
    assert LineKind.SERVICE_CONTRACT not in {line.kind for line in view.order.lines}  # not billed at handover
    assert OrderEventKind.PRODUCTS_WITHDRAWN in [e.kind for e in view.history]
    [refund] = [m for m in view.milestones if m.code.startswith("withdrawal_refund_")]
    assert refund.due_by.date() == date(2026, 12, 8) and "L221-24" in refund.label  # 14 days after
    # The evidence chain, with the customer's IP and user agent; the seller's history.
    assert side.evidence(signed)[-1] == "withdrawal"
    assert EventKind.CUSTOMER_WITHDREW in side.history(signed)
    record = state(signed).last
    assert (record.ip, record.user_agent) == (side.PHONE.ip, side.PHONE.user_agent)
    # The acknowledgement with its PDF (a durable medium), the seller and back office told.
    [ack] = side.queued(memory, "withdrawal_ack")
    assert ack["to"] == "marie@example.com" and "08/12/2026" in ack["text"]
    [attachment] = ack["attachments"]
    assert storage.get(attachment["s3_key"]).startswith(b"%PDF")
    told = {item["to"] for item in side.queued(memory, "customer_withdrawal")}
    assert told == {g.tenant.seller.contact_email, g.back_office.contact_email}


def test_the_refund_due_is_in_the_managers_task_overview(g, signed):
    withdrawal.withdraw(signed.token, form(signed, LineKind.SERVICE_CONTRACT), side.PHONE)
    items = task_overview.overview(g.as_manager).items
    assert any(i.code and i.code.startswith("withdrawal_refund_") for i in items)


def test_after_its_period_the_service_contract_is_refused_and_nothing_changes(g, signed, memory):
    signed = relinked(g, signed, datetime(2026, 12, 9, 9, tzinfo=UTC))
    before = side.snapshot(memory)
    with pytest.raises(InvalidInput) as refused:
        withdrawal.withdraw(signed.token, form(signed, LineKind.SERVICE_CONTRACT), side.PHONE)
    assert "a pris fin le 8 décembre 2026" in refused.value.message
    assert side.snapshot(memory) == before


@pytest.mark.parametrize("fields, field", [
    ({}, "products"),
    ({"product-NOTALINE": "1"}, "products"),
])
def test_a_form_without_a_known_product_is_refused(signed, memory, fields, field):
    before = side.snapshot(memory)
    with pytest.raises(InvalidInput) as refused:
        withdrawal.withdraw(signed.token, form(signed, **fields), side.PHONE)
    assert field in refused.value.fields
    assert side.snapshot(memory) == before


def test_a_form_without_the_customers_name_is_refused(signed, memory):
    before = side.snapshot(memory)
    with pytest.raises(InvalidInput) as refused:
        withdrawal.withdraw(signed.token, {**form(signed, LineKind.SERVICE_CONTRACT), "name": "  "}, side.PHONE)
    assert "name" in refused.value.fields
    assert side.snapshot(memory) == before


def test_a_form_of_another_link_is_refused(signed):
    with pytest.raises(InvalidCsrf):
        withdrawal.withdraw(signed.token, {**form(signed, LineKind.SERVICE_CONTRACT), "csrf": "x"}, side.PHONE)


# --- the vehicle ------------------------------------------------------------------------------------------

def test_withdrawing_the_vehicle_cancels_the_order_and_ends_the_accessory_contracts(g, signed, memory):
    order_id = order_of(g, signed).order.id
    orders.set_payment_plan(g.dealer_id, order_id, command(PaymentPlanInput, method="credit", lender="Cetelem",
                                                           financed_cents=1_000_000), by=g.seller)
    withdrawal.withdraw(signed.token, form(signed, LineKind.VEHICLE), side.PHONE)

    order = order_of(g, signed).order
    assert order.status == OrderStatus.CANCELLING  # the seller's cancellation rules, reason withdrawal
    assert order.cancellation.reason == CancellationReason.WITHDRAWAL
    assert order.cancellation.requested_by == "customer"
    assert status_of(signed, LineKind.VEHICLE) == ProductStatus.WITHDRAWN
    for kind in (LineKind.ACCESSORY, LineKind.SERVICE_CONTRACT, LineKind.FEE):
        assert status_of(signed, kind) == ProductStatus.ENDED  # art. L221-27
    record = state(signed).last
    assert record.vehicle and record.credit_ended == "Cetelem"
    assert side.queued(memory, "order_cancellation")  # the managers, as for a seller's request
    [ack] = side.queued(memory, "withdrawal_ack")
    assert "Cetelem" in ack["text"]


def test_after_the_handover_the_vehicle_can_be_withdrawn_and_the_refund_credits_the_final_invoice(g, signed):
    order_id = order_of(g, signed).order.id
    handed_over(g, order_id, datetime(2026, 12, 4, 15, tzinfo=UTC))
    signed = relinked(g, signed, datetime(2026, 12, 18, 20, tzinfo=UTC))  # the 14th day, at night (Paris)
    withdrawal.withdraw(signed.token, form(signed, LineKind.VEHICLE), side.PHONE)
    order_cancellation.approve(g.dealer_id, order_id, by=g.as_manager)

    final, credit = sorted(invoices.page(g.dealer_id, InvoiceListQuery()).items, key=lambda i: i.number)
    assert (final.kind, credit.kind) == (InvoiceKind.FINAL, InvoiceKind.CREDIT_NOTE)
    assert (credit.credited_number, credit.ttc_cents) == (final.number, final.ttc_cents)


def test_after_the_vehicle_period_the_vehicle_is_refused(g, signed, memory):
    order_id = order_of(g, signed).order.id
    handed_over(g, order_id, datetime(2026, 12, 4, 15, tzinfo=UTC))
    signed = relinked(g, signed, datetime(2026, 12, 19, 9, tzinfo=UTC))
    before = side.snapshot(memory)
    with pytest.raises(InvalidInput) as refused:
        withdrawal.withdraw(signed.token, form(signed, LineKind.VEHICLE), side.PHONE)
    assert "a pris fin le" in refused.value.message
    assert side.snapshot(memory) == before


def test_a_service_contract_withdrawn_after_the_handover_is_credited_on_the_final_invoice(g, signed):
    order_id = order_of(g, signed).order.id
    handed_over(g, order_id, datetime(2026, 11, 27, 15, tzinfo=UTC))
    signed = relinked(g, signed, datetime(2026, 12, 1, 9, tzinfo=UTC))
    withdrawal.withdraw(signed.token, form(signed, LineKind.SERVICE_CONTRACT), side.PHONE)
    final, credit = sorted(invoices.page(g.dealer_id, InvoiceListQuery()).items, key=lambda i: i.number)
    service = next(line for line in signed.proposal.lines if line.kind == LineKind.SERVICE_CONTRACT)
    assert (credit.kind, credit.credited_number, credit.ttc_cents) == (
        InvoiceKind.CREDIT_NOTE, final.number, service.totals.ttc_cents)


# --- twice ------------------------------------------------------------------------------------------------

def test_the_same_form_sent_twice_records_one_withdrawal(signed, memory):
    withdrawal.withdraw(signed.token, form(signed, LineKind.SERVICE_CONTRACT), side.PHONE)
    withdrawal.withdraw(signed.token, form(signed, LineKind.SERVICE_CONTRACT), side.PHONE)
    assert len(state(signed).records) == 1
    assert len(side.queued(memory, "withdrawal_ack")) == 1
    assert side.evidence(signed).count("withdrawal") == 1


def test_two_submits_at_once_record_one_withdrawal(signed, memory, monkeypatch):
    """The second submit reads before the first commits: its write loses, it reads again and finds it done."""
    real, raced = withdrawal._situation, []

    def racing(proposal):
        read = real(proposal)
        if not raced:
            raced.append(True)
            withdrawal.withdraw(signed.token, form(signed, LineKind.SERVICE_CONTRACT), side.PHONE)
        return read

    monkeypatch.setattr(withdrawal, "_situation", racing)
    withdrawal.withdraw(signed.token, form(signed, LineKind.SERVICE_CONTRACT), side.PHONE)
    assert len(state(signed).records) == 1
    assert len(side.queued(memory, "withdrawal_ack")) == 1
    assert side.evidence(signed).count("withdrawal") == 1
    assert len(storage_objects(memory, signed)) == 1  # the loser's acknowledgement PDF was deleted


def storage_objects(memory, the) -> list[str]:
    prefix = f"dealers/{the.proposal.dealer_id}/proposals/{the.proposal.id}/withdrawal-"
    listed = client("s3").list_objects_v2(Bucket=settings().documents_bucket, Prefix=prefix)
    return [o["Key"] for o in listed.get("Contents", [])]


def test_a_refund_is_due_fourteen_days_after_the_withdrawal(g, signed):
    signed = relinked(g, signed, side.NOW + timedelta(days=3))
    withdrawal.withdraw(signed.token, form(signed, LineKind.SERVICE_CONTRACT), side.PHONE)
    assert state(signed).last.refund_due_on == date(2026, 12, 11)
