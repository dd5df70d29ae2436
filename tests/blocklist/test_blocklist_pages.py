"""Blocklist pages through real logins and forms (CSRF included): a bureau submits, another
confirms, the GS publishes, delists, decides an appeal, compares versions, sees providers."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from interlink.core.auth import Role
from tests.blocklist.conftest import Cast
from tests.support import World, csrf_of

FORM = {"real_children": "true", "under_13": "true", "severe_abuse": "true",
        "evidence_ref": "CASE-9", "notes": ""}


def post(client: TestClient, path: str, data: dict[str, str], page: str = "/") -> Response:
    return client.post(path, data={**data, "csrf_token": csrf_of(client, page)},
                       follow_redirects=False)


@pytest.fixture
def sessions(world: World, cast: Cast) -> dict[str, TestClient]:
    return {
        "rabat": world.browser_login(world.user("NCB-MA", Role.SUPERVISOR)),
        "paris": world.browser_login(world.user("NCB-FR", Role.SUPERVISOR)),
        "gs": world.browser_login(world.user("GS", Role.GS_ADMIN, mfa=True)),
        "officer": world.browser_login(world.user("NCB-MA", Role.OFFICER)),
    }


def test_submit_confirm_publish_delist_through_the_pages(sessions: dict[str, TestClient]
                                                         ) -> None:
    rabat, paris, gs = sessions["rabat"], sessions["paris"], sessions["gs"]
    refused = post(rabat, "/blocklist/submit", {**FORM, "domain": "x.example",
                                                "under_13": "false"})
    assert refused.status_code == 422 and "all three criteria" in refused.text
    submitted = post(rabat, "/blocklist/submit", {**FORM, "domain": "Abuse.Example"})
    assert submitted.status_code == 303
    domain_page = submitted.headers["location"]
    assert "abuse.example" in paris.get("/blocklist/queue").text
    again = post(rabat, f"{domain_page}/confirm", FORM)
    assert again.status_code == 409 and "counts once" in again.text
    assert post(paris, f"{domain_page}/confirm", FORM).status_code == 303
    assert "2 of 2" in paris.get(domain_page).text
    published = post(gs, "/blocklist/publish", {})
    assert "Version 1 published" in published.text
    assert post(gs, "/blocklist/publish", {}).status_code == 409
    assert 'data-testid="diff"' not in gs.get("/blocklist/versions").text  # one version only
    appeal = post(gs, f"{domain_page}/appeals", {"appellant": "Host", "contact": "a@h.example",
                                                 "grounds": "gone"})
    assert appeal.status_code == 303
    appeals = gs.get("/blocklist/appeals")
    appeal_id = re.search(r"/blocklist/appeals/(\d+)/decide", appeals.text).group(1)
    decided = post(gs, f"/blocklist/appeals/{appeal_id}/decide",
                   {"decision": "uphold", "reason": "checked: gone"}, "/blocklist/appeals")
    assert decided.status_code == 303
    assert 'data-testid="state">delisted' in gs.get(domain_page).text
    post(gs, "/blocklist/publish", {})
    diff = gs.get("/blocklist/versions", params={"old": 1, "new": 2})
    assert "Removed (1)" in diff.text and "abuse.example" in diff.text


ACCESS = [
    ("rabat", "/blocklist/queue", 200),
    ("rabat", "/blocklist/submit", 200),
    ("rabat", "/blocklist/manage", 403),
    ("rabat", "/blocklist/providers", 403),
    ("gs", "/blocklist/manage", 200),
    ("gs", "/blocklist/versions", 200),
    ("gs", "/blocklist/appeals", 200),
    ("gs", "/blocklist/providers", 200),
    ("gs", "/blocklist/submit", 403),
    ("officer", "/blocklist/queue", 403),
]


def test_pages_open_to_their_roles_only(sessions: dict[str, TestClient]) -> None:
    # One test for all pages: logging the four people in is the slow part.
    for who, path, status in ACCESS:
        response = sessions[who].get(path, headers={"accept": "text/html"})
        assert response.status_code == status, (who, path)
        assert response.headers["content-type"].startswith("text/html"), (who, path)


def test_nav_links_follow_permissions(sessions: dict[str, TestClient]) -> None:
    assert 'href="/blocklist/queue"' in sessions["rabat"].get("/").text
    assert 'href="/blocklist/manage"' not in sessions["rabat"].get("/").text
    assert 'href="/blocklist/manage"' in sessions["gs"].get("/").text
    assert "/blocklist" not in sessions["officer"].get("/").text


def test_a_form_without_its_csrf_token_is_refused(sessions: dict[str, TestClient]) -> None:
    response = sessions["rabat"].post("/blocklist/submit", data={**FORM, "domain": "x.example"},
                                      headers={"accept": "text/html"})
    assert response.status_code == 403
