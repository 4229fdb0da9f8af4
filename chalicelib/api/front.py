"""The seller web front: static files under /app, and the login configuration it starts from.

The files live in chalicelib/static/ (HTML, ES modules, one CSS file; no build step).
Only the files listed when the module first serves one can be served: a request names
an entry of that list, never a path on disk, so "..", "%2e%2e" or an absolute path
find nothing (404). Two levels at most (`/app/main.js`, `/app/screens/leads.js`):
Chalice's local router has no greedy `{proxy+}` path.

These are plain routes, not `endpoint(...)` ones: they are not part of the dealer API
and stay out of its OpenAPI description.
"""
import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from chalice import Blueprint, Response

from chalicelib.api.middleware import error_body
from chalicelib.settings import dev_routes_enabled, settings

front = Blueprint(__name__)

STATIC = Path(__file__).resolve().parent.parent / "static"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
# A file name we serve: lower case letters, digits, dots, dashes, underscores; no leading dot.
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
CONFIG = "config.json"
# The front's routes: plain Chalice routes, left out of the dealer API's OpenAPI document.
INDEX, FILE, FILE_IN_FOLDER = PATHS = ("/app", "/app/{name}", "/app/{folder}/{name}")


@dataclass(frozen=True)
class Asset:
    body: str
    content_type: str
    etag: str


@lru_cache(maxsize=1)
def servable() -> dict[str, Path]:
    """Every file that may be served, by its path relative to static/ ("main.js", "screens/leads.js")."""
    found: dict[str, Path] = {}
    for path in sorted(STATIC.rglob("*")):
        relative = path.relative_to(STATIC)
        if not path.is_file() or len(relative.parts) > 2 or path.suffix not in CONTENT_TYPES:
            continue
        if all(NAME.match(part) for part in relative.parts):
            found[relative.as_posix()] = path
    return found


def asset(name: str) -> Asset | None:
    path = servable().get(name)
    return None if path is None else _read(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=256)
def _read(path: Path, modified_ns: int) -> Asset:
    """A file's content, read once per version of the file (a developer's edit shows on reload)."""
    body = path.read_text(encoding="utf-8")
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    return Asset(body, CONTENT_TYPES[path.suffix], etag)


def content_security_policy() -> str:
    """Scripts and styles from /app only; API calls to this origin, file uploads to the documents bucket,
    and, when sellers log in through Cognito, the code exchange at the hosted UI's token endpoint."""
    connect = " ".join(["'self'", *_upload_origins(), *_login_origins()])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'"
    )


def _upload_origins() -> list[str]:
    """The origin of the presigned PUT URLs the lead documents are uploaded to (S3, or moto locally)."""
    from chalicelib.documents import storage

    try:
        url = storage.upload_url("csp-probe", "application/octet-stream", 1, 60)  # signed locally, no request
    except Exception:  # no credentials: uploads will fail anyway, keep the policy strict
        return []
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme in ("http", "https") and parts.netloc else []


def _login_origins() -> list[str]:
    """The hosted UI's origin, which the front POSTs the authorization code to (/oauth2/token).

    HTTPS only, but for a stand-in on this machine (tests): the code and the verifier travel there."""
    parts = urlsplit(settings().cognito_hosted_ui_url or "")
    secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost"))
    return [f"{parts.scheme}://{parts.netloc}"] if secure and parts.netloc else []


def _headers(content_type: str, cache: str) -> dict[str, str | list[str]]:
    return {
        "Content-Type": content_type,
        "Cache-Control": cache,
        "Content-Security-Policy": content_security_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


def _serve(name: str) -> Response:
    found = asset(name)
    if found is None:
        return _not_found()
    # Not fingerprinted (no build step): the browser revalidates each time, and gets a 304 when unchanged.
    headers: dict[str, str | list[str]] = {**_headers(found.content_type, "no-cache"), "ETag": found.etag}
    if front.current_request.headers.get("if-none-match") == found.etag:
        return Response(body="", status_code=304, headers=headers)
    return Response(body=found.body, status_code=200, headers=headers)


def _not_found() -> Response:
    return Response(body=error_body("not_found", "Fichier inconnu."), status_code=404,
                    headers={**_headers("application/json", "no-store")})


def login_config() -> dict:
    """How the front logs a seller in: the local issuer (dev stage) or Cognito's hosted UI."""
    config = settings()
    redirect_uri = config.cognito_redirect_uri or config.public_base_url.rstrip("/") + "/app"
    if config.cognito_hosted_ui_url:
        return {"login": "cognito", "hosted_ui_url": config.cognito_hosted_ui_url.rstrip("/"),
                "client_id": config.cognito_client_id, "redirect_uri": redirect_uri}
    if dev_routes_enabled() and config.uses_local_issuer:
        return {"login": "local", "hosted_ui_url": None, "client_id": None, "redirect_uri": redirect_uri}
    return {"login": "cognito", "hosted_ui_url": None, "client_id": config.cognito_client_id,
            "redirect_uri": redirect_uri}


@front.route(INDEX, methods=["GET"])
def index():
    raw_path = (front.current_request.context or {}).get("path") or ""
    if raw_path.endswith("/"):
        # /app/ would resolve the page's relative URLs under /app/app/: send the browser to /app.
        return Response(body="", status_code=301, headers={"Location": "../app", "Cache-Control": "no-store"})
    return _serve("index.html")


@front.route(FILE, methods=["GET"])
def file(name: str):
    if name == CONFIG:
        return Response(body=json.dumps(login_config()), status_code=200,
                        headers=_headers("application/json", "no-store"))
    return _serve(name)


@front.route(FILE_IN_FOLDER, methods=["GET"])
def file_in_folder(folder: str, name: str):
    return _serve(f"{folder}/{name}")
