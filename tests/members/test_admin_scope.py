"""A bureau's administrator manages its own users, agencies and tokens, and nothing else."""

from __future__ import annotations

import pytest

from interlink.core.auth import OrgKind, Perm, Role
from tests.support import PASSWORD, World


@pytest.fixture
def admins(world: World):
    ma_admin = world.user("NCB-MA", Role.NCB_ADMIN, mfa=True)
    fr_admin = world.user("NCB-FR", Role.NCB_ADMIN, mfa=True)
    return world.api_as(ma_admin), world.api_as(fr_admin)


def _new_user(org_id: int, username: str, roles: list[str] | None = None) -> dict:
    return {
        "username": username,
        "display_name": username,
        "org_id": org_id,
        "roles": roles or ["officer"],
        "password": PASSWORD,
    }


def test_admin_creates_user_in_own_bureau_only(world: World, admins) -> None:
    ma, _ = admins
    ok = ma.post("/api/v1/users", json=_new_user(world.org("NCB-MA").id, "new.officer"))
    assert ok.status_code == 201, ok.text
    other = ma.post("/api/v1/users", json=_new_user(world.org("NCB-FR").id, "intruder"))
    assert other.status_code == 404
    assert other.headers["content-type"] == "application/problem+json"


def test_admin_lists_only_own_users(world: World, admins) -> None:
    ma, fr = admins
    world.user("NCB-FR", Role.OFFICER, username="paris.one")
    world.user("NCB-MA", Role.OFFICER, username="rabat.one")
    names = {u["username"] for u in ma.get("/api/v1/users").json()}
    assert "rabat.one" in names and "paris.one" not in names
    assert all(u["org_id"] == world.org("NCB-MA").id for u in ma.get("/api/v1/users").json())
    assert "paris.one" in {u["username"] for u in fr.get("/api/v1/users").json()}


def test_admin_cannot_read_or_change_another_bureaus_user(world: World, admins) -> None:
    ma, _ = admins
    paris = world.user("NCB-FR", Role.OFFICER)
    assert ma.get(f"/api/v1/users/{paris.id}").status_code == 404
    patch = ma.patch(f"/api/v1/users/{paris.id}", json={"active": False})
    assert patch.status_code == 404
    reset = ma.patch(f"/api/v1/users/{paris.id}", json={"password": "Hijacked-Password-1"})
    assert reset.status_code == 404
    with world.db.session() as session:
        from interlink.members.models import User

        assert session.get(User, paris.id).active


def test_admin_cannot_grant_gs_roles(world: World, admins) -> None:
    ma, _ = admins
    response = ma.post(
        "/api/v1/users", json=_new_user(world.org("NCB-MA").id, "wannabe", ["gs_admin"])
    )
    assert response.status_code in (403, 422)


def test_agency_authorised_by_ncb_is_in_its_scope(world: World, admins) -> None:
    ma, fr = admins
    created = ma.post(
        "/api/v1/organisations",
        json={"kind": "agency", "name": "Rabat airport border police", "code": "AGENCY-MA-AIRPORT"},
    )
    assert created.status_code == 201, created.text
    agency = created.json()
    assert agency["country"] == "MA" and agency["parent_id"] == world.org("NCB-MA").id
    assert (
        ma.post("/api/v1/users", json=_new_user(agency["id"], "airport.officer")).status_code == 201
    )
    assert fr.post("/api/v1/users", json=_new_user(agency["id"], "paris.spy")).status_code == 404
    # An agency user can never be an NCB administrator.
    bad = ma.post("/api/v1/users", json=_new_user(agency["id"], "airport.boss", ["ncb_admin"]))
    assert bad.status_code == 422


