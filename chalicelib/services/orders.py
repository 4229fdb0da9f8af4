"""Use cases on orders (SPEC G, seed 001): open, date the handover, pay, register, organise, hand over, sell.

Each use case reads the order's aggregate (one Query), asks the domain for the new state, and commits
one unit of work. Its writes come from a `*_writes` function returning a `Change`, so that another
capability can add its own writes to the same transaction (the stock vehicle's reserve, release or
sold write: `commit_change(change, *more)`). Here the showroom opening reserves the stock vehicle and
marking sold sells it, in the order's transaction; the handover then issues the final invoice.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from chalicelib.domain import clock, local_time
from chalicelib.domain.dealers import Role, Staff
from chalicelib.domain.errors import Forbidden, InvalidInput, InvalidTransition, NotFound, StaleVersion
from chalicelib.domain.funnel import Step
from chalicelib.domain.ids import new_id
from chalicelib.domain.invoices import Buyer, Invoice
from chalicelib.domain.orders import guards
from chalicelib.domain.orders.commands import (
    DeliveryInput, HandoverDate, HolderInput, NewPayment, OpenFromQuote, OrderListQuery, PaymentPlanInput,
)
from chalicelib.domain.orders.documents import missing, required_documents
from chalicelib.domain.orders import reminders
from chalicelib.domain.orders.events import OrderEventKind, OrderEvent
from chalicelib.domain.orders.milestones import (
    DUE_TIME, Milestone, OrderTemplate, OrderTemplateChange, When, applies, milestones_of, moved, next_action,
)
from chalicelib.domain.orders.model import (
    ThirdParty, OrderCustomer, OrderDelivery, Financed, RegistrationHolder, NextAction, Order, OrderSource,
    OrderStatus, OrderPayment, PaymentMethod, PaymentPlan, OrderVehicle, check_handover_day, default_handover_day,
    paris_moment,
)
from chalicelib.domain.orders.views import Blockers, MilestoneView, OrderPage, OrderSummary, OrderView
from chalicelib.domain.proposals.model import CustomerSnapshot, Proposal
from chalicelib.domain.quotes import LineKind, QuoteLine
from chalicelib.observability import logger, metrics
from chalicelib.services import funnel, invoices, order_evidence, vehicles
from chalicelib.store import customers as customer_store
from chalicelib.store import dealers as dealer_store
from chalicelib.store import leads as lead_store
from chalicelib.store import orders as store
from chalicelib.store import proposals as proposal_store
from chalicelib.store import quotes as quote_store
from chalicelib.store.unit_of_work import UnitOfWork, Write

OFFICE_ROLES = (Role.BACK_OFFICE, Role.MANAGER, Role.ADMIN)
REFUND_APPROVAL = "refund_approval"  # the next action of a cancelling order: not a milestone of the template


@dataclass
class Change:
    """What a use case changes: the order as it will be, and every write that makes it so."""
    order: Order
    writes: list[Write] = field(default_factory=list)


def commit_change(change: Change, *more: Write | Iterable[Write]) -> Order:
    UnitOfWork(change.writes, *more).commit()
    return change.order


# --- opening -------------------------------------------------------------------------------

def open_from_quote(dealer_id: str, command: OpenFromQuote, by: Staff) -> OrderView:
    """A showroom reservation: the quote's customer, vehicle and lines become an order. A stock vehicle
    is reserved for it in the same transaction (409 naming the car when another customer has it)."""
    change = open_from_quote_writes(dealer_id, command, by)
    order = change.order
    stock = UnitOfWork()
    if order.vehicle.vehicle_id is not None:
        vehicles.reserve_for_order(stock, dealer_id, order.vehicle.vehicle_id, order.id, order.seller_id,
                                   _seller_email(dealer_id, order.seller_id), order.created_at)
    commit_change(change, stock.writes)
    return view(dealer_id, order.id)


def open_from_quote_writes(dealer_id: str, command: OpenFromQuote, by: Staff) -> Change:
    quote = quote_store.get(dealer_id, command.quote_id)
    now = clock.now()
    if quote.expired(local_time.paris_date(now)):
        raise InvalidInput("Ce devis a expiré : prolongez-le ou dupliquez-le avant de réserver.",
                           {"quote_id": "expired"})
    account = customer_store.get_account(dealer_id, quote.account_id)
    contact = quote.addressee(account)
    customer = OrderCustomer(
        account_id=account.account.id, kind=account.account.kind, contact_id=contact.id, name=account.account.name,
        contact_name=f"{contact.first_name} {contact.last_name}", email=contact.email, mobile=contact.mobile)
    vehicle = _vehicle_of(quote.lines, command.vehicle_id, command.last_roadworthiness_test)
    reserved_on = local_time.paris_date(now)
    handover_on = command.handover_on or default_handover_day(reserved_on)
    override = check_handover_day(reserved_on, handover_on, command.handover_reason, by.role)
    order = Order(
        id=new_id(), dealer_id=dealer_id, source=OrderSource.QUOTE, quote_id=quote.id, lead_id=quote.lead_id,
        seller_id=quote.seller_id, customer=customer, vehicle=vehicle, lines=quote.lines,
        deposit_paid_cents=command.deposit_paid_cents, received_cents=command.deposit_paid_cents,
        reserved_at=now, reserved_on=reserved_on, handover_on=handover_on, handover_override=override,
        handover_slot=command.handover_slot or Order.model_fields["handover_slot"].default,
        created_at=now, updated_at=now,
    )
    change = _opening(order, quote.id, by.user_id, {"quote_id": quote.id, "quote_number": quote.number})
    change.writes.append(quote_store.still_exists(quote))
    if command.deposit_paid_cents:
        method = str(command.deposit_method) if command.deposit_method else "card"
        change.writes.append(store.payment_added(order, OrderPayment(
            id=new_id(), kind="deposit", method=method, amount_cents=command.deposit_paid_cents, received_at=now,
            recorded_by=by.user_id)))
    return change


def opened_by_acceptance(proposal: Proposal, at: datetime, vehicle_id: str | None = None) -> Change:
    """The order an accepted proposal opens: add `change.writes` to the acceptance's transaction
    (one order per proposal: a second acceptance's writes fail on the order's origin marker)."""
    customer = proposal.customer
    snapshot = OrderCustomer(
        account_id=customer.account_id, kind=customer.kind, contact_id=customer.contact_id,
        name=customer.company_name or f"{customer.first_name} {customer.last_name}",
        contact_name=f"{customer.first_name} {customer.last_name}", email=customer.email, mobile=customer.mobile)
    reserved_on = local_time.paris_date(at)
    order = Order(
        id=new_id(), dealer_id=proposal.dealer_id, source=OrderSource.PROPOSAL, proposal_id=proposal.id,
        quote_id=proposal.quote_id, lead_id=proposal.lead_id, seller_id=proposal.seller_id, customer=snapshot,
        vehicle=_vehicle_of(proposal.lines, vehicle_id, None), lines=proposal.lines, reserved_at=at,
        reserved_on=reserved_on, handover_on=default_handover_day(reserved_on), created_at=at, updated_at=at,
    )
    # The milestones the proposal took when sent; one sent before they were kept reads the dealer's.
    template = None if proposal.order_template is None else OrderTemplate(items=proposal.order_template)
    change = _opening(order, proposal.id, "customer", {"proposal_id": proposal.id, "reference": proposal.reference},
                      template)
    # The buyer is reminded of documents, funds and appointment (services/order_reminders.py).
    change.writes.append(store.customer_reminders(change.order, reminders.plan(change.order)[0].at))
    return change


def deposit_received_writes(dealer_id: str, proposal_id: str, amount_cents: int, reference: str | None,
                            at: datetime) -> list[Write]:
    """The acompte paid by card after the acceptance, recorded on the order the proposal opened: add these
    writes to the payment's transaction ([] when the proposal opened no order)."""
    order_id = store.opened_from(dealer_id, OrderSource.PROPOSAL.value, proposal_id)
    if order_id is None:
        return []
    order = store.get(dealer_id, order_id)
    payment = OrderPayment(id=new_id(), kind="deposit", method="card", amount_cents=amount_cents, received_at=at,
                           recorded_by="customer")
    order = order.changed(at, deposit_paid_cents=order.deposit_paid_cents + amount_cents,
                          received_cents=order.received_cents + amount_cents)
    event = order_event(order, OrderEventKind.PAYMENT_RECORDED, "customer", at, amount_cents=amount_cents,
                        kind="deposit", reference=reference)
    return [store.saved(order), store.payment_added(order, payment), store.event_added(order, event)]


