"""What is shown of a proposal: the seller's views (with history, list rows), the PDF's document,
the variables of its emails."""
from datetime import date, datetime
from typing import Any

from pydantic import Field, computed_field

from chalicelib.domain import local_time
from chalicelib.domain.customers import Account, Contact, format_phone
from chalicelib.domain.dealers import Dealer, SellerProfile
from chalicelib.domain.deposits import RecordedAnomaly
from chalicelib.domain.email_events import EmailBounce
from chalicelib.domain.model import Entity
from chalicelib.domain.money import format_euros
from chalicelib.domain.proposals.model import (
    CoHolder, CustomerSnapshot, DealerSnapshot, EventKind, Proposal, ProposalEvent,
)
from chalicelib.domain.proposals.status import ProposalStatus
from chalicelib.domain.questions import Question, thread_of
from chalicelib.domain.quotes import Quote, QuoteLine, Totals, WithdrawalTerm, totals_of, withdrawal_terms
from chalicelib.domain.quotes import deposit_cents as compute_deposit
from chalicelib.domain.terms import TermsRef


class ProposalView(Entity):
    proposal: Proposal
    history: list[ProposalEvent]

    def then(self, proposal: Proposal, *events: ProposalEvent) -> "ProposalView":
        """The view once an action has written `proposal` and appended `events`: nothing to read back."""
        return ProposalView(proposal=proposal, history=[*self.history, *events])

    @computed_field
    @property
    def proofs(self) -> dict[str, str] | None:
        """Once signed: where the seller downloads the signed PDF and the evidence file."""
        if self.proposal.signature is None:
            return None
        base = f"/proposals/{self.proposal.id}/proofs"
        return {"signed_pdf": f"{base}/signed.pdf", "evidence": f"{base}/evidence.json"}

    @computed_field
    @property
    def questions(self) -> list[Question]:
        """The customer's questions, oldest first, each with the seller's answers (domain/questions.py)."""
        return thread_of(self.history)

    @computed_field
    @property
    def deposit_anomalies(self) -> list[RecordedAnomaly]:
        """Payments taken that are not the acompte (docs/payments.md, "Anomalies"), oldest first, each to refund
        or settle at the provider until a staff member marks it settled. Read from the history's events."""
        settled = {event.details.get("anomaly_id"): event for event in self.history
                   if event.kind == EventKind.PAYMENT_ANOMALY_SETTLED}
        return [RecordedAnomaly.model_validate({
            **event.details, "at": event.at, "id": event.id,
            **({"settled_at": settled[event.id].at, "settled_by": settled[event.id].by,
                "settlement_note": settled[event.id].details.get("note")} if event.id in settled else {}),
        }) for event in self.history if event.kind == EventKind.PAYMENT_ANOMALY]


class ProposalSummary(Entity):
    """One row of the proposal list."""
    id: str
    reference: str
    quote_id: str
    status: ProposalStatus
    version: int
    customer_name: str
    seller_id: str
    total_ttc_cents: int
    valid_until: date
    created_at: datetime
    sent_at: datetime | None = None
    view_count: int = 0
    last_viewed_at: datetime | None = None
    deposit_cents: int = 0
    deposit_status: str = Field(default="not_asked", description="not_asked, none, pending or paid")
    deposit_paid_at: datetime | None = None
    deposit_reference: str | None = Field(default=None, description="the payment provider's reference")
    payment_anomalies: int = Field(default=0, description="payments that are not the acompte, not settled yet")
    signed_at: datetime | None = Field(default=None, description="when the customer accepted (signed)")
    email_bounce: EmailBounce | None = Field(default=None, description="the last email did not reach the customer")
    partly_signed_at: datetime | None = Field(default=None, description="two signers: when the first signed this "
                                                                        "version (« 1 signature sur 2 »)")

    @classmethod
    def of(cls, p: Proposal) -> "ProposalSummary":
        name = p.customer.company_name or p.customer.full_name
        payment = p.deposit_payment
        return cls(id=p.id, reference=p.reference, quote_id=p.quote_id, status=p.status, version=p.version,
                   customer_name=name, seller_id=p.seller_id, total_ttc_cents=p.totals.ttc_cents,
                   valid_until=p.valid_until, created_at=p.created_at, sent_at=p.sent_at,
                   view_count=p.view_count, last_viewed_at=p.last_viewed_at, deposit_cents=p.deposit_cents,
                   deposit_status=p.deposit_status, deposit_paid_at=payment.paid_at if payment else None,
                   deposit_reference=payment.provider_reference if payment else None,
                   payment_anomalies=max(p.open_payment_anomalies, 0), signed_at=p.accepted_at,
                   email_bounce=p.email_bounce,
                   partly_signed_at=p.partly_signed.signed_at if p.partly_signed else None)


