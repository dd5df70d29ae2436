"""The API's interactive documentation, served whole by the app: Swagger UI and ReDoc come from
the fastapi-offline package (no CDN: a bureau's network may be closed), and the pages start
them from a script file, so the Content-Security-Policy keeps `script-src 'self'` (and
`style-src 'self'` everywhere but ReDoc's page, which adds a one-time nonce for its styles)."""

from __future__ import annotations

import secrets
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from interlink.observability import SECURITY_HEADERS
from interlink.web.render import STATIC_DIR, templates

ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/api/docs/assets"

router = APIRouter(include_in_schema=False)


def mount_assets(app: FastAPI) -> None:
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="api-docs-assets")


@router.get("/api/docs")
def swagger_ui(request: Request) -> Response:
    return templates.TemplateResponse(
        request,
        "api_docs.html",
        {"request": request, "assets": ASSETS_URL, "openapi_url": request.app.openapi_url},
    )


@router.get("/api/redoc")
def redoc(request: Request) -> Response:
    # ReDoc writes its styles into <style> elements at run time: this page alone lets styles
    # carrying its one-time nonce in; scripts stay limited to this site's files.
    nonce = secrets.token_urlsafe(16)
    response = templates.TemplateResponse(
        request,
        "api_redoc.html",
        {
            "request": request,
            "assets": ASSETS_URL,
            "openapi_url": request.app.openapi_url,
            "style_nonce": nonce,
        },
    )
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    response.headers["Content-Security-Policy"] = policy.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'"
    )
    return response


@router.get("/favicon.ico")
def favicon() -> Response:
    return FileResponse(
        STATIC_DIR / "favicon.ico",
        media_type="image/vnd.microsoft.icon",
        headers={"Cache-Control": "public, max-age=86400"},
    )
