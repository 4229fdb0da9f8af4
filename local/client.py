"""chalice.test.Client whose gateway is ours (see local/gateway.py)."""
from chalice.test import Client as ChaliceClient

from local.gateway import Gateway


class Client(ChaliceClient):
    @property
    def http(self):
        client = super().http
        if not isinstance(client._local_gateway, Gateway):
            client._local_gateway = Gateway(self._app, client._config)
        return client
