"""The layout every page shares: the work counts in the navigation appear and clear per user,
logged-out visitors come back to the page they asked for, and the API documentation works
under the Content-Security-Policy without any network."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from interlink.core.auth import Role
from interlink.core.db import utcnow
from interlink.messaging.models import Followup
from tests.browser.conftest import login
from tests.browser.pagecheck import watch_csp
from tests.support import PASSWORD, World


def _hit_on_paris(world: World) -> int:
    paris = world.api_as(world.user("NCB-FR", Role.SUPERVISOR))
    created = paris.post(
        "/api/v1/records/document",
        json={
            "data": {
                "issuing_country": "FR",
                "document_type": "passport",
                "number": "FR0042731",
                "status": "stolen",
                "reported_on": "2026-05-01",
            }
        },
    )
    assert created.status_code == 201, created.text
    world.app.state.interlink.services.screener.engine.build()
    rabat = world.api_as(world.user("NCB-MA", Role.OFFICER))
    answer = rabat.post("/api/v1/screen/document", json={"number": "FR0042731", "country": "FR"})
    assert answer.status_code == 200, answer.text
    return created.json()["id"]


def test_counts_appear_and_clear_for_each_user_alone(
    world: World, live_server: str, new_page
) -> None:
    world.user("NCB-FR", Role.OFFICER, username="paris.one")
    world.user("NCB-FR", Role.OFFICER, username="paris.two")
    one, two = new_page(), new_page()
    login(one, live_server, "paris.one", PASSWORD)
    assert one.get_by_test_id("nav-waiting").count() == 0
    _hit_on_paris(world)

    one.reload()
    assert one.get_by_test_id("nav-waiting").inner_text().startswith("1")
    hits = one.get_by_test_id("section-hit")
    assert "New" in hits.inner_text() and "by NCB-MA" in hits.inner_text()
    one.goto(f"{live_server}/operations")  # the count is in the navigation on every page
    assert one.get_by_test_id("nav-waiting").inner_text().startswith("1")

    one.goto(f"{live_server}/")
    one.get_by_role("link", name="Hit on passport FR FR0042731 by NCB-MA").click()
    one.wait_for_url(re.compile(r"/messages/\d+$"))
    assert one.get_by_test_id("nav-waiting").count() == 0  # opened: read for this user
    one.goto(f"{live_server}/")
    assert "New" not in one.get_by_test_id("section-hit").inner_text()  # still to answer

    login(two, live_server, "paris.two", PASSWORD)  # a colleague has not opened it
    assert two.get_by_test_id("nav-waiting").inner_text().startswith("1")
    two.get_by_role("button", name="Mark everything as read").click()
    assert "1 item marked as read" in two.get_by_test_id("banner").inner_text()
    assert two.get_by_test_id("nav-waiting").count() == 0
    two.reload()  # the mark-as-read POST redirected: a reload repeats nothing
    assert two.get_by_test_id("nav-waiting").count() == 0

    assert one.get_by_test_id("nav-overdue").count() == 0
    with world.db.session() as session:
        session.execute(update(Followup).values(due_at=utcnow() - timedelta(minutes=5)))
    one.reload()
    assert one.get_by_test_id("nav-overdue").inner_text().startswith("1")
    assert "(overdue)" in one.get_by_test_id("section-hit").inner_text()
    assert "NCB-FR owes NCB-MA" in one.get_by_test_id("section-overdue").inner_text()


def test_an_item_not_waiting_for_you_cannot_be_opened_or_marked(world: World) -> None:
    _hit_on_paris(world)
    stranger = world.browser_login(world.user("NCB-DE", Role.OFFICER))
    for path in ("/go/hit/1", "/go/hit/999", "/go/nonsense/1"):
        response = stranger.get(path, headers={"accept": "text/html"}, follow_redirects=False)
        assert response.status_code == 404, (path, response.status_code)


def test_logged_out_visitor_logs_in_and_lands_where_they_were_going(
    world: World, live_server: str, new_page
) -> None:
    world.user("NCB-FR", Role.OFFICER, username="paris.officer")
    page = new_page()
    page.goto(f"{live_server}/operations?x=1")
    assert page.url == f"{live_server}/login?next=%2Foperations%3Fx%3D1"
    assert page.get_by_test_id("login-next").is_visible()
    page.get_by_label("Username").fill("paris.officer")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_label("Username").input_value() == "paris.officer"  # kept
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/operations?x=1")
    assert page.locator('nav.main-nav a[aria-current="page"]').inner_text() == "Operations"


def test_second_factor_keeps_the_destination(world: World, live_server: str, new_page) -> None:
    import pyotp

    admin = world.user("NCB-FR", Role.NCB_ADMIN, username="paris.admin", mfa=True)
    page = new_page()
    page.goto(f"{live_server}/admin/tokens")
    page.get_by_label("Username").fill("paris.admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Six-digit code").fill(pyotp.TOTP(admin.totp_secret).now())
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server}/admin/tokens")


def test_login_never_sends_anyone_to_another_site(world: World) -> None:
    world.user("NCB-FR", Role.OFFICER, username="paris.officer")
    for target in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/login?next=/x",
        "/\r\nSet-Cookie:x",
        "evil.example",
    ):
        client = world.client()
        page = client.get("/login", params={"next": target})
        assert 'name="next" value="/"' in page.text, target
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = client.post(
            "/login",
            data={
                "username": "paris.officer",
                "password": PASSWORD,
                "csrf_token": csrf,
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/", (target, response.headers["location"])
    client = world.client()
    page = client.get("/login", params={"next": "/messages?page=2"})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/login",
        data={
            "username": "paris.officer",
            "password": PASSWORD,
            "csrf_token": csrf,
            "next": "/messages?page=2",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/messages?page=2"


def test_api_docs_load_from_the_app_under_the_policy(
    world: World, live_server: str, new_page
) -> None:
    page = new_page()
    refused, _ = watch_csp(page)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith((live_server, "data:")) else None,
    )
    response = page.goto(f"{live_server}/api/docs")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    page.locator(".swagger-ui .info .title").wait_for(timeout=30_000)
    assert "Interlink" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 10
    assert not outside, outside
    assert not refused, refused

    refused.clear()
    response = page.goto(f"{live_server}/api/redoc")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self' 'nonce-" in policy
    page.get_by_role("heading", name=re.compile(r"Interlink \(")).first.wait_for(timeout=30_000)
    assert not [r for r in refused if "script" in r], refused


def test_favicon_is_served(world: World) -> None:
    response = world.client().get("/favicon.ico")
    assert response.status_code == 200
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon" href="/favicon.ico"' in world.client().get("/login").text
