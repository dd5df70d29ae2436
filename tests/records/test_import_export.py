"""Import and export through the CLI: FtM lines and CSV, all or nothing, line numbers named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from interlink.cli import app
from interlink.core.audit import AuditEntry
from interlink.records.models import Record

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


@pytest.fixture
def env(database, tmp_path: Path) -> dict[str, str]:
    return {"INTERLINK_DATABASE_URL": database.url, "INTERLINK_DATA_DIR": str(tmp_path)}


def _count(database, **where) -> int:
    with database.session() as session:
        stmt = select(func.count()).select_from(Record)
        for key, value in where.items():
            stmt = stmt.where(getattr(Record, key) == value)
        return session.scalar(stmt)


def test_ftm_import_keeps_external_ids_and_round_trips(database, env, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "records",
            "import",
            str(FIXTURES / "persons.ftm.jsonl"),
            "--format",
            "ftm",
            "--owner",
            "FR",
            "--json",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    imported = json.loads(result.stdout)["imported"]
    assert imported >= 2 and _count(database) == imported
    with database.session() as session:
        person = session.scalars(select(Record).where(Record.external_id == "syn-person-1")).one()
        assert person.kind == "person" and person.label == "Marta Quellenberg"
        assert person.data["identity_documents"][0]["number"] == "19FV02841"
        audits = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "record.import")
        )
        assert audits == imported
    verified = runner.invoke(app, ["audit", "verify", "--json"], env=env)
    assert verified.exit_code == 0 and json.loads(verified.stdout)["checked"] >= imported
    out = tmp_path / "export.jsonl"
    exported = runner.invoke(
        app, ["records", "export", "--owner", "FR", "--out", str(out)], env=env
    )
    assert exported.exit_code == 0, exported.output
    entities = [json.loads(line) for line in out.read_text().splitlines()]
    assert "syn-person-1" in {e["id"] for e in entities}
    assert {e["schema"] for e in entities} >= {"Person", "Passport"}


def test_bad_line_is_named_and_nothing_is_imported(database, env, tmp_path: Path) -> None:
    good = (FIXTURES / "persons.ftm.jsonl").read_text().splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        "\n".join(
            [
                *good[:2],
                '{"id": "x", "schema": "Person", "properties": '
                '{"name": ["A B"], "birthDate": ["not a date"]}}',
                *good[2:],
            ]
        )
    )
    result = runner.invoke(app, ["records", "import", str(bad), "--owner", "FR"], env=env)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "line 3" in lines[0] and "nothing was imported" in lines[0]
    assert _count(database) == 0


def test_reimport_of_the_same_ids_is_refused_whole(database, env) -> None:
    args = ["records", "import", str(FIXTURES / "persons.ftm.jsonl"), "--owner", "FR"]
    assert runner.invoke(app, args, env=env).exit_code == 0
    before = _count(database)
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 2 and "already one of your records" in again.stderr
    assert _count(database) == before


def test_csv_documents_only_by_the_issuing_country(database, env) -> None:
    ok = runner.invoke(
        app,
        [
            "records",
            "import",
            str(FIXTURES / "documents.csv"),
            "--format",
            "csv-documents",
            "--owner",
            "FR",
        ],
        env=env,
    )
    assert ok.exit_code == 0, ok.output
    assert _count(database, kind="document") > 0
    wrong = runner.invoke(
        app,
        [
            "records",
            "import",
            str(FIXTURES / "documents.csv"),
            "--format",
            "csv-documents",
            "--owner",
            "DE",
        ],
        env=env,
    )
    assert wrong.exit_code == 2 and "line 2" in wrong.stderr


def test_csv_vehicles_with_restrictions(database, env) -> None:
    ok = runner.invoke(
        app,
        [
            "records",
            "import",
            str(FIXTURES / "vehicles.csv"),
            "--format",
            "csv-vehicles",
            "--owner",
            "FR",
            "--visibility",
            "only",
            "--country",
            "DE",
            "--country",
            "BE",
        ],
        env=env,
    )
    assert ok.exit_code == 0, ok.output
    with database.session() as session:
        rows = session.scalars(select(Record).where(Record.kind == "vehicle")).all()
    assert rows and all(r.visibility_countries == ",BE,DE," for r in rows)
    listed = runner.invoke(app, ["records", "list", "--as", "DE", "--json"], env=env)
    assert len(json.loads(listed.stdout)) == len(rows)
    assert (
        json.loads(runner.invoke(app, ["records", "list", "--as", "ES", "--json"], env=env).stdout)
        == []
    )


def test_unknown_owner_and_missing_file_are_one_line(env) -> None:
    r = runner.invoke(
        app,
        [
            "records",
            "import",
            str(FIXTURES / "documents.csv"),
            "--format",
            "csv-documents",
            "--owner",
            "ZZ",
        ],
        env=env,
    )
    assert r.exit_code == 4 and r.stderr.startswith("error: ")
    r = runner.invoke(app, ["records", "import", "/nonexistent.jsonl", "--owner", "FR"], env=env)
    assert r.exit_code != 0


OFAC = FIXTURES / "ofac_2021.ftm.jsonl"  # real OFAC SDN entries; lines 10 and 13 unusable


def test_real_sanctions_file_names_its_first_unusable_line(database, env) -> None:
    result = runner.invoke(app, ["records", "import", str(OFAC), "--owner", "US"], env=env)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "line 10: Passport requires the property 'number'" in lines[0]
    assert _count(database) == 0


def test_skip_invalid_imports_the_rest_and_reports_each_line(database, env, tmp_path) -> None:
    result = runner.invoke(
        app, ["records", "import", str(OFAC), "--owner", "US", "--skip-invalid", "--json"], env=env
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["imported"], summary["skipped"]) == (29, 2)
    assert [s["line"] for s in summary["skipped_lines"]] == [10, 13]
    assert [line.split(": ")[1] for line in result.stderr.strip().splitlines()] == [
        "line 10",
        "line 13",
    ]
    assert _count(database) == 29
    with database.session() as session:
        marzook = session.scalars(select(Record).where(Record.external_id == "ofac-3754")).one()
    ssn = [d for d in marzook.data["identity_documents"] if d["number"] == "523338386"]
    assert ssn[0]["number_as_given"] == "SSN 523-33-8386 (United States)"
    out = tmp_path / "out.jsonl"
    assert (
        runner.invoke(
            app,
            ["records", "export", "--owner", "US", "--out", str(out), "--format", "ftm"],
            env=env,
        ).exit_code
        == 0
    )
    entities = {e["id"]: e for e in map(json.loads, out.read_text().splitlines())}
    assert entities["ofac-2676"]["properties"]["title"] == ["Dr."]
    assert entities["ofac-4307"]["properties"]["previousName"] == ["Oliverio Abril CORTEZ"]
    numbers = {n for e in entities.values() for n in e["properties"].get("number", [])}
    assert "SSN 523-33-8386 (United States)" in numbers


def test_export_takes_the_import_formats(database, env, tmp_path: Path) -> None:
    source = tmp_path / "documents.csv"
    source.write_text(
        "external_id,issuing_country,document_type,number,status,reported_on\n"
        "fr-1,FR,passport,Passport No. 18 AB-12345 (France),stolen,2024-01-15\n"
    )
    args = ["records", "import", str(source), "--format", "csv-documents", "--owner", "FR"]
    assert runner.invoke(app, args, env=env).exit_code == 0
    with database.session() as session:
        assert session.scalars(select(Record.doc_number)).one() == "18AB12345"  # matched on
    for fmt in ("csv-documents", "csv-vehicles", "ftm"):
        out = tmp_path / f"out.{fmt}"
        result = runner.invoke(
            app, ["records", "export", "--owner", "FR", "--out", str(out), "--format", fmt], env=env
        )
        assert result.exit_code == 0, result.output
    assert (tmp_path / "out.csv-documents").read_text() == source.read_text()
    assert (tmp_path / "out.csv-vehicles").read_text().splitlines() == [
        "external_id,vin,registration_number,registration_country,make,model,colour,status,"
        "reported_on"
    ]
    refused = runner.invoke(
        app,
        [
            "records",
            "export",
            "--owner",
            "FR",
            "--out",
            str(tmp_path / "x.csv"),
            "--format",
            "csv-vehicles",
            "--kind",
            "person",
        ],
        env=env,
    )
    assert refused.exit_code == 2 and "holds vehicle records only" in refused.stderr
    assert not (tmp_path / "x.csv").exists()
    unknown = runner.invoke(
        app,
        ["records", "export", "--owner", "FR", "--out", str(tmp_path / "y"), "--format", "xml"],
        env=env,
    )
    assert unknown.exit_code == 2
