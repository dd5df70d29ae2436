"""Screening over the API against real records: hits, visibility before scoring, freshness,
partners, alerts to the owner, and no personal data kept for searches without a hit."""

from __future__ import annotations

import html
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from interlink.core.audit import AuditEntry
from interlink.core.auth import OrgKind, Perm, Role
from interlink.core.background import PeriodicWorker
from interlink.core.db import Database, emit_change
from interlink.messaging.models import Followup
from interlink.records.models import Record
from interlink.screening.engine import ScreeningEngine
from interlink.screening.models import Hit
from tests.support import World, csrf_of

PASSPORT = {
    "issuing_country": "MA",
    "document_type": "passport",
    "number": "AB1234567",
    "status": "stolen",
    "reported_on": "2026-03-01",
}
PERSON = {
    "names": [{"full_name": "Youssef El Amrani"}],
    "aliases": [{"full_name": "يوسف العمراني"}],
    "sex": "male",
    "birth_date": "1988-02-14",
    "nationalities": ["MA"],
}
VEHICLE = {
    "vin": "1M8GDM9AXKP042788",
    "registration_number": "12345-A-6",
    "registration_country": "MA",
    "status": "stolen",
    "reported_on": "2026-02-01",
}


@pytest.fixture
def screening(world: World):
    screener = world.app.state.interlink.services.screener
    screener.engine.build()
    return screener


@pytest.fixture
def people(world: World, screening) -> dict:
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    ids = {}
    for kind, data, restrictions in (
        ("document", PASSPORT, {}),
        ("person", PERSON, {}),
        ("vehicle", VEHICLE, {}),
        (
            "person",
            {"names": [{"full_name": "Nadia Berrada"}], "birth_date": "1990"},
            {"visibility": "except", "countries": ["DE"]},
        ),
    ):
        body = {"data": data, "restrictions": restrictions} if restrictions else {"data": data}
        response = ma.post(f"/api/v1/records/{kind}", json=body)
        assert response.status_code == 201, response.text
        ids[data.get("number") or data.get("vin") or data["names"][0]["full_name"]] = (
            response.json()["id"]
        )
        if kind == "person":
            world.circulate(ma, response.json()["id"])
    screening.engine.refresh()
    return ids


def _officer(world: World, org: str = "NCB-FR"):
    return world.api_as(world.user(org, Role.OFFICER))


def test_document_hit_is_recorded_and_alerts_the_owner(world: World, people) -> None:
    fr = _officer(world)
    answer = fr.post(
        "/api/v1/screen/document", json={"number": "ab 123 4567", "country": "MA"}
    ).json()
    assert answer["hit"] is True
    hit = answer["hits"][0]
    assert hit["record_id"] == people["AB1234567"] and hit["match"] == "exact"
    assert hit["score"] == 1.0 and hit["decision"] is True and hit["hit_id"]
    with world.db.session() as session:
        stored = session.get(Hit, hit["hit_id"])
        assert stored.owner_org_id == world.org("NCB-MA").id
        followup = session.scalars(select(Followup).where(Followup.hit_id == stored.id)).one()
        assert stored.thread_id == followup.thread_id


def test_ocr_confusion_is_found_and_named(world: World, people) -> None:
    answer = _officer(world).post("/api/v1/screen/document", json={"number": "A81234567"}).json()
    hit = answer["hits"][0]
    assert hit["match"] == "ocr_variant" and hit["score"] < 1.0
    assert hit["explanation"]["ocr_corrections"] == [{"position": 2, "read": "8", "indexed": "B"}]


def _td3_line2(number: str, nationality: str, birth: str, sex: str, expiry: str) -> str:
    from interlink.screening.mrz import check_digit

    number = number.ljust(9, "<")
    optional = "<" * 14
    line = (
        f"{number}{check_digit(number)}{nationality}{birth}{check_digit(birth)}{sex}"
        f"{expiry}{check_digit(expiry)}{optional}{check_digit(optional)}"
    )
    composite = line[0:10] + line[13:20] + line[21:43]
    return line + check_digit(composite)


