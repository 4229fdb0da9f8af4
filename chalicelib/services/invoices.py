"""Use cases on invoices: issue one (deposit paid, handover, a quote, a credit note), list, download, export.

Issuing reads the dealer's counter, numbers the invoice, and commits in one transaction the
counter's move (conditional on the value read), the invoice (if absent) and its source
marker; a number lost to a concurrent invoice is retried with the next one, so the sequence
has no gap and no duplicate. The Factur-X PDF is rendered from the stored invoice on first
need and kept in S3, outside that transaction, which stays small: on first download, or
just after issuing when the customer is emailed (delivery attaches files already in S3).
The email is queued once per invoice (a fixed message id), so a replayed event that finds
its invoice queues it if a crash lost it. docs/invoices.md.
"""
import csv
import hashlib
import io
import random
import time
from datetime import date, datetime
from typing import Callable

from ulid import ULID

from chalicelib.documents import invoice_pdf, storage
from chalicelib.domain import clock, local_time
from chalicelib.domain.dealers import Role, Staff
from chalicelib.domain.errors import AlreadyExists, Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.invoices import (
    AlreadyInvoiced, Buyer, Deduction, ExportQuery, Invoice, InvoiceDocument, InvoiceDraft, InvoiceKind,
    InvoiceListQuery, InvoicePage, InvoiceRead, InvoiceSource, InvoiceSummary, NewCreditNote, NumberTaken, Seller,
    payment_terms, sale_lines, seq_of, share_of,
)
from chalicelib.domain import letters
from chalicelib.domain.money import format_euros
from chalicelib.domain.outbox import Attachment, Channel, OutboxMessage
from chalicelib.domain.proposals.model import CustomerSnapshot, Proposal, ProposalInvoice
from chalicelib.domain.quotes import LineKind, QuoteLine
from chalicelib.store import customers as customer_store
from chalicelib.store import dealers as dealer_store
from chalicelib.store import invoices as store
from chalicelib.store import orders as order_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import proposals as proposal_store
from chalicelib.store import quotes as quote_store
from chalicelib.store.unit_of_work import Write, commit

MAX_ATTEMPTS = 100  # 50 invoices of one dealer at the same instant all get through
PDF_URL_SECONDS = 300
CREDITING_ROLES = (Role.MANAGER, Role.ADMIN, Role.BACK_OFFICE)


# --- the events that invoice (the integrator calls these from deposits and orders) ------------

def deposit_paid(dealer_id: str, proposal_id: str, reference: str, customer: CustomerSnapshot | Buyer,
                 lines: list[QuoteLine], amount_cents: int, paid_at: datetime) -> Invoice:
    """The facture d'acompte of a proposal's paid acompte (once per proposal; a replay returns it).
    From deposits: `deposit_paid(p.dealer_id, p.id, p.reference, p.customer, p.lines, paid.amount_cents,
    paid.paid_at)`."""
    paid_on = local_time.paris_date(paid_at)
    return _issue_once(InvoiceDraft(
        dealer_id=dealer_id, kind=InvoiceKind.DEPOSIT, source=InvoiceSource.DEPOSIT, source_id=proposal_id,
        seller=_seller(dealer_id), buyer=_buyer(customer), order_reference=reference, sale_date=paid_on,
        lines=share_of(sale_lines(lines), amount_cents, f"Acompte sur la commande {reference}"),
        payment_terms=payment_terms(InvoiceKind.DEPOSIT, paid_on),
    ), _listed_on(dealer_id, proposal_id))


def handed_over(dealer_id: str, order_id: str, reference: str | None, customer: CustomerSnapshot | Buyer,
                lines: list[QuoteLine], delivered_on: date, deposit_of: str | None = None) -> Invoice:
    """The final invoice at handover: every line sold, the deposit invoice of proposal `deposit_of`
    (if any) deducted, less what was credited on it (once per order; a replay returns it).
    From orders: `handed_over(o.dealer_id, o.id, <proposal or quote number>, buyer_of(o.dealer_id,
    o.customer.account_id, o.customer.contact_id), o.lines, <handover day>, deposit_of=o.proposal_id)`."""
    deductions = []
    if deposit_of is not None:
        deposit = store.by_source(dealer_id, InvoiceSource.DEPOSIT.value, deposit_of)
        if deposit is not None:
            paid = deposit.totals.ttc_cents - store.credited_cents(dealer_id, deposit.seq)
            if paid > 0:
                deductions.append(Deduction(number=deposit.number, issue_date=deposit.issue_date, ttc_cents=paid))
    return _issue_once(InvoiceDraft(
        dealer_id=dealer_id, kind=InvoiceKind.FINAL, source=InvoiceSource.HANDOVER, source_id=order_id,
        seller=_seller(dealer_id), buyer=_buyer(customer), order_reference=reference, sale_date=delivered_on,
        lines=sale_lines(lines), deductions=deductions, payment_terms=payment_terms(InvoiceKind.FINAL),
    ), _listed_on(dealer_id, deposit_of) if deposit_of is not None else None)


