"""Order rules (SPEC G, seed 001), sentence by sentence: handover day, documents by holder, guards,
milestone dates, the roadworthiness rule, template edits, uploads' real type, transitions, cancellation."""
from datetime import UTC, date, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from chalicelib.domain.customers import AccountKind
from chalicelib.domain.dealers import Role
from chalicelib.domain.errors import Forbidden, InvalidInput, InvalidTransition
from chalicelib.domain.orders.cancellation import CancellationBranch, Cancellation, CancellationReason
from chalicelib.domain.files import FileType, sniff
from chalicelib.domain.orders.documents import DocumentKind, DocumentStatus, OrderDocument, required_documents
from chalicelib.domain.orders import reminders
from chalicelib.domain.orders.guards import handover_blockers, sold_blockers
from chalicelib.domain.orders.reminders import CustomerReminder
from chalicelib.domain.orders.milestones import (
    default_template, Anchor, OrderTemplateChange, applies, milestones_of, moved, needs_roadworthiness_test,
    next_action,
)
from chalicelib.domain.orders.model import (
    OrderCustomer, OrderDelivery, DeliveryMode, HolderKind, Order, OrderSource, OrderStatus, PaymentMethod,
    PaymentPlan, OrderVehicle, check_handover_day, paris_moment,
)
from chalicelib.domain.quotes import LineKind, QuoteLine

RESERVED = date(2026, 1, 15)
NOW = datetime(2026, 1, 15, 9, tzinfo=UTC)


def an_order(**changes) -> Order:
    car = OrderVehicle(make="Peugeot", model="308", first_registration=date(2021, 3, 2), used=True)
    line = QuoteLine(id="L1", kind=LineKind.VEHICLE, label="Peugeot 308", unit_price_cents=1_500_000, vat_rate_bp=2000)
    order = Order(id="O1", dealer_id="D1", source=OrderSource.QUOTE, seller_id="S1",
                  customer=OrderCustomer(account_id="A1", kind=AccountKind.PERSON, name="Marie Durand"),
                  vehicle=car, lines=[line], reserved_at=NOW, reserved_on=RESERVED, handover_on=date(2026, 1, 25),
                  created_at=NOW, updated_at=NOW)
    return order.model_copy(update=changes)


def milestones(order: Order):
    return milestones_of(default_template(), order.reserved_on, order.handover_on)


def all_done(order: Order):
    return [m.model_copy(update={"done_at": NOW, "done_by": "S1"}) for m in milestones(order)]


# --- the handover day: 10 to 15 days, a manager decides beyond ---------------------------------

@pytest.mark.parametrize("days", [10, 12, 15])
def test_a_seller_sets_the_handover_between_10_and_15_days_after_the_reservation(days):
    assert check_handover_day(RESERVED, RESERVED + timedelta(days=days), None, Role.SELLER) is None


@pytest.mark.parametrize("days", [9, 16])
def test_a_seller_cannot_set_the_handover_out_of_10_to_15_days(days):
    with pytest.raises(Forbidden):
        check_handover_day(RESERVED, RESERVED + timedelta(days=days), None, Role.SELLER)


def test_a_manager_overrides_the_range_with_a_reason_that_is_recorded():
    reason = check_handover_day(RESERVED, RESERVED + timedelta(days=20), "  Client en déplacement ", Role.MANAGER)
    assert reason == "Client en déplacement"
    moved_order = an_order().with_handover(RESERVED + timedelta(days=20), None, "Client en déplacement",
                                           Role.MANAGER, NOW)
    assert moved_order.handover_override == "Client en déplacement" and moved_order.version == 2


def test_a_manager_without_a_reason_is_refused_out_of_range():
    with pytest.raises(InvalidInput):
        check_handover_day(RESERVED, RESERVED + timedelta(days=8), None, Role.ADMIN)


def test_no_handover_before_the_reservation_even_for_a_manager():
    with pytest.raises(InvalidInput):
        check_handover_day(RESERVED, RESERVED - timedelta(days=1), "oops", Role.MANAGER)


