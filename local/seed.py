"""Demo data for the local stack, written through the same use cases as the API.

Seeded once: a table that already knows the demo admin keeps its data.
"""
from dataclasses import dataclass

from chalicelib.domain.dealers import (
    Dealer, DealerSettingsChange, NewBranch, NewUser, ProfileChange, Role, Staff, User,
)
from chalicelib.services import dealers
from chalicelib.store import dealers as dealer_store

DEALER_NAME = "Garage des Tilleuls"
ADMIN_EMAIL = "admin@tilleuls.example"
SELLER_EMAIL = "vendeur@tilleuls.example"
# ARCEP reserves 06 39 98 xx xx for fiction: no real person receives the demo SMS.
SELLER_PHONE = "+33639980001"


@dataclass(frozen=True)
class DemoTeam:
    dealer: Dealer
    admin: User
    seller: User


def seed() -> bool:
    """Seeds the demo data unless it is there already; True when it seeded."""
    if dealer_store.find_login(ADMIN_EMAIL) is not None:
        return False
    seed_sales(seed_team())
    return True


def seed_team() -> DemoTeam:
    """The dealer with remote selling on, one branch, an admin and a seller with a profile."""
    dealer = dealers.create_dealer(DEALER_NAME, DealerSettingsChange(remote_selling=True))
    admin = dealers.create_first_admin(dealer.id, NewUser(email=ADMIN_EMAIL, name="Claire Dubois", role=Role.ADMIN))
    as_admin = Staff(dealer_id=dealer.id, user_id=admin.id, role=admin.role)
    dealer = dealers.add_branch(dealer.id, NewBranch(name="Tilleuls Villeurbanne"), by=as_admin)
    seller = dealers.create_user(dealer.id, NewUser(
        email=SELLER_EMAIL, name="Julien Martin", role=Role.SELLER, phone=SELLER_PHONE,
        branch_id=dealer.branches[0].id,
    ), by=as_admin)
    seller = dealers.save_profile(dealer.id, seller.id, ProfileChange(
        display_name="Julien Martin", phone=SELLER_PHONE, email=SELLER_EMAIL,
    ))
    return DemoTeam(dealer=dealer, admin=admin, seller=seller)


def seed_sales(team: DemoTeam) -> None:
    """The seller's demo contacts, leads and quote: they arrive with the contacts and leads use cases."""
