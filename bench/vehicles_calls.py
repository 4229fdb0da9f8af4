"""How many DynamoDB calls a page of the stock costs: `python -m bench.vehicles_calls`.

Runs offline against DynamoDB Local (in memory) through the HTTP routes the seller front calls,
counts every DynamoDB call of each request and prints a markdown table (recorded in
docs/performance.md). It fails if a list page makes more than two calls or a vehicle more than one.
"""
import json
import logging
import sys
import time
from datetime import datetime, timedelta, timezone

from bench.environment import CallCounter, calls_table, fresh_table, local_services, tenant, verdict
from chalicelib.domain import clock
from chalicelib.domain.dealers import NewBranch
from chalicelib.services import dealers

VEHICLES = 300
START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
MODELS = ["Clio", "Zoe", "Captur", "Megane", "Austral", "Twingo"]


class Seller:
    def __init__(self, http, token: str):
        self.http, self.headers = http, {"authorization": f"Bearer {token}", "content-type": "application/json"}

    def send(self, method: str, path: str, payload: dict | None = None) -> dict:
        answer = self.http.request(method, path, headers=self.headers,
                                   body=json.dumps(payload).encode() if payload is not None else b"")
        if answer.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.body[:200]!r}")
        return json.loads(answer.body)


def populate(seller: Seller, branches: list[str]) -> str:
    """VEHICLES cars a minute apart over two branches, all available (the API does not reserve or sell:
    acceptances and orders do); the last one's id."""
    last = ""
    for n in range(VEHICLES):
        clock.set_source(lambda n=n: START + timedelta(minutes=n))
        car = seller.send("POST", "/vehicles", {
            "vin": f"VF1RFB00X5{n:07d}", "make": "Renault", "model": MODELS[n % len(MODELS)],
            "registration": f"AB-{n % 999 + 1:03d}-CD", "first_registration": "2021-03-15",
            "mileage_km": 10_000 + n, "kind": "used", "price_cents": 1_000_000 + n * 100,
            "vat_regime": "margin" if n % 2 else "normal", "branch_id": branches[n % 2]})
        last = car["id"]
    return last


def run(seller: Seller, branches: list[str]) -> list[dict]:
    last = populate(seller, branches)
    counter = CallCounter()

    def measure(label: str, path: str) -> dict:
        counter.reset()
        started = time.perf_counter()
        answer = seller.send("GET", path)
        shown = "1 vehicle" if "items" not in answer else \
            f"{len(answer['items'])} vehicle(s){', more' if answer['next_cursor'] else ''}"
        return {"label": label, "calls": list(counter.calls), "shown": shown, "rcu": counter.capacity,
                "ms": (time.perf_counter() - started) * 1000, "answer": answer}

    rows = [measure("A vehicle", f"/vehicles/{last}")]
    first = measure("Stock, page 1 (limit 25)", "/vehicles?limit=25")
    rows.append(first)
    rows.append(measure("Stock, page 2", f"/vehicles?limit=25&cursor={first['answer']['next_cursor']}"))
    rows.append(measure("Available only (limit 25)", "/vehicles?status=available&limit=25"))
    rows.append(measure("Sold only (limit 25)", "/vehicles?status=sold&limit=25"))
    rows.append(measure("One branch, available (limit 25)", f"/vehicles?branch_id={branches[1]}&status=available"
                                                              "&limit=25"))
    rows.append(measure("Text « zoe » (limit 25)", "/vehicles?q=zoe&limit=25"))
    rows.append(measure("Text « ab-250-cd », among the 200 newest (limit 25)", "/vehicles?q=ab-250-cd&limit=25"))
    rows.append(measure("Text « ab-007-cd », beyond them (limit 25)", "/vehicles?q=ab-007-cd&limit=25"))
    return rows


def broken_promises(rows: list[dict]) -> list[str]:
    problems = [] if rows[0]["calls"] == ["GetItem"] else [f"a vehicle made {rows[0]['calls']}"]
    return problems + [f"{r['label']} made {len(r['calls'])} calls" for r in rows[1:] if len(r["calls"]) > 2]


def main() -> int:
    from local.client import Client
    import app as application

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log
    with local_services():
        fresh_table()
        garage = tenant()
        dealers.add_branch(garage.dealer_id, NewBranch(name="Lyon"), by=garage.admin)
        branches = [b.id for b in dealers.add_branch(garage.dealer_id, NewBranch(name="Villeurbanne"),
                                                     by=garage.admin).branches]
        token = garage.seller_token()
        try:
            with Client(application.app) as test_client:
                rows = run(Seller(test_client.http, token), branches)
        finally:
            clock.reset()
    print(f"{VEHICLES} vehicles added a minute apart over two branches, {len(MODELS)} models.\n")
    print(calls_table(rows))
    return verdict(broken_promises(rows))


if __name__ == "__main__":
    sys.exit(main())
