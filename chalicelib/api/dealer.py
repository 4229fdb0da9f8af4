"""Dealer API: the dealer's settings, branches, users and the seller's own profile."""
from chalice import Blueprint, Response

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint, parse
from chalicelib.domain.dealers import (
    Dealer, DealerLegalChange, DealerSettingsChange, MyProfile, NewBranch, NewUser, ProfileChange, User,
)
from chalicelib.domain.files import DocumentDownload
from chalicelib.domain.terms import DealerTerms, NewTerms, TermsUploadForm, TermsVersion
from chalicelib.domain.errors import NotFound
from chalicelib.services import dealers, terms

dealer_api = Blueprint(__name__)


@endpoint(dealer_api, "/dealer", summary="The caller's dealer, its settings and branches",
          response=Dealer, authorizer=seller_auth)
def read_dealer():
    staff = current_staff(dealer_api)
    return dealers.get_dealer(staff.dealer_id)


@endpoint(dealer_api, "/dealer/settings", method="PATCH", summary="Change dealer settings (admins)",
          body=DealerSettingsChange, response=Dealer, authorizer=seller_auth)
def change_settings():
    staff = current_staff(dealer_api)
    change = parse(DealerSettingsChange, dealer_api.current_request)
    return dealers.change_settings(staff.dealer_id, change, by=staff)


@endpoint(dealer_api, "/dealer/legal", method="PUT",
          summary="Replace the dealer's legal information printed on quotes and proposals (admins)",
          body=DealerLegalChange, response=Dealer, authorizer=seller_auth)
def change_legal():
    staff = current_staff(dealer_api)
    change = parse(DealerLegalChange, dealer_api.current_request)
    return dealers.change_legal(staff.dealer_id, change, by=staff)


@endpoint(dealer_api, "/dealer/branches", method="POST", summary="Add a branch (admins)",
          body=NewBranch, response=Dealer, status=201, authorizer=seller_auth)
def add_branch():
    staff = current_staff(dealer_api)
    command = parse(NewBranch, dealer_api.current_request)
    return dealers.add_branch(staff.dealer_id, command, by=staff)


@endpoint(dealer_api, "/dealer/terms", summary="The dealer's terms (CGV) per product kind: the version in force "
          "and every version", response=DealerTerms, authorizer=seller_auth)
def list_terms():
    staff = current_staff(dealer_api)
    return terms.listed(staff.dealer_id)


@endpoint(dealer_api, "/dealer/terms/uploads", method="POST", summary="New terms for a product kind (admins): a "
          "presigned POST (PDF, ≤ 10 MB, private) for the file, then confirm", body=NewTerms, response=TermsUploadForm,
          status=201, authorizer=seller_auth)
def add_terms():
    staff = current_staff(dealer_api)
    command = parse(NewTerms, dealer_api.current_request)
    return terms.request_upload(staff.dealer_id, command, by=staff)


@endpoint(dealer_api, "/dealer/terms/uploads/{upload_id}/confirm", method="POST", summary="Keep the uploaded "
          "file as the kind's next version if its bytes are a readable PDF (admins); else it is deleted and refused",
          response=TermsVersion, status=201, authorizer=seller_auth)
def confirm_terms(upload_id: str):
    staff = current_staff(dealer_api)
    return terms.confirm_upload(staff.dealer_id, upload_id, by=staff)


@endpoint(dealer_api, "/dealer/terms/{kind}", method="DELETE", summary="Stop a kind's terms applying to what is "
          "sent from now on (admins); every version stays for what was sent", status=204, authorizer=seller_auth)
def remove_terms(kind: str):
    staff = current_staff(dealer_api)
    terms.remove(staff.dealer_id, kind, by=staff)
    return Response(body="", status_code=204)


@endpoint(dealer_api, "/dealer/terms/{kind}/versions/{version}/download", summary="A five-minute link that "
          "downloads one version of a kind's terms", response=DocumentDownload, authorizer=seller_auth)
def download_terms(kind: str, version: str):
    staff = current_staff(dealer_api)
    return terms.download(staff.dealer_id, kind, _number(version))


def _number(text: str) -> int:
    """A version in a path: a number, or nothing of ours (404)."""
    if not text.isdigit():
        raise NotFound("Version des conditions générales introuvable.")
    return int(text)


@endpoint(dealer_api, "/users", summary="The dealer's users", response=list[User], authorizer=seller_auth)
def list_users():
    staff = current_staff(dealer_api)
    return dealers.list_users(staff.dealer_id)


@endpoint(dealer_api, "/users", method="POST", summary="Create a user (admins)",
          body=NewUser, response=User, status=201, authorizer=seller_auth)
def create_user():
    staff = current_staff(dealer_api)
    command = parse(NewUser, dealer_api.current_request)
    return dealers.create_user(staff.dealer_id, command, by=staff)


@endpoint(dealer_api, "/users/{user_id}", summary="One user", response=User, authorizer=seller_auth)
def read_user(user_id: str):
    staff = current_staff(dealer_api)
    return dealers.get_user(staff.dealer_id, user_id)


@endpoint(dealer_api, "/users/{user_id}/deactivate", method="POST", summary="Deactivate a user (admins)",
          response=User, authorizer=seller_auth)
def deactivate_user(user_id: str):
    staff = current_staff(dealer_api)
    return dealers.deactivate_user(staff.dealer_id, user_id, by=staff)


@endpoint(dealer_api, "/me/profile", summary="The caller's seller profile, as customers see it, and their "
          "notification preferences", response=MyProfile, authorizer=seller_auth)
def read_profile():
    staff = current_staff(dealer_api)
    return dealers.get_profile(staff.dealer_id, staff.user_id)


@endpoint(dealer_api, "/me/profile", method="PUT", summary="Create or change the caller's seller profile",
          body=ProfileChange, response=User, authorizer=seller_auth)
def save_profile():
    staff = current_staff(dealer_api)
    change = parse(ProfileChange, dealer_api.current_request)
    return dealers.save_profile(staff.dealer_id, staff.user_id, change)
