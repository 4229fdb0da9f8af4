"""How many DynamoDB calls the order page, the order list and the order actions cost:
`python -m bench.orders_calls`.

Runs offline against DynamoDB Local (in memory) through the HTTP routes, counts every DynamoDB call
of each request (the authorizer's apart), prints a markdown table (recorded in docs/performance.md),
and fails if a request breaks the data model's promise: the order page is one Query, a list page at
most two calls, an action one read and one transaction.
"""
import json
import logging
import sys
import time
from datetime import UTC, datetime, timedelta

from bench.environment import CallCounter, calls_table, fresh_table, local_services, tenant, verdict
from chalicelib.domain import clock

ORDERS = 40
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
READ_AT = START + timedelta(days=3)  # the reservation-day milestones of every order are overdue
CAR = {"make": "Peugeot", "model": "308", "vin": "VF3LBHNSJKS123456", "registration": "AB-123-CD",
       "first_registration": "2021-03-02", "mileage_km": 32500}


class Staffer:
    def __init__(self, http, token: str):
        self.http, self.headers = http, {"authorization": f"Bearer {token}", "content-type": "application/json"}

    def send(self, method: str, path: str, payload: dict | None = None) -> dict:
        answer = self.http.request(method, path, headers=self.headers, body=json.dumps(payload or {}).encode())
        if answer.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.body[:200]!r}")
        return json.loads(answer.body)

    def get(self, path: str) -> dict:
        return self.send("GET", path)


def at(moment: datetime) -> None:
    clock.set_source(lambda: moment)


def populate(seller: Staffer) -> list[str]:
    """ORDERS showroom reservations an hour apart; every fourth one cancelled, one with many steps done."""
    order_ids = []
    for n in range(ORDERS):
        at(START + timedelta(hours=n))
        account = seller.send("POST", "/accounts", {"kind": "person", "contact": {
            "first_name": "Client", "last_name": f"{n:03d}", "email": f"c{n}@bench.example.com"}})
        quote = seller.send("POST", "/quotes", {
            "account_id": account["account"]["id"], "contact_id": account["contacts"][0]["id"], "origin": "contact",
            "lines": [{"kind": "vehicle", "label": "Peugeot 308", "unit_price_cents": 1_500_000, "vat_rate": 20,
                       "vehicle": CAR}]})
        order = seller.send("POST", "/orders", {"quote_id": quote["id"], "deposit_paid_cents": 50_000})
        order_ids.append(order["order"]["id"])
        if n % 4 == 3:
            seller.send("POST", f"/orders/{order['order']['id']}/cancellation", {"reason": "cancellation"})
    read = order_ids[0]
    seller.send("PUT", f"/orders/{read}/payment-plan", {"method": "transfer"})
    seller.send("PUT", f"/orders/{read}/holder", {"kind": "individual", "name": "Client 000"})
    for milestone in ("availability", "appointment", "payment_method", "holder", "documents_requested"):
        seller.send("POST", f"/orders/{read}/milestones/{milestone}/done")
    return order_ids


def run(seller: Staffer) -> list[dict]:
    order_ids = populate(seller)
    at(READ_AT)
    counter = CallCounter()

    def measure(label: str, method: str, path: str, shown, payload: dict | None = None) -> dict:
        counter.reset()
        started = time.perf_counter()
        answer = seller.send(method, path, payload)
        return {"label": label, "calls": list(counter.calls), "shown": shown(answer), "rcu": counter.capacity,
                "ms": (time.perf_counter() - started) * 1000, "answer": answer}

    def page(answer):
        return (f"1 order, {len(answer['milestones'])} milestones ({answer['overdue']} overdue), "
                f"{len(answer['history'])} events")

    def listed(answer):
        return f"{len(answer['items'])} order(s)"

    read = order_ids[0]
    rows = [measure("Order page", "GET", f"/orders/{read}", page)]
    first = measure("List, overdue first, page 1 (limit 25)", "GET", "/orders?limit=25", listed)
    rows.append(first)
    rows.append(measure("List, page 2", "GET", f"/orders?limit=25&cursor={first['answer']['next_cursor']}", listed))
    rows.append(measure("List, cancelling only (limit 25)", "GET", "/orders?status=cancelling&limit=25", listed))
    rows.append(measure("Check a milestone done", "POST", f"/orders/{read}/milestones/warranty/done", page))
    handover = (START + timedelta(days=12)).date().isoformat()
    rows.append(measure("Move the handover day (the milestones follow)", "PUT", f"/orders/{read}/handover-date",
                        page, {"handover_on": handover}))
    return rows


def broken_promises(rows: list[dict]) -> list[str]:
    problems = []
    if rows[0]["calls"] != ["Query"]:
        problems.append(f"order page made {rows[0]['calls']}")
    problems += [f"{r['label']} made {len(r['calls'])} calls" for r in rows[1:4] if len(r["calls"]) > 2]
    # An action: the page read, one transaction, the page read again for the answer.
    problems += [f"{r['label']} made {r['calls']}" for r in rows[4:]
                 if r["calls"] != ["Query", "TransactWriteItems", "Query"]]
    return problems


def main() -> int:
    from local.client import Client
    import app as application

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log
    with local_services():
        fresh_table()
        token = tenant().seller_token()
        try:
            with Client(application.app) as test_client:
                rows = run(Staffer(test_client.http, token))
        finally:
            clock.reset()
    print(f"{ORDERS} showroom reservations an hour apart, every fourth cancelling; read {READ_AT - START} after "
          "the first.\n")
    print(calls_table(rows))
    return verdict(broken_promises(rows))


if __name__ == "__main__":
    sys.exit(main())