class ProposalPage(Entity):
    items: list[ProposalSummary]
    next_cursor: str | None = None


class DocumentLink(Entity):
    """A rendered PDF: where it is, its fingerprint, and a short-lived download URL."""
    s3_key: str
    sha256: str
    size: int
    version: int
    url: str
    url_expires_in: int


class QuoteDocument(Entity):
    """Everything the PDF shows, nothing else: the same input gives the same bytes."""
    title: str = Field(description="Devis or Proposition commerciale")
    reference: str
    quote_number: str
    version: int
    issued_at: datetime = Field(description="the version's date, also the PDF's creation date")
    dealer: DealerSnapshot
    seller: SellerProfile | None = None
    customer: CustomerSnapshot
    co_holder: CoHolder | None = Field(default=None, description="the second signer, printed beside the holder")
    lines: list[QuoteLine]
    deposit_cents: int = 0
    withdrawal: list[WithdrawalTerm]
    valid_until: date
    notes: str | None = None
    e_signature: bool = True
    terms: list[TermsRef] = Field(default_factory=list, description="the dealer's terms appended after the document")

    @computed_field
    @property
    def totals(self) -> Totals:
        return totals_of(self.lines)


def document_of_proposal(proposal: Proposal) -> QuoteDocument:
    return QuoteDocument(
        title="Proposition commerciale", reference=proposal.reference, quote_number=proposal.quote_number,
        version=proposal.version, issued_at=proposal.version_created_at, dealer=proposal.dealer,
        seller=proposal.seller, customer=proposal.customer, co_holder=proposal.co_holder, lines=proposal.lines,
        deposit_cents=proposal.deposit_cents, withdrawal=proposal.withdrawal, valid_until=proposal.valid_until,
        notes=proposal.notes, e_signature=proposal.e_signature_offered, terms=proposal.document_terms,
    )


def document_of_quote(quote: Quote, dealer: Dealer, account: Account, contact: Contact,
                      seller: SellerProfile | None) -> QuoteDocument:
    kinds = {line.kind for line in quote.lines}
    totals = totals_of(quote.lines)
    return QuoteDocument(
        title="Devis", reference=quote.number, quote_number=quote.number, version=quote.version,
        issued_at=quote.updated_at, dealer=DealerSnapshot.of(dealer), seller=seller,
        customer=CustomerSnapshot.of(account, contact), lines=quote.lines,
        deposit_cents=compute_deposit(dealer.settings.deposit, totals.ttc_cents),
        withdrawal=withdrawal_terms(kinds, dealer.settings.withdrawal_days), valid_until=quote.valid_until,
        notes=quote.notes, e_signature=dealer.settings.e_signature,
    )


def email_variables(proposal: Proposal) -> dict[str, Any]:
    """What every email about a proposal may say (see domain/templates.VARIABLES)."""
    recipient = proposal.recipient
    greeting = (recipient.name if recipient and recipient.contact_id != proposal.customer.contact_id
                else proposal.customer.salutation)
    return {
        "dealer_name": proposal.dealer.name,
        "seller_name": proposal.seller.display_name,
        "seller_phone": format_phone(proposal.seller.phone),
        "seller_email": str(proposal.seller.email),
        "customer_name": greeting,
        "customer_first_name": proposal.customer.first_name,
        "customer_last_name": proposal.customer.last_name,
        "reference": proposal.reference,
        "total": format_euros(proposal.totals.ttc_cents),
        "valid_until": local_time.format_day(proposal.valid_until),
        "deposit": format_euros(proposal.deposit_cents) if proposal.deposit_cents else "",
    }
