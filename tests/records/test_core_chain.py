"""The core chain over the API: record, request, review, circulation, a hit that says what to
do, the owner alerted; circulation follows the legal basis, on both databases."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interlink.cli import app as cli_app
from interlink.core.auth import Role
from tests.support import World, circulate

PERSON = {
    "names": [{"full_name": "Samir Ouazzani"}],
    "aliases": [{"full_name": "سمير الوزاني"}],
    "sex": "male",
    "birth_date": "1983-07-19",
    "nationalities": ["MA"],
    "physical_description": {"description": "Scar above the left eye"},
}
RED = {
    "notice_type": "red",
    "kind": "notice",
    "facts": "Organised the theft and export of 40 cars through Tanger Med in 2025.",
    "judicial": {
        "offence_description": "Theft in an organised group",
        "offence_category": "organised_crime",
        "law_reference": "Penal Code 509",
        "maximum_penalty_months": 240,
        "purpose": "prosecution",
        "warrant_reference": "TNG-2025-118",
        "warrant_date": "2025-12-01",
        "issuing_authority": "Investigating judge, Tangier",
        "extradition_countries": ["FR", "ES"],
    },
}


@pytest.fixture
def engine(world: World):
    screener = world.app.state.interlink.services.screener
    screener.engine.build()
    return screener.engine


@pytest.fixture
def cast(world: World):
    class Cast:
        ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
        fr = world.api_as(world.user("NCB-FR", Role.OFFICER))
        fr_supervisor = world.api_as(world.user("NCB-FR", Role.SUPERVISOR))
        de = world.api_as(world.user("NCB-DE", Role.OFFICER))
        es = world.api_as(world.user("NCB-ES", Role.OFFICER))
        gs = world.api_as(world.user("GS", Role.COMPLIANCE_REVIEWER))

    return Cast


def _person(client, data=PERSON) -> int:
    created = client.post("/api/v1/records/person", json={"data": data})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _screen(client, name="Samir Ouazzani", **extra) -> dict:
    response = client.post("/api/v1/screen/person", json={"name": name, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def _publish(cast, notice_id: int) -> dict:
    assert cast.ma.post(f"/api/v1/notices/{notice_id}/submit").status_code == 200
    assert cast.gs.post(f"/api/v1/notices/{notice_id}/review").status_code == 200
    published = cast.gs.post(
        f"/api/v1/notices/{notice_id}/decision",
        json={"approve": True, "reason": "Criteria met; serious crime."},
    )
    assert published.status_code == 200, published.text
    return published.json()


def test_a_bare_person_is_national_data(world: World, cast, engine) -> None:
    record_id = _person(cast.ma)
    engine.refresh()
    assert _screen(cast.fr)["hits"] == []
    assert cast.fr.get(f"/api/v1/records/{record_id}").status_code == 404
    assert cast.fr.get(f"/api/v1/subjects/{record_id}").status_code == 404
    # Its bureau finds it; the General Secretariat sees it.
    assert [h["record_id"] for h in _screen(cast.ma)["hits"]] == [record_id]
    assert cast.gs.get(f"/api/v1/records/{record_id}").status_code == 200


def test_a_diffusion_circulates_at_once_and_its_withdrawal_removes_it(
    world: World, cast, engine
) -> None:
    record_id = _person(cast.ma)
    diffusion = circulate(cast.ma, record_id, to=("FR",))
    engine.refresh()
    found = _screen(cast.fr)["hits"]
    assert [h["record_id"] for h in found] == [record_id]
    assert found[0]["requests"][0]["reference"] == diffusion["reference"]
    assert found[0]["requests"][0]["action"].startswith("Gather information discreetly")
    assert _screen(cast.de)["hits"] == []  # not a recipient
    withdrawn = cast.gs.post(
        f"/api/v1/notices/{diffusion['id']}/diffusion-review",
        json={"keep": False, "reason": "No legal basis in the facts."},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    engine.refresh()
    assert _screen(cast.fr)["hits"] == []
    assert cast.fr.get(f"/api/v1/records/{record_id}").status_code == 404


def test_a_subject_covered_twice_stays_findable_under_the_remaining_request(
    world: World, cast, engine
) -> None:
    record_id = _person(cast.ma)
    first = circulate(cast.ma, record_id, to=("FR",))
    second = circulate(cast.ma, record_id, to=("FR", "ES"))
    engine.refresh()
    assert len(_screen(cast.fr)["hits"][0]["requests"]) == 2
    cancelled = cast.ma.post(
        f"/api/v1/notices/{second['id']}/cancel", json={"reason": "Person located in Spain."}
    )
    assert cancelled.status_code == 200
    engine.refresh()
    assert [r["reference"] for r in _screen(cast.fr)["hits"][0]["requests"]] == [first["reference"]]
    assert _screen(cast.es)["hits"] == []  # only the cancelled one reached Spain


def test_a_red_notice_from_record_to_hit_with_the_action_asked(world: World, cast, engine) -> None:
    created = cast.ma.post(
        "/api/v1/notices",
        json={
            "data": {**RED, "subject": PERSON},
            "restrictions": {
                "visibility": "except",
                "countries": ["DE"],
                "not_actionable_in": ["ES"],
                "handling": "H1",
            },
        },
    )
    assert created.status_code == 201, created.text
    notice = created.json()
    assert re.fullmatch(r"A-MA-\d{4}-00001", notice["reference"])
    subject_id = notice["subject_record_id"]
    assert notice["subject"]["data"]["names"][0]["full_name"] == "Samir Ouazzani"
    assert "subject" not in notice["data"]  # typed once, held by the subject record
    engine.refresh()
    assert _screen(cast.fr)["hits"] == []  # a draft circulates nothing
    _publish(cast, notice["id"])
    engine.refresh()

    answer = _screen(cast.fr, name="سمير الوزاني", birth_date="1983-07-19", nationality="MA")
    hit = answer["hits"][0]
    assert hit["record_id"] == subject_id and hit["decision"] is True
    request = hit["requests"][0]
    assert request["reference"] == notice["reference"]
    assert request["title"] == "Red notice"
    assert request["requesting_member"] == "MA"
    assert request["action"].startswith("Locate and provisionally arrest")
    assert request["purpose"] == "Wanted for prosecution or to serve a sentence"
    assert request["judicial_purpose"] == "prosecution"  # a code of its own, not in the sentence
    assert request["actionable"] is True and request["valid_until"]
    assert any(w.startswith("H1") for w in request["warnings"])

    # The sentences follow the negotiated language; the codes beside them stay codes.
    for language, title, action, purpose in (
        ("fr", "Notice rouge", "Localiser et arrêter provisoirement", "Recherché pour des"),
        ("ar", "نشرة حمراء", "حدّدوا مكانه", "مطلوب للملاحقة"),
    ):
        response = cast.fr.post(
            "/api/v1/screen/person",
            json={"name": "سمير الوزاني", "birth_date": "1983-07-19", "nationality": "MA"},
            headers={"Accept-Language": language},
        )
        assert response.headers["content-language"] == language
        translated = response.json()["hits"][0]["requests"][0]
        assert translated["title"] == title
        assert translated["action"].startswith(action)
        assert translated["purpose"].startswith(purpose)
        assert not any(w.startswith("H1: not in court") for w in translated["warnings"])
        assert (translated["type"], translated["kind"], translated["judicial_purpose"]) == (
            "red",
            "notice",
            "prosecution",
        )
        assert translated["reference"] == request["reference"]
    assert hit["hit_id"]  # recorded, and the owner alerted
    followups = cast.ma.get("/api/v1/followups").json()
    assert any(
        notice["reference"] in json.dumps(f) or f.get("record_id") == subject_id
        for f in (followups.get("items", followups) if isinstance(followups, dict) else followups)
    )

    # Excluded from the notice: nothing. Excluded from action: told not to act.
    assert _screen(cast.de)["hits"] == []
    assert cast.de.get(f"/api/v1/records/{subject_id}").status_code == 404
    spanish = _screen(cast.es)["hits"][0]["requests"][0]
    assert spanish["actionable"] is False
    assert spanish["warnings"][0].startswith("Not to be acted on in your country")
    in_spanish = cast.es.post(
        "/api/v1/screen/person", json={"name": "Samir Ouazzani"}, headers={"Accept-Language": "es"}
    ).json()["hits"][0]["requests"][0]
    assert in_spanish["title"] == "Notificación roja" and in_spanish["actionable"] is False
    assert not in_spanish["warnings"][0].startswith("Not to be acted on")

    # Cancelled: the same check answers no hit.
    assert (
        cast.ma.post(
            f"/api/v1/notices/{notice['id']}/cancel", json={"reason": "Arrested in Tangier."}
        ).status_code
        == 200
    )
    engine.refresh()
    assert _screen(cast.fr, name="سمير الوزاني")["hits"] == []


def test_a_request_names_a_subject_once_and_never_one_it_may_not_see(world: World, cast) -> None:
    mine = _person(cast.ma)
    theirs = _person(cast.fr_supervisor, {"names": [{"full_name": "Jean Dupont"}]})
    shared = _person(cast.fr_supervisor, {"names": [{"full_name": "Paul Martin"}]})
    circulate(cast.fr_supervisor, shared, to=("MA",))

    def create(**body):
        return cast.ma.post("/api/v1/notices", json={"data": RED, **body})

    invisible = create(subject_record_id=theirs)
    missing = create(subject_record_id=theirs + 10_000)
    assert invisible.status_code == missing.status_code == 404
    assert invisible.json()["detail"].replace(str(theirs), "N") == missing.json()["detail"].replace(
        str(theirs + 10_000), "N"
    )
    assert create(subject_record_id=shared).status_code == 422  # another bureau's record
    assert create(subject_record_id=mine, data={**RED, "subject": PERSON}).status_code == 422
    ok = create(subject_record_id=mine)
    assert ok.status_code == 201 and ok.json()["subject_record_id"] == mine


def test_references_and_ids_say_nothing_of_other_bureaus(world: World, cast) -> None:
    fr_supervisor = world.api_as(world.user("NCB-FR", Role.SUPERVISOR))
    for _ in range(3):
        assert fr_supervisor.post("/api/v1/notices", json={"data": RED}).status_code == 201
    first = cast.ma.post("/api/v1/notices", json={"data": RED}).json()
    second = cast.ma.post("/api/v1/notices", json={"data": RED}).json()
    assert first["reference"].endswith("-00001") and second["reference"].endswith("-00002")
    assert first["reference"].startswith("A-MA-")
    assert abs(second["id"] - first["id"]) > 1_000  # not a sequence


def test_a_draft_is_checked_before_submission_amended_in_place_and_copied(
    world: World, cast
) -> None:
    draft = cast.ma.post(
        "/api/v1/notices",
        json={"data": {"notice_type": "red", "kind": "notice", "subject": PERSON}},
    ).json()
    preview = cast.ma.post(f"/api/v1/notices/{draft['id']}/checks")
    assert preview.status_code == 200
    assert any(c["outcome"] == "fail" for c in preview.json())
    assert cast.ma.get(f"/api/v1/notices/{draft['id']}").json()["checks"] == []  # not stored
    # The bureau may submit a failing request: the reviewer decides.
    assert cast.ma.post(f"/api/v1/notices/{draft['id']}/submit").status_code == 200
    assert cast.gs.post(f"/api/v1/notices/{draft['id']}/review").status_code == 200
    asked = cast.gs.post(
        f"/api/v1/notices/{draft['id']}/request-info",
        json={"question": "Give the warrant and the judicial data."},
    )
    assert asked.status_code == 200
    amended = {**RED, "subject": {**PERSON, "birth_date": "1983-07-18"}}
    answered = cast.ma.post(
        f"/api/v1/notices/{draft['id']}/answer",
        json={"answer": "Warrant attached; birth date corrected.", "data": amended},
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["state"] == "submitted"
    assert answered.json()["checks_summary"] in ("pass", "flag")
    changes = cast.gs.get(f"/api/v1/notices/{draft['id']}/changes").json()
    paths = {d["path"] for v in changes for d in v["diff"]}
    assert "birth_date" in paths and "judicial" in paths
    # The subject record was amended in place: one record, version 2.
    subject = cast.ma.get(f"/api/v1/records/{draft['subject_record_id']}").json()
    assert subject["version"] == 2 and subject["data"]["birth_date"] == "1983-07-18"
    # Refused, then copied into a new draft on the same subject.
    assert cast.gs.post(f"/api/v1/notices/{draft['id']}/review").status_code == 200
    assert (
        cast.gs.post(
            f"/api/v1/notices/{draft['id']}/decision",
            json={"approve": False, "reason": "Political context."},
        ).status_code
        == 200
    )
    copy = cast.ma.post(f"/api/v1/notices/{draft['id']}/copy")
    assert copy.status_code == 201, copy.text
    assert copy.json()["state"] == "draft"
    assert copy.json()["subject_record_id"] == draft["subject_record_id"]
    assert cast.fr_supervisor.post(f"/api/v1/notices/{draft['id']}/copy").status_code == 404


def test_every_screening_interface_gives_the_same_answer(
    world: World, cast, engine, tmp_path: Path
) -> None:
    record_id = _person(cast.ma)
    circulate(cast.ma, record_id, to=("FR",))
    engine.refresh()
    api = _screen(cast.fr, name="Samir Ouazzani", birth_date="1983")
    batch = cast.fr.post(
        "/api/v1/screen/batch",
        json={"items": [{"id": "x", "person": {"name": "Samir Ouazzani", "birth_date": "1983"}}]},
    ).json()
    manifest = tmp_path / "m.csv"
    with manifest.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "id",
                "name",
                "birth_date",
                "nationality",
                "sex",
                "document_number",
                "document_country",
            ]
        )
        writer.writerow(["x", "Samir Ouazzani", "1983", "", "", "", ""])
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli_app,
        ["screen", "batch", str(manifest), "--as", "FR", "--out", str(out), "--limit", "10"],
        env={"INTERLINK_DATABASE_URL": world.db.url, "INTERLINK_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 0, result.output
    cli = json.loads(out.read_text().splitlines()[0])
    page_client = world.browser_login(world.user("NCB-FR", Role.OFFICER))
    page = page_client.get("/screen").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    html = page_client.post(
        "/screen", data={"csrf_token": token, "name": "Samir Ouazzani", "birth_date": "1983"}
    ).text

    def essence(hits):
        return [
            (h["record_id"], h["score"], h["decision"], [r["reference"] for r in h["requests"]])
            for h in hits
        ]

    assert essence(api["hits"]) == essence(batch["results"][0]["hits"]) == essence(cli["hits"])
    reference = api["hits"][0]["requests"][0]["reference"]
    assert reference in html and "Gather information discreetly" in html
    # The action asked in the officer's language; the forbidden side: no English left.
    french = page_client.post(
        "/screen",
        data={"csrf_token": token, "name": "Samir Ouazzani", "birth_date": "1983"},
        headers={"Accept-Language": "fr"},
    ).text
    assert "Recueillir des informations discrètement" in french
    assert "Gather information discreetly" not in french


def test_a_pasted_zone_checks_the_holder_too(world: World, cast, engine) -> None:
    holder = _person(
        cast.ma,
        {
            "names": [{"full_name": "Anna Maria Eriksson"}],
            "birth_date": "1974-08-12",
            "sex": "female",
        },
    )
    circulate(cast.ma, holder, to=("FR",))
    engine.refresh()
    mrz = (
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
    )
    answer = cast.fr.post("/api/v1/screen/document", json={"mrz": mrz}).json()
    assert answer["mrz"]["surname"] == "ERIKSSON"
    assert [h["record_id"] for h in answer["hits"]] == [holder]
    assert answer["hits"][0]["record_kind"] == "person"
    broken = mrz[:-1] + "9"
    warned = cast.fr.post("/api/v1/screen/document", json={"mrz": broken}).json()
    assert any("fails validation (check digit of the whole zone" in n for n in warned["notes"])
    # The note in the officer's language, the field it names too.
    french = cast.fr.post(
        "/api/v1/screen/document", json={"mrz": broken}, headers={"Accept-Language": "fr"}
    ).json()
    assert any(
        n.startswith("La zone échoue à la validation") and "la zone entière" in n
        for n in french["notes"]
    ), french["notes"]
    assert not any("fails validation" in n for n in french["notes"])


def test_the_subject_resource_shows_hits_and_accesses_to_its_owner_only(
    world: World, cast, engine
) -> None:
    record_id = _person(cast.ma)
    circulate(cast.ma, record_id, to=("FR",))
    engine.refresh()
    assert _screen(cast.fr)["hits"][0]["hit_id"]
    owner = cast.ma.get(f"/api/v1/subjects/{record_id}").json()
    assert owner["owner"].endswith("(NCB-MA)")
    assert owner["names"][1]["name"] == "سمير الوزاني" and owner["names"][1]["latin"]
    assert len(owner["hits"]) == 1 and owner["hits"][0]["searching_bureau"].endswith("(NCB-FR)")
    assert owner["accesses"] and owner["requests"][0]["kind"] == "diffusion"
    other = cast.fr.get(f"/api/v1/subjects/{record_id}").json()
    assert other["hits"] is None and other["accesses"] is None
    assert [r["kind"] for r in other["requests"]] == ["diffusion"]


def test_requests_import_from_the_command_line_naming_each_subject_once(
    world: World, cast, tmp_path: Path
) -> None:
    existing = cast.ma.post(
        "/api/v1/records/person", json={"data": PERSON, "external_id": "MA-2025-0042"}
    ).json()
    lines = [
        {
            "data": {
                **RED,
                "subject": {
                    "names": [{"full_name": "Nadia Berrada"}],
                    "birth_date": "1990",
                    "sex": "female",
                    "nationalities": ["MA"],
                },
            }
        },
        {
            "data": {"notice_type": "blue", "kind": "diffusion", "facts": "Seen in Tanger."},
            "subject_external_id": "MA-2025-0042",
            "recipients": ["FR"],
        },
    ]
    good = tmp_path / "requests.jsonl"
    good.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    env = {"INTERLINK_DATABASE_URL": world.db.url, "INTERLINK_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(
        cli_app,
        ["records", "import-requests", str(good), "--as", "MA", "--submit", "--json"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    references = json.loads(result.output)["references"]
    assert references[0].startswith("A-MA-") and references[1].startswith("D-MA-")
    listed = cast.ma.get("/api/v1/notices?owned=true").json()["items"]
    by_reference = {n["reference"]: n for n in listed}
    assert by_reference[references[1]]["subject_record_id"] == existing["id"]
    assert by_reference[references[1]]["state"] == "circulated"
    assert by_reference[references[0]]["state"] == "submitted"
    # A bad line is named; nothing of the file is stored.
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps(lines[0])
        + "\n"
        + json.dumps({"data": RED, "subject_external_id": "nobody"})
        + "\n"
    )
    failed = CliRunner().invoke(
        cli_app, ["records", "import-requests", str(bad), "--as", "MA"], env=env
    )
    assert failed.exit_code == 2
    assert "line 2" in failed.output and "nobody" in failed.output
    assert len(cast.ma.get("/api/v1/notices?owned=true").json()["items"]) == 2


def test_an_oversight_block_of_the_last_request_takes_the_subject_out(
    world: World, cast, engine
) -> None:
    from interlink.core.auth import OrgKind, Perm, Principal
    from interlink.records.blocking import set_block

    record_id = _person(cast.ma)
    first = circulate(cast.ma, record_id, to=("FR",))
    second = circulate(cast.ma, record_id, to=("FR",))
    engine.refresh()
    assert _screen(cast.fr)["hits"]
    with world.db.session() as session:
        oversight = Principal(
            label="ccf",
            org_id=world.org("CCF").id,
            org_kind=OrgKind.OVERSIGHT,
            country=None,
            permissions=frozenset(Perm),
        )
        set_block(session, oversight, "notice", first["id"], True, "pending complaint")
    engine.refresh()
    assert [r["reference"] for r in _screen(cast.fr)["hits"][0]["requests"]] == [
        second["reference"]
    ]
    with world.db.session() as session:
        set_block(session, oversight, "notice", second["id"], True, "pending complaint")
    engine.refresh()
    assert _screen(cast.fr)["hits"] == []
    assert cast.fr.get(f"/api/v1/records/{record_id}").status_code == 404
    with world.db.session() as session:
        set_block(session, oversight, "notice", second["id"], False, "lifted")
    engine.refresh()
    assert _screen(cast.fr)["hits"]


def test_the_subject_lists_its_documents_and_vehicles_as_the_viewer_may_see_them(
    world: World, cast
) -> None:
    passport = {
        "issuing_country": "MA",
        "document_type": "passport",
        "number": "MA7788990",
        "status": "stolen",
        "reported_on": "2026-03-01",
    }
    car = {
        "vin": "1M8GDM9AXKP042788",
        "registration_number": "12345-A-6",
        "registration_country": "MA",
        "status": "stolen",
        "reported_on": "2026-02-01",
    }
    assert cast.ma.post("/api/v1/records/document", json={"data": passport}).status_code == 201
    hidden_car = cast.ma.post(
        "/api/v1/records/vehicle",
        json={"data": car, "restrictions": {"visibility": "except", "countries": ["FR"]}},
    )
    assert hidden_car.status_code == 201
    person = {
        **PERSON,
        "identity_documents": [
            {"document_type": "passport", "number": "MA7788990", "issuing_country": "MA"}
        ],
        "vehicles": [{"vin": "1M8GDM9AXKP042788"}],
    }
    record_id = _person(cast.ma, person)
    circulate(cast.ma, record_id, to=("FR",))
    owner = cast.ma.get(f"/api/v1/subjects/{record_id}").json()
    assert [r["data"]["number"] for r in owner["document_records"]] == ["MA7788990"]
    assert [r["id"] for r in owner["vehicle_records"]] == [hidden_car.json()["id"]]
    page = (
        world.browser_login(world.user("NCB-MA", Role.SUPERVISOR)).get(f"/records/{record_id}").text
    )
    assert "1M8GDM9AXKP042788" in page and f"/records/{hidden_car.json()['id']}" in page
    # France sees the person and the passport record, never the car its owner kept from it.
    other = cast.fr.get(f"/api/v1/subjects/{record_id}").json()
    assert [r["data"]["number"] for r in other["document_records"]] == ["MA7788990"]
    assert other["vehicle_records"] == []


def test_a_lapsed_request_stops_circulating_its_subject_before_any_sweep(
    world: World, cast, engine
) -> None:
    import time
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from interlink.core.db import emit_change
    from interlink.records.models import Notice, Record

    record_id = _person(cast.ma)
    diffusion = circulate(cast.ma, record_id, to=("FR",))
    engine.refresh()
    assert _screen(cast.fr)["hits"]
    with world.db.session() as session:
        assert session.get(Record, record_id).circulates_until is not None
        # A diffusion valid for two more seconds (as if sent five years ago).
        soon = datetime.now(UTC) + timedelta(seconds=2)
        session.execute(
            update(Notice).where(Notice.id == diffusion["id"]).values(retention_until=soon)
        )
        session.execute(update(Record).where(Record.id == record_id).values(circulates_until=soon))
        emit_change(session, "record", record_id, "upsert")
    engine.refresh()
    assert _screen(cast.fr)["hits"]
    time.sleep(2.2)  # its validity ends; no sweep runs
    assert _screen(cast.fr)["hits"] == []
    assert cast.fr.get(f"/api/v1/records/{record_id}").status_code == 404
    listed = cast.fr.get("/api/v1/records?kind=person").json()["items"]
    assert record_id not in [r["id"] for r in listed]
    assert cast.ma.get(f"/api/v1/records/{record_id}").status_code == 200
