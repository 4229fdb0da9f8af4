"""Test wiring: fake AWS credentials, the local services, a fresh table per test.

Integration tests run against the real local services: DynamoDB Local (or moto's
DynamoDB, for the repository tests that run on both) and a moto server for SES v2,
SNS and S3, reached through the same AWS_ENDPOINT_URL_* variables the local stack sets.
"""
import os
import uuid

import pytest

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_REGION": "eu-west-3",
    "OFFERLINE_STAGE": "dev",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
})
for variable in [v for v in os.environ if v.startswith("AWS_ENDPOINT_URL") or v == "AWS_PROFILE"]:
    del os.environ[variable]

from chalicelib.domain import clock  # noqa: E402
from chalicelib.settings import settings  # noqa: E402
from chalicelib.clients import client  # noqa: E402
from local import dynamodb_local  # noqa: E402
from local.services import prepare_aws  # noqa: E402


def _reset_process_caches() -> None:
    settings.cache_clear()
    client.cache_clear()


@pytest.fixture(scope="session")
def dynamodb_local_url():
    port = dynamodb_local.free_port()
    process = dynamodb_local.start(port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def moto_url():
    from moto.server import ThreadedMotoServer

    port = dynamodb_local.free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _use_services(monkeypatch, dynamodb_url: str, moto_url: str) -> str:
    table_name = f"offerline-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_url)
    for service in ("SESV2", "SNS", "S3"):
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", moto_url)
    monkeypatch.setenv("OFFERLINE_TABLE_NAME", table_name)
    _reset_process_caches()
    prepare_aws()
    return table_name


@pytest.fixture
def memory_table():
    """Every repository on the in-memory table (tests/memory): no process, the same semantics."""
    from chalicelib.store.table import install
    from tests.memory.table import MemoryTable

    replacement = MemoryTable()
    previous = install(replacement)
    yield replacement
    install(previous)


@pytest.fixture(scope="session")
def _moto_clients():
    """The boto3 clients every `memory` test uses, made once per process: making a client reads
    botocore's service models (~0.2 s each), and moto's mock starts with a new boto3 session."""
    import boto3
    import moto  # noqa: F401  (before the session: moto's hook joins the handlers a new session takes)

    session = boto3.session.Session()
    made: dict[str, object] = {}

    def make(service: str, *args, **kwargs):
        if args or kwargs:
            return session.client(service, *args, **kwargs)
        if service not in made:
            made[service] = session.client(service)
        return made[service]

    return make


@pytest.fixture
def memory(memory_table, monkeypatch, _moto_clients):
    """A use case's whole world in this process: the in-memory table, and moto's in-process
    SES v2, SNS and S3 (no server). Service unit tests run on it in milliseconds.

    Each test starts from empty SES, SNS and S3: mock_aws resets moto's backends when it starts.
    The clients are the process's (moto answers any client made while it is imported), so only
    the identity and the bucket are made again."""
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("OFFERLINE_TABLE_NAME", "offerline-memory")
    monkeypatch.setattr(boto3, "client", _moto_clients)
    _reset_process_caches()
    with mock_aws():
        from chalicelib.clients import client as aws
        config = settings()
        aws("sesv2").create_email_identity(EmailIdentity=config.sender_email)
        aws("s3").create_bucket(Bucket=config.documents_bucket,
                                CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
        yield memory_table
    _reset_process_caches()


@pytest.fixture(params=["memory", "dynamodb_local", "moto"])
def any_dynamodb(request, monkeypatch):
    """Runs a test on the in-memory table, on DynamoDB Local and on moto's DynamoDB: the contract."""
    if request.param == "memory":
        yield request.getfixturevalue("memory_table")
        return
    moto = request.getfixturevalue("moto_url")
    url = request.getfixturevalue("dynamodb_local_url") if request.param == "dynamodb_local" else moto
    yield _use_services(monkeypatch, url, moto)
    _reset_process_caches()


@pytest.fixture
def aws(monkeypatch, dynamodb_local_url, moto_url):
    """DynamoDB Local with a fresh table, moto server for SES v2, SNS and S3."""
    yield _use_services(monkeypatch, dynamodb_local_url, moto_url)
    _reset_process_caches()


@pytest.fixture(autouse=True)
def real_clock():
    yield
    clock.reset()
