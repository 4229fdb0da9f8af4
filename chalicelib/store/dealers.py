"""Dealers and their users."""
from chalicelib.domain.dealers import Dealer, User
from chalicelib.domain.errors import AlreadyExists, NotFound
from chalicelib.store import keys
from chalicelib.store.table import Put, if_absent, if_version, table


def get(dealer_id: str) -> Dealer:
    item = table.get(keys.dealer(dealer_id))
    if item is None:
        raise NotFound("Concession introuvable.")
    return Dealer.model_validate(item)


def created(dealer: Dealer) -> Put:
    return Put(keys.dealer(dealer.id), _item(dealer), if_absent())


def saved(dealer: Dealer) -> Put:
    """The changed dealer, if nobody changed it since it was read."""
    return Put(keys.dealer(dealer.id), _item(dealer), if_version(dealer.version - 1))


def get_user(dealer_id: str, user_id: str) -> User:
    item = table.get(keys.user(dealer_id, user_id))
    if item is None:
        raise NotFound("Utilisateur introuvable.")
    return User.model_validate(item)


def list_users(dealer_id: str) -> list[User]:
    partition, prefix = keys.users_of(dealer_id)
    return [User.model_validate(i) for i in table.query_all(partition, prefix)]


def user_created(user: User) -> list[Put]:
    """The user and its unique login email, together or not at all."""
    return [
        Put(keys.user(user.dealer_id, user.id), _item(user), if_absent()),
        Put(
            keys.user_email(user.email),
            {"dealer_id": user.dealer_id, "user_id": user.id},
            if_absent(),
            error=AlreadyExists("Cette adresse e-mail est déjà utilisée.", {"email": "already used"}),
        ),
    ]


def user_saved(user: User) -> Put:
    """The changed user, if nobody changed it since it was read."""
    return Put(keys.user(user.dealer_id, user.id), _item(user), if_version(user.version - 1))


def find_login(email: str) -> tuple[str, str] | None:
    """(dealer_id, user_id) registered under a login email."""
    item = table.get(keys.user_email(email))
    return (item["dealer_id"], item["user_id"]) if item else None


def _item(entity) -> dict:
    return entity.model_dump(mode="json")
