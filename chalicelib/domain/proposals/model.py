"""The proposal: a quote sent for remote signing, frozen at creation, versioned on each edit; its history
events and access links.

After the first send only the customer's email and mobile and the seller block may change; anything
else needs a new proposal. Status changes go through the transition methods (status.TRANSITIONS).
"""
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Sequence

from pydantic import Field, computed_field, field_validator

from chalicelib.domain import local_time
from chalicelib.domain.customers import (
    Account, AccountKind, AccountView, AddressInput, Civility, Contact, PostalAddress,
)
from chalicelib.domain.dealers import Dealer, DealerLegal, Deposit, SellerProfile, WithdrawalDays
from chalicelib.domain.deposits import DepositPayment, DepositStatus
from chalicelib.domain.email_events import EmailBounce
from chalicelib.domain.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from chalicelib.domain.model import Entity
from chalicelib.domain.orders.milestones import TemplateItem
from chalicelib.domain.outbox import ProposalRef
from chalicelib.domain.proposals.commands import CUSTOMER_FIELDS, EDITABLE_AFTER_SEND, ProposalChange
from chalicelib.domain.proposals.status import S, STATUS_LABELS, STATUS_TIMES, TERMINAL, TRANSITIONS, ProposalStatus
from chalicelib.domain.quotes import (
    LineKind, Payment, Quote, QuoteLine, Totals, VehicleDetails, WithdrawalTerm, totals_of, withdrawal_terms,
)
from chalicelib.domain.quotes import deposit_cents as compute_deposit
from chalicelib.domain.terms import TermsRef, terms_for


class ProposalLocked(Conflict):
    code = "proposal_locked"

    def __init__(self, fields: list[str], message: str | None = None):
        super().__init__(
            message or "Cette proposition a été envoyée : seuls l'e-mail et le téléphone portable du client et "
                       "le bloc vendeur sont modifiables. Pour changer un autre élément (nom, adresse, véhicule, "
                       "lignes, validité), créez une nouvelle proposition à partir du devis.",
            {name: "locked after send" for name in fields},
        )


class EventKind(StrEnum):
    """What the history of a proposal records (SPEC D.5, F.1)."""
    CREATED = "created"
    EDITED = "edited"
    EMAIL_SENT = "email_sent"
    REMINDER_SENT = "reminder_sent"
    LINK_ISSUED = "link_issued"          # a new access link, e.g. asked for by the customer (portal)
    LINK_OPENED = "link_opened"          # the page was fetched: by the customer, or a mail scanner ("lien ouvert")
    VIEWED = "viewed"                    # the customer's browser loaded the page's image ("consultée")
    DOWNLOADED = "downloaded"
    QUESTION_ASKED = "question_asked"
    QUESTION_ANSWERED = "question_answered"  # the seller's answer, emailed and on the portal (domain/questions.py)
    SIGNATURE_STARTED = "signature_started"
    PARTLY_SIGNED = "partly_signed"      # one signer of two signed: the proposal waits for the other (1 sur 2)
    CODE_SENT = "code_sent"
    CODE_VERIFIED = "code_verified"
    CODE_REFUSED = "code_refused"
    ACCEPTED = "accepted"                # signed
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    VEHICLE_GONE = "vehicle_gone"        # its stock vehicle went to another customer's acceptance: withdrawn
    EXPIRED = "expired"
    PAYMENT_STARTED = "payment_started"
    PAYMENT_RECEIVED = "payment_received"
    PAYMENT_ANOMALY = "payment_anomaly"  # money taken that is not the acompte: to refund or settle (webhook)
    PAYMENT_ANOMALY_SETTLED = "payment_anomaly_settled"  # a staff member says it was refunded or settled
    LINK_EXPIRED = "link_expired"        # an access link reached its end (recorded by the sweep-links schedule)
    EMAIL_DELIVERED = "email_delivered"      # SES delivered a customer email ("remis"), services/email_events.py
    EMAIL_UNDELIVERED = "email_undelivered"  # bounced, complained or rejected: details.label says which
    ADDRESS_CONFIRMED = "address_confirmed"  # a seller confirmed a suppressed address is right after all
    CUSTOMER_WITHDREW = "customer_withdrew"  # the customer withdrew from products once signed (rétractation)
    OPTIONS_CHANGED = "options_changed"      # the customer added or removed optional products (a new version)
    OPTIONS_LOCKED = "options_locked"        # the seller froze the options: the portal shows them read-only
    OPTIONS_UNLOCKED = "options_unlocked"
    # The seller's tasks and documents on the proposal (domain/record_work.WorkEventKind)
    TASK_CREATED = "task_created"
    TASK_COMPLETED = "task_completed"
    DOCUMENT_ADDED = "document_added"
    DOCUMENT_RENAMED = "document_renamed"
    DOCUMENT_DELETED = "document_deleted"


