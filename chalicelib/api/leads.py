"""Dealer API: the lead list, the lead page and every action on a lead (seed 004).

Leads belong to every dealer: unlike remote selling, no option gates them.
"""
from chalice import Blueprint, Response

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint, parse, parse_query
from chalicelib.domain.leads.commands import (
    Assign, ChangeStatus, ContactDetails, LeadQuery, LinkOffer, MoveDeadline, NewCommunication, NewDocument,
    NewLead, NewRemark, NewTestDrive, NewTradeIn, RecordContact, RenameDocument,
)
from chalicelib.domain.leads.model import (
    Communication, Deadline, LeadContact, LeadDocument, LeadTask, Offer, Remark, TestDrive, TradeIn,
)
from chalicelib.domain.files import DocumentDownload
from chalicelib.domain.leads.views import DocumentUpload, LeadHeader, LeadList, LeadPage
from chalicelib.domain.tasks import NewTask
from chalicelib.services import leads

leads_api = Blueprint(__name__)
LEADS = dict(authorizer=seller_auth, tag="leads")


@endpoint(leads_api, "/leads", method="POST", summary="Create a lead; its contact deadline follows the dealer's delay",
          body=NewLead, response=LeadHeader, status=201, **LEADS)
def create_lead():
    staff = current_staff(leads_api)
    command = parse(NewLead, leads_api.current_request)
    return leads.create(staff.dealer_id, command, by=staff.user_id)


@endpoint(leads_api, "/leads", summary="The dealer's leads, newest activity first (or overdue first), filtered",
          response=LeadList, **LEADS)
def list_leads():
    staff = current_staff(leads_api)
    query = parse_query(LeadQuery, leads_api.current_request)
    return leads.list_leads(staff.dealer_id, query)


@endpoint(leads_api, "/leads/{lead_id}", summary="The lead page: header, details, follow-up and contacts",
          response=LeadPage, **LEADS)
def read_lead(lead_id: str):
    staff = current_staff(leads_api)
    return leads.get_page(staff.dealer_id, lead_id)


@endpoint(leads_api, "/leads/{lead_id}/trade-ins", method="POST", summary="Add a trade-in",
          body=NewTradeIn, response=TradeIn, status=201, **LEADS)
def add_trade_in(lead_id: str):
    staff = current_staff(leads_api)
    command = parse(NewTradeIn, leads_api.current_request)
    return leads.add_trade_in(staff.dealer_id, lead_id, command, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/offers", method="POST", summary="Record an existing quote as an offer",
          body=LinkOffer, response=Offer, status=201, **LEADS)
def link_offer(lead_id: str):
    staff = current_staff(leads_api)
    command = parse(LinkOffer, leads_api.current_request)
    return leads.link_offer(staff.dealer_id, lead_id, command, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/test-drives", method="POST", summary="Record a test drive",
          body=NewTestDrive, response=TestDrive, status=201, **LEADS)
def add_test_drive(lead_id: str):
    staff = current_staff(leads_api)
    command = parse(NewTestDrive, leads_api.current_request)
    return leads.add_test_drive(staff.dealer_id, lead_id, command, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/remarks", method="POST", summary="Add a remark (comment)",
          body=NewRemark, response=Remark, status=201, **LEADS)
def add_remark(lead_id: str):
    staff = current_staff(leads_api)
    command = parse(NewRemark, leads_api.current_request)
    return leads.add_remark(staff.dealer_id, lead_id, command, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/documents", method="POST",
          summary="Add a document: returns the URL the browser PUTs the file to",
          body=NewDocument, response=DocumentUpload, status=201, **LEADS)
def add_document(lead_id: str):
    staff = current_staff(leads_api)
    command = parse(NewDocument, leads_api.current_request)
    return leads.add_document(staff.dealer_id, lead_id, command, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/documents/{document_id}/download",
          summary="A short-lived URL that downloads the document", response=DocumentDownload, **LEADS)
def download_document(lead_id: str, document_id: str):
    staff = current_staff(leads_api)
    return leads.download_document(staff.dealer_id, lead_id, document_id)


