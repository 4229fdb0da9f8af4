"""How orders, the stock, deposits and invoices meet, on the in-memory table: a quote's vehicle line taken
from the stock, the showroom order reserving that car (or refused, nothing written), sold and released
with the order, the acompte paid by card recorded on the order and invoiced, the final invoice at the
handover (acompte deducted), the credit note of a refunded acompte."""
import copy
from datetime import UTC, datetime

import pytest

from chalicelib.documents import storage
from chalicelib.domain.customers import AccountView, NewAccount
from chalicelib.domain.dealers import DealerLegalChange, NewBranch
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.invoices import InvoiceKind, InvoiceListQuery
from chalicelib.domain.orders.cancellation import CancellationReason
from chalicelib.domain.orders.commands import CancellationRequest, OpenFromQuote, PaymentPlanInput
from chalicelib.domain.orders.documents import DocumentReview, NewOrderDocument
from chalicelib.domain.orders.model import OrderStatus
from chalicelib.domain.proposals.model import ProposalStatus
from chalicelib.domain.quotes import NewQuote, QuoteChange
from chalicelib.domain.vehicles import NewVehicle, VehicleNoLongerAvailable, VehicleStatus
from chalicelib.services import customers, dealers, deposits, invoices, order_cancellation, order_documents, orders
from chalicelib.services import payment_webhook, quotes, vehicles
from chalicelib.services.payment_events import Outcome
from chalicelib.store.unit_of_work import commit
from tests import customer_side as side
from tests.offers import LEGAL
from tests.orders_support import OPENED_AT, CAR, Garage, command, garage, quote_for_a_car
from tests.support import at

CLIO = {"vin": "VF1RFB00X56789012", "make": "Renault", "model": "Clio", "version": "TCe 90",
        "registration": "EF-456-GH", "first_registration": "2021-03-15", "mileage_km": 42_000, "kind": "used",
        "price_cents": 1_499_000, "vat_regime": "margin"}


@pytest.fixture
def g(memory) -> Garage:
    at(OPENED_AT)
    g = garage()
    dealers.change_legal(g.dealer_id, DealerLegalChange(**LEGAL), by=g.admin)
    return g


def stock_car(g: Garage) -> str:
    branch = dealers.add_branch(g.dealer_id, NewBranch(name="Lyon"), by=g.admin).branches[-1]
    return vehicles.create(g.seller, NewVehicle.model_validate({**CLIO, "branch_id": branch.id})).id


def customer(g: Garage) -> AccountView:
    return customers.create_account(g.dealer_id, NewAccount.model_validate({
        "kind": "person", "contact": {"first_name": "Marie", "last_name": "Durand", "email": "marie@example.com"}},
        strict=False))


def quote_of_stock(g: Garage, vehicle_id: str, account: AccountView | None = None) -> str:
    account = account or customer(g)
    return quotes.create(g.dealer_id, NewQuote.model_validate({
        "account_id": account.account.id, "contact_id": account.contacts[0].id, "lines": [
            {"kind": "vehicle", "label": "Renault Clio", "unit_price_cents": 1_499_000, "vat_rate": 0,
             "margin_scheme": True, "vehicle_id": vehicle_id}]}, strict=False), by=g.seller).id


def open_order(g: Garage, quote_id: str):
    return orders.open_from_quote(g.dealer_id, command(OpenFromQuote, quote_id=quote_id), by=g.seller)


def invoices_of(g: Garage) -> list:
    return invoices.page(g.dealer_id, InvoiceListQuery()).items


def handed_over(g: Garage, order_id: str) -> None:
    orders.set_payment_plan(g.dealer_id, order_id, command(PaymentPlanInput, method="credit",
                                                           financed_cents=1_000_000), by=g.seller)
    orders.approve_credit(g.dealer_id, order_id, by=g.seller)
    for code in ("documents_validated", "handover_documents"):
        orders.check_milestone(g.dealer_id, order_id, code, by=g.as_back_office)
    orders.hand_over(g.dealer_id, order_id, by=g.seller)


# --- the quote's vehicle line from the stock ---------------------------------------------------

def test_a_vehicle_line_from_the_stock_takes_the_car_s_details(g):
    vehicle_id = stock_car(g)
    [line] = quotes.get(g.dealer_id, quote_of_stock(g, vehicle_id)).lines
    assert (line.vehicle_id, line.vehicle.vin, line.vehicle.registration) == (vehicle_id, CLIO["vin"], "EF-456-GH")
    assert line.vehicle.used and line.vehicle.mileage_km == 42_000


