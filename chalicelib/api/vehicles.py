"""Dealer API: the stock of vehicles (SPEC J). Every staff member reads it; back office does not edit it."""
from chalice import Blueprint

from chalicelib.api.auth import seller_auth
from chalicelib.api.http import current_staff, endpoint, parse, parse_query
from chalicelib.domain.vehicles import NewVehicle, Vehicle, VehicleChange, VehicleListQuery, VehiclePage
from chalicelib.services import vehicles

vehicles_api = Blueprint(__name__)


@endpoint(vehicles_api, "/vehicles", method="POST", summary="Add a vehicle to the stock",
          body=NewVehicle, response=Vehicle, status=201, authorizer=seller_auth)
def create_vehicle():
    staff = current_staff(vehicles_api)
    command = parse(NewVehicle, vehicles_api.current_request)
    return vehicles.create(staff, command)


@endpoint(vehicles_api, "/vehicles",
          summary="The stock, available first then reserved then sold, newest first in each "
                  "(?status=&branch_id=&q=&limit=&cursor=)",
          response=VehiclePage, authorizer=seller_auth)
def list_vehicles():
    staff = current_staff(vehicles_api)
    query = parse_query(VehicleListQuery, vehicles_api.current_request)
    return vehicles.list_vehicles(staff.dealer_id, query)


@endpoint(vehicles_api, "/vehicles/{vehicle_id}", summary="One vehicle of the stock",
          response=Vehicle, authorizer=seller_auth)
def read_vehicle(vehicle_id: str):
    staff = current_staff(vehicles_api)
    return vehicles.get(staff.dealer_id, vehicle_id)


@endpoint(vehicles_api, "/vehicles/{vehicle_id}", method="PATCH",
          summary="Change a vehicle (a new price leaves sent proposals as they are and tells their sellers)",
          body=VehicleChange, response=Vehicle, authorizer=seller_auth)
def change_vehicle(vehicle_id: str):
    staff = current_staff(vehicles_api)
    change = parse(VehicleChange, vehicles_api.current_request)
    return vehicles.change(staff, vehicle_id, change)
