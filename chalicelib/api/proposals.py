"""Dealer API: proposals sent for remote signing. Every route needs the remote-selling option."""
from typing import Any

from chalice import Blueprint

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint, parse, parse_query
from chalicelib.domain.proposals.commands import (
    NewProposal, ProposalChange, ProposalListQuery, RemindProposal, SendProposal,
)
from chalicelib.domain.proposals.options import OptionsLock
from chalicelib.domain.proposals.views import DocumentLink, ProposalPage, ProposalView
from chalicelib.domain.deposits import AnomalySettlement
from chalicelib.domain.questions import AnswerQuestion
from chalicelib.services import deposits, options, proposals, questions, signing

proposals_api = Blueprint(__name__)


@endpoint(proposals_api, "/proposals", method="POST", summary="Create a proposal (draft) from a quote",
          body=NewProposal, response=ProposalView, status=201, authorizer=seller_auth)
def create_proposal():
    staff = current_staff(proposals_api)
    command = parse(NewProposal, proposals_api.current_request)
    return proposals.create(staff.dealer_id, command, by=staff)


@endpoint(proposals_api, "/proposals", summary="Proposals, newest first, with views (?status=&limit=&cursor=)",
          response=ProposalPage, authorizer=seller_auth)
def list_proposals():
    staff = current_staff(proposals_api)
    query = parse_query(ProposalListQuery, proposals_api.current_request)
    return proposals.page(staff.dealer_id, query)


@endpoint(proposals_api, "/proposals/{proposal_id}", summary="One proposal with its full history",
          response=ProposalView, authorizer=seller_auth)
def read_proposal(proposal_id: str):
    staff = current_staff(proposals_api)
    return proposals.get(staff.dealer_id, proposal_id)


@endpoint(proposals_api, "/proposals/{proposal_id}", method="PATCH",
          summary="Edit a proposal: after sending, only the customer's email and mobile and the seller block",
          body=ProposalChange, response=ProposalView, authorizer=seller_auth)
def edit_proposal(proposal_id: str):
    staff = current_staff(proposals_api)
    change = parse(ProposalChange, proposals_api.current_request)
    return proposals.edit(staff.dealer_id, proposal_id, change, by=staff)


@endpoint(proposals_api, "/proposals/{proposal_id}/options-lock", method="PUT",
          summary="Lock (or unlock) the optional products: locked, the customer's portal shows them read-only",
          body=OptionsLock, response=ProposalView, authorizer=seller_auth)
def lock_options(proposal_id: str):
    staff = current_staff(proposals_api)
    command = parse(OptionsLock, proposals_api.current_request)
    return options.lock(staff.dealer_id, proposal_id, command, by=staff)


@endpoint(proposals_api, "/proposals/{proposal_id}/send", method="POST",
          summary="Send the proposal by email with a link to the document",
          body=SendProposal, response=ProposalView, authorizer=seller_auth)
def send_proposal(proposal_id: str):
    staff = current_staff(proposals_api)
    command = parse(SendProposal, proposals_api.current_request)
    return proposals.send(staff.dealer_id, proposal_id, command, by=staff)


@endpoint(proposals_api, "/proposals/{proposal_id}/remind", method="POST",
          summary="Remind the customer by email (reminder template, new link)",
          body=RemindProposal, response=ProposalView, authorizer=seller_auth)
def remind_proposal(proposal_id: str):
    staff = current_staff(proposals_api)
    command = parse(RemindProposal, proposals_api.current_request)
    return proposals.remind(staff.dealer_id, proposal_id, command, by=staff)


@endpoint(proposals_api, "/proposals/{proposal_id}/withdraw", method="POST", summary="Withdraw the proposal",
          response=ProposalView, authorizer=seller_auth)
def withdraw_proposal(proposal_id: str):
    staff = current_staff(proposals_api)
    return proposals.withdraw(staff.dealer_id, proposal_id, by=staff)


@endpoint(proposals_api, "/proposals/{proposal_id}/questions/{question_id}/answer", method="POST",
          summary="Answer the customer's question: emailed to the customer, shown on the portal under the question",
          body=AnswerQuestion, response=ProposalView, authorizer=seller_auth)
def answer_question(proposal_id: str, question_id: str):
    staff = current_staff(proposals_api)
    command = parse(AnswerQuestion, proposals_api.current_request)
    return questions.answer(staff.dealer_id, proposal_id, question_id, command, by=staff)


@endpoint(proposals_api, "/proposals/{proposal_id}/payment-anomalies/{anomaly_id}/settle", method="POST",
          summary="Mark a payment that is not the acompte as refunded or settled (admin, manager, back office)",
          body=AnomalySettlement, response=ProposalView, authorizer=seller_auth)
def settle_payment_anomaly(proposal_id: str, anomaly_id: str):
    staff = current_staff(proposals_api)
    settlement = parse(AnomalySettlement, proposals_api.current_request)
    return deposits.settle_anomaly(staff.dealer_id, proposal_id, anomaly_id, settlement, by=staff)


@endpoint(proposals_api, "/proposals/{proposal_id}/pdf",
          summary="The current version's PDF, with a short-lived download URL",
          response=DocumentLink, authorizer=seller_auth)
def proposal_pdf(proposal_id: str):
    staff = current_staff(proposals_api)
    return proposals.document(staff.dealer_id, proposal_id)


@endpoint(proposals_api, "/proposals/{proposal_id}/proofs/signed.pdf",
          summary="Proofs: the signed, sealed PDF (JSON with a five-minute download URL); 404 until signed",
          response=DocumentLink, authorizer=seller_auth)
def signed_proposal_pdf(proposal_id: str):
    staff = current_staff(proposals_api)
    return signing.signed_pdf(staff.dealer_id, proposal_id)


@endpoint(proposals_api, "/proposals/{proposal_id}/proofs/evidence.json",
          summary="Proofs: the evidence file (signer, documents, consent, steps, hash chain and its verification)",
          response=dict[str, Any], authorizer=seller_auth)
def signature_evidence(proposal_id: str):
    staff = current_staff(proposals_api)
    return signing.evidence_file(staff.dealer_id, proposal_id)
