"""Builders the tests share: real objects made through the same services the API uses."""
import json
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, TypeVar

from chalicelib.auth import tokens
from chalicelib.domain import clock
from chalicelib.domain.dealers import Dealer, DealerSettingsChange, NewUser, Role, Staff, User
from chalicelib.domain.outbox import OutboxMessage
from chalicelib.services import dealers
from chalicelib.store import outbox
from chalicelib.store.table import table
from local import stream

T = TypeVar("T")


@dataclass
class Tenant:
    dealer: Dealer
    admin: User
    seller: User

    def token(self, user: User) -> str:
        return tokens.issue_local(Staff(dealer_id=user.dealer_id, user_id=user.id, role=user.role), user.email)


def tenant(name: str = "Garage des Tilleuls", remote_selling: bool = True) -> Tenant:
    dealer = dealers.create_dealer(name, DealerSettingsChange(remote_selling=remote_selling))
    slug = dealer.id.lower()
    admin = dealers.create_first_admin(dealer.id, NewUser(email=f"admin-{slug}@example.com", name="Alice Admin",
                                                          role=Role.ADMIN))
    seller = dealers.create_user(
        dealer.id, NewUser(email=f"vendeur-{slug}@example.com", name="Victor Vendeur", role=Role.SELLER),
        by=Staff(dealer_id=dealer.id, user_id=admin.id, role=Role.ADMIN),
    )
    return Tenant(dealer, admin, seller)


class Api:
    """The dealer API as a seller's browser calls it."""

    def __init__(self, client, token: str | None = None):
        self.client = client
        self.token = token

    def as_(self, token: str) -> "Api":
        return Api(self.client, token)

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        return headers | (extra or {})

    def get(self, path: str):
        return self.client.http.get(path, headers=self._headers())

    def send(self, method: str, path: str, body=None, raw: bytes | None = None, headers: dict | None = None):
        data = raw if raw is not None else json.dumps(body if body is not None else {}).encode()
        return self.client.http.request(method, path, headers=self._headers(headers), body=data)

    def post(self, path: str, body=None, **kw):
        return self.send("POST", path, body, **kw)


def body(response) -> dict:
    return json.loads(response.body)


def queue(messages: list[OutboxMessage]) -> None:
    """Queues messages on their own, as an action's transaction would with its state change."""
    for message in messages:
        table.write(outbox.new(message))


def delivered() -> int:
    """What the table's stream brings to the app now (the outbox is sent), as Lambda does moments after
    a write: for code a test calls directly; requests through local.client.Client get it already."""
    import app as application

    return stream.deliver_new_records(application.app)


def at(moment: datetime) -> None:
    """Sets the one clock the code reads (tests/conftest.py puts the real one back after each test)."""
    clock.set_source(lambda: moment)


def at_once(action: Callable[[], T], times: int = 2) -> list[T]:
    """`action` started `times` times together, as overlapping Lambda runs; what each returned."""
    barrier = threading.Barrier(times)
    results: list[T] = []

    def one():
        barrier.wait()
        results.append(action())

    threads = [threading.Thread(target=one) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
