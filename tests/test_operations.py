"""Health, readiness, metrics, OpenAPI, request ids and structured logs."""

from __future__ import annotations

import json
import logging

from interlink.core.auth import Role
from interlink.core.db import make_engine
from interlink.observability import JsonFormatter
from tests.support import World


def test_health_and_readiness(world: World) -> None:
    client = world.client()
    assert client.get("/healthz").json() == {"status": "ok"}
    waiting = client.get("/readyz")
    assert waiting.status_code == 503
    assert waiting.json() == {"status": "starting", "waiting_for": ["screening"]}
    world.app.state.interlink.services.screener.engine.build()
    assert client.get("/readyz").json() == {"status": "ready"}


def test_readiness_fails_when_the_database_is_gone(world: World) -> None:
    client = world.client()
    url = world.db.engine.url
    broken = (
        url.set(database="/nonexistent/dir/x.db")
        if world.db.dialect == "sqlite"
        else url.set(port=1)
    )
    world.db.engine.dispose()
    world.db.engine = make_engine(broken.render_as_string(hide_password=False))
    assert client.get("/readyz").status_code == 503


def test_openapi_is_published(world: World) -> None:
    schema = world.client().get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Interlink"
    assert "/api/v1/users" in schema["paths"]


def test_metrics_count_requests(world: World) -> None:
    client = world.client()
    client.get("/healthz")
    text = client.get("/metrics").text
    assert 'interlink_http_requests_total{method="GET",route="/healthz",status="200"}' in text


def test_request_id_is_echoed_or_made(world: World) -> None:
    client = world.client()
    assert (
        client.get("/healthz", headers={"x-request-id": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    made = client.get("/healthz", headers={"x-request-id": "bad id with spaces"})
    assert made.headers["x-request-id"] != "bad id with spaces"
    assert len(made.headers["x-request-id"]) == 32


def test_request_id_reaches_the_audit_entry(world: World) -> None:
    admin = world.api_as(world.user("NCB-MA", Role.NCB_ADMIN, mfa=True))
    admin.get("/api/v1/audit", headers={"x-request-id": "trace-42"})
    with world.db.session() as session:
        from sqlalchemy import select

        from interlink.core.audit import AuditEntry

        ids = session.scalars(
            select(AuditEntry.request_id).where(AuditEntry.action == "audit.query")
        ).all()
    assert "trace-42" in ids


def test_access_log_lines_are_json_with_request_id(world: World, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="interlink.access"):
        world.client().get("/healthz", headers={"x-request-id": "log-1"})
    record = next(r for r in caplog.records if r.name == "interlink.access")
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "log-1" and line["status"] == 200 and line["path"] == "/healthz"


def test_unknown_api_path_is_problem_json(world: World) -> None:
    response = world.client().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_unknown_page_is_html_for_browsers(world: World) -> None:
    response = world.client().get("/nothing-here", headers={"accept": "text/html"})
    assert response.status_code == 404 and "<html" in response.text
