"""The customer withdraws online, product by product (GET/POST /p/{token}/retractation; docs/withdrawal.md).

`page` says, for each product of the signed proposal, its period and its state; `withdraw` records the
model form (Annexe à l'article R221-1) in one unit of work:
- the products' state (store/withdrawals.py, on the version read: of two submits at once one is written);
- the order: withdrawing the vehicle asks for the order's cancellation through the seller's own
  cancellation rules (order_cancellation.request_writes, reason "withdrawal": managers told, back office
  and third parties stopped when organised, then the manager's approval and its credit note); withdrawing
  another product takes its line off the order (the final invoice will not bill it);
- the refund, due 14 days after (art. L221-24), as a manager's milestone of the order (the task overview,
  GET /me/tasks, shows it; the milestone schedule tells the managers when it is due);
- the evidence: the withdrawal on the proposal's chain with time, IP and user agent, and its history event;
- the outbox: the seller and back office told, the customer's acknowledgement with the PDF of the filled
  form (a durable medium, art. L221-21). A failed email is retried by the outbox, the change stays.
A product withdrawn after the handover, when the final invoice is issued, is credited at once (an avoir).
"""
import dataclasses
from dataclasses import dataclass
from datetime import datetime

from chalicelib.documents import storage, withdrawal_pdf
from chalicelib.domain import evidence, letters, local_time, withdrawal_dates
from chalicelib.domain.dealers import Role
from chalicelib.domain.errors import DomainError, InvalidInput, InvalidTransition
from chalicelib.domain.ids import new_id
from chalicelib.domain.links import PortalState
from chalicelib.domain.money import format_euros
from chalicelib.domain.orders.cancellation import CancellationReason
from chalicelib.domain.orders.commands import CancellationRequest
from chalicelib.domain.orders.events import OrderEventKind
from chalicelib.domain.orders.milestones import DUE_TIME, Anchor, Milestone, Stage
from chalicelib.domain.orders.model import Order, OrderSource, OrderStatus, PaymentMethod, paris_moment
from chalicelib.domain.orders.withdrawal import (
    STATUS_LABELS, Product, ProductPeriod, ProductStatus, WithdrawalRecord, Withdrawals, period_of, products_of,
    refund_due_on,
)
from chalicelib.domain.notices import About
from chalicelib.domain.outbox import Attachment, Bell, Channel, OutboxMessage
from chalicelib.domain.proposals.model import EventKind, Proposal
from chalicelib.observability import logger, metrics
from chalicelib.services import invoices, order_cancellation, order_notices, staff_alerts
from chalicelib.services.customer_contact import customer_address
from chalicelib.services.orders import change_of, order_event
from chalicelib.services.visit import Record, Visitor, checked, commit, open_link, retried
from chalicelib.settings import settings
from chalicelib.store import orders as order_store
from chalicelib.store import withdrawals as store
from chalicelib.store.unit_of_work import Write

FORM = "withdrawal"
PRODUCT_FIELD = "product-"
NAME_MAX = 120
ADDRESS_MAX = 300
CUSTOMER = "customer"


@dataclass(frozen=True)
class Row:
    """One product as the page shows it."""
    product: Product
    period: ProductPeriod
    open: bool

    @property
    def field(self) -> str:
        return PRODUCT_FIELD + self.product.line_id

    @property
    def choosable(self) -> bool:
        return self.open and self.product.choosable and self.product.status == ProductStatus.TAKEN

    @property
    def status_label(self) -> str:
        label = STATUS_LABELS[self.product.status]
        return label[:1].upper() + label[1:]


@dataclass(frozen=True)
class WithdrawalPage:
    rows: list[Row]
    records: list[WithdrawalRecord]
    customer_name: str
    customer_address: str

    @property
    def choosable(self) -> list[Row]:
        return [r for r in self.rows if r.choosable]

    def labels(self, line_ids: list[str]) -> list[str]:
        return [r.product.label for r in self.rows if r.product.line_id in line_ids]


@dataclass(frozen=True)
class _Situation:
    withdrawals: Withdrawals
    order: Order | None
    periods: dict[str, ProductPeriod]


# --- reading -----------------------------------------------------------------------------------------

