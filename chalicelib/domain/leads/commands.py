"""What the seller asks of a lead: the commands the API validates, and the rules on their input."""
import re
from pathlib import PurePosixPath
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, EmailStr, Field, model_validator

from chalicelib.domain.dealers import PhoneE164
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.leads.model import (
    DOCUMENT_TYPES, MAX_CONTACTS, MAX_DOCUMENT_BYTES, ContactAddress, LeadStatus, LeadType,
)
from chalicelib.domain.model import Command
from chalicelib.domain.tasks import UtcTime

Ulid = Annotated[str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$", description="ULID")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Label = Annotated[str, Field(min_length=1, max_length=120)]


class AddressInput(ContactAddress, Command):
    """An address as the seller types it: the same fields, unknown ones and wrong types refused."""


class ContactDetails(Command):
    """A contact as the seller types it: a name and at least one way to reach them."""
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr | None = None
    mobile: PhoneE164 | None = None
    address: AddressInput | None = None

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if self.email is None and self.mobile is None:
            raise ValueError("give an email or a mobile number")
        return self



# --- commands ---------------------------------------------------------------------

class NewLead(Command):
    contacts: list[ContactDetails] = Field(min_length=1, max_length=MAX_CONTACTS)
    type: LeadType
    source: str = Field(min_length=1, max_length=60, description="where the lead came from, e.g. site web")
    owner_id: str | None = Field(default=None, description="defaults to the caller")
    branch_id: str | None = Field(default=None, description="defaults to the owner's branch")


class LeadQuery(Command):
    """Filters and page of the lead list (query string)."""
    status: LeadStatus | None = None
    owner_id: str | None = Field(default=None, max_length=64)
    branch_id: str | None = Field(default=None, max_length=64)
    overdue: bool | None = None
    q: str | None = Field(default=None, min_length=1, max_length=80, description="text in a contact name")
    overdue_first: bool = False
    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=400)


# French plates (AA-123-AA, and the older 1234 AB 56 form) and foreign ones: letters, digits, dashes.
Registration = Annotated[
    str, Field(min_length=2, max_length=15, pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]*[A-Za-z0-9]$"),
    AfterValidator(str.upper),
]


class NewTradeIn(Command):
    vehicle: Label
    registration: Registration
    mileage_km: int = Field(ge=0, le=2_000_000)
    estimated_value_cents: int = Field(ge=0, le=100_000_000)


class LinkOffer(Command):
    quote_id: Ulid
    label: Label


class NewTestDrive(Command):
    vehicle: Label
    starts_at: UtcTime
    licence_checked: Literal[True] = Field(description="the seller checked the driving licence")
    licence_number: str = Field(min_length=4, max_length=20, pattern=r"^[A-Za-z0-9]+$")


class NewRemark(Command):
    text: Text


class NewDocument(Command):
    title: Label
    filename: str = Field(min_length=1, max_length=180)
    content_type: str = Field(min_length=1, max_length=120)
    size_bytes: int = Field(ge=1)


class RenameDocument(Command):
    title: Label


class NewCommunication(Command):
    contact_id: str | None = Field(default=None, description="defaults to the lead's first contact")
    subject: str = Field(min_length=1, max_length=200)
    text: Text
    attachment_s3_key: str | None = Field(default=None, max_length=400)
    attachment_filename: str | None = Field(default=None, max_length=180)

    @model_validator(mode="after")
    def _attachment_has_a_name(self) -> Self:
        if (self.attachment_s3_key is None) != (self.attachment_filename is None):
            raise ValueError("give attachment_s3_key and attachment_filename together")
        return self


class Assign(Command):
    owner_id: str | None = None
    branch_id: str | None = None

    @model_validator(mode="after")
    def _someone_or_somewhere(self) -> Self:
        if self.owner_id is None and self.branch_id is None:
            raise ValueError("give owner_id, branch_id or both")
        return self


class ChangeStatus(Command):
    status: LeadStatus
    reason: str | None = Field(default=None, min_length=1, max_length=500)


class MoveDeadline(Command):
    due_at: UtcTime


class RecordContact(Command):
    contact_made: bool
    note: str | None = Field(default=None, min_length=1, max_length=500)


# --- rules on input ---------------------------------------------------------------

def check_document(command: NewDocument) -> str:
    """The declared file is allowed (type, size, name); returns its extension."""
    extensions = DOCUMENT_TYPES.get(command.content_type)
    if extensions is None:
        raise InvalidInput("Type de fichier non accepté : PDF, JPEG, PNG, DOCX ou TXT.",
                           {"content_type": "not allowed"})
    if command.size_bytes > MAX_DOCUMENT_BYTES:
        raise InvalidInput("Le fichier dépasse 10 Mo.", {"size_bytes": f"over {MAX_DOCUMENT_BYTES} bytes"})
    check_filename(command.filename, "filename")
    extension = PurePosixPath(command.filename).suffix.lower()
    if extension not in extensions:
        raise InvalidInput("L'extension du fichier ne correspond pas à son type.",
                           {"filename": f"expected {' or '.join(extensions)}"})
    return extension


def check_filename(filename: str, field: str) -> None:
    """A plain file name: shown to the customer and sent in headers, so no paths or control characters."""
    if re.search(r"[/\\\x00-\x1f\x7f\"]", filename) or filename in (".", ".."):
        raise InvalidInput("Nom de fichier invalide.", {field: "plain file name expected"})

