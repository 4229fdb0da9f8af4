"""Dealer API: a customer's vehicles ("parc", seed 003) and the after-sales quote started from one (seed 000)."""
from chalice import Blueprint

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint, parse
from chalicelib.domain.parc import AfterSalesQuote, NewContract, NewRecordedVehicle, Parc, ParcVehicle, VehicleContract
from chalicelib.domain.quotes import Quote
from chalicelib.services import parc

parc_api = Blueprint(__name__)


@endpoint(parc_api, "/accounts/{account_id}/vehicles", response=Parc, authorizer=seller_auth,
          summary="The customer's vehicles: bought here (orders), taken in trade-in (leads), recorded; with contracts")
def account_vehicles(account_id: str):
    return parc.parc(current_staff(parc_api).dealer_id, account_id)


@endpoint(parc_api, "/accounts/{account_id}/vehicles", method="POST", body=NewRecordedVehicle, response=ParcVehicle,
          status=201, authorizer=seller_auth, summary="Record a vehicle of the customer (VIN, French plate checked)")
def record_vehicle(account_id: str):
    staff = current_staff(parc_api)
    command = parse(NewRecordedVehicle, parc_api.current_request)
    return parc.record_vehicle(staff.dealer_id, account_id, command, by=staff)


@endpoint(parc_api, "/accounts/{account_id}/vehicles/{vehicle_id}/contracts", method="POST", body=NewContract,
          response=VehicleContract, status=201, authorizer=seller_auth,
          summary="Attach a service contract or a warranty extension, with its end date, to a vehicle")
def add_contract(account_id: str, vehicle_id: str):
    staff = current_staff(parc_api)
    command = parse(NewContract, parc_api.current_request)
    return parc.add_contract(staff.dealer_id, account_id, vehicle_id, command, by=staff)


@endpoint(parc_api, "/accounts/{account_id}/vehicles/{vehicle_id}/quote", method="POST", body=AfterSalesQuote,
          response=Quote, status=201, authorizer=seller_auth,
          summary="Start a quote for a service contract or a warranty extension on this vehicle")
def after_sales_quote(account_id: str, vehicle_id: str):
    staff = current_staff(parc_api)
    command = parse(AfterSalesQuote, parc_api.current_request)
    return parc.start_quote(staff.dealer_id, account_id, vehicle_id, command, by=staff)