def buyer_of(dealer_id: str, account_id: str, contact_id: str | None) -> Buyer:
    """The buyer as the customer file holds it now (name, address, SIREN): for an order, whose snapshot
    has no address."""
    account = customer_store.get_account(dealer_id, account_id)
    contact = account.contact(contact_id) if contact_id else (account.contacts[0] if account.contacts else None)
    if contact is None:
        raise InvalidInput("Ajoutez un contact au compte client : la facture lui est adressée.",
                           {"account_id": "no contact"})
    return Buyer.of(CustomerSnapshot.of(account.account, contact))


def _buyer(customer: CustomerSnapshot | Buyer) -> Buyer:
    return customer if isinstance(customer, Buyer) else Buyer.of(customer)


def refunded(dealer_id: str, proposal_id: str, refund_id: str, amount_cents: int, reason: str) -> Invoice | None:
    """The credit note of a refunded acompte (cancellation, withdrawal): None when no deposit invoice exists."""
    deposit = store.by_source(dealer_id, InvoiceSource.DEPOSIT.value, proposal_id)
    return None if deposit is None else _refund_once(deposit, amount_cents, reason, refund_id)


def handover_refunded(dealer_id: str, order_id: str, refund_id: str, amount_cents: int | None,
                      reason: str) -> Invoice | None:
    """The credit note of what the order's final invoice billed and is refunded after the handover (the vehicle
    returned: `amount_cents` None credits all that is left; a product withdrawn: its price). None when the order
    has no final invoice. Once per `refund_id`."""
    final = store.by_source(dealer_id, InvoiceSource.HANDOVER.value, order_id)
    return None if final is None else _refund_once(final, amount_cents, reason, refund_id)


def _refund_once(invoice: Invoice, amount_cents: int | None, reason: str, refund_id: str) -> Invoice:
    # A replay finds its credit note before crediting again (which the amount left could refuse).
    existing = store.by_source(invoice.dealer_id, InvoiceSource.REFUND.value, refund_id)
    if existing is not None:
        _send(existing)
        return existing
    return _credit(invoice, amount_cents, reason, refund_id)


# --- the seller's actions -----------------------------------------------------------------

def from_quote(dealer_id: str, quote_id: str, by: Staff) -> Invoice:
    """An invoice of what a quote sells without a vehicle (a service contract sold alone); once per quote."""
    quote = quote_store.get(dealer_id, quote_id)
    if any(line.kind == LineKind.VEHICLE and line.included for line in quote.lines):
        raise InvalidInput("Un véhicule se facture à sa livraison (facture de solde), pas depuis le devis.",
                           {"quote_id": "has a vehicle line"})
    if not any(line.included for line in quote.lines):
        raise InvalidInput("Ce devis n'a aucune ligne à facturer.", {"quote_id": "no line"})
    account = customer_store.get_account(dealer_id, quote.account_id)
    customer = CustomerSnapshot.of(account.account, quote.addressee(account))
    draft = InvoiceDraft(
        dealer_id=dealer_id, kind=InvoiceKind.STANDARD, source=InvoiceSource.QUOTE, source_id=quote.id,
        seller=_seller(dealer_id), buyer=Buyer.of(customer), order_reference=quote.number,
        lines=sale_lines(quote.lines), payment_terms=payment_terms(InvoiceKind.STANDARD),
    )
    return _issue(draft)


def credit_note(dealer_id: str, number: str, command: NewCreditNote, by: Staff) -> Invoice:
    """A correction: a credit note of the invoice, whole or of `amount_cents` TTC. It cancels revenue, so
    it is the office's call (managers, admins, back office), not a seller's."""
    if by.role not in CREDITING_ROLES:
        raise Forbidden("Seuls les managers, les administrateurs et l'ADV émettent un avoir.")
    return _credit(get(dealer_id, number), command.amount_cents, command.reason, new_id())


def get(dealer_id: str, number: str) -> Invoice:
    seq = seq_of(number)
    if seq is None:
        raise NotFound("Facture introuvable.")
    return store.get(dealer_id, seq)


def read(dealer_id: str, number: str) -> InvoiceRead:
    """The invoice and the credit notes issued on it (the seller's invoice page)."""
    invoice = get(dealer_id, number)
    return InvoiceRead(**invoice.model_dump(exclude={"issue_date", "totals"}),
                       credit_notes=store.credit_notes_of(dealer_id, invoice.seq))


