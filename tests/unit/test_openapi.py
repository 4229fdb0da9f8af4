"""docs/openapi.json is the API as deployed, valid OpenAPI 3.1, and says what every route does."""
import difflib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from chalicelib.api import front

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "docs" / "openapi.json"
# Not the dealer API: the document itself, and the seller front's static files.
NOT_DOCUMENTED = {"/openapi.json", *front.PATHS}
PORTAL = "/p/"  # the customer portal's HTML pages: described in docs/api.md, not in the dealer API's document


def _generated() -> str:
    """What `make openapi` writes, from a clean process (the generator loads the prod stage's app)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OFFERLINE_", "AWS_ENDPOINT_URL"))}
    done = subprocess.run(
        [sys.executable, "-m", "local.openapi"], cwd=ROOT, env=env, capture_output=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def generated() -> str:
    return _generated()


@pytest.fixture(scope="module")
def snapshot() -> dict:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_the_committed_document_is_the_generated_one(generated):
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if generated != committed:
        diff = "".join(list(difflib.unified_diff(
            committed.splitlines(keepends=True), generated.splitlines(keepends=True),
            "docs/openapi.json", "generated", n=1,
        ))[:60])
        pytest.fail(f"docs/openapi.json is out of date: run `make openapi`\n{diff}", pytrace=False)


def test_the_document_is_valid_openapi_3_1(snapshot):
    assert snapshot["openapi"].startswith("3.1.")
    validate(snapshot, cls=OpenAPIV31SpecValidator)


def test_every_deployed_route_is_documented_with_a_summary(snapshot):
    from app import app  # the dev stage app (tests run in dev): it has every route, dev ones included

    expected = {
        (path, method.lower())
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        if path not in NOT_DOCUMENTED and not path.startswith(PORTAL) and not _dev_only(path, entry)
    }
    documented = {
        (path, method): operation.get("summary", "").strip()
        for path, operations in snapshot["paths"].items()
        for method, operation in operations.items()
    }
    assert expected, "the app has no routes?"
    assert sorted(expected - set(documented)) == [], "routes missing from docs/openapi.json: run `make openapi`"
    assert sorted(set(documented) - expected) == [], "docs/openapi.json documents routes the app does not have"
    assert sorted(key for key, summary in documented.items() if not summary) == [], "operations without a summary"


def test_dev_only_routes_are_not_in_the_document(snapshot):
    assert [p for p in snapshot["paths"] if p.startswith("/dev/")] == []
    tags = {tag for operations in snapshot["paths"].values() for op in operations.values() for tag in op["tags"]}
    assert "dev" not in tags


def _dev_only(path: str, entry) -> bool:
    operation = getattr(entry.view_function, "operation", None)
    return path.startswith("/dev/") or (operation is not None and operation.tag == "dev")
