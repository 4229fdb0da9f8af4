"""How many DynamoDB calls a customer's portal request costs, and how big the proposal page is.

`python -m bench.portal_calls` (offline: DynamoDB Local in memory and moto, through the HTTP
routes a phone calls). Every DynamoDB call is counted with a botocore `before-call` hook, in
two parts:

- the request: the link (GetItem), the proposal aggregate (one Query), the one
  TransactWriteItems that records what happened and queues its messages;
- the outbox's delivery, which in AWS runs in its own Lambda fed by the table's stream after the
  response (jobs/delivery.py): per message a claim and a finish (UpdateItem each), plus the
  dealer's template (GetItem) and, for a seller notice, the seller's preferences (GetItem) and
  the transaction that queues the email and/or SMS they want. The benchmark's client does not
  deliver after each request; the script hands the stream's records to the delivery function
  itself, and counts that apart.

Goal (issue 3): at most 3 calls per view and per sign submit, the sign being one transaction
(the order the acceptance opens takes its milestones from the proposal, kept when it was sent; a
stock vehicle and a lead add their reads: docs/performance.md);
the proposal page (HTML with its inline CSS) at most 30 KB. The script prints a markdown table
(recorded in docs/performance.md, section "## Customer portal") and exits non-zero when a
request breaks the goal or the page is too big.
"""
import gzip
import json
import logging
import os
import re
import sys
import time
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlencode

from bench.environment import CallCounter, fresh_table, local_services, tenant
from chalicelib.domain import clock
from chalicelib.domain.dealers import DealerSettingsChange, NotificationPreferencesChange, ProfileChange
from chalicelib.domain.links import hash_token
from chalicelib.portal.security import csrf_token
from chalicelib.services import dealers
from chalicelib.settings import settings
from local.seed import QUOTE_LINES

GOAL_CALLS = 3
GOAL_PAGE_BYTES = 30_000
PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile"
TOKEN = re.compile(r"/p/([A-Za-z0-9_-]{43})")
CODE = re.compile(r"\b(\d{6})\b")
START = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=30)


def at(moment: datetime) -> None:
    clock.set_source(lambda: moment)


class Seller:
    def __init__(self, http, token: str):
        self.http, self.headers = http, {"authorization": f"Bearer {token}", "content-type": "application/json"}

    def call(self, method: str, path: str, payload: dict | None = None) -> dict:
        answer = self.http.request(method, path, headers=self.headers, body=json.dumps(payload or {}).encode())
        if answer.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.body[:300]!r}")
        return json.loads(answer.body)


class Phone:
    def __init__(self, http, token: str):
        self.http, self.token = http, token

    def get(self, path: str = ""):
        return self.http.get(f"/p/{self.token}{path}", headers={"user-agent": PHONE, "accept": "text/html"})

    def post(self, path: str, form: str, fields: dict):
        data = {**fields, "csrf": csrf_token(settings().csrf_secret, hash_token(self.token), form)}
        return self.http.request("POST", f"/p/{self.token}{path}", body=urlencode(data).encode(),
                                 headers={"user-agent": PHONE, "content-type": "application/x-www-form-urlencoded"})


def sent_emails(address: str) -> list[str]:
    """Bodies of the emails moto's SES (in this process) received for this address."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    bodies = []
    for message in ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-3"].sent_messages:
        destinations = message.destinations
        found = destinations.get("ToAddresses", []) if isinstance(destinations, dict) else list(destinations)
        if address in found:
            raw = getattr(message, "raw_data", None)
            bodies.append(raw if raw is not None else message.body)
    return bodies


def deliver() -> None:
    """What Lambda does after a write in AWS: the table's new stream records to the delivery function."""
    import app as application
    from local import stream

    stream.deliver_new_records(application.app)


def measure(counter: CallCounter, label: str, request) -> dict:
    """The request's calls, then the delivery's: what the stream brings to the delivery function after it."""
    counter.reset()
    started = time.perf_counter()
    answer = request()
    elapsed = (time.perf_counter() - started) * 1000
    own = list(counter.calls)
    counter.reset()
    deliver()
    return {"label": label, "status": answer.status_code, "own": own, "delivery": list(counter.calls),
            "ms": elapsed, "answer": answer}


