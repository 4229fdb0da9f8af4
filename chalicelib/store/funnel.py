"""The funnel's counters: one item per dealer, Paris day and seller, added to (ADD) by each counted event."""
from datetime import date
from typing import Any

from chalicelib.store import keys
from chalicelib.store.table import Update, table


def added(dealer_id: str, day: date, seller_id: str, amounts: dict[str, int]) -> Update:
    """One update of the day's counter; no condition: ADD creates it, and counting once is the event's own
    condition (the write that records the event is in the same unit of work)."""
    return Update(keys.funnel_counter(dealer_id, day.isoformat(), seller_id),
                  set={"dealer_id": dealer_id, "day": day.isoformat(), "seller_id": seller_id}, add=amounts)


def between(dealer_id: str, start: date, end: date) -> list[dict[str, Any]]:
    """The counters of the days start..end: one Query per month of the period, whatever the proposals."""
    found: list[dict[str, Any]] = []
    month = start.replace(day=1)
    while month <= end:
        partition, prefix = keys.funnel_month(dealer_id, month.strftime("%Y-%m"))
        found += table.query_all(partition, prefix)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return [c for c in found if start.isoformat() <= c["day"] <= end.isoformat()]