class DealerSnapshot(Entity):
    id: str
    name: str
    legal: DealerLegal = Field(default_factory=DealerLegal)

    @classmethod
    def of(cls, dealer: Dealer) -> "DealerSnapshot":
        return cls(id=dealer.id, name=dealer.name, legal=dealer.legal)


class CustomerSnapshot(Entity):
    account_id: str
    kind: AccountKind
    company_name: str | None = None
    siren: str | None = None
    contact_id: str
    civility: Civility | None = None
    first_name: str
    last_name: str
    email: str | None = None
    mobile: str | None = None
    address: PostalAddress | None = None

    @classmethod
    def of(cls, account: Account, contact: Contact) -> "CustomerSnapshot":
        return cls(
            account_id=account.id, kind=account.kind,
            company_name=account.name if account.kind == AccountKind.COMPANY else None, siren=account.siren,
            contact_id=contact.id, civility=contact.civility, first_name=contact.first_name,
            last_name=contact.last_name, email=contact.email, mobile=contact.mobile,
            address=contact.address or account.address,
        )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def salutation(self) -> str:
        """"Madame Durand", "Monsieur Martin", or "Marie Durand" when the civility is unknown."""
        if self.civility == Civility.MADAME:
            return f"Madame {self.last_name}"
        if self.civility == Civility.MONSIEUR:
            return f"Monsieur {self.last_name}"
        return self.full_name


class Recipient(Entity):
    """Who receives the emails and links: the quote's contact or another contact of the same account."""
    contact_id: str
    name: str
    email: str
    mobile: str | None = None


class StoredPdf(Entity):
    """The rendered document of one version, in the documents bucket."""
    version: int
    s3_key: str
    sha256: str
    size: int
    terms: list[TermsRef] = Field(default_factory=list, description="the dealer's terms appended to this document")


class SignerRole(StrEnum):
    """Who signs (seed 001): the holder (the proposal's customer) and, when named, a co-holder."""
    HOLDER = "holder"
    CO_HOLDER = "co_holder"


SIGNER_LABELS = {SignerRole.HOLDER: "titulaire", SignerRole.CO_HOLDER: "cotitulaire"}


class CoHolder(Entity):
    """The second signer: another contact of the proposal's account (may share the holder's address)."""
    contact_id: str
    name: str
    email: str
    mobile: str | None = None


class SignerSignature(Entity):
    """One signer's signature: the first of two signers' as it waits for the other's, and the base of the
    accepting `Signature`."""
    role: SignerRole
    signer_name: str
    signer_email: str
    signed_at: datetime
    proposal_version: int
    ip: str | None = None
    user_agent: str | None = None
    consent_text: str
    no_claim_declared: bool = False
    iban_masked: str | None = None
    shown_pdf: StoredPdf
    evidence_seq: int = Field(description="length of the evidence chain at this signature")
    evidence_head: str
    code_sent_to: str = Field(default="e-mail", description="where the code went: e-mail, or SMS au +33•••••••78")
    host: str | None = Field(default=None, description="signed in person: the seller present (their name)")


class Signature(SignerSignature):
    """How the customer accepted and signed (portal), for the seller's banner and the proofs (SPEC F.2): the
    signature that accepted, with the signed file. With two signers: the last signer's, and the first one's in
    `co_signatures`."""
    role: SignerRole = SignerRole.HOLDER
    co_signatures: list[SignerSignature] = Field(default_factory=list,
                                                 description="the other signer's signature (two signers)")
    iban_masked: str | None = Field(default=None, description="the direct-debit account, masked (FR76 •••• •••• 0189)")
    shown_pdf: StoredPdf = Field(description="the document shown to the customer: its bytes start the signed file")
    signed_pdf: StoredPdf = Field(description="the document with its certificate page, sealed (PAdES)")
    evidence_seq: int = Field(description="length of the evidence chain at acceptance")
    evidence_head: str = Field(description="hash of the chain's last event at acceptance (printed on the certificate)")


