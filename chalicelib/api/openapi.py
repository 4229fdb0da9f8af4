"""The OpenAPI 3.1 description of the dealer API, built from the routes and their models."""
import re
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from chalicelib.api.http import Operation

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                "request_id": {"type": "string"},
            },
        }
    },
}


def build(app: Any, title: str = "Offerline dealer API", version: str = "1") -> dict:
    operations = [
        (path, method, entry.view_function.operation)
        for path, methods in sorted(app.routes.items())
        for method, entry in sorted(methods.items())
        if hasattr(entry.view_function, "operation")
    ]
    inputs: list[tuple[tuple[str, str, str], JsonSchemaMode, TypeAdapter[Any]]] = []
    for path, method, op in operations:
        if op.body is not None:
            inputs.append(((path, method, "body"), "validation", TypeAdapter(op.body)))
        if op.response is not None:
            inputs.append(((path, method, "response"), "serialization", TypeAdapter(op.response)))
    refs, definitions = TypeAdapter.json_schemas(inputs, ref_template="#/components/schemas/{model}")
    paths: dict[str, dict] = {}
    for path, method, op in operations:
        paths.setdefault(path, {})[method.lower()] = _operation(path, method, op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": {**definitions.get("$defs", {}), "Error": ERROR_SCHEMA},
            "securitySchemes": {"sellerJwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _operation(path: str, method: str, op: Operation, refs: dict) -> dict:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    described: dict[str, Any] = {
        "summary": op.summary,
        "tags": [op.tag],
        "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
        "responses": {
            str(op.status): {"description": "OK"},
            "400": {"description": "Invalid input", **error},
            "404": {"description": "Not found", **error},
            "500": {"description": "Unexpected failure (the body carries a request id)", **error},
        },
    }
    if op.response is not None:
        schema = refs[((path, method, "response"), "serialization")]
        described["responses"][str(op.status)]["content"] = {"application/json": {"schema": schema}}
    if method != "GET":
        described["responses"]["409"] = {"description": "Conflicts with the current state", **error}
        described["responses"]["413"] = {"description": "Body over 1 MB", **error}
    if op.body is not None:
        schema = refs[((path, method, "body"), "validation")]
        described["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    if op.body_media is not None:
        described["requestBody"] = {"required": True, "content": {
            op.body_media: {"schema": {"type": "string", "contentMediaType": op.body_media}}}}
        described["responses"]["415"] = {"description": f"Body not sent as {op.body_media}", **error}
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", path)
    ]
    if parameters:
        described["parameters"] = parameters
    if op.authenticated:
        described["security"] = [{"sellerJwt": []}]
        described["responses"]["401"] = {"description": "Missing or invalid token", **error}
        described["responses"]["403"] = {"description": "Not allowed for this role or dealer option", **error}
    return described
