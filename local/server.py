"""`chalice local`, with our gateway: the app answers as deployed behind infra/resources.yaml."""
import gzip
import json
import os
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from chalice import Chalice
from chalice.cli.factory import CLIFactory
from chalice.config import Config
from chalice.deploy.validate import validate_routes
from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer, ThreadedHTTPServer

from chalicelib.api.middleware import SECURITY_HEADERS
from local.gateway import Gateway

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def load_app(stage: str = "dev") -> tuple[Chalice, Config]:
    """app.py loaded as `chalice local` loads it: with the stage's variables from .chalice/config.json."""
    config = CLIFactory(str(ROOT), environ=os.environ).create_config_obj(chalice_stage_name=stage)
    return config.chalice_app, config


class Server(ThreadedHTTPServer):
    # socketserver listens with a backlog of 5: a browser, a load test or ten customers opening one link at
    # once had their connections reset. API Gateway takes them all; 50 waiting connections is plenty here.
    request_queue_size = 50


class RequestHandler(ChaliceRequestHandler):
    """Chalice's request handler, answering through local.gateway.Gateway, compressing as API Gateway does
    (gzip when the client accepts it and the body reaches the stage's minimum_compression_size)."""

    def __init__(self, request, client_address, server, app_object: Chalice, config: Config):
        self.local_gateway = Gateway(app_object, config)
        self.minimum_compression_size = config.minimum_compression_size
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def log_request(self, code="-", size="-"):
        self.log_message('"%s %s" %s', self.command, loggable_path(self.path), code)

    def _send_http_response_with_body(self, code, headers, body):
        body = body if isinstance(body, bytes) else body.encode("utf-8")
        if self._compresses(headers, body):
            body = gzip.compress(body, mtime=0)
            headers = {**headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        super()._send_http_response_with_body(code, headers, body)

    def _compresses(self, headers: dict, body: bytes) -> bool:
        minimum = self.minimum_compression_size
        return (minimum is not None and len(body) >= minimum and "Content-Encoding" not in headers
                and accepts_gzip(self.headers.get("accept-encoding")))

    def send_error(self, code, message=None, explain=None):
        """What http.server answers itself (an unknown method such as TRACE, a malformed request line), in the
        API's JSON error shape rather than its HTML page; an unknown method is a 405, as for any route."""
        if code == HTTPStatus.NOT_IMPLEMENTED:
            code, error, text = HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "Méthode non prise en charge."
        else:
            error, text = ("invalid_input" if code == HTTPStatus.BAD_REQUEST else "error"), "Requête refusée."
        body = json.dumps({"error": {"code": error, "message": text, "fields": {}}}).encode()
        self.send_response(code)
        for name, value in {**SECURITY_HEADERS, "Content-Type": "application/json", "Connection": "close",
                            "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """True when the Accept-Encoding header lists gzip (or *) without refusing it with q=0."""
    for part in (accept_encoding or "").lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*") and params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            return True
    return False


def loggable_path(path: str) -> str:
    """The path without its query string, and without the customer's token after /p/."""
    path = path.split("?")[0]
    return re.sub(r"^/p/[^/]+", "/p/<token>", path)


def create_server(app: Chalice, config: Config, port: int) -> LocalDevServer:
    """Binds the port now (OSError if taken); serve() starts answering."""
    validate_routes(app.routes)
    # What chalice.local.create_local_server does: each request thread sees its own current_request.
    # Once per app object: a second server in the same process (another browser test) reuses the class.
    if not isinstance(app, CustomLocalChalice):
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    return LocalDevServer(app, config, HOST, port, handler_cls=RequestHandler, server_cls=Server)


def serve(server: LocalDevServer) -> threading.Thread:
    thread = threading.Thread(target=server.server.serve_forever, name="api", daemon=True)
    thread.start()
    return thread
