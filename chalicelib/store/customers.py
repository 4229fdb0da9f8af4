"""Customer accounts and their contacts (contacts sit under their account's key)."""
from chalicelib.domain.customers import Account, AccountView, Contact
from chalicelib.domain.errors import NotFound
from chalicelib.store import keys
from chalicelib.store.table import Check, Put, Write, if_absent, if_exists, if_version, table

_CONTACT = "#CONTACT#"
_ACCOUNT_MISSING = NotFound("Compte client introuvable.")


def account_created(account: Account, contacts: list[Contact]) -> list[Write]:
    return [
        Put(keys.account(account.dealer_id, account.id), _item(account), if_absent()),
        *(Put(keys.contact(c.dealer_id, c.account_id, c.id), _item(c), if_absent()) for c in contacts),
    ]


def get_account(dealer_id: str, account_id: str) -> AccountView:
    """The account and its contacts, in one Query."""
    partition, prefix = keys.account_with_contacts(dealer_id, account_id)
    account_key = keys.account(dealer_id, account_id)[keys.SK]
    items = [i for i in table.query_all(partition, prefix)
             if i[keys.SK] == account_key or i[keys.SK].startswith(account_key + _CONTACT)]
    views = _views(items)
    if not views:
        raise _ACCOUNT_MISSING
    return views[0]


def list_accounts(dealer_id: str) -> list[AccountView]:
    partition, prefix = keys.accounts_of(dealer_id)
    return _views(table.query_all(partition, prefix))


def account_saved(account: Account) -> Put:
    """The changed account, if nobody changed it since it was read."""
    return Put(keys.account(account.dealer_id, account.id), _item(account), if_version(account.version - 1))


def get_contact(dealer_id: str, account_id: str, contact_id: str) -> Contact:
    item = table.get(keys.contact(dealer_id, account_id, contact_id))
    if item is None:
        raise NotFound("Contact introuvable dans ce compte client.")
    return Contact.model_validate(item)


def contact_created(contact: Contact) -> list[Write]:
    """The contact, if its account exists."""
    return [
        Check(keys.account(contact.dealer_id, contact.account_id), if_exists(), error=_ACCOUNT_MISSING),
        Put(keys.contact(contact.dealer_id, contact.account_id, contact.id), _item(contact), if_absent()),
    ]


def contact_saved(contact: Contact) -> Put:
    return Put(keys.contact(contact.dealer_id, contact.account_id, contact.id), _item(contact),
               if_version(contact.version - 1))


def _views(items: list[dict]) -> list[AccountView]:
    """Items in key order: each account, then its contacts."""
    views: list[AccountView] = []
    contacts: dict[str, list[Contact]] = {}
    accounts: list[Account] = []
    for item in items:
        if _CONTACT in item[keys.SK]:
            contact = Contact.model_validate(item)
            contacts.setdefault(contact.account_id, []).append(contact)
        else:
            accounts.append(Account.model_validate(item))
    for account in accounts:
        views.append(AccountView(account=account, contacts=contacts.get(account.id, [])))
    return views


def _item(entity) -> dict:
    return entity.model_dump(mode="json")
