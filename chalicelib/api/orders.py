"""Dealer API: orders to handover (SPEC G, seed 001), their documents, cancellation, and the milestone template."""
from chalice import Blueprint

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint, parse, parse_query
from chalicelib.domain.files import DocumentDownload
from chalicelib.domain.orders.commands import (
    CancellationRequest, DeliveryInput, MilestoneDone, HandoverDate, HolderInput, NewPayment, OpenFromQuote,
    OrderListQuery, PaymentPlanInput, RefundIban,
)
from chalicelib.domain.orders.documents import (
    DocumentReview, NewOrderDocument, OrderDocument, OrderUploadForm,
)
from chalicelib.domain.orders.milestones import OrderTemplate, OrderTemplateChange
from chalicelib.domain.orders.views import OrderPage, OrderView
from chalicelib.services import order_cancellation, order_documents, orders

orders_api = Blueprint(__name__)
ORDERS = dict(authorizer=seller_auth, tag="orders")


@endpoint(orders_api, "/orders", method="POST", summary="Open an order from a quote (a showroom reservation)",
          body=OpenFromQuote, response=OrderView, status=201, **ORDERS)
def open_order():
    staff = current_staff(orders_api)
    return orders.open_from_quote(staff.dealer_id, parse(OpenFromQuote, orders_api.current_request), by=staff)


@endpoint(orders_api, "/orders", summary="Orders: open ones by next action (overdue first), then closed (?status=)",
          response=OrderPage, **ORDERS)
def list_orders():
    staff = current_staff(orders_api)
    return orders.page(staff.dealer_id, parse_query(OrderListQuery, orders_api.current_request))


@endpoint(orders_api, "/orders/{order_id}", summary="The order page: milestones, documents, payments, history, "
          "what blocks the handover and the sale", response=OrderView, **ORDERS)
def read_order(order_id: str):
    staff = current_staff(orders_api)
    return orders.view(staff.dealer_id, order_id)


@endpoint(orders_api, "/orders/{order_id}/handover-date", method="PUT",
          summary="Set the handover day and slot (10–15 days after the reservation; out of it, a manager's reason)",
          body=HandoverDate, response=OrderView, **ORDERS)
def set_handover_date(order_id: str):
    staff = current_staff(orders_api)
    command = parse(HandoverDate, orders_api.current_request)
    return orders.set_handover(staff.dealer_id, order_id, command, by=staff)


@endpoint(orders_api, "/orders/{order_id}/payment-plan", method="PUT",
          summary="Set how the order is paid (transfer, banker's cheque, credit with its amounts)",
          body=PaymentPlanInput, response=OrderView, **ORDERS)
def set_payment_plan(order_id: str):
    staff = current_staff(orders_api)
    command = parse(PaymentPlanInput, orders_api.current_request)
    return orders.set_payment_plan(staff.dealer_id, order_id, command, by=staff)


@endpoint(orders_api, "/orders/{order_id}/holder", method="PUT",
          summary="Set the registration holder (individual, co-holders, company)",
          body=HolderInput, response=OrderView, **ORDERS)
def set_holder(order_id: str):
    staff = current_staff(orders_api)
    return orders.set_holder(staff.dealer_id, order_id, parse(HolderInput, orders_api.current_request), by=staff)


@endpoint(orders_api, "/orders/{order_id}/delivery", method="PUT",
          summary="Set the delivery mode (branch handover with its inspector, or home delivery by a partner)",
          body=DeliveryInput, response=OrderView, **ORDERS)
def set_delivery(order_id: str):
    staff = current_staff(orders_api)
    return orders.set_delivery(staff.dealer_id, order_id, parse(DeliveryInput, orders_api.current_request), by=staff)


@endpoint(orders_api, "/orders/{order_id}/payments", method="POST",
          summary="Record money received; the funds are received once the customer's part is in",
          body=NewPayment, response=OrderView, status=201, **ORDERS)
def record_payment(order_id: str):
    staff = current_staff(orders_api)
    return orders.record_payment(staff.dealer_id, order_id, parse(NewPayment, orders_api.current_request), by=staff)


@endpoint(orders_api, "/orders/{order_id}/transfer-order", method="POST",
          summary="The customer's transfer order is confirmed (72 h before the appointment)",
          response=OrderView, **ORDERS)
def confirm_transfer_order(order_id: str):
    staff = current_staff(orders_api)
    return orders.confirm_transfer_order(staff.dealer_id, order_id, by=staff)


@endpoint(orders_api, "/orders/{order_id}/credit-approval", method="POST",
          summary="The credit is approved without reservation", response=OrderView, **ORDERS)
def approve_credit(order_id: str):
    staff = current_staff(orders_api)
    return orders.approve_credit(staff.dealer_id, order_id, by=staff)


@endpoint(orders_api, "/orders/{order_id}/milestones/{code}/done", method="POST", summary="Check a milestone done",
          body=MilestoneDone, response=OrderView, **ORDERS)
