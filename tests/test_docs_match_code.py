"""The documentation against the code: settings, the README's commands, check codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interlink.cli import app
from interlink.config import Settings
from interlink.records.checks import CheckCode

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def documentation() -> str:
    return "\n".join(
        path.read_text(encoding="utf-8")
        for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    )


def undocumented_settings(names: list[str], text: str) -> list[str]:
    return [name for name in names if f"INTERLINK_{name.upper()}" not in text]


def test_every_setting_is_documented() -> None:
    assert undocumented_settings(list(Settings.model_fields), documentation()) == []


def test_an_undocumented_setting_would_be_found() -> None:
    assert undocumented_settings(["data_dir", "warp_factor"], documentation()) == ["warp_factor"]


# `interlink a b ...` in a code span, up to the first argument or option; `.venv/bin/interlink`
# counts, a path ending in /interlink (a data folder) does not.
_COMMAND = re.compile(r"(?:(?<![\w/])|(?<=bin/))interlink((?: [a-z][a-z-]*)+)")


def readme_commands() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Using it", 1)[1].split("\n## ", 1)[0]
    spans = re.findall(r"`([^`]+)`", table)
    return [match.split() for span in spans for match in _COMMAND.findall(span)]


def test_the_readme_names_commands() -> None:
    commands = readme_commands()
    assert ["records", "import"] in commands and ["mrz", "parse"] in commands
    assert len(commands) >= 12


@pytest.mark.parametrize("command", readme_commands(), ids=" ".join)
def test_every_command_in_the_readme_exists(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output, result.output


def test_a_command_that_does_not_exist_would_be_found() -> None:
    assert runner.invoke(app, ["records", "teleport", "--help"]).exit_code == 2


def test_every_check_code_is_documented() -> None:
    text = (ROOT / "docs" / "compliance-checks.md").read_text(encoding="utf-8")
    assert [code.value for code in CheckCode if f"`{code.value}`" not in text] == []
