"""Use cases on the dealer's stock (SPEC J), and the pieces other use cases add to their unit of work:
listing a proposal on its vehicle, reserving the vehicle at acceptance. Rules: docs/vehicles.md."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import clock, local_time
from chalicelib.domain.dealers import Dealer, Staff
from chalicelib.domain.ids import new_id
from chalicelib.domain.money import format_euros
from chalicelib.domain.outbox import Channel, OutboxMessage, SellerNotice
from chalicelib.domain.vehicles import (
    NewVehicle, OpenProposal, Vehicle, VehicleChange, VehicleListQuery, VehiclePage, VehicleStatus, new_vehicle,
    require_stock_editor,
)
from chalicelib.services import due_work
from chalicelib.settings import settings
from chalicelib.store import dealers as dealer_store
from chalicelib.store import due
from chalicelib.store import outbox as outbox_store
from chalicelib.store import vehicles as store
from chalicelib.store.unit_of_work import UnitOfWork, commit

SMS_LIMIT = 300


def create(staff: Staff, command: NewVehicle) -> Vehicle:
    require_stock_editor(staff)
    dealer_store.get(staff.dealer_id).branch(command.branch_id)
    vehicle = new_vehicle(new_id(), staff.dealer_id, command, clock.now())
    commit(store.created(vehicle))
    return vehicle


def get(dealer_id: str, vehicle_id: str) -> Vehicle:
    return store.get(dealer_id, vehicle_id)


def list_vehicles(dealer_id: str, query: VehicleListQuery) -> VehiclePage:
    vehicles, cursor = store.page(dealer_id, query)
    return VehiclePage(items=vehicles, next_cursor=cursor)


def change(staff: Staff, vehicle_id: str, change: VehicleChange) -> Vehicle:
    """Edits a vehicle. A new price leaves the proposals already made as they are (an offer stands):
    each is flagged on the vehicle's index, and each of their sellers is told, in the same write."""
    require_stock_editor(staff)
    now = clock.now()
    before = store.get(staff.dealer_id, vehicle_id)
    if change.branch_id is not None:
        dealer_store.get(staff.dealer_id).branch(change.branch_id)
    after = before.changed(change, now)
    unit = UnitOfWork(store.changed(before, after))
    if after.price_cents != before.price_cents:
        index = store.open_proposals(staff.dealer_id, vehicle_id)
        if index.proposals:
            unit.add(store.proposals_written(index, index.repriced(now)),
                     [outbox_store.new(m) for m in repricing_notices(before, after, list(index.proposals.values()),
                                                                     now)])
    unit.commit()
    return after


# --- pieces of other use cases' units of work ----------------------------------------------------

def list_proposal(unit: UnitOfWork, dealer_id: str, vehicle_id: str, proposal: OpenProposal) -> Vehicle:
    """A proposal for a stock vehicle joins the vehicle's open proposals, only while the vehicle is
    available (VehicleNoLongerAvailable otherwise). For the use case that creates or sends it."""
    vehicle = store.get(dealer_id, vehicle_id)
    index = store.open_proposals(dealer_id, vehicle_id)
    unit.add(store.proposals_written(index, index.with_proposal(proposal)), store.still_available(vehicle))
    return vehicle


def unlist_proposal(unit: UnitOfWork, dealer_id: str, vehicle_id: str, proposal_id: str) -> None:
    """A proposal that closed (declined, expired, withdrawn) leaves the vehicle's open proposals."""
    index = store.open_proposals(dealer_id, vehicle_id)
    if proposal_id in index.proposals:
        unit.add(store.proposals_written(index, index.without(proposal_id)))


@dataclass(frozen=True)
class StockReservation:
    vehicle: Vehicle              # as reserved
    others: list[OpenProposal]    # the vehicle's other open proposals: the acceptance stops each one