def test_the_handover_moment_is_the_slot_in_paris_time():
    assert paris_moment(date(2026, 1, 25), time(10)) == datetime(2026, 1, 25, 9, tzinfo=UTC)
    assert paris_moment(date(2026, 7, 1), time(10)) == datetime(2026, 7, 1, 8, tzinfo=UTC)


# --- documents by holder ---------------------------------------------------------------------

def test_an_individual_owes_id_proof_of_address_licence_and_insurance():
    assert required_documents(HolderKind.INDIVIDUAL) == [
        DocumentKind.IDENTITY, DocumentKind.PROOF_OF_ADDRESS, DocumentKind.DRIVING_LICENCE, DocumentKind.INSURANCE]


def test_co_holders_also_give_the_co_holder_s_id():
    assert required_documents(HolderKind.CO_HOLDERS)[-1] == DocumentKind.CO_HOLDER_IDENTITY


def test_a_company_owes_kbis_manager_id_collector_licence_and_its_own_transfer():
    assert required_documents(HolderKind.COMPANY) == [
        DocumentKind.KBIS, DocumentKind.MANAGER_IDENTITY, DocumentKind.COLLECTOR_LICENCE,
        DocumentKind.COMPANY_TRANSFER]


def test_nothing_is_required_before_the_holder_is_known():
    assert required_documents(None) == []


# --- guards ----------------------------------------------------------------------------------

def test_no_handover_without_a_payment_method():
    order = an_order()
    assert handover_blockers(order, all_done(order), NOW) == ["le moyen de paiement"]


def test_no_handover_before_the_transfer_is_received():
    order = an_order(payment=PaymentPlan(method=PaymentMethod.TRANSFER))
    assert "réception des fonds" in handover_blockers(order, all_done(order), NOW)[0]


def test_funds_received_less_than_48_hours_before_the_handover_do_not_do():
    order = an_order(payment=PaymentPlan(method=PaymentMethod.BANKERS_CHEQUE))
    late = order.model_copy(update={"funds_received_at": order.handover_at - timedelta(hours=47)})
    in_time = order.model_copy(update={"funds_received_at": order.handover_at - timedelta(hours=48)})
    assert "trop tard" in handover_blockers(late, all_done(late), NOW)[0]
    assert handover_blockers(in_time, all_done(in_time), NOW) == []


def test_no_handover_on_credit_before_its_approval():
    order = an_order(payment=PaymentPlan(method=PaymentMethod.CREDIT, financed_cents=1_000_000))
    assert handover_blockers(order, all_done(order), NOW) == ["l'accord du crédit sans réserve"]
    approved = order.model_copy(update={"credit_approved_at": NOW})
    assert handover_blockers(approved, all_done(approved), NOW) == []


def test_a_guard_milestone_not_checked_holds_the_handover_back():
    order = an_order(payment=PaymentPlan(method=PaymentMethod.CREDIT, financed_cents=1), credit_approved_at=NOW)
    steps = [m if m.code != "documents_validated" else m.model_copy(update={"done_at": None})
             for m in all_done(order)]
    assert handover_blockers(order, steps, NOW) == ["l'étape « Documents nécessaires validés »"]


def _document(kind: DocumentKind, status: DocumentStatus) -> OrderDocument:
    return OrderDocument(id=kind.value, kind=kind, filename="f.pdf", declared_type=FileType.PDF, status=status,
                         s3_key="k", uploaded_by="S1", created_at=NOW)


def test_no_sold_without_the_three_handover_documents_accepted():
    order = an_order()
    documents = [_document(DocumentKind.HANDOVER_SLIP, DocumentStatus.ACCEPTED),
                 _document(DocumentKind.CERTIFICATE_OF_SALE, DocumentStatus.TO_REVIEW)]
    assert sold_blockers(order, all_done(order), documents, NOW) == [
        "Certificat de cession (cerfa 15776) (accepté)", "Carte grise barrée (accepté)"]
    documents = [_document(k, DocumentStatus.ACCEPTED) for k in
                 (DocumentKind.HANDOVER_SLIP, DocumentKind.CERTIFICATE_OF_SALE, DocumentKind.BARRED_REGISTRATION)]
    assert sold_blockers(order, all_done(order), documents, NOW) == []


