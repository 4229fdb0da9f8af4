"""Accepting and signing a proposal from the portal: the form's rules, the consent, the signature record.

Plain rules, no I/O. The customer's form is checked here (full name, terms read, no-claim
declaration where an insurance product is included, IBAN where a product is paid by direct
debit); the consent text the customer agrees to is written here once, shown on the form,
printed on the certificate page and kept in the evidence. The full IBAN stays with the
pending signature (for the direct-debit mandate); everything shown shows it masked.
"""
import re
from datetime import date, datetime

from pydantic import Field

from chalicelib.domain import local_time, withdrawal_dates
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.iban import InvalidIban, check_iban, masked
from chalicelib.domain.model import Entity
from chalicelib.domain.proposals.model import SIGNER_LABELS, Proposal, SignerRole, StoredPdf
from chalicelib.domain.quotes import KIND_LABELS, WithdrawalStart, WithdrawalTerm, withdrawal_terms
from chalicelib.domain.terms import consent_words

NAME_MAX = 120
QUESTION_MAX = 2000
REASON_MAX = 1000


class ConcurrentChange(Conflict):
    """Someone else changed the proposal between our read and our write: read again, then retry."""
    code = "concurrent_change"

    def __init__(self) -> None:
        super().__init__("La proposition vient de changer : rechargez la page, puis réessayez.")


class SigningUnavailable(Conflict):
    code = "signing_unavailable"

    def __init__(self, message: str = "Cette proposition ne peut pas être signée en ligne : "
                                      "contactez votre conseiller."):
        super().__init__(message)


class AlreadySigned(Conflict):
    """One signer signing twice: refused, nothing changes."""
    code = "already_signed"

    def __init__(self, role: SignerRole):
        super().__init__(f"Le {SIGNER_LABELS[role]} a déjà signé cette proposition : seule l'autre signature "
                         "est attendue.")


# --- who signs ------------------------------------------------------------------------

def read_role(proposal: Proposal, raw: str | None, chosen: bool = False) -> SignerRole:
    """The signer the form names (holder when the proposal has one signer, or when none is named). `chosen`: the
    sign form of a two-signer proposal, where the person at the page must say who they are."""
    if not raw:
        if chosen and proposal.co_holder is not None:
            raise InvalidInput("Indiquez qui signe : le titulaire ou le cotitulaire.", {"signer": "required"})
        return SignerRole.HOLDER
    try:
        role = SignerRole(raw)
    except ValueError:
        role = None
    if role not in proposal.signer_roles:
        raise InvalidInput("Indiquez qui signe.", {"signer": "holder or co_holder"})
    return role


def signer_name(proposal: Proposal, role: SignerRole) -> str:
    """The name the seller recorded for this signer (shown to say who is who)."""
    if role == SignerRole.CO_HOLDER and proposal.co_holder is not None:
        return proposal.co_holder.name
    return proposal.recipient.name if proposal.recipient else proposal.customer.full_name


def signer_address(proposal: Proposal, role: SignerRole) -> str | None:
    """Where this signer's code and signed copy go: the co-holder's own address (maybe the holder's too)."""
    if role == SignerRole.CO_HOLDER and proposal.co_holder is not None:
        return proposal.co_holder.email
    return proposal.recipient.email if proposal.recipient else proposal.customer.email


def masked_mobile(mobile: str) -> str:
    """What pages and evidence show of a mobile number: its country code and last two digits."""
    return f"{mobile[:3]}•••••••{mobile[-2:]}"


def code_mobile(proposal: Proposal, role: SignerRole) -> str | None:
    """The mobile a remote code goes to when the dealer sends codes by SMS; None: by email."""
    return signer_mobile(proposal, role) if proposal.codes_by_sms else None


def signer_mobile(proposal: Proposal, role: SignerRole) -> str | None:
    if role == SignerRole.CO_HOLDER and proposal.co_holder is not None:
        return proposal.co_holder.mobile
    return (proposal.recipient.mobile if proposal.recipient else None) or proposal.customer.mobile


class Presence(Entity):
    """In-person signing: the seller who hosts the session on their tablet (SPEC L, seed 000 face to face)."""
    host_id: str
    host_name: str


class NoMobileForCode(InvalidInput):
    code = "no_mobile"

    def __init__(self) -> None:
        super().__init__("Le signataire n'a pas de téléphone mobile : ajoutez-le sur la proposition pour lui "
                         "envoyer son code par SMS.", {"mobile": "missing"})


# --- the sign form -------------------------------------------------------------------

class SignFormInput(Entity):
    """The form as typed (strings and checkboxes), before the rules."""
    full_name: str = ""
    terms: bool = False
    no_claim: bool = False
    iban: str = ""


class SignatureTerms(Entity):
    """The accepted form: what the customer declared, ready to be kept."""
    full_name: str
    no_claim_declared: bool
    iban: str | None = Field(default=None, repr=False)
    consent_text: str

    @property
    def iban_masked(self) -> str | None:
        return masked(self.iban) if self.iban else None


