"""Saved patterns on SQLite and PostgreSQL: run on each change, each match told once to the
owners concerned (their own record only), a cap per day, an expiry, and patterns kept by the
General Secretariat's analysts alone."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from interlink.core.auth import Role
from interlink.linking import documents, patterns, service
from interlink.linking.models import Pattern, PatternAlert, PersonDocument
from interlink.screening.models import Hit
from tests.records.test_core_chain import RED
from tests.support import World, csrf_of


def _person(name: str, passport: str | None = None, birth: str = "1980-01-01") -> dict:
    data: dict = {"names": [{"full_name": name}], "birth_date": birth, "sex": "male"}
    if passport:
        data["identity_documents"] = [
            {"document_type": "passport", "number": passport, "issuing_country": "MA"}
        ]
    return data


def _record(client, data: dict) -> int:
    created = client.post("/api/v1/records/person", json={"data": data})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _settle(world: World) -> None:
    services = world.app.state.interlink.services
    services.screener.engine.refresh()
    while services.linker.step():
        pass


@pytest.fixture
def gs(world: World):
    world.app.state.interlink.services.screener.engine.build()
    return world.api_as(world.user("GS", Role.ANALYST))


def _pattern(gs, kind: str, **extra) -> dict:
    created = gs.post("/api/v1/patterns", json={"kind": kind, "name": f"watch {kind}", **extra})
    assert created.status_code == 201, created.text
    return created.json()


def _pattern_hits(world: World) -> list[Hit]:
    with world.db.session() as session:
        return list(session.scalars(select(Hit).where(Hit.match == "pattern").order_by(Hit.id)))


def _messages_to(client, hit: Hit) -> str:
    """What the owner reads in the follow-up opened for it (messages are encrypted at rest)."""
    thread = client.get(f"/api/v1/threads/{hit.thread_id}")
    assert thread.status_code == 200, thread.text
    return json.dumps(thread.json()["messages"], ensure_ascii=False)


def test_one_passport_on_persons_of_two_bureaus_is_told_to_each_owner(world: World, gs) -> None:
    pattern = _pattern(gs, "shared_document")
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    es = world.api_as(world.user("NCB-ES", Role.SUPERVISOR))
    ma_id = _record(ma, _person("Yassine Tazi", "MA4417730"))
    _settle(world)
    assert _pattern_hits(world) == []  # one bureau's record alone is no pattern
    es_id = _record(es, _person("Jorge Salinas Prieto", "MA4417730", birth="1975-09-30"))
    unrelated = _record(es, _person("Ana Ruiz", "ES0000001"))
    _settle(world)
    hits = _pattern_hits(world)
    assert sorted(h.record_id for h in hits) == sorted([ma_id, es_id])
    for hit in hits:
        text = _messages_to(ma if hit.record_id == ma_id else es, hit)
        assert "MA4417730" in text and "another bureau" in text
        other = es_id if hit.record_id == ma_id else ma_id
        assert f"record {other}" not in text  # each owner hears of its own record only
        assert "Salinas" not in text or hit.record_id == es_id
        assert "Tazi" not in text or hit.record_id == ma_id
    alerts = gs.get(f"/api/v1/patterns/{pattern['id']}/alerts").json()
    assert [sorted(a["record_ids"]) for a in alerts] == [sorted([ma_id, es_id])]
    assert all(unrelated not in a["record_ids"] for a in alerts)
    # A later change to one of them opens nothing twice.
    changed = ma.put(
        f"/api/v1/records/{ma_id}",
        json={"data": _person("Yassine Tazi", "MA4417730", birth="1980-01-02")},
    )
    assert changed.status_code == 200, changed.text
    _settle(world)
    assert len(gs.get(f"/api/v1/patterns/{pattern['id']}/alerts").json()) == 1


def _numbers(world: World) -> set[tuple[int, str]]:
    with world.db.session() as session:
        return {(d.record_id, d.number) for d in session.scalars(select(PersonDocument))}


def test_document_numbers_are_looked_up_in_their_table(world: World, gs) -> None:
    """The pattern reads the numbers' table (an index lookup), kept as records change: a
    number taken off a record no longer matches, another case of it does, and a full run
    rebuilds the table."""
    _pattern(gs, "shared_document")
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    es = world.api_as(world.user("NCB-ES", Role.SUPERVISOR))
    ma_id = _record(ma, _person("Yassine Tazi", "ma441"))
    _settle(world)
    assert _numbers(world) == {(ma_id, "MA441")}
    changed = ma.put(f"/api/v1/records/{ma_id}", json={"data": _person("Yassine Tazi", "MA442")})
    assert changed.status_code == 200, changed.text
    _settle(world)
    assert _numbers(world) == {(ma_id, "MA442")}
    es_old = _record(es, _person("Jorge Salinas", "MA441"))  # the number MA no longer holds
    _settle(world)
    assert _pattern_hits(world) == []
    es_new = _record(es, _person("Jorge Prieto", "Ma442"))
    _settle(world)
    assert sorted(h.record_id for h in _pattern_hits(world)) == sorted([ma_id, es_new])
    analyst = world.principal(world.user("GS", Role.ANALYST))
    with world.db.session() as session:
        session.execute(delete(PersonDocument))
        run = service.start_run(session, analyst)
    service.full_run(world.db, run.id)
    assert _numbers(world) == {(ma_id, "MA442"), (es_old, "MA441"), (es_new, "MA442")}
    with world.db.session() as session:
        documents.index_documents(session, [es_old])
        session.execute(delete(PersonDocument).where(PersonDocument.record_id == es_new))
    assert _numbers(world) == {(ma_id, "MA442"), (es_old, "MA441")}


def test_a_red_notice_subject_screened_in_a_third_country(world: World, gs) -> None:
    _pattern(gs, "red_subject_screened_abroad")
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    reviewer = world.api_as(world.user("GS", Role.COMPLIANCE_REVIEWER))
    subject = {**_person("Samir Ouazzani", birth="1983-07-19"), "nationalities": ["MA"]}
    created = ma.post("/api/v1/notices", json={"data": {**RED, "subject": subject}})
    assert created.status_code == 201, created.text
    notice = created.json()
    assert ma.post(f"/api/v1/notices/{notice['id']}/submit").status_code == 200
    assert reviewer.post(f"/api/v1/notices/{notice['id']}/review").status_code == 200
    decided = reviewer.post(
        f"/api/v1/notices/{notice['id']}/decision",
        json={"approve": True, "reason": "Criteria met; serious crime."},
    )
    assert decided.status_code == 200, decided.text
    _settle(world)
    for country in ("FR", "DE"):  # neither requested it nor owns the record: third countries
        officer = world.api_as(world.user(f"NCB-{country}", Role.OFFICER))
        answer = officer.post(
            "/api/v1/screen/person", json={"name": "Samir Ouazzani", "birth_date": "1983-07-19"}
        )
        assert answer.status_code == 200 and answer.json()["hits"], answer.text
    _settle(world)
    hits = _pattern_hits(world)
    assert [h.record_id for h in hits] == [notice["subject_record_id"]] * 2
    text = _messages_to(ma, hits[0])
    assert notice["reference"] in text and ("FR" in text or "DE" in text)
    # The requesting bureau screening its own subject is no third country.
    before = len(hits)
    ma.post("/api/v1/screen/person", json={"name": "Samir Ouazzani"})
    _settle(world)
    assert len(_pattern_hits(world)) == before


def test_the_daily_cap_and_the_expiry(world: World, gs) -> None:
    capped = _pattern(gs, "shared_document", daily_cap=1)
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    es = world.api_as(world.user("NCB-ES", Role.SUPERVISOR))
    ids = []
    for n, passport in enumerate(("MA1000001", "MA1000002")):
        ids.append(_record(ma, _person(f"Person {n} Alami", passport)))
        ids.append(_record(es, _person(f"Persona {n} Lopez", passport)))
    _settle(world)
    listed = {p["id"]: p for p in gs.get("/api/v1/patterns").json()}
    assert len(gs.get(f"/api/v1/patterns/{capped['id']}/alerts").json()) == 1
    assert listed[capped["id"]]["suppressed"] >= 1
    # After its expiry a pattern runs no more.
    with world.db.session() as session:
        later = datetime.now(UTC) + timedelta(days=400)
        context = world.app.state.interlink.services.messaging
        row = session.get(Pattern, capped["id"])
        row.daily_cap = 100
        assert patterns.run(session, context, ids, [], now=later) == 0
        assert session.scalars(select(PatternAlert)).all().__len__() == 1


def test_patterns_are_kept_by_the_secretariats_analysts(world: World, gs) -> None:
    kept = _pattern(gs, "shared_document")
    for user in (
        world.user("NCB-FR", Role.ANALYST),
        world.user("GS", Role.OFFICER),
        world.user("CCF", Role.OVERSIGHT),
    ):
        client = world.api_as(user)
        assert client.get("/api/v1/patterns").status_code == 403
        assert (
            client.post(
                "/api/v1/patterns", json={"kind": "shared_document", "name": "mine"}
            ).status_code
            == 403
        )
        existing = client.get(f"/api/v1/patterns/{kept['id']}/alerts")
        missing = client.get("/api/v1/patterns/999999/alerts")
        assert existing.status_code == missing.status_code == 403
        assert existing.json()["detail"] == missing.json()["detail"]
    assert gs.get("/api/v1/patterns/999999/alerts").status_code == 404
    bad = gs.post("/api/v1/patterns", json={"kind": "everything", "name": "x"})
    assert bad.status_code == 422
    off = gs.post(f"/api/v1/patterns/{kept['id']}/deactivate")
    assert off.status_code == 200 and off.json()["active"] is False


def test_the_patterns_page(world: World, gs) -> None:
    page = world.browser_login(world.user("GS", Role.ANALYST))
    csrf = csrf_of(page, "/patterns")
    bad = page.post(
        "/patterns",
        data={
            "csrf_token": csrf,
            "kind": "shared_document",
            "name": "",
            "daily_cap": "many",
            "days": "30",
        },
    )
    assert bad.status_code == 422 and 'href="#daily_cap"' in bad.text
    assert 'value="shared_document" checked' in bad.text and 'value="30"' in bad.text
    made = page.post(
        "/patterns",
        data={
            "csrf_token": csrf,
            "kind": "shared_document",
            "name": "Passports seen twice",
            "daily_cap": "5",
            "days": "30",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    listing = page.get("/patterns")
    assert "Passports seen twice" in listing.text and "Running" in listing.text
    pattern_id = re.search(r"/patterns/(\d+)/deactivate", listing.text).group(1)
    check = page.post(f"/patterns/{pattern_id}/deactivate", data={"csrf_token": csrf})
    assert check.status_code == 200 and 'data-testid="confirm"' in check.text
    page.post(f"/patterns/{pattern_id}/deactivate", data={"csrf_token": csrf, "confirmed": "yes"})
    assert "Switched off" in page.get("/patterns").text
    bureau = world.browser_login(world.user("NCB-FR", Role.ANALYST))
    assert bureau.get("/patterns").status_code == 403
    assert "/patterns" not in bureau.get("/links").text
