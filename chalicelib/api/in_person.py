"""Dealer API: in-person signing on the seller's tablet (services/in_person.py). The seller's token says
who hosts; the session token, returned to the seller's screen only, is sent back with each step."""
from chalice import Blueprint

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint, parse
from chalicelib.services import in_person
from chalicelib.domain.in_person import (
    InPersonCode, InPersonResend, InPersonSession, InPersonSign, InPersonSigner, InPersonState,
)
from chalicelib.services.visit import Visitor

in_person_api = Blueprint(__name__)


def _visitor() -> Visitor:
    """The tablet, as the request tells it (kept in the evidence)."""
    request = in_person_api.current_request
    identity = (request.context or {}).get("identity") or {}
    return Visitor.of(identity.get("sourceIp"), request.headers.get("user-agent"))


@endpoint(in_person_api, "/proposals/{proposal_id}/in-person", method="POST", status=201,
          summary="Open an in-person signing session (30 minutes) for the customer present, on this seller's tablet",
          response=InPersonSession, authorizer=seller_auth)
def open_in_person(proposal_id: str):
    staff = current_staff(in_person_api)
    return in_person.open_session(staff.dealer_id, proposal_id, by=staff)


@endpoint(in_person_api, "/proposals/{proposal_id}/in-person/sign", method="POST",
          summary="The sign form on the tablet: a code goes by SMS to the signer's mobile",
          body=InPersonSign, response=InPersonSigner, authorizer=seller_auth)
def sign_in_person(proposal_id: str):
    staff = current_staff(in_person_api)
    command = parse(InPersonSign, in_person_api.current_request)
    return in_person.start(staff.dealer_id, proposal_id, command, by=staff, visitor=_visitor())


@endpoint(in_person_api, "/proposals/{proposal_id}/in-person/resend", method="POST",
          summary="A new code by SMS for the form filled in this session (3 codes per 15 minutes)",
          body=InPersonResend, response=InPersonSigner, authorizer=seller_auth)
def resend_in_person(proposal_id: str):
    staff = current_staff(in_person_api)
    command = parse(InPersonResend, in_person_api.current_request)
    return in_person.resend(staff.dealer_id, proposal_id, command, by=staff, visitor=_visitor())


@endpoint(in_person_api, "/proposals/{proposal_id}/in-person/code", method="POST",
          summary="The code typed on the tablet: signs (accepts once every signer has signed)",
          body=InPersonCode, response=InPersonState, authorizer=seller_auth)
def confirm_in_person(proposal_id: str):
    staff = current_staff(in_person_api)
    command = parse(InPersonCode, in_person_api.current_request)
    return in_person.confirm(staff.dealer_id, proposal_id, command, by=staff, visitor=_visitor())
