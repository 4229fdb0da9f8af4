"""`chalice local`, with our gateway: the app answers as deployed behind infra/resources.yaml."""
import os
import re
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from chalice import Chalice
from chalice.cli.factory import CLIFactory
from chalice.config import Config
from chalice.deploy.validate import validate_routes
from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer

from local.gateway import Gateway

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def load_app(stage: str = "dev") -> tuple[Chalice, Config]:
    """app.py loaded as `chalice local` loads it: with the stage's variables from .chalice/config.json."""
    config = CLIFactory(str(ROOT), environ=os.environ).create_config_obj(chalice_stage_name=stage)
    return config.chalice_app, config


class RequestHandler(ChaliceRequestHandler):
    """Chalice's request handler, answering through local.gateway.Gateway."""

    def __init__(self, request, client_address, server, app_object: Chalice, config: Config):
        self.local_gateway = Gateway(app_object, config)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def log_request(self, code="-", size="-"):
        self.log_message('"%s %s" %s', self.command, loggable_path(self.path), code)


def loggable_path(path: str) -> str:
    """The path without its query string, and without the customer's token after /p/."""
    path = path.split("?")[0]
    return re.sub(r"^/p/[^/]+", "/p/<token>", path)


def create_server(app: Chalice, config: Config, port: int) -> LocalDevServer:
    """Binds the port now (OSError if taken); serve() starts answering."""
    validate_routes(app.routes)
    # What chalice.local.create_local_server does: each request thread sees its own current_request.
    # Once per process: a second server (another browser test) finds the app already converted.
    if not isinstance(app, LocalChalice):
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    return LocalDevServer(app, config, HOST, port, handler_cls=RequestHandler)


def serve(server: LocalDevServer) -> threading.Thread:
    thread = threading.Thread(target=server.server.serve_forever, name="api", daemon=True)
    thread.start()
    return thread

