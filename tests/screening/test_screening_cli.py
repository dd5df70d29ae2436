"""`interlink screen batch` and `interlink mrz parse` from the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interlink.cli import app
from interlink.core.auth import Role
from interlink.core.i18n import translations
from tests.support import World, circulate

runner = CliRunner()
UTOPIA = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
)


@pytest.fixture
def env(world: World, tmp_path: Path) -> dict[str, str]:
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    for kind, data in (
        (
            "person",
            {
                "names": [{"full_name": "Rachid Tazi"}],
                "birth_date": "1975-06-01",
                "nationalities": ["MA"],
                "sex": "male",
            },
        ),
        (
            "document",
            {
                "issuing_country": "MA",
                "document_type": "passport",
                "number": "XY9876543",
                "status": "lost",
                "reported_on": "2026-01-02",
            },
        ),
    ):
        created = ma.post(f"/api/v1/records/{kind}", json={"data": data})
        assert created.status_code == 201
        if kind == "person":
            circulate(ma, created.json()["id"])
    return {"INTERLINK_DATABASE_URL": world.db.url, "INTERLINK_DATA_DIR": str(tmp_path)}


def test_batch_manifest_to_jsonl(env: dict[str, str], tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "id,name,birth_date,nationality,sex,document_number,document_country\n"
        "p1,TAZI Rachid,1975,MA,M,,\n"
        "p2,Someone Else,1990,FR,F,,\n"
        "p3,,,,,XY9876543,MA\n"
        "p4,Bad Date,19-75,MA,M,,\n"
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["screen", "batch", str(manifest), "--as", "FR", "--out", str(out)], env=env
    )
    assert result.exit_code == 0, result.output
    answers = {a["id"]: a for a in map(json.loads, out.read_text().splitlines())}
    assert answers["p1"]["hits"][0]["record_kind"] == "person"
    assert answers["p1"]["hits"][0]["decision"] is True
    assert answers["p1"]["hits"][0]["explanation"]["features"]
    assert answers["p2"]["hits"] == [] or not answers["p2"]["hits"][0]["decision"]
    assert answers["p3"]["hits"][0]["record_kind"] == "document"
    assert answers["p3"]["hits"][0].get("external_id") is None
    assert answers["p3"]["hits"][0]["status"] == "lost"
    assert answers["p3"]["hits"][0]["action"].startswith("Seize the document")
    assert answers["p4"]["error"].startswith("line 5:")


def test_batch_csv_output_and_bad_header(env: dict[str, str], tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "id,name,birth_date,nationality,sex,document_number,document_country\n"
        "a,Rachid Tazi,,,,,\nd,,,,,XY9876543,MA\nn,Nobody Known,,,,,\n"
    )
    out = tmp_path / "out.csv"
    ok = runner.invoke(
        app,
        ["screen", "batch", str(manifest), "--as", "FR", "--out", str(out), "--format", "csv"],
        env=env,
    )
    assert ok.exit_code == 0, ok.output
    assert out.read_text().splitlines()[0].startswith("id,line,hits,top_record_id")
    rows = {row["id"]: row for row in csv.DictReader(out.open(encoding="utf-8"))}
    # What the officer reads without opening the details: who, under which request, what to do.
    assert rows["a"]["top_label"] == "Rachid Tazi"
    assert rows["a"]["top_reference"] and rows["a"]["top_reference"] in rows["a"]["details"]
    assert rows["a"]["top_action"] and rows["a"]["top_action"] in rows["a"]["details"]
    assert rows["d"]["top_action"] == "Seize the document; do not return it to the holder."
    assert rows["n"]["hits"] == "0" and rows["n"]["top_action"] == ""
    # In the operator's language: the action and the sentences inside the details alike.
    french = runner.invoke(
        app,
        ["screen", "batch", str(manifest), "--as", "FR", "--out", str(out), "--format", "csv"],
        env={**env, "INTERLINK_LANG": "fr"},
    )
    assert french.exit_code == 0, french.output
    rows = {row["id"]: row for row in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows["d"]["top_action"] == "Saisir le document ; ne pas le rendre à son titulaire."
    assert rows["d"]["top_action"] in rows["d"]["details"]
    assert "Seize the document" not in rows["d"]["details"]
    assert '"status": "lost"' in rows["d"]["details"]  # codes stay codes
    seize = translations("fr").gettext("Seize the document; do not return it to the holder.")
    assert seize.startswith("Saisir") and rows["d"]["top_action"] == seize
    bad = tmp_path / "bad.csv"
    bad.write_text("name,dob\nx,y\n")
    result = runner.invoke(
        app, ["screen", "batch", str(bad), "--as", "FR", "--out", str(out)], env=env
    )
    assert result.exit_code == 2 and "line 1" in result.stderr


def test_mrz_parse_json_and_exit_codes() -> None:
    ok = runner.invoke(app, ["mrz", "parse", UTOPIA, "--json"])
    assert ok.exit_code == 0, ok.output
    body = json.loads(ok.stdout)
    assert body["format"] == "TD3" and body["document_number"] == "L898902C3"
    assert all(c["valid"] for c in body["check_digits"])
    corrupted = UTOPIA.replace("7408122", "7408123")
    bad = runner.invoke(app, ["mrz", "parse", corrupted, "--json"])
    assert bad.exit_code == 1 and not json.loads(bad.stdout)["valid"]
    junk = runner.invoke(app, ["mrz", "parse", "hello"])
    assert junk.exit_code == 2 and junk.stderr.startswith("error: not a machine-readable zone")


def test_mrz_parse_takes_the_lines_as_separate_arguments() -> None:
    lines = UTOPIA.splitlines()
    separate = runner.invoke(app, ["mrz", "parse", *lines, "--json"])
    joined = runner.invoke(app, ["mrz", "parse", "|".join(lines), "--json"])
    assert separate.exit_code == joined.exit_code == 0, separate.output
    assert json.loads(separate.stdout) == json.loads(joined.stdout)
    assert json.loads(separate.stdout)["document_number"] == "L898902C3"
    one_line_short = runner.invoke(app, ["mrz", "parse", lines[0], lines[1][:-1]])
    assert one_line_short.exit_code == 2
    assert "44+43" in one_line_short.stderr
