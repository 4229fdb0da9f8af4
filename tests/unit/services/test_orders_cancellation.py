"""Cancelling an order on memory: seed 001's three branches, each step recorded and told."""
import copy
from datetime import UTC, date, datetime

import pytest

from chalicelib.documents import storage
from chalicelib.domain.errors import Forbidden, InvalidTransition
from chalicelib.domain.iban import InvalidIban
from chalicelib.domain.orders.cancellation import CannotApprove
from chalicelib.domain.orders.commands import (
    CancellationRequest, DeliveryInput, NewPayment, OpenFromQuote, OrderListQuery, PaymentPlanInput, RefundIban,
)
from chalicelib.domain.orders.documents import NewOrderDocument
from chalicelib.domain.orders.model import OrderStatus
import chalicelib.services.order_milestones  # noqa: F401  (registers the order handlers, as the job does)
import chalicelib.services.order_reminders  # noqa: F401
from chalicelib.services import due_work, order_cancellation, order_documents, orders
from chalicelib.store import keys
from tests.orders_support import OPENED_AT, command, garage, quote_for_a_car
from tests.support import at

IBAN = "FR7630006000011234567890189"


@pytest.fixture
def g(memory):
    at(OPENED_AT)
    return garage()


@pytest.fixture
def order_id(g):
    return orders.open_from_quote(g.dealer_id, command(OpenFromQuote, quote_id=quote_for_a_car(g),
                                                       deposit_paid_cents=50_000), by=g.seller).order.id


def outbox(memory) -> list[dict]:
    return [item for (_, sk), item in memory.items.items() if sk.startswith(keys.OUTBOX_PREFIX)]


def paid_in_full(g, order_id):
    orders.set_payment_plan(g.dealer_id, order_id, command(PaymentPlanInput, method="transfer"), by=g.seller)
    orders.record_payment(g.dealer_id, order_id, command(NewPayment, amount_cents=1_830_000), by=g.seller)


def test_reservation_fee_only_a_manager_approves_the_refund_and_the_order_is_cancelled(memory, g, order_id):
    asked = order_cancellation.request(g.dealer_id, order_id, command(CancellationRequest, reason="cancellation"),
                                       by=g.seller)
    assert asked.order.status == OrderStatus.CANCELLING
    assert (asked.order.cancellation.branch.value, asked.order.cancellation.refund_cents) == ("fee_only", 50_000)
    assert any(m["to"] == g.manager.email and "à valider" in m["subject"] for m in outbox(memory))
    with pytest.raises(Forbidden):
        order_cancellation.approve(g.dealer_id, order_id, by=g.seller)
    done = order_cancellation.approve(g.dealer_id, order_id, by=g.as_manager)
    assert done.order.status == OrderStatus.CANCELLED and done.order.cancellation.approved_by == g.manager.id
    assert [e.kind.value for e in done.history][-2:] == ["cancellation_requested", "cancelled"]
    assert any(m["to"] == g.tenant.seller.email and "annulée" in m["subject"] for m in outbox(memory))


