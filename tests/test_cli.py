"""The `interlink` command: set-up, users, tokens, errors as one line and a non-zero exit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from interlink.cli import app

runner = CliRunner()


@pytest.fixture
def env(database, tmp_path: Path) -> dict[str, str]:
    return {"INTERLINK_DATABASE_URL": database.url, "INTERLINK_DATA_DIR": str(tmp_path)}


def test_db_upgrade_is_idempotent(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert "0 member and organisation rows added" in result.output


def test_members_list_json(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["members", "list", "--json"], env=env)
    rows = json.loads(result.stdout)
    assert len(rows) == 196
    assert {
        "code": "MA",
        "name": "Morocco",
        "region": "africa",
        "suspended": False,
        "in_arrears": False,
    } in rows


def test_user_and_token_administration(env: dict[str, str]) -> None:
    created = runner.invoke(
        app,
        [
            "users",
            "create",
            "rabat.new",
            "--org",
            "NCB-MA",
            "--role",
            "officer",
            "--password",
            "Long-Enough-Pass1",
            "--json",
        ],
        env=env,
    )
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout)["org"] == "NCB-MA"
    listed = json.loads(
        runner.invoke(app, ["users", "list", "--json", "--org", "NCB-MA"], env=env).stdout
    )
    assert [u["username"] for u in listed] == ["rabat.new"]
    token = runner.invoke(
        app,
        [
            "tokens",
            "create",
            "--name",
            "Rabat border",
            "--org",
            "NCB-MA",
            "--permission",
            "screen.document",
            "--json",
        ],
        env=env,
    )
    assert token.exit_code == 0, token.output
    token_id = json.loads(token.stdout)["id"]
    assert runner.invoke(app, ["tokens", "revoke", str(token_id)], env=env).exit_code == 0
    tokens = json.loads(runner.invoke(app, ["tokens", "list", "--json"], env=env).stdout)
    assert tokens[0]["revoked"] is True


@pytest.mark.parametrize(
    "args,code,message",
    [
        (
            [
                "users",
                "create",
                "x.y",
                "--org",
                "NCB-ZZ",
                "--role",
                "officer",
                "--password",
                "Long-Enough-Pass1",
            ],
            4,
            "no organisation 'NCB-ZZ'",
        ),
        (
            [
                "users",
                "create",
                "x.y",
                "--org",
                "NCB-MA",
                "--role",
                "officer",
                "--password",
                "short",
            ],
            2,
            "at least 12 characters",
        ),
        (
            [
                "users",
                "create",
                "x.y",
                "--org",
                "NCB-MA",
                "--role",
                "gs_admin",
                "--password",
                "Long-Enough-Pass1",
            ],
            2,
            "cannot be held in a ncb organisation",
        ),
        (["tokens", "revoke", "12345"], 4, "no token 12345"),
    ],
)
def test_errors_are_one_line_with_exit_code(
    env: dict[str, str], args: list[str], code: int, message: str
) -> None:
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    env = {
        "INTERLINK_DATABASE_URL": "sqlite:////nonexistent/dir/x.db",
        "INTERLINK_DATA_DIR": str(tmp_path),
    }
    result = runner.invoke(app, ["users", "list"], env=env)
    assert result.exit_code == 7 and result.stderr.startswith("error: database unavailable")


def test_every_command_has_help() -> None:
    for args in (
        [],
        ["db"],
        ["users"],
        ["tokens"],
        ["audit"],
        ["members"],
        ["demo"],
        ["serve"],
        ["audit", "verify"],
    ):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, args


def test_console_script_is_installed() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "interlink.cli", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "interlink" in result.stdout.lower()


HEAVY_LIBRARIES = ("sqlalchemy", "numpy", "followthemoney", "fastapi", "alembic", "uvicorn")
MRZ_LINES = (
    "I<UTOD23145890<7349<<<<<<<<<<<",
    "3407127M9507122UTO<<<<<<<<<<<2",
    "STEVENSON<<PETER<JOHN<<<<<<<<<",
)


@pytest.mark.parametrize("args", [["--help"], ["mrz", "parse", *MRZ_LINES]])
def test_help_and_mrz_parse_import_no_heavy_library(args: list[str]) -> None:
    # Which modules a fresh interpreter holds after the command, not how long it took: the
    # start-up time follows from what is imported (figures in docs/benchmarks.md).
    script = (
        "import sys\n"
        "from interlink.cli import main\n"
        f"sys.argv = ['interlink', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        f"heavy = [m for m in {HEAVY_LIBRARIES!r} if m in sys.modules]\n"
        "print('HEAVY', ','.join(heavy), code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    last = result.stdout.strip().splitlines()[-1]
    assert last in ("HEAVY  0", "HEAVY  None"), result.stdout + result.stderr


def test_a_heavy_command_does_import_what_it_needs() -> None:
    # The forbidden side of the test above: the check would see a heavy import.
    script = (
        "import sys\nfrom typer.testing import CliRunner\nfrom interlink.cli import app\n"
        "CliRunner().invoke(app, ['users', '--help'])\n"
        "print('sqlalchemy' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_command_groups_are_listed_with_their_own_help() -> None:
    from interlink.cli import COMMAND_GROUPS

    for name, group in COMMAND_GROUPS.items():
        command = group.load(name)
        assert command.help == group.help, name
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0 and f" {name} [OPTIONS] COMMAND" in result.output, name
    assert runner.invoke(app, ["no-such-group"]).exit_code == 2


# --- the command line's language (docs/languages.md) ----------------------------------------


@pytest.mark.parametrize(
    ("environment", "language"),
    [
        ({"INTERLINK_LANG": "fr"}, "fr"),
        ({"INTERLINK_LANG": "", "LANG": "es_ES.UTF-8"}, "es"),
        ({"INTERLINK_LANG": "", "LC_ALL": "ar_MA.UTF-8", "LANG": "fr_FR.UTF-8"}, "ar"),
        ({"INTERLINK_LANG": "ar", "LANG": "fr_FR.UTF-8"}, "ar"),
        ({"INTERLINK_LANG": "", "LC_ALL": "C.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"INTERLINK_LANG": "de"}, "en"),
        ({"INTERLINK_LANG": "../../etc"}, "en"),
        ({}, "en"),
    ],
)
def test_the_command_line_speaks_the_first_locale_variable_set(
    environment: dict[str, str], language: str
) -> None:
    from interlink.clikit import language_from_environment

    assert language_from_environment(environment) == language


def test_help_and_errors_in_the_command_line_language(tmp_path: Path) -> None:
    french = runner.invoke(app, ["--help"], env={"INTERLINK_LANG": "fr"})
    assert "plateforme de coopération policière multilatérale" in french.output
    assert "Enregistrements : personnes, documents de voyage, véhicules." in french.output
    group = runner.invoke(app, ["records", "import", "--help"], env={"INTERLINK_LANG": "es"})
    assert "Importar un archivo en una transacción" in group.output
    assert "Carpeta de datos" in group.output  # an option's help
    env = {"INTERLINK_LANG": "ar", "INTERLINK_DATA_DIR": str(tmp_path)}
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    unknown = runner.invoke(app, ["records", "list", "--as", "ZZ"], env=env)
    assert unknown.exit_code == 4
    assert unknown.stderr.strip() == "خطأ: لا توجد منظمة 'NCB-ZZ'"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"schema": "Person", "properties": {"name": ["A B"]}}\n')
    env["INTERLINK_LANG"] = "fr"
    imported = runner.invoke(app, ["records", "import", str(bad), "--owner", "MA"], env=env)
    assert imported.exit_code == 2
    assert imported.stderr.strip() == (
        f"erreur : {bad} : ligne 1 : l'entité n'a pas d'id (rien n'a été importé)"
    )
    # The forbidden side: the same command in English, and no language left behind.
    english = runner.invoke(
        app, ["records", "list", "--as", "ZZ"], env={**env, "INTERLINK_LANG": "en"}
    )
    assert english.stderr.strip() == "error: no organisation 'NCB-ZZ'"
    from interlink.core.i18n import current_language

    assert current_language() == "en"


@pytest.mark.parametrize("language", ["ar", "fr", "es"])
def test_every_command_help_is_in_the_catalogs(language: str) -> None:
    # What typer shows, walked from the loaded command tree: a help text built in a way the
    # extraction misses (not a literal `help=`, docstring or say/tr/fail call) fails here.
    from babel.messages.pofile import read_po

    from interlink.cli import COMMAND_GROUPS
    from interlink.core.i18n import catalog_path

    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    root = typer.main.get_command(app)
    commands = [*getattr(root, "commands", {}).values()]
    commands += [group.load(name) for name, group in COMMAND_GROUPS.items()]
    untranslated = []
    while commands:
        command = commands.pop()
        commands.extend(getattr(command, "commands", {}).values())
        for item in (command, *command.params):
            text = getattr(item, "help", None)
            entry = catalog.get(text) if text else None
            if text and (entry is None or not entry.string):
                untranslated.append(f"{command.name}: {text}")
    assert untranslated == []


def test_a_demo_built_without_serving_says_how_to_serve_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a short relative folder: the line is not wrapped
    result = runner.invoke(app, ["demo", "--data-dir", "demo", "--no-serve", "--persons", "5"])
    assert result.exit_code == 0, result.output
    assert "interlink serve --data-dir demo" in result.output
    assert "http://127.0.0.1" not in result.output  # nothing is served
