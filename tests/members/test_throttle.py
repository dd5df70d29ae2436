"""Login throttling: failures slow a guesser down, but nobody can lock an owner out, end
their sessions, or tell a held-back account from a wrong password; administrators see and
clear the counters (API, page, CLI)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from interlink.cli import app as cli
from interlink.core.auth import Role
from interlink.core.db import utcnow
from interlink.members import throttle
from interlink.members.models import User
from interlink.members.throttle import ThrottlePolicy
from tests.support import PASSWORD, World


@pytest.fixture
def proxied(world: World) -> World:
    """The test client stands for a trusted proxy, so each request names its client."""
    world.settings = world.settings.model_copy(update={"trusted_proxies": ["testclient"]})
    return world


def _attempt(client: TestClient, username: str, password: str, addr: str):
    headers = {"x-forwarded-for": addr}
    page = client.get("/login", headers=headers)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf},
        headers=headers,
        follow_redirects=False,
    )


def _body(response) -> str:
    return re.sub(r'value="[^"]{20,}"', 'value="TOKEN"', response.text)


def test_a_held_back_login_answers_exactly_as_a_wrong_password(proxied: World) -> None:
    officer = proxied.user("NCB-MA", Role.OFFICER)
    client = proxied.client()
    for _ in range(proxied.settings.max_failed_logins):
        wrong = _attempt(client, officer.username, "wrong", "203.0.113.5")
    held = _attempt(client, officer.username, PASSWORD, "203.0.113.5")
    unknown = _attempt(client, "no.such.user", "wrong", "203.0.113.99")
    assert held.status_code == wrong.status_code == unknown.status_code == 401
    assert _body(held) == _body(wrong)  # the form echoes the username it was sent
    assert _body(held) == _body(unknown).replace("no.such.user", officer.username)
    assert set(held.headers) == set(wrong.headers)


def test_an_attacker_elsewhere_cannot_lock_out_the_owner_or_end_their_session(
    proxied: World,
) -> None:
    owner = proxied.user("NCB-MA", Role.OFFICER)
    mine = proxied.client()
    assert _attempt(mine, owner.username, PASSWORD, "198.51.100.10").status_code == 303
    assert mine.get("/", headers={"x-forwarded-for": "198.51.100.10"}).status_code == 200
    attacker = proxied.client()
    # Past every limit: per pair, per account over all addresses, from several addresses.
    for index in range(proxied.settings.login_account_free_failures + 5):
        _attempt(attacker, owner.username, f"guess-{index}", f"203.0.113.{index % 4}")
    # An address that never logged in to the account is held back for now ...
    stranger = _attempt(proxied.client(), owner.username, PASSWORD, "192.0.2.77")
    assert stranger.status_code == 401
    # ... but the owner's session lives on, and the owner logs in from their usual address.
    assert mine.get("/", headers={"x-forwarded-for": "198.51.100.10"}).status_code == 200
    again = proxied.client()
    assert _attempt(again, owner.username, PASSWORD, "198.51.100.10").status_code == 303


def test_spraying_from_one_address_is_slowed_for_every_account(proxied: World) -> None:
    proxied.settings = proxied.settings.model_copy(update={"login_address_free_failures": 3})
    victim = proxied.user("NCB-MA", Role.OFFICER)
    client = proxied.client()
    for index in range(3):
        _attempt(client, f"someone{index}", "guess", "203.0.113.200")
    assert _attempt(client, victim.username, PASSWORD, "203.0.113.200").status_code == 401
    assert _attempt(client, victim.username, PASSWORD, "203.0.113.201").status_code == 303


def test_back_off_doubles_and_ends(world: World) -> None:
    policy = ThrottlePolicy(
        pair_free=2, address_free=100, account_free=100, max_delay=timedelta(minutes=15)
    )
    assert policy.delay("pair", 1) is None
    assert policy.delay("pair", 2) == timedelta(seconds=30)
    assert policy.delay("pair", 3) == timedelta(seconds=60)
    assert policy.delay("pair", 40) == timedelta(minutes=15)
    now = utcnow()
    with world.db.session() as session:
        for _ in range(2):
            throttle.record_failure(session, policy, "x.user", "203.0.113.1", now)
        assert throttle.is_throttled(session, "x.user", "203.0.113.1", now)
        assert not throttle.is_throttled(session, "x.user", "203.0.113.2", now)
        assert not throttle.is_throttled(
            session, "x.user", "203.0.113.1", now + timedelta(seconds=31)
        )


def _lock(world: World, username: str, addr: str = "203.0.113.9") -> None:
    policy = ThrottlePolicy.from_settings(world.settings)
    with world.db.session() as session:
        for _ in range(world.settings.max_failed_logins):
            throttle.record_failure(session, policy, username, addr)


def test_a_bureau_admin_sees_and_clears_its_own_users_only(world: World) -> None:
    rabat = world.user("NCB-MA", Role.OFFICER)
    paris = world.user("NCB-FR", Role.OFFICER)
    _lock(world, rabat.username)
    _lock(world, paris.username)
    ma_admin = world.api_as(world.user("NCB-MA", Role.NCB_ADMIN, mfa=True))
    seen = ma_admin.get("/api/v1/lockouts")
    assert seen.status_code == 200, seen.text
    assert {item["username"] for item in seen.json()} == {rabat.username}
    assert {item["kind"] for item in seen.json()} == {"pair", "account"}
    # Another bureau's user is not found, whether or not the name exists.
    for name in (paris.username, "no.such.user"):
        refused = ma_admin.delete(f"/api/v1/lockouts/users/{name}")
        assert refused.status_code == 404
        assert refused.json()["detail"] == f"no user '{name}' that you administer"
    assert ma_admin.delete(f"/api/v1/lockouts/users/{rabat.username}").json()["cleared"] == 2
    assert ma_admin.get("/api/v1/lockouts").json() == []
    gs_admin = world.api_as(world.user("GS", Role.GS_ADMIN, mfa=True))
    everything = gs_admin.get("/api/v1/lockouts").json()
    assert {item["username"] for item in everything} == {paris.username, None}
    assert gs_admin.delete("/api/v1/lockouts/addresses/203.0.113.9").json()["cleared"] == 1


def test_who_is_not_an_administrator_cannot_clear(world: World) -> None:
    rabat = world.user("NCB-MA", Role.OFFICER)
    _lock(world, rabat.username)
    for role in (Role.OFFICER, Role.SUPERVISOR):
        client = world.api_as(world.user("NCB-MA", role))
        assert client.get("/api/v1/lockouts").status_code == 403
        assert client.delete(f"/api/v1/lockouts/users/{rabat.username}").status_code == 403
    ma_admin = world.api_as(world.user("NCB-MA", Role.NCB_ADMIN, mfa=True))
    assert ma_admin.delete("/api/v1/lockouts/addresses/203.0.113.9").status_code == 403
    with world.db.session() as session:
        assert throttle.is_throttled(session, rabat.username, "203.0.113.9")


def test_the_page_lists_and_clears(world: World) -> None:
    rabat = world.user("NCB-MA", Role.OFFICER)
    _lock(world, rabat.username)
    admin = world.browser_login(world.user("NCB-MA", Role.NCB_ADMIN, mfa=True))
    page = admin.get("/admin/lockouts")
    assert page.status_code == 200 and rabat.username in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    cleared = admin.post(
        "/admin/lockouts/clear", data={"username": rabat.username, "csrf_token": csrf}
    )
    assert cleared.status_code == 200 and "forgotten" in cleared.text
    officer = world.browser_login(world.user("NCB-MA", Role.OFFICER))
    assert officer.get("/admin/lockouts").status_code == 403


def test_cli_unlock(world: World) -> None:
    rabat = world.user("NCB-MA", Role.OFFICER)
    _lock(world, rabat.username, "testclient")
    result = CliRunner().invoke(
        cli,
        ["users", "unlock", rabat.username.upper(), "--data-dir", str(world.settings.data_dir)],
        env={"INTERLINK_DATABASE_URL": world.db.url},
    )
    assert result.exit_code == 0, result.output
    with world.db.session() as session:
        assert not throttle.is_throttled(session, rabat.username, "testclient")
        assert session.get(User, rabat.id).failed_logins == 0
    assert world.browser_login(rabat).get("/").status_code == 200