# --- milestones ------------------------------------------------------------------------------

def test_milestones_are_due_at_nine_in_paris_on_their_anchor_day_plus_offset():
    by_code = {m.code: m for m in milestones(an_order())}
    assert by_code["availability"].due_by == datetime(2026, 1, 16, 8, tzinfo=UTC)  # J+1
    assert by_code["documents_checked"].due_by == datetime(2026, 1, 20, 8, tzinfo=UTC)  # J-5 of the 25th
    assert by_code["transfer_order"].due_by == datetime(2026, 1, 22, 8, tzinfo=UTC)  # J-3
    assert by_code["marked_sold"].due_by == datetime(2026, 1, 25, 8, tzinfo=UTC)


def test_moving_the_handover_moves_every_milestone_anchored_on_it_and_only_those():
    order = an_order()
    steps = milestones(order)
    steps[16] = steps[16].model_copy(update={"done_at": NOW})  # holder_present, done: stays
    shifted = moved(steps, RESERVED, date(2026, 1, 28))
    codes = {m.code for m in shifted}
    handover_anchored = {m.code for m in steps if m.anchor == Anchor.HANDOVER}
    assert codes == handover_anchored - {steps[16].code}
    by_code = {m.code: m for m in shifted}
    assert by_code["documents_checked"].due_by == datetime(2026, 1, 23, 8, tzinfo=UTC)
    assert all(m.told_at is None for m in shifted)


def test_conditional_milestones_apply_to_the_orders_they_name():
    order = an_order(payment=PaymentPlan(method=PaymentMethod.CREDIT, financed_cents=1),
                     delivery=OrderDelivery(mode=DeliveryMode.HOME, address="3 place Bellecour, Lyon"))
    by_code = {m.code: m for m in milestones(order)}
    assert applies(by_code["credit_approved"], order, NOW)
    assert not applies(by_code["funds_received"], order, NOW)
    assert applies(by_code["delivery_booked"], order, NOW)
    assert not applies(by_code["inspector_planned"], order, NOW)


def test_the_next_action_is_the_earliest_applicable_milestone_not_done_in_list_order():
    order = an_order()
    steps = milestones(order)
    assert next_action(steps, order, NOW).code == "availability"
    steps[0] = steps[0].model_copy(update={"done_at": NOW})
    assert next_action(steps, order, NOW).code == "appointment"


@pytest.mark.parametrize("first_registration, last_test, needed", [
    (date(2022, 3, 1), None, False),              # 3 years 10 months at the handover
    (date(2022, 2, 25), None, True),              # 3 years 11 months
    (date(2020, 1, 1), date(2025, 9, 1), False),  # last test 4 months old
    (date(2020, 1, 1), date(2025, 8, 20), True),  # last test over 5 months old
    (None, None, True),                           # age unknown
])
def test_a_roadworthiness_test_is_asked_from_3_years_11_months_or_a_test_over_5_months(
        first_registration, last_test, needed):
    car = OrderVehicle(make="Peugeot", model="308", first_registration=first_registration,
                          last_roadworthiness_test=last_test)
    assert needs_roadworthiness_test(car, date(2026, 1, 25)) is needed


def test_a_new_car_needs_no_roadworthiness_test():
    assert not needs_roadworthiness_test(OrderVehicle(make="Peugeot", model="208", used=False), date(2026, 1, 25))


def test_a_template_edit_keeps_each_item_s_label_offset_role_and_guard():
    items = [i.model_dump() for i in default_template().items[:2]]
    items[1] |= {"label": "Appeler le client", "offset_days": 2, "role": "back_office", "guard": True}
    change = OrderTemplateChange.model_validate({"version": 0, "items": items}, strict=False)
    second = milestones_of(change, RESERVED, date(2026, 1, 25))[1]
    assert (second.label, second.role, second.guard) == ("Appeler le client", Role.BACK_OFFICE, True)
    assert second.due_by == datetime(2026, 1, 17, 8, tzinfo=UTC)


