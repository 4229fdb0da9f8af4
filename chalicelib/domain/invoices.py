"""Invoices (factures) and credit notes (avoirs): what they say, worked out once, never changed.

Kinds: the deposit invoice (facture d'acompte) when the acompte is paid, the final invoice at
handover (the deposits deducted), an invoice made from a quote (a service contract sold
alone), and the credit note of an invoice (full or partial). docs/invoices.md cites the law.

Amounts are integer cents. A line's VAT is its HT amount × rate rounded half up (domain/money),
except on a deposit or partial credit note, where the amount received or refunded is TTC and
the VAT is taken out of it ("en dedans"): HT = TTC / (1 + rate), VAT = TTC − HT. Totals add
line amounts, never rounded again. A used vehicle under the margin scheme (art. 297 A CGI)
shows no VAT at all.

An issued invoice is immutable: corrections are credit notes. Its number comes from one
continuous sequence per dealer (services/invoices.py takes it in the storing transaction).
"""
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field, computed_field

from chalicelib.domain import local_time
from chalicelib.domain.customers import AccountKind, PostalAddress
from chalicelib.domain.dealers import DealerLegal
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.model import Command, Entity, PageQuery
from chalicelib.domain.money import BASIS_POINTS, apply_rate, round_half_up
from chalicelib.domain.proposals.model import CustomerSnapshot, ProposalInvoice
from chalicelib.domain.quotes import KIND_LABELS, QuoteLine, VatBreakdown

NUMBER_PREFIX = "F"
NUMBER_DIGITS = 6
MARGIN_SCHEME_MENTION = "Régime particulier – Biens d'occasion"
MARGIN_SCHEME_BASIS = "art. 297 A et 297 E du CGI"
LATE_PAYMENT_MENTION = (
    "En cas de retard de paiement : pénalités au taux de la BCE majoré de 10 points (art. L441-10 du Code de "
    "commerce) et indemnité forfaitaire pour frais de recouvrement de 40 € (art. D441-5 du Code de commerce). "
    "Pas d'escompte pour paiement anticipé."
)


class InvoiceKind(StrEnum):
    DEPOSIT = "deposit"          # facture d'acompte
    FINAL = "final"              # facture de solde, at handover, deposits deducted
    STANDARD = "standard"        # from a quote: what is sold without a vehicle
    CREDIT_NOTE = "credit_note"  # avoir


KIND_TITLES = {
    InvoiceKind.DEPOSIT: "Facture d'acompte",
    InvoiceKind.FINAL: "Facture",
    InvoiceKind.STANDARD: "Facture",
    InvoiceKind.CREDIT_NOTE: "Avoir",
}


class NumberTaken(Conflict):
    """Another invoice of the dealer took the number meanwhile: read the counter again and retry."""
    code = "invoice_number_taken"

    def __init__(self) -> None:
        super().__init__("Numéro de facture pris entre-temps : réessayez.")


class AlreadyInvoiced(Conflict):
    """The event (a paid acompte, a handover, a refund) already has its invoice."""
    code = "already_invoiced"

    def __init__(self) -> None:
        super().__init__("Cette opération a déjà sa facture.")


class CreditExceedsInvoice(Conflict):
    code = "credit_exceeds_invoice"

    def __init__(self, remaining_cents: int) -> None:
        super().__init__("Le montant de l'avoir dépasse ce qui reste à créditer sur la facture.",
                         {"amount_cents": f"at most {remaining_cents}"})


# --- parties --------------------------------------------------------------------------

class Seller(Entity):
    """The dealer's legal details as held when the invoice was issued (art. 242 nonies A, I-1° to 4°)."""
    name: str
    legal: DealerLegal

    def missing(self) -> list[str]:
        """The mentions an invoice cannot go without; the admin fills them in the dealer's settings."""
        needed = {"legal_name": self.legal.legal_name, "address_line": self.legal.address_line,
                  "postal_code": self.legal.postal_code, "city": self.legal.city, "siret": self.legal.siret}
        return [name for name, value in needed.items() if not value]


