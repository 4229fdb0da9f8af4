"""What each schedule costs per item it handles: AWS calls, and time on the local services.

50 real proposals are created and sent through the use cases (quote, PDF, link, reminder
item), and 50 leads; then the clock moves and each job runs once over its due items:
sweep-links (a day later), proposal-reminders (day 3), lead-deadline-alerts (a day later),
expire-proposals (after the validity). DynamoDB calls are counted with a botocore hook, as
are SES and S3 calls; the calls per item are what carries over to AWS, the times do not.
"""
import logging
import statistics
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

from bench.environment import PEUGEOT, command, fresh_table, local_services, quote_for_marie, sent_proposal, tenant
from chalicelib.clients import client
from chalicelib.domain import clock
from chalicelib.domain.dealers import DealerSettingsChange, Staff
from chalicelib.domain.leads.commands import NewLead
from chalicelib.services import lead_alerts, leads, proposal_expiry, proposal_reminders
from chalicelib.store import proposals as proposal_store

ITEMS = 50
LINES = [PEUGEOT,
         {"kind": "fee", "label": "Frais de mise à la route", "unit_price_cents": 25_000, "vat_rate": 20}]


class AwsCalls:
    """Every call the code makes to DynamoDB, SES v2 and S3, by operation."""

    def __init__(self):
        self.calls: Counter = Counter()
        for service in ("dynamodb", "sesv2", "s3"):
            client(service).meta.events.register(f"before-call.{service}.*", self._count)

    def _count(self, model, **_):
        self.calls[(model.service_model.service_name, model.name)] += 1

    def reset(self):
        self.calls.clear()

    def per_item(self, items: int) -> dict[str, float]:
        by_service: Counter = Counter()
        for (service, _), count in self.calls.items():
            by_service[service] += count
        return {service: by_service[service] / items for service in ("dynamodb", "sesv2", "s3")}


def world(now: datetime) -> tuple[str, Staff, list[str], list[str]]:
    """A dealer with ITEMS sent proposals and ITEMS leads, made at `now`."""
    clock.set_source(lambda: now)
    garage = tenant(DealerSettingsChange(remote_selling=True), legal=True)
    quote_id = quote_for_marie(garage, LINES)
    proposal_ids = [sent_proposal(garage, quote_id).id for _ in range(ITEMS)]
    lead_ids = [leads.create(garage.dealer_id, command(
        NewLead, contacts=[{"name": f"Client {n}", "email": "c@bench.example"}], type="used_vehicle_sale",
        source="bench"), garage.seller.user_id).id for n in range(ITEMS)]
    return garage.dealer_id, garage.seller, proposal_ids, lead_ids


def run(name: str, job, at: datetime, calls: AwsCalls) -> dict:
    clock.set_source(lambda: at)
    calls.reset()
    started = time.perf_counter()
    handled = job()
    elapsed = time.perf_counter() - started
    assert handled == ITEMS, (name, handled)
    return {"job": name, "handled": handled, "ms": elapsed * 1000, **calls.per_item(handled),
            "operations": dict(calls.calls)}


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's access log
    with local_services():
        fresh_table()
        sent_at = datetime.now(timezone.utc).replace(microsecond=0)
        dealer_id, _, proposal_ids, _ = world(sent_at)
        expires_at = proposal_store.get(dealer_id, proposal_ids[0]).expires_at
        calls = AwsCalls()
        rows = [
            run("sweep-links", proposal_expiry.sweep_links, sent_at + timedelta(hours=25), calls),
            run("lead-deadline-alerts", lead_alerts.alert_due, sent_at + timedelta(hours=25), calls),
            run("proposal-reminders", proposal_reminders.send_due, sent_at + timedelta(days=4), calls),
            run("expire-proposals", proposal_expiry.expire_due, expires_at + timedelta(minutes=1), calls),
        ]
    print("| job | items handled | DynamoDB calls per item | SES calls per item | S3 calls per item "
          "| local ms per item |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['job']} | {r['handled']} | {r['dynamodb']:.2f} | {r['sesv2']:.2f} | {r['s3']:.2f} "
              f"| {r['ms'] / r['handled']:.1f} |")
    for r in rows:
        print(r["job"], sorted(r["operations"].items()))
    print(f"median local ms per item: {statistics.median(r['ms'] / r['handled'] for r in rows):.1f}")


if __name__ == "__main__":
    main()
