"""Use cases of a customer's parc: read it, record a vehicle, attach a contract, start an after-sales quote.

Reading it is bounded: the account (one Query), the dealer's orders filtered on the account (≤ 3 Queries),
the account's quotes (one Query) for the leads they answer, each such lead (one Query, at most MAX_LEADS),
and the account's parc items (one Query).
"""
from chalicelib.domain import clock
from chalicelib.domain.dealers import Staff
from chalicelib.domain.errors import NotFound
from chalicelib.domain.ids import new_id
from chalicelib.domain.parc import (
    AfterSalesQuote, NewContract, NewRecordedVehicle, Parc, ParcVehicle, RecordedVehicle, VehicleContract,
    after_sales_line, describe, recorded, sold_vehicle, traded_in, vehicle_in, with_contracts,
)
from chalicelib.domain.quotes import NewQuote, Quote
from chalicelib.services import quotes
from chalicelib.store import customers as customer_store
from chalicelib.store import leads as lead_store
from chalicelib.store import parc as store
from chalicelib.store import quotes as quote_store
from chalicelib.store.unit_of_work import commit

MAX_LEADS = 10    # the account's leads whose trade-ins are read
QUOTES_READ = 200  # the account's most recent quotes, for the leads they answer


def parc(dealer_id: str, account_id: str) -> Parc:
    customer_store.get_account(dealer_id, account_id)  # another dealer's account: not found
    orders = store.orders_of(dealer_id, account_id)
    vehicles = [v for v in (sold_vehicle(o) for o in orders) if v is not None]
    account_quotes, _ = quote_store.page(dealer_id, QUOTES_READ, None, account_id)
    lead_ids = {o.lead_id for o in orders if o.lead_id} | {q.lead_id for q in account_quotes if q.lead_id}
    for lead_id in sorted(lead_ids)[-MAX_LEADS:]:  # ULIDs: the most recent leads
        try:
            lead = lead_store.aggregate(dealer_id, lead_id)
        except NotFound:
            continue  # a deleted lead leaves no trade-in to show
        vehicles += [traded_in(lead_id, t.id, t.vehicle, t.registration, t.mileage_km, t.created_at)
                     for t in lead.trade_ins]
    own, contracts = store.recorded(dealer_id, account_id)
    vehicles += [recorded(v) for v in own]
    return Parc(account_id=account_id, vehicles=with_contracts(vehicles, contracts))


def record_vehicle(dealer_id: str, account_id: str, command: NewRecordedVehicle, by: Staff) -> ParcVehicle:
    customer_store.get_account(dealer_id, account_id)
    vehicle = RecordedVehicle(id=new_id(), account_id=account_id, created_at=clock.now(), created_by=by.user_id,
                              **command.model_dump())
    commit(store.vehicle_recorded(dealer_id, vehicle), store.account_exists(dealer_id, account_id))
    return recorded(vehicle)


def add_contract(dealer_id: str, account_id: str, vehicle_id: str, command: NewContract,
                 by: Staff) -> VehicleContract:
    vehicle = vehicle_in(parc(dealer_id, account_id), vehicle_id)
    contract = VehicleContract(id=new_id(), vehicle_id=vehicle.id, created_at=clock.now(), created_by=by.user_id,
                               **command.model_dump())
    commit(store.contract_added(dealer_id, account_id, contract), store.account_exists(dealer_id, account_id))
    return contract


def start_quote(dealer_id: str, account_id: str, vehicle_id: str, command: AfterSalesQuote, by: Staff) -> Quote:
    """A draft quote for the account with the product's line describing the vehicle (seed 000, after-sales)."""
    vehicle = vehicle_in(parc(dealer_id, account_id), vehicle_id)
    asked = NewQuote(account_id=account_id, contact_id=command.contact_id,
                     lines=[after_sales_line(vehicle, command.product)],
                     notes=f"Après-vente : {command.product.label.lower()} pour {describe(vehicle)}")
    return quotes.create(dealer_id, asked, by)