def page(proposal: Proposal, now: datetime) -> WithdrawalPage:
    """Each product with its period and state (a signed proposal's: the route checked the link)."""
    situation = _situation(proposal)
    today = local_time.paris_date(now)
    rows = [Row(p, situation.periods[p.line_id], situation.periods[p.line_id].open_on(today))
            for p in situation.withdrawals.products if p.choosable]
    customer = proposal.customer
    address = ", ".join(customer.address.lines()) if customer.address else ""
    return WithdrawalPage(rows=rows, records=situation.withdrawals.records,
                          customer_name=customer.full_name, customer_address=address)


def _situation(proposal: Proposal) -> _Situation:
    """The products' state (built from the signed lines on first use), the order, each product's period."""
    order_id = order_store.opened_from(proposal.dealer_id, OrderSource.PROPOSAL.value, proposal.id)
    order = order_store.get(proposal.dealer_id, order_id) if order_id else None
    withdrawals = store.get(proposal.dealer_id, proposal.id) or Withdrawals(
        dealer_id=proposal.dealer_id, proposal_id=proposal.id, order_id=order_id, products=products_of(proposal.lines))
    assert proposal.accepted_at is not None  # the route opens only a signed proposal's page
    signed_on = local_time.paris_date(proposal.accepted_at)
    handed_over_on = local_time.paris_date(order.handed_over_at) if order and order.handed_over_at else None
    # The dealer's address decides the public holidays, as on the signed page (domain/signing.py).
    departement = withdrawal_dates.departement_of(proposal.dealer.legal.postal_code)
    periods = {p.line_id: period_of(p.kind, proposal.withdrawal_days, signed_on, handed_over_on, departement)
               for p in withdrawals.products}
    return _Situation(withdrawals, order, periods)


# --- withdrawing -------------------------------------------------------------------------------------

def withdraw(token: str, form: dict[str, str], visitor: Visitor) -> None:
    """The model form, sent: refused with an inline message (nothing written) when the form is wrong."""
    checked(token, FORM, form)
    chosen = [name.removeprefix(PRODUCT_FIELD) for name, value in form.items()
              if name.startswith(PRODUCT_FIELD) and value]
    name = _required(form.get("name"), "name", NAME_MAX, "Indiquez votre nom.")
    address = _required(form.get("address"), "address", ADDRESS_MAX, "Indiquez votre adresse.")
    retried(lambda: _withdraw(token, chosen, name, address, visitor))


def _withdraw(token: str, chosen: list[str], name: str, address: str, visitor: Visitor) -> None:
    visit = open_link(token).require(PortalState.ACCEPTED_VIEW)
    proposal, now = visit.proposal, visit.now
    situation = _situation(proposal)
    state, order = situation.withdrawals, situation.order
    if state.already(chosen):
        return  # the same form sent twice: recorded once, the page shows it
    today = local_time.paris_date(now)
    record = WithdrawalRecord(
        id=new_id(), at=now, withdrawn=[], vehicle=False, handed_over=bool(order and order.handed_over_at),
        customer_name=name, customer_address=address, refund_cents=0, refund_due_on=refund_due_on(today),
        ip=visitor.ip, user_agent=visitor.user_agent)
    after = state.withdraw(chosen, situation.periods, record, today, credit=_credit(order))
    done = after.last
    assert done is not None  # withdraw appends the record
    labels = _labels(after, done.withdrawn)
    ended = _labels(after, done.ended)

    proof = Record(visit.aggregate, visitor, now)
    proof.add(evidence.EventKind.WITHDRAWAL, EventKind.CUSTOMER_WITHDREW, details={
        "withdrawal_id": done.id, "products": " ; ".join(labels), "ended": " ; ".join(ended) or None,
        "credit_ended": done.credit_ended, "refund_due_on": done.refund_due_on.isoformat(),
        "proposal_version": proposal.version})
    order_writes, notices = _order_change(order, done, labels, ended, now) if order else ([], [])
    key = storage.withdrawal_pdf_key(proposal.dealer_id, proposal.id, done.id)
    storage.put(key, withdrawal_pdf.render(_ack(proposal, order, done, labels, ended)), "application/pdf")
    if order is None:
        notices = _told_without_order(proposal, done, labels, now)
    messages = [*notices, _acknowledgement(proposal, done, labels, ended, key)]
    try:
        # The proposal's chain first: a submit that lost the race reads again (ConcurrentChange, `retried`).
        commit([*proof.saved(allowed=(proposal.status,)), store.saved(after), *order_writes], messages)
    except DomainError:
        storage.delete(key)  # only the recorded withdrawal keeps its acknowledgement
        raise
    metrics.add_metric(name="CustomerWithdrawal", unit="Count", value=1)
    if order is not None and order.handed_over_at is not None and not done.vehicle:
        _credit_after_handover(order, done, labels)