def consent_parts(proposal: Proposal, iban: str | None = None,
                  role: SignerRole = SignerRole.HOLDER) -> dict[str, str]:
    """The sentences the customer agrees to, by form field (shown beside each box, kept as the consent)."""
    terms = proposal.document_terms
    parts = {
        "terms": (
            f"J'ai lu la proposition commerciale {proposal.reference} (version {proposal.version}), "
            "ses conditions et les informations sur le droit de rétractation, et je l'accepte."
        ) if not terms else (
            f"J'ai lu la proposition commerciale {proposal.reference} (version {proposal.version}), "
            f"{consent_words(terms)} et les informations sur le droit de rétractation, et je les accepte."
        ),
    }
    if proposal.requires_no_claim_declaration:
        since = local_time.format_day(local_time.paris_date(proposal.sent_at)) if proposal.sent_at else "l'envoi"
        parts["no_claim"] = (
            f"Je déclare que le véhicule n'a subi aucun sinistre depuis le {since}, "
            "date d'envoi de cette proposition."
        )
    if proposal.requires_iban and role == SignerRole.HOLDER:
        creditor = proposal.dealer.legal.legal_name or proposal.dealer.name
        account = f"le compte {masked(iban)}" if iban else "le compte indiqué"
        parts["iban"] = (
            f"J'autorise {creditor} à prélever sur {account} les sommes dues au titre des produits "
            "payés par prélèvement SEPA."
        )
    return parts


def check_sign_form(proposal: Proposal, form: SignFormInput,
                    role: SignerRole = SignerRole.HOLDER) -> SignatureTerms:
    """The accepted form, or InvalidInput naming every field to fix (French messages). The direct-debit
    mandate is the holder's: a co-holder gives no IBAN."""
    problems: dict[str, str] = {}
    name = re.sub(r"\s+", " ", form.full_name).strip()
    if len(name) < 2:
        problems["full_name"] = "Indiquez vos prénom et nom."
    elif len(name) > NAME_MAX:
        problems["full_name"] = f"Le nom ne peut dépasser {NAME_MAX} caractères."
    if not form.terms:
        problems["terms"] = "Cochez la case pour confirmer que vous avez lu et acceptez la proposition."
    if proposal.requires_no_claim_declaration and not form.no_claim:
        problems["no_claim"] = "Confirmez que le véhicule n'a subi aucun sinistre depuis l'envoi de la proposition."
    iban = None
    if proposal.requires_iban and role == SignerRole.HOLDER:
        try:
            iban = check_iban(form.iban)
        except InvalidIban as invalid:
            problems["iban"] = invalid.message
    if problems:
        raise InvalidInput("Le formulaire contient des erreurs : corrigez les champs signalés.", problems)
    consent = " ".join(consent_parts(proposal, iban, role).values())
    return SignatureTerms(full_name=name, no_claim_declared=proposal.requires_no_claim_declaration,
                          iban=iban, consent_text=consent)


# --- what is kept ----------------------------------------------------------------------

class PendingSignature(Entity):
    """The sign form accepted for one code: kept with the code until the code is verified."""
    role: SignerRole = SignerRole.HOLDER
    full_name: str
    email: str
    mobile: str | None = Field(default=None, description="where the codes go by SMS (none: by email)")
    host: str | None = Field(default=None, description="in-person signing: the seller present (their name)")
    host_id: str | None = None
    proposal_version: int
    consent_text: str
    no_claim_declared: bool = False
    iban: str | None = Field(default=None, repr=False, description="full IBAN, for the direct-debit mandate")
    iban_masked: str | None = None
    shown_pdf: StoredPdf
    submitted_at: datetime
    ip: str | None = None
    user_agent: str | None = None


# --- withdrawal periods once signed ---------------------------------------------------

class WithdrawalPeriod(Entity):
    """One withdrawal period as the customer reads it, with its last day when it is known."""
    products: str
    days: int
    starts: WithdrawalStart
    legal_basis: str
    ends_on: date | None = None

    @property
    def text(self) -> str:
        if self.starts == WithdrawalStart.HANDOVER:
            return (f"{self.products} : {self.days} jours à compter de la livraison ou de la remise du véhicule "
                    f"({self.legal_basis}).")
        end = f", soit jusqu'au {local_time.format_weekday(self.ends_on)} inclus" if self.ends_on else ""
        return f"{self.products} : {self.days} jours à compter de la signature{end} ({self.legal_basis})."


def withdrawal_periods(terms: list[WithdrawalTerm], signed_on: date | None,
                       departement: str | None = None) -> list[WithdrawalPeriod]:
    """Each period with its end date: from the signature day for services and insurance, moved past a
    weekend or public holiday of the dealer's département (art. L221-19, withdrawal_dates.py); a vehicle's
    period starts at its handover or delivery, a date not known at signature."""
    periods = []
    for term in terms:
        names = ", ".join(KIND_LABELS[k].lower() for k in term.kinds)
        ends = term.ends_on(signed_on, departement) if signed_on and term.starts == WithdrawalStart.SIGNATURE else None
        periods.append(WithdrawalPeriod(products=names[:1].upper() + names[1:], days=term.days, starts=term.starts,
                                        legal_basis=term.legal_basis, ends_on=ends))
    return periods


def periods_of(proposal: Proposal) -> list[WithdrawalPeriod]:
    """What the customer may withdraw from: before signing, every product offered (options included, the
    customer may take them); once signed, the products taken, with the end dates the signature fixes."""
    if proposal.accepted_at is None:
        return withdrawal_periods(proposal.withdrawal, None)
    taken = withdrawal_terms(proposal.included_kinds, proposal.withdrawal_days)
    # The dealer's address decides the public holidays (branches have no address of their own yet).
    departement = withdrawal_dates.departement_of(proposal.dealer.legal.postal_code)
    return withdrawal_periods(taken, local_time.paris_date(proposal.accepted_at), departement)


def signed_filename(proposal: Proposal) -> str:
    return f"proposition-{proposal.reference}-v{proposal.version}-signee.pdf"