class ProposalInvoice(Entity):
    """What the portal shows of one of the proposal's invoices (kept on the proposal by the invoice's own
    transaction, so that the signed page reads nothing more)."""
    number: str
    title: str = Field(description="e.g. Facture d'acompte")
    issue_date: date
    ttc_cents: int = Field(description="TTC; a credit note's negative")


class Proposal(Entity):
    id: str
    dealer_id: str
    reference: str = Field(description="the proposal number shown to the customer, e.g. P2026-00012")
    quote_id: str
    quote_number: str
    lead_id: str | None = None
    status: ProposalStatus = ProposalStatus.DRAFT
    version: int = Field(default=1, description="document version: each edit makes a new one")
    version_created_at: datetime = Field(description="when this version was made: the PDF's creation date")
    dealer: DealerSnapshot
    customer: CustomerSnapshot
    seller_id: str
    seller: SellerProfile
    lines: list[QuoteLine]
    deposit: Deposit = Field(default_factory=Deposit,
                             description="the dealer's deposit setting when the proposal was made")
    withdrawal_days: WithdrawalDays
    valid_until: date
    expires_at: datetime = Field(description="end of the validity day in Paris, UTC")
    notes: str | None = None
    created_at: datetime
    created_by: str
    recipient: Recipient | None = None
    co_holder: CoHolder | None = Field(default=None, description="a second signer (cotitulaire), set on the draft")
    first_signature: SignerSignature | None = Field(
        default=None, description="the first of two signatures, while the other is awaited (« 1 signature sur 2 »)")
    e_signature_offered: bool = Field(default=True, description="the dealer's e-signature option when made")
    e_signature_requested: bool = True
    codes_by_sms: bool = Field(default=False, description="the dealer's setting when last sent: remote codes by SMS")
    sent_at: datetime | None = None
    last_sent_at: datetime | None = None
    send_count: int = 0
    reminder_count: int = 0
    last_reminded_at: datetime | None = None
    view_count: int = 0
    last_viewed_at: datetime | None = None
    download_count: int = 0
    last_downloaded_at: datetime | None = None
    question_count: int = Field(default=0, description="questions the customer asked (the portal reads the thread "
                                                         "only when there is one)")
    last_question_at: datetime | None = None
    accepted_at: datetime | None = None
    declined_at: datetime | None = None
    expired_at: datetime | None = None
    withdrawn_at: datetime | None = None
    vehicle_gone_at: datetime | None = Field(
        default=None, description="withdrawn because its stock vehicle was reserved for another customer")
    pdf: StoredPdf | None = None
    terms: list[TermsRef] = Field(
        default_factory=list, description="the dealer's terms of the kinds offered, as they stood when the seller "
                                          "made or first sent this version (domain/terms.py)")
    options_locked: bool = Field(default=False, description="the seller froze the optional products: the customer may "
                                                            "no longer add or remove them (domain/proposals/options)")
    options_sent: list[str] | None = Field(
        default=None, description="ids of the optional lines chosen in the version the seller last sent: what the "
                                  "portal shows the customer's changes against (none: sent before it was kept)")
    options_sent_version: int | None = Field(default=None, description="the version the seller last sent")
    # Written by the customer portal only (services/portal, signing, deposits).
    declined_reason: str | None = None
    signature: Signature | None = None
    evidence_seq: int = Field(default=0, description="events in the evidence chain (its head is kept with it)")
    evidence_head: str | None = Field(default=None, description="hash of the evidence chain's last event")
    link_requests: list[datetime] = Field(default_factory=list,
                                          description="when the customer last asked for a new link (rate limit)")
    email_bounce: EmailBounce | None = Field(
        default=None, description="set when the proposal's last email bounced or drew a complaint (email_events)")
    deposit_payment: DepositPayment | None = Field(
        default=None, description="the card payment of the acompte (portal and payment webhook only)")
    order_template: list[TemplateItem] | None = Field(
        default=None, description="the dealer's order milestones when the proposal was last sent: the order its "
                                  "acceptance opens follows them (none on proposals sent before they were kept)")
    invoices: list[ProposalInvoice] | None = Field(
        default=None, description="its deposit invoice, the final invoice of its order and the credit notes "
                                  "issued on either, as issued (written by services/invoices from the acceptance "
                                  "on; none on proposals signed before they were kept)")

    @field_validator("order_template", mode="before")
    @classmethod
    def _stored_items(cls, items: Any) -> Any:
        """Read from the table, the items' enums are strings: a command (strict) would refuse them."""
        if not isinstance(items, list):
            return items
        return [TemplateItem.model_validate(i, strict=False) if isinstance(i, dict) else i for i in items]

    def email_ref(self) -> ProposalRef:
        """What a customer email carries of its proposal, so that its fate (domain/email_events) finds the
        proposal and its seller."""
        return ProposalRef(proposal_id=self.id, reference=self.reference, seller_id=self.seller_id,
                           seller_email=str(self.seller.email))
    open_payment_anomalies: int = Field(default=0, description="payments that are not the acompte, not settled yet "
                                                               "(only ever changed by ADDs, store/deposits.py)")

    @computed_field
    @property
    def totals(self) -> Totals:
        return totals_of(self.lines)

    @computed_field
    @property
    def deposit_cents(self) -> int:
        """The acompte asked at signature (0 when the dealer takes none)."""
        return compute_deposit(self.deposit, self.totals.ttc_cents)

    @computed_field
    @property
    def deposit_status(self) -> str:
        """not_asked (no acompte), none (to pay after signature), pending (a checkout is open) or paid."""
        if self.deposit_cents <= 0:
            return "not_asked"
        if self.deposit_payment is None:
            return DepositStatus.NONE.value
        return self.deposit_payment.status.value

    @computed_field
    @property
    def withdrawal(self) -> list[WithdrawalTerm]:
        """The periods of every product kind offered, options included (the customer may take them)."""
        return withdrawal_terms({line.kind for line in self.lines}, self.withdrawal_days)

    @computed_field
    @property
    def requires_no_claim_declaration(self) -> bool:
        """SPEC D.8: warranty and insurance products need the customer's no-claim confirmation."""
        return LineKind.INSURANCE in self.included_kinds

    @computed_field
    @property
    def requires_iban(self) -> bool:
        """SPEC E.5: a product paid by direct debit needs the customer's IBAN at signature."""
        return any(line.payment == Payment.DIRECT_DEBIT for line in self.lines if line.included)

    @property
    def included_kinds(self) -> set[LineKind]:
        return {line.kind for line in self.lines if line.included}

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def pdf_is_current(self) -> bool:
        return self.pdf is not None and self.pdf.version == self.version

    @property
    def document_terms(self) -> list[TermsRef]:
        """The terms the current version's document includes: those of the kinds it includes (an option not
        chosen brings none; choosing it makes a new version, which does)."""
        if self.pdf_is_current():
            assert self.pdf is not None
            return self.pdf.terms
        return terms_for(self.terms, self.included_kinds)

    def with_terms(self, terms: list[TermsRef]) -> "Proposal":
        """The dealer's terms in force, taken by the seller's action. A version already shown keeps its document;
        one never shown (a draft's preview) is rendered again when its terms changed."""
        offered = terms_for(terms, {line.kind for line in self.lines})
        if offered == self.terms:
            return self
        if self.status != S.DRAFT and self.pdf_is_current():
            return self
        pdf = None if self.pdf_is_current() else self.pdf
        return self.model_copy(update={"terms": offered, "pdf": pdf})

    # --- rules ---------------------------------------------------------------------

    def _require_open(self, action: str) -> None:
        if self.terminal:
            raise InvalidTransition(
                f"Cette proposition est {STATUS_LABELS[self.status]} : elle ne peut plus être {action}."
            )

    def _require_valid(self, at: datetime) -> None:
        if at >= self.expires_at:
            raise InvalidTransition(
                f"Cette proposition a expiré le {local_time.format_day(self.valid_until)} : "
                "créez-en une nouvelle à partir du devis."
            )

    def sent(self, to: Recipient, e_signature: bool, at: datetime,
             order_template: list[TemplateItem] | None = None, codes_by_sms: bool = False) -> "Proposal":
        self._require_open("envoyée")
        self._require_valid(at)
        return self.model_copy(update={
            "status": S.SENT if self.status == S.DRAFT else self.status,
            "recipient": to, "e_signature_requested": e_signature, "order_template": order_template,
            "options_sent": [line.id for line in self.lines if line.optional and line.chosen],
            "options_sent_version": self.version, "codes_by_sms": codes_by_sms,
            "sent_at": self.sent_at or at, "last_sent_at": at, "send_count": self.send_count + 1,
        })

    def reminded(self, at: datetime) -> "Proposal":
        self._require_open("relancée")
        if self.status == S.DRAFT or self.recipient is None:
            raise InvalidTransition("Cette proposition n'a pas encore été envoyée : envoyez-la avant de relancer.")
        self._require_valid(at)
        return self.model_copy(update={
            "last_reminded_at": at, "reminder_count": self.reminder_count + 1,
        })

    def moved_to(self, target: ProposalStatus, at: datetime) -> "Proposal":
        """A status change (withdrawn by the seller; viewed, accepted, declined, expired by others)."""
        if target not in TRANSITIONS.get(self.status, ()):
            if self.terminal:
                self._require_open(f"passée à l'état « {STATUS_LABELS[target]} »")
            raise InvalidTransition(
                f"Une proposition {STATUS_LABELS[self.status]} ne peut pas passer à l'état "
                f"« {STATUS_LABELS[target]} »."
            )
        changes: dict[str, Any] = {"status": target}
        if target in STATUS_TIMES:
            changes[STATUS_TIMES[target]] = at
        return self.model_copy(update=changes)

    # --- what the customer does (portal) ---------------------------------------------

    def viewed(self, at: datetime, counted: bool) -> "Proposal":
        """Opened by the customer: a sent proposal becomes viewed; `counted` once per link and Paris day."""
        seen = self.moved_to(S.VIEWED, at) if self.status == S.SENT else self
        return seen.model_copy(update={"last_viewed_at": at, "view_count": self.view_count + int(counted)})

    def downloaded(self, at: datetime) -> "Proposal":
        return self.model_copy(update={"last_downloaded_at": at, "download_count": self.download_count + 1})

    def asked(self, at: datetime) -> "Proposal":
        return self.model_copy(update={"last_question_at": at, "question_count": self.question_count + 1})

    def declined(self, at: datetime, reason: str | None) -> "Proposal":
        return self.moved_to(S.DECLINED, at).model_copy(update={"declined_reason": reason or self.declined_reason})

    def vehicle_gone(self, at: datetime) -> "Proposal":
        """Its stock vehicle was reserved by another acceptance: no longer signable, withdrawn for that reason."""
        return self.moved_to(S.WITHDRAWN, at).model_copy(update={"vehicle_gone_at": at})

    @property
    def signer_roles(self) -> tuple[SignerRole, ...]:
        return (SignerRole.HOLDER, SignerRole.CO_HOLDER) if self.co_holder else (SignerRole.HOLDER,)

    @property
    def partly_signed(self) -> SignerSignature | None:
        """The first of two signatures, if it signed this version (a new version needs both again)."""
        first = self.first_signature
        return first if first is not None and first.proposal_version == self.version else None

    def signed_by(self, role: SignerRole) -> bool:
        first = self.partly_signed
        return (first is not None and first.role == role) or (self.signature is not None and (
            self.signature.role == role or any(s.role == role for s in self.signature.co_signatures)))

    def awaited_signers(self) -> tuple[SignerRole, ...]:
        """Who still has to sign this version."""
        return tuple(role for role in self.signer_roles if not self.signed_by(role))

    def signed_by_one(self, signature: SignerSignature) -> "Proposal":
        """The first signature of two: kept, the status unchanged until the other signs."""
        self._require_open("signée")
        if self.awaited_signers() == (signature.role,) or signature.role not in self.awaited_signers():
            raise InvalidTransition("Cette signature ne peut pas être la première des deux.")
        return self.model_copy(update={"first_signature": signature})

    def accepted(self, signature: Signature) -> "Proposal":
        """Signed: accepted at the signature's time, the signature kept for the seller and the proofs. Its invoices
        come after it: an empty list says there is none yet (no list: signed before they were kept). With two
        signers, only the last awaited signer's signature accepts (the first one's is carried in it)."""
        if self.awaited_signers() != (signature.role,):
            raise InvalidTransition("La proposition attend encore une autre signature.")
        return self.moved_to(S.ACCEPTED, signature.signed_at).model_copy(update={
            "signature": signature, "invoices": [], "first_signature": None})

    def link_requested(self, recent: Sequence[datetime]) -> "Proposal":
        """The customer's recent requests for a new link (domain/links.admit_link_request)."""
        return self.model_copy(update={"link_requests": list(recent)})

    def with_payment(self, payment: DepositPayment) -> "Proposal":
        """The acompte's payment as it now stands (checkout opened, paid, closed: domain/deposits.py)."""
        return self.model_copy(update={"deposit_payment": payment})

    def evidenced(self, seq: int, head: str | None) -> "Proposal":
        """The evidence chain's new head (domain/evidence.py), kept on the proposal to serialise appends."""
        return self.model_copy(update={"evidence_seq": seq, "evidence_head": head})

    def edited(self, change: "ProposalChange", lines: list[QuoteLine] | None, at: datetime,
               co_holder: CoHolder | None = None) -> "Proposal":
        """The next version with the change, or ProposalLocked naming what may no longer change.
        `co_holder`: the contact `change.co_holder_contact_id` names, as the service read it."""
        given = change.model_fields_set
        if not given:
            raise InvalidInput("Rien à modifier.", {"body": "no field given"})
        if self.terminal:
            raise ProposalLocked(sorted(given), f"Cette proposition est {STATUS_LABELS[self.status]} : "
                                                "elle ne peut plus être modifiée.")
        locked = sorted(given - EDITABLE_AFTER_SEND)
        if self.status != S.DRAFT and locked:
            raise ProposalLocked(locked)
        if "company_name" in given and self.customer.kind == AccountKind.PERSON:
            raise InvalidInput("Le client est un particulier : il n'a pas de raison sociale.",
                               {"company_name": "the customer is a person"})
        customer = self.customer.model_dump()
        for name in CUSTOMER_FIELDS & given:
            value = getattr(change, name)
            customer[name] = value.model_dump() if isinstance(value, AddressInput) else value
        updates: dict[str, Any] = {"customer": CustomerSnapshot.model_validate(customer)}
        if self.recipient is not None and self.recipient.contact_id == self.customer.contact_id:
            updates["recipient"] = self.recipient.model_copy(update={
                "email": customer["email"] or self.recipient.email, "mobile": customer["mobile"],
                "name": f"{customer['first_name']} {customer['last_name']}",
            })
        if change.seller is not None:
            updates["seller"] = SellerProfile(**change.seller.model_dump(), photo_key=self.seller.photo_key)
        if lines is not None:
            updates["lines"] = lines
        if change.vehicle is not None:
            updates["lines"] = _with_vehicle(updates.get("lines", self.lines), change.vehicle)
        if "valid_until" in given and change.valid_until is not None:
            updates["valid_until"] = change.valid_until
            updates["expires_at"] = local_time.end_of_day(change.valid_until)
        if "notes" in given:
            updates["notes"] = change.notes
        if "co_holder_contact_id" in given:
            updates["co_holder"] = co_holder
        edited = self.model_copy(update=updates)
        if edited.model_dump(exclude=_NOT_CONTENT) == self.model_dump(exclude=_NOT_CONTENT):
            return self
        return edited.model_copy(update={"version": self.version + 1, "version_created_at": at})


