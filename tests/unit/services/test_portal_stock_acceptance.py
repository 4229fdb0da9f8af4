"""Accepting a proposal for a stock vehicle, on the in-memory table: the acceptance's one transaction reserves
the car, opens the order, marks the lead won and withdraws the car's other open proposal (its seller told, its
history saying why); the other customer's code is then refused with "no longer available", writing nothing."""
import pytest

from chalicelib.domain.ids import new_id
from chalicelib.domain.leads.commands import ContactDetails, NewLead
from chalicelib.domain.leads.model import LeadStatus
from chalicelib.domain.links import PortalState
from chalicelib.domain.proposals.model import EventKind, ProposalStatus
from chalicelib.domain.vehicles import NewVehicle, OpenProposal, VehicleNoLongerAvailable, VehicleStatus
from chalicelib.domain.dealers import NewBranch, Role, Staff
from chalicelib.domain.errors import NotFound
from chalicelib.domain.quotes import NewQuote
from chalicelib.services import dealers, leads, portal, proposals, quotes, signing, vehicles, visit
from chalicelib.store import leads as lead_store
from chalicelib.store import orders as order_store
from chalicelib.store import proposals as store
from chalicelib.store import vehicles as vehicle_store
from chalicelib.store.unit_of_work import UnitOfWork, commit
from chalicelib.services.customer_contact import issue_link
from tests import customer_side as side
from tests import samples
from tests import desk
from tests.desk import command
from tests.offers import LINES
from tests.customer_side import NOW, PHONE, SIGN_FORM, Sent
from tests.support import Tenant, at, tenant

CLIO = {"vin": "VF1RFB00X56789012", "make": "Renault", "model": "Clio", "version": "TCe 90",
        "registration": "AB-123-CD", "first_registration": "2021-03-15", "mileage_km": 42_000, "kind": "used",
        "price_cents": 1_499_000, "vat_regime": "margin"}


@pytest.fixture
def garage(memory) -> Tenant:
    at(NOW)
    return tenant()


def stock_car(garage: Tenant) -> str:
    admin = Staff(dealer_id=garage.dealer.id, user_id=garage.admin.id, role=Role.ADMIN)
    dealer = dealers.add_branch(garage.dealer.id, NewBranch(name="Lyon"), by=admin)
    seller = Staff(dealer_id=garage.dealer.id, user_id=garage.seller.id, role=Role.SELLER)
    return vehicles.create(seller, NewVehicle.model_validate({**CLIO, "branch_id": dealer.branches[0].id})).id


def new_lead(garage: Tenant) -> str:
    contact = command(ContactDetails, name="Marie Durand", email="marie@example.com")
    asked = command(NewLead, contacts=[contact], type="used_vehicle_sale", source="site web")
    return leads.create(garage.dealer.id, asked, by=garage.seller.id).id


def sent_for(garage: Tenant, car_id: str, lead_id: str | None = None) -> Sent:
    """A proposal for the stock car, sent with a link and listed on the car (as sending it does)."""
    draft = samples.proposal().model_copy(update={"dealer_id": garage.dealer.id, "seller_id": garage.seller.id})
    lines = [line.model_copy(update={"vehicle_id": car_id}) if line.vehicle is not None else line
             for line in draft.lines]
    draft = draft.model_copy(update={"id": new_id(), "lines": lines, "lead_id": lead_id,
                                     "reference": f"P2026-{len(new_id()) % 100:05d}"})
    proposal = draft.sent(samples.TO_MARIE, True, NOW)
    unit = UnitOfWork(store.created(proposal))
    vehicles.list_proposal(unit, garage.dealer.id, car_id, OpenProposal(
        proposal_id=proposal.id, seller_id=proposal.seller_id, seller_email=proposal.seller.email,
        reference=proposal.reference))
    unit.commit()
    link = issue_link(garage.dealer, proposal, samples.TO_MARIE.email, NOW)
    commit(link.write)
    return Sent(proposal, link.token)


def code_for(memory, the: Sent) -> str:
    signing.start(the.token, the.form("sign", **SIGN_FORM), PHONE)
    return side.latest_code(memory)


