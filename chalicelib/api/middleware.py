"""The errors' one shape, for every route: `uniform_errors` (middleware) gives Chalice's own errors and
unexpected failures the JSON error shape (an HTML page on the portal's paths), adds the request id and the
security headers. Imported by app.py for every request, so it imports no route module and no pydantic."""
from typing import Any, Callable

from chalice import Response

from chalicelib.domain import errors
from chalicelib.observability import logger
from chalicelib.settings import settings


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