def _opening(order: Order, source_id: str, by: str, details: dict[str, Any],
             template: OrderTemplate | None = None) -> Change:
    milestones = milestones_of(template or store.template(order.dealer_id), order.reserved_on, order.handover_on)
    order = _with_next(order, milestones, order.created_at)
    event = order_event(order, OrderEventKind.OPENED, by, order.created_at, source=order.source.value, **details)
    return Change(order, store.opened(order, milestones, event, source_id))


def _vehicle_of(lines: list[QuoteLine], vehicle_id: str | None, last_test: date | None) -> OrderVehicle:
    """The vehicle line's snapshot; the stock vehicle is the one the line was taken from, else `vehicle_id`."""
    line = next((line for line in lines if line.kind == LineKind.VEHICLE and line.vehicle is not None), None)
    if line is None or line.vehicle is None:
        raise InvalidInput("Le devis n'a pas de ligne véhicule décrivant la voiture vendue.",
                           {"lines": "no vehicle line with vehicle details"})
    return OrderVehicle(**line.vehicle.model_dump(), vehicle_id=line.vehicle_id or vehicle_id,
                        last_roadworthiness_test=last_test)


def _seller_email(dealer_id: str, seller_id: str) -> str | None:
    """Where the seller of a proposal the reservation stops hears it; None for a user no longer there."""
    try:
        email = dealer_store.get_user(dealer_id, seller_id).email
    except NotFound:
        return None
    return str(email) if email else None


