"""A customer's parc: the vehicles a seller recorded and the contracts on the account's vehicles
(keys.account_parc), and the reads that find the vehicles sold to and taken from the customer."""
from chalicelib.domain.orders.model import Order
from chalicelib.domain.parc import RecordedVehicle, VehicleContract
from chalicelib.store import keys
from chalicelib.store.table import Check, Condition, Put, if_absent, if_exists, table

# The filtered reads below stop after this many pages of the dealer's orders (1 MB each).
MAX_PAGES = 3


def recorded(dealer_id: str, account_id: str) -> tuple[list[RecordedVehicle], list[VehicleContract]]:
    partition, prefix = keys.account_parc(dealer_id, account_id)
    vehicles, contracts = [], []
    for item in table.query_all(partition, prefix):
        kind = keys.parc_part_kind(item[keys.SK])
        if kind == "vehicle":
            vehicles.append(RecordedVehicle.model_validate(item))
        elif kind == "contract":
            contracts.append(VehicleContract.model_validate(item))
    return vehicles, contracts


def orders_of(dealer_id: str, account_id: str) -> list[Order]:
    """The account's orders: the dealer's order list (gsi1) filtered on the customer's account, as the quote
    list filters on it; at most MAX_PAGES Queries."""
    condition = Condition("#c.#a = :account", {"#c": "customer", "#a": "account_id"}, {":account": account_id})
    found, after = [], None
    for _ in range(MAX_PAGES):
        items, after = table.query(keys.orders_list(dealer_id), index=keys.LIST_INDEX,
                                   partition_attribute=keys.LIST_PK, sort_attribute=keys.LIST_SK,
                                   start_after=after, filter=condition)
        found += items
        if not after:
            break
    return [Order.model_validate(i) for i in found]


def vehicle_recorded(dealer_id: str, vehicle: RecordedVehicle) -> Put:
    return Put(keys.parc_vehicle(dealer_id, vehicle.account_id, vehicle.id),
               {**vehicle.model_dump(mode="json"), "dealer_id": dealer_id}, if_absent())


def contract_added(dealer_id: str, account_id: str, contract: VehicleContract) -> Put:
    return Put(keys.parc_contract(dealer_id, account_id, contract.id),
               {**contract.model_dump(mode="json"), "dealer_id": dealer_id, "account_id": account_id}, if_absent())


def account_exists(dealer_id: str, account_id: str) -> Check:
    """A transaction guard: the account has not been deleted meanwhile."""
    return Check(keys.account(dealer_id, account_id), if_exists())