@endpoint(leads_api, "/leads/{lead_id}/documents/{document_id}", method="PATCH", summary="Rename a document",
          body=RenameDocument, response=LeadDocument, **LEADS)
def rename_document(lead_id: str, document_id: str):
    staff = current_staff(leads_api)
    command = parse(RenameDocument, leads_api.current_request)
    return leads.rename_document(staff.dealer_id, lead_id, document_id, command, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/documents/{document_id}", method="DELETE", summary="Delete a document",
          status=204, **LEADS)
def delete_document(lead_id: str, document_id: str):
    staff = current_staff(leads_api)
    leads.delete_document(staff.dealer_id, lead_id, document_id, by=staff.user_id)
    return Response(body="", status_code=204)


@endpoint(leads_api, "/leads/{lead_id}/communications", method="POST",
          summary="Email a contact of the lead, optionally attaching a lead document or a quote PDF",
          body=NewCommunication, response=Communication, status=201, **LEADS)
def send_communication(lead_id: str):
    staff = current_staff(leads_api)
    command = parse(NewCommunication, leads_api.current_request)
    return leads.send_communication(staff.dealer_id, lead_id, command, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/tasks", method="POST", summary="Plan a task",
          body=NewTask, response=LeadTask, status=201, **LEADS)
def add_task(lead_id: str):
    staff = current_staff(leads_api)
    command = parse(NewTask, leads_api.current_request)
    return leads.add_task(staff.dealer_id, lead_id, command, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/tasks/{task_id}/complete", method="POST", summary="Complete a task",
          response=LeadTask, **LEADS)
def complete_task(lead_id: str, task_id: str):
    staff = current_staff(leads_api)
    return leads.complete_task(staff.dealer_id, lead_id, task_id, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/assign", method="POST", summary="Assign the lead to a user and/or a branch",
          body=Assign, response=LeadHeader, **LEADS)
def assign(lead_id: str):
    staff = current_staff(leads_api)
    command = parse(Assign, leads_api.current_request)
    return leads.assign(staff.dealer_id, lead_id, command, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/status", method="POST", summary="Mark the lead open, won or lost",
          body=ChangeStatus, response=LeadHeader, **LEADS)
def change_status(lead_id: str):
    staff = current_staff(leads_api)
    command = parse(ChangeStatus, leads_api.current_request)
    return leads.change_status(staff.dealer_id, lead_id, command, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/keep-open", method="POST",
          summary="« Garder ouvert »: keep the lead open after one of its proposals was declined or expired",
          response=LeadPage, **LEADS)
def keep_open(lead_id: str):
    staff = current_staff(leads_api)
    return leads.keep_open(staff.dealer_id, lead_id, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/deadlines/{deadline_id}", method="PATCH", summary="Move a pending deadline",
          body=MoveDeadline, response=Deadline, **LEADS)
def move_deadline(lead_id: str, deadline_id: str):
    staff = current_staff(leads_api)
    command = parse(MoveDeadline, leads_api.current_request)
    return leads.move_deadline(staff.dealer_id, lead_id, deadline_id, command, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/deadlines/{deadline_id}/contact", method="POST",
          summary="Record whether the customer was contacted", body=RecordContact, response=Deadline, **LEADS)
def record_contact(lead_id: str, deadline_id: str):
    staff = current_staff(leads_api)
    command = parse(RecordContact, leads_api.current_request)
    return leads.record_contact(staff.dealer_id, lead_id, deadline_id, command, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/contacts", method="POST", summary="Link another contact to the lead",
          body=ContactDetails, response=LeadContact, status=201, **LEADS)
def add_contact(lead_id: str):
    staff = current_staff(leads_api)
    command = parse(ContactDetails, leads_api.current_request)
    return leads.add_contact(staff.dealer_id, lead_id, command, by=staff.user_id)


@endpoint(leads_api, "/leads/{lead_id}/contacts/{contact_id}", method="PUT", summary="Correct a contact's details",
          body=ContactDetails, response=LeadContact, **LEADS)
def change_contact(lead_id: str, contact_id: str):
    staff = current_staff(leads_api)
    command = parse(ContactDetails, leads_api.current_request)
    return leads.change_contact(staff.dealer_id, lead_id, contact_id, command, by=staff.user_id)