# --- reading -------------------------------------------------------------------------------

def view(dealer_id: str, order_id: str) -> OrderView:
    return view_of(store.aggregate(dealer_id, order_id), clock.now())


def view_of(agg: store.OrderAggregate, now: datetime) -> OrderView:
    order = agg.order
    milestones = [MilestoneView(**m.model_dump(), applies=applies(m, order, now), overdue=m.is_overdue(order, now))
                  for m in sorted(agg.milestones, key=lambda m: (m.due_by, m.position))]
    required = required_documents(order.holder.kind if order.holder else None)
    return OrderView(
        order=order, milestones=milestones, overdue=sum(m.overdue for m in milestones),
        documents=agg.documents, required_documents=required, missing_documents=missing(required, agg.documents),
        payments=agg.payments, history=agg.events,
        blockers=Blockers(handover=guards.handover_blockers(order, agg.milestones, now),
                          sold=guards.sold_blockers(order, agg.milestones, agg.documents, now)),
    )


def page(dealer_id: str, query: OrderListQuery) -> OrderPage:
    if query.status is not None and query.status not in {s.value for s in OrderStatus}:
        raise InvalidInput("Statut inconnu.", {"status": "unknown status"})
    orders, cursor = store.page(dealer_id, query.status, query.limit, query.cursor)
    now = clock.now()
    return OrderPage(items=[_summary(o, now) for o in orders], next_cursor=cursor)


def _summary(order: Order, now: datetime) -> OrderSummary:
    vehicle = " ".join(p for p in (order.vehicle.make, order.vehicle.model, order.vehicle.registration or "") if p)
    overdue = order.is_open and order.next_action is not None and order.next_action.due_by < now
    return OrderSummary(id=order.id, status=order.status, customer_name=order.customer.name, vehicle=vehicle,
                        seller_id=order.seller_id, handover_on=order.handover_on, next_action=order.next_action,
                        overdue=overdue, updated_at=order.updated_at)


