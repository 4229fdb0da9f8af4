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


@pytest.fixture(params=["dynamodb_local", "moto"])
def any_dynamodb(request, monkeypatch, moto_url):
    """Runs a test once on DynamoDB Local and once on moto's DynamoDB."""
    url = request.getfixturevalue("dynamodb_local_url") if request.param == "dynamodb_local" else moto_url
    yield _use_services(monkeypatch, url, moto_url)
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
