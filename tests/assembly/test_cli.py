"""`interlink assembly`: the secretariat's commands and the offline board check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interlink.assembly import service_voting
from interlink.cli import app
from tests.assembly.support import Assembly

runner = CliRunner()


@pytest.fixture
def env(assembly: Assembly, settings) -> dict[str, str]:
    return {"INTERLINK_DATABASE_URL": assembly.db.url, "INTERLINK_DATA_DIR": str(settings.data_dir)}


def run(env: dict[str, str], *args: str) -> object:
    return runner.invoke(app, ["assembly", *args], env=env)


def test_a_session_from_the_console(env: dict[str, str], assembly: Assembly) -> None:
    assert (
        run(
            env,
            "create-session",
            "95",
            "--city",
            "Oslo",
            "--country",
            "NO",
            "--starts",
            "2027-10-04",
            "--ends",
            "2027-10-07",
        ).exit_code
        == 0
    )
    assert run(env, "open-session", "95").exit_code == 0
    added = run(
        env,
        "add-item",
        "95",
        "--title",
        "Budget",
        "--kind",
        "resolution",
        "--majority",
        "simple_of_cast",
    )
    assert added.exit_code == 0, added.output
    sessions = json.loads(run(env, "sessions", "--json").stdout)
    assert sessions[0]["number"] == 95 and sessions[0]["status"] == "open"
    shown = json.loads(run(env, "show", "95", "--json").stdout)
    assert shown["items"][0]["title"] == "Budget" and shown["quorum"]["required"] == 99
    refused = run(env, "open-ballot", str(shown["items"][0]["id"]))
    assert refused.exit_code == 5 and "agenda must be adopted" in refused.stderr
    missing = run(env, "attendance", "95", "KE")
    assert missing.exit_code == 4 and missing.stderr.startswith("error: ")


def test_boards_are_checked_on_the_server_and_offline(
    env: dict[str, str], assembly: Assembly, tmp_path: Path
) -> None:
    [item] = assembly.open_session(
        [("Budget", "resolution", "simple_of_cast")], quorum_share="1/196"
    )
    heads = assembly.delegations(["KE", "NG", "GH"])
    assembly.adopt_agenda(heads.values())
    opened = run(env, "open-ballot", str(item))
    assert opened.exit_code == 0, opened.output
    ballot_id = int(opened.stdout.split("(id ")[1].rstrip(")\n"))
    assert run(env, "destroy-seal-key").exit_code == 5  # a secret ballot is open
    receipts = [assembly.vote(h, ballot_id, "yes").receipt for h in heads.values()]
    closed = json.loads(run(env, "close-ballot", str(ballot_id), "--json").stdout)
    assert closed["tally"] == {"counts": {"yes": 3, "no": 0}, "abstentions": 0}
    assert run(env, "verify", str(ballot_id)).exit_code == 0

    board = tmp_path / "board.json"
    board.write_text(run(env, "board", str(ballot_id)).stdout)
    assert receipts[0].tracking_code in board.read_text()
    ok = run(env, "verify-board", str(board), "--head", closed["board_head"], "--voters", "3")
    assert ok.exit_code == 0 and "'yes': 3" in ok.stdout
    data = json.loads(board.read_text())
    data["entries"][1]["choice"] = "no"
    board.write_text(json.dumps(data))
    broken = run(env, "verify-board", str(board), "--head", closed["board_head"])
    assert broken.exit_code == 1 and "at entry 2" in broken.stderr
    assert run(env, "destroy-seal-key").exit_code == 0
    assert not assembly.keys.path.exists()
    with assembly.db.session() as session:
        assert service_voting.verify_ballot(session, ballot_id).ok
