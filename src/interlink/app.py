"""create_app(settings): builds the FastAPI application and mounts every capability."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from interlink.assembly import api as assembly_api
from interlink.assembly import pages as assembly_pages
from interlink.blocklist import api as blocklist_api
from interlink.blocklist import pages as blocklist_pages
from interlink.config import Settings, load_settings
from interlink.core import audit
from interlink.core.audit import AuditWriter
from interlink.core.background import PeriodicWorker
from interlink.core.db import Database
from interlink.core.errors import DomainError
from interlink.linking import api as linking_api
from interlink.linking import jobs as linking_jobs
from interlink.linking import pages as linking_pages
from interlink.members import api as members_api
from interlink.members import pages as members_pages
from interlink.messaging import api as messaging_api
from interlink.messaging import pages as messaging_pages
from interlink.messaging import webhooks as messaging_webhooks
from interlink.observability import Metrics, RequestMiddleware, configure_logging
from interlink.oversight import api as oversight_api
from interlink.oversight import pages as oversight_pages
from interlink.records import api as records_api
from interlink.records import jobs as records_jobs
from interlink.records import pages as records_pages
from interlink.screening import api as screening_api
from interlink.screening import jobs as screening_jobs
from interlink.screening import pages as screening_pages
from interlink.state import AppState
from interlink.web import pages as web_pages
from interlink.web.render import STATIC_DIR, render_error

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"

# Each capability contributes an API router and a pages router; order does not matter.
ROUTERS = [
    members_api.router,
    members_pages.router,
    oversight_api.router,
    oversight_pages.router,
    records_api.router,
    records_pages.router,
    screening_api.router,
    screening_pages.router,
    blocklist_api.router,
    blocklist_pages.router,
    assembly_api.router,
    assembly_pages.router,
    messaging_api.router,
    messaging_pages.router,
    linking_api.router,
    linking_pages.router,
    web_pages.router,
]
# Capabilities that need per-process start-up (an index to build, a worker to run) register
# a callable(state) -> list of PeriodicWorker here.
# Capabilities that put per-process objects in AppState.extras when the app is created.
INSTALLERS: list[Any] = [
    records_jobs.install,
    screening_jobs.install,
    linking_jobs.install,
]
STARTUP_HOOKS: list[Any] = [
    records_jobs.retention_workers,
    screening_jobs.screening_workers,
    messaging_webhooks.start_worker,
    linking_jobs.workers,
]


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get(
        "accept", "")


def _problem(request: Request, status: int, title: str, detail: str,
             extra: dict[str, Any] | None = None) -> Response:
    if _wants_html(request):
        return render_error(request, status, title, detail)
    body: dict[str, Any] = {
        "type": f"https://interlink.example/problems/{title.lower().replace(' ', '-')}",
        "title": title, "status": status, "detail": detail, "instance": request.url.path,
    }
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        return _problem(request, exc.status, exc.title, exc.detail, exc.extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"location": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg")}
            for err in exc.errors()
        ]
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors[:5])
        return _problem(request, 422, "Invalid input", detail, {"errors": errors})

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> Response:
        # The database refused a value the client sent (NUL byte, number out of range): the
        # transaction was rolled back, nothing was written.
        reason = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        return _problem(request, 422, "Invalid input", f"a value cannot be stored: {reason}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
        return _problem(request, exc.status_code, title, str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", extra={"fields": {
            "request_id": getattr(request.state, "request_id", None)}})
        return _problem(request, 500, "Internal error",
                        "something went wrong on our side; the request id identifies it")


def _install_operations(app: FastAPI, state: AppState, metrics: Metrics) -> None:
    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> Response:
        try:
            state.db.ping()
        except Exception as exc:  # the database is what readiness means here
            return JSONResponse({"status": "unavailable", "detail": str(exc)[:200]}, 503)
        not_ready = [name for name, ready in state.extras.get("readiness", {}).items()
                     if not ready()]
        if not_ready:
            return JSONResponse({"status": "starting", "waiting_for": not_ready}, 503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    def metrics_endpoint() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    settings = settings or load_settings()
    db = database or Database(settings.resolved_database_url)
    state = AppState(settings=settings, db=db, audit_writer=AuditWriter(db))
    for install in INSTALLERS:
        install(state)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        workers: list[PeriodicWorker] = []
        if settings.background_workers:
            workers.append(PeriodicWorker(
                "audit-sealer", settings.audit_seal_interval, lambda: audit.seal_all(db)).start())
            for hook in STARTUP_HOOKS:
                workers.extend(hook(state))
        try:
            yield
        finally:
            for worker in workers:
                worker.stop()
            state.audit_writer.close()
            if settings.background_workers:
                audit.seal_all(db)

    app = FastAPI(
        title="Interlink",
        version="0.1.0",
        description="The API of Interlink, a platform for multilateral police cooperation.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.interlink = state
    app.add_middleware(RequestMiddleware, metrics=metrics, hsts=settings.secure_cookies)
    _install_error_handlers(app)
    _install_operations(app, state, metrics)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory interlink.app:app_from_env`."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings)


__all__ = ["create_app"]
