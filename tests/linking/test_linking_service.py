"""Linking against real records on SQLite and PostgreSQL: the incremental linker, one score in
every view, decisions that stick, the owner of the other record told, and every role's view
of a link it may or may not see."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from interlink.core.audit import AuditEntry
from interlink.core.auth import OrgKind, Role
from interlink.core.db import latest_change
from interlink.linking import service
from interlink.linking.model import compare
from interlink.linking.models import Link, LinkCursor, LinkRun
from interlink.messaging.models import Followup
from interlink.records.models import Record
from interlink.screening.models import Hit
from tests.support import World, circulate

PUSHKIN = {
    "names": [{"full_name": "Aleksandr Pushkin"}],
    "sex": "male",
    "birth_date": "1979-06-06",
    "nationalities": ["RU"],
    "identity_documents": [
        {"document_type": "passport", "number": "71 1234567", "issuing_country": "RU"}
    ],
}
PUSHKIN_FR = {
    "names": [{"full_name": "Пушкин Александр"}],
    "sex": "male",
    "birth_date": "1979-06-06",
    "nationalities": ["RU"],
    "identity_documents": [
        {"document_type": "passport", "number": "711234567", "issuing_country": "RU"}
    ],
}
STRANGER = {
    "names": [{"full_name": "Nadia Berrada"}],
    "sex": "female",
    "birth_date": "1990-03-01",
    "nationalities": ["MA"],
}


def _create(client, data: dict, restrictions: dict | None = None) -> int:
    """A person record, circulated under a diffusion from its bureau (linking reads only
    what circulates)."""
    body = {"data": data, **({"restrictions": restrictions} if restrictions else {})}
    response = client.post("/api/v1/records/person", json=body)
    assert response.status_code == 201, response.text
    circulate(client, response.json()["id"])
    return response.json()["id"]


def _settle(world: World) -> None:
    """Let the screening index and then the linker take every committed change."""
    services = world.app.state.interlink.services
    services.screener.engine.refresh()
    while services.linker.step():
        pass


@pytest.fixture
def linked(world: World) -> dict:
    """MA and FR each record the same person (FR restricts its record to FR and DE);
    a stranger too."""
    world.app.state.interlink.services.screener.engine.build()
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    fr = world.api_as(world.user("NCB-FR", Role.SUPERVISOR))
    ids = {
        "ma": _create(ma, PUSHKIN),
        "fr": _create(fr, PUSHKIN_FR, {"visibility": "only", "countries": ["FR", "DE"]}),
        "stranger": _create(ma, STRANGER),
    }
    _settle(world)
    return ids


def _link(world: World, a: int, b: int) -> Link | None:
    with world.db.session() as session:
        return session.scalars(
            select(Link).where(Link.left_id == min(a, b), Link.right_id == max(a, b))
        ).first()


def test_new_records_are_linked_as_the_feed_delivers_them(world: World, linked) -> None:
    link = _link(world, linked["ma"], linked["fr"])
    assert link is not None and link.status == "suggested" and link.found_by == "incremental"
    assert _link(world, linked["ma"], linked["stranger"]) is None
    levels = {c["feature"]: c["level"] for c in link.explanation["contributions"]}
    assert levels["identifier"] == "shared" and levels["birth_date"] == "exact"


def test_every_view_gives_the_same_score_for_the_same_pair(world: World, linked) -> None:
    gs = world.api_as(world.user("GS", Role.ANALYST))
    link = _link(world, linked["ma"], linked["fr"])
    stored = gs.get(f"/api/v1/links/{link.id}").json()
    similar = gs.get(f"/api/v1/links/records/{linked['ma']}/similar").json()["similar"]
    from_similar = next(s for s in similar if s["record"]["id"] == linked["fr"])
    explained = gs.get(
        "/api/v1/links/explain", params={"a": linked["fr"], "b": linked["ma"]}
    ).json()
    with world.db.session() as session:
        direct = compare(
            *(service.subject_of(session.get(Record, i)) for i in (linked["fr"], linked["ma"]))
        )
    weights = {
        stored["match_weight"],
        from_similar["match_weight"],
        explained["match_weight"],
        round(direct.match_weight, 4),
    }
    assert len(weights) == 1, weights
    assert stored["explanation"]["contributions"] == explained["contributions"]
    assert sum(c["weight"] for c in explained["contributions"]) == pytest.approx(
        explained["match_weight"], abs=1e-3
    )


def test_a_rejected_pair_never_returns(world: World, linked) -> None:
    gs = world.api_as(world.user("GS", Role.ANALYST))
    link = _link(world, linked["ma"], linked["fr"])
    response = gs.post(
        f"/api/v1/links/{link.id}/decision",
        json={"decision": "rejected", "reason": "different fathers' names"},
    )
    assert response.status_code == 200, response.text
    # the FR record changes: the linker sees it again, and a full run goes over everything
    fr = world.api_as(world.user("NCB-FR", Role.SUPERVISOR))
    patched = fr.put(
        f"/api/v1/records/{linked['fr']}",
        json={"data": {**PUSHKIN_FR, "birth_place": "Moscow"}, "reason": "birth place known"},
    )
    assert patched.status_code == 200, patched.text
    _settle(world)
    with world.db.session() as session:
        run = service.start_run(session, world.principal(world.user("GS", Role.ANALYST)))
    service.full_run(world.db, run.id)
    again = _link(world, linked["ma"], linked["fr"])
    assert again.id == link.id and again.status == "rejected"
    suggested = gs.get("/api/v1/links", params={"status": "suggested"}).json()["links"]
    assert all(
        {s["left"]["id"], s["right"]["id"]} != {linked["ma"], linked["fr"]} for s in suggested
    )
    with world.db.session() as session:
        assert (
            session.scalars(select(AuditEntry).where(AuditEntry.action == "link.decide")).first()
            is not None
        )


def test_the_owner_of_the_other_record_is_told(world: World, linked) -> None:
    """MA may not see FR's record: FR, its owner, is told through a hit follow-up opened by
    the General Secretariat, which names nothing of MA's record."""
    link = _link(world, linked["ma"], linked["fr"])
    assert link.notified and len(link.notified_hits) == 1
    with world.db.session() as session:
        hit = session.get(Hit, link.notified_hits[0])
        assert hit.record_id == linked["fr"] and hit.match == "link"
        assert hit.owner_org_id == world.org("NCB-FR").id
        assert hit.searching_org_id == world.org("GS").id
        followup = session.scalars(select(Followup).where(Followup.hit_id == hit.id)).one()
        assert followup.owner_org_id == world.org("NCB-FR").id
        assert "Pushkin" not in str(hit.explanation) and "Aleksandr" not in str(hit.query)
    # idempotent: the next step tells nobody twice
    _settle(world)
    with world.db.session() as session:
        assert len(session.scalars(select(Hit).where(Hit.match == "link")).all()) == 1