_NOT_CONTENT = {"version", "version_created_at", "pdf", "terms"}


def _with_vehicle(lines: list[QuoteLine], vehicle: VehicleDetails) -> list[QuoteLine]:
    for index, line in enumerate(lines):
        if line.kind == LineKind.VEHICLE:
            return [*lines[:index], line.model_copy(update={"vehicle": vehicle}), *lines[index + 1:]]
    raise InvalidInput("La proposition n'a pas de ligne véhicule.", {"vehicle": "no vehicle line"})


def new_proposal(
    proposal_id: str, reference: str, quote: Quote, dealer: Dealer, account: Account, contact: Contact,
    seller: SellerProfile, by: str, at: datetime, co_holder: CoHolder | None = None,
) -> Proposal:
    """The frozen snapshot of a quote: customer, seller block, dealer legal information, lines, terms."""
    return Proposal(
        id=proposal_id, dealer_id=dealer.id, reference=reference, quote_id=quote.id, quote_number=quote.number,
        lead_id=quote.lead_id, version=1, version_created_at=at, dealer=DealerSnapshot.of(dealer),
        customer=CustomerSnapshot.of(account, contact), seller_id=quote.seller_id, seller=seller,
        lines=quote.lines, deposit=dealer.settings.deposit,
        withdrawal_days=dealer.settings.withdrawal_days, valid_until=quote.valid_until,
        expires_at=local_time.end_of_day(quote.valid_until), notes=quote.notes, created_at=at, created_by=by,
        e_signature_offered=dealer.settings.e_signature, e_signature_requested=dealer.settings.e_signature,
        co_holder=co_holder,
    )


