"""Dealer API: customer accounts (person or company) and their contacts."""
from chalice import Blueprint

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint, parse
from chalicelib.domain.customers import AccountChange, AccountView, Contact, ContactChange, NewAccount, NewContact
from chalicelib.services import customers

customers_api = Blueprint(__name__)


@endpoint(customers_api, "/accounts", method="POST", summary="Create a customer account, with its first contact",
          body=NewAccount, response=AccountView, status=201, authorizer=seller_auth)
def create_account():
    staff = current_staff(customers_api)
    command = parse(NewAccount, customers_api.current_request)
    return customers.create_account(staff.dealer_id, command)


@endpoint(customers_api, "/accounts", summary="The dealer's customer accounts with their contacts",
          response=list[AccountView], authorizer=seller_auth)
def list_accounts():
    staff = current_staff(customers_api)
    return customers.list_accounts(staff.dealer_id)


@endpoint(customers_api, "/accounts/{account_id}", summary="One customer account with its contacts",
          response=AccountView, authorizer=seller_auth)
def read_account(account_id: str):
    staff = current_staff(customers_api)
    return customers.get_account(staff.dealer_id, account_id)


@endpoint(customers_api, "/accounts/{account_id}", method="PATCH", summary="Change a customer account",
          body=AccountChange, response=AccountView, authorizer=seller_auth)
def change_account(account_id: str):
    staff = current_staff(customers_api)
    change = parse(AccountChange, customers_api.current_request)
    return customers.change_account(staff.dealer_id, account_id, change)


@endpoint(customers_api, "/accounts/{account_id}/contacts", method="POST", summary="Add a contact to an account",
          body=NewContact, response=Contact, status=201, authorizer=seller_auth)
def add_contact(account_id: str):
    staff = current_staff(customers_api)
    command = parse(NewContact, customers_api.current_request)
    return customers.add_contact(staff.dealer_id, account_id, command)


@endpoint(customers_api, "/accounts/{account_id}/contacts/{contact_id}", method="PATCH",
          summary="Change a contact", body=ContactChange, response=Contact, authorizer=seller_auth)
def change_contact(account_id: str, contact_id: str):
    staff = current_staff(customers_api)
    change = parse(ContactChange, customers_api.current_request)
    return customers.change_contact(staff.dealer_id, account_id, contact_id, change)