def reserve_for_acceptance(unit: UnitOfWork, dealer: Dealer, vehicle_id: str, proposal: OpenProposal,
                           at: datetime) -> StockReservation:
    """Adds to the acceptance's one transaction: the vehicle reserved for `proposal` (on the condition
    that it is still available: VehicleNoLongerAvailable otherwise), its open-proposals index emptied (on
    the condition that nobody listed a proposal since it was read: VehicleProposalsChanged, read again and
    retry), and a notice to the seller of each other open proposal. The caller adds the writes that stop
    those proposals (returned in `others`): nothing is written unless all of it is."""
    vehicle = store.get(dealer.id, vehicle_id)
    index = store.open_proposals(dealer.id, vehicle_id)
    reserved = vehicle.reserved(proposal.proposal_id, proposal.seller_id, _email(proposal), at,
                                dealer.settings.vehicle_hold_days)
    others = index.others(proposal.proposal_id)
    # The vehicle first: when both conditions fail, the error is the one that tells the customer.
    unit.add(store.moved(vehicle, reserved), store.proposals_written(index, index.settled()),
             [outbox_store.new(vehicle_gone_notice(reserved, other, at)) for other in others])
    return StockReservation(reserved, others)


def reserve_for_order(unit: UnitOfWork, dealer_id: str, vehicle_id: str, order_id: str, seller_id: str,
                      seller_email: str | None, at: datetime) -> StockReservation:
    """A showroom reservation (an order opened from a quote) takes the car as an acceptance does: on the
    condition that it is available, every open proposal of it stopped and its seller told."""
    vehicle = store.get(dealer_id, vehicle_id)
    index = store.open_proposals(dealer_id, vehicle_id)
    reserved = vehicle.reserved_for_order(order_id, seller_id, seller_email, at)
    others = list(index.proposals.values())
    unit.add(store.moved(vehicle, reserved), store.proposals_written(index, index.settled()),
             [outbox_store.new(vehicle_gone_notice(reserved, other, at)) for other in others])
    return StockReservation(reserved, others)


def hold_for_order(unit: UnitOfWork, dealer_id: str, vehicle_id: str, order_id: str, proposal_id: str | None,
                   at: datetime) -> Vehicle:
    """The order went forward: the reservation no longer runs out. Writes nothing when the car is not held
    for this order's proposal with a hold still running (a showroom order, already held, or the hold ran out
    and the car went back on sale: the seller was told then)."""
    vehicle = store.get(dealer_id, vehicle_id)
    reservation = vehicle.reservation
    if (vehicle.status != VehicleStatus.RESERVED or reservation is None or reservation.hold_until is None
            or reservation.proposal_id != proposal_id):
        return vehicle
    held = vehicle.held_for_order(order_id, at)
    unit.add(store.moved(vehicle, held))
    return held


def release(unit: UnitOfWork, dealer_id: str, vehicle_id: str, at: datetime) -> Vehicle:
    """The order was cancelled: the car is for sale again."""
    vehicle = store.get(dealer_id, vehicle_id)
    released = vehicle.released(at)
    unit.add(store.moved(vehicle, released))
    return released


def sell(unit: UnitOfWork, dealer_id: str, vehicle_id: str, at: datetime) -> Vehicle:
    """The handover: the car is sold (only a reserved car is)."""
    vehicle = store.get(dealer_id, vehicle_id)
    sold = vehicle.sold(at)
    unit.add(store.moved(vehicle, sold))
    return sold


# --- the hold (due work of the order-milestones schedule) ---------------------------------------

@due_work.on_milestone(store.HOLD)
def hold_due(claimed: due.Claimed) -> None:
    """A day before the hold ends, the seller hears it; at its end, the vehicle is available again."""
    now = clock.now()
    vehicle = Vehicle.model_validate(claimed.item)
    reservation = vehicle.reservation
    if vehicle.status != VehicleStatus.RESERVED or reservation is None or reservation.hold_until is None:
        commit(due.finished(claimed, forget=("milestone",)))
        return
    if not reservation.warned:
        warned = vehicle.hold_warned(now)
        assert warned.reservation is not None and warned.reservation.hold_until is not None
        commit(due.postponed(claimed, store.MILESTONE_KIND, warned.reservation.hold_until,
                             reservation=store.stored(warned)["reservation"]),
               outbox_store.new(hold_ending_notice(warned, now)))
        return
    released = vehicle.released(now)
    commit(due.holding(claimed, store.moved(vehicle, released)),
           outbox_store.new(hold_released_notice(vehicle, now)))


# --- what sellers are told -----------------------------------------------------------------------