def test_a_template_refuses_two_items_with_one_code():
    items = [default_template().items[0].model_dump()] * 2
    with pytest.raises(ValidationError):
        OrderTemplateChange.model_validate({"version": 0, "items": items}, strict=False)


# --- uploads, transitions, cancellation ------------------------------------------------------

def test_only_pdf_jpeg_and_png_bytes_are_recognised():
    assert sniff(b"%PDF-1.7\n") == FileType.PDF
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF") == FileType.JPEG
    assert sniff(b"\x89PNG\r\n\x1a\n\x00") == FileType.PNG
    assert sniff(b"MZ\x90\x00") is None
    assert sniff(b"<html>") is None


def test_a_refused_file_cannot_be_confirmed():
    document = _document(DocumentKind.IDENTITY, DocumentStatus.AWAITING_UPLOAD)
    with pytest.raises(InvalidInput):
        document.confirmed(None, 100, NOW)
    with pytest.raises(InvalidInput):
        document.confirmed(FileType.PDF, 10 * 1024 * 1024 + 1, NOW)


def test_a_rejection_needs_a_reason():
    with pytest.raises(InvalidInput):
        _document(DocumentKind.IDENTITY, DocumentStatus.TO_REVIEW).reviewed(False, " ", "B1", NOW)


def test_an_order_is_not_sold_before_it_is_handed_over():
    with pytest.raises(InvalidTransition):
        an_order().moved_to(OrderStatus.SOLD, NOW)


def test_a_cancelled_order_goes_nowhere():
    with pytest.raises(InvalidTransition):
        an_order(status=OrderStatus.CANCELLED).moved_to(OrderStatus.RESERVED, NOW)


def test_after_funds_the_refund_waits_for_two_ids_and_the_iban():
    cancellation = Cancellation(reason=CancellationReason.WITHDRAWAL, branch=CancellationBranch.AFTER_FUNDS,
                                organised=False,
                                refund_cents=100, requested_at=NOW, requested_by="S1",
                                refund_due_on=date(2026, 1, 29))
    assert len(cancellation.missing_for_approval(1)) == 2
    assert cancellation.model_copy(update={"iban_masked": "FR76 •••• •••• 0189"}).missing_for_approval(2) == []
    assert cancellation.warning_at() == date(2026, 1, 25)


def test_a_reservation_fee_only_refund_needs_nothing_more():
    cancellation = Cancellation(reason=CancellationReason.CANCELLATION, branch=CancellationBranch.FEE_ONLY,
                                organised=False,
                                refund_cents=100, requested_at=NOW, requested_by="S1")
    assert cancellation.missing_for_approval(0) == [] and cancellation.warning_at() is None


def test_reminders_replanned_skip_a_day_past_and_plan_it_again_when_the_day_moves_back():
    now = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 16:00 in Paris
    soon = an_order(handover_on=date(2026, 12, 3))
    again = reminders.replanned(soon, set(), now)
    assert again.skipped == [CustomerReminder.DOCUMENTS_D5, CustomerReminder.DOCUMENTS_D3, CustomerReminder.FUNDS]
    assert again.next_at == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # the eve, 09:00 in Paris
    tomorrow = reminders.replanned(an_order(handover_on=date(2026, 12, 2)), set(), now)
    assert CustomerReminder.APPOINTMENT not in tomorrow.skipped and tomorrow.next_at == datetime(
        2026, 12, 1, 8, 0, tzinfo=UTC)  # today's 09:00 has passed: due at once
    later = reminders.replanned(an_order(handover_on=date(2026, 12, 12)), {CustomerReminder.DOCUMENTS_D5.value}, now)
    assert later.skipped == [] and later.next_at == datetime(2026, 12, 9, 8, 0, tzinfo=UTC)
