"""chalice.test.Client for tests: our gateway (local/gateway.py) and the test's own environment.

The stage is "test", which .chalice/config.json does not define, so Chalice applies only
the app-wide variables and keeps the endpoints and table name each test sets. The gateway
hands the table's new stream records to the app after each request (the outbox is sent then),
unless `deliver_stream` is off: a benchmark counts that work apart from the request's.
"""
from pathlib import Path

from chalice.test import Client as ChaliceClient

from local.gateway import Gateway

TEST_STAGE = "test"
PROJECT_DIR = str(Path(__file__).resolve().parent.parent)


class Client(ChaliceClient):
    def __init__(self, app, stage_name: str = TEST_STAGE, project_dir: str = PROJECT_DIR,
                 deliver_stream: bool = True):
        super().__init__(app, stage_name=stage_name, project_dir=project_dir)
        self._deliver_stream = deliver_stream

    @property
    def http(self):
        client = super().http
        if not isinstance(client._local_gateway, Gateway):
            client._local_gateway = Gateway(self._app, client._config, self._deliver_stream)
        return client
