"""A route that takes a body refuses a request without one, naming `body`, and changes nothing."""
import json
from pathlib import Path

import pytest

from tests.support import Api, body

OPENAPI = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text(encoding="utf-8"))
ROUTES_WITH_A_BODY = sorted(
    (method.upper(), path)
    for path, operations in OPENAPI["paths"].items()
    for method, operation in operations.items()
    if "requestBody" in operation
)


def test_the_document_has_routes_with_a_body():
    assert ("PUT", "/dealer/legal") in ROUTES_WITH_A_BODY and ("PATCH", "/dealer/settings") in ROUTES_WITH_A_BODY


@pytest.mark.parametrize("raw", [b"", b" \n"], ids=["missing", "blank"])
def test_every_route_that_takes_a_body_refuses_none_naming_body(client, garage, raw):
    admin = Api(client, garage.token(garage.admin))
    for method, path in ROUTES_WITH_A_BODY:
        concrete = path.format_map({name: "01JAAAAAAAAAAAAAAAAAAAAAAA" for name in _parameters(path)})

        answer = admin.send(method, concrete, raw=raw)

        assert answer.status_code == 400, (method, path, answer.body)
        assert body(answer)["error"]["fields"] == {"body": "required"}, (method, path)


def test_replacing_the_legal_details_with_no_body_erases_nothing(client, garage):
    admin = Api(client, garage.token(garage.admin))
    before = body(admin.get("/dealer"))

    refused = [admin.send("PUT", "/dealer/legal", raw=b""), admin.send("PATCH", "/dealer/settings", raw=b"")]

    assert [r.status_code for r in refused] == [400, 400]
    assert body(admin.get("/dealer")) == before
    assert before["legal"]["legal_name"]


def _parameters(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]
