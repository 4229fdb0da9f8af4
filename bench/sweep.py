"""A sweep reads only what is due: 100 due items among 10 000 and among 100 000.

Of the items loaded, 100 are due now, 1 % more wait in the due index for later, and
the rest are not waiting for anything (outside the sparse index). The sweep must read
at most 110 items and take about the same time at both sizes.
"""
import statistics
import time
from datetime import datetime, timedelta, timezone

from bench.environment import CallCounter, fresh_table, local_services
from chalicelib.clients import client
from chalicelib.domain import clock
from chalicelib.services import due_work
from chalicelib.store import due, keys
from chalicelib.store.table import table, to_dynamo

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
DUE = 100
KIND = "bench"


def load(total: int) -> None:
    waiting_later = total // 100
    items = []
    for n in range(total):
        key = {keys.PK: f"DEALER#D{n % 50}", keys.SK: f"THING#{n:07d}"}
        item = dict(key, payload="x" * 200)
        if n < DUE:
            item |= keys.due_attributes(KIND, key, NOW - timedelta(minutes=n % 30))
        elif n < DUE + waiting_later:
            item |= keys.due_attributes(KIND, key, NOW + timedelta(days=1 + n % 30))
        items.append(item)
    for start in range(0, total, 25):
        batch = [{"PutRequest": {"Item": to_dynamo(i)}} for i in items[start:start + 25]]
        pending = {table.name: batch}
        while pending:
            pending = client("dynamodb").batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def measure(total: int) -> dict:
    fresh_table()
    load(total)
    clock.set_source(lambda: NOW)
    counter = CallCounter()
    read_times = []
    for _ in range(5):
        started = time.perf_counter()
        found = list(due.due(KIND, NOW))
        read_times.append(time.perf_counter() - started)
    assert len(found) == DUE, len(found)
    counter.reset()
    started = time.perf_counter()
    handled = due_work.sweep(KIND, lambda claimed: table.write(due.finished(claimed)))
    sweep_time = time.perf_counter() - started
    return {
        "items": total, "due": handled, "items_read": counter.items_read,
        "queries": counter.calls.count("Query"), "read_ms": statistics.median(read_times) * 1000,
        "sweep_ms": sweep_time * 1000,
    }


def main() -> None:
    with local_services():
        rows = [measure(10_000), measure(100_000)]
    print("| items in table | due | items read by the sweep | queries | read due items (median ms) "
          "| whole sweep incl. 100 claims (ms) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['items']:,} | {r['due']} | {r['items_read']} | {r['queries']} | {r['read_ms']:.1f} "
              f"| {r['sweep_ms']:.0f} |")
    for r in rows:
        assert r["items_read"] <= 110, r


if __name__ == "__main__":
    main()
