"""The stock: vehicles, the item keeping each VIN unique, each vehicle's open-proposals index, list pages.

Functions named after a change return the writes of that change, with their conditions, for the use
case's unit of work; nothing here commits. Access patterns: docs/data-model.md ("Vehicles").
"""
from typing import Any

from chalicelib.domain.errors import InvalidInput, NotFound, StaleVersion
from chalicelib.domain.vehicles import (
    HOLD_WARNING, Vehicle, VehicleListQuery, VehicleNoLongerAvailable, VehicleProposals, VehicleProposalsChanged,
    VehicleStatus, VinAlreadyInStock,
)
from chalicelib.store import keys, paging
from chalicelib.store.table import (
    Check, Condition, Delete, Put, Update, Write, all_of, if_absent, if_attribute_equals, if_status, table,
)

# A reservation's hold waits in the due index under the `milestone` kind, handled by the
# `order-milestones` schedule through the handler registered for this name (services/vehicles.py).
HOLD = "vehicle_hold"
MILESTONE_KIND = "milestone"  # services.due_work.MILESTONE (a store does not import a service)
_MISSING = NotFound("Véhicule introuvable.")
_SEARCH = "search"
TEXT_SLICE = 100
_HOLD_ATTRIBUTES = ("milestone", *keys.DUE_ATTRIBUTES)


def _dealer_pk(dealer_id: str) -> str:
    return keys.vehicle(dealer_id, "")[keys.PK]


def stored(vehicle: Vehicle) -> dict[str, Any]:
    return vehicle.model_dump(mode="json")


def _listed(vehicle: Vehicle) -> dict[str, Any]:
    """Its places in the dealer's and the branch's lists, and the text the list filter looks in."""
    return {
        **keys.vehicle_listing(vehicle.dealer_id, vehicle.branch_id, vehicle.status.value, vehicle.created_at,
                               vehicle.id),
        _SEARCH: vehicle.search_text(),
    }


def _hold(vehicle: Vehicle) -> dict[str, Any]:
    """A running hold waits in the due index: for the seller's warning, then for the release."""
    reservation = vehicle.reservation
    if reservation is None or reservation.hold_until is None:
        return {}
    due_at = reservation.hold_until if reservation.warned else reservation.hold_until - HOLD_WARNING
    return {"milestone": HOLD, **keys.due_attributes(MILESTONE_KIND, keys.vehicle(vehicle.dealer_id, vehicle.id),
                                                      due_at)}


# --- reads -----------------------------------------------------------------------------

def get(dealer_id: str, vehicle_id: str) -> Vehicle:
    item = table.get(keys.vehicle(dealer_id, vehicle_id))
    if item is None:
        raise _MISSING
    return Vehicle.model_validate(item)


def open_proposals(dealer_id: str, vehicle_id: str) -> VehicleProposals:
    """The vehicle's open proposals (an empty index, revision 0, when none was ever listed)."""
    item = table.get(keys.vehicle_proposals(dealer_id, vehicle_id))
    if item is None:
        return VehicleProposals(dealer_id=dealer_id, vehicle_id=vehicle_id)
    return VehicleProposals.model_validate(item)


def page(dealer_id: str, query: VehicleListQuery) -> tuple[list[Vehicle], str | None]:
    """One page, newest first within each status (available, reserved, sold): one Query, or two when the
    text filter left the first one short. A branch reads its own list (gsi2), the dealer's stock gsi1."""
    index, partition_attribute, partition = keys.vehicles_partitions(dealer_id, query.branch_id)
    sort_attribute = keys.LIST_SK if index == keys.LIST_INDEX else keys.DEADLINE_SK
    prefix = keys.vehicle_status_prefix(query.status.value) if query.status else None
    after = paging.decode(query.cursor, {partition_attribute: partition, keys.PK: _dealer_pk(dealer_id)},
                          keys.VEHICLE_PREFIX, extra=(sort_attribute,))
    if after is not None and prefix is not None and not after.get(sort_attribute, "").startswith(prefix):
        raise InvalidInput("Curseur de page invalide : recommencez la liste depuis le début.", {"cursor": "invalid"})
    text = Condition(f"contains(#{_SEARCH}, :{_SEARCH})", {f"#{_SEARCH}": _SEARCH},
                     {f":{_SEARCH}": query.q.lower()}) if query.q else None
    # A text filter drops items after they are read: each Query then reads a wider slice (a page's worth
    # of matches is usually among 100 vehicles), and the page is cut at `limit` with its cursor.
    read = max(query.limit, TEXT_SLICE) if text else query.limit
    found: list[dict[str, Any]] = []
    for _ in range(2 if text else 1):
        items, after = table.query(
            partition, prefix, index=index, partition_attribute=partition_attribute, sort_attribute=sort_attribute,
            limit=read, start_after=after, newest_first=True, filter=text,
        )
        found += items
        if len(found) >= query.limit or after is None:
            break
    if len(found) > query.limit:
        found = found[:query.limit]
        last = found[-1]
        after = {name: last[name] for name in (keys.PK, keys.SK, partition_attribute, sort_attribute)}
    return [Vehicle.model_validate(i) for i in found], paging.encode(after)


