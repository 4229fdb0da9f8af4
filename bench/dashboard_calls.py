"""What the managers' dashboard costs to read, for 10 and for 1,000 proposals: `python -m bench.dashboard_calls`.

Runs offline against DynamoDB Local (in memory). For each size, a fresh table gets that many proposals of
three sellers, spread over 30 days, each counted as the use cases count them (`services/funnel.counted`,
one ADD per event: sent, then viewed for two in three, signed for one in three) and stored beside its
counters (a stand-in item per proposal, so the dealer's partition grows as a real one would). Then the
dashboard of the 30 days is read through its service, counting DynamoDB calls and the read capacity
DynamoDB reports. It fails if the calls grow with the number of proposals.
"""
import logging
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from bench.environment import CallCounter, fresh_table, local_services
from chalicelib.domain.dealers import DealerSettingsChange, NewUser, Role, Staff
from chalicelib.domain.funnel import DashboardQuery, Step
from chalicelib.services import dealers, funnel
from chalicelib.store import keys
from chalicelib.store.table import Put
from chalicelib.store.unit_of_work import commit

SIZES = (10, 1_000)
DAYS = 30
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Sold:
    """What `funnel.counted` needs of a proposal."""
    dealer_id: str
    seller_id: str


def populate(size: int) -> Staff:
    dealer = dealers.create_dealer("Garage du Banc d'Essai", DealerSettingsChange(remote_selling=True))
    admin = dealers.create_first_admin(dealer.id, NewUser(email="admin@bench.example.com", name="Admin",
                                                          role=Role.ADMIN))
    as_admin = Staff(dealer_id=dealer.id, user_id=admin.id, role=Role.ADMIN)
    sellers = [dealers.create_user(dealer.id, NewUser(email=f"s{n}@bench.example.com", name=f"Vendeur {n}",
                                                      role=Role.SELLER), by=as_admin) for n in range(3)]
    for n in range(size):
        at = START + timedelta(days=n % DAYS, minutes=n % 600)  # all within the Paris day
        sold = Sold(dealer.id, sellers[(n // DAYS) % 3].id)
        steps = [Step.SENT] + ([Step.VIEWED] if n % 3 else []) + ([Step.SIGNED] if n % 3 == 1 else [])
        stand_in = Put(keys.proposal(dealer.id, f"P{n:05d}"), {"id": f"P{n:05d}", "padding": "x" * 2_000})
        commit(stand_in, funnel.counted(sold, at, *steps))
    return as_admin


def measure(size: int) -> dict:
    fresh_table()
    staff = populate(size)
    counter = CallCounter()
    counter.reset()
    started = time.perf_counter()
    board = funnel.dashboard(staff, DashboardQuery(start=START.date(), end=START.date() + timedelta(days=DAYS - 1)))
    return {"size": size, "calls": list(counter.calls), "rcu": counter.capacity, "items": counter.items_read,
            "ms": (time.perf_counter() - started) * 1000, "sent": board.total.sent}


def table(rows: list[dict]) -> str:
    lines = ["| proposals | dashboard's DynamoDB calls | items read by its Queries | read capacity (RCU) "
             "| sent shown | local time (ms) |", "| --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        calls = f"{len(row['calls'])} ({', '.join(row['calls'])})"
        lines.append(f"| {row['size']} | {calls} | {row['items']} | {row['rcu']:g} | {row['sent']} | {row['ms']:.0f} |")
    return "\n".join(lines)


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log
    with local_services():
        rows = [measure(size) for size in SIZES]
    print(f"A {DAYS}-day dashboard ({date.isoformat(START.date())} onwards), three sellers, proposals spread over "
          "the days; the counters are per day and seller, so at most 90 of them are read whatever the size "
          "(the Queries also read the dealer's 4 users).\n")
    print(table(rows))
    small, large = rows
    if len(large["calls"]) != len(small["calls"]) or large["sent"] != SIZES[1]:
        print(f"\nBROKEN: {len(small['calls'])} calls for {SIZES[0]}, {len(large['calls'])} for {SIZES[1]}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