def prepare(http) -> tuple[Seller, str, str]:
    garage = tenant(DealerSettingsChange(remote_selling=True), legal=True)
    dealers.save_profile(garage.dealer_id, garage.seller.user_id, ProfileChange(
        display_name="Victor Vendeur", phone="+33611223344", email="victor@bench.example.com",
        notifications=NotificationPreferencesChange(email=True, sms=False)))
    api = Seller(http, garage.seller_token())
    account = api.call("POST", "/accounts", {
        "kind": "person", "address": {"line1": "3 place Bellecour", "postal_code": "69002", "city": "Lyon"},
        "contact": {"civility": "Mme", "first_name": "Marie", "last_name": "Durand",
                    "email": "marie@bench.example.com", "mobile": "06 12 34 56 78"}})
    quote = api.call("POST", "/quotes", {"account_id": account["account"]["id"],
                                         "contact_id": account["contacts"][0]["id"], "origin": "contact",
                                         "lines": QUOTE_LINES,
                                         "valid_until": (date.today() + timedelta(days=20)).isoformat()})
    proposal = api.call("POST", "/proposals", {"quote_id": quote["id"]})["proposal"]
    return api, proposal["id"], "marie@bench.example.com"


def run(http, counter: CallCounter) -> tuple[list[dict], int]:
    at(START)
    seller, proposal_id, customer = prepare(http)
    at(START + timedelta(minutes=1))
    seller.call("POST", f"/proposals/{proposal_id}/send", {})
    deliver()
    phone = Phone(http, TOKEN.search(sent_emails(customer)[-1]).group(1))
    rows = []
    at(START + timedelta(minutes=2))
    first = measure(counter, "Proposal page, first view of the day (counted; seller notified by email)", phone.get)
    rows.append(first)
    at(START + timedelta(minutes=3))
    rows.append(measure(counter, "Proposal page, another view the same day", phone.get))
    at(START + timedelta(minutes=4))
    rows.append(measure(counter, "Sign form → code by email", lambda: phone.post(
        "/sign", "sign", {"full_name": "Marie Durand", "terms": "1", "iban": "FR7630006000011234567890189"})))
    code = CODE.search(sent_emails(customer)[-1]).group(1)
    at(START + timedelta(minutes=5))
    rows.append(measure(counter, "Sign submit: the code → accepted (seal, seller email, signed copy)",
                        lambda: phone.post("/code", "code", {"code": code})))
    at(START + timedelta(minutes=6))
    rows.append(measure(counter, "Signed page, view the same day", phone.get))
    page = first["answer"].body
    return rows, len(page if isinstance(page, bytes) else page.encode())


def table(rows: list[dict]) -> str:
    lines = ["| request | status | DynamoDB calls of the request | outbox delivery, from the stream, after it "
             "| local time of the request (ms) |",
             "| --- | --- | --- | --- | --- |"]
    for row in rows:
        def named(calls):
            return f"{len(calls)} ({', '.join(calls)})" if calls else "0"
        lines.append(f"| {row['label']} | {row['status']} | {named(row['own'])} | {named(row['delivery'])} | "
                     f"{row['ms']:.0f} |")
    return "\n".join(lines)


def broken_promises(rows: list[dict], page_bytes: int) -> list[str]:
    problems = [f"{r['label']}: {len(r['own'])} calls" for r in rows if len(r["own"]) > GOAL_CALLS]
    problems += [f"{r['label']}: {r['own'].count('TransactWriteItems')} transactions"
                 for r in rows if r["own"].count("TransactWriteItems") > 1]
    if page_bytes > GOAL_PAGE_BYTES:
        problems.append(f"proposal page is {page_bytes} bytes")
    return problems


def main() -> int:
    from local.client import Client
    import app as application

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log
    with local_services():
        fresh_table()
        os.environ["OFFERLINE_DEV_CA_DIR"] = os.path.join(".local", "bench-dev-ca")
        settings.cache_clear()
        counter = CallCounter()
        try:
            with Client(application.app, deliver_stream=False) as test_client:
                rows, page_bytes = run(test_client.http, counter)
        finally:
            clock.reset()
    page = rows[0]["answer"].body
    page = page if isinstance(page, bytes) else page.encode()
    optional = sum(1 for line in QUOTE_LINES if line.get("optional"))
    print(f"A proposal of the demo quote's {len(QUOTE_LINES)} lines ({optional} optional), sent by email; "
          "a phone opens the link, signs with the code.\n")
    print(table(rows))
    print(f"\nProposal page: {page_bytes} bytes of HTML with its inline CSS ({len(gzip.compress(page))} bytes "
          f"gzipped), no script, no other request.")
    problems = broken_promises(rows, page_bytes)
    for problem in problems:
        print(f"GOAL MISSED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
