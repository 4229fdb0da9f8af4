"""The demo's stock (`make dev`) is written through the use case and shows each kind of vehicle."""
from chalicelib.domain.vehicles import VatRegime, VehicleKind, VehicleListQuery
from chalicelib.services import vehicles
from local import seed


def test_the_demo_stock_has_new_and_used_cars_one_under_the_margin_scheme(memory):
    team = seed.seed_team()
    seed.seed_stock(team)
    stock = vehicles.list_vehicles(team.dealer.id, VehicleListQuery()).items
    assert len(stock) == len(seed.STOCK)
    assert {v.kind for v in stock} == {VehicleKind.NEW, VehicleKind.USED}
    assert any(v.vat_regime == VatRegime.MARGIN for v in stock)