def test_a_changed_quote_takes_another_stock_car_and_a_free_line_stays_possible(g):
    quote = quotes.get(g.dealer_id, quote_for_a_car(g))
    assert quote.lines[0].vehicle_id is None and quote.lines[0].vehicle == CAR
    vehicle_id = stock_car(g)
    lines = [{"kind": "vehicle", "label": "Renault Clio", "unit_price_cents": 1_499_000, "vat_rate": 20,
              "vehicle_id": vehicle_id, "vehicle": CAR.model_dump(mode="json")}]
    changed = quotes.change(g.dealer_id, quote.id, QuoteChange.model_validate(
        {"version": quote.version, "lines": lines}, strict=False), by=g.seller)
    assert changed.lines[0].vehicle.vin == CLIO["vin"]  # the stock's details, not the ones sent


def test_another_dealer_s_vehicle_is_not_found_and_nothing_is_written(memory, g):
    other = garage("Autre Garage")
    theirs, account = stock_car(other), customer(g)
    before = copy.deepcopy(memory.items)
    with pytest.raises(NotFound):
        quote_of_stock(g, theirs, account)
    assert memory.items == before


# --- the showroom order and the stock vehicle ------------------------------------------------------

def test_the_showroom_order_reserves_the_stock_car_in_its_transaction(g):
    vehicle_id = stock_car(g)
    order = open_order(g, quote_of_stock(g, vehicle_id)).order
    assert order.vehicle.vehicle_id == vehicle_id
    car = vehicles.get(g.dealer_id, vehicle_id)
    assert car.status == VehicleStatus.RESERVED and car.reservation.order_id == order.id


def test_a_car_reserved_for_another_customer_refuses_the_order_and_writes_nothing(memory, g):
    vehicle_id = stock_car(g)
    first, second = quote_of_stock(g, vehicle_id), quote_of_stock(g, vehicle_id)
    open_order(g, first)
    before = copy.deepcopy(memory.items)
    with pytest.raises(VehicleNoLongerAvailable) as refused:
        open_order(g, second)
    assert isinstance(refused.value, Conflict) and "Renault Clio" in refused.value.message
    assert refused.value.fields == {"vehicle_id": vehicle_id}
    assert memory.items == before


def test_marking_the_order_sold_sells_the_car(g):
    vehicle_id = stock_car(g)
    order_id = open_order(g, quote_of_stock(g, vehicle_id)).order.id
    handed_over(g, order_id)
    for kind in ("handover_slip", "certificate_of_sale", "barred_registration"):
        form = order_documents.request_upload(g.dealer_id, order_id, command(
            NewOrderDocument, kind=kind, filename=f"{kind}.pdf", content_type="application/pdf"), by=g.seller)
        storage.put(form.document.s3_key, b"%PDF-1.7\n", "application/pdf")
        order_documents.confirm_upload(g.dealer_id, order_id, form.document.id, by=g.seller)
        order_documents.review(g.dealer_id, order_id, form.document.id, command(DocumentReview, accepted=True),
                               by=g.as_back_office)
    assert orders.mark_sold(g.dealer_id, order_id, by=g.seller).order.status == OrderStatus.SOLD
    assert vehicles.get(g.dealer_id, vehicle_id).status == VehicleStatus.SOLD


def test_an_approved_cancellation_puts_the_car_back_on_sale(g):
    vehicle_id = stock_car(g)
    order_id = open_order(g, quote_of_stock(g, vehicle_id)).order.id
    order_cancellation.request(g.dealer_id, order_id, command(CancellationRequest, reason="cancellation"),
                               by=g.seller)
    assert vehicles.get(g.dealer_id, vehicle_id).status == VehicleStatus.RESERVED
    order_cancellation.approve(g.dealer_id, order_id, by=g.as_manager)
    car = vehicles.get(g.dealer_id, vehicle_id)
    assert car.status == VehicleStatus.AVAILABLE and car.reservation is None


# --- the final invoice --------------------------------------------------------------------------------

def test_the_handover_issues_the_final_invoice_once(g):
    quote_id = quote_for_a_car(g)
    order_id = open_order(g, quote_id).order.id
    handed_over(g, order_id)
    [final] = invoices_of(g)
    assert final.kind == InvoiceKind.FINAL and final.ttc_cents == 1_830_000
    invoice = invoices.get(g.dealer_id, final.number)
    assert invoice.order_reference == quotes.get(g.dealer_id, quote_id).number and invoice.buyer.name == "Marie Durand"
    order = orders.view(g.dealer_id, order_id).order
    assert orders.issue_final_invoice(order).number == final.number  # once per order
    assert len(invoices_of(g)) == 1


