"""Dealers (tenants), their settings, branches and users; who may do what."""
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import EmailStr, Field, field_validator, model_validator

from chalicelib.domain.errors import Forbidden, InvalidInput, RemoteSellingDisabled
from chalicelib.domain.model import Command, Entity

PhoneE164 = Annotated[str, Field(pattern=r"^\+[1-9]\d{6,14}$", description="E.164, e.g. +33612345678")]


class Role(StrEnum):
    SELLER = "seller"
    MANAGER = "manager"
    ADMIN = "admin"
    BACK_OFFICE = "back_office"


class Deposit(Entity):
    """The deposit ("acompte") the customer pays online after signing."""
    enabled: bool = False
    amount_cents: int | None = Field(default=None, ge=1)
    percent: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _one_way_of_computing(self) -> Self:
        if self.enabled and (self.amount_cents is None) == (self.percent is None):
            raise ValueError("give either amount_cents or percent for an enabled deposit")
        return self


class BalanceSettings(Entity):
    """How a customer pays an order's balance from the portal: a transfer to this account (its IBAN shown
    in full: the customer needs it to pay), and by card through the acompte's provider when enabled."""
    iban: str | None = Field(default=None, description="the dealer's account for balance transfers")
    bic: str | None = Field(default=None, pattern=r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")
    account_holder: str | None = Field(default=None, max_length=120)
    card_enabled: bool = Field(default=False, description="the order page offers to pay the balance by card")

    @field_validator("iban")
    @classmethod
    def _a_real_iban(cls, value: str | None) -> str | None:
        from chalicelib.domain.iban import check_iban  # schwifty is slow to import: only when an IBAN is set

        return check_iban(value) if value is not None else None


class WithdrawalDays(Entity):
    """Withdrawal periods per product kind, defaults from French law (SPEC E.7)."""
    vehicle: int = Field(default=14, ge=14, le=365)
    service_contract: int = Field(default=14, ge=14, le=365)
    insurance: int = Field(default=30, ge=30, le=365)


class DealerSettings(Entity):
    remote_selling: bool = False
    e_signature: bool = True
    signing_codes_by_sms: bool = Field(default=False, description="remote signing codes go by SMS to the signer's "
                                                                  "mobile (by email when none is known)")
    deposit: Deposit = Field(default_factory=Deposit)
    proposal_validity_days: int = Field(default=30, ge=1, le=365)
    link_validity_hours: int = Field(default=24, ge=1, le=24 * 7)
    lead_deadline_hours: int = Field(default=24, ge=1, le=24 * 60, description="Achat – délais d'opportunité")
    withdrawal_days: WithdrawalDays = Field(default_factory=WithdrawalDays)
    reminder_days: list[Annotated[int, Field(ge=1, le=365)]] = Field(default_factory=lambda: [3, 7], max_length=5)
    vehicle_hold_days: int = Field(default=7, ge=1, le=60,
                                   description="days a reserved vehicle is held when its order does not go forward")
    balance: BalanceSettings = Field(default_factory=BalanceSettings)


class DealerLegal(Entity):
    """Who sells, as a French commercial document must say it (quotes, proposals, withdrawal form)."""
    legal_name: str | None = Field(default=None, max_length=120)
    legal_form: str | None = Field(default=None, max_length=120, description="e.g. SAS au capital de 50 000 €")
    address_line: str | None = Field(default=None, max_length=160)
    postal_code: str | None = Field(default=None, max_length=12)
    city: str | None = Field(default=None, max_length=80)
    siret: str | None = Field(default=None, pattern=r"^\d{14}$")
    rcs: str | None = Field(default=None, max_length=80, description="e.g. RCS Lyon 123 456 789")
    vat_number: str | None = Field(default=None, pattern=r"^[A-Z]{2}[0-9A-Z]{2,13}$")
    phone: PhoneE164 | None = None
    email: EmailStr | None = None
    mediator: str | None = Field(default=None, max_length=300, description="consumer mediator: name and website")


class Branch(Entity):
    id: str
    name: str


class Dealer(Entity):
    id: str
    name: str
    settings: DealerSettings = Field(default_factory=DealerSettings)
    branches: list[Branch] = []
    legal: DealerLegal = Field(default_factory=DealerLegal)
    version: int = 1

    def require_remote_selling(self) -> None:
        if not self.settings.remote_selling:
            raise RemoteSellingDisabled()

    def branch(self, branch_id: str) -> Branch:
        for branch in self.branches:
            if branch.id == branch_id:
                return branch
        raise InvalidInput("Agence inconnue.", {"branch_id": "unknown branch"})

    def with_settings(self, changes: "DealerSettingsChange") -> "Dealer":
        merged = self.settings.model_dump() | changes.model_dump(exclude_unset=True, mode="python")
        try:
            new_settings = DealerSettings.model_validate(merged)
        except ValueError as error:
            raise InvalidInput("Paramètres invalides.", {"settings": str(error)}) from None
        return self.model_copy(update={"settings": new_settings, "version": self.version + 1})

    def with_legal(self, change: "DealerLegalChange") -> "Dealer":
        legal = DealerLegal.model_validate(change.model_dump())
        return self.model_copy(update={"legal": legal, "version": self.version + 1})

    def with_branch(self, branch: Branch) -> "Dealer":
        if any(b.name.casefold() == branch.name.casefold() for b in self.branches):
            raise InvalidInput("Une agence porte déjà ce nom.", {"name": "already used"})
        return self.model_copy(update={"branches": [*self.branches, branch], "version": self.version + 1})


class NotificationPreferences(Entity):
    """Which customer actions the seller hears about, and how (SPEC D.6)."""
    email: bool = True
    sms: bool = False
    on_view: bool = True
    on_download: bool = True
    on_question: bool = True
    on_signature: bool = True
    on_payment: bool = True
    team_in_app: bool = Field(default=False, description="managers and admins: the bell also lists the team's "
                                                         "customer actions (those of the kinds above)")


class SellerProfile(Entity):
    """What customers see of their seller; built on the first remote sale, reused after."""
    display_name: str = Field(min_length=1, max_length=120)
    phone: PhoneE164
    email: EmailStr
    photo_key: str | None = None


class MyProfile(SellerProfile):
    """The seller's own view of their profile: what customers see, and how the seller is told of them."""
    notifications: NotificationPreferences


class User(Entity):
    id: str
    dealer_id: str
    email: EmailStr
    name: str
    role: Role
    active: bool = True
    phone: PhoneE164 | None = None
    branch_id: str | None = None
    profile: SellerProfile | None = None
    notifications: NotificationPreferences = Field(default_factory=NotificationPreferences)
    created_at: datetime
    version: int = 1

    @property
    def contact_email(self) -> str:
        """Where customers and alerts reach this user: the seller profile's address, else the login one."""
        return str(self.profile.email if self.profile else self.email)

    @property
    def contact_phone(self) -> str | None:
        return self.profile.phone if self.profile else self.phone

    def seller_block(self) -> "SellerProfile | None":
        """What a quote shows of its seller: the profile, else the user's own details if they have a phone."""
        if self.profile is not None:
            return self.profile
        if self.phone:
            return SellerProfile(display_name=self.name, phone=self.phone, email=self.email)
        return None

    @property
    def is_active_admin(self) -> bool:
        """Who hears of what nobody else can handle: a parked message, a payment to refund, a seller gone."""
        return self.role == Role.ADMIN and self.active

    def deactivated(self) -> "User":
        if not self.active:
            raise InvalidInput("Cet utilisateur est déjà désactivé.", {"user_id": "already inactive"})
        return self.model_copy(update={"active": False, "version": self.version + 1})

    def with_profile_changed(self, change: "ProfileChange") -> "User":
        """The seller block as typed (the photo stays), and the notification preferences when given."""
        profile = SellerProfile(
            display_name=change.display_name, phone=change.phone, email=change.email,
            photo_key=self.profile.photo_key if self.profile else None,
        )
        notifications = (
            NotificationPreferences.model_validate(change.notifications.model_dump()) if change.notifications else None
        )
        return self.with_profile(profile, notifications)

    def with_profile(self, profile: SellerProfile, notifications: NotificationPreferences | None) -> "User":
        return self.model_copy(update={
            "profile": profile,
            "notifications": notifications or self.notifications,
            "version": self.version + 1,
        })


class Staff(Entity):
    """The verified caller: claims of a seller token, never taken from a request body."""
    dealer_id: str
    user_id: str
    role: Role

    def require_admin(self) -> None:
        if self.role != Role.ADMIN:
            raise Forbidden("Réservé aux administrateurs de la concession.")


# --- commands ----------------------------------------------------------------------

class DepositChange(Command):
    enabled: bool
    amount_cents: int | None = Field(default=None, ge=1)
    percent: int | None = Field(default=None, ge=1, le=100)


class BalanceChange(Command):
    """The balance's bank details, replaced as a whole (the IBAN is checked when the settings are saved)."""
    iban: str | None = Field(default=None, max_length=42)
    bic: str | None = Field(default=None, max_length=11)
    account_holder: str | None = Field(default=None, max_length=120)
    card_enabled: bool = False


class WithdrawalDaysChange(Command):
    vehicle: int = Field(default=14, ge=14, le=365)
    service_contract: int = Field(default=14, ge=14, le=365)
    insurance: int = Field(default=30, ge=30, le=365)


class DealerSettingsChange(Command):
    """A partial update of the settings: only the fields present change."""
    remote_selling: bool | None = None
    e_signature: bool | None = None
    signing_codes_by_sms: bool | None = None
    deposit: DepositChange | None = None
    proposal_validity_days: int | None = Field(default=None, ge=1, le=365)
    link_validity_hours: int | None = Field(default=None, ge=1, le=24 * 7)
    lead_deadline_hours: int | None = Field(default=None, ge=1, le=24 * 60)
    withdrawal_days: WithdrawalDaysChange | None = None
    reminder_days: list[Annotated[int, Field(ge=1, le=365)]] | None = Field(default=None, max_length=5)
    vehicle_hold_days: int | None = Field(default=None, ge=1, le=60)
    balance: BalanceChange | None = Field(default=None, description="replaced as a whole")


class DealerLegalChange(Command):
    """Replaces the dealer's legal information as a whole."""
    legal_name: str | None = Field(default=None, min_length=1, max_length=120)
    legal_form: str | None = Field(default=None, max_length=120)
    address_line: str | None = Field(default=None, max_length=160)
    postal_code: str | None = Field(default=None, max_length=12)
    city: str | None = Field(default=None, max_length=80)
    siret: str | None = Field(default=None, pattern=r"^\d{14}$")
    rcs: str | None = Field(default=None, max_length=80)
    vat_number: str | None = Field(default=None, pattern=r"^[A-Z]{2}[0-9A-Z]{2,13}$")
    phone: PhoneE164 | None = None
    email: EmailStr | None = None
    mediator: str | None = Field(default=None, max_length=300)


class NewBranch(Command):
    name: str = Field(min_length=1, max_length=80)


class NewUser(Command):
    email: EmailStr
    name: str = Field(min_length=1, max_length=120)
    role: Role
    phone: PhoneE164 | None = None
    branch_id: str | None = None


class ProfileChange(Command):
    display_name: str = Field(min_length=1, max_length=120)
    phone: PhoneE164
    email: EmailStr
    notifications: "NotificationPreferencesChange | None" = None


class NotificationPreferencesChange(NotificationPreferences, Command):
    """The preferences as a seller sends them: the same fields, but unknown ones and wrong types are
    refused (Command's rules win over Entity's, which tolerate older stored items)."""

