"""Order use cases on the in-memory table: opening, the handover day and its milestones, the milestone
schedule, guards that change nothing, the template, the list, another dealer."""
import copy
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain import clock
from chalicelib.domain.errors import AlreadyExists, Forbidden, NotFound, StaleVersion
from chalicelib.domain.orders.commands import (
    DeliveryInput, HandoverDate, NewPayment, OpenFromQuote, OrderListQuery, PaymentPlanInput,
)
from chalicelib.domain.orders.guards import GuardRefused
from chalicelib.domain.orders.milestones import default_template, OrderTemplateChange
from chalicelib.domain.orders.model import OrderStatus
import chalicelib.services.order_milestones  # noqa: F401  (registers the order handlers, as the job does)
import chalicelib.services.order_reminders  # noqa: F401
from chalicelib.services import due_work, orders
from chalicelib.store import keys
from chalicelib.store.unit_of_work import commit
from tests.orders_support import OPENED_AT, command, garage, quote_for_a_car
from tests.support import at


@pytest.fixture
def g(memory):
    at(OPENED_AT)
    return garage()


@pytest.fixture
def opened(g):
    return orders.open_from_quote(g.dealer_id, command(OpenFromQuote, quote_id=quote_for_a_car(g),
                                                       deposit_paid_cents=50_000), by=g.seller)


def milestone_items(memory, order_id: str) -> dict[str, dict]:
    prefix = f"ORDER#{order_id}#MILESTONE#"
    return {item["code"]: item for (_, sk), item in memory.items.items() if sk.startswith(prefix)}


def outbox(memory) -> list[dict]:
    return [item for (_, sk), item in memory.items.items() if sk.startswith(keys.OUTBOX_PREFIX)]


def snapshot(memory) -> dict:
    return copy.deepcopy(memory.items)


# --- opening ---------------------------------------------------------------------------------

def test_a_quote_opens_a_reservation_with_the_default_to_do_list(g, opened):
    order = opened.order
    assert order.status == OrderStatus.RESERVED and order.source.value == "quote"
    assert (order.reserved_on, order.handover_on) == (date(2026, 1, 15), date(2026, 1, 25))
    assert order.vehicle.vin == "VF3LBHNSJKS123456" and order.customer.name == "Marie Durand"
    assert order.deposit_paid_cents == 50_000 and [p.kind for p in opened.payments] == ["deposit"]
    assert [m.code for m in opened.milestones][:2] == ["availability", "appointment"]
    assert len(opened.milestones) == len(default_template().items)
    assert [e.kind.value for e in opened.history] == ["opened"]


def test_every_milestone_waits_in_the_due_index_at_its_time(memory, opened):
    items = milestone_items(memory, opened.order.id)
    assert items["availability"][keys.DUE_AT] == "2026-01-16T08:00:00.000000Z"
    assert items["documents_checked"][keys.DUE_PK].startswith("DUE#milestone#")


def test_one_quote_opens_one_order(g, opened):
    with pytest.raises(AlreadyExists):
        orders.open_from_quote(g.dealer_id, command(OpenFromQuote, quote_id=opened.order.quote_id), by=g.seller)


def test_the_order_page_is_one_query(memory, g, opened):
    memory.calls.clear()
    orders.view(g.dealer_id, opened.order.id)
    assert dict(memory.calls) == {"Query": 1}


def test_another_dealer_does_not_find_the_order(g, opened):
    other = garage("Autre Garage")
    with pytest.raises(NotFound):
        orders.view(other.dealer_id, opened.order.id)
    with pytest.raises(NotFound):
        orders.set_handover(other.dealer_id, opened.order.id, command(HandoverDate, handover_on="2026-01-26"),
                            by=other.seller)


