"""The local server (`make dev`, browser tests) behind the app: connections, methods and compression as
API Gateway handles them."""
import gzip
import json
import os
import socket
from contextlib import ExitStack
from pathlib import Path

import pytest
from chalice.cli.factory import CLIFactory

import app as application
from local.dynamodb_local import free_port
from local.server import HOST, accepts_gzip, create_server, serve

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server():
    """The server as `make dev` builds it (the dev stage's settings from .chalice/config.json), bound but not
    answering yet: a test decides when it starts."""
    config = CLIFactory(str(ROOT), environ=os.environ).create_config_obj(chalice_stage_name="dev")
    created = create_server(application.app, config, free_port())
    yield created
    created.server.shutdown()
    created.server.server_close()


def exchange(connection: socket.socket, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Sends one HTTP/1.1 request and reads the whole answer (the server closes or says its length)."""
    connection.sendall(request)
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    while len(body) < int(headers.get("content-length", "0")):
        body += connection.recv(65536)
    return int(status_line.split()[1]), headers, body


def test_fifty_connections_arriving_at_once_are_all_answered(server):
    with ExitStack() as stack:
        # Opened before the server accepts any: they wait in the listen backlog (5 by default reset the rest).
        connections = [stack.enter_context(socket.create_connection((HOST, server.port), timeout=60))
                       for _ in range(50)]
        serve(server)

        answers = [exchange(c, b"GET /p/favicon.svg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                   for c in connections]

    assert {status for status, _, _ in answers} == {200}


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND"])
def test_an_unknown_method_is_refused_in_the_error_shape(server, method):
    serve(server)
    with socket.create_connection((HOST, server.port), timeout=5) as connection:
        status, headers, body = exchange(connection, f"{method} /dealer HTTP/1.1\r\nHost: x\r\n\r\n".encode())

    assert status == 405
    assert headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff"
    assert json.loads(body)["error"]["code"] == "method_not_allowed"


def test_a_body_is_gzipped_when_the_client_accepts_it(server):
    serve(server)
    with socket.create_connection((HOST, server.port), timeout=5) as connection:
        status, headers, body = exchange(connection, b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n"
                                                     b"Accept-Encoding: gzip, deflate, br\r\n\r\n")
        plain_status, plain_headers, plain = exchange(connection, b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")

    assert (status, headers["content-encoding"], headers["vary"]) == (200, "gzip", "Accept-Encoding")
    assert gzip.decompress(body) == plain
    assert len(body) < len(plain) / 4
    assert plain_status == 200 and "content-encoding" not in plain_headers
    assert json.loads(plain)["openapi"] == "3.1.0"


def test_a_small_body_is_sent_as_it_is(server):
    serve(server)
    with socket.create_connection((HOST, server.port), timeout=5) as connection:
        status, headers, body = exchange(connection, b"GET /no-such-route HTTP/1.1\r\nHost: x\r\n"
                                                     b"Accept-Encoding: gzip\r\n\r\n")

    assert status == 404 and "content-encoding" not in headers
    assert json.loads(body)["error"]["code"] == "not_found"


@pytest.mark.parametrize("header, accepted", [
    ("gzip", True), ("deflate, gzip;q=0.5", True), ("*", True), ("br", False), ("gzip;q=0", False), (None, False),
])
def test_gzip_is_used_only_when_accepted(header, accepted):
    assert accepts_gzip(header) is accepted
