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

FORM = {
    "real_children": "true",
    "under_13": "true",
    "severe_abuse": "true",
    "evidence_ref": "CASE-9",
    "notes": "",
}


def post(client: TestClient, path: str, data: dict[str, str], page: str = "/") -> Response:
    return client.post(
        path, data={**data, "csrf_token": csrf_of(client, page)}, follow_redirects=False
    )


@pytest.fixture
def sessions(world: World, cast: Cast) -> dict[str, TestClient]:
    return {
        "rabat": world.browser_login(world.user("NCB-MA", Role.SUPERVISOR)),
        "paris": world.browser_login(world.user("NCB-FR", Role.SUPERVISOR)),
        "gs": world.browser_login(world.user("GS", Role.GS_ADMIN, mfa=True)),
        "officer": world.browser_login(world.user("NCB-MA", Role.OFFICER)),
    }


def test_submit_confirm_publish_delist_through_the_pages(sessions: dict[str, TestClient]) -> None:
    rabat, paris, gs = sessions["rabat"], sessions["paris"], sessions["gs"]
    refused = post(rabat, "/blocklist/submit", {**FORM, "domain": "x.example", "under_13": "false"})
    assert refused.status_code == 422 and "all three criteria" in refused.text
    submitted = post(rabat, "/blocklist/submit", {**FORM, "domain": "Abuse.Example"})
    assert submitted.status_code == 303
    domain_page = submitted.headers["location"]
    assert "abuse.example" in paris.get("/blocklist/queue").text
    again = post(rabat, f"{domain_page}/confirm", FORM)
    assert again.status_code == 409 and "counts once" in again.text
    assert post(paris, f"{domain_page}/confirm", FORM).status_code == 303
    assert "2 of 2" in paris.get(domain_page).text
    # Publishing goes through a check-your-answers page; a bare POST publishes nothing.
    unconfirmed = post(gs, "/blocklist/publish", {})
    assert unconfirmed.status_code == 303
    assert unconfirmed.headers["location"] == "/blocklist/publish"
    check = gs.get("/blocklist/publish")
    assert 'data-testid="confirm"' in check.text and "abuse.example" in check.text
    assert "Nothing published yet" in gs.get("/blocklist/versions").text
    published = post(gs, "/blocklist/publish", {"version": "1"})
    assert published.status_code == 303
    assert published.headers["location"] == "/blocklist/manage?published=1"
    assert "Version 1 published" in gs.get(published.headers["location"]).text
    repeated = post(gs, "/blocklist/publish", {"version": "1"})  # a form sent twice
    assert repeated.status_code == 409 and "already the latest" in repeated.text
    assert 'data-testid="diff"' not in gs.get("/blocklist/versions").text  # one version only
    appeal = post(
        gs,
        f"{domain_page}/appeals",
        {"appellant": "Host", "contact": "a@h.example", "grounds": "gone"},
    )
    assert appeal.status_code == 303
    appeals = gs.get("/blocklist/appeals")
    appeal_id = re.search(r"/blocklist/appeals/(\d+)/decide", appeals.text).group(1)
    decided = post(
        gs,
        f"/blocklist/appeals/{appeal_id}/decide",
        {"decision": "uphold", "reason": "checked: gone"},
        "/blocklist/appeals",
    )
    assert decided.status_code == 303
    assert re.search(
        r'data-testid="state"><strong class="tag[^"]*">Delisted', gs.get(domain_page).text
    )
    post(gs, "/blocklist/publish", {"version": "2"})
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
    response = sessions["rabat"].post(
        "/blocklist/submit", data={**FORM, "domain": "x.example"}, headers={"accept": "text/html"}
    )
    assert response.status_code == 403


def test_a_pasted_address_is_reduced_to_its_domain_with_a_note(
    sessions: dict[str, TestClient],
) -> None:
    rabat = sessions["rabat"]
    pasted = post(
        rabat,
        "/blocklist/submit",
        {**FORM, "domain": "https://www.Gallery.example/albums/7?page=2"},
    )
    assert pasted.status_code == 200  # nothing submitted yet: the domain is shown to check
    assert "reduced to its domain" in pasted.text
    assert 'value="www.gallery.example"' in pasted.text
    assert (
        'value="CASE-9"' in pasted.text
        and 'id="under_13" name="under_13" type="checkbox" value="true" checked' in pasted.text
    )
    assert "www.gallery.example" not in rabat.get("/blocklist/queue").text
    submitted = post(rabat, "/blocklist/submit", {**FORM, "domain": "www.gallery.example"})
    assert submitted.status_code == 303


def test_form_errors_sit_beside_their_fields_and_keep_the_input(
    sessions: dict[str, TestClient],
) -> None:
    rabat = sessions["rabat"]
    refused = post(
        rabat,
        "/blocklist/submit",
        {**FORM, "domain": "good.example", "severe_abuse": "false", "notes": "seen on 3 December"},
    )
    assert refused.status_code == 422
    assert 'href="#criteria"' in refused.text and 'id="criteria-error"' in refused.text
    assert 'value="good.example"' in refused.text and "seen on 3 December" in refused.text
    assert (
        'id="real_children" name="real_children" type="checkbox" value="true" checked'
        in refused.text
    )
    assert 'id="severe_abuse" name="severe_abuse" type="checkbox" value="true">' in refused.text
    bad_domain = post(rabat, "/blocklist/submit", {**FORM, "domain": "not a domain"})
    assert bad_domain.status_code == 422 and 'href="#domain"' in bad_domain.text
    link = post(
        rabat,
        "/blocklist/submit",
        {**FORM, "domain": "ok.example", "evidence_ref": "https://files.example/x"},
    )
    assert link.status_code == 422 and 'href="#evidence_ref"' in link.text


def test_delisting_asks_for_confirmation_first(
    world: World, cast: Cast, sessions: dict[str, TestClient]
) -> None:
    rabat, paris, gs = sessions["rabat"], sessions["paris"], sessions["gs"]
    domain_page = post(rabat, "/blocklist/submit", {**FORM, "domain": "listed.example"}).headers[
        "location"
    ]
    post(paris, f"{domain_page}/confirm", FORM)
    post(gs, "/blocklist/publish", {"version": "1"})
    empty = post(gs, f"{domain_page}/delist", {"reason": "  "}, domain_page)
    assert empty.status_code == 422 and 'href="#delist-reason"' in empty.text
    check = post(gs, f"{domain_page}/delist", {"reason": "material gone"}, domain_page)
    assert check.status_code == 200 and 'data-testid="confirm"' in check.text
    assert "material gone" in check.text
    assert re.search(
        r'data-testid="state"><strong class="tag[^"]*">Listed', gs.get(domain_page).text
    )  # nothing happened yet
    done = post(
        gs, f"{domain_page}/delist", {"reason": "material gone", "confirmed": "yes"}, domain_page
    )
    assert done.status_code == 303 and done.headers["location"] == domain_page
    assert re.search(
        r'data-testid="state"><strong class="tag[^"]*">Delisted', gs.get(domain_page).text
    )
