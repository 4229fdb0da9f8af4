"""The seller front's files: only the listed files are served, with their type, a strict CSP and revalidation."""
import json
import re
from pathlib import Path

import pytest

import app as application
from chalicelib.api import front, openapi
from chalicelib.clients import client as aws_client
from chalicelib.settings import settings
from local.client import Client

STATIC = Path(front.__file__).resolve().parent.parent / "static"


@pytest.fixture(scope="module")
def http():
    with Client(application.app) as chalice:
        yield chalice.http


@pytest.mark.parametrize("path, content_type", [
    ("/app", "text/html; charset=utf-8"),
    ("/app/main.js", "text/javascript; charset=utf-8"),
    ("/app/screens/leads.js", "text/javascript; charset=utf-8"),
    ("/app/style.css", "text/css; charset=utf-8"),
    ("/app/icon.svg", "image/svg+xml"),
])
def test_each_file_is_served_with_its_content_type(http, path, content_type):
    response = http.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type


def test_the_page_loads_the_front_from_app_relative_urls(http):
    page = http.get("/app").body.decode()
    assert '<script type="module" src="app/main.js"></script>' in page
    assert '<link rel="stylesheet" href="app/style.css">' in page
    assert '<html lang="fr">' in page


def test_every_response_carries_the_security_headers(http):
    for path in ("/app", "/app/main.js", "/app/config.json", "/app/nothing-here.js"):
        headers = http.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "Content-Security-Policy" in headers