def _notice(dealer_id: str, seller_id: str, seller_email: str | None, subject: str, text: str, sms: str,
            purpose: str, at: datetime) -> OutboxMessage:
    """A seller notice that reaches the seller by email whatever their preferences: each needs an action."""
    return OutboxMessage(
        dealer_id=dealer_id, channel=Channel.SELLER, to=seller_id, subject=subject, text=text, purpose=purpose,
        created_at=at, notice=SellerNotice(sms_text=sms[:SMS_LIMIT], email_anyway=seller_email),
    )


def _vehicle_url(vehicle: Vehicle) -> str:
    return f"{settings().public_base_url}/app/#/vehicles/{vehicle.id}"


def repricing_notices(before: Vehicle, after: Vehicle, proposals: list[OpenProposal],
                      at: datetime) -> list[OutboxMessage]:
    """One notice per seller, naming their open proposals that offer the old price."""
    by_seller: dict[str, list[OpenProposal]] = defaultdict(list)
    for proposal in proposals:
        by_seller[proposal.seller_id].append(proposal)
    old, new = format_euros(before.price_cents), format_euros(after.price_cents)
    messages = []
    for seller_id, theirs in by_seller.items():
        references = ", ".join(p.reference or p.proposal_id for p in theirs)
        subject = f"Prix modifié : {after.label}"
        text = (f"Le prix de stock du véhicule {after.label} passe de {old} à {new}.\n"
                f"Vos propositions en cours sur ce véhicule ({references}) restent au prix envoyé : une offre "
                "engage la concession. Pour proposer le nouveau prix, créez une nouvelle proposition.\n\n"
                f"Voir le véhicule :\n{_vehicle_url(after)}\n")
        sms = f"Offerline : prix de {after.label} modifié ({old} → {new}). Propositions en cours : {references}."
        messages.append(_notice(after.dealer_id, seller_id, _email(theirs[0]), subject, text, sms,
                                "vehicle_repriced", at))
    return messages


def vehicle_gone_notice(vehicle: Vehicle, proposal: OpenProposal, at: datetime) -> OutboxMessage:
    reference = proposal.reference or proposal.proposal_id
    subject = f"Véhicule réservé par un autre client : {vehicle.label}"
    text = (f"Le véhicule {vehicle.label} vient d'être réservé pour un autre client.\n"
            f"Votre proposition {reference} ne peut plus être signée ; son client voit que le véhicule n'est plus "
            "disponible, avec vos coordonnées.\n\n"
            f"Voir le véhicule :\n{_vehicle_url(vehicle)}\n")
    sms = f"Offerline : {vehicle.label} réservé par un autre client, proposition {reference} arrêtée."
    return _notice(vehicle.dealer_id, proposal.seller_id, _email(proposal), subject, text, sms, "vehicle_gone", at)


def hold_ending_notice(vehicle: Vehicle, at: datetime) -> OutboxMessage:
    assert vehicle.reservation is not None and vehicle.reservation.hold_until is not None
    until = local_time.format_moment(vehicle.reservation.hold_until)
    subject = f"Fin de réservation le {until} : {vehicle.label}"
    text = (f"Le véhicule {vehicle.label} est réservé pour votre client sans commande confirmée. Sans suite d'ici "
            f"le {until}, la réservation sera levée et le véhicule de nouveau disponible à la vente.\n\n"
            f"Voir le véhicule :\n{_vehicle_url(vehicle)}\n")
    sms = f"Offerline : la réservation de {vehicle.label} sera levée le {until} sans commande confirmée."
    return _notice(vehicle.dealer_id, vehicle.reservation.seller_id, vehicle.reservation.seller_email, subject, text,
                   sms, "vehicle_hold_ending", at)


def hold_released_notice(vehicle: Vehicle, at: datetime) -> OutboxMessage:
    assert vehicle.reservation is not None
    subject = f"Réservation levée : {vehicle.label}"
    text = (f"La période de réservation du véhicule {vehicle.label} est écoulée sans commande confirmée : le "
            "véhicule est de nouveau disponible à la vente.\n\n"
            f"Voir le véhicule :\n{_vehicle_url(vehicle)}\n")
    sms = f"Offerline : réservation de {vehicle.label} levée, véhicule de nouveau disponible."
    return _notice(vehicle.dealer_id, vehicle.reservation.seller_id, vehicle.reservation.seller_email, subject, text,
                   sms, "vehicle_hold_released", at)


def _email(proposal: OpenProposal) -> str | None:
    return str(proposal.seller_email) if proposal.seller_email else None
