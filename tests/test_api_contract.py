"""Every API endpoint answers malformed input with a 4xx problem+json, never a 500.

The endpoints are discovered from the application itself, so new capabilities are covered
without editing this file.
"""

from __future__ import annotations

import re

import pytest

from interlink.core.auth import Role
from tests.support import World

GARBAGE_BODIES: list[tuple[str, bytes, str]] = [
    ("not json", b"{not json", "application/json"),
    ("wrong type", b"[1, 2, 3]", "application/json"),
    ("string", b'"hello"', "application/json"),
    ("empty object", b"{}", "application/json"),
    (
        "nulls",
        b'{"id": null, "name": null, "org_id": "x", "permissions": "all"}',
        "application/json",
    ),
    ("deep", b"[" * 2000 + b"]" * 2000, "application/json"),
    ("huge number", b'{"org_id": 1e400, "days": 99999999999999999999999}', "application/json"),
    ("form instead of json", b"a=1&b=2", "application/x-www-form-urlencoded"),
    ("binary", bytes(range(256)), "application/octet-stream"),
]
GARBAGE_PATH_VALUES = ["abc", "-1", "99999999999999999999999", "%00", "1.5", "'; DROP TABLE x"]
GARBAGE_QUERY = {
    "limit": "-5",
    "cursor": "!!notacursor",
    "since": "yesterday",
    "kind": "nonsense",
    "actor_org_id": "x",
}


def _api_routes(app) -> list[tuple[str, str]]:
    """Every documented API operation, read from the OpenAPI schema the app publishes."""
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/")
        for method in operations
    ]


def _fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


@pytest.fixture
def clients(world: World) -> list:
    """Callers of every kind, so each endpoint's deeper validation is reached by someone."""
    return [
        world.api_as(world.user(org, *roles, mfa=True))
        for org, roles in (
            ("GS", (Role.GS_ADMIN, Role.COMPLIANCE_REVIEWER)),
            ("NCB-MA", (Role.SUPERVISOR, Role.NCB_ADMIN, Role.DELEGATE)),
            ("CCF", (Role.OVERSIGHT,)),
        )
    ]


def _assert_problem(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), what
        body = response.json()
        assert body["status"] == response.status_code and body["detail"], what


def test_every_endpoint_rejects_garbage_with_problem_json(world: World, clients) -> None:
    routes = _api_routes(world.app)
    assert len(routes) >= 10
    for client in clients:
        for method, path in routes:
            for value in GARBAGE_PATH_VALUES:
                url = _fill(path, value)
                response = client.request(method, url, params=GARBAGE_QUERY)
                _assert_problem(response, f"{method} {url} with garbage query")
                if method in ("POST", "PUT", "PATCH"):
                    for name, body, ctype in GARBAGE_BODIES:
                        response = client.request(
                            method, url, content=body, headers={"content-type": ctype}
                        )
                        _assert_problem(response, f"{method} {url} with {name} body")


def test_unauthenticated_calls_get_401_problem(world: World) -> None:
    client = world.client()
    for method, path in _api_routes(world.app):
        response = client.request(method, _fill(path, "1"))
        if path.startswith("/api/v1/public"):
            continue
        assert response.status_code == 401, f"{method} {path}"
        assert response.headers["content-type"] == "application/problem+json"
