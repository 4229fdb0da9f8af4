"""What recording an SES event costs: calls per event, and events handled per second on the local stack.

One proposal is created and sent through the use cases; then EVENTS emails about it are queued and
sent by the outbox (each writes its SES-id lookup), on DynamoDB Local and moto. Half of them get a
"delivered" event, half a permanent bounce (history, flag, seller notice, suppression), through the
email-events function as EventBridge invokes it; then every event is replayed. DynamoDB calls are
counted with a botocore hook.
"""
import logging
import time
from collections import Counter
from datetime import datetime, timezone

from bench.environment import PEUGEOT, fresh_table, local_services, quote_for_marie, sent_proposal, tenant
from chalicelib.clients import client
from chalicelib.domain import clock
from chalicelib.domain.dealers import DealerSettingsChange
from chalicelib.domain.outbox import Channel, OutboxMessage
from chalicelib.services import outbox
from chalicelib.store import outbox as outbox_store
from chalicelib.store.unit_of_work import commit
from local import ses_simulator

EVENTS = 200


def a_sent_proposal():
    garage = tenant(DealerSettingsChange(remote_selling=True), legal=True)
    return sent_proposal(garage, quote_for_marie(garage, [PEUGEOT]))


def sent_messages(proposal, count: int) -> list[tuple[str, str]]:
    """(SES message id, address) of `count` emails about the proposal, sent by the outbox."""
    sent = []
    for n in range(count):
        message = OutboxMessage(dealer_id=proposal.dealer_id, channel=Channel.EMAIL, to=f"client{n}@bench.example",
                                subject="Votre offre", text="Bonjour", purpose="proposal_reminder",
                                created_at=clock.now(), proposal=proposal.email_ref())
        commit(outbox_store.new(message))
        outbox.deliver_written(outbox_store.key(message))
        stored = outbox_store.get(message.dealer_id, message.id)
        assert stored is not None and stored.provider_id
        sent.append((stored.provider_id, message.to))
    return sent


def timed(events: list[dict], calls: Counter) -> dict:
    import app as application
    from local.stream import lambda_context

    function = application.app.handler_map["email-events"]
    context = lambda_context(application.app, None, "email-events")
    calls.clear()
    outcomes: Counter = Counter()
    started = time.perf_counter()
    for event in events:
        outcomes[function(event, context)["outcome"]] += 1
    elapsed = time.perf_counter() - started
    return {"events": len(events), "per_second": len(events) / elapsed, "outcomes": dict(outcomes),
            "calls": {name: count / len(events) for name, count in sorted(calls.items())}}


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with local_services():
        fresh_table()
        now = datetime.now(timezone.utc)
        clock.set_source(lambda: now)
        proposal = a_sent_proposal()
        sent = sent_messages(proposal, EVENTS)
        calls: Counter = Counter()
        client("dynamodb").meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: calls.update([model.name]))
        half = EVENTS // 2
        first = [ses_simulator.eventbridge(ses_simulator.detail("Delivery", ses_id, to, now))
                 for ses_id, to in sent[:half]] + \
                [ses_simulator.eventbridge(ses_simulator.detail("Bounce", ses_id, to, now))
                 for ses_id, to in sent[half:]]
        rows = [("delivered + bounced", timed(first, calls)), ("replayed", timed(first, calls))]
    print("| events | kind | handled per second | DynamoDB calls per event | outcomes |")
    print("|---|---|---|---|---|")
    for kind, row in rows:
        per_event = ", ".join(f"{name} {count:.2f}" for name, count in row["calls"].items())
        print(f"| {row['events']} | {kind} | {row['per_second']:.0f} | {per_event} | {row['outcomes']} |")


if __name__ == "__main__":
    main()