def test_tokens_scoped_to_own_bureau(world: World, admins) -> None:
    ma, fr = admins
    body = {
        "org_id": world.org("NCB-MA").id,
        "name": "Rabat border system",
        "permissions": ["screen.document"],
        "days": 30,
    }
    created = ma.post("/api/v1/tokens", json=body)
    assert created.status_code == 201, created.text
    token = created.json()
    assert token["token"].startswith("il_")
    assert fr.post("/api/v1/tokens", json=body).status_code == 404
    assert token["id"] not in {t["id"] for t in fr.get("/api/v1/tokens").json()}
    assert fr.delete(f"/api/v1/tokens/{token['id']}").status_code == 404
    # The new token works, and stops working once its owner revokes it.
    border = world.api(token["token"])
    assert border.get("/api/v1/me").json()["permissions"] == ["screen.document"]
    assert ma.delete(f"/api/v1/tokens/{token['id']}").status_code == 200
    assert border.get("/api/v1/me").status_code == 401


def test_token_cannot_exceed_what_the_organisation_may_hold(world: World, admins) -> None:
    ma, _ = admins
    body = {"org_id": world.org("NCB-MA").id, "name": "too much", "permissions": ["notices.review"]}
    assert ma.post("/api/v1/tokens", json=body).status_code == 422


def test_token_secret_is_stored_only_as_hash(world: World, admins) -> None:
    ma, _ = admins
    plaintext = ma.post(
        "/api/v1/tokens",
        json={"org_id": world.org("NCB-MA").id, "name": "x", "permissions": ["screen.person"]},
    ).json()["token"]
    secret = plaintext.split("_", 2)[2]
    from sqlalchemy import text

    with world.db.session() as session:
        rows = session.execute(text("SELECT public_id, secret_hash FROM api_tokens")).all()
    assert rows and all(secret not in (r[0] + r[1]) for r in rows)


def test_expired_token_is_refused_and_last_use_recorded(world: World) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from interlink.members.models import ApiToken

    raw = world.token("NCB-MA", Perm.SCREEN_DOCUMENT)
    client = world.api(raw)
    assert client.get("/api/v1/me").status_code == 200
    with world.db.session() as session:
        token = session.query(ApiToken).filter_by(public_id=raw.split("_")[1]).one()
        assert token.last_used_at is not None
        session.execute(update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(1)))
    # A checked token is trusted for TOKEN_CACHE_SECONDS without a database read (README):
    # let that time pass.
    world.app.state.interlink.services.token_cache.clear()
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_user_without_admin_role_manages_nobody(world: World) -> None:
    officer = world.api_as(world.user("NCB-MA", Role.OFFICER))
    assert officer.get("/api/v1/users").status_code == 403
    assert (
        officer.post("/api/v1/users", json=_new_user(world.org("NCB-MA").id, "x.y")).status_code
        == 403
    )


def test_admin_actions_are_audited_for_the_bureau(world: World, admins) -> None:
    ma, fr = admins
    ma.post("/api/v1/users", json=_new_user(world.org("NCB-MA").id, "audited.one"))
    entries = ma.get("/api/v1/audit", params={"action": "user.create"}).json()["items"]
    assert [e["detail"]["username"] for e in entries] == ["audited.one"]
    assert fr.get("/api/v1/audit", params={"action": "user.create"}).json()["items"] == []


def test_a_partner_lists_its_own_organisation_and_the_secretariat_only(world: World) -> None:
    world.add_org("AIRLINE-X", OrgKind.PARTNER)
    world.add_org("BANK-Y", OrgKind.PARTNER)
    partner = world.api_as(world.user("AIRLINE-X", Role.PARTNER))
    listed = partner.get("/api/v1/organisations")
    assert listed.status_code == 200, listed.text
    assert {o["code"] for o in listed.json()} == {"AIRLINE-X", "GS"}
    assert partner.get("/api/v1/organisations", params={"kind": "ncb"}).json() == []
    assert (
        partner.get("/api/v1/organisations", params={"kind": "partner"}).json()[0]["code"]
        == "AIRLINE-X"
    )
    officer = world.api_as(world.user("NCB-MA", Role.OFFICER))
    codes = {o["code"] for o in officer.get("/api/v1/organisations").json()}
    assert {"AIRLINE-X", "BANK-Y", "NCB-FR", "GS"} <= codes
