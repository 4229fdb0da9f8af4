"""Chalice's local API Gateway, answering as the deployed one does with infra/resources.yaml.

The deployed API has GatewayResponses that turn an unknown route into a 404 and a
refused token into a 401, both in the API's error shape; Chalice's emulator
answers 403 to both. This is the one place the local stack and tests fix that.
After each request the table's new stream records go to the app's stream functions
(local/stream.py), as Lambda's event source mapping does in AWS moments later.
"""
import json
import threading

from chalice.app import UnauthorizedError
from chalice.local import LocalGateway, LocalGatewayAuthorizer, LocalGatewayException

from local import stream


def _body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "fields": {}}}).encode()


class RouteNotFound(LocalGatewayException):
    CODE = 404


class TokenRefused(LocalGatewayException):
    CODE = 401


_JSON = {"Content-Type": "application/json"}
_authorizer_running = threading.local()


def authorizing() -> bool:
    """True while the authorizer runs. In AWS it is a Lambda of its own: what counts a route's
    DynamoDB calls leaves out the authorizer's (its check of the user)."""
    return getattr(_authorizer_running, "active", False)


class _Authorizer(LocalGatewayAuthorizer):
    def authorize(self, raw_path, lambda_event, lambda_context):
        route = self._route_for_event(lambda_event)
        if route is not None and route.authorizer is not None and not lambda_event["headers"].get("authorization"):
            raise TokenRefused(_JSON, _body("not_authenticated", "Jeton invalide ou expiré."))
        _authorizer_running.active = True
        try:
            return super().authorize(raw_path, lambda_event, lambda_context)
        except UnauthorizedError:
            raise TokenRefused(_JSON, _body("not_authenticated", "Jeton invalide ou expiré.")) from None
        finally:
            _authorizer_running.active = False


class Gateway(LocalGateway):
    def __init__(self, app_object, config, deliver_stream: bool = True):
        super().__init__(app_object, config)
        self._authorizer = _Authorizer(app_object)
        self._deliver_stream = deliver_stream

    def handle_request(self, method, path, headers, body):
        try:
            return super().handle_request(method, path, headers, body)
        finally:
            if self._deliver_stream:
                stream.deliver_new_records(self._app_object, self._config)

    def _generate_lambda_event(self, method, path, headers, body):
        try:
            return super()._generate_lambda_event(method, path, headers, body)
        except ValueError:
            raise RouteNotFound(_JSON, _body("not_found", "Route inconnue.")) from None
