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
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from interlink.config import Settings, load_settings
from interlink.core import audit, validation
from interlink.core.audit import AuditWriter
from interlink.core.background import PeriodicWorker
from interlink.core.checkpoints import CheckpointSigner, checkpoint_head
from interlink.core.db import Database
from interlink.core.errors import DomainError, Unauthenticated
from interlink.core.i18n import N_, LocaleMiddleware, msg, translate
from interlink.limits import BodyLimitMiddleware, BodyLimits
from interlink.observability import Metrics, RequestMiddleware, configure_logging
from interlink.state import AppState
from interlink.web import api_docs, problems
from interlink.web import pages as web_pages
from interlink.web.render import STATIC_DIR, redirect, render_error, set_navigation
from interlink.wiring import NAV, ROUTERS, start_workers

log = logging.getLogger(__name__)
# The details Starlette and FastAPI give their own HTTP errors (an unknown route, a method
# the route does not take...): msgids, so the handler answers them in the reader's language.
STARLETTE_DETAILS = (
    N_("Not Found"),
    N_("Method Not Allowed"),
    N_("Unauthorized"),
    N_("There was an error parsing the body"),
)
PROBLEM_JSON = problems.PROBLEM_JSON


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get(
        "accept", ""
    )


def _problem(
    request: Request, status: int, title: str, detail: str, extra: dict[str, Any] | None = None
) -> Response:
    # The type is named from the English title; title and detail speak the reader's language.
    problem_type = f"https://interlink.example/problems/{title.lower().replace(' ', '-')}"
    title, detail = translate(title), translate(detail)
    if _wants_html(request):
        return render_error(request, status, title, detail)
    body: dict[str, Any] = {
        "type": problem_type,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if isinstance(exc, Unauthenticated) and request.method == "GET" and _wants_html(request):
            # A page asked for while logged out: log in, then come back to it.
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return redirect(web_pages.login_url(target))
        return _problem(request, exc.status, exc.title, exc.detail, exc.extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        # Pydantic's messages in the reader's language (core/validation.py); the location
        # is an API path and stays as it is.
        errors = [
            {"location": validation.location(err), "message": translate(validation.message(err))}
            for err in exc.errors()
        ]
        detail = validation.described(exc.errors()[:5])
        return _problem(request, 422, N_("Invalid input"), detail, {"errors": errors})

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> Response:
        # The database refused a value the client sent (NUL byte, number out of range): the
        # transaction was rolled back, nothing was written.
        reason = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        return _problem(
            request,
            422,
            N_("Invalid input"),
            msg("a value cannot be stored: %(reason)s", reason=reason),
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        title = {
            404: N_("Not found"),
            405: N_("Method not allowed"),
            413: N_("Content too large"),
        }.get(exc.status_code, N_("HTTP error"))
        # Starlette's own details are its status phrases (STARLETTE_DETAILS); ours are Msgs.
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return _problem(request, exc.status_code, title, detail)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception(
            "unhandled error",
            extra={"fields": {"request_id": getattr(request.state, "request_id", None)}},
        )
        return _problem(
            request,
            500,
            N_("Internal error"),
            N_("something went wrong on our side; the request id identifies it"),
        )


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
        not_ready = [name for name, ready in state.services.readiness.items() if not ready()]
        if not_ready:
            return JSONResponse({"status": "starting", "waiting_for": not_ready}, 503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    def metrics_endpoint() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    settings = settings or load_settings()
    db = database or Database(settings.resolved_database_url, audit_mac_key=settings.audit_mac_key)
    state = AppState(settings=settings, db=db, audit_writer=AuditWriter(db)).with_services()
    set_navigation(NAV)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        workers: list[PeriodicWorker] = []
        if settings.background_workers:
            workers.append(
                PeriodicWorker(
                    "audit-sealer", settings.audit_seal_interval, lambda: audit.seal_all(db)
                ).start()
            )
            signer = CheckpointSigner.from_file(settings.audit_signing_key_file)
            workers.append(
                PeriodicWorker(
                    "audit-checkpoint",
                    settings.audit_checkpoint_interval,
                    lambda: checkpoint_head(db, signer),
                ).start()
            )
            workers.extend(start_workers(state))
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
        docs_url=None,  # served by web.api_docs, without a CDN and within the CSP
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.interlink = state
    app.add_middleware(BodyLimitMiddleware, limits=BodyLimits.from_settings(settings))
    app.add_middleware(LocaleMiddleware)
    app.add_middleware(RequestMiddleware, metrics=metrics, hsts=settings.secure_cookies)
    # Outermost: every layer below sees the client address, not the proxy's.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    _install_error_handlers(app)
    _install_operations(app, state, metrics)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    api_docs.mount_assets(app)
    for router in ROUTERS:
        app.include_router(router)
    problems.install(app)
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory interlink.app:app_from_env`."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings)


__all__ = ["create_app"]
