"""`interlink blocklist`: the provider's sync and check against a live server (exit code 0
not blocked, 1 blocked, 2+ errors on one line), and the GS's version commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from interlink.cli import app
from tests.blocklist.conftest import Cast

runner = CliRunner()


@pytest.fixture
def published(cast: Cast) -> Cast:
    cast.listed("listed.example", *(f"filler{n}.example" for n in range(10)))
    return cast


def blocklist(*args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, ["blocklist", *args], env=env)


def test_sync_then_check_exit_codes(published: Cast, live_server: str, tmp_path: Path) -> None:
    store = str(tmp_path / "prefixes.json")
    remote = ["--server", live_server, "--token", published.provider_token]
    synced = blocklist("sync", *remote, "--store", store, "--json")
    assert synced.exit_code == 0, synced.output
    assert json.loads(synced.stdout) | {"checksum": None} == {
        "version": 1,
        "type": "full",
        "reloaded": False,
        "prefixes": 11,
        "checksum": None,
    }
    blocked = blocklist("check", "https://cdn.listed.example/a/b.jpg", "--store", store, *remote)
    assert (blocked.exit_code, blocked.stdout.strip()) == (
        1,
        "blocked: listed.example (list version 1)",
    )
    for allowed in ("https://listed.example.test/", "not-listed.example"):
        result = blocklist("check", allowed, "--store", store, *remote)
        assert result.exit_code == 0, result.output
    # Without a server, a miss is certain; a local prefix match cannot be confirmed.
    assert blocklist("check", "other.example", "--store", store).exit_code == 0
    offline = blocklist("check", "listed.example", "--store", store)
    assert offline.exit_code == 7 and "needs --server and --token" in offline.stderr


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["check", "x.example", "--store", "{missing}"], 4, "run 'interlink blocklist sync'"),
        (["check", "mailto:someone@listed.example", "--store", "{store}"], 2, "not a web address"),
        (
            ["check", "x.example", "--store", "{store}", "--server", "{server}"],
            2,
            "both --server and --token",
        ),
        (
            ["sync", "--server", "{server}", "--token", "il_wrong_token", "--store", "{store}"],
            3,
            "unknown API token",
        ),
        (
            ["sync", "--server", "http://127.0.0.1:9", "--token", "t", "--store", "{store}"],
            7,
            "cannot reach",
        ),
    ],
)
def test_errors_are_one_line_with_an_exit_code(
    published: Cast, live_server: str, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    store = str(tmp_path / "prefixes.json")
    blocklist(
        "sync", "--server", live_server, "--token", published.provider_token, "--store", store
    )
    filled = [
        a.format(missing=tmp_path / "none.json", store=store, server=live_server) for a in args
    ]
    result = blocklist(*filled)
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_versions_diff_and_publish_on_the_server(published: Cast, tmp_path: Path) -> None:
    env = {"INTERLINK_DATABASE_URL": published.world.db.url, "INTERLINK_DATA_DIR": str(tmp_path)}
    with published.session() as session:
        published.confirmed(session, "late.example")
    made = blocklist("publish", "--json", env=env)
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["version"] == 2
    assert blocklist("publish", env=env).exit_code == 5  # nothing changed: a conflict
    rows = json.loads(blocklist("versions", "--json", env=env).stdout)
    assert [(r["version"], r["domains"]) for r in rows] == [(2, 12), (1, 11)]
    diff = json.loads(blocklist("diff", "1", "2", "--json", env=env).stdout)
    assert (diff["added"], diff["removed"]) == (["late.example"], [])


def test_stop_page_for_providers() -> None:
    page = blocklist(
        "stop-page",
        "listed.example",
        "--provider",
        "Example Net",
        "--complaint-url",
        "https://interlink.example/review",
    )
    assert page.exit_code == 0
    assert "Example Net" in page.stdout and "https://interlink.example/review" in page.stdout