class Buyer(Entity):
    kind: AccountKind
    name: str = Field(description="the company name, or the person's full name")
    contact_name: str | None = None
    siren: str | None = None
    email: str | None = None
    address: PostalAddress | None = None

    @classmethod
    def of(cls, customer: CustomerSnapshot) -> "Buyer":
        person = f"{customer.first_name} {customer.last_name}"
        company = customer.kind == AccountKind.COMPANY
        return cls(kind=customer.kind, name=customer.company_name or person if company else person,
                   contact_name=person if company else None, siren=customer.siren, email=customer.email,
                   address=customer.address)

    @property
    def is_business(self) -> bool:
        """Late-payment penalties and the 40 € indemnity are owed between professionals (C. com. L441-10)."""
        return self.kind == AccountKind.COMPANY


# --- lines and totals -------------------------------------------------------------------

class InvoiceLine(Entity):
    label: str
    description: str | None = None
    quantity: int = Field(ge=1)
    unit_price_cents: int = Field(ge=0, description="HT")
    vat_rate_bp: int = Field(ge=0)
    margin_scheme: bool = False
    ht_cents: int
    vat_cents: int

    @property
    def ttc_cents(self) -> int:
        return self.ht_cents + self.vat_cents

    @classmethod
    def priced(cls, label: str, quantity: int, unit_price_cents: int, vat_rate_bp: int, margin_scheme: bool = False,
               description: str | None = None) -> "InvoiceLine":
        ht = quantity * unit_price_cents
        vat = 0 if margin_scheme else apply_rate(ht, vat_rate_bp)
        return cls(label=label, description=description, quantity=quantity, unit_price_cents=unit_price_cents,
                   vat_rate_bp=0 if margin_scheme else vat_rate_bp, margin_scheme=margin_scheme, ht_cents=ht,
                   vat_cents=vat)

    @classmethod
    def from_ttc(cls, label: str, ttc_cents: int, vat_rate_bp: int, margin_scheme: bool = False) -> "InvoiceLine":
        """A line of an amount received or refunded TTC: its VAT taken out of it."""
        rate = 0 if margin_scheme else vat_rate_bp
        ht = round_half_up(ttc_cents * BASIS_POINTS, BASIS_POINTS + rate)
        return cls(label=label, quantity=1, unit_price_cents=ht, vat_rate_bp=rate, margin_scheme=margin_scheme,
                   ht_cents=ht, vat_cents=ttc_cents - ht)


class Deduction(Entity):
    """A deposit invoice already paid, deducted from the final invoice (EN 16931 BT-113)."""
    number: str
    issue_date: date
    ttc_cents: int


class InvoiceTotals(Entity):
    ht_cents: int
    vat_cents: int
    ttc_cents: int
    by_rate: list[VatBreakdown] = Field(description="VAT per rate; margin-scheme lines apart")
    margin_scheme_cents: int = 0
    prepaid_cents: int = 0
    due_cents: int = Field(description="what remains to pay: TTC minus the deposits deducted")


def totals_of(lines: list[InvoiceLine], prepaid_cents: int = 0) -> InvoiceTotals:
    rates: dict[int, tuple[int, int]] = {}
    for line in lines:
        if not line.margin_scheme:
            base, vat = rates.get(line.vat_rate_bp, (0, 0))
            rates[line.vat_rate_bp] = (base + line.ht_cents, vat + line.vat_cents)
    ttc = sum(line.ttc_cents for line in lines)
    return InvoiceTotals(
        ht_cents=sum(line.ht_cents for line in lines), vat_cents=sum(line.vat_cents for line in lines),
        ttc_cents=ttc,
        by_rate=[VatBreakdown(vat_rate_bp=r, base_cents=b, vat_cents=v) for r, (b, v) in sorted(rates.items(),
                                                                                              reverse=True)],
        margin_scheme_cents=sum(line.ht_cents for line in lines if line.margin_scheme),
        prepaid_cents=prepaid_cents, due_cents=ttc - prepaid_cents,
    )


