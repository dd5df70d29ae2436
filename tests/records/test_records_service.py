"""Records over the API: ownership, restrictions for every record type, versions, retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from interlink.core.auth import Role
from interlink.records import service as records
from interlink.records.models import Record
from tests.support import World, circulate

PERSON = {
    "names": [{"full_name": "Karim Benali"}],
    "sex": "male",
    "birth_date": "1984-05",
    "nationalities": ["MA"],
}
DOCUMENT = {
    "issuing_country": "MA",
    "document_type": "passport",
    "number": "ab 123 4567",
    "status": "stolen",
    "reported_on": "2026-01-10",
}
VEHICLE = {
    "vin": "1M8GDM9AXKP042788",
    "registration_number": "12345-A-6",
    "registration_country": "MA",
    "make": "Dacia",
    "model": "Logan",
    "colour": "white",
    "status": "stolen",
    "reported_on": "2026-02-01",
}
DATA = {"person": PERSON, "document": DOCUMENT, "vehicle": VEHICLE}


@pytest.fixture
def bureaus(world: World):
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    fr = world.api_as(world.user("NCB-FR", Role.OFFICER))
    de = world.api_as(world.user("NCB-DE", Role.OFFICER))
    return ma, fr, de


def _create(client, kind: str, **restrictions) -> dict:
    body = {"data": DATA[kind]}
    if restrictions:
        body["restrictions"] = restrictions
    response = client.post(f"/api/v1/records/{kind}", json=body)
    assert response.status_code == 201, response.text
    if kind == "person":  # circulates under a diffusion, as persons do
        circulate(client, response.json()["id"])
        return client.get(f"/api/v1/records/{response.json()['id']}").json()
    return response.json()


@pytest.mark.parametrize("kind", ["person", "document", "vehicle"])
def test_restrictions_are_honoured_for_every_kind(bureaus, kind: str) -> None:
    ma, fr, de = bureaus
    only_fr = _create(ma, kind, visibility="only", countries=["FR"])
    all_but_fr = _create(ma, kind, visibility="except", countries=["FR"])
    everyone = _create(ma, kind)
    assert fr.get(f"/api/v1/records/{only_fr['id']}").status_code == 200
    assert de.get(f"/api/v1/records/{only_fr['id']}").status_code == 404
    assert fr.get(f"/api/v1/records/{all_but_fr['id']}").status_code == 404
    assert de.get(f"/api/v1/records/{all_but_fr['id']}").status_code == 200
    listed_fr = {r["id"] for r in fr.get("/api/v1/records", params={"kind": kind}).json()["items"]}
    listed_de = {r["id"] for r in de.get("/api/v1/records", params={"kind": kind}).json()["items"]}
    assert listed_fr == {only_fr["id"], everyone["id"]}
    assert listed_de == {all_but_fr["id"], everyone["id"]}


def test_search_keys_are_normalised(bureaus) -> None:
    ma, _, _ = bureaus
    doc = _create(ma, "document")
    assert doc["data"]["number"] == "AB1234567"
    assert doc["label"] == "passport MA AB1234567"


def test_only_the_issuing_country_enters_its_documents(world: World, bureaus) -> None:
    fr_supervisor = world.api_as(world.user("NCB-FR", Role.SUPERVISOR))
    response = fr_supervisor.post("/api/v1/records/document", json={"data": DOCUMENT})
    assert response.status_code == 403 and "MA" in response.json()["detail"]


def test_officers_and_agencies_do_not_enter_records(world: World, bureaus) -> None:
    _, fr_officer, _ = bureaus
    assert fr_officer.post("/api/v1/records/person", json={"data": PERSON}).status_code == 403
    world.add_org(
        "AGENCY-MA-X",
        __import__("interlink.core.auth", fromlist=["OrgKind"]).OrgKind.AGENCY,
        "MA",
        "NCB-MA",
    )
    agency = world.api_as(world.user("AGENCY-MA-X", Role.SUPERVISOR))
    assert agency.post("/api/v1/records/person", json={"data": PERSON}).status_code == 403


def test_only_the_owner_changes_and_every_version_is_kept(bureaus) -> None:
    ma, fr, _ = bureaus
    person = _create(ma, "person")
    changed = dict(PERSON, birth_place="Casablanca")
    denied = fr.put(f"/api/v1/records/{person['id']}", json={"data": changed})
    assert denied.status_code == 403
    ok = ma.put(
        f"/api/v1/records/{person['id']}",
        json={"data": changed, "change": "addendum", "reason": "birth place confirmed"},
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    versions = fr.get(f"/api/v1/records/{person['id']}/versions").json()
    assert [v["change"] for v in versions] == ["create", "addendum"]
    assert versions[1]["diff"] == [{"path": "birth_place", "old": None, "new": "Casablanca"}]
    assert versions[1]["changed_by"] == versions[0]["changed_by"] == "token:as-u1.ncb-ma"
    assert versions[0]["data"].get("birth_place") is None


def test_restriction_change_is_a_version_and_takes_effect(bureaus) -> None:
    ma, fr, _ = bureaus
    person = _create(ma, "person")
    assert fr.get(f"/api/v1/records/{person['id']}").status_code == 200
    r = ma.put(
        f"/api/v1/records/{person['id']}/restrictions",
        json={
            "restrictions": {"visibility": "except", "countries": ["FR"]},
            "reason": "France refused extradition",
        },
    )
    assert r.status_code == 200
    assert fr.get(f"/api/v1/records/{person['id']}").status_code == 404
    assert [v["change"] for v in ma.get(f"/api/v1/records/{person['id']}/versions").json()] == [
        "create",
        "restriction",
    ]


def test_not_actionable_is_shown_to_that_country(bureaus) -> None:
    ma, fr, de = bureaus
    person = _create(ma, "person", not_actionable_in=["FR"])
    assert fr.get(f"/api/v1/records/{person['id']}").json()["actionable"] is False
    assert de.get(f"/api/v1/records/{person['id']}").json()["actionable"] is True


def test_withdrawn_records_leave_lists(bureaus) -> None:
    ma, fr, _ = bureaus
    person = _create(ma, "person")
    assert (
        ma.post(
            f"/api/v1/records/{person['id']}/withdraw", json={"reason": "entered in error"}
        ).status_code
        == 200
    )
    assert fr.get(f"/api/v1/records/{person['id']}").status_code == 404
    assert person["id"] not in {r["id"] for r in fr.get("/api/v1/records").json()["items"]}


def test_expired_records_leave_every_list(world: World, bureaus) -> None:
    ma, fr, _ = bureaus
    person = _create(ma, "person")
    with world.db.session() as session:
        session.execute(
            update(Record)
            .where(Record.id == person["id"])
            .values(retention_until=datetime.now(UTC) - timedelta(minutes=1))
        )
    assert fr.get(f"/api/v1/records/{person['id']}").status_code == 404
    assert person["id"] not in {r["id"] for r in fr.get("/api/v1/records").json()["items"]}
    assert person["id"] not in {r["id"] for r in ma.get("/api/v1/records").json()["items"]}
    with world.db.session() as session:
        assert records.retention_sweep(session)["expired"] == 1
        assert session.get(Record, person["id"]).status == "expired"


def test_review_due_six_months_before_expiry_and_extension(world: World, bureaus) -> None:
    ma, fr, _ = bureaus
    person = _create(ma, "person")
    soon = datetime.now(UTC) + timedelta(days=100)
    with world.db.session() as session:
        session.execute(
            update(Record).where(Record.id == person["id"]).values(retention_until=soon)
        )
        assert records.retention_sweep(session) == {"review_due": 1, "expired": 0}
    due = ma.get("/api/v1/records/review-due").json()
    assert [r["id"] for r in due] == [person["id"]]
    assert fr.get("/api/v1/records/review-due").json() == []
    short = ma.post(f"/api/v1/records/{person['id']}/extend", json={"reason": "still"})
    assert short.status_code == 422
    assert (
        fr.post(
            f"/api/v1/records/{person['id']}/extend", json={"reason": "we want it longer please"}
        ).status_code
        == 403
    )
    extended = ma.post(
        f"/api/v1/records/{person['id']}/extend",
        json={"reason": "investigation still open, suspect seen in 2026"},
    )
    assert extended.status_code == 200
    assert datetime.fromisoformat(extended.json()["retention_until"]) > soon + timedelta(days=365)
    assert ma.get("/api/v1/records/review-due").json() == []


def test_default_retention_five_and_ten_years(bureaus) -> None:
    ma, _, _ = bureaus
    person = _create(ma, "person")
    doc = _create(ma, "document")

    def days(r: dict) -> int:
        return (
            datetime.fromisoformat(r["retention_until"]) - datetime.fromisoformat(r["created_at"])
        ).days

    assert days(person) == 5 * 365 and days(doc) == 10 * 365


def test_every_read_is_audited_for_the_owner(world: World, bureaus) -> None:
    ma, fr, de = bureaus
    person = _create(ma, "person", visibility="only", countries=["FR"])
    fr.get(f"/api/v1/records/{person['id']}")
    de.get(f"/api/v1/records/{person['id']}")  # refused, still recorded
    admin = world.api_as(world.user("NCB-MA", Role.NCB_ADMIN, mfa=True))
    entries = admin.get(
        "/api/v1/audit", params={"object_type": "record", "object_id": str(person["id"])}
    ).json()["items"]
    reads = [(e["action"], e["outcome"], e["actor_org_id"]) for e in entries]
    assert ("record.read", "ok", world.org("NCB-FR").id) in reads
    assert ("record.read", "denied", world.org("NCB-DE").id) in reads
    assert ("record.create", "ok", world.org("NCB-MA").id) in reads


def test_bad_record_data_is_a_clear_422(bureaus) -> None:
    ma, _, _ = bureaus
    r = ma.post("/api/v1/records/person", json={"data": {"names": [], "birth_date": "1984-13"}})
    assert r.status_code == 422 and "birth_date" in r.json()["detail"]
    r = ma.post(
        "/api/v1/records/person",
        json={"data": PERSON, "restrictions": {"visibility": "only", "countries": ["XX"]}},
    )
    assert r.status_code == 422
    r = ma.post(
        "/api/v1/records/person",
        json={"data": PERSON, "restrictions": {"visibility": "only", "countries": []}},
    )
    assert r.status_code == 422


def test_bad_record_data_is_refused_in_the_language(bureaus) -> None:
    """The records' own validators (a partial date, a country code, sharing rules) answer in
    the negotiated language; English as before."""
    ma, _, _ = bureaus
    data = {"names": [{"full_name": "Karim Benali"}], "birth_date": "1984-13"}

    def detail(language: str | None, body: dict) -> str:
        headers = {"Accept-Language": language} if language else {}
        response = ma.post("/api/v1/records/person", json=body, headers=headers)
        assert response.status_code == 422, response.text
        return response.json()["detail"]

    assert detail(None, {"data": data}) == (
        "invalid person data: birth_date: '1984-13' is not a calendar date (month must be in 1..12)"
    )
    assert detail("fr", {"data": data}) == (
        "données person invalides : birth_date : « 1984-13 » n'est pas une date valide du "
        "calendrier (le mois doit être compris entre 1 et 12)"
    )
    assert detail("ar", {"data": data}) == (
        "بيانات person غير صالحة: birth_date: «1984-13» ليس تاريخًا صحيحًا في التقويم "
        "(يجب أن يكون الشهر بين 1 و12)"
    )
    nationality = {"names": [{"full_name": "Karim Benali"}], "nationalities": ["ZZ"]}
    assert detail("es", {"data": nationality}) == (
        "datos de person no válidos: nationalities.0: «ZZ» no es un código de país ISO 3166-1 "
        "alfa-2 (dos letras, p. ej., FR)"
    )
    nobody = {"data": PERSON, "restrictions": {"visibility": "only", "countries": []}}
    assert detail(None, nobody) == "visibility 'only' needs a list of countries"
    assert detail("fr", nobody) == "la visibilité « only » exige une liste de pays"


def test_duplicate_external_id_is_a_conflict(bureaus) -> None:
    ma, _, _ = bureaus
    body = {"data": PERSON, "external_id": "ftm-1"}
    assert ma.post("/api/v1/records/person", json=body).status_code == 201
    assert ma.post("/api/v1/records/person", json=body).status_code == 409