def test_a_handover_stands_when_its_invoice_cannot_be_issued(memory, g):
    order_id = open_order(g, quote_for_a_car(g)).order.id
    dealers.change_legal(g.dealer_id, DealerLegalChange(), by=g.admin)  # no legal details: no invoice
    handed_over(g, order_id)
    assert orders.view(g.dealer_id, order_id).order.status == OrderStatus.HANDED_OVER
    assert invoices_of(g) == []
    dealers.change_legal(g.dealer_id, DealerLegalChange(**LEGAL), by=g.admin)
    orders.issue_final_invoice(orders.view(g.dealer_id, order_id).order)
    assert [i.kind for i in invoices_of(g)] == [InvoiceKind.FINAL]


# --- the acompte paid by card: its order, its invoice, its credit note ------------------------------------

@pytest.fixture
def accepted(g):
    """A proposal the customer accepted, with the order the acceptance opened (as signing does)."""
    at(side.NOW)
    tenant = g.tenant
    signed = side.sent(tenant, status=ProposalStatus.ACCEPTED)
    change = orders.opened_by_acceptance(side.stored(signed), side.NOW)
    commit(change.writes)
    return signed, change.order.id


def pay_acompte(signed, event_id: str = "evt_1"):
    deposits.start(signed.token, signed.form("deposit"), side.PHONE)
    session_id = side.stored(signed).deposit_payment.session_id
    payload, signature = side.webhook_event(signed, event_id=event_id, session_id=session_id)
    return payment_webhook.receive(payload, signature), (payload, signature)


def test_the_acompte_paid_is_recorded_on_the_order_and_invoiced(g, accepted):
    signed, order_id = accepted
    received, _ = pay_acompte(signed)
    assert received.outcome == Outcome.RECORDED
    amount = signed.proposal.deposit_cents
    view = orders.view(g.dealer_id, order_id)
    assert (view.order.deposit_paid_cents, view.order.received_cents) == (amount, amount)
    assert [(p.kind, p.method) for p in view.payments] == [("deposit", "card")]
    [deposit] = invoices_of(g)
    assert (deposit.kind, deposit.ttc_cents) == (InvoiceKind.DEPOSIT, amount)


def test_an_acompte_invoice_that_failed_is_issued_by_the_replayed_event(g, accepted):
    signed, order_id = accepted
    dealers.change_legal(g.dealer_id, DealerLegalChange(), by=g.admin)
    received, (payload, signature) = pay_acompte(signed)
    assert received.outcome == Outcome.RECORDED  # the payment stands
    assert side.stored(signed).deposit_payment.paid_at is not None and invoices_of(g) == []
    dealers.change_legal(g.dealer_id, DealerLegalChange(**LEGAL), by=g.admin)
    assert payment_webhook.receive(payload, signature).outcome == Outcome.DUPLICATE
    assert [i.kind for i in invoices_of(g)] == [InvoiceKind.DEPOSIT]
    payment_webhook.receive(payload, signature)
    assert len(invoices_of(g)) == 1
    assert orders.view(g.dealer_id, order_id).order.deposit_paid_cents == signed.proposal.deposit_cents


def test_the_final_invoice_deducts_the_acompte(g, accepted):
    signed, order_id = accepted
    pay_acompte(signed)
    at(datetime(2026, 12, 5, 9, tzinfo=UTC))
    handed_over(g, order_id)
    deposit, final = sorted(invoices_of(g), key=lambda i: i.number)
    invoice = invoices.get(g.dealer_id, final.number)
    assert invoice.kind == InvoiceKind.FINAL and invoice.order_reference == signed.proposal.reference
    assert [d.number for d in invoice.deductions] == [deposit.number]
    assert final.due_cents == final.ttc_cents - deposit.ttc_cents


def test_an_approved_refund_issues_the_credit_note_of_the_acompte(g, accepted):
    signed, order_id = accepted
    pay_acompte(signed)
    order_cancellation.request(g.dealer_id, order_id, command(CancellationRequest, reason="withdrawal"),
                               by=g.seller)
    order_cancellation.approve(g.dealer_id, order_id, by=g.as_manager)
    deposit, credit = sorted(invoices_of(g), key=lambda i: i.number)
    assert (credit.kind, credit.credited_number, credit.ttc_cents) == (
        InvoiceKind.CREDIT_NOTE, deposit.number, deposit.ttc_cents)
    order = orders.view(g.dealer_id, order_id).order
    assert order.cancellation.reason == CancellationReason.WITHDRAWAL
    assert order_cancellation.credit_refunded_deposit(order).number == credit.number  # once per order
    assert len(invoices_of(g)) == 2


def test_an_order_without_acompte_invoice_has_no_credit_note(g):
    order_id = open_order(g, quote_for_a_car(g)).order.id
    order_cancellation.request(g.dealer_id, order_id, command(CancellationRequest, reason="cancellation"),
                               by=g.seller)
    order_cancellation.approve(g.dealer_id, order_id, by=g.as_manager)
    assert invoices_of(g) == []