# --- writes ----------------------------------------------------------------------------

def created(vehicle: Vehicle) -> list[Write]:
    """The vehicle, listed, and its VIN held for this dealer: a VIN already in stock refuses both."""
    return [
        Put(keys.vehicle(vehicle.dealer_id, vehicle.id), {**stored(vehicle), **_listed(vehicle)}, if_absent()),
        Put(keys.vehicle_vin(vehicle.dealer_id, vehicle.vin), {"vehicle_id": vehicle.id}, if_absent(),
            error=VinAlreadyInStock(vehicle.vin)),
    ]


def changed(before: Vehicle, after: Vehicle) -> list[Write]:
    """The fields that changed, if nobody changed the vehicle since `before` was read; a new VIN moves
    its uniqueness item in the same transaction."""
    old, new = stored(before), {**stored(after), **_listed(after)}
    changes = {name: value for name, value in new.items() if old.get(name) != value}
    writes: list[Write] = [Update(
        keys.vehicle(after.dealer_id, after.id),
        set={name: value for name, value in changes.items() if value is not None},
        remove=tuple(name for name, value in changes.items() if value is None),
        condition=if_attribute_equals("revision", before.revision), error=StaleVersion("Ce véhicule"),
    )]
    if after.vin != before.vin:
        writes += [
            Delete(keys.vehicle_vin(before.dealer_id, before.vin), if_attribute_equals("vehicle_id", before.id)),
            Put(keys.vehicle_vin(after.dealer_id, after.vin), {"vehicle_id": after.id}, if_absent(),
                error=VinAlreadyInStock(after.vin)),
        ]
    return writes


def moved(before: Vehicle, after: Vehicle) -> Update:
    """A status change (or a change of its reservation), on the condition that the vehicle is still in
    the status it was read in; whatever else a seller edited meanwhile stays. Reserving an available
    car that someone else reserved first raises VehicleNoLongerAvailable."""
    hold = _hold(after)
    sets = {**_listed(after), **hold, "status": after.status.value, "updated_at": stored(after)["updated_at"]}
    removes: tuple[str, ...] = () if hold else _HOLD_ATTRIBUTES
    if after.reservation is not None:
        sets["reservation"] = stored(after)["reservation"]
    else:
        removes += ("reservation",)
    error = VehicleNoLongerAvailable(before.id, before.label) if after.status == VehicleStatus.RESERVED \
        and before.status == VehicleStatus.AVAILABLE else None
    return Update(keys.vehicle(after.dealer_id, after.id), set=sets, remove=removes, add={"revision": 1},
                  condition=all_of(if_status(before.status.value), _exists()), error=error)


def proposals_written(before: VehicleProposals, after: VehicleProposals) -> Put:
    """The index as a whole, if nobody wrote it since `before` was read."""
    condition = if_absent() if before.revision == 0 else if_attribute_equals("revision", before.revision)
    return Put(keys.vehicle_proposals(after.dealer_id, after.vehicle_id), after.model_dump(mode="json"), condition,
               error=VehicleProposalsChanged(after.vehicle_id))


def still_available(vehicle: Vehicle) -> Check:
    return Check(keys.vehicle(vehicle.dealer_id, vehicle.id), if_status(VehicleStatus.AVAILABLE.value),
                 error=VehicleNoLongerAvailable(vehicle.id, vehicle.label))


def _exists() -> Condition:
    return Condition("attribute_exists(#vehicle_pk)", {"#vehicle_pk": keys.PK})
