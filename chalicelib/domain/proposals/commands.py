"""What the seller asks of a proposal through the API: create, send, remind, change, list."""
from datetime import date

from pydantic import EmailStr, Field, model_validator

from chalicelib.domain.customers import AddressInput, Civility, Mobile
from chalicelib.domain.dealers import PhoneE164
from chalicelib.domain.model import Command, PageQuery
from chalicelib.domain.proposals.status import ProposalStatus
from chalicelib.domain.quotes import MAX_LINES, LineInput, VehicleDetails


class SellerBlock(Command):
    display_name: str = Field(min_length=1, max_length=120)
    phone: PhoneE164
    email: EmailStr


class NewProposal(Command):
    quote_id: str = Field(min_length=1, max_length=40)
    seller: SellerBlock | None = Field(default=None, description="the seller block; the seller's profile by default")
    co_holder_contact_id: str | None = Field(default=None, min_length=1, max_length=40,
                                             description="a second signer (cotitulaire): another contact of the "
                                                         "quote's account")


class SendProposal(Command):
    recipient_contact_id: str | None = Field(default=None, description="another contact of the same account")
    attach_pdf: bool = False
    request_signature: bool | None = Field(default=None, description="on by default when the dealer has e-signature")
    note: str | None = Field(default=None, max_length=2000, description="a personal word added to the email")


class RemindProposal(Command):
    attach_pdf: bool = False
    note: str | None = Field(default=None, max_length=2000)


CUSTOMER_FIELDS = {"email", "mobile", "civility", "first_name", "last_name", "company_name", "address"}


EDITABLE_AFTER_SEND = {"email", "mobile", "seller"}


class ProposalChange(Command):
    """Fields present change. After sending only email, mobile and seller are accepted (else 409)."""
    email: EmailStr | None = None
    mobile: Mobile | None = None
    seller: SellerBlock | None = None
    civility: Civility | None = None
    first_name: str | None = Field(default=None, min_length=1, max_length=80)
    last_name: str | None = Field(default=None, min_length=1, max_length=80)
    company_name: str | None = Field(default=None, min_length=1, max_length=120)
    address: AddressInput | None = None
    vehicle: VehicleDetails | None = Field(default=None, description="the vehicle line's details")
    lines: list[LineInput] | None = Field(default=None, max_length=MAX_LINES)
    valid_until: date | None = None
    notes: str | None = Field(default=None, max_length=4000)
    co_holder_contact_id: str | None = Field(default=None, min_length=1, max_length=40,
                                             description="the second signer (cotitulaire), another contact of the "
                                                         "account; null: a single signer (draft only)")

    @model_validator(mode="after")
    def _no_null_for_required(self) -> "ProposalChange":
        for name in ("seller", "first_name", "last_name", "vehicle", "lines", "valid_until"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class ProposalListQuery(PageQuery):
    status: ProposalStatus | None = None
    seller_id: str | None = Field(default=None, min_length=1, max_length=40, description="the proposal's seller")
    q: str | None = Field(default=None, min_length=1, max_length=100,
                          description="part of the customer's name or of the reference (case and accents ignored)")