def test_an_accepted_proposal_s_writes_open_its_order_in_the_same_transaction(memory, g):
    from chalicelib.domain.dealers import DealerLegalChange
    from chalicelib.domain.proposals.commands import NewProposal
    from chalicelib.domain.proposals.status import ProposalStatus
    from chalicelib.services import dealers, proposals
    from tests.offers import LEGAL, SELLER_BLOCK

    dealers.change_legal(g.dealer_id, DealerLegalChange(**LEGAL), by=g.admin)
    quote_id = quote_for_a_car(g)
    view = proposals.create(g.dealer_id, command(NewProposal, quote_id=quote_id, seller=SELLER_BLOCK), by=g.seller)
    # The proposal as the signing use case leaves it (services/signing.py adds these writes to its transaction).
    accepted = view.proposal.model_copy(update={"status": ProposalStatus.ACCEPTED, "accepted_at": OPENED_AT})
    change = orders.opened_by_acceptance(accepted, OPENED_AT, vehicle_id="V1")
    commit(change.writes)
    order = orders.view(g.dealer_id, change.order.id).order
    assert (order.source.value, order.proposal_id, order.vehicle.vehicle_id) == ("proposal", accepted.id, "V1")
    with pytest.raises(AlreadyExists):
        commit(orders.opened_by_acceptance(accepted, OPENED_AT).writes)
    commit(orders.deposit_received_writes(g.dealer_id, accepted.id, 50_000, "pi_123", OPENED_AT))
    paid = orders.view(g.dealer_id, change.order.id)
    assert (paid.order.deposit_paid_cents, paid.order.received_cents) == (50_000, 50_000)
    assert [(p.kind, p.method) for p in paid.payments] == [("deposit", "card")]
    assert orders.deposit_received_writes(g.dealer_id, "no-such-proposal", 50_000, None, OPENED_AT) == []


# --- the handover day moves the milestones --------------------------------------------------

def test_moving_the_handover_moves_the_milestones_and_their_due_items_together(memory, g, opened):
    moved = orders.set_handover(g.dealer_id, opened.order.id, command(HandoverDate, handover_on="2026-01-28",
                                                                       handover_slot="14:30"), by=g.seller)
    by_code = {m.code: m for m in moved.milestones}
    assert by_code["documents_checked"].due_by == datetime(2026, 1, 23, 8, tzinfo=UTC)
    assert by_code["availability"].due_by == datetime(2026, 1, 16, 8, tzinfo=UTC)
    items = milestone_items(memory, opened.order.id)
    assert items["documents_checked"][keys.DUE_AT] == "2026-01-23T08:00:00.000000Z"
    assert items["marked_sold"][keys.DUE_AT] == "2026-01-28T08:00:00.000000Z"
    assert moved.history[-1].details["to"] == "2026-01-28"


def test_a_seller_out_of_10_to_15_days_changes_nothing(memory, g, opened):
    before = snapshot(memory)
    with pytest.raises(Forbidden):
        orders.set_handover(g.dealer_id, opened.order.id, command(HandoverDate, handover_on="2026-02-05"),
                            by=g.seller)
    assert memory.items == before


def test_a_manager_moves_it_beyond_with_a_recorded_reason(g, opened):
    moved = orders.set_handover(g.dealer_id, opened.order.id, command(
        HandoverDate, handover_on="2026-02-05", reason="Client à l'étranger"), by=g.as_manager)
    assert moved.order.handover_override == "Client à l'étranger"
    assert moved.history[-1].details["override_reason"] == "Client à l'étranger"


# --- the order-milestones schedule ----------------------------------------------------------

def test_a_due_milestone_tells_its_assignee_once(memory, g, opened):
    at(datetime(2026, 1, 16, 8, 1, tzinfo=UTC))
    told = due_work.sweep_milestones()
    assert told >= 10  # every reservation-day item
    messages = outbox(memory)
    to_seller = [m for m in messages if m["to"] == g.tenant.seller.email]
    to_office = [m for m in messages if m["to"] == g.back_office.email]
    assert any("Disponibilités du client" in m["subject"] for m in to_seller)
    assert any("Nettoyage demandé" in m["subject"] for m in to_office)
    assert any("Contrôle technique demandé" in m["subject"] for m in to_office)  # a car of 2021: over 3 years 11 months
    view = orders.view(g.dealer_id, opened.order.id)
    assert view.overdue >= 10 and any(e.kind.value == "milestone_due" for e in view.history)
    count = len(messages)
    at(datetime(2026, 1, 16, 9, tzinfo=UTC))
    due_work.sweep_milestones()
    assert len(outbox(memory)) == count


def test_a_milestone_done_before_its_time_tells_nobody(memory, g, opened):
    orders.check_milestone(g.dealer_id, opened.order.id, "availability", by=g.seller)
    assert keys.DUE_AT not in milestone_items(memory, opened.order.id)["availability"]
    at(datetime(2026, 1, 16, 8, 1, tzinfo=UTC))
    due_work.sweep_milestones()
    assert not any("Disponibilités" in m["subject"] for m in outbox(memory))


