"""Fixtures shared by the integration tests that do not define their own: the app on the local
services (with a dev CA of the test's own), a dealer with its legal details, its seller's API."""
import pytest

import app as application
from chalicelib.settings import settings
from local.client import Client
from tests import offers
from tests.portal import NOW, Customer
from tests.support import Api, at, tenant


@pytest.fixture
def client(aws, monkeypatch, tmp_path):
    monkeypatch.setenv("OFFERLINE_DEV_CA_DIR", str(tmp_path / "dev-ca"))
    settings.cache_clear()
    at(NOW)
    with Client(application.app) as test_client:
        yield test_client


@pytest.fixture
def garage(client):
    return offers.with_legal(tenant())


@pytest.fixture
def seller(client, garage):
    return Api(client, garage.token(garage.seller))


@pytest.fixture
def customer(client, sent):
    """The customer's phone on the link of the module's `sent` proposal."""
    return Customer(client, sent.token)