def _order_change(order: Order, done: WithdrawalRecord, labels: list[str], ended: list[str],
                  now: datetime) -> tuple[list[Write], list[OutboxMessage]]:
    """The order's writes (its change, the refund's milestone) and who is told: the seller and back office."""
    what = "; ".join(labels)
    refund = (f"Remboursement des sommes versées au plus tard le {local_time.format_day(done.refund_due_on)} "
              f"(art. L221-24 du Code de la consommation).")
    agg = order_store.aggregate(order.dealer_id, order.id)
    milestone = _refund_milestone(agg, done, what)
    if done.vehicle:
        # The vehicle: the order's cancellation, as the seller would ask for it (managers told there).
        note = "Rétractation du client en ligne (art. L221-18 du Code de la consommation)."
        if ended or done.credit_ended:
            note += " Résiliés de plein droit (art. L221-27) : " + " ; ".join(
                [*ended, *([f"crédit ({done.credit_ended})"] if done.credit_ended else [])]) + "."
        change = order_cancellation.request_writes(
            order.dealer_id, order.id, CancellationRequest(reason=CancellationReason.WITHDRAWAL, note=note), CUSTOMER)
        text = f"Le client s'est rétracté de son achat : {what}. {note} {refund}"
    else:
        if agg.order.status in (OrderStatus.CANCELLING, OrderStatus.CANCELLED):
            raise InvalidTransition("Votre commande est en cours d'annulation : votre vendeur revient vers vous.")
        # The product leaves the order: the final invoice will not bill it.
        changed = agg.order.changed(now, lines=[line for line in agg.order.lines if line.id not in done.withdrawn])
        event = order_event(changed, OrderEventKind.PRODUCTS_WITHDRAWN, CUSTOMER, now, withdrawal_id=done.id,
                            products=what, refund_due_on=done.refund_due_on.isoformat())
        change = change_of(dataclasses.replace(agg, milestones=[*agg.milestones, milestone]), changed, now,
                           [order_store.event_added(changed, event)])
        text = f"Le client s'est rétracté : {what}. {refund}"
    users = [change.order.seller_id, *order_notices.assignees(change.order, Role.BACK_OFFICE)]
    messages, _ = order_notices.tell(change.order, users, f"Rétractation du client : "
                                     f"{order_notices.describe(change.order)}", text, "customer_withdrawal", now)
    return [*change.writes, order_store.milestone_put(change.order, milestone)], messages


def _refund_milestone(agg: order_store.OrderAggregate, done: WithdrawalRecord, what: str) -> Milestone:
    """The refund as a managers' to-do on the order, due on its last day (L221-24): in the task overview."""
    return Milestone(
        code=f"withdrawal_refund_{done.id.lower()}", stage=Stage.AFTER_SALE, anchor=Anchor.RESERVATION,
        label=(f"Rétractation ({what}) : rembourser les sommes versées au plus tard le "
               f"{local_time.format_day(done.refund_due_on)} (art. L221-24)"),
        offset_days=(done.refund_due_on - agg.order.reserved_on).days, role=Role.MANAGER,
        due_by=paris_moment(done.refund_due_on, DUE_TIME), position=len(agg.milestones))


