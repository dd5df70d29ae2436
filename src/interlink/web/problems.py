"""The error answers of the API, declared once in the OpenAPI document.

Every error is a problem+json body (RFC 9457, rendered by app.py's handlers); routes do not
list them one by one. The statuses an operation can answer follow from what it is:
- every operation: 400, 404 (an id or a referenced object one may not see), 409 (a state rule),
  422 (invalid input) and 429 (throttled, or an index still loading);
- an operation that needs credentials (everything outside /api/v1/public): 401 and 403;
- an operation with a request body: 413 (the per-route body limit, limits.py).
The standing schemathesis test (tests/standing/test_schema.py) holds the application to this.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_JSON = "application/problem+json"
PUBLIC_PREFIX = "/api/v1/public/"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An error (RFC 9457). Some problems add members, e.g. `errors` for 422.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "location": {"type": "string"},
                    "message": {"type": ["string", "null"]},
                },
            },
        },
    },
    "additionalProperties": True,
}

DESCRIPTIONS = {
    400: "Bad request",
    401: "Not authenticated: no, an expired or a revoked credential",
    403: "Forbidden: the credential lacks the permission",
    404: "Not found, or not visible to the caller (both answer alike)",
    409: "Conflict with the object's state or a rule",
    413: "Content too large for this route",
    422: "Invalid input",
    429: "Too many requests, or an index still loading; retry later",
}


def statuses_for(path: str, operation: dict[str, Any]) -> list[int]:
    statuses = [400, 404, 409, 422, 429]
    if not path.startswith(PUBLIC_PREFIX):
        statuses += [401, 403]
    if "requestBody" in operation:
        statuses.append(413)
    return sorted(statuses)


def declare_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Replace FastAPI's default 422 (a JSON model we never send) by problem+json answers."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in document.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in statuses_for(path, operation):
                responses[str(status)] = {"description": DESCRIPTIONS[status], "content": content}
    # FastAPI's validation models are left unused unless one of ours refers to them.
    for model in ("HTTPValidationError", "ValidationError"):
        schema = schemas.pop(model, None)
        if schema is not None and f'"#/components/schemas/{model}"' in json.dumps(document):
            schemas[model] = schema
    return document


def install(app: FastAPI) -> None:
    """Serve the document with the problems declared (built once, as FastAPI does)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = declare_problems(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