def test_a_moved_handover_tells_again_at_the_new_time(memory, g, opened):
    at(datetime(2026, 1, 20, 8, 1, tzinfo=UTC))
    due_work.sweep_milestones()
    assert milestone_items(memory, opened.order.id)["documents_checked"].get("told_at")
    orders.set_handover(g.dealer_id, opened.order.id, command(HandoverDate, handover_on="2026-01-30"),
                        by=g.as_manager)
    item = milestone_items(memory, opened.order.id)["documents_checked"]
    assert "told_at" not in item and item[keys.DUE_AT] == "2026-01-25T08:00:00.000000Z"


def test_milestones_of_a_payment_method_chosen_later_are_told_when_they_apply(memory, g, opened):
    at(datetime(2026, 1, 16, 8, 1, tzinfo=UTC))
    due_work.sweep_milestones()
    assert not any("Crédit" in m["subject"] for m in outbox(memory))
    orders.set_payment_plan(g.dealer_id, opened.order.id, command(PaymentPlanInput, method="credit",
                                                                  financed_cents=1_000_000), by=g.seller)
    due_work.sweep_milestones()
    assert any("Crédit : tous les documents signés" in m["subject"] for m in outbox(memory))


# --- guards --------------------------------------------------------------------------------

def test_a_refused_handover_changes_nothing_and_names_what_is_missing(memory, g, opened):
    orders.set_payment_plan(g.dealer_id, opened.order.id, command(PaymentPlanInput, method="transfer"), by=g.seller)
    before = snapshot(memory)
    with pytest.raises(GuardRefused) as refused:
        orders.hand_over(g.dealer_id, opened.order.id, by=g.seller)
    assert "réception des fonds" in refused.value.message and "Documents nécessaires validés" in refused.value.message
    assert memory.items == before


def test_the_funds_received_48_hours_ahead_let_the_handover_go(g, opened):
    order_id = opened.order.id
    orders.set_payment_plan(g.dealer_id, order_id, command(PaymentPlanInput, method="transfer"), by=g.seller)
    view = orders.record_payment(g.dealer_id, order_id, command(NewPayment, amount_cents=1_000_000), by=g.seller)
    assert view.order.funds_received_at is None
    view = orders.record_payment(g.dealer_id, order_id, command(NewPayment, amount_cents=830_000), by=g.seller)
    assert view.order.funds_received_at == OPENED_AT and view.order.received_cents == 1_880_000
    orders.check_milestone(g.dealer_id, order_id, "documents_validated", by=g.as_back_office)
    at(datetime(2026, 1, 25, 9, tzinfo=UTC))
    assert orders.hand_over(g.dealer_id, order_id, by=g.seller).order.status == OrderStatus.HANDED_OVER


def test_a_refused_sale_changes_nothing(memory, g, opened):
    order_id = opened.order.id
    orders.set_payment_plan(g.dealer_id, order_id, command(PaymentPlanInput, method="credit",
                                                           financed_cents=1_000_000), by=g.seller)
    orders.approve_credit(g.dealer_id, order_id, by=g.seller)
    orders.check_milestone(g.dealer_id, order_id, "documents_validated", by=g.as_back_office)
    orders.hand_over(g.dealer_id, order_id, by=g.seller)
    before = snapshot(memory)
    with pytest.raises(GuardRefused) as refused:
        orders.mark_sold(g.dealer_id, order_id, by=g.seller)
    assert "cerfa 15776" in refused.value.message and "Carte grise barrée" in refused.value.message
    assert memory.items == before


# --- the template, the list ---------------------------------------------------------------------

def test_an_admin_edits_the_template_for_the_orders_opened_after(g, opened):
    assert orders.template(g.dealer_id, by=g.admin).version == 0
    items = [i.model_dump() for i in default_template().items[:3]]
    items[0] |= {"label": "Appeler le client", "offset_days": 0, "role": "manager"}
    edited = orders.change_template(g.dealer_id, OrderTemplateChange.model_validate(
        {"version": 0, "items": items}, strict=False), by=g.admin)
    assert edited.version == 1
    new = orders.open_from_quote(g.dealer_id, command(OpenFromQuote, quote_id=quote_for_a_car(g)), by=g.seller)
    assert [m.label for m in new.milestones][0] == "Appeler le client" and len(new.milestones) == 3
    assert len(orders.view(g.dealer_id, opened.order.id).milestones) == len(default_template().items)
    with pytest.raises(StaleVersion):
        orders.change_template(g.dealer_id, OrderTemplateChange.model_validate(
            {"version": 0, "items": items}, strict=False), by=g.admin)


