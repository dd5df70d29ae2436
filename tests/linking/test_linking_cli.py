"""`interlink links ...`: a full run from the console, its record, explanations, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interlink.cli import app
from interlink.core.auth import Role
from tests.support import World, circulate

runner = CliRunner()
SAME = (
    {
        "names": [{"full_name": "Aleksandr Pushkin"}],
        "birth_date": "1979-06-06",
        "sex": "male",
        "nationalities": ["RU"],
    },
    {"names": [{"full_name": "Пушкин Александр"}], "birth_date": "1979-06-06", "sex": "male"},
)


@pytest.fixture
def env(world: World, tmp_path: Path) -> dict[str, str]:
    return {"INTERLINK_DATABASE_URL": world.db.url, "INTERLINK_DATA_DIR": str(tmp_path)}


def test_full_run_from_the_console(world: World, env: dict[str, str]) -> None:
    ids = []
    for org, data in zip(("NCB-MA", "NCB-FR"), SAME, strict=True):
        client = world.api_as(world.user(org, Role.SUPERVISOR))
        created = client.post("/api/v1/records/person", json={"data": data})
        assert created.status_code == 201, created.text
        circulate(client, created.json()["id"])
        ids.append(created.json()["id"])
    result = runner.invoke(app, ["links", "run", "--json"], env=env)
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    assert run["state"] == "completed" and run["records"] == 2 and run["links_found"] == 1
    listed = json.loads(runner.invoke(app, ["links", "runs", "--json"], env=env).stdout)
    assert listed[0]["id"] == run["id"] and listed[0]["finished_at"]
    links = json.loads(runner.invoke(app, ["links", "list", "--json"], env=env).stdout)
    assert {links[0]["left"], links[0]["right"]} == set(ids)
    explained = json.loads(
        runner.invoke(app, ["links", "explain", str(ids[1]), str(ids[0]), "--json"], env=env).stdout
    )
    assert explained["match_weight"] == pytest.approx(links[0]["match_weight"], abs=0.01)
    decided = runner.invoke(
        app,
        ["links", "decide", str(links[0]["id"]), "--decision", "rejected", "--reason", "twins"],
        env=env,
    )
    assert decided.exit_code == 0, decided.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["links", "list", "--status", "maybe"], 2, "unknown status"),
        (["links", "decide", "99999", "--decision", "confirmed"], 4, "no link 99999"),
        (["links", "explain", "99998", "99999"], 4, "no person record"),
    ],
)
def test_errors_are_one_line(env: dict[str, str], args: list[str], code: int, message: str) -> None:
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
