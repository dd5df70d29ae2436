"""Every third-party module imported under src/ belongs to a declared dependency."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        _normalised(re.match(r"[A-Za-z0-9_.\-]+", requirement).group(0))  # type: ignore[union-attr]
        for requirement in project["dependencies"]
    }


def imported_modules(source: Path) -> dict[str, Path]:
    """Top-level names of absolute imports (those inside functions too), with a file each."""
    found: dict[str, Path] = {}
    for path in sorted(source.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path)
    return found


def undeclared_imports(source: Path, declared: set[str], own: str) -> list[str]:
    distributions = packages_distributions()
    problems = []
    for module, path in imported_modules(source).items():
        if module in sys.stdlib_module_names or module in (own, "__future__"):
            continue
        providers = {_normalised(name) for name in distributions.get(module, [])}
        if not providers & declared:
            where = path.relative_to(source)
            problems.append(f"{module} ({where}) from {sorted(providers) or 'nothing installed'}")
    return sorted(problems)


def test_every_import_under_src_is_a_declared_dependency() -> None:
    assert undeclared_imports(ROOT / "src", declared_distributions(), "interlink") == []


def test_an_undeclared_import_would_be_found(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text(
        "import json\n\ndef f():\n    import rapidfuzz\n"
        "    from pkg import other\n    from . import sibling\n"
    )
    assert undeclared_imports(tmp_path, {"typer"}, "pkg") == [
        "rapidfuzz (pkg/mod.py) from ['rapidfuzz']"
    ]
    assert undeclared_imports(tmp_path, {"rapidfuzz"}, "pkg") == []


def recipe(target: str) -> list[str]:
    """The command lines of a Makefile target."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    commands = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        commands.append(line.strip())
    return commands


def test_make_demo_installs_no_benchmark_dependency() -> None:
    prerequisites = (
        next(
            line
            for line in (ROOT / "Makefile").read_text().splitlines()
            if line.startswith("demo:")
        )
        .split(":", 1)[1]
        .split()
    )
    assert "env" not in prerequisites and "demo-env" in prerequisites
    (sync,) = [line for line in recipe("demo-env") if " sync " in line]
    assert "--all-groups" not in sync and "--group" not in sync and "--no-dev" in sync
    # `bench` is not a default group, so a plain sync leaves it out.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "bench" in project["dependency-groups"]
    assert "bench" not in project.get("tool", {}).get("uv", {}).get("default-groups", [])
    (test_sync,) = [line for line in recipe("env") if " sync " in line]
    assert "--all-groups" in test_sync  # `make test` keeps every group
