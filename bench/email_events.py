"""What recording an SES event costs: calls per event, and events handled per second on the local stack.

One proposal is created and sent through the use cases; then EVENTS emails about it are queued and
sent by the outbox (each writes its SES-id lookup), on DynamoDB Local and moto. Half of them get a
"delivered" event, half a permanent bounce (history, flag, seller notice, suppression), through the
email-events function as EventBridge invokes it; then every event is replayed. DynamoDB calls are
counted with a botocore hook.
"""
import json
import logging
import time
from collections import Counter
from datetime import datetime, timezone

from bench.environment import fresh_table, local_services
from chalicelib.clients import client
from chalicelib.domain import clock
from chalicelib.domain.customers import NewAccount
from chalicelib.domain.dealers import DealerLegalChange, DealerSettingsChange, NewUser, Role, Staff
from chalicelib.domain.outbox import Channel, OutboxMessage
from chalicelib.domain.proposals.commands import NewProposal, SendProposal
from chalicelib.domain.quotes import NewQuote
from chalicelib.services import customers, dealers, email_events, outbox, proposals, quotes
from chalicelib.store import outbox as outbox_store
from chalicelib.store.unit_of_work import commit
from local import ses_simulator

EVENTS = 200
LINES = [{"kind": "vehicle", "label": "Peugeot 308", "unit_price_cents": 1_582_500, "vat_rate": 20,
          "vehicle": {"make": "Peugeot", "model": "308"}}]


def command(model, **fields):
    return model.model_validate_json(json.dumps(fields))


def sent_proposal():
    dealer = dealers.create_dealer("Garage du Banc d'Essai", DealerSettingsChange(remote_selling=True))
    admin = dealers.create_first_admin(dealer.id, NewUser(email="admin@bench.example", name="Alice", role=Role.ADMIN))
    as_admin = Staff(dealer_id=dealer.id, user_id=admin.id, role=Role.ADMIN)
    dealers.change_legal(dealer.id, DealerLegalChange(legal_name="Banc SAS", address_line="1 rue du Banc",
                                                      postal_code="69003", city="Lyon"), by=as_admin)
    seller = dealers.create_user(dealer.id, NewUser(email="seller@bench.example", name="Victor", role=Role.SELLER),
                                 by=as_admin)
    as_seller = Staff(dealer_id=dealer.id, user_id=seller.id, role=Role.SELLER)
    account = customers.create_account(dealer.id, command(
        NewAccount, kind="person", contact={"first_name": "Marie", "last_name": "Durand",
                                            "email": "marie@bench.example"}))
    quote = quotes.create(dealer.id, command(NewQuote, account_id=account.account.id,
                                             contact_id=account.contacts[0].id, lines=LINES), by=as_seller)
    block = {"display_name": "Victor Vendeur", "phone": "+33611223344", "email": "victor@bench.example"}
    made = proposals.create(dealer.id, command(NewProposal, quote_id=quote.id, seller=block), by=as_seller)
    return proposals.send(dealer.id, made.proposal.id, SendProposal(), by=as_seller).proposal


def sent_messages(proposal, count: int) -> list[tuple[str, str]]:
    """(SES message id, address) of `count` emails about the proposal, sent by the outbox."""
    sent = []
    for n in range(count):
        message = OutboxMessage(dealer_id=proposal.dealer_id, channel=Channel.EMAIL, to=f"client{n}@bench.example",
                                subject="Votre offre", text="Bonjour", purpose="proposal_reminder",
                                created_at=clock.now(), proposal=email_events.about(proposal))
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
        proposal = sent_proposal()
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