# --- the handover date ---------------------------------------------------------------------

def set_handover(dealer_id: str, order_id: str, command: HandoverDate, by: Staff) -> OrderView:
    return commit_and_view(dealer_id, set_handover_writes(dealer_id, order_id, command, by))


def set_handover_writes(dealer_id: str, order_id: str, command: HandoverDate, by: Staff) -> Change:
    """A new handover day (10–15 days, or a manager's reason): every milestone anchored on it moves,
    and waits again in the due index at its new time, and so do a remote sale's customer reminders, in the
    same transaction."""
    agg, now = store.aggregate(dealer_id, order_id), clock.now()
    before = agg.order
    order = before.with_handover(command.handover_on, command.handover_slot, command.reason, by.role, now)
    shifted = moved(agg.milestones, order.reserved_on, order.handover_on)
    event = order_event(order, OrderEventKind.HANDOVER_DATE_SET, by.user_id, now, **{
        "from": before.handover_on.isoformat(), "to": order.handover_on.isoformat(),
        "slot": order.handover_slot.strftime("%H:%M"), "override_reason": order.handover_override,
        "milestones_moved": len(shifted)})
    return change_of(agg, order, now, [*(store.milestone_rearmed(order, m) for m in shifted),
                                     store.event_added(order, event), *_reminders_replanned(order, now)],
                     replaced=shifted)


def _reminders_replanned(order: Order, now: datetime) -> list[Write]:
    """The buyer's reminders from the new day at once: the appointment's for the new eve, none for a day past."""
    sent = store.customer_reminders_sent(order.dealer_id, order.id) if order.proposal_id else None
    if sent is None:
        return []
    again = reminders.replanned(order, sent, now)
    return [store.reminders_replanned(order, [r.value for r in again.skipped], again.next_at)]


# --- payment, holder, delivery -----------------------------------------------------------------

def set_payment_plan(dealer_id: str, order_id: str, command: PaymentPlanInput, by: Staff) -> OrderView:
    agg, now = store.aggregate(dealer_id, order_id), clock.now()
    agg.order.require_open()
    if command.method == PaymentMethod.CREDIT and command.financed_cents > agg.order.total_ttc_cents:
        raise InvalidInput("Le montant financé dépasse le total de la commande.", {"financed_cents": "over the total"})
    plan = PaymentPlan(method=command.method, down_payment_cents=command.down_payment_cents,
                       financed_cents=command.financed_cents, financed=Financed(**command.financed.model_dump()),
                       lender=command.lender)
    order = agg.order.changed(now, payment=plan)
    event = order_event(order, OrderEventKind.PAYMENT_PLAN_SET, by.user_id, now, method=plan.method.value,
                   down_payment_cents=plan.down_payment_cents, financed_cents=plan.financed_cents)
    writes = [store.event_added(order, event), *_rearmed(agg, order)]
    held = UnitOfWork()
    if order.vehicle.vehicle_id is not None:
        # The payment method confirmed is the order going forward: the accepted car's hold stops running out.
        vehicles.hold_for_order(held, dealer_id, order.vehicle.vehicle_id, order.id, order.proposal_id, now)
    return commit_and_view(dealer_id, change_of(agg, order, now, writes), held.writes)


def set_holder(dealer_id: str, order_id: str, command: HolderInput, by: Staff) -> OrderView:
    agg, now = store.aggregate(dealer_id, order_id), clock.now()
    agg.order.require_open()
    order = agg.order.changed(now, holder=RegistrationHolder(**command.model_dump()))
    event = order_event(order, OrderEventKind.HOLDER_SET, by.user_id, now, kind=command.kind.value)
    return commit_and_view(dealer_id, change_of(agg, order, now, [store.event_added(order, event)]))


