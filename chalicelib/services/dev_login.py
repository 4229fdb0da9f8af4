"""Development only: log in as a demo user without Cognito."""
from chalicelib.auth import tokens
from chalicelib.domain.dealers import Staff
from chalicelib.domain.errors import NotAuthenticated
from chalicelib.store import dealers as store


def login(email: str) -> dict[str, str]:
    found = store.find_login(email)
    if found is None:
        raise NotAuthenticated("Aucun utilisateur avec cet e-mail.")
    user = store.get_user(*found)
    if not user.active:
        raise NotAuthenticated("Cet utilisateur est désactivé.")
    staff = Staff(dealer_id=user.dealer_id, user_id=user.id, role=user.role)
    return {"token": tokens.issue_local(staff, user.email), "dealer_id": user.dealer_id,
            "user_id": user.id, "role": user.role.value, "name": user.name}
