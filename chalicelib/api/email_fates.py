"""Dealer API: a seller confirms that a suppressed customer address is right after all (issue 17)."""
from chalice import Blueprint

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint
from chalicelib.domain.proposals.views import ProposalView
from chalicelib.services import email_events

email_fates_api = Blueprint(__name__)


@endpoint(email_fates_api, "/proposals/{proposal_id}/confirm-address", method="POST",
          summary="Confirm the customer's email address after a permanent bounce or a complaint: "
                  "sending and reminding to it are allowed again",
          response=ProposalView, authorizer=seller_auth)
def confirm_address(proposal_id: str):
    staff = current_staff(email_fates_api)
    return email_events.confirm_address(staff.dealer_id, proposal_id, by=staff)