LEGAL_REQUIRED = ("legal_name", "address_line", "postal_code", "city")


def check_dealer_can_propose(dealer: Dealer) -> None:
    """A distance sale names the seller and its address (withdrawal form, art. L221-5 and R221-1)."""
    missing = [name for name in LEGAL_REQUIRED if not getattr(dealer.legal, name)]
    if missing:
        raise InvalidInput(
            "Complétez d'abord les informations légales de la concession (raison sociale et adresse) : "
            "elles figurent sur la proposition et sur le formulaire de rétractation. "
            "Un administrateur les saisit dans Paramètres › Informations légales.",
            {f"dealer.legal.{name}": "required for remote selling" for name in missing})


def co_holder_of(account: AccountView, holder_contact_id: str, contact_id: str | None) -> CoHolder | None:
    """The second signer the seller named: another contact of the account, with an address for the code and
    the signed copy (it may be the holder's own address, seed 001)."""
    if contact_id is None:
        return None
    field = {"co_holder_contact_id": "not another contact of this account"}
    if contact_id == holder_contact_id:
        raise InvalidInput("Le cotitulaire doit être un autre contact que le titulaire.", field)
    try:
        contact = account.contact(contact_id)
    except NotFound:
        raise InvalidInput("Le cotitulaire doit être un contact du compte client.", field) from None
    if not contact.email:
        raise InvalidInput("Ce contact n'a pas d'adresse e-mail : ajoutez-la pour qu'il puisse signer.",
                           {"co_holder_contact_id": "no email address"})
    return CoHolder(contact_id=contact.id, name=contact.full_name, email=contact.email, mobile=contact.mobile)


