"""How many DynamoDB calls the lead page and a lead list page cost: `python -m bench.leads_calls`.

Runs offline against DynamoDB Local (in memory) through the HTTP routes the seller front
calls, counts every DynamoDB call of each request with botocore event hooks, and prints a
markdown table (recorded in docs/performance.md). It fails if a request breaks the data
model's promise: the lead page is one Query, a list page at most two calls.
"""
import json
import logging
import sys
import time
from datetime import datetime, timedelta, timezone

from bench.environment import CallCounter, calls_table, fresh_table, local_services, tenant, verdict
from chalicelib.domain import clock
from chalicelib.domain.dealers import DealerSettingsChange, NewBranch, NewUser, Role
from chalicelib.services import dealers

LEADS = 120
PARTS_ON_THE_READ_LEAD = 40
START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
# Read when leads created in the first 90 minutes are past their one-hour deadline.
READ_AT = START + timedelta(minutes=150)


class Seller:
    def __init__(self, http, token: str):
        self.http, self.headers = http, {"authorization": f"Bearer {token}", "content-type": "application/json"}

    def post(self, path: str, payload: dict) -> dict:
        answer = self.http.post(path, headers=self.headers, body=json.dumps(payload).encode())
        if answer.status_code >= 300:
            raise RuntimeError(f"POST {path}: {answer.status_code} {answer.body[:200]!r}")
        return json.loads(answer.body)

    def get(self, path: str) -> dict:
        answer = self.http.get(path, headers=self.headers)
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path}: {answer.status_code} {answer.body[:200]!r}")
        return json.loads(answer.body)


def at(moment: datetime) -> None:
    clock.set_source(lambda: moment)


def populate(seller: Seller, colleague_id: str, branch_id: str) -> str:
    """LEADS leads a minute apart: a third contacted in time, some won or lost; one with many parts."""
    lead_ids = []
    for n in range(LEADS):
        at(START + timedelta(minutes=n))
        owner = {} if n % 2 else {"owner_id": colleague_id, "branch_id": branch_id}
        lead = seller.post("/leads", {"contacts": [{"name": f"Client {n:03d}", "email": f"c{n}@example.com"}],
                                      "type": "used_vehicle_sale", "source": "site web", **owner})
        lead_ids.append(lead["id"])
        if n % 3 == 0:
            deadline_id = seller.get(f"/leads/{lead['id']}")["follow_up"]["deadlines"][0]["id"]
            seller.post(f"/leads/{lead['id']}/deadlines/{deadline_id}/contact", {"contact_made": True})
        if n % 10 == 1:
            seller.post(f"/leads/{lead['id']}/status", {"status": "won"})
        if n % 10 == 2:
            seller.post(f"/leads/{lead['id']}/status", {"status": "lost", "reason": "Prix"})
    read = lead_ids[-1]
    for n in range(PARTS_ON_THE_READ_LEAD):
        part = n % 4
        if part == 0:
            seller.post(f"/leads/{read}/remarks", {"text": f"Relance {n}"})
        elif part == 1:
            seller.post(f"/leads/{read}/trade-ins", {"vehicle": "Peugeot 208", "registration": f"AB-{n:03d}-CD",
                                                     "mileage_km": 80000, "estimated_value_cents": 850000})
        elif part == 2:
            seller.post(f"/leads/{read}/tasks", {"title": f"Rappeler {n}", "due_at": "2026-03-09T09:00:00Z"})
        else:
            seller.post(f"/leads/{read}/documents", {"title": f"Pièce {n}", "filename": f"piece-{n}.pdf",
                                                     "content_type": "application/pdf", "size_bytes": 20000})
    return read


def run(http, seller: Seller, colleague_id: str, branch_id: str) -> list[dict]:
    read_lead = populate(seller, colleague_id, branch_id)
    at(READ_AT)
    counter = CallCounter()

    def measure(label: str, path: str, shown) -> dict:
        counter.reset()
        started = time.perf_counter()
        answer = seller.get(path)
        return {"label": label, "calls": list(counter.calls), "shown": shown(answer), "rcu": counter.capacity,
                "ms": (time.perf_counter() - started) * 1000, "answer": answer}

    def page(answer):
        details = answer["details"]
        items = sum(len(v) for k, v in details.items() if isinstance(v, list) and k != "timeline")
        return f"1 lead, {items} linked items, {len(details['timeline'])} events"

    def listed(answer):
        return f"{len(answer['items'])} lead(s)"

    rows = [measure(f"Lead page ({PARTS_ON_THE_READ_LEAD} actions recorded)", f"/leads/{read_lead}", page)]
    rows.append(measure("List, newest activity first (limit 25)", "/leads?limit=25", listed))
    overdue = measure("List, overdue first, page 1 (limit 25)", "/leads?overdue_first=true&limit=25", listed)
    rows.append(overdue)
    cursor = overdue["answer"]["next_cursor"]
    for n in range(2, 5):
        following = measure(f"List, overdue first, page {n}",
                            f"/leads?overdue_first=true&limit=25&cursor={cursor}", listed)
        rows.append(following)
        cursor = following["answer"]["next_cursor"]
    rows.append(measure("List, overdue only (limit 25)", "/leads?overdue=true&limit=25", listed))
    rows.append(measure("List, one owner (limit 25)", f"/leads?owner_id={colleague_id}&limit=25", listed))
    rows.append(measure("List, won only (limit 25)", "/leads?status=won&limit=25", listed))
    rows.append(measure("List, text « client 007 » (limit 25)", "/leads?q=client%20007&limit=25", listed))
    return rows


def broken_promises(rows: list[dict]) -> list[str]:
    problems = []
    if rows[0]["calls"] != ["Query"]:
        problems.append(f"lead page made {rows[0]['calls']}")
    problems += [f"{r['label']} made {len(r['calls'])} calls" for r in rows[1:] if len(r["calls"]) > 2]
    return problems


def main() -> int:
    from local.client import Client
    import app as application

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log
    with local_services():
        fresh_table()
        garage = tenant(DealerSettingsChange(lead_deadline_hours=1))
        branch = dealers.add_branch(garage.dealer_id, NewBranch(name="Villeurbanne"), by=garage.admin).branches[0]
        colleague = dealers.create_user(garage.dealer_id, NewUser(email="nina@bench.example.com", name="Nina",
                                                                  role=Role.SELLER, branch_id=branch.id),
                                        by=garage.admin)
        token = garage.seller_token()
        try:
            with Client(application.app) as test_client:
                rows = run(test_client.http, Seller(test_client.http, token), colleague.id, branch.id)
        finally:
            clock.reset()
    print(f"{LEADS} leads created a minute apart with a one-hour contact deadline, a third contacted in time, "
          f"a fifth won or lost; read {READ_AT - START} after the first.\n")
    print(calls_table(rows))
    return verdict(broken_promises(rows))


if __name__ == "__main__":
    sys.exit(main())