def _told_without_order(proposal: Proposal, done: WithdrawalRecord, labels: list[str],
                        now: datetime) -> list[OutboxMessage]:
    """A proposal that opened no order (no vehicle): its seller and back office hear of it all the same."""
    customer = proposal.customer.company_name or proposal.customer.full_name
    subject = f"Rétractation du client : {customer} ({proposal.reference})"
    text = (f"{customer} s'est rétracté de la proposition {proposal.reference} : {'; '.join(labels)}. Remboursement "
            f"de {format_euros(done.refund_cents)} au plus tard le {local_time.format_day(done.refund_due_on)} "
            f"(art. L221-24 du Code de la consommation).\n\n{settings().public_base_url}/app/#/proposals/{proposal.id}")
    messages = []
    for user_id in dict.fromkeys([proposal.seller_id, *order_notices.role_users(proposal.dealer_id, Role.BACK_OFFICE)]):
        messages += staff_alerts.alert_user(proposal.dealer_id, user_id, subject, text, f"Offerline : {subject}",
                                            "customer_withdrawal", now,
                                            Bell(kind="customer_withdrawal", about=About.PROPOSAL,
                                                 about_id=proposal.id)).messages
    return messages


def _acknowledgement(proposal: Proposal, done: WithdrawalRecord, labels: list[str], ended: list[str],
                     key: str) -> OutboxMessage:
    letter = letters.write(
        "withdrawal_ack", f"Votre rétractation – proposition {proposal.reference}", dealer=proposal.dealer.name,
        at=local_time.format_moment(done.at), reference=proposal.reference, withdrawn=labels,
        ended=[*ended, *([f"Crédit ({done.credit_ended})"] if done.credit_ended else [])],
        refund_due_on=local_time.format_day(done.refund_due_on), seller=proposal.seller.display_name)
    return OutboxMessage(
        dealer_id=proposal.dealer_id, channel=Channel.EMAIL, to=customer_address(proposal),
        reply_to=str(proposal.seller.email), purpose="withdrawal_ack", created_at=done.at,
        attachments=[Attachment(filename=f"retractation-{proposal.reference}.pdf", s3_key=key)],
        proposal=proposal.email_ref(), **letter.parts())


def _ack(proposal: Proposal, order: Order | None, done: WithdrawalRecord, labels: list[str],
         ended: list[str]) -> withdrawal_pdf.WithdrawalAck:
    legal = proposal.dealer.legal
    town = f"{legal.postal_code or ''} {legal.city or ''}".strip()
    assert proposal.accepted_at is not None
    return withdrawal_pdf.WithdrawalAck(
        dealer_name=legal.legal_name or proposal.dealer.name,
        dealer_address=", ".join(p for p in (legal.address_line, town, legal.email) if p),
        reference=proposal.reference, customer_name=done.customer_name, customer_address=done.customer_address,
        signed_on=local_time.paris_date(proposal.accepted_at),
        handed_over_on=local_time.paris_date(order.handed_over_at) if order and order.handed_over_at else None,
        withdrawn=labels, ended=ended, credit_ended=done.credit_ended, refund_cents=done.refund_cents,
        refund_due_on=done.refund_due_on, at=done.at)


def _credit_after_handover(order: Order, done: WithdrawalRecord, labels: list[str]) -> None:
    """The final invoice billed the withdrawn products: their credit note, once per withdrawal. The withdrawal
    is recorded: a failure is logged for the office to issue it again (as the refund approval does)."""
    try:
        invoices.handover_refunded(order.dealer_id, order.id, done.id, done.refund_cents,
                                   f"Rétractation du client : {', '.join(labels)} (art. L221-18 du Code de la "
                                   "consommation)")
    except Exception:
        logger.exception("credit note not issued after a withdrawal", extra={"dealer_id": order.dealer_id,
                                                                               "order_id": order.id})
        metrics.add_metric(name="WithdrawalCreditNoteFailed", unit="Count", value=1)


def _credit(order: Order | None) -> str | None:
    """The lender of a credit that pays for the car: an accessory contract, ended with the sale (art. L221-27)."""
    if order is None or order.payment is None or order.payment.method != PaymentMethod.CREDIT:
        return None
    return order.payment.lender or "organisme de crédit"


def _labels(withdrawals: Withdrawals, line_ids: list[str]) -> list[str]:
    return [p.label for p in withdrawals.products if p.line_id in line_ids]


def _required(raw: str | None, name: str, limit: int, missing: str) -> str:
    text = " ".join((raw or "").split())
    if not text:
        raise InvalidInput(missing, {name: missing})
    if len(text) > limit:
        message = f"{limit} caractères au plus ({len(text)} saisis)."
        raise InvalidInput(message, {name: message})
    return text
