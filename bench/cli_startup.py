"""Start-up cost of the `interlink` command: CPU seconds and wall time of light commands.

Each command runs in a fresh interpreter; the CPU time (user + system) is the child's own,
from `os.wait4`, so other work on the machine shows in the wall time more than in the CPU
time. `--ref REF` measures the code of a git revision instead of the working tree (its
`src/` is extracted with `git archive` and put first on the path), for before/after figures:

    .venv/bin/python bench/cli_startup.py --ref 14dc3c6 --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MRZ = "I<UTOD23145890<7349<<<<<<<<<<<|3407127M9507122UTO<<<<<<<<<<<2|STEVENSON<<PETER<JOHN<<<<<<<<<"
COMMANDS = {"interlink --help": ["--help"], "interlink mrz parse": ["mrz", "parse", MRZ]}


def run_once(args: list[str], source: Path) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one `python -m interlink.cli ARGS`."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "interlink.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{args} failed")
    return usage.ru_utime + usage.ru_stime, wall


def source_of(ref: str | None, scratch: Path) -> Path:
    if ref is None:
        return ROOT / "src"
    archive = scratch / "src.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), ref, "src"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(scratch, filter="data")
    return scratch / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", help="git revision to measure instead of the working tree")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        source = source_of(options.ref, Path(scratch))
        print(
            f"code: {options.ref or 'working tree'}; {options.runs} runs each; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        print("| command | CPU s (median) | CPU s (min) | wall s (median) |")
        print("|---|---:|---:|---:|")
        for label, args in COMMANDS.items():
            runs = [run_once(args, source) for _ in range(options.runs)]
            cpu = [c for c, _ in runs]
            wall = [w for _, w in runs]
            print(
                f"| `{label}` | {statistics.median(cpu):.2f} | {min(cpu):.2f} | "
                f"{statistics.median(wall):.2f} |"
            )


if __name__ == "__main__":
    main()