def page(dealer_id: str, query: InvoiceListQuery) -> InvoicePage:
    items, cursor = store.page(dealer_id, query.limit, query.cursor)
    return InvoicePage(items=[InvoiceSummary.of(i) for i in items], next_cursor=cursor)


def download(dealer_id: str, number: str) -> InvoiceDocument:
    invoice = get(dealer_id, number)
    key = ensure_pdf(invoice)
    return InvoiceDocument(number=invoice.number, url=storage.download_url(key, _filename(invoice), PDF_URL_SECONDS),
                           url_expires_in=PDF_URL_SECONDS)


# --- the customer portal ------------------------------------------------------------------

def shown(proposal: Proposal) -> list[ProposalInvoice]:
    """What the signed proposal's page shows of its invoices: the list kept on it, so the page reads nothing
    more; read (the invoices' markers, then the invoices) for a proposal signed before it was kept."""
    if proposal.invoices is not None:
        return proposal.invoices
    return [invoice.shown() for invoice in of_proposal(proposal.dealer_id, proposal.id)]


def of_proposal(dealer_id: str, proposal_id: str) -> list[Invoice]:
    """What the signed proposal's customer sees on the portal: its deposit invoice, the final invoice of the
    order it opened and the credit notes issued on either, as issued."""
    return store.of_proposal(dealer_id, proposal_id)


def proposal_download(dealer_id: str, proposal_id: str, number: str) -> str:
    """A short-lived URL of one of the proposal's invoices or credit notes; any other number (another proposal's)
    is not found."""
    invoice = next((i for i in of_proposal(dealer_id, proposal_id) if i.number == number), None)
    if invoice is None:
        raise NotFound("Facture introuvable.")
    return storage.download_url(ensure_pdf(invoice), _filename(invoice), PDF_URL_SECONDS)


def ensure_pdf(invoice: Invoice) -> str:
    """The invoice's Factur-X PDF in S3, rendered now if it is not there yet; its object name.
    Two first renders at once write the same content (only the PDF's own timestamps differ)."""
    key = storage.invoice_pdf_key(invoice.dealer_id, invoice.number)
    if storage.size_of(key) is None:
        storage.put(key, invoice_pdf.render(invoice), "application/pdf")
    return key


EXPORT_COLUMNS = ["numero", "type", "date", "client", "siren_client", "reference", "facture_d_origine",
                  "total_ht", "total_tva", "total_ttc", "acomptes_deduits", "net_a_payer", "marge_biens_occasion"]


def export_csv(dealer_id: str, query: ExportQuery) -> str:
    """The invoices and credit notes of a period for the accountant, in number order; amounts in euros,
    credit notes negative (semicolon separated, decimal comma: what French spreadsheets open)."""
    query.check()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for invoice in store.issued_between(dealer_id, query.from_day, query.to_day):
        sign = -1 if invoice.kind == InvoiceKind.CREDIT_NOTE else 1
        t = invoice.totals
        writer.writerow([
            invoice.number, invoice.kind.value, invoice.issue_date.isoformat(), invoice.buyer.name,
            invoice.buyer.siren or "", invoice.order_reference or "", invoice.credited_number or "",
            *(_euros(sign * cents) for cents in (t.ht_cents, t.vat_cents, t.ttc_cents, t.prepaid_cents,
                                                  t.due_cents, t.margin_scheme_cents)),
        ])
    return out.getvalue()


# --- issuing ------------------------------------------------------------------------------------

def _credit(invoice: Invoice, amount_cents: int | None, reason: str, source_id: str) -> Invoice:
    already = store.credited_cents(invoice.dealer_id, invoice.seq)
    lines = invoice.credit(amount_cents, already)
    draft = InvoiceDraft(
        dealer_id=invoice.dealer_id, kind=InvoiceKind.CREDIT_NOTE, source=InvoiceSource.REFUND, source_id=source_id,
        seller=_seller(invoice.dealer_id), buyer=invoice.buyer, order_reference=invoice.order_reference,
        lines=lines, credited_number=invoice.number, credited_issue_date=invoice.issue_date, reason=reason,
        payment_terms=payment_terms(InvoiceKind.CREDIT_NOTE),
    )
    amount = sum(line.ttc_cents for line in lines)
    proposal_id = _proposal_of(invoice)
    # The proposal item is not otherwise in this transaction (counter, credit note, its marker and listing,
    # the credited item), so listing it there touches each item once.
    listed = _listed_on(invoice.dealer_id, proposal_id) if proposal_id is not None else None
    return _issue_once(draft, lambda note: [store.credited(invoice, amount, already),
                                            *(listed(note) if listed else [])])


