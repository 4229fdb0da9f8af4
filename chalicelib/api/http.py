"""How every dealer API route parses, answers and fails, written once.

`endpoint` registers a route whose domain errors and invalid input become the one
JSON error shape; `uniform_errors` (middleware) gives Chalice's own errors that
shape too, adds the request id and the security headers.
"""
import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from chalice import Blueprint, Chalice, Response
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from chalicelib.domain import errors
from chalicelib.domain.dealers import Staff
from chalicelib.domain.leads.views import NOW_RELATIVE
from chalicelib.observability import logger
from chalicelib.settings import settings

Model = TypeVar("Model", bound=BaseModel)


class UnsupportedMediaType(errors.InvalidInput):
    """A body in a format the route does not read (the portal's forms are url-encoded only)."""
    code = "unsupported_media_type"


STATUS = {
    UnsupportedMediaType: 415,
    errors.InvalidInput: 400,
    errors.NotAuthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Gone: 410,
    errors.PayloadTooLarge: 413,
    errors.TooManyRequests: 429,
}

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
}


def status_of(error: errors.DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


def error_body(code: str, message: str, fields: dict[str, str] | None = None, **extra: Any) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def error_response(error: errors.DomainError) -> Response:
    return Response(
        body=error_body(error.code, error.message, error.fields),
        status_code=status_of(error),
        headers={"Content-Type": "application/json"},
    )


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says of one route."""
    summary: str
    body: type | None
    response: Any
    status: int
    authenticated: bool
    tag: str
    body_media: str | None = None
    """A body that is a file of this media type (raw bytes), not JSON."""


def endpoint(
    bp: Blueprint | Chalice,
    path: str,
    *,
    summary: str,
    method: str = "GET",
    body: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    authorizer: Any = None,
    tag: str = "dealer",
    body_media: str | None = None,
) -> Callable:
    """Registers a JSON route; the view returns a model (or list of models) or raises a DomainError.
    `body_media` (e.g. application/pdf): the body is a file of that type, read by the view as raw bytes."""

    def register(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(**params: str) -> Response:
            try:
                if body is not None or body_media is not None:
                    require_body(bp.current_request)
                result = view(**params)
            except errors.DomainError as error:
                return error_response(error)
            if isinstance(result, Response):
                return result
            payload = to_json(result)
            if method != "GET":
                return Response(body=payload, status_code=status, headers={"Content-Type": "application/json"})
            return conditional(bp.current_request, payload)

        setattr(guarded, "operation", Operation(summary, body, response, status, authorizer is not None, tag,
                                                body_media))
        content_types = _ANY_CONTENT + ([body_media, "application/octet-stream"] if body_media else [])
        bp.route(path, methods=[method], authorizer=authorizer, content_types=content_types)(guarded)
        return view

    return register


def conditional(request: Any, payload: str) -> Response:
    """A read answered with its ETag; 304 without a body when the caller already has this version
    (If-None-Match): the seller front's screens poll their reads this way (docs/front.md)."""
    tag = etag_of(payload)
    headers: dict[str, str | list[str]] = {"ETag": tag}
    asked = (request.headers.get("if-none-match") or "") if request is not None else ""
    if tag in (candidate.strip() for candidate in asked.split(",")):
        return Response(body="", status_code=304, headers=headers)
    return Response(body=payload, status_code=200, headers={"Content-Type": "application/json", **headers})


def etag_of(payload: str) -> str:
    """A weak tag of what the body says, leaving out the figures that only count time passing (a
    countdown): those change every second and tell nothing new."""
    basis = payload
    if any(name in payload for name in NOW_RELATIVE):
        basis = json.dumps(_without(json.loads(payload)), sort_keys=True)
    return f'W/"{hashlib.sha256(basis.encode()).hexdigest()[:32]}"'


def _without(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without(v) for k, v in value.items() if k not in NOW_RELATIVE}
    if isinstance(value, list):
        return [_without(v) for v in value]
    return value


# Accepted by Chalice so that `parse` answers a wrong content type in our own error shape.
_ANY_CONTENT = ["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]


def to_json(result: Any) -> str:
    if isinstance(result, BaseModel):
        return result.model_dump_json()
    if isinstance(result, list):
        return "[" + ",".join(to_json(r) for r in result) + "]"
    return json.dumps(result, default=str)


def require_body(request: Any) -> None:
    """A route that takes a body refuses none at all: read as `{}` it would erase (PUT) or do nothing
    (PATCH) and still answer 200. Checked before the view, so nothing is read or changed."""
    if not (request.raw_body or b"").strip():
        raise errors.InvalidInput("Le corps de la requête est requis.", {"body": "required"})


def parse(model: type[Model], request: Any) -> Model:
    """The request body as a validated command, or a 4xx naming each bad field."""
    raw = request.raw_body or b""
    content_type = (request.headers.get("content-type") or "application/json").split(";")[0].strip()
    if content_type != "application/json":
        raise errors.InvalidInput("Le corps doit être du JSON (Content-Type: application/json).",
                                  {"body": "expected application/json"})
    try:
        return model.model_validate_json(raw)
    except ValidationError as invalid:
        raise errors.InvalidInput("Requête invalide.", fields_of(invalid)) from None


def parse_query(model: type[Model], request: Any) -> Model:
    params = dict(request.query_params or {})
    try:
        return TypeAdapter(model).validate_python(params, strict=False)
    except ValidationError as invalid:
        raise errors.InvalidInput("Paramètres invalides.", fields_of(invalid)) from None


def fields_of(invalid: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for problem in invalid.errors(include_url=False):
        name = ".".join(str(part) for part in problem["loc"]) or "body"
        fields.setdefault(name, _describe(problem))
    return fields


def _describe(problem: ErrorDetails) -> str:
    if problem["type"] == "json_invalid":
        return "malformed JSON"
    if problem["type"] == "extra_forbidden":
        return "unknown field"
    return problem["msg"]


def current_staff(bp: Blueprint | Chalice) -> Staff:
    """The caller as the authorizer verified them (never from the body)."""
    request = bp.current_request
    context = (request.context.get("authorizer") if request is not None else None) or {}
    try:
        return Staff(dealer_id=context["dealer_id"], user_id=context["user_id"], role=context["role"])
    except (KeyError, ValueError):
        raise errors.NotAuthenticated("Authentification requise.") from None


# --- middleware -------------------------------------------------------------------------

_CHALICE_CODES = {
    400: "invalid_input", 401: "not_authenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 429: "too_many_requests",
}


# Paths answered with HTML pages (the customer portal): their errors are pages too, never JSON.
_error_pages: dict[str, Callable[[int, str], Response]] = {}


def error_pages(path_prefix: str, render: Callable[[int, str], Response]) -> None:
    """Errors of requests under `path_prefix` are rendered by `render(status, French message)`."""
    _error_pages[path_prefix] = render


def _page_renderer(event: Any) -> Callable[[int, str], Response] | None:
    path = getattr(event, "path", None) or ""
    return next((render for prefix, render in _error_pages.items() if path.startswith(prefix)), None)


def uniform_errors(event: Any, get_response: Callable) -> Response:
    """Gives every error the project's JSON shape (or, on page paths, an HTML page), hides stack traces,
    adds request id and headers. Responses the routes built themselves are left as they are."""
    request_id = getattr(getattr(event, "lambda_context", None), "aws_request_id", None) or "unknown"
    page = _page_renderer(event)
    try:
        if len(getattr(event, "raw_body", None) or b"") > settings().max_body_bytes:
            response = (page(413, "Le formulaire envoyé est trop volumineux.") if page
                        else error_response(errors.PayloadTooLarge("Le corps de la requête dépasse 1 Mo.")))
        else:
            response = get_response(event)
    except Exception:
        logger.exception("unhandled error")
        response = page(500, "Erreur interne.") if page else _internal_error()
    if _is_chalice_error(response):
        if page:
            response = page(response.status_code, "Requête refusée.")
        elif response.status_code >= 500:
            response = _internal_error()
        else:
            message = response.body.get("Message") or "Requête refusée."
            response = Response(
                body=error_body(_CHALICE_CODES.get(response.status_code, "error"), message),
                status_code=response.status_code,
                headers={**response.headers, "Content-Type": "application/json"},
            )
    if response.status_code >= 500 and isinstance(response.body, dict) and "error" in response.body:
        response.body["error"]["request_id"] = request_id
    response.headers = {**SECURITY_HEADERS, **response.headers, "X-Request-Id": request_id}
    return response


def _is_chalice_error(response: Response) -> bool:
    return isinstance(response.body, dict) and set(response.body) == {"Code", "Message"}


def _internal_error() -> Response:
    return Response(
        body=error_body("internal_error", "Erreur interne : réessayez ; si elle persiste, donnez l'identifiant "
                                          "de requête au support."),
        status_code=500,
        headers={"Content-Type": "application/json"},
    )