def check_milestone(order_id: str, code: str):
    staff = current_staff(orders_api)
    parse(MilestoneDone, orders_api.current_request)
    return orders.check_milestone(staff.dealer_id, order_id, code, by=staff)


@endpoint(orders_api, "/orders/{order_id}/organise", method="POST",
          summary="The appointment or the delivery is booked", response=OrderView, **ORDERS)
def organise(order_id: str):
    staff = current_staff(orders_api)
    return orders.organise(staff.dealer_id, order_id, by=staff)


@endpoint(orders_api, "/orders/{order_id}/handover", method="POST",
          summary="Hand the vehicle over (409 until the funds arrived 48 h ahead or the credit is approved)",
          response=OrderView, **ORDERS)
def hand_over(order_id: str):
    staff = current_staff(orders_api)
    return orders.hand_over(staff.dealer_id, order_id, by=staff)


@endpoint(orders_api, "/orders/{order_id}/sold", method="POST",
          summary="Mark sold (409 without the handover slip, the cerfa 15776 and the barred registration certificate)",
          response=OrderView, **ORDERS)
def mark_sold(order_id: str):
    staff = current_staff(orders_api)
    return orders.mark_sold(staff.dealer_id, order_id, by=staff)


# --- documents ---------------------------------------------------------------------------------

@endpoint(orders_api, "/orders/{order_id}/documents", method="POST",
          summary="Ask to upload a document: a presigned POST (≤ 10 MB, PDF/JPEG/PNG) to send the file with",
          body=NewOrderDocument, response=OrderUploadForm, status=201, **ORDERS)
def request_upload(order_id: str):
    staff = current_staff(orders_api)
    command = parse(NewOrderDocument, orders_api.current_request)
    return order_documents.request_upload(staff.dealer_id, order_id, command, by=staff)


@endpoint(orders_api, "/orders/{order_id}/documents/{document_id}/confirm", method="POST",
          summary="Confirm an upload: the server reads the file's first bytes and keeps only a PDF, JPEG or PNG",
          response=OrderDocument, **ORDERS)
def confirm_upload(order_id: str, document_id: str):
    staff = current_staff(orders_api)
    return order_documents.confirm_upload(staff.dealer_id, order_id, document_id, by=staff)


@endpoint(orders_api, "/orders/{order_id}/documents/{document_id}/review", method="POST",
          summary="Accept a document, or reject it with a reason (back office, managers, admins)",
          body=DocumentReview, response=OrderDocument, **ORDERS)
def review_document(order_id: str, document_id: str):
    staff = current_staff(orders_api)
    command = parse(DocumentReview, orders_api.current_request)
    return order_documents.review(staff.dealer_id, order_id, document_id, command, by=staff)


@endpoint(orders_api, "/orders/{order_id}/documents/{document_id}/download",
          summary="A 5-minute link that downloads a received document under its file name",
          response=DocumentDownload, **ORDERS)
def download_document(order_id: str, document_id: str):
    staff = current_staff(orders_api)
    return order_documents.download(staff.dealer_id, order_id, document_id)


# --- cancellation ------------------------------------------------------------------------------

@endpoint(orders_api, "/orders/{order_id}/cancellation", method="POST",
          summary="Ask for a cancellation or a withdrawal; managers (and, when organised, back office, inspector, "
                  "delivery partner) are told", body=CancellationRequest, response=OrderView, **ORDERS)
def request_cancellation(order_id: str):
    staff = current_staff(orders_api)
    command = parse(CancellationRequest, orders_api.current_request)
    return order_cancellation.request(staff.dealer_id, order_id, command, by=staff)


@endpoint(orders_api, "/orders/{order_id}/cancellation/iban", method="PUT",
          summary="The customer's IBAN for the refund (after funds received)", body=RefundIban, response=OrderView,
          **ORDERS)
def refund_iban(order_id: str):
    staff = current_staff(orders_api)
    command = parse(RefundIban, orders_api.current_request)
    return order_cancellation.give_iban(staff.dealer_id, order_id, command, by=staff)


@endpoint(orders_api, "/orders/{order_id}/cancellation/approve", method="POST",
          summary="A manager approves the refund: the order is cancelled (after funds: 2 IDs and the IBAN first)",
          response=OrderView, **ORDERS)
def approve_cancellation(order_id: str):
    staff = current_staff(orders_api)
    return order_cancellation.approve(staff.dealer_id, order_id, by=staff)


# --- the dealer's milestone template ------------------------------------------------------------

@endpoint(orders_api, "/dealer/order-template", summary="The dealer's order milestones template (admins)",
          response=OrderTemplate, **ORDERS)
def read_order_template():
    staff = current_staff(orders_api)
    return orders.template(staff.dealer_id, by=staff)


@endpoint(orders_api, "/dealer/order-template", method="PUT",
          summary="Replace the order milestones template, for orders opened from now on (admins)",
          body=OrderTemplateChange, response=OrderTemplate, **ORDERS)
def change_order_template():
    staff = current_staff(orders_api)
    command = parse(OrderTemplateChange, orders_api.current_request)
    return orders.change_template(staff.dealer_id, command, by=staff)
