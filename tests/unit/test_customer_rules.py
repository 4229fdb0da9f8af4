"""Customer accounts and contacts: what a seller types is accepted the way they type it."""
import pytest
from pydantic import ValidationError

from chalicelib.domain.customers import AccountChange, AccountKind, ContactChange, NewAccount, NewContact, format_phone
from chalicelib.domain.errors import InvalidInput
from tests.samples import AT, account, contact


@pytest.mark.parametrize("typed", ["06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78", "0033612345678"])
def test_a_french_mobile_is_stored_in_international_form(typed):
    assert NewContact(first_name="Marie", last_name="Durand", mobile=typed).mobile == "+33612345678"


def test_a_mobile_that_is_not_a_phone_number_is_refused():
    with pytest.raises(ValidationError):
        NewContact(first_name="Marie", last_name="Durand", mobile="12")


def test_a_french_postal_code_has_five_digits():
    with pytest.raises(ValidationError):
        NewContact(first_name="M", last_name="D", address={"line1": "1 rue", "postal_code": "6900", "city": "Lyon"})


def test_a_company_needs_a_name_and_a_person_needs_a_contact():
    with pytest.raises(ValidationError):
        NewAccount(kind=AccountKind.COMPANY)
    with pytest.raises(ValidationError):
        NewAccount(kind=AccountKind.PERSON, name="Marie Durand")
    person = NewAccount(kind=AccountKind.PERSON, contact=NewContact(first_name="Marie", last_name="Durand"))
    assert person.account_name() == "Marie Durand"


def test_a_contact_change_keeps_what_is_not_given_and_refuses_an_empty_name():
    changed = contact().changed(ContactChange(email="nouvelle@example.com"), AT)
    assert changed.email == "nouvelle@example.com" and changed.last_name == "Durand" and changed.version == 2
    with pytest.raises(InvalidInput):
        contact().changed(ContactChange(last_name=None), AT)


def test_a_persons_account_is_not_given_a_siren_by_a_change_either():
    with pytest.raises(InvalidInput) as refused:
        account().changed(AccountChange(siren="123456789"), AT)
    assert refused.value.fields == {"siren": "a SIREN belongs to a company account"}
    assert account().changed(AccountChange(name="Marie Martin"), AT).name == "Marie Martin"


def test_a_change_that_changes_nothing_is_refused():
    with pytest.raises(InvalidInput):
        account().changed(AccountChange(), AT)


def test_phone_numbers_read_in_pairs():
    assert format_phone("+33612345678") == "+33 6 12 34 56 78"
    assert format_phone("+4915112345678") == "+4915112345678"
