"""`make dev`: the whole product on this machine, offline.

DynamoDB Local (data kept under .local/data), moto server for SES v2, SNS and S3, the
table from infra/, demo data, the API served as `chalice local` serves it and a loop
firing the schedules each minute. Ctrl-C (or SIGTERM) stops all of it.

Ports and the data folder come from the environment: PORT (8000),
OFFERLINE_DYNAMODB_PORT (8001), OFFERLINE_MOTO_PORT (8002), OFFERLINE_LOCAL_DATA.
"""
import signal
import subprocess
import sys
import threading
from contextlib import ExitStack
from pathlib import Path

from chalice import Chalice

from local import dynamodb_local, scheduler, seed, server, services
from local.services import Port, Ports


def main() -> int:
    ports = services.ports_from_env()
    taken = [port for port in ports.all() if not services.is_free(port.number)]
    if taken:
        print(port_taken(taken[0]), file=sys.stderr)
        return 1
    stopping = stop_on_signals()
    services.use_local_environment(ports)
    try:
        with ExitStack() as running:
            start(ports, running)
            while not stopping.wait(timeout=1):
                pass
            print("\nStopping…", flush=True)
    except KeyboardInterrupt:
        return 130
    except Exception:
        # Ctrl-C also reaches java directly: a start cut short by it is not an error.
        if stopping.is_set():
            return 0
        raise
    return 0


def port_taken(port: Port) -> str:
    return (f"port {port.number} is already in use: stop the other process "
            f"or run {port.variable}={port.number + 10} make dev")


def stop_on_signals() -> threading.Event:
    """The first Ctrl-C or SIGTERM asks for a clean stop; a second one interrupts whatever the stop waits on."""
    stopping = threading.Event()

    def handle(signum, frame):
        if stopping.is_set():
            raise KeyboardInterrupt
        stopping.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return stopping


def start(ports: Ports, running: ExitStack) -> None:
    """Starts each piece and registers how to stop it, so a failure stops what already runs."""
    app, config = server.load_app()
    api = server.create_server(app, config, ports.api.number)
    running.callback(api.server.server_close)

    data = services.data_dir()
    java = dynamodb_local.start(ports.dynamodb.number, data / "dynamodb", data / "dynamodb-local.log")
    running.callback(stop_process, java)
    moto = services.start_moto(ports.moto)
    running.callback(moto.stop)

    services.prepare_aws()
    seeded = seed.seed()

    server.serve(api)
    running.callback(api.shutdown)
    schedules_stop = threading.Event()
    schedules = scheduler.start_loop(app, config, schedules_stop)
    running.callback(schedules.join, 30)
    running.callback(schedules_stop.set)

    print(banner(ports, app, data, seeded), flush=True)


def stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def banner(ports: Ports, app: Chalice, data: Path, seeded: bool) -> str:
    base = f"http://localhost:{ports.api.number}"
    front = "" if any(path == "/app" or path.startswith("/app/") for path in app.routes) else "  (not built yet)"
    jobs = ", ".join(scheduler.schedule_names(app)) or "none yet"
    demo = "seeded" if seeded else f"kept from a previous run in {shown(data)}"
    return f"""
Offerline runs locally (stage dev, offline).

  API             {base}
  OpenAPI         {base}/openapi.json
  Outbox          {base}/dev/outbox   (emails and SMS sent: codes, links, attachments)
  Seller front    {base}/app{front}
  DynamoDB Local  {services.url(ports.dynamodb)}   data in {shown(data / "dynamodb")}
  moto            {services.url(ports.moto)}   (SES v2, SNS, S3)

Demo dealer "{seed.DEALER_NAME}", remote selling on: {demo}
  admin   {seed.ADMIN_EMAIL}
  seller  {seed.SELLER_EMAIL}

Try it:
  TOKEN=$(curl -s -X POST {base}/dev/login -H 'Content-Type: application/json' \\
    -d '{{"email": "{seed.SELLER_EMAIL}"}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  curl -s {base}/dealer -H "Authorization: Bearer $TOKEN"

Schedules fire every minute: {jobs}  (python -m local.run_job NAME runs one now)
Ctrl-C stops everything.
"""


def shown(path: Path) -> str:
    return str(path.relative_to(services.ROOT)) if path.is_relative_to(services.ROOT) else str(path)


if __name__ == "__main__":
    sys.exit(main())