def test_the_acceptance_reserves_the_car_opens_the_order_wins_the_lead_and_stops_the_other(memory, garage):
    car_id, lead_id = stock_car(garage), new_lead(garage)
    first, second = sent_for(garage, car_id, lead_id), sent_for(garage, car_id)
    code = code_for(memory, first)
    signing.confirm(first.token, first.form("code", code=code), PHONE)

    assert side.stored(first).status == ProposalStatus.ACCEPTED
    car = vehicles.get(garage.dealer.id, car_id)
    assert car.status == VehicleStatus.RESERVED and car.reservation.proposal_id == first.proposal.id
    assert order_store.opened_from(garage.dealer.id, "proposal", first.proposal.id) is not None
    assert lead_store.get(garage.dealer.id, lead_id).status == LeadStatus.WON
    stopped = side.stored(second)
    assert stopped.status == ProposalStatus.WITHDRAWN and stopped.vehicle_gone_at is not None
    assert EventKind.VEHICLE_GONE in side.history(second)
    assert [n["to"] for n in side.queued(memory, "vehicle_gone")] == [garage.seller.id]
    assert visit.look(second.token).state == PortalState.BLOCKED


def test_the_second_customer_s_code_is_told_the_car_is_gone_and_writes_nothing(memory, garage, monkeypatch):
    car_id = stock_car(garage)
    first, second = sent_for(garage, car_id), sent_for(garage, car_id)
    first_code, second_code = code_for(memory, first), code_for(memory, second)
    # The second customer's page was read before the first acceptance committed: its write loses.
    opened = visit.open_link(second.token, whole=True)
    signing.confirm(first.token, first.form("code", code=first_code), PHONE)
    before = side.snapshot(memory)
    reads = iter([opened])
    monkeypatch.setattr(signing, "open_link", lambda token, whole=False: next(reads, None) or visit.open_link(token))
    with pytest.raises(VehicleNoLongerAvailable):
        signing.confirm(second.token, second.form("code", code=second_code), PHONE)
    assert side.snapshot(memory) == before


def test_a_free_vehicle_line_reserves_nothing(memory, garage):
    the = side.sent(garage)
    signing.confirm(the.token, the.form("code", code=code_for(memory, the)), PHONE)
    assert side.stored(the).status == ProposalStatus.ACCEPTED
    assert order_store.opened_from(garage.dealer.id, "proposal", the.proposal.id) is not None


def listed(garage: Tenant, car_id: str) -> set[str]:
    return set(vehicle_store.open_proposals(garage.dealer.id, car_id).proposals)


def test_a_declined_or_withdrawn_proposal_leaves_the_car_s_open_proposals(memory, garage):
    car_id = stock_car(garage)
    declined, withdrawn, kept = (sent_for(garage, car_id) for _ in range(3))
    portal.decline(declined.token, declined.form("decline"), PHONE)
    seller = Staff(dealer_id=garage.dealer.id, user_id=garage.seller.id, role=Role.SELLER)
    proposals.withdraw(garage.dealer.id, withdrawn.proposal.id, seller)
    assert listed(garage, car_id) == {kept.proposal.id}


def test_a_proposal_cannot_be_listed_on_a_reserved_car(memory, garage):
    car_id = stock_car(garage)
    first = sent_for(garage, car_id)
    signing.confirm(first.token, first.form("code", code=code_for(memory, first)), PHONE)
    assert listed(garage, car_id) == set()
    with pytest.raises(VehicleNoLongerAvailable):
        sent_for(garage, car_id)


def test_a_quote_line_from_the_stock_takes_the_vehicle_s_snapshot_and_another_dealer_s_is_404(memory, garage):
    car_id = stock_car(garage)
    account = desk.customer(garage)
    line = {key: value for key, value in LINES[0].items() if key != "vehicle"} | {"vehicle_id": car_id}
    asked = {"account_id": account.account.id, "contact_id": account.contacts[0].id, "lines": [line]}
    quote = quotes.create(garage.dealer.id, command(NewQuote, **asked), by=desk.seller(garage))
    [taken] = quote.lines
    assert (taken.vehicle_id, taken.vehicle.vin, taken.vehicle.model) == (car_id, CLIO["vin"], "Clio")
    other = tenant("Autre Garage")
    elsewhere = desk.customer(other)
    asked = {"account_id": elsewhere.account.id, "contact_id": elsewhere.contacts[0].id, "lines": [line]}
    with pytest.raises(NotFound):
        quotes.create(other.dealer.id, command(NewQuote, **asked), by=desk.seller(other))
