"""Use cases on customer accounts and contacts. Tenant id comes first; each change commits one unit of work."""
from chalicelib.domain import clock
from chalicelib.domain.customers import (
    AccountChange, AccountView, Contact, ContactChange, NewAccount, NewContact, new_account, new_contact,
)
from chalicelib.domain.ids import new_id
from chalicelib.store import customers as store
from chalicelib.store.unit_of_work import commit


def create_account(dealer_id: str, command: NewAccount) -> AccountView:
    now = clock.now()
    account = new_account(new_id(), dealer_id, command, now)
    contacts = [new_contact(new_id(), dealer_id, account.id, command.contact, now)] if command.contact else []
    commit(store.account_created(account, contacts))
    return AccountView(account=account, contacts=contacts)


def get_account(dealer_id: str, account_id: str) -> AccountView:
    return store.get_account(dealer_id, account_id)


def list_accounts(dealer_id: str) -> list[AccountView]:
    return store.list_accounts(dealer_id)


def change_account(dealer_id: str, account_id: str, change: AccountChange) -> AccountView:
    view = store.get_account(dealer_id, account_id)
    account = view.account.changed(change, clock.now())
    commit(store.account_saved(account))
    return view.model_copy(update={"account": account})


def add_contact(dealer_id: str, account_id: str, command: NewContact) -> Contact:
    """No read first: the write itself checks that the account exists in this dealer (404 otherwise)."""
    contact = new_contact(new_id(), dealer_id, account_id, command, clock.now())
    commit(store.contact_created(contact))
    return contact


def change_contact(dealer_id: str, account_id: str, contact_id: str, change: ContactChange) -> Contact:
    contact = store.get_contact(dealer_id, account_id, contact_id).changed(change, clock.now())
    commit(store.contact_saved(contact))
    return contact