def set_delivery(dealer_id: str, order_id: str, command: DeliveryInput, by: Staff) -> OrderView:
    agg, now = store.aggregate(dealer_id, order_id), clock.now()
    agg.order.require_open()
    data = command.model_dump()
    delivery = OrderDelivery(mode=command.mode, branch_id=command.branch_id, address=command.address,
                        partner=ThirdParty(**data["partner"]) if command.partner else None,
                        inspector=ThirdParty(**data["inspector"]) if command.inspector else None)
    order = agg.order.changed(now, delivery=delivery)
    event = order_event(order, OrderEventKind.DELIVERY_SET, by.user_id, now, mode=command.mode.value)
    writes = [store.event_added(order, event), *_rearmed(agg, order)]
    return commit_and_view(dealer_id, change_of(agg, order, now, writes))


def record_payment(dealer_id: str, order_id: str, command: NewPayment, by: Staff) -> OrderView:
    """Money received; once the customer's part is all in, the funds are received (the handover guard)."""
    agg, now = store.aggregate(dealer_id, order_id), clock.now()
    order = agg.order
    order.require_open()
    if order.payment is None:
        raise InvalidInput("Indiquez d'abord le moyen de paiement de la commande.", {"method": "not set"})
    payment = OrderPayment(id=new_id(), kind=command.kind, method=order.payment.method.value,
                           amount_cents=command.amount_cents, received_at=now, recorded_by=by.user_id)
    return commit_and_view(dealer_id, payment_received_writes(agg, payment, now))


def payment_received_writes(agg: store.OrderAggregate, payment: OrderPayment, at: datetime) -> Change:
    """A payment received on the order (the staff's record, or the balance paid by card from the portal):
    the order's sum, the funds received once the customer's part is all in, its events, and the payment on
    the signed proposal's chain (which tells the sale)."""
    order = agg.order
    received = order.received_cents + payment.amount_cents
    complete = order.funds_received_at is None and received >= order.customer_pays_cents
    order = order.changed(at, received_cents=received, funds_received_at=at if complete else order.funds_received_at)
    writes: list[Write] = [store.payment_added(order, payment),
                           store.event_added(order, order_event(order, OrderEventKind.PAYMENT_RECORDED,
                                                                payment.recorded_by, at,
                                                                amount_cents=payment.amount_cents, kind=payment.kind))]
    if complete:
        writes.append(store.event_added(order, order_event(order, OrderEventKind.FUNDS_RECEIVED, payment.recorded_by,
                                                           at, received_cents=received)))
    writes += order_evidence.payment_writes(order, payment, at)
    return change_of(agg, order, at, writes)


def confirm_transfer_order(dealer_id: str, order_id: str, by: Staff) -> OrderView:
    """The customer's bank confirmed the transfer order (seed 001: 72 h before the appointment)."""
    return _payment_fact(dealer_id, order_id, by, PaymentMethod.TRANSFER, "transfer_order_confirmed_at",
                         OrderEventKind.TRANSFER_ORDER_CONFIRMED)


def approve_credit(dealer_id: str, order_id: str, by: Staff) -> OrderView:
    """The lender approved the credit without reservation."""
    return _payment_fact(dealer_id, order_id, by, PaymentMethod.CREDIT, "credit_approved_at",
                         OrderEventKind.CREDIT_APPROVED)


def _payment_fact(dealer_id: str, order_id: str, by: Staff, method: PaymentMethod, attribute: str,
                  kind: OrderEventKind) -> OrderView:
    agg, now = store.aggregate(dealer_id, order_id), clock.now()
    order = agg.order
    order.require_open()
    if order.payment is None or order.payment.method != method:
        raise InvalidTransition("Ce n'est pas le moyen de paiement de la commande.")
    if getattr(order, attribute) is not None:
        raise InvalidTransition("C'est déjà enregistré.")
    order = order.changed(now, **{attribute: now})
    event = order_event(order, kind, by.user_id, now)
    return commit_and_view(dealer_id, change_of(agg, order, now, [store.event_added(order, event)]))


# --- milestones ------------------------------------------------------------------------------