def test_after_funds_two_ids_and_an_iban_come_before_the_refund(memory, g, order_id):
    paid_in_full(g, order_id)
    asked = order_cancellation.request(g.dealer_id, order_id, command(CancellationRequest, reason="withdrawal"),
                                       by=g.seller)
    cancellation = asked.order.cancellation
    assert (cancellation.branch.value, cancellation.refund_cents) == ("after_funds", 1_880_000)
    assert cancellation.refund_due_on == date(2026, 1, 29)  # 14 days, art. L221-24
    [listed] = orders.page(g.dealer_id, command(OrderListQuery)).items
    assert listed.next_action.label == "Remboursement à valider par un manager"
    assert listed.next_action.due_by == datetime(2026, 1, 29, 8, tzinfo=UTC)
    before = copy.deepcopy(memory.items)
    with pytest.raises(CannotApprove) as refused:
        order_cancellation.approve(g.dealer_id, order_id, by=g.as_manager)
    assert "2 pièce(s) d'identité" in refused.value.message and "RIB" in refused.value.message
    assert memory.items == before
    with pytest.raises(InvalidIban):
        order_cancellation.give_iban(g.dealer_id, order_id, command(RefundIban, iban="FR7630006000011234567890188"),
                                     by=g.seller)
    given = order_cancellation.give_iban(g.dealer_id, order_id, command(RefundIban, iban=IBAN), by=g.seller)
    assert given.order.cancellation.iban_masked == "FR76 •••• •••• 0189"
    [told] = [m for m in outbox(memory) if m["subject"].startswith("RIB reçu")]
    assert told["to"] == g.manager.email and "2 pièce(s) d'identité" in told["text"] and IBAN not in told["text"]
    for side in ("recto", "verso"):
        form = order_documents.request_upload(g.dealer_id, order_id, command(
            NewOrderDocument, kind="refund_identity", filename=f"cni-{side}.jpg", content_type="image/jpeg"),
            by=g.seller)
        storage.put(form.document.s3_key, b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg")
        order_documents.confirm_upload(g.dealer_id, order_id, form.document.id, by=g.seller)
    assert order_cancellation.approve(g.dealer_id, order_id, by=g.as_manager).order.status == OrderStatus.CANCELLED


def test_a_refund_still_to_make_warns_the_managers_once_before_its_day(memory, g, order_id):
    paid_in_full(g, order_id)
    order_cancellation.request(g.dealer_id, order_id, command(CancellationRequest, reason="withdrawal"), by=g.seller)
    at(datetime(2026, 1, 25, 8, 1, tzinfo=UTC))  # 4 days before the 29th
    due_work.sweep_milestones()
    warned = [m for m in outbox(memory) if "Remboursement dû le 29/01/2026" in m["subject"]]
    assert [m["to"] for m in warned] == [g.manager.email]
    at(datetime(2026, 1, 26, 9, tzinfo=UTC))
    due_work.sweep_milestones()
    assert len([m for m in outbox(memory) if "Remboursement dû" in m["subject"]]) == 1
    view = orders.view(g.dealer_id, order_id)
    assert view.order.cancellation.warned_at is not None
    assert "refund_due_soon" in [e.kind.value for e in view.history]


def test_an_organised_order_tells_back_office_the_inspector_and_the_delivery_partner(memory, g, order_id):
    orders.set_delivery(g.dealer_id, order_id, command(
        DeliveryInput, mode="home", address="3 place Bellecour, 69002 Lyon",
        partner={"name": "Livraisons Express", "email": "planning@livraisons.example"},
        inspector={"name": "Inès Inspectrice", "email": "ines@inspection.example"}), by=g.seller)
    orders.organise(g.dealer_id, order_id, by=g.seller)
    asked = order_cancellation.request(g.dealer_id, order_id, command(CancellationRequest, reason="cancellation"),
                                       by=g.seller)
    assert asked.order.cancellation.organised
    told = {m["to"]: m["subject"] for m in outbox(memory)}
    assert "stoppez les travaux" in told[g.back_office.email]
    assert told["ines@inspection.example"] == "Rendez-vous de cession annulé"
    assert told["planning@livraisons.example"] == "Livraison annulée"


def test_after_the_handover_only_a_withdrawal_within_14_days(g, order_id):
    orders.set_payment_plan(g.dealer_id, order_id, command(PaymentPlanInput, method="credit",
                                                           financed_cents=1_000_000), by=g.seller)
    orders.approve_credit(g.dealer_id, order_id, by=g.seller)
    orders.check_milestone(g.dealer_id, order_id, "documents_validated", by=g.as_back_office)
    orders.hand_over(g.dealer_id, order_id, by=g.seller)
    with pytest.raises(InvalidTransition):
        order_cancellation.request(g.dealer_id, order_id, command(CancellationRequest, reason="cancellation"),
                                   by=g.seller)
    at(datetime(2026, 1, 30, 9, tzinfo=UTC))
    with pytest.raises(InvalidTransition):
        order_cancellation.request(g.dealer_id, order_id, command(CancellationRequest, reason="withdrawal"),
                                   by=g.seller)