def test_document_by_mrz(world: World, people) -> None:
    mrz = "P<MAREL<AMRANI<<YOUSSEF<<<<<<<<<<<<<<<<<<<<<\n" + _td3_line2(
        "AB1234567", "MAR", "880214", "M", "300101"
    )
    answer = _officer(world).post("/api/v1/screen/document", json={"mrz": mrz}).json()
    assert answer["mrz"]["valid"] is True, answer["mrz"]
    assert answer["mrz"]["document_number"] == "AB1234567"
    assert answer["hits"][0]["record_id"] == people["AB1234567"]


def test_name_across_scripts_with_explanation(world: World, people) -> None:
    fr = _officer(world)
    for name in ("Youssef El Amrani", "EL AMRANI Youssef", "Yousef Elamrani", "يوسف العمراني"):
        answer = fr.post(
            "/api/v1/screen/person", json={"name": name, "birth_date": "1988", "nationality": "MA"}
        ).json()
        assert answer["hits"], name
        top = answer["hits"][0]
        assert top["record_id"] == people["Youssef El Amrani"], name
        assert 0 <= top["score"] <= 1 and top["decision"] is True
        features = {f["feature"] for f in top["explanation"]["features"]}
        assert {"name", "birth_date", "nationality"} <= features


def test_a_hits_explanation_reads_in_the_language(world: World, people) -> None:
    """Each feature's detail in the answer's language (API and page); English as the
    matcher says it, and as the hit stores it; data (a nationality) as it is."""
    fr = _officer(world)
    query = {"name": "Youssef El Amrani", "birth_date": "1988", "nationality": "DZ"}

    def details(language: str | None) -> dict[str, str]:
        headers = {"Accept-Language": language} if language else {}
        answer = fr.post("/api/v1/screen/person", json=query, headers=headers).json()
        [top] = [h for h in answer["hits"] if h["record_id"] == people["Youssef El Amrani"]]
        return {f["feature"]: f["detail"] for f in top["explanation"]["features"]}

    english = details(None)
    assert english == {
        "name": "3 of 3 name parts agree",
        "birth_date": "agrees to the year",
        "nationality": "DZ not among MA",
        "sex": "not known on both sides",
    }
    assert details("en") == english
    french = details("fr")
    assert french["name"] == "3 parties du nom sur 3 concordent"
    assert french["birth_date"] == "concorde pour l'année"
    assert french["nationality"] == "DZ ne figure pas parmi MA"
    arabic = details("ar")
    assert arabic["sex"] == "غير معروف لدى أحد الطرفين على الأقل"
    assert all(arabic[k] != english[k] for k in english)
    with world.db.session() as session:  # the hit keeps the English
        stored = [h.explanation for h in session.scalars(select(Hit))]
    assert stored and all(
        {f["feature"]: f["detail"] for f in e["features"]} == english for e in stored
    )
    browser = world.browser_login(world.user("NCB-FR", Role.OFFICER))
    page = browser.post(
        "/screen",
        data={**query, "csrf_token": csrf_of(browser, "/screen")},
        headers={"Accept-Language": "fr"},
    )
    assert "(3 parties du nom sur 3 concordent)" in html.unescape(page.text)
    assert "name parts agree" not in page.text


def test_visibility_filters_before_scoring(world: World, people) -> None:
    de, fr = _officer(world, "NCB-DE"), _officer(world)
    hidden = de.post("/api/v1/screen/person", json={"name": "Nadia Berrada"}).json()
    assert people["Nadia Berrada"] not in {h["record_id"] for h in hidden["hits"]}
    seen = fr.post("/api/v1/screen/person", json={"name": "Nadia Berrada"}).json()
    assert seen["hits"][0]["record_id"] == people["Nadia Berrada"]


def test_vehicle_by_vin_and_plate(world: World, people) -> None:
    fr = _officer(world)
    by_vin = fr.post("/api/v1/screen/vehicle", json={"vin": "1m8gdm9axkp042788"}).json()
    assert by_vin["hits"][0]["match"] == "vin"
    by_plate = fr.post(
        "/api/v1/screen/vehicle", json={"plate": "12345 A 6", "country": "MA"}
    ).json()
    assert by_plate["hits"][0]["record_id"] == people["1M8GDM9AXKP042788"]