def check_milestone(dealer_id: str, order_id: str, code: str, by: Staff) -> OrderView:
    agg, now = store.aggregate(dealer_id, order_id), clock.now()
    milestone = agg.milestone(code)
    if agg.order.status == OrderStatus.CANCELLED:
        raise InvalidTransition("Commande annulée : ses étapes ne se cochent plus.")
    if milestone.done:
        raise InvalidTransition("Cette étape est déjà faite.")
    done = milestone.model_copy(update={"done_at": now, "done_by": by.user_id})
    order = agg.order.changed(now)
    event = order_event(order, OrderEventKind.MILESTONE_DONE, by.user_id, now, milestone=code, label=milestone.label)
    writes: list[Write] = [store.milestone_done(order, milestone, now, by.user_id), store.event_added(order, event)]
    return commit_and_view(dealer_id, change_of(agg, order, now, writes, replaced=[done]))


def template(dealer_id: str, by: Staff) -> OrderTemplate:
    by.require_admin()
    return store.template(dealer_id)


def change_template(dealer_id: str, command: OrderTemplateChange, by: Staff) -> OrderTemplate:
    """The dealer's own to-do list, for the orders opened from now on (open ones keep theirs)."""
    by.require_admin()
    current = store.template(dealer_id)
    if command.version != current.version:
        raise StaleVersion("Le modèle d'étapes")
    changed = OrderTemplate(items=command.items, version=current.version + 1)
    UnitOfWork(store.template_saved(dealer_id, changed)).commit()
    return changed


# --- organise, hand over, sell ------------------------------------------------------------------

def organise(dealer_id: str, order_id: str, by: Staff) -> OrderView:
    """The appointment (with its inspector) or the delivery (with its partner) is booked."""
    agg, now = store.aggregate(dealer_id, order_id), clock.now()
    delivery = agg.order.delivery
    if delivery is None:
        raise InvalidInput("Indiquez d'abord le mode de remise : cession en agence ou livraison.",
                           {"delivery": "not set"})
    order = agg.order.moved_to(OrderStatus.ORGANISED, now)
    event = order_event(order, OrderEventKind.ORGANISED, by.user_id, now, mode=delivery.mode.value)
    return commit_and_view(dealer_id, change_of(agg, order, now, [store.event_added(order, event)]))


def hand_over(dealer_id: str, order_id: str, by: Staff) -> OrderView:
    """The handover, then its final invoice (the deposit invoice deducted). The invoice commits its own
    transaction after the handover's (its number is taken with a retry); if it fails, the handover
    stands and `issue_final_invoice` issues it later (once per order)."""
    change = hand_over_writes(dealer_id, order_id, by)
    commit_change(change)
    try:
        issue_final_invoice(change.order)
    except Exception:  # the handover happened: log it for the office to issue the invoice again
        logger.exception("final invoice not issued after the handover",
                         extra={"dealer_id": dealer_id, "order_id": order_id})
        metrics.add_metric(name="FinalInvoiceFailed", unit="Count", value=1)
    return view(dealer_id, order_id)


def issue_final_invoice(order: Order) -> Invoice:
    """The order's final invoice (idempotent: a second call returns the one issued). Its buyer is the one of
    the signed proposal, else the customer file as it is now (a quote's snapshot has no address); its
    reference the proposal's, else the quote's number."""
    if order.handed_over_at is None:
        raise InvalidTransition("La facture de solde s'émet à la remise du véhicule.")
    if order.proposal_id is not None:
        proposal = proposal_store.get(order.dealer_id, order.proposal_id)
        reference: str | None = proposal.reference
        buyer: CustomerSnapshot | Buyer = proposal.customer
    else:
        reference = quote_store.get(order.dealer_id, order.quote_id).number if order.quote_id else None
        buyer = invoices.buyer_of(order.dealer_id, order.customer.account_id, order.customer.contact_id)
    return invoices.handed_over(order.dealer_id, order.id, reference, buyer, order.lines,
                                local_time.paris_date(order.handed_over_at), deposit_of=order.proposal_id)