def _proposal_of(invoice: Invoice) -> str | None:
    """The proposal whose portal page lists the invoice: its deposit's, or that of the order it finally billed
    (none for an invoice from a quote, or an order opened from a quote)."""
    if invoice.source == InvoiceSource.DEPOSIT:
        return invoice.source_id
    if invoice.source == InvoiceSource.HANDOVER:
        try:
            return order_store.get(invoice.dealer_id, invoice.source_id).proposal_id
        except NotFound:
            return None  # no order of that id: no portal page lists it
    return None


# The writes that go with an invoice in its transaction, made for each attempt's numbered invoice.
Together = Callable[[Invoice], list[Write]]


def _listed_on(dealer_id: str, proposal_id: str) -> Together:
    """The proposal's list of invoices with the new one: the earlier ones are read at each attempt, after the
    counter, so an invoice committed meanwhile (it moved the counter) is never left out."""
    def writes(invoice: Invoice) -> list[Write]:
        earlier = [i.shown() for i in store.of_proposal(dealer_id, proposal_id)]
        return [proposal_store.invoices_listed(dealer_id, proposal_id, [*earlier, invoice.shown()])]
    return writes


def _issue_once(draft: InvoiceDraft, together: Together | None = None) -> Invoice:
    """Issues the draft, or returns the invoice its source already has (a replayed event)."""
    try:
        return _issue(draft, together)
    except AlreadyInvoiced:
        existing = store.by_source(draft.dealer_id, draft.source.value, draft.source_id)
        if existing is None:
            raise
        _send(existing)
        return existing


def _issue(draft: InvoiceDraft, together: Together | None = None) -> Invoice:
    for attempt in range(MAX_ATTEMPTS):
        read = store.counter(draft.dealer_id)
        now = clock.now()
        # Chronological: never issued before the previous number, even if this clock lags a little.
        at = max(now, read.last_issued_at) if read.last_issued_at else now
        invoice = draft.issued(read.value + 1, at)
        try:
            store.commit_numbered([store.numbered(invoice, read), *store.new(invoice),
                                   *(together(invoice) if together else [])])
        except NumberTaken:
            time.sleep(random.uniform(0, 0.005 * min(attempt + 1, 10)))  # spread the retries of a burst
            continue
        _send(invoice)
        return invoice
    raise Conflict("Trop de factures émises au même instant : réessayez.")


def _seller(dealer_id: str) -> Seller:
    """The dealer's legal details as held today (they go on the invoice as they are now)."""
    dealer = dealer_store.get(dealer_id)
    return Seller(name=dealer.name, legal=dealer.legal)


def _send(invoice: Invoice) -> None:
    """Emails the invoice to the customer with its PDF (rendered first: delivery attaches what S3 holds)."""
    if not invoice.buyer.email:
        return
    ensure_pdf(invoice)
    try:
        commit(outbox_store.new(_email(invoice, invoice.buyer.email)))
    except AlreadyExists:
        pass  # queued when it was issued


def _email(invoice: Invoice, to: str) -> OutboxMessage:
    """The invoice's email; its id is fixed by the invoice, so it is queued once."""
    totals = invoice.totals
    letter = letters.write(
        "invoice", f"{invoice.title} {invoice.number} – {invoice.seller.name}",
        what="l'avoir" if invoice.kind == InvoiceKind.CREDIT_NOTE else f"la {invoice.title.lower()}",
        number=invoice.number, issue_date=local_time.format_day(invoice.issue_date), dealer=invoice.seller.name,
        amount=format_euros(totals.ttc_cents),
        due=format_euros(totals.due_cents) if invoice.deductions else "",
    )
    fingerprint = hashlib.sha256(f"invoice|{invoice.dealer_id}|{invoice.number}".encode()).digest()[:10]
    message_id = str(ULID.from_bytes(int(invoice.issued_at.timestamp() * 1000).to_bytes(6, "big") + fingerprint))
    return OutboxMessage(
        id=message_id, dealer_id=invoice.dealer_id, channel=Channel.EMAIL, to=to, purpose=f"invoice_{invoice.kind}",
        attachments=[Attachment(filename=_filename(invoice),
                                s3_key=storage.invoice_pdf_key(invoice.dealer_id, invoice.number))],
        created_at=invoice.issued_at, **letter.parts(),
    )


def _filename(invoice: Invoice) -> str:
    return f"{'avoir' if invoice.kind == InvoiceKind.CREDIT_NOTE else 'facture'}-{invoice.number}.pdf"


def _euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"