def proposal_contact(quote: Quote, account: AccountView) -> Contact:
    """Who receives the proposal: the quote's contact, else the account's only contact (nothing to ask)."""
    if quote.contact_id is not None:
        return account.contact(quote.contact_id)
    if len(account.contacts) == 1:
        return account.contacts[0]
    raise InvalidInput("Choisissez d'abord le contact du devis : il recevra la proposition.",
                       {"contact_id": "the quote has no contact"})


def check_quote_can_be_proposed(quote: Quote, today: date) -> None:
    if not any(line.included for line in quote.lines):
        raise InvalidInput("Le devis n'a aucune ligne incluse dans le total.", {"lines": "nothing to propose"})
    if quote.expired(today):
        raise InvalidInput(
            f"Le devis a expiré le {local_time.format_day(quote.valid_until)} : prolongez sa validité ou "
            "dupliquez-le.", {"valid_until": "expired"})


class ProposalEvent(Entity):
    id: str
    proposal_id: str
    kind: EventKind
    at: datetime
    by: str = Field(description="a user id, 'customer' or 'system'")
    details: dict[str, Any] = {}


class ProposalLink(Entity):
    """The stored side of an access link: found by the SHA-256 of its token, never by the token."""
    dealer_id: str
    proposal_id: str
    proposal_version: int
    purpose: str = Field(description="send, reminder, renewal, or in_person (a seller's signing session)")
    host_id: str | None = Field(default=None, description="in_person: the seller whose session it is")
    host_name: str | None = Field(default=None, description="in_person: the seller's name, as the evidence says it")
    recipient: str = Field(description="the email address the link was sent to")
    issued_at: datetime
    expires_at: datetime
    ttl: int = Field(description="epoch seconds when DynamoDB may delete the item (clean-up only)")