def test_partner_learns_only_possible_match(world: World, people) -> None:
    world.add_org("PARTNER-AIR", OrgKind.PARTNER)
    airline = world.api(world.token("PARTNER-AIR", Perm.SCREEN_DOCUMENT))
    answer = airline.post("/api/v1/screen/document", json={"number": "AB1234567"}).json()
    assert answer == {
        "kind": "document",
        "hit": True,
        "answer": "possible match: contact your national bureau",
    }
    miss = airline.post("/api/v1/screen/document", json={"number": "ZZ0000000"}).json()
    assert miss == {"kind": "document", "hit": False}
    assert airline.post("/api/v1/screen/person", json={"name": "Youssef"}).status_code == 403
    with world.db.session() as session:
        hit = session.scalars(select(Hit)).one()
        followup = session.scalars(select(Followup).where(Followup.hit_id == hit.id)).one()
        assert followup is not None  # the GS alerts the country concerned
    # The answer is a sentence: in the language asked for.
    in_arabic = airline.post(
        "/api/v1/screen/document", json={"number": "AB1234567"}, headers={"Accept-Language": "ar"}
    ).json()
    assert in_arabic == {
        "kind": "document",
        "hit": True,
        "answer": "تطابق محتمل: اتصل بمكتبك المركزي الوطني",
    }


def test_search_without_hit_keeps_no_personal_data(world: World, people) -> None:
    fr = _officer(world)
    secret_name = "Zebulon Quartermaine-Oyelaran"
    answer = fr.post(
        "/api/v1/screen/person", json={"name": secret_name, "birth_date": "1971-01-01"}
    ).json()
    assert answer["hits"] == []
    with world.db.session() as session:
        assert session.scalars(select(Hit)).all() == []
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "screen.search")
        ).all()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor_org_id == world.org("NCB-FR").id and entry.at is not None
    # The keyed hash is random hex, which may happen to contain "1971": look at the rest.
    assert len(entry.detail["query_hmac"]) == 64
    dumped = json.dumps({k: v for k, v in entry.detail.items() if k != "query_hmac"})
    assert "Zebulon" not in dumped and "1971" not in dumped


def test_change_shows_within_a_second_and_withdrawal_leaves(world: World, screening) -> None:
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    fr = _officer(world)
    worker = PeriodicWorker("test-refresh", 0.1, screening.engine.refresh).start()
    try:
        created = ma.post(
            "/api/v1/records/document", json={"data": dict(PASSPORT, number="CD7654321")}
        ).json()
        deadline = time.monotonic() + 1.0
        while not fr.post("/api/v1/screen/document", json={"number": "CD7654321"}).json()["hits"]:
            assert time.monotonic() < deadline, "not searchable within a second"
            time.sleep(0.05)
        ma.post(f"/api/v1/records/{created['id']}/withdraw", json={"reason": "found again"})
        deadline = time.monotonic() + 1.0
        while fr.post("/api/v1/screen/document", json={"number": "CD7654321"}).json()["hits"]:
            assert time.monotonic() < deadline, "withdrawn record still searchable"
            time.sleep(0.05)
    finally:
        worker.stop()


def test_restriction_change_applies_to_the_index(world: World, people, screening) -> None:
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    record_id = people["AB1234567"]
    ma.put(
        f"/api/v1/records/{record_id}/restrictions",
        json={"restrictions": {"visibility": "except", "countries": ["FR"]}},
    )
    screening.engine.refresh()
    assert (
        _officer(world).post("/api/v1/screen/document", json={"number": "AB1234567"}).json()["hits"]
        == []
    )
    assert (
        _officer(world, "NCB-ES")
        .post("/api/v1/screen/document", json={"number": "AB1234567"})
        .json()["hits"]
    )