def _views(world: World, client, linked: dict, link_id: int) -> dict:
    return {
        "list": [v["id"] for v in client.get("/api/v1/links").json().get("links", [])],
        "get": client.get(f"/api/v1/links/{link_id}").status_code,
        "hints_ma": client.get(f"/api/v1/links/records/{linked['ma']}/hints").json().get("hints"),
        "graph_ma": [
            e.get("link_id")
            for e in client.get(f"/api/v1/links/records/{linked['ma']}/graph")
            .json()
            .get("edges", [])
        ],
    }


@pytest.mark.parametrize(
    ("org", "role", "sees"),
    [
        ("NCB-MA", Role.OFFICER, False),  # owns one record, may not see the other
        ("NCB-MA", Role.SUPERVISOR, False),
        ("NCB-FR", Role.OFFICER, True),  # owns the other, sees MA's (open to all)
        ("NCB-DE", Role.SUPERVISOR, True),  # a third bureau admitted to both
        ("NCB-IT", Role.OFFICER, False),  # a third bureau admitted to MA's only
        ("GS", Role.ANALYST, True),
    ],
)
def test_each_role_sees_a_link_only_with_both_records(
    world: World, linked, org: str, role: Role, sees: bool
) -> None:
    link = _link(world, linked["ma"], linked["fr"])
    views = _views(world, world.api_as(world.user(org, role)), linked, link.id)
    assert (link.id in views["list"]) is sees
    assert views["get"] == (200 if sees else 404)
    assert (link.id in views["graph_ma"]) is sees
    # only MA, the owner who may not see the other record, gets the one-sentence hint
    assert views["hints_ma"] == ([service.HINT] if org == "NCB-MA" else [])