def sale_lines(lines: list[QuoteLine]) -> list[InvoiceLine]:
    """The lines a quote or proposal sells (optional ones only when chosen), as invoice lines."""
    return [
        InvoiceLine.priced(
            line.label, line.quantity, line.unit_price_cents, line.vat_rate_bp, line.margin_scheme,
            description=line.vehicle.summary() if line.vehicle else (line.description or KIND_LABELS[line.kind]),
        )
        for line in lines if line.included
    ]


def share_of(lines: list[InvoiceLine], amount_cents: int, label: str) -> list[InvoiceLine]:
    """`amount_cents` TTC spread over the VAT groups of `lines` in proportion to their TTC (a deposit on a sale,
    a partial refund of an invoice): one line per rate, the margin scheme apart; the last group takes the
    rounding so the lines add up to the amount exactly."""
    groups: dict[tuple[bool, int], int] = {}
    for line in lines:
        group = (line.margin_scheme, line.vat_rate_bp)
        groups[group] = groups.get(group, 0) + line.ttc_cents
    total = sum(groups.values())
    if amount_cents <= 0 or total <= 0:
        raise InvalidInput("Le montant doit être positif.", {"amount_cents": "must be positive"})
    shares, left = [], amount_cents
    ordered = sorted(groups.items(), key=lambda g: g[1])
    for index, ((margin, rate), ttc) in enumerate(ordered):
        part = left if index == len(ordered) - 1 else round_half_up(amount_cents * ttc, total)
        left -= part
        if part:
            suffix = f" ({MARGIN_SCHEME_MENTION})" if margin else ""
            shares.append(InvoiceLine.from_ttc(label + suffix, part, rate, margin))
    return shares


# --- the invoice --------------------------------------------------------------------------

class InvoiceSource(StrEnum):
    """What an invoice is issued for: one invoice per source (a replayed event finds it)."""
    DEPOSIT = "deposit"        # a proposal's paid acompte (source id: the proposal)
    HANDOVER = "handover"      # an order handed over (source id: the order)
    QUOTE = "quote"            # a quote invoiced directly (source id: the quote)
    REFUND = "refund"          # a refund or correction (source id: the refund, or a new id)


class InvoiceDraft(Entity):
    """Everything an invoice says except its number and issue time, which the numbering transaction gives."""
    dealer_id: str
    kind: InvoiceKind
    source: InvoiceSource
    source_id: str
    seller: Seller
    buyer: Buyer
    lines: list[InvoiceLine] = Field(min_length=1)
    sale_date: date | None = Field(default=None, description="date of the sale or delivery, when not the issue date")
    order_reference: str | None = Field(default=None, description="the proposal or quote number it relates to")
    deductions: list[Deduction] = []
    credited_number: str | None = Field(default=None, description="the invoice a credit note corrects (BT-25)")
    credited_issue_date: date | None = None
    reason: str | None = Field(default=None, max_length=300, description="why a credit note is issued")
    payment_terms: str

    def issued(self, seq: int, at: datetime) -> "Invoice":
        missing = self.seller.missing()
        if missing:
            raise InvalidInput("Complétez les informations légales de la concession avant de facturer.",
                               {f"legal.{name}": "required on an invoice" for name in missing})
        return Invoice(**self.model_dump(), seq=seq, number=number_of(seq), issued_at=at)


def number_of(seq: int) -> str:
    return f"{NUMBER_PREFIX}{seq:0{NUMBER_DIGITS}d}"


def seq_of(number: str) -> int | None:
    """The sequence value of an invoice number ("F000042" → 42), None when it is not one."""
    digits = number[len(NUMBER_PREFIX):]
    if not number.startswith(NUMBER_PREFIX) or not digits.isdigit() or len(digits) > 12:
        return None
    return int(digits)


