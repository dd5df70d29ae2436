"""The web pages with cookie sessions and real forms (CSRF included), no JavaScript."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from interlink.core.auth import Role
from tests.support import World, csrf_of

PDF = b"%PDF-1.7\nannex\n"


@pytest.fixture
def rabat(world: World) -> TestClient:
    return world.browser_login(world.user("NCB-MA", Role.OFFICER))


@pytest.fixture
def paris(world: World) -> TestClient:
    return world.browser_login(world.user("NCB-FR", Role.OFFICER))


def _compose(client: TestClient, **fields: str) -> str:
    data = {
        "csrf_token": csrf_of(client, "/messages/new"),
        "recipients": "FR",
        "subject": "Stolen car",
        "body": "VIN WVWZZZ1JZXW000001 seen in Lyon.",
        "handling": "H2",
        "reliability": "B",
        "accuracy": "2",
        "priority": "flash",
        "links": "record:5",
        **fields,
    }
    response = client.post(
        "/messages/new",
        data=data,
        follow_redirects=False,
        files=[("attachments", ("annex.pdf", PDF, "application/pdf"))],
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_compose_read_reply_with_forms(rabat: TestClient, paris: TestClient) -> None:
    location = _compose(rabat)
    inbox = paris.get("/messages")
    assert "Stolen car" in inbox.text and "1 new" in inbox.text
    page = paris.get(location)
    assert "signature verified" in page.text and "VIN WVWZZZ1JZXW000001" in page.text
    attachment = re.search(r'href="(/messages/attachments/\d+)"', page.text).group(1)
    assert paris.get(attachment).content == PDF
    reply = paris.post(
        f"{location}/reply",
        data={"csrf_token": csrf_of(paris, location), "body": "We have it."},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert "We have it." in rabat.get(location).text


def test_h2_forward_is_asked_and_granted_in_the_thread(
    rabat: TestClient, paris: TestClient
) -> None:
    location = _compose(rabat)
    page = paris.get(location)
    assert "Ask permission" in page.text
    message_id = re.search(r'id="m(\d+)"', page.text).group(1)
    forward = f"{location}/forward/{message_id}"
    refused = paris.post(forward, data={"csrf_token": csrf_of(paris, location), "recipients": "DE"})
    assert refused.status_code == 403 and "H2" in refused.text
    paris.post(
        f"{forward}/request",
        data={"csrf_token": csrf_of(paris, location), "reason": "suspect drove to Germany"},
    )
    owner_page = rabat.get(location)
    assert "suspect drove to Germany" in owner_page.text
    request_id = re.search(r'forward-requests/(\d+)"', owner_page.text).group(1)
    rabat.post(
        f"{location}/forward-requests/{request_id}",
        data={"csrf_token": csrf_of(rabat, location), "decision": "grant"},
    )
    # Forwarding takes the message outside the thread: check who receives it first.
    check = paris.post(
        forward,
        data={"csrf_token": csrf_of(paris, location), "recipients": "DE", "note": "for your file"},
        follow_redirects=False,
    )
    assert check.status_code == 200 and 'data-testid="confirm"' in check.text
    assert "(NCB-DE)" in check.text and 'name="confirmed" value="yes"' in check.text
    unknown = paris.post(
        forward,
        data={
            "csrf_token": csrf_of(paris, location),
            "recipients": "DE, ZZ",
            "note": "for your file",
        },
    )
    assert unknown.status_code == 422 and f'href="#fwd-to-{message_id}"' in unknown.text
    assert 'value="DE, ZZ"' in unknown.text
    done = paris.post(
        forward,
        data={
            "csrf_token": csrf_of(paris, location),
            "recipients": "DE",
            "note": "for your file",
            "confirmed": "yes",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] != location


def test_forms_without_the_csrf_token_are_refused(rabat: TestClient) -> None:
    response = rabat.post("/messages/new", data={"recipients": "FR", "subject": "s", "body": "b"})
    assert response.status_code == 403


def test_a_refused_message_shows_the_form_again(rabat: TestClient) -> None:
    response = rabat.post(
        "/messages/new",
        data={
            "csrf_token": csrf_of(rabat, "/messages/new"),
            "recipients": "ZZ",
            "subject": "s",
            "body": "keep my text",
        },
    )
    assert response.status_code == 422
    assert "unknown organisation" in response.text and "keep my text" in response.text
    assert 'href="#recipients"' in response.text and 'id="recipients-error"' in response.text
    assert 'value="ZZ"' in response.text and 'value="s"' in response.text


def test_gs_thread_page_is_not_found_without_a_grant(world: World, rabat: TestClient) -> None:
    location = _compose(rabat)
    gs = world.browser_login(world.user("GS", Role.OFFICER))
    assert gs.get(location).status_code == 404
    rabat.post(
        f"{location}/grants",
        data={"csrf_token": csrf_of(rabat, location), "reason": "coordination"},
    )
    assert gs.get(location).status_code == 200
    assert "GS" in rabat.get(location).text.split("Accesses through a grant")[1]


def test_operations_pages(world: World, rabat: TestClient, paris: TestClient) -> None:
    created = rabat.post(
        "/operations",
        data={"csrf_token": csrf_of(rabat, "/operations"), "name": "Sandstorm", "purpose": "route"},
        follow_redirects=False,
    )
    location = created.headers["location"]
    rabat.post(f"{location}/invite", data={"csrf_token": csrf_of(rabat, location), "org": "FR"})
    assert "Accept" in paris.get(location).text
    paris.post(
        f"{location}/respond", data={"csrf_token": csrf_of(paris, location), "answer": "accept"}
    )
    paris.post(
        f"{location}/tasks",
        data={
            "csrf_token": csrf_of(paris, location),
            "title": "Check ferry manifest",
            "owner": "FR",
            "due": "2020-01-01 10:00",
        },
    )
    page = paris.get(location)
    assert "Check ferry manifest" in page.text and "overdue" in page.text
    assert "NCB-FR accepted" in page.text  # timeline
    bad = paris.post(
        f"{location}/tasks",
        data={
            "csrf_token": csrf_of(paris, location),
            "title": "Call the harbour",
            "owner": "FR",
            "due": "soon",
        },
    )
    assert bad.status_code == 422
    assert 'href="#due"' in bad.text and 'id="due-error"' in bad.text
    assert 'value="Call the harbour"' in bad.text and 'value="soon"' in bad.text
    # Closing is irreversible: a check page first, and only the lead may close.
    check = rabat.post(f"{location}/close", data={"csrf_token": csrf_of(rabat, location)})
    assert check.status_code == 200 and 'data-testid="confirm"' in check.text
    assert "Active" in rabat.get(location).text
    assert (
        paris.post(f"{location}/close", data={"csrf_token": csrf_of(paris, location)}).status_code
        == 403
    )
    closed = rabat.post(
        f"{location}/close",
        data={"csrf_token": csrf_of(rabat, location), "confirmed": "yes"},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    assert "Closed" in rabat.get(location).text


def test_webhooks_page_shows_the_secret_once(world: World) -> None:
    admin = world.browser_login(world.user("NCB-FR", Role.NCB_ADMIN, mfa=True))
    page = admin.post(
        "/webhooks",
        data={
            "csrf_token": csrf_of(admin, "/webhooks"),
            "url": "https://national.example/hook",
            "events": ["message.new", "hit.new"],
        },
    )
    assert 'data-testid="webhook-secret"' in page.text
    again = admin.get("/webhooks")
    assert "national.example" in again.text and 'data-testid="webhook-secret"' not in again.text
    # The POST redirected: a reload adds nothing and shows no secret.
    assert page.history[0].status_code == 303
    reload = admin.get("/webhooks/added")
    assert 'data-testid="webhook-secret"' not in reload.text
    assert reload.text.count("/deactivate") == 1


def test_webhook_form_keeps_its_input_and_switching_off_is_checked_first(world: World) -> None:
    admin = world.browser_login(world.user("NCB-FR", Role.NCB_ADMIN, mfa=True))
    csrf = csrf_of(admin, "/webhooks")
    bad = admin.post(
        "/webhooks",
        data={"csrf_token": csrf, "url": "http://national.example/hook", "events": ["hit.new"]},
    )
    assert bad.status_code == 422
    assert 'data-testid="error-summary"' in bad.text and 'href="#url"' in bad.text
    assert 'value="http://national.example/hook"' in bad.text
    assert 'value="hit.new" checked' in bad.text and 'value="message.new" checked' not in bad.text
    no_events = admin.post("/webhooks", data={"csrf_token": csrf, "url": "https://n.example/h"})
    assert no_events.status_code == 422 and 'href="#events"' in no_events.text
    admin.post(
        "/webhooks",
        data={"csrf_token": csrf, "url": "https://national.example/hook", "events": ["hit.new"]},
    )
    hook_id = re.search(r"/webhooks/(\d+)/deactivate", admin.get("/webhooks").text).group(1)
    check = admin.post(f"/webhooks/{hook_id}/deactivate", data={"csrf_token": csrf})
    assert check.status_code == 200 and 'data-testid="confirm"' in check.text
    assert f"/webhooks/{hook_id}/deactivate" in admin.get("/webhooks").text  # still on
    done = admin.post(
        f"/webhooks/{hook_id}/deactivate",
        data={"csrf_token": csrf, "confirmed": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert f"/webhooks/{hook_id}/deactivate" not in admin.get("/webhooks").text
    # Another bureau's webhook answers as a missing one.
    other = world.browser_login(world.user("NCB-MA", Role.NCB_ADMIN, mfa=True))
    csrf_ma = csrf_of(other, "/webhooks")
    missing = other.post("/webhooks/999999/deactivate", data={"csrf_token": csrf_ma})
    foreign = other.post(f"/webhooks/{hook_id}/deactivate", data={"csrf_token": csrf_ma})
    assert missing.status_code == foreign.status_code == 404
