"""How every dealer API route parses, answers and fails, written once.

`endpoint` registers a route whose domain errors and invalid input become the one
JSON error shape (`middleware.py`; its `uniform_errors` gives Chalice's own errors that
shape too, adds the request id and the security headers).
"""
import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from chalice import Blueprint, Chalice, Response
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from chalicelib.api.middleware import error_response
from chalicelib.domain import errors
from chalicelib.domain.dealers import Staff
from chalicelib.domain.leads.views import NOW_RELATIVE

Model = TypeVar("Model", bound=BaseModel)


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
