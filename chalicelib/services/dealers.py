"""Use cases on dealers, branches, users and the seller profile. Tenant id comes first; each change
commits one unit of work."""
from chalicelib.domain import clock
from chalicelib.domain.dealers import (
    Branch, Dealer, DealerLegalChange, DealerSettingsChange, NewBranch, NewUser, ProfileChange,
    MyProfile, Staff, User,
)
from chalicelib.domain.errors import InvalidInput, NotAuthenticated, NotFound
from chalicelib.domain.ids import new_id
from chalicelib.store import dealers as store
from chalicelib.store.unit_of_work import commit


def get_dealer(dealer_id: str) -> Dealer:
    return store.get(dealer_id)


def change_settings(dealer_id: str, change: DealerSettingsChange, by: Staff) -> Dealer:
    by.require_admin()
    changed = store.get(dealer_id).with_settings(change)
    commit(store.saved(changed))
    return changed


def change_legal(dealer_id: str, change: DealerLegalChange, by: Staff) -> Dealer:
    by.require_admin()
    changed = store.get(dealer_id).with_legal(change)
    commit(store.saved(changed))
    return changed


def add_branch(dealer_id: str, command: NewBranch, by: Staff) -> Dealer:
    by.require_admin()
    changed = store.get(dealer_id).with_branch(Branch(id=new_id(), name=command.name))
    commit(store.saved(changed))
    return changed


def list_users(dealer_id: str) -> list[User]:
    return store.list_users(dealer_id)


def get_user(dealer_id: str, user_id: str) -> User:
    return store.get_user(dealer_id, user_id)


def signed_in(claimed: Staff) -> Staff:
    """The staff member a verified token names, as the dealer's users stand now: a user deactivated
    (or gone) since the token was issued is refused at once, not when the token expires, and the
    role is the one the dealer's admins keep, not the one the token was issued with."""
    try:
        user = store.get_user(claimed.dealer_id, claimed.user_id)
    except NotFound:
        raise NotAuthenticated("Compte inconnu.") from None
    if not user.active:
        raise NotAuthenticated("Compte désactivé.")
    return Staff(dealer_id=user.dealer_id, user_id=user.id, role=user.role)


def create_user(dealer_id: str, command: NewUser, by: Staff) -> User:
    by.require_admin()
    if command.branch_id is not None:
        store.get(dealer_id).branch(command.branch_id)
    user = User(
        id=new_id(), dealer_id=dealer_id, created_at=clock.now(),
        **command.model_dump(exclude_none=True),
    )
    commit(store.user_created(user))
    return user


def deactivate_user(dealer_id: str, user_id: str, by: Staff) -> User:
    user = store.get_user(dealer_id, user_id)  # before the role check: another dealer's id is a 404, not a 403
    by.require_admin()
    if user_id == by.user_id:
        raise InvalidInput("Vous ne pouvez pas désactiver votre propre compte.", {"user_id": "yourself"})
    user = user.deactivated()
    commit(store.user_saved(user))
    return user


def get_profile(dealer_id: str, user_id: str) -> MyProfile:
    """The seller block shown to customers, with the notification preferences saved beside it; 404 until the
    first remote sale builds it."""
    user = store.get_user(dealer_id, user_id)
    if user.profile is None:
        raise NotFound("Profil vendeur pas encore créé : il se construit lors de la première vente à distance.")
    return MyProfile(**user.profile.model_dump(), notifications=user.notifications)


def save_profile(dealer_id: str, user_id: str, change: ProfileChange) -> User:
    changed = store.get_user(dealer_id, user_id).with_profile_changed(change)
    commit(store.user_saved(changed))
    return changed


def create_dealer(name: str, settings_change: DealerSettingsChange | None = None) -> Dealer:
    """Onboarding (ops and demo data only: no public route creates a tenant)."""
    dealer = Dealer(id=new_id(), name=name)
    if settings_change is not None:
        dealer = dealer.with_settings(settings_change).model_copy(update={"version": 1})
    commit(store.created(dealer))
    return dealer


def create_first_admin(dealer_id: str, command: NewUser) -> User:
    """Onboarding: the dealer's first admin, before anyone can call the API."""
    user = User(id=new_id(), dealer_id=dealer_id, created_at=clock.now(), **command.model_dump(exclude_none=True))
    commit(store.user_created(user))
    return user
