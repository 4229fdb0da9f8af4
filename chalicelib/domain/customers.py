"""Customer accounts (a person or a company) and their contacts.

A contact belongs to exactly one account of one dealer; quotes name the account
and, usually, the contact who receives and signs.
"""
import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self, TypeVar

from pydantic import BeforeValidator, EmailStr, Field, ValidationError, model_validator

from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.model import Command, Entity


def _e164(value: object) -> object:
    """Accepts "+33 6 12 34 56 78" and the French "06 12 34 56 78"; stores E.164."""
    if not isinstance(value, str):
        return value
    compact = re.sub(r"[\s.\-()]", "", value)
    if re.fullmatch(r"0[1-9]\d{8}", compact):
        return "+33" + compact[1:]
    if compact.startswith("00"):
        return "+" + compact[2:]
    return compact


def format_phone(phone: str | None) -> str:
    """+33612345678 → "+33 6 12 34 56 78"; other countries as stored."""
    if not phone:
        return ""
    if re.fullmatch(r"\+33\d{9}", phone):
        rest = phone[4:]
        return f"+33 {phone[3]} " + " ".join(rest[i:i + 2] for i in range(0, 8, 2))
    return phone


Mobile = Annotated[
    str,
    BeforeValidator(_e164),
    Field(pattern=r"^\+[1-9]\d{6,14}$", description="E.164 (+33612345678); 06 12 34 56 78 is accepted"),
]


class AccountKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class Civility(StrEnum):
    MADAME = "Mme"
    MONSIEUR = "M."


class PostalAddress(Entity):
    line1: str = Field(min_length=1, max_length=120)
    line2: str | None = Field(default=None, max_length=120)
    postal_code: str = Field(min_length=2, max_length=12)
    city: str = Field(min_length=1, max_length=80)
    country: str = Field(default="FR", pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")

    @model_validator(mode="after")
    def _french_postal_code(self) -> Self:
        if self.country == "FR" and not re.fullmatch(r"\d{5}", self.postal_code):
            raise ValueError("a French postal code has 5 digits")
        return self

    def lines(self) -> list[str]:
        country = "" if self.country == "FR" else f" ({self.country})"
        return [line for line in (self.line1, self.line2, f"{self.postal_code} {self.city}{country}") if line]


class Account(Entity):
    id: str
    dealer_id: str
    kind: AccountKind
    name: str = Field(description="the company name, or the person's full name")
    siren: str | None = Field(default=None, description="company registration number (9 digits)")
    address: PostalAddress | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def changed(self, change: "AccountChange", at: datetime) -> "Account":
        if self.kind == AccountKind.PERSON and change.siren:
            raise InvalidInput("Un SIREN appartient à un compte société.",
                               {"siren": "a SIREN belongs to a company account"})
        return _changed(self, change, at)


class Contact(Entity):
    id: str
    dealer_id: str
    account_id: str
    civility: Civility | None = None
    first_name: str
    last_name: str
    email: EmailStr | None = None
    mobile: str | None = None
    address: PostalAddress | None = Field(default=None, description="when it differs from the account's")
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def changed(self, change: "ContactChange", at: datetime) -> "Contact":
        return _changed(self, change, at)


E = TypeVar("E", "Account", "Contact")


def _changed(entity: E, change: Command, at: datetime) -> E:
    """The entity with the fields present in `change`, validated again as a whole."""
    updates = change.model_dump(exclude_unset=True)
    if not updates:
        raise InvalidInput("Rien à modifier.", {"body": "no field given"})
    try:
        return type(entity).model_validate(
            entity.model_dump() | updates | {"updated_at": at, "version": entity.version + 1})
    except ValidationError as invalid:
        fields = {".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in invalid.errors(include_url=False)}
        raise InvalidInput("Modification invalide.", fields) from None


class AccountView(Entity):
    """An account with its contacts, as the seller's screens show it."""
    account: Account
    contacts: list[Contact] = []

    def contact(self, contact_id: str) -> Contact:
        for contact in self.contacts:
            if contact.id == contact_id:
                return contact
        raise NotFound("Contact introuvable dans ce compte client.")


# --- commands -----------------------------------------------------------------------

class AddressInput(PostalAddress, Command):
    """An address as the seller types it: the same fields and checks, unknown ones and wrong types refused."""


class NewContact(Command):
    civility: Civility | None = None
    first_name: str = Field(min_length=1, max_length=80)
    last_name: str = Field(min_length=1, max_length=80)
    email: EmailStr | None = None
    mobile: Mobile | None = None
    address: AddressInput | None = None


class ContactChange(Command):
    """Only the fields present change."""
    civility: Civility | None = None
    first_name: str | None = Field(default=None, min_length=1, max_length=80)
    last_name: str | None = Field(default=None, min_length=1, max_length=80)
    email: EmailStr | None = None
    mobile: Mobile | None = None
    address: AddressInput | None = None


class NewAccount(Command):
    kind: AccountKind
    name: str | None = Field(default=None, min_length=1, max_length=120,
                             description="required for a company; a person's account takes the contact's name")
    siren: str | None = Field(default=None, pattern=r"^\d{9}$")
    address: AddressInput | None = None
    contact: NewContact | None = Field(default=None, description="the first contact (required for a person)")

    @model_validator(mode="after")
    def _named(self) -> Self:
        if self.kind == AccountKind.COMPANY and not self.name:
            raise ValueError("a company account needs a name")
        if self.kind == AccountKind.PERSON and self.contact is None:
            raise ValueError("a person's account needs its contact")
        if self.kind == AccountKind.PERSON and self.siren:
            raise ValueError("a SIREN belongs to a company account")
        return self

    def account_name(self) -> str:
        if self.name:
            return self.name
        assert self.contact is not None
        return f"{self.contact.first_name} {self.contact.last_name}"


class AccountChange(Command):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    siren: str | None = Field(default=None, pattern=r"^\d{9}$")
    address: AddressInput | None = None


def new_account(account_id: str, dealer_id: str, command: NewAccount, at: datetime) -> Account:
    return Account(
        id=account_id, dealer_id=dealer_id, kind=command.kind, name=command.account_name(), siren=command.siren,
        address=PostalAddress.model_validate(command.address.model_dump()) if command.address else None,
        created_at=at, updated_at=at,
    )


def new_contact(contact_id: str, dealer_id: str, account_id: str, command: NewContact, at: datetime) -> Contact:
    fields = command.model_dump(exclude={"address"})
    address = PostalAddress.model_validate(command.address.model_dump()) if command.address else None
    return Contact(id=contact_id, dealer_id=dealer_id, account_id=account_id, address=address,
                   created_at=at, updated_at=at, **fields)
