"""`make dev`, as a person uses it: started, tried with the demo logins, stopped with Ctrl-C.

Each test runs `python -m local.stack` on free ports with its data in tmp_path.
"""
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from chalice import Chalice, Rate
from chalice.config import Config

from local import scheduler
from local.dynamodb_local import free_port

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 120
STOP_SECONDS = 60


@dataclass
class Stack:
    process: subprocess.Popen
    base: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def stack_environment(data: Path, api_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "PORT": str(api_port),
        "OFFERLINE_DYNAMODB_PORT": str(free_port()),
        "OFFERLINE_MOTO_PORT": str(free_port()),
        "OFFERLINE_LOCAL_DATA": str(data),
        "PYTHONUNBUFFERED": "1",
    }


@contextmanager
def running_stack(tmp_path: Path, data: Path):
    """A started stack; whatever the test does, nothing it started outlives it."""
    log = tmp_path / f"stack-{time.monotonic_ns()}.log"
    api_port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "local.stack"], cwd=ROOT, env=stack_environment(data, api_port),
            stdout=output, stderr=subprocess.STDOUT,
        )
    stack = Stack(process, f"http://127.0.0.1:{api_port}", log)
    try:
        wait_until_serving(stack)
        yield stack
    finally:
        kill_leftovers(stack)


def wait_until_serving(stack: Stack) -> None:
    """The banner comes last, once the API serves and the schedules loop."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert stack.process.poll() is None, f"the stack exited early:\n{stack.output()}"
        if "Ctrl-C stops everything." in stack.output():
            return
        time.sleep(0.25)
    raise AssertionError(f"the stack did not serve within {START_SECONDS} s:\n{stack.output()}")


def kill_leftovers(stack: Stack) -> None:
    if stack.process.poll() is None:
        for pid in java_children(stack.process.pid):
            os.kill(pid, signal.SIGKILL)
        stack.process.kill()
        stack.process.wait(timeout=STOP_SECONDS)


def ctrl_c(stack: Stack) -> int:
    stack.process.send_signal(signal.SIGINT)
    return stack.process.wait(timeout=STOP_SECONDS)


def java_children(pid: int) -> list[int]:
    """Children of pid running java, read from /proc/<pid>/stat: `pid (comm) state ppid ...`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        command, _, rest = text[text.index("(") + 1:].rpartition(")")
        if command == "java" and int(rest.split()[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def login(base: str, email: str) -> str:
    answer = requests.post(f"{base}/dev/login", json={"email": email}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def test_make_dev_serves_the_demo_dealer_and_ctrl_c_stops_everything(tmp_path):
    with running_stack(tmp_path, tmp_path / "data") as stack:
        token = login(stack.base, "vendeur@tilleuls.example")
        dealer = requests.get(f"{stack.base}/dealer", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert dealer.status_code == 200, dealer.text
        assert dealer.json()["name"] == "Garage des Tilleuls"
        assert dealer.json()["settings"]["remote_selling"] is True
        demo_leads = requests.get(f"{stack.base}/leads", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        [lead] = demo_leads.json()["items"]
        assert lead["offers"] == 1 and lead["contact"]["name"] == "Hélène Garnier"
        seller = {"Authorization": f"Bearer {token}"}
        [order] = requests.get(f"{stack.base}/orders", headers=seller, timeout=10).json()["items"]
        assert (order["status"], order["customer_name"]) == ("reserved", "Hélène Garnier")
        assert order["next_action"] is not None
        page = requests.get(f"{stack.base}/orders/{order['id']}", headers=seller, timeout=10).json()
        assert page["order"]["payment"]["method"] == "transfer" and page["order"]["deposit_paid_cents"] == 50_000
        assert sorted(m["code"] for m in page["milestones"] if m["done_at"]) == ["availability", "holder",
                                                                               "payment_method"]
        assert [(d["kind"], d["status"]) for d in page["documents"]] == [("handover_slip", "to_review")]
        [java] = java_children(stack.process.pid)

        assert ctrl_c(stack) == 0, stack.output()

        deadline = time.monotonic() + 10
        while is_running(java) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not is_running(java)
        assert (tmp_path / "data" / "dynamodb").is_dir()


def test_the_api_answers_as_deployed_and_reaches_the_local_services(tmp_path):
    with running_stack(tmp_path, tmp_path / "data") as stack:
        unknown = requests.get(f"{stack.base}/no-such-route", timeout=10)
        refused = requests.get(f"{stack.base}/dealer", headers={"Authorization": "Bearer forged"}, timeout=10)
        outbox = requests.get(f"{stack.base}/dev/outbox.json", timeout=10)
        ctrl_c(stack)

    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "not_found")
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "not_authenticated")
    assert outbox.status_code == 200
    assert set(outbox.json()) == {"emails", "sms"}


def test_a_restart_keeps_the_data_and_seeds_the_demo_once(tmp_path):
    data = tmp_path / "data"
    with running_stack(tmp_path, data) as first:
        assert "remote selling on: seeded" in first.output()
        assert ctrl_c(first) == 0

    with running_stack(tmp_path, data) as second:
        token = login(second.base, "admin@tilleuls.example")
        users = requests.get(f"{second.base}/users", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert "kept from a previous run" in second.output()
        ctrl_c(second)

    assert sorted(user["email"] for user in users.json()) == ["admin@tilleuls.example", "vendeur@tilleuls.example"]


def test_a_taken_port_is_refused_before_anything_starts(tmp_path):
    with socket_listening() as port:
        result = subprocess.run(
            [sys.executable, "-m", "local.stack"], cwd=ROOT, env=stack_environment(tmp_path / "data", port),
            capture_output=True, text=True, timeout=STOP_SECONDS,
        )

    assert result.returncode == 1
    assert f"port {port} is already in use: stop the other process or run PORT={port + 10} make dev" in result.stderr
    assert not (tmp_path / "data").exists()


def test_every_schedule_of_the_app_runs_with_a_scheduled_event_and_a_failure_stops_none():
    app = Chalice(app_name="demo")
    received = []

    @app.schedule(Rate(1, unit=Rate.HOURS), name="sweep")
    def sweep(event):
        received.append(event.to_dict())

    @app.schedule(Rate(1, unit=Rate.MINUTES), name="broken")
    def broken(event):
        raise RuntimeError("boom")

    scheduler.run_all(app, Config.create(chalice_stage="dev"))

    assert scheduler.schedule_names(app) == ["broken", "sweep"]
    [event] = received
    assert (event["source"], event["detail-type"]) == ("aws.events", "Scheduled Event")
    assert event["resources"] == ["arn:aws:events:eu-west-3:123456789012:rule/demo-dev-sweep"]


def test_run_job_lists_the_jobs_when_the_name_is_unknown(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "local.run_job", "no-such-job"], cwd=ROOT,
        env=stack_environment(tmp_path / "data", free_port()), capture_output=True, text=True, timeout=STOP_SECONDS,
    )

    assert result.returncode == 2
    assert "usage: python -m local.run_job NAME; jobs: " in result.stderr


@contextmanager
def socket_listening():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]