def test_a_hidden_link_answers_like_a_missing_one(world: World, linked) -> None:
    ma = world.api_as(world.user("NCB-MA", Role.ANALYST))
    link = _link(world, linked["ma"], linked["fr"])
    hidden, missing = ma.get(f"/api/v1/links/{link.id}"), ma.get("/api/v1/links/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["title"] == missing.json()["title"]
    decided = ma.post(f"/api/v1/links/{link.id}/decision", json={"decision": "confirmed"})
    assert decided.status_code == 404
    similar = ma.get(f"/api/v1/links/records/{linked['ma']}/similar").json()["similar"]
    assert all(s["record"]["id"] != linked["fr"] for s in similar)
    explained = ma.get("/api/v1/links/explain", params={"a": linked["ma"], "b": linked["fr"]})
    assert explained.status_code == 404
    graph = ma.get(f"/api/v1/links/records/{linked['ma']}/graph", params={"format": "graphml"})
    assert "Пушкин" not in graph.text and f"record:{linked['fr']}" not in graph.text


def test_partner_and_oversight(world: World, linked) -> None:
    world.add_org("PARTNER-AIR", OrgKind.PARTNER)
    partner = world.api_as(world.user("PARTNER-AIR", Role.PARTNER))
    assert partner.get("/api/v1/links").status_code == 403
    link = _link(world, linked["ma"], linked["fr"])
    assert partner.get(f"/api/v1/links/{link.id}").status_code == 403
    oversight = world.api_as(world.user("CCF", Role.OVERSIGHT, mfa=True))
    assert oversight.get(f"/api/v1/links/{link.id}").status_code == 200
    refused = oversight.post(f"/api/v1/links/{link.id}/decision", json={"decision": "rejected"})
    assert refused.status_code == 403  # reads, never decides


def test_only_analysts_decide_and_runs_belong_to_the_secretariat(world: World, linked) -> None:
    link = _link(world, linked["ma"], linked["fr"])
    officer = world.api_as(world.user("NCB-FR", Role.SUPERVISOR))
    assert (
        officer.post(
            f"/api/v1/links/{link.id}/decision", json={"decision": "confirmed"}
        ).status_code
        == 403
    )
    assert officer.post("/api/v1/links/runs").status_code == 403
    fr_analyst = world.api_as(world.user("NCB-FR", Role.ANALYST))
    assert fr_analyst.post("/api/v1/links/runs").status_code == 403
    assert (
        fr_analyst.post(f"/api/v1/links/{link.id}/decision", json={"decision": "maybe"}).status_code
        == 422
    )


def test_full_run_records_progress_and_completion(world: World, linked) -> None:
    gs = world.api_as(world.user("GS", Role.ANALYST))
    with world.db.session() as session:
        for link in session.scalars(select(Link)):
            session.delete(link)
        session.get(LinkCursor, 1).last_change = 0
    started = gs.post("/api/v1/links/runs")
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    deadline = time.monotonic() + 60
    while (run := gs.get(f"/api/v1/links/runs/{run_id}").json())["state"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert run["state"] == "completed" and run["finished_at"]
    assert run["records"] == 3 and run["candidate_pairs"] >= 1 and run["links_found"] == 1
    listed = gs.get("/api/v1/links/runs").json()
    assert listed["last_completed"] == run["finished_at"]
    assert _link(world, linked["ma"], linked["fr"]).found_by == "full"
    with world.db.session() as session:  # the feed need not link again what the run did
        assert session.get(LinkCursor, 1).last_change == latest_change(session)


def test_a_failed_run_says_so(world: World, linked) -> None:
    with world.db.session() as session:
        run = service.start_run(session, world.principal(world.user("GS", Role.ANALYST)))
    with pytest.raises(AttributeError):
        service.full_run(world.db, run.id, weights=object())  # type: ignore[arg-type]
    with world.db.session() as session:
        stored = session.get(LinkRun, run.id)
        assert stored.state == "failed" and stored.finished_at and stored.error


def test_clusters_flag_weak_bridges_and_conflicts(world: World, linked) -> None:
    gs = world.api_as(world.user("GS", Role.ANALYST))
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    third = _create(
        ma, {**PUSHKIN, "names": [{"full_name": "Aleksander Puschkin"}], "identity_documents": []}
    )
    _settle(world)
    pair = _link(world, linked["ma"], linked["fr"])
    bridge = _link(world, linked["fr"], third) or _link(world, linked["ma"], third)
    assert bridge is not None
    for link in (pair, bridge):
        assert (
            gs.post(f"/api/v1/links/{link.id}/decision", json={"decision": "confirmed"}).status_code
            == 200
        )
    cluster = gs.get(f"/api/v1/links/records/{linked['ma']}/cluster").json()
    assert sorted(cluster["members"]) == sorted([linked["ma"], linked["fr"], third])
    # a second analyst rejects what the first confirmed: flagged, not silently replaced
    other = world.api_as(world.user("GS", Role.ANALYST))
    assert (
        other.post(f"/api/v1/links/{bridge.id}/decision", json={"decision": "rejected"}).status_code
        == 200
    )
    cluster = gs.get(f"/api/v1/links/records/{linked['ma']}/cluster").json()
    assert any(c["link"] == bridge.id for c in cluster["conflicts"])
    assert cluster["needs_review"]


def test_pages_show_the_explanation_and_take_a_decision(world: World, linked) -> None:
    from tests.support import csrf_of

    analyst = world.user("GS", Role.ANALYST)
    browser = world.browser_login(analyst)
    link = _link(world, linked["ma"], linked["fr"])
    listing = browser.get("/links")
    assert listing.status_code == 200 and f"/links/{link.id}" in listing.text
    page = browser.get(f"/links/{link.id}")
    assert "Match weight" in page.text and "Identifier" in page.text
    csrf = csrf_of(browser, f"/links/{link.id}")
    decided = browser.post(
        f"/links/{link.id}", data={"decision": "unsure", "csrf_token": csrf}, follow_redirects=False
    )
    assert decided.status_code == 303
    assert _link(world, linked["ma"], linked["fr"]).status == "unsure"
    graph = browser.get(f"/links/graph/{linked['ma']}")
    assert graph.status_code == 200 and f"/links/graph/{linked['fr']}" in graph.text
    assert "<script" not in graph.text.split("</header>")[-1] and "style=" not in graph.text
