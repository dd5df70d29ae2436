"""Web login: argon2id passwords, TOTP for sensitive roles, lockout, cookies, CSRF, headers."""

from __future__ import annotations

import re

import pyotp

from interlink.core.auth import Role
from tests.support import PASSWORD, World, csrf_of


def _login_form(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)


def test_officer_logs_in_and_sees_home(world: World) -> None:
    officer = world.user("NCB-MA", Role.OFFICER, username="rabat.officer")
    client = world.browser_login(officer)
    home = client.get("/")
    assert home.status_code == 200
    assert "rabat.officer" in home.text and "NCB Morocco" in home.text
    assert "Screen names" in home.text  # what you may do


def test_session_cookie_flags_and_security_headers(world: World) -> None:
    officer = world.user("NCB-MA", Role.OFFICER)
    client = world.client()
    csrf = _login_form(client)
    response = client.post(
        "/login",
        data={"username": officer.username, "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_wrong_password_then_lockout(world: World) -> None:
    officer = world.user("NCB-MA", Role.OFFICER)
    client = world.client()
    for _ in range(world.settings.max_failed_logins):
        r = client.post(
            "/login",
            data={
                "username": officer.username,
                "password": "wrong",
                "csrf_token": _login_form(client),
            },
        )
        assert r.status_code == 401 and "wrong username or password" in r.text
    locked = client.post(
        "/login",
        data={
            "username": officer.username,
            "password": PASSWORD,
            "csrf_token": _login_form(client),
        },
    )
    # Held back: answered as a wrong password, even though this one is right.
    assert locked.status_code == 401 and "wrong username or password" in locked.text


def test_login_form_needs_its_csrf_token(world: World) -> None:
    officer = world.user("NCB-MA", Role.OFFICER)
    client = world.client()
    client.get("/login")
    r = client.post(
        "/login", data={"username": officer.username, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert r.status_code == 403


def test_admin_needs_totp_and_half_session_grants_nothing(world: World) -> None:
    admin = world.user("NCB-MA", Role.NCB_ADMIN, mfa=True)
    client = world.client()
    r = client.post(
        "/login",
        data={"username": admin.username, "password": PASSWORD, "csrf_token": _login_form(client)},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/login/totp"
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    csrf = csrf_of(client, "/login/totp")
    bad = client.post("/login/totp", data={"code": "000000", "csrf_token": csrf})
    assert bad.status_code == 401
    code = pyotp.TOTP(admin.totp_secret).now()
    ok = client.post("/login/totp", data={"code": code, "csrf_token": csrf}, follow_redirects=False)
    assert ok.status_code == 303
    assert client.get("/api/v1/me").json()["roles"] == ["ncb_admin"]


def test_totp_code_cannot_be_replayed(world: World) -> None:
    admin = world.user("NCB-MA", Role.NCB_ADMIN, mfa=True)
    first = world.browser_login(admin)
    assert first.get("/api/v1/me").status_code == 200
    client = world.client()
    client.post(
        "/login",
        data={"username": admin.username, "password": PASSWORD, "csrf_token": _login_form(client)},
    )
    csrf = csrf_of(client, "/login/totp")
    replay = client.post(
        "/login/totp", data={"code": pyotp.TOTP(admin.totp_secret).now(), "csrf_token": csrf}
    )
    assert replay.status_code == 401


def test_first_login_of_mfa_role_enrols_a_secret(world: World) -> None:
    reviewer = world.user("GS", Role.COMPLIANCE_REVIEWER)  # no TOTP secret yet
    client = world.client()
    client.post(
        "/login",
        data={
            "username": reviewer.username,
            "password": PASSWORD,
            "csrf_token": _login_form(client),
        },
    )
    page = client.get("/login/totp")
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    ok = client.post(
        "/login/totp",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_cookie_session_api_writes_need_csrf_header(world: World) -> None:
    admin = world.user("NCB-MA", Role.NCB_ADMIN, mfa=True)
    client = world.browser_login(admin)
    body = {"org_id": admin.org_id, "name": "x", "permissions": ["screen.document"]}
    assert client.post("/api/v1/tokens", json=body).status_code == 403
    csrf = csrf_of(client)
    ok = client.post("/api/v1/tokens", json=body, headers={"x-csrf-token": csrf})
    assert ok.status_code == 201


def test_forms_refuse_a_missing_csrf_token(world: World) -> None:
    admin = world.user("NCB-MA", Role.NCB_ADMIN, mfa=True)
    client = world.browser_login(admin)
    r = client.post(
        "/admin/users",
        data={
            "username": "x.y.z",
            "display_name": "x",
            "org_id": admin.org_id,
            "password": PASSWORD,
            "roles": ["officer"],
        },
    )
    assert r.status_code == 403


def test_admin_creates_user_through_the_page(world: World) -> None:
    admin = world.user("NCB-MA", Role.NCB_ADMIN, mfa=True)
    client = world.browser_login(admin)
    csrf = csrf_of(client, "/admin/users")
    weak = client.post(
        "/admin/users",
        data={
            "username": "page.made",
            "display_name": "Page Made",
            "org": "NCB-MA",
            "password": "short",
            "roles": ["officer"],
            "csrf_token": csrf,
        },
    )
    assert weak.status_code == 422 and 'href="#password"' in weak.text
    assert 'value="page.made"' in weak.text and 'value="NCB-MA" selected' in weak.text
    assert (
        'value="officer" checked' in weak.text
        and "short" not in weak.text.split('id="password"')[1][:200]
    )
    other = client.post(
        "/admin/users",
        data={
            "username": "page.made",
            "display_name": "Page Made",
            "org": "NCB-FR",
            "password": PASSWORD,
            "roles": ["officer"],
            "csrf_token": csrf,
        },
    )
    assert other.status_code == 422 and 'href="#org"' in other.text
    r = client.post(
        "/admin/users",
        data={
            "username": "page.made",
            "display_name": "Page Made",
            "org": "NCB-MA",
            "password": PASSWORD,
            "roles": ["officer"],
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "User page.made created" in client.get(r.headers["location"]).text
    new = world.client()
    new.post(
        "/login",
        data={"username": "page.made", "password": PASSWORD, "csrf_token": _login_form(new)},
    )
    assert new.get("/api/v1/me").json()["label"] == "page.made"


def test_logout_ends_the_session(world: World) -> None:
    officer = world.user("NCB-MA", Role.OFFICER)
    client = world.browser_login(officer)
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert client.get("/api/v1/me").status_code == 401


def test_logins_are_audited(world: World) -> None:
    officer = world.user("NCB-MA", Role.OFFICER)
    client = world.client()
    client.post(
        "/login",
        data={"username": officer.username, "password": "nope", "csrf_token": _login_form(client)},
    )
    world.browser_login(officer)
    from sqlalchemy import select

    from interlink.core.audit import AuditEntry

    with world.db.session() as session:
        outcomes = session.scalars(
            select(AuditEntry.outcome).where(AuditEntry.action == "login").order_by(AuditEntry.id)
        ).all()
    assert outcomes == ["denied", "ok"]


def test_audit_page_for_owner_and_oversight(world: World) -> None:
    admin = world.browser_login(world.user("NCB-MA", Role.NCB_ADMIN, mfa=True))
    page = admin.get("/audit")
    assert page.status_code == 200 and "Who accessed your records" in page.text
    ccf = world.browser_login(world.user("CCF", Role.OVERSIGHT, mfa=True))
    page = ccf.get("/audit")
    assert page.status_code == 200 and "Hash chain intact" in page.text
    officer = world.browser_login(world.user("NCB-MA", Role.OFFICER))
    assert officer.get("/audit").status_code == 403
