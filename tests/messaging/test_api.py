"""The messaging API end to end: compose, read and verify, download, confidentiality, H2,
follow-ups, operations and webhooks, as national systems and officers call it."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from interlink.core.audit import Actor
from interlink.core.auth import Role
from interlink.messaging.context import context_for
from interlink.messaging.followups import open_hit_followup
from interlink.messaging.models import Attachment, Blob
from tests.support import World

PDF = b"%PDF-1.7\nannex\n"


@pytest.fixture
def clients(world: World) -> dict[str, TestClient]:
    return {
        org: world.api_as(world.user(f"NCB-{org}" if org != "GS" else "GS", Role.OFFICER))
        for org in ("MA", "FR", "DE", "GS")
    }


def _send(client: TestClient, **extra: object) -> dict:
    body = {
        "recipients": ["FR"],
        "subject": "Stolen passport",
        "body": "Holder is wanted.",
        "handling": "H1",
        "reliability": "B",
        "accuracy": "2",
        "priority": "urgent",
        "links": [{"object_type": "record", "object_id": 12}],
        "attachments": [
            {
                "filename": "annex.pdf",
                "content_type": "application/pdf",
                "content_base64": base64.b64encode(PDF).decode(),
            }
        ],
    }
    body.update(extra)
    response = client.post("/api/v1/threads", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_recipient_verifies_the_signature_with_the_published_key(
    clients: dict[str, TestClient],
) -> None:
    sent = _send(clients["MA"])
    thread = clients["FR"].get(f"/api/v1/threads/{sent['thread_id']}").json()
    [message] = thread["messages"]
    assert message["body"] == "Holder is wanted." and message["sender"] == "NCB-MA"
    assert (message["handling"], message["reliability"], message["accuracy"]) == ("H1", "B", "2")
    signature = message["signature"]
    assert signature["valid"] is True
    keys = clients["FR"].get("/api/v1/signing-keys", params={"org": "NCB-MA"}).json()
    [key] = [k for k in keys if k["key_id"] == signature["key_id"]]
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    public.verify(
        base64.b64decode(signature["value"]), base64.b64decode(signature["signed_payload"])
    )  # raises if invalid
    [attachment] = message["attachments"]
    download = clients["FR"].get(f"/api/v1/attachments/{attachment['id']}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert "attachment" in download.headers["content-disposition"]
    receipts = clients["MA"].get(f"/api/v1/threads/{sent['thread_id']}").json()
    assert receipts["messages"][0]["receipts"][0]["read_at"] is not None


@pytest.mark.parametrize("outsider", ["DE", "GS"])
def test_non_recipients_get_404_problem(clients: dict[str, TestClient], outsider: str) -> None:
    sent = _send(clients["MA"])
    attachment_id = (
        clients["FR"]
        .get(f"/api/v1/threads/{sent['thread_id']}")
        .json()["messages"][0]["attachments"][0]["id"]
    )
    client = clients[outsider]
    for response in (
        client.get(f"/api/v1/threads/{sent['thread_id']}"),
        client.get(f"/api/v1/attachments/{attachment_id}"),
        client.post(f"/api/v1/threads/{sent['thread_id']}/messages", json={"body": "hi"}),
        client.post(f"/api/v1/messages/{sent['message_id']}/forward", json={"recipients": ["IT"]}),
    ):
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/threads").json()["items"] == []


def test_gs_reads_after_a_grant_and_the_access_is_visible(clients: dict[str, TestClient]) -> None:
    sent = _send(clients["MA"])
    grant = clients["FR"].post(
        f"/api/v1/threads/{sent['thread_id']}/grants", json={"reason": "review of a diffusion"}
    )
    assert grant.status_code == 201, grant.text
    gs_view = clients["GS"].get(f"/api/v1/threads/{sent['thread_id']}")
    assert gs_view.status_code == 200 and gs_view.json()["access"] == "grant"
    assert (
        clients["GS"]
        .post(f"/api/v1/threads/{sent['thread_id']}/messages", json={"body": "noted"})
        .status_code
        == 403
    )
    seen = clients["MA"].get(f"/api/v1/threads/{sent['thread_id']}").json()
    assert [(a["org"], a["action"]) for a in seen["granted_accesses"]] == [("GS", "read")]
    revoked = clients["MA"].delete(
        f"/api/v1/threads/{sent['thread_id']}/grants/{grant.json()['id']}"
    )
    assert revoked.json()["revoked_at"] is not None
    assert clients["GS"].get(f"/api/v1/threads/{sent['thread_id']}").status_code == 404


def test_h2_forwarding_through_the_api(clients: dict[str, TestClient]) -> None:
    sent = _send(clients["MA"], handling="H2")
    forward = {"recipients": ["DE"], "note": "FYI"}
    refused = clients["FR"].post(f"/api/v1/messages/{sent['message_id']}/forward", json=forward)
    assert refused.status_code == 403 and "H2" in refused.json()["detail"]
    asked = clients["FR"].post(
        f"/api/v1/messages/{sent['message_id']}/forward-requests",
        json={"reason": "suspect moved to Germany"},
    )
    assert asked.status_code == 201 and asked.json()["requester"] == "NCB-FR"
    decision = f"/api/v1/forward-requests/{asked.json()['id']}/decision"
    assert clients["FR"].post(decision, json={"grant": True}).status_code == 403
    assert clients["MA"].post(decision, json={"grant": True}).json()["granted"] is True
    done = clients["FR"].post(f"/api/v1/messages/{sent['message_id']}/forward", json=forward)
    assert done.status_code == 201, done.text
    de_view = clients["DE"].get(f"/api/v1/threads/{done.json()['thread_id']}").json()
    assert de_view["messages"][0]["signature"]["valid"]
    assert de_view["participants"] == ["NCB-DE", "NCB-FR", "NCB-MA"]


def test_follow_ups_over_the_api(world: World, clients: dict[str, TestClient]) -> None:
    ctx = context_for(world.settings)
    ma, fr = world.org("NCB-MA"), world.org("NCB-FR")
    with world.db.session() as session:
        thread = open_hit_followup(
            session,
            ctx=ctx,
            hit_id=7,
            record_id=70,
            searching_org_id=ma.id,
            owner_org_id=fr.id,
            summary="Passport MA123 checked at Orly",
            actor=_actor(ma.id),
        )
    inbox = clients["FR"].get("/api/v1/threads", params={"unread_only": True}).json()
    assert [(t["id"], t["kind"], t["overdue"]) for t in inbox["items"]] == [
        (thread.id, "hit_followup", False)
    ]
    assert (
        clients["FR"]
        .post(f"/api/v1/threads/{thread.id}/messages", json={"body": "Confirmed, arrest him."})
        .status_code
        == 201
    )
    listed = clients["MA"].get("/api/v1/followups").json()
    [item] = listed["items"]
    assert item["answered_at"] is not None and item["seconds_to_answer"] >= 0
    assert listed["stats"]["answered"] == 1
    assert clients["GS"].get("/api/v1/followups").json()["items"][0]["hit_id"] == 7
    assert clients["DE"].get("/api/v1/followups").json()["items"] == []


def _actor(org_id: int) -> Actor:
    return Actor(label="screening", org_id=org_id)


def test_inbox_pages_with_a_cursor(clients: dict[str, TestClient]) -> None:
    ids = [_send(clients["MA"], attachments=[])["thread_id"] for _ in range(3)]
    first = clients["FR"].get("/api/v1/threads", params={"limit": 2}).json()
    second = (
        clients["FR"]
        .get("/api/v1/threads", params={"limit": 2, "cursor": first["next_cursor"]})
        .json()
    )
    assert [t["id"] for t in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None


def test_operations_over_the_api(clients: dict[str, TestClient]) -> None:
    created = clients["MA"].post(
        "/api/v1/operations", json={"name": "Sandstorm", "purpose": "route"}
    )
    assert created.status_code == 201, created.text
    op = created.json()
    assert (
        clients["MA"]
        .post(f"/api/v1/operations/{op['id']}/invitations", json={"org": "FR"})
        .json()["status"]
        == "invited"
    )
    assert clients["DE"].get(f"/api/v1/operations/{op['id']}").status_code == 404
    assert (
        clients["FR"]
        .post(f"/api/v1/operations/{op['id']}/response", json={"accept": True})
        .json()["status"]
        == "accepted"
    )
    task = clients["FR"].post(
        f"/api/v1/operations/{op['id']}/tasks",
        json={"title": "Check manifest", "owner": "NCB-FR", "due_at": "2030-01-01T12:00:00Z"},
    )
    assert task.status_code == 201, task.text
    view = clients["FR"].get(f"/api/v1/operations/{op['id']}").json()
    assert [e["kind"] for e in view["timeline"]] == ["created", "invited", "accepted", "task_added"]
    channel = clients["FR"].post(
        f"/api/v1/threads/{op['channel_thread_id']}/messages", json={"body": "Team in place."}
    )
    assert channel.status_code == 201
    # Without a records reader plugged in, the workspace says so instead of guessing.
    assert (
        clients["MA"]
        .post(f"/api/v1/operations/{op['id']}/records", json={"record_id": 1})
        .status_code
        == 404
    )


def test_webhooks_over_the_api(world: World) -> None:
    admin = world.api_as(world.user("NCB-FR", Role.NCB_ADMIN, mfa=True))
    created = admin.post(
        "/api/v1/webhooks", json={"url": "https://national.example/hook", "events": ["message.new"]}
    )
    assert created.status_code == 201 and len(created.json()["secret"]) > 20
    hook_id = created.json()["id"]
    assert admin.get(f"/api/v1/webhooks/{hook_id}/deliveries").json() == []
    officer = world.api_as(world.user("NCB-FR", Role.OFFICER))
    assert officer.get("/api/v1/webhooks").status_code == 403
    assert admin.delete(f"/api/v1/webhooks/{hook_id}").json()["active"] is False


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"recipients": ["ZZ"]}, 422),
        ({"recipients": ["MA"]}, 422),
        (
            {
                "attachments": [
                    {
                        "filename": "a.pdf",
                        "content_type": "application/pdf",
                        "content_base64": "!!!",
                    }
                ]
            },
            422,
        ),
        (
            {
                "attachments": [
                    {
                        "filename": "a.exe",
                        "content_type": "application/x-msdownload",
                        "content_base64": "TVo=",
                    }
                ]
            },
            422,
        ),
        ({"links": [{"object_type": "person", "object_id": 1}]}, 422),
        ({"handling": "H9"}, 422),
    ],
)
def test_bad_messages_are_refused_with_problem_json(
    clients: dict[str, TestClient], body: dict, status: int
) -> None:
    payload = {"recipients": ["FR"], "subject": "s", "body": "b", **body}
    response = clients["MA"].post("/api/v1/threads", json=payload)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_a_tampered_attachment_is_a_409_problem(
    world: World, clients: dict[str, TestClient]
) -> None:
    sent = _send(clients["MA"])
    message = clients["FR"].get(f"/api/v1/threads/{sent['thread_id']}").json()["messages"][0]
    with world.db.session() as session:
        session.execute(update(Attachment).values(content_type="image/png"))
    response = clients["FR"].get(f"/api/v1/attachments/{message['attachments'][0]['id']}")
    assert response.status_code == 409 and response.json()["title"] == "Integrity failure"
    again = clients["FR"].get(f"/api/v1/threads/{sent['thread_id']}").json()["messages"][0]
    assert again["signature"]["valid"] is False and again["signature"]["problem"]


def test_an_integrity_failure_is_told_in_the_language(
    world: World, clients: dict[str, TestClient]
) -> None:
    sent = _send(clients["MA"])
    message = clients["FR"].get(f"/api/v1/threads/{sent['thread_id']}").json()["messages"][0]
    download = f"/api/v1/attachments/{message['attachments'][0]['id']}"
    with world.db.session() as session:
        blob = session.scalars(select(Blob)).one()
        blob.ciphertext = blob.ciphertext[:-1] + bytes([blob.ciphertext[-1] ^ 1])
    english = clients["FR"].get(download).json()
    assert english["detail"] == "the stored content of annex.pdf was altered"
    french = clients["FR"].get(download, headers={"Accept-Language": "fr"})
    assert french.status_code == 409
    assert (french.json()["title"], french.json()["detail"]) == (
        "Défaut d'intégrité",
        "le contenu enregistré de annex.pdf a été altéré",
    )
    with world.db.session() as session:
        session.execute(update(Attachment).values(content_type="image/png"))
    signature = clients["FR"].get(download, headers={"Accept-Language": "es"}).json()
    assert signature["detail"] == (
        f"el mensaje {sent['message_id']} no supera la verificación: la firma no corresponde "
        "al mensaje; este ha sido alterado"
    )


def test_a_missing_forwarding_request_is_told_in_the_language(
    clients: dict[str, TestClient],
) -> None:
    decision = "/api/v1/forward-requests/987654/decision"
    english = clients["MA"].post(decision, json={"grant": True})
    assert english.status_code == 404
    assert english.json()["detail"] == ("no forwarding request 987654 in a thread you take part in")
    french = clients["MA"].post(decision, json={"grant": True}, headers={"Accept-Language": "fr"})
    assert french.json()["detail"] == (
        "aucune demande de transfert 987654 dans un fil auquel vous participez"
    )


def _normalised(response: object, real_id: int, missing_id: int) -> tuple[int, str, str]:
    """Status, content type and body with the asked-for id written the same way."""
    text = re.sub(rf"\b(?:{real_id}|{missing_id})\b", "ID", response.text)  # type: ignore[attr-defined]
    return response.status_code, response.headers["content-type"], text  # type: ignore[attr-defined]


@pytest.mark.parametrize("outsider", ["DE", "ANALYST"])
def test_an_unreachable_id_answers_exactly_like_a_missing_one(
    world: World, clients: dict[str, TestClient], outsider: str
) -> None:
    """Attachment, forward, forward request and decision: an id of another bureau's thread
    answers like an id that does not exist, for an outsider officer and for a user without
    the messaging permission (who used to get a 403 naming the thread)."""
    sent = _send(clients["MA"], handling="H2")
    message = clients["FR"].get(f"/api/v1/threads/{sent['thread_id']}").json()["messages"][0]
    asked = clients["FR"].post(
        f"/api/v1/messages/{sent['message_id']}/forward-requests",
        json={"reason": "suspect moved to Germany"},
    )
    assert asked.status_code == 201, asked.text
    client = clients["DE"] if outsider == "DE" else world.api_as(world.user("NCB-DE", Role.ANALYST))
    missing = 987_654_321
    routes = [
        ("get", "/api/v1/attachments/{}", message["attachments"][0]["id"], None),
        ("post", "/api/v1/messages/{}/forward", sent["message_id"], {"recipients": ["IT"]}),
        ("post", "/api/v1/messages/{}/forward-requests", sent["message_id"], {"reason": "please"}),
        ("post", "/api/v1/forward-requests/{}/decision", asked.json()["id"], {"grant": True}),
    ]
    for method, path, real_id, body in routes:
        kwargs = {} if body is None else {"json": body}
        real = getattr(client, method)(path.format(real_id), **kwargs)
        absent = getattr(client, method)(path.format(missing), **kwargs)
        assert _normalised(real, real_id, missing) == _normalised(absent, real_id, missing), path
        assert real.status_code == (404 if outsider == "DE" else 403), real.text