def test_only_an_admin_edits_the_template(g):
    with pytest.raises(Forbidden):
        orders.template(g.dealer_id, by=g.as_manager)


def test_the_list_shows_overdue_orders_first_in_one_call(memory, g, opened):
    later = orders.open_from_quote(g.dealer_id, command(OpenFromQuote, quote_id=quote_for_a_car(g)), by=g.seller)
    for code in [m.code for m in later.milestones][:15]:
        orders.check_milestone(g.dealer_id, later.order.id, code, by=g.seller)
    at(datetime(2026, 1, 17, 9, tzinfo=UTC))
    memory.calls.clear()
    page = orders.page(g.dealer_id, command(OrderListQuery))
    assert dict(memory.calls) == {"Query": 1}
    assert [o.id for o in page.items] == [opened.order.id, later.order.id]
    assert page.items[0].overdue and not page.items[1].overdue
    assert page.items[1].next_action.milestone == "documents_checked"


def test_a_closed_order_follows_the_open_ones_and_the_list_filters_by_status(g, opened):
    other = orders.open_from_quote(g.dealer_id, command(OpenFromQuote, quote_id=quote_for_a_car(g)), by=g.seller)
    orders.set_delivery(g.dealer_id, other.order.id, command(DeliveryInput, mode="branch"), by=g.seller)
    orders.organise(g.dealer_id, other.order.id, by=g.seller)
    page = orders.page(g.dealer_id, command(OrderListQuery, status="organised"))
    assert [o.id for o in page.items] == [other.order.id]
    assert clock.now() == OPENED_AT and page.items[0].handover_on == OPENED_AT.date() + timedelta(days=10)


def test_a_sold_order_still_tells_back_office_its_after_sale_checks(memory, g, opened):
    from chalicelib.documents import storage
    from chalicelib.domain.orders.documents import DocumentReview, NewOrderDocument
    from chalicelib.services import order_documents

    order_id = opened.order.id
    orders.set_payment_plan(g.dealer_id, order_id, command(PaymentPlanInput, method="credit",
                                                           financed_cents=1_000_000), by=g.seller)
    orders.approve_credit(g.dealer_id, order_id, by=g.seller)
    for code in ("documents_validated", "handover_documents"):
        orders.check_milestone(g.dealer_id, order_id, code, by=g.as_back_office)
    orders.hand_over(g.dealer_id, order_id, by=g.seller)
    for kind in ("handover_slip", "certificate_of_sale", "barred_registration"):
        form = order_documents.request_upload(g.dealer_id, order_id, command(
            NewOrderDocument, kind=kind, filename=f"{kind}.pdf", content_type="application/pdf"), by=g.seller)
        storage.put(form.document.s3_key, b"%PDF-1.7\n", "application/pdf")
        order_documents.confirm_upload(g.dealer_id, order_id, form.document.id, by=g.seller)
        order_documents.review(g.dealer_id, order_id, form.document.id, command(DocumentReview, accepted=True),
                               by=g.as_back_office)
    assert orders.mark_sold(g.dealer_id, order_id, by=g.seller).order.status == OrderStatus.SOLD
    at(datetime(2026, 1, 26, 8, 1, tzinfo=UTC))
    due_work.sweep_milestones()
    assert any(m["to"] == g.back_office.email and "Passage du véhicule en vendu vérifié" in m["subject"]
               for m in outbox(memory))


def test_a_manager_opens_a_reservation_out_of_range_with_a_reason(g):
    view = orders.open_from_quote(g.dealer_id, command(
        OpenFromQuote, quote_id=quote_for_a_car(g), handover_on="2026-02-10", handover_reason="Véhicule en transit"),
        by=g.as_manager)
    assert view.order.handover_override == "Véhicule en transit"
    with pytest.raises(Forbidden):
        orders.open_from_quote(g.dealer_id, command(OpenFromQuote, quote_id=quote_for_a_car(g),
                                                    handover_on="2026-02-10"), by=g.seller)
