"""What every benchmark runs on: DynamoDB Local (in memory) and moto, on free ports.

Importing this module makes the process offline first (fake credentials, no endpoint or profile
inherited, Powertools quiet), so a benchmark imports it before anything of chalicelib: Powertools
reads its variables when chalicelib.observability is imported.
"""
import contextlib
import os
import uuid
import warnings

os.environ.update({
    "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_REGION": "eu-west-3", "OFFERLINE_STAGE": "dev",
    "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR",
})
for _variable in [v for v in os.environ if v.startswith("AWS_ENDPOINT_URL") or v == "AWS_PROFILE"]:
    del os.environ[_variable]
warnings.filterwarnings("ignore", "No application metrics to publish")

from chalicelib.clients import client  # noqa: E402
from chalicelib.settings import settings  # noqa: E402
from local import dynamodb_local, gateway  # noqa: E402
from local.services import prepare_aws  # noqa: E402


@contextlib.contextmanager
def local_services():
    from moto.server import ThreadedMotoServer

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
    """A new table, with the verified sender and the documents bucket the app expects."""
    name = f"offerline-bench-{uuid.uuid4().hex[:8]}"
    os.environ["OFFERLINE_TABLE_NAME"] = name
    settings.cache_clear()
    client.cache_clear()
    prepare_aws()
    return name


class CallCounter:
    """Counts DynamoDB calls, the items each Query evaluated and the read capacity it consumed."""

    def __init__(self):
        self.calls: list[str] = []
        self.items_read = 0
        self.capacity = 0.0
        events = client("dynamodb").meta.events
        events.register("before-parameter-build.dynamodb.Query", self._ask_capacity)
        events.register("before-call.dynamodb.*", self._before)
        events.register("after-call.dynamodb.Query", self._after_query)

    @staticmethod
    def _ask_capacity(params, **_):
        params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def _before(self, model, **_):
        if not gateway.authorizing():  # the authorizer's user check: its own Lambda in AWS
            self.calls.append(model.name)

    def _after_query(self, parsed, **_):
        self.items_read += parsed.get("ScannedCount", 0)
        self.capacity += parsed.get("ConsumedCapacity", {}).get("CapacityUnits", 0)

    def reset(self):
        self.calls.clear()
        self.items_read = 0
        self.capacity = 0.0