def hand_over_writes(dealer_id: str, order_id: str, by: Staff) -> Change:
    """Refused (409, nothing written) until the funds arrived 48 h ahead or the credit is approved."""
    agg, now = store.aggregate(dealer_id, order_id), clock.now()
    order = agg.order.moved_to(OrderStatus.HANDED_OVER, now, handed_over_at=now)
    guards.require("Remise du véhicule", guards.handover_blockers(agg.order, agg.milestones, now))
    event = order_event(order, OrderEventKind.HANDED_OVER, by.user_id, now)
    # The dashboard's funnel ends with the handover of what a proposal sold.
    counted = funnel.counted(order, now, Step.HANDED_OVER) if order.proposal_id else []
    return change_of(agg, order, now, [store.event_added(order, event), *counted])


def mark_sold(dealer_id: str, order_id: str, by: Staff) -> OrderView:
    """The order sold, and its stock vehicle with it, in one transaction."""
    change = mark_sold_writes(dealer_id, order_id, by)
    order = change.order
    stock = UnitOfWork()
    if order.vehicle.vehicle_id is not None:
        vehicles.sell(stock, dealer_id, order.vehicle.vehicle_id, clock.now())
    return commit_and_view(dealer_id, change, stock.writes)


def mark_sold_writes(dealer_id: str, order_id: str, by: Staff) -> Change:
    """Refused (409, nothing written) without the handover slip, the cerfa 15776 and the barred registration
    certificate, each accepted."""
    agg, now = store.aggregate(dealer_id, order_id), clock.now()
    order = agg.order.moved_to(OrderStatus.SOLD, now, sold_at=now)
    guards.require("Passage en vendu", guards.sold_blockers(agg.order, agg.milestones, agg.documents, now))
    event = order_event(order, OrderEventKind.SOLD, by.user_id, now)
    return change_of(agg, order, now, [store.event_added(order, event)])


# --- shared ------------------------------------------------------------------------------------

def require_office(by: Staff) -> None:
    if by.role not in OFFICE_ROLES:
        raise Forbidden("Réservé à l'ADV, aux managers et aux administrateurs.")


def commit_and_view(dealer_id: str, change: Change, *more: Write | Iterable[Write]) -> OrderView:
    commit_change(change, *more)
    return view(dealer_id, change.order.id)


def change_of(agg: store.OrderAggregate, order: Order, now: datetime, writes: Iterable[Write],
              replaced: Iterable[Milestone] = ()) -> Change:
    """The order saved (with its next action recomputed from the milestones as they will be) and `writes`."""
    by_code = {m.code: m for m in replaced}
    milestones = [by_code.get(m.code, m) for m in agg.milestones]
    order = _with_next(order, milestones, now)
    touched = lead_store.activity_touched(order.dealer_id, order.lead_id, now)  # the lead's last activity
    return Change(order, [store.saved(order), *writes, *touched])


def _with_next(order: Order, milestones: list[Milestone], now: datetime) -> Order:
    cancellation = order.cancellation
    if order.status == OrderStatus.CANCELLING and cancellation is not None:
        # Nothing else moves until a manager approves the refund (by its L221-24 day after funds).
        due = (paris_moment(cancellation.refund_due_on, DUE_TIME) if cancellation.refund_due_on
               else cancellation.requested_at)
        return order.model_copy(update={"next_action": NextAction(
            label="Remboursement à valider par un manager", due_by=due, milestone=REFUND_APPROVAL)})
    first = next_action(milestones, order, now)
    upcoming = NextAction(label=first.label, due_by=first.due_by, milestone=first.code) if first else None
    return order.model_copy(update={"next_action": upcoming})


def _rearmed(agg: store.OrderAggregate, order: Order) -> list[Write]:
    """Milestones that apply only to some orders wait again to be due (a payment method or a delivery mode
    chosen after their time makes them apply); their handler tells only the ones that apply."""
    return [store.milestone_rearmed(order, m) for m in agg.milestones
            if m.when != When.ALWAYS and not m.done and m.told_at is None]


def order_event(order: Order, event_kind: OrderEventKind, by: str, at: datetime, **details: Any) -> OrderEvent:
    return OrderEvent(id=new_id(), order_id=order.id, kind=event_kind, at=at, by=by,
                      details={k: v for k, v in details.items() if v is not None})
