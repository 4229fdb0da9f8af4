"""What every benchmark runs on: DynamoDB Local (in memory) and moto, on free ports."""
import contextlib
import os
import uuid

from chalicelib.clients import client
from chalicelib.settings import settings
from local import dynamodb_local, gateway
from local.table import create_table


@contextlib.contextmanager
def local_services():
    from moto.server import ThreadedMotoServer

    os.environ.update({
        "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "eu-west-3",
        "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR",
    })
    dynamodb_port, moto_port = dynamodb_local.free_port(), dynamodb_local.free_port()
    java = dynamodb_local.start(dynamodb_port)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = f"http://127.0.0.1:{dynamodb_port}"
    for service in ("SESV2", "SNS", "S3"):
        os.environ[f"AWS_ENDPOINT_URL_{service}"] = f"http://127.0.0.1:{moto_port}"
    try:
        yield
    finally:
        moto.stop()
        java.terminate()
        java.wait(timeout=10)


def fresh_table() -> str:
    name = f"offerline-bench-{uuid.uuid4().hex[:8]}"
    os.environ["OFFERLINE_TABLE_NAME"] = name
    settings.cache_clear()
    client.cache_clear()
    create_table(client("dynamodb"), name)
    return name


class CallCounter:
    """Counts DynamoDB calls, and the items each Query evaluated, with a botocore hook."""

    def __init__(self):
        self.calls: list[str] = []
        self.items_read = 0
        events = client("dynamodb").meta.events
        events.register("before-call.dynamodb.*", self._before)
        events.register("after-call.dynamodb.Query", self._after_query)

    def _before(self, model, **_):
        if not gateway.authorizing():  # the authorizer's user check: its own Lambda in AWS
            self.calls.append(model.name)

    def _after_query(self, parsed, **_):
        self.items_read += parsed.get("ScannedCount", 0)

    def reset(self):
        self.calls.clear()
        self.items_read = 0
