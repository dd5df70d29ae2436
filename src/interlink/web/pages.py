"""Login, second factor, logout and the home page of each role."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from interlink.core.auth import Perm, Principal, new_totp_secret, totp_uri
from interlink.core.errors import DomainError, Forbidden, Unauthenticated
from interlink.core.i18n import DIGITS, LANGUAGE_COOKIE, LANGUAGES, N_, translate
from interlink.deps import SESSION_COOKIE, Id, app_state, client_addr, unit_of_work
from interlink.members import identity
from interlink.members import service as members
from interlink.members.models import Organisation, User
from interlink.members.throttle import ThrottlePolicy
from interlink.web import dashboard
from interlink.web.render import form_principal, redirect, render

router = APIRouter(include_in_schema=False)
PRELOGIN_COOKIE = "interlink_prelogin"


def _set_session_cookie(request: Request, response: Response, value: str) -> None:
    settings = app_state(request).settings
    response.set_cookie(
        SESSION_COOKIE,
        value,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        max_age=settings.session_hours * 3600,
    )


def _login_page(
    request: Request,
    error: str | None = None,
    status: int = 200,
    next_path: str = "/",
    username: str = "",
) -> Response:
    # Double-submit token: the login form has no session yet to bind a CSRF token to.
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        status_code=status,
        error=error,
        login_csrf=token,
        next_path=next_path,
        username=username,
    )
    response.set_cookie(
        PRELOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=app_state(request).settings.secure_cookies,
        max_age=1800,
    )
    return response


def safe_next(value: str | None) -> str:
    """Where to go after logging in: a path on this site only (never another host, which would
    make the login page an open redirect), and never back to the login itself."""
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(("/login", "/logout")):
        return "/"
    return value


def login_url(next_path: str) -> str:
    target = safe_next(next_path)
    return "/login" if target == "/" else f"/login?{urlencode({'next': target})}"


@router.get("/login")
def login_form(request: Request, next: str = "") -> Response:
    return _login_page(request, next_path=safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    next_path = safe_next(next)
    expected = request.cookies.get(PRELOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf_token):
        return _login_page(
            request, N_("Your form expired. Please try again."), 403, next_path, username
        )
    settings = app_state(request).settings
    with unit_of_work(request) as session:
        result = identity.login(
            session,
            username,
            password,
            policy=ThrottlePolicy.from_settings(settings),
            session_hours=settings.session_hours,
            client_addr=client_addr(request),
        )
    if isinstance(result, identity.LoginRefused):
        return _login_page(request, result.error.detail, result.error.status, next_path, username)
    if result.needs_totp:
        response = redirect(
            "/login/totp" + (f"?{urlencode({'next': next_path})}" if next_path != "/" else "")
        )
    else:
        response = redirect(next_path)
    _set_session_cookie(request, response, result.cookie_value)
    response.delete_cookie(PRELOGIN_COOKIE)
    return response


@router.get("/login/totp")
def totp_form(request: Request, next: str = "") -> Response:
    with unit_of_work(request) as session:
        web_session = identity.web_session_for(session, request.cookies.get(SESSION_COOKIE))
        if web_session is None or not web_session.mfa_pending:
            return redirect("/login")
        user = web_session.user
        secret = enrol_uri = None
        if not user.totp_secret:
            # First login of a user who needs a second factor: enrol now, on the half session.
            if not web_session.pending_totp_secret:
                web_session.pending_totp_secret = new_totp_secret()
            secret = web_session.pending_totp_secret
            enrol_uri = totp_uri(secret, user.username)
        return render(
            request,
            "totp.html",
            csrf=web_session.csrf_token,
            enrol_uri=enrol_uri,
            enrol_secret=secret,
            error=None,
            next_path=safe_next(next),
        )


@router.post("/login/totp")
def totp_submit(
    request: Request,
    code: Annotated[str, Form(max_length=12)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    settings = app_state(request).settings
    with unit_of_work(request) as session:
        web_session = identity.web_session_for(session, request.cookies.get(SESSION_COOKIE))
        if web_session is None or not web_session.mfa_pending:
            return redirect("/login")
        if not secrets.compare_digest(web_session.csrf_token, csrf_token):
            raise Forbidden("missing or wrong CSRF token: reload the page and try again")
        refused = identity.complete_totp(
            session,
            web_session,
            code,
            policy=ThrottlePolicy.from_settings(settings),
            session_hours=settings.session_hours,
        )
    if refused is not None:
        return render(
            request,
            "totp.html",
            status_code=refused.error.status,
            csrf=csrf_token,
            enrol_uri=None,
            enrol_secret=None,
            error=refused.error.detail,
            next_path=safe_next(next),
        )
    return redirect(safe_next(next))


@router.post("/logout")
def logout(request: Request, principal: Principal | None = Depends(form_principal)) -> Response:
    with unit_of_work(request) as session:
        identity.logout(session, request.cookies.get(SESSION_COOKIE))
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request, principal: Principal | None = Depends(form_principal)) -> Response:
    if principal is None:
        return redirect("/login")
    with unit_of_work(request) as session:
        board = dashboard.dashboard(session, principal)
    return render(request, "home.html", board=board, marked=request.query_params.get("marked"))


@router.get("/go/{object_type}/{object_id}")
def open_item(
    request: Request,
    object_type: str,
    object_id: Id,
    principal: Principal | None = Depends(form_principal),
) -> Response:
    """A link from the home page: marks the item read for this user, then shows it."""
    if principal is None:
        raise Unauthenticated("log in first")
    with unit_of_work(request) as session:
        url = dashboard.open_item(session, principal, object_type[:16], object_id)
    return redirect(url)


@router.post("/home/read")
def mark_all_read(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    if principal is None:
        raise Unauthenticated("log in first")
    with unit_of_work(request) as session:
        marked = dashboard.mark_all_read(session, principal)
    return redirect(f"/?marked={marked}")


# --- languages: the switch on every page, and the account page ------------------------------


def _remember_language(request: Request, response: Response, language: str | None) -> None:
    if language is None:
        response.delete_cookie(LANGUAGE_COOKIE)
        return
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=app_state(request).settings.secure_cookies,
    )


@router.post("/language")
async def switch_language(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    """The switch in the layout: the user's own setting when logged in, and a cookie (the
    choice of this browser, which also speaks for the login page)."""
    form = await request.form()
    language = str(form.get("lang", ""))[:8]
    next_path = safe_next(str(form.get("next", "/"))[:2000])
    if language not in LANGUAGES:
        return redirect(next_path)
    if principal is not None and principal.user_id is not None:
        with unit_of_work(request) as session:
            members.set_own_language(session, principal, language)
    response = redirect(next_path)
    _remember_language(request, response, language)
    return response


def _account_page(
    request: Request, principal: Principal, errors: list[tuple[str, str]], status: int = 200
) -> Response:
    with unit_of_work(request) as session:
        org = session.get(Organisation, principal.org_id)
        user = session.get(User, principal.user_id) if principal.user_id else None
        return render(
            request,
            "account.html",
            status_code=status,
            errors=errors,
            own_language=user.language if user else None,
            org_language=org.default_language if org else None,
            org_digits=org.digits if org else "latn",
            digit_choices=DIGITS,
            saved=request.query_params.get("saved") == "1",
        )


@router.get("/account")
def account(request: Request, principal: Principal | None = Depends(form_principal)) -> Response:
    if principal is None:
        raise Unauthenticated("log in first")
    return _account_page(request, principal, [])


@router.post("/account")
async def account_submit(
    request: Request, principal: Principal | None = Depends(form_principal)
) -> Response:
    if principal is None:
        raise Unauthenticated("log in first")
    form = await request.form()
    language = str(form.get("language", ""))[:8] or None
    try:
        with unit_of_work(request) as session:
            members.set_own_language(session, principal, language)
            if "default_language" in form and principal.has(Perm.USERS_MANAGE):
                members.set_bureau_languages(
                    session,
                    principal,
                    default_language=str(form.get("default_language", ""))[:8] or None,
                    digits=str(form.get("digits", "latn"))[:8],
                )
    except DomainError as exc:
        field = str(exc.extra.get("field", "language"))
        return _account_page(request, principal, [(field, translate(exc.detail))], exc.status)
    response = redirect("/account?saved=1")
    _remember_language(request, response, language)
    return response