def test_expired_record_leaves_the_index(world: World, people, screening) -> None:
    record_id = people["Youssef El Amrani"]
    with world.db.session() as session:
        session.execute(
            update(Record)
            .where(Record.id == record_id)
            .values(retention_until=datetime.now(UTC) + timedelta(seconds=1))
        )
        emit_change(session, "record", record_id, "upsert")
    screening.engine.refresh()
    fr = _officer(world)
    assert fr.post("/api/v1/screen/person", json={"name": "Youssef El Amrani"}).json()["hits"]
    time.sleep(1.2)
    screening.engine.refresh()  # no change event: the expiry heap alone removes it
    answer = fr.post("/api/v1/screen/person", json={"name": "Youssef El Amrani"}).json()
    assert record_id not in {h["record_id"] for h in answer["hits"]}


def test_another_process_sees_changes_through_the_change_feed(world: World, people) -> None:
    other = ScreeningEngine(Database(world.db.url)).build()
    assert len(other.documents) == 1
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    ma.post("/api/v1/records/document", json={"data": dict(PASSPORT, number="EF1111111")})
    assert other.refresh() >= 1
    assert other.documents.lookup("EF1111111")
    other.db.dispose()


@pytest.mark.parametrize(
    "body", [{}, {"number": ""}, {"mrz": "x" * 40}, {"number": "AB1", "country": "Morocco"}]
)
def test_bad_document_checks_are_4xx(world: World, people, body: dict) -> None:
    response = _officer(world).post("/api/v1/screen/document", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_batch_endpoint(world: World, people) -> None:
    answer = (
        _officer(world)
        .post(
            "/api/v1/screen/batch",
            json={
                "items": [
                    {"id": "a", "document": {"number": "AB1234567"}},
                    {"id": "b", "person": {"name": "Nobody Atall"}},
                    {"id": "c", "vehicle": {"vin": "1M8GDM9AXKP042788"}},
                ]
            },
        )
        .json()
    )
    by_id = {r["id"]: r for r in answer["results"]}
    assert by_id["a"]["hit"] and not by_id["b"]["hit"] and by_id["c"]["hit"]


def test_screening_needs_its_permission(world: World, people) -> None:
    delegate = world.api_as(world.user("NCB-FR", Role.DELEGATE))
    assert delegate.post("/api/v1/screen/document", json={"number": "AB1234567"}).status_code == 403


def test_owner_finds_its_own_record_even_where_it_excluded_its_own_country(
    world: World, screening
) -> None:
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    created = ma.post(
        "/api/v1/records/person",
        json={
            "data": {"names": [{"full_name": "Idriss Kettani"}], "birth_date": "1969"},
            "restrictions": {"visibility": "only", "countries": ["FR"]},
        },
    )
    assert created.status_code == 201
    screening.engine.refresh()
    answer = ma.post("/api/v1/screen/person", json={"name": "Idriss Kettani"}).json()
    assert created.json()["id"] in {h["record_id"] for h in answer["hits"]}
    es = _officer(world, "NCB-ES")
    assert es.post("/api/v1/screen/person", json={"name": "Idriss Kettani"}).json()["hits"] == []


def test_a_long_number_continued_in_a_td1_zone_is_looked_up_whole(world: World, screening) -> None:
    from tests.screening.test_mrz import belgian_td1

    be = world.api_as(world.user("NCB-BE", Role.SUPERVISOR))
    card = {
        "issuing_country": "BE",
        "document_type": "id_card",
        "number": "592123456789",
        "status": "stolen",
        "reported_on": "2026-03-01",
    }
    created = be.post("/api/v1/records/document", json={"data": card})
    assert created.status_code == 201, created.text
    screening.engine.refresh()
    fr = _officer(world)
    answer = fr.post("/api/v1/screen/document", json={"mrz": belgian_td1("592123456789")}).json()
    assert answer["mrz"]["valid"] is True and answer["mrz"]["document_number"] == "592123456789"
    assert [hit["record_id"] for hit in answer["hits"]] == [created.json()["id"]]
    assert answer["hits"][0]["match"] == "exact"
    # The forbidden side: another card sharing the first nine digits is not this one.
    other = fr.post("/api/v1/screen/document", json={"mrz": belgian_td1("592123456000")}).json()
    assert other["mrz"]["valid"] is True and other["hits"] == []
