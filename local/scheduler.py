"""EventBridge, locally: fires every scheduled function of the app each minute.

Schedules are read from the app (app.schedule(..., name=...)), so a new job runs
locally as soon as it is registered. The expression is not honoured: every job
runs every minute, which their sweeps must tolerate anyway. After each round the
table's new stream records go to the app's stream functions (local/stream.py).
"""
import threading
import time
import traceback
import uuid
from datetime import datetime, timezone

from chalice import Chalice
from chalice.app import ScheduledEventConfig
from chalice.config import Config

from local import stream
from local.services import REGION

ACCOUNT = "123456789012"


def schedule_names(app: Chalice) -> list[str]:
    return sorted(source.name for source in app.event_sources if isinstance(source, ScheduledEventConfig))


def scheduled_event(function_name: str) -> dict:
    """What EventBridge sends a scheduled function, stamped now (chalice.test's is fixed in 2015)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{function_name}"],
        "detail": {},
    }


def run_job(app: Chalice, config: Config, name: str) -> None:
    """Invokes one scheduled function as Lambda would, with its configured memory and timeout."""
    context = stream.lambda_context(app, config, name)
    app.handler_map[name](scheduled_event(context.function_name), context)


def run_all(app: Chalice, config: Config) -> None:
    """Runs each job, then sends what they queued; one failing job neither stops the others nor the loop."""
    for name in schedule_names(app):
        started = time.monotonic()
        try:
            run_job(app, config, name)
        except Exception:
            print(f"[schedule] {name} failed:", flush=True)
            traceback.print_exc()
        else:
            print(f"[schedule] {name} ran in {(time.monotonic() - started) * 1000:.0f} ms", flush=True)
    try:
        stream.deliver_new_records(app, config)
    except Exception:
        print("[stream] delivery failed:", flush=True)
        traceback.print_exc()


def seconds_to_next_minute() -> float:
    return 60 - time.time() % 60


def start_loop(app: Chalice, config: Config, stop: threading.Event) -> threading.Thread:
    """Runs every job at the start of each minute until `stop` is set."""

    def loop() -> None:
        while not stop.wait(seconds_to_next_minute()):
            run_all(app, config)

    thread = threading.Thread(target=loop, name="schedules", daemon=True)
    thread.start()
    return thread