class Invoice(InvoiceDraft):
    seq: int = Field(ge=1)
    number: str
    issued_at: datetime

    @computed_field
    @property
    def issue_date(self) -> date:
        return local_time.paris_date(self.issued_at)

    @computed_field
    @property
    def totals(self) -> InvoiceTotals:
        return totals_of(self.lines, sum(d.ttc_cents for d in self.deductions))

    @property
    def title(self) -> str:
        return KIND_TITLES[self.kind]

    def shown(self) -> ProposalInvoice:
        """What the customer portal shows of it (kept on its proposal): a credit note's amount negative, as what
        is given back."""
        sign = -1 if self.kind == InvoiceKind.CREDIT_NOTE else 1
        return ProposalInvoice(number=self.number, title=self.title, issue_date=self.issue_date,
                               ttc_cents=sign * self.totals.ttc_cents)

    @property
    def has_margin_scheme(self) -> bool:
        return any(line.margin_scheme for line in self.lines)

    def credit(self, amount_cents: int | None, already_credited_cents: int) -> list[InvoiceLine]:
        """The lines of a credit note of this invoice: all its lines, or `amount_cents` TTC spread over its rates."""
        if self.kind == InvoiceKind.CREDIT_NOTE:
            raise InvalidInput("Un avoir ne se crédite pas.", {"invoice": "is a credit note"})
        remaining = self.totals.ttc_cents - already_credited_cents
        amount = remaining if amount_cents is None else amount_cents
        if amount <= 0 or amount > remaining:
            raise CreditExceedsInvoice(remaining)
        if amount == self.totals.ttc_cents:
            return list(self.lines)
        return share_of(self.lines, amount, f"Avoir sur facture {self.number}")


# --- views and commands -----------------------------------------------------------------

class InvoiceSummary(Entity):
    number: str
    kind: InvoiceKind
    issue_date: date
    customer: str
    ttc_cents: int
    due_cents: int
    credited_number: str | None = None

    @classmethod
    def of(cls, invoice: Invoice) -> "InvoiceSummary":
        return cls(number=invoice.number, kind=invoice.kind, issue_date=invoice.issue_date,
                   customer=invoice.buyer.name, ttc_cents=invoice.totals.ttc_cents,
                   due_cents=invoice.totals.due_cents, credited_number=invoice.credited_number)


class InvoiceRead(Invoice):
    """An invoice as the seller reads it: with the credit notes issued on it since."""
    credit_notes: list[InvoiceSummary] = []


class InvoicePage(Entity):
    items: list[InvoiceSummary]
    next_cursor: str | None = None


class InvoiceListQuery(PageQuery):
    """No filter: the dealer's invoices and credit notes, newest first."""


class ExportQuery(Command):
    model_config = Command.model_config | {"strict": False, "populate_by_name": True}

    from_day: date = Field(alias="from")
    to_day: date = Field(alias="to")

    def check(self) -> None:
        if self.to_day < self.from_day:
            raise InvalidInput("La fin de la période précède son début.", {"to": "before from"})
        if (self.to_day - self.from_day).days > 366:
            raise InvalidInput("Exportez au plus un an à la fois.", {"to": "over a year after from"})


class NewCreditNote(Command):
    amount_cents: int | None = Field(default=None, ge=1, description="TTC; the whole remaining amount when absent")
    reason: str = Field(min_length=1, max_length=300)


class InvoiceDocument(Entity):
    """Where the invoice's Factur-X PDF is, with a short-lived download URL."""
    number: str
    url: str
    url_expires_in: int


PAYMENT_ON_RECEIPT = "Payable à réception de la facture."


def payment_terms(kind: InvoiceKind, paid_on: date | None = None) -> str:
    if kind == InvoiceKind.DEPOSIT and paid_on is not None:
        return f"Acompte réglé par carte le {local_time.format_day(paid_on)}."
    if kind == InvoiceKind.CREDIT_NOTE:
        return "Montant remboursé ou imputé selon les modalités convenues."
    return PAYMENT_ON_RECEIPT


def recovery_indemnity_applies(invoice: Invoice) -> bool:
    return invoice.buyer.is_business and invoice.kind != InvoiceKind.CREDIT_NOTE
