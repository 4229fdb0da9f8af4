"""Who hears of an order's steps, and the messages (built here, written with the step's transaction).

Staff are told through `staff_alerts` (email and/or SMS per their preferences; a deactivated user's
alert goes to the admins). A role's work goes to its active users (none: the admins). An inspector
or a delivery partner gets an email at the address the order holds.
"""
from datetime import datetime

from chalicelib.domain.dealers import Role
from chalicelib.domain.orders.model import ThirdParty, Order
from chalicelib.domain.notices import About
from chalicelib.domain.outbox import Bell, Channel, OutboxMessage
from chalicelib.services import staff_alerts
from chalicelib.settings import settings
from chalicelib.store import dealers as dealer_store


def assignees(order: Order, role: Role) -> list[str]:
    """User ids of who does a milestone of this role: the order's seller, or the role's active users."""
    if role == Role.SELLER:
        return [order.seller_id]
    return role_users(order.dealer_id, role)


def role_users(dealer_id: str, role: Role) -> list[str]:
    """The role's active users (none: the admins)."""
    users = [u for u in dealer_store.list_users(dealer_id) if u.active]
    return [u.id for u in users if u.role == role] or [u.id for u in users if u.role == Role.ADMIN]


def tell(order: Order, user_ids: list[str], subject: str, text: str, purpose: str,
         at: datetime) -> tuple[list[OutboxMessage], str]:
    """Messages for these users, and who was told (for the order's history)."""
    link = f"{settings().public_base_url}/app/#/orders/{order.id}"
    messages, told = [], []
    for user_id in dict.fromkeys(user_ids):
        alert = staff_alerts.alert_user(order.dealer_id, user_id, subject, f"{text}\n\nOuvrir la commande :\n{link}\n",
                                        f"Offerline : {subject}", purpose, at,
                                        Bell(kind=purpose, about=About.ORDER, about_id=order.id))
        messages += alert.messages
        told.append(alert.told)
    return messages, " ; ".join(told)


def tell_third_party(order: Order, who: ThirdParty | None, subject: str, text: str, purpose: str,
                     at: datetime) -> list[OutboxMessage]:
    if who is None or not who.email:
        return []
    return [OutboxMessage(dealer_id=order.dealer_id, channel=Channel.EMAIL, to=who.email, subject=subject,
                          text=f"Bonjour {who.name},\n\n{text}", purpose=purpose, created_at=at)]


def describe(order: Order) -> str:
    vehicle = f"{order.vehicle.make} {order.vehicle.model}"
    if order.vehicle.registration:
        vehicle += f" ({order.vehicle.registration})"
    return f"{order.customer.name} – {vehicle}"
