"""Dealer API: invoices and credit notes (list, one, download, CSV export), a quote invoiced, a correction."""
from chalice import Blueprint, Response

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint, parse, parse_query
from chalicelib.documents.storage import attachment_disposition
from chalicelib.domain.invoices import (
    ExportQuery, Invoice, InvoiceDocument, InvoiceListQuery, InvoicePage, InvoiceRead, NewCreditNote,
)
from chalicelib.services import invoices

invoices_api = Blueprint(__name__)


@endpoint(invoices_api, "/invoices", summary="Invoices and credit notes, newest first (?limit=&cursor=)",
          response=InvoicePage, authorizer=seller_auth)
def list_invoices():
    staff = current_staff(invoices_api)
    return invoices.page(staff.dealer_id, parse_query(InvoiceListQuery, invoices_api.current_request))


@endpoint(invoices_api, "/invoices/export",
          summary="The invoices of a period for the accountant, as CSV (?from=YYYY-MM-DD&to=YYYY-MM-DD)",
          authorizer=seller_auth)
def export_invoices():
    staff = current_staff(invoices_api)
    query = parse_query(ExportQuery, invoices_api.current_request)
    body = invoices.export_csv(staff.dealer_id, query)
    name = f"factures-{query.from_day.isoformat()}-{query.to_day.isoformat()}.csv"
    return Response(body=body, status_code=200, headers={"Content-Type": "text/csv; charset=utf-8",
                                                         "Content-Disposition": attachment_disposition(name)})


@endpoint(invoices_api, "/invoices/{number}", summary="One invoice or credit note, as issued, with its credit notes",
          response=InvoiceRead, authorizer=seller_auth)
def read_invoice(number: str):
    staff = current_staff(invoices_api)
    return invoices.read(staff.dealer_id, number)


@endpoint(invoices_api, "/invoices/{number}/pdf",
          summary="The invoice's Factur-X PDF (rendered on first download), as a short-lived download URL",
          response=InvoiceDocument, authorizer=seller_auth)
def invoice_pdf(number: str):
    staff = current_staff(invoices_api)
    return invoices.download(staff.dealer_id, number)


@endpoint(invoices_api, "/invoices/{number}/credit-notes", method="POST",
          summary="A correction: a credit note of the invoice, whole or of amount_cents TTC",
          body=NewCreditNote, response=Invoice, status=201, authorizer=seller_auth)
def credit_invoice(number: str):
    staff = current_staff(invoices_api)
    command = parse(NewCreditNote, invoices_api.current_request)
    return invoices.credit_note(staff.dealer_id, number, command, by=staff)


@endpoint(invoices_api, "/quotes/{quote_id}/invoice", method="POST",
          summary="Invoice a quote that sells no vehicle (a service contract sold alone); once per quote",
          response=Invoice, status=201, authorizer=seller_auth)
def invoice_quote(quote_id: str):
    staff = current_staff(invoices_api)
    return invoices.from_quote(staff.dealer_id, quote_id, by=staff)