def test_the_policy_allows_scripts_and_styles_from_this_origin_only(http):
    policy = dict(
        directive.strip().split(" ", 1) for directive in http.get("/app").headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["connect-src"].split()[0] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert "unsafe-inline" not in http.get("/app").headers["Content-Security-Policy"]


def test_the_policy_lets_the_browser_upload_documents_to_the_bucket_only(http, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4599")
    aws_client.cache_clear()
    try:
        policy = http.get("/app").headers["Content-Security-Policy"]
    finally:
        monkeypatch.delenv("AWS_ENDPOINT_URL_S3")
        aws_client.cache_clear()
    connect = next(d for d in policy.split(";") if d.strip().startswith("connect-src"))
    assert connect.split()[1:] == ["'self'", "http://127.0.0.1:4599"]


def test_files_are_revalidated_and_an_unchanged_file_answers_304(http):
    first = http.get("/app/main.js")
    assert first.headers["Cache-Control"] == "no-cache"
    again = http.get("/app/main.js", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.body in (b"", "")
    assert http.get("/app/main.js", headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize("path", [
    "/app/..%2Fapp.py",
    "/app/%2e%2e%2fsettings.py",
    "/app/../app.py",
    "/app/../../app.py",
    "/app/..%2F..%2Fapp.py",
    "/app/screens/..%2F..%2Fapi%2Ffront.py",
    "/app/%2e%2e/api/front.py",
    "/app/api/front.py",
    "/app/%2Fetc%2Fpasswd",
    "/app/index.html%00.js",
    "/app/.hidden.js",
    "/app/MAIN.JS",
    "/app/missing.js",
    "/app/screens/missing.js",
    "/app/README.md",
])
def test_anything_but_a_listed_file_is_refused(http, path):
    response = http.get(path)
    assert response.status_code == 404
    assert json.loads(response.body)["error"]["code"] == "not_found"


def test_only_front_files_two_levels_deep_are_listed():
    listed = front.servable()
    assert "index.html" in listed and "main.js" in listed and "screens/lead.js" in listed
    assert all(len(name.split("/")) <= 2 and Path(name).suffix in front.CONTENT_TYPES for name in listed)
    assert all(path.resolve().is_relative_to(STATIC) for path in listed.values())


def test_every_module_the_front_imports_is_served():
    """A broken import would leave the seller with a blank page: each one names a listed file."""
    listed = front.servable()
    for name in [n for n in listed if n.endswith(".js")]:
        source = listed[name].read_text(encoding="utf-8")
        for target in re.findall(r'^\s*(?:import|export)\s[^;]*?from\s+"(\.{1,2}/[^"]+)"', source, re.M | re.S):
            resolved = (Path(name).parent / target).as_posix()
            resolved = re.sub(r"(^|/)\./", r"\1", resolved)
            while "/../" in f"/{resolved}":
                resolved = re.sub(r"[^/]+/\.\./", "", resolved, count=1)
            assert resolved in listed, f"{name} imports {target}, which is not served"


def test_a_trailing_slash_sends_the_browser_to_app(http):
    response = http.get("/app/")
    assert response.status_code == 301
    assert response.headers["Location"] == "../app"


def test_the_front_logs_in_through_the_local_issuer_in_development(http):
    config = json.loads(http.get("/app/config.json").body)
    assert config == {"login": "local", "hosted_ui_url": None, "client_id": None,
                      "redirect_uri": "http://localhost:8000/app"}


def test_with_cognito_settings_the_front_logs_in_through_the_hosted_ui(http, monkeypatch):
    monkeypatch.setenv("OFFERLINE_COGNITO_HOSTED_UI_URL", "https://offerline.auth.eu-west-3.amazoncognito.com/")
    monkeypatch.setenv("OFFERLINE_COGNITO_CLIENT_ID", "abc123client")
    monkeypatch.setenv("OFFERLINE_PUBLIC_BASE_URL", "https://app.offerline.fr")
    settings.cache_clear()
    try:
        response = http.get("/app/config.json")
    finally:
        monkeypatch.undo()
        settings.cache_clear()
    assert response.headers["Cache-Control"] == "no-store"
    assert json.loads(response.body) == {
        "login": "cognito", "hosted_ui_url": "https://offerline.auth.eu-west-3.amazoncognito.com",
        "client_id": "abc123client", "redirect_uri": "https://app.offerline.fr/app",
    }


HOSTED_UI = "https://offerline.auth.eu-west-3.amazoncognito.com"


def _with_settings(monkeypatch, http, path: str, **variables: str):
    """The response to `path` under these OFFERLINE_* settings, the usual settings restored after."""
    for name, value in variables.items():
        monkeypatch.setenv(f"OFFERLINE_{name.upper()}", value)
    settings.cache_clear()
    try:
        return http.get(path)
    finally:
        monkeypatch.undo()
        settings.cache_clear()


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(directive.strip().split(" ", 1) for directive in policy.split(";"))


def test_with_cognito_the_front_comes_back_to_the_redirect_uri_it_is_given(http, monkeypatch):
    response = _with_settings(monkeypatch, http, "/app/config.json", cognito_hosted_ui_url=HOSTED_UI,
                              cognito_client_id="abc123client",
                              cognito_redirect_uri="https://vendeurs.offerline.fr/api/app")
    assert json.loads(response.body) == {
        "login": "cognito", "hosted_ui_url": HOSTED_UI, "client_id": "abc123client",
        "redirect_uri": "https://vendeurs.offerline.fr/api/app",
    }


def test_with_cognito_the_policy_lets_the_front_exchange_the_code_at_the_hosted_ui_only(http, monkeypatch):
    without = _directives(http.get("/app"))
    with_cognito = _directives(_with_settings(monkeypatch, http, "/app", cognito_hosted_ui_url=HOSTED_UI + "/",
                                              cognito_client_id="abc123client"))
    assert with_cognito["connect-src"].split() == [*without["connect-src"].split(), HOSTED_UI]
    assert {k: v for k, v in with_cognito.items() if k != "connect-src"} == \
        {k: v for k, v in without.items() if k != "connect-src"}
    assert with_cognito["form-action"] == "'self'" and with_cognito["default-src"] == "'none'"


@pytest.mark.parametrize("path", ["/app", "/app/main.js", "/app/config.json", "/app/nothing-here.js"])
def test_with_cognito_every_response_carries_the_same_policy(http, monkeypatch, path):
    policy = _with_settings(monkeypatch, http, path, cognito_hosted_ui_url=HOSTED_UI).headers["Content-Security-Policy"]
    assert "connect-src 'self' " in policy and policy.count(HOSTED_UI) == 1


def test_without_cognito_the_policy_names_no_login_service(http):
    assert "amazoncognito" not in http.get("/app").headers["Content-Security-Policy"]
    assert _directives(http.get("/app"))["connect-src"].split()[0] == "'self'"


@pytest.mark.parametrize("hosted_ui", ["http://offerline.auth.eu-west-3.amazoncognito.com", "not a url", ""])
def test_a_hosted_ui_without_https_is_not_allowed_by_the_policy(http, monkeypatch, hosted_ui):
    without = _directives(http.get("/app"))["connect-src"]
    policy = _with_settings(monkeypatch, http, "/app", cognito_hosted_ui_url=hosted_ui)
    assert _directives(policy)["connect-src"] == without


def test_the_front_needs_no_token_but_the_api_still_does(http):
    assert http.get("/app").status_code == 200
    assert http.get("/leads").status_code == 401


def test_the_front_is_not_part_of_the_dealer_api_description():
    paths = openapi.build(application.app)["paths"]
    assert not [path for path in paths if path == "/app" or path.startswith("/app/")]
    assert set(front.PATHS) <= set(application.app.routes)
