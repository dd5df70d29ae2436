"""Benchmark: screening over HTTP, audit included, against a real server.

    .venv/bin/python bench/screening_http.py [--documents 200000] [--persons 100000]
        [--workers 2] [--seconds 10] [--connections 32]

Builds a synthetic world in a temporary data folder (SQLite), starts `interlink serve` with
its background workers (index build, change feed, audit sealing), and drives it from the
same machine with wrk (Debian package `wrk`; installed by `make bench-tools`). Every request is
authenticated with an API token and writes its audit entry (group commit) or its hit before
the answer. Prints a table. Needs the 2 cores to itself to mean anything.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from faker import Faker
from rich.console import Console
from rich.table import Table
from sqlalchemy import insert

from interlink.config import load_settings
from interlink.core import migrate
from interlink.core.auth import Perm
from interlink.core.db import Database
from interlink.members import service as members
from interlink.members.models import ApiToken
from interlink.records.models import Record

ROOT = Path(__file__).resolve().parent.parent
PORT = 8917


def seed(data_dir: Path, documents: int, persons: int) -> tuple[str, list[str], list[str]]:
    settings = load_settings(data_dir=data_dir)
    migrate.upgrade(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    faker = Faker(["en_GB", "fr_FR", "es_ES", "de_DE", "tr_TR"])
    faker.seed_instance(7)
    rng = random.Random(7)
    now = datetime.now(UTC)
    numbers, names = [], []
    with db.session() as session:
        members.seed_members(session)
        owner = members.ncb_of(session, "MA").id
        reader = members.ncb_of(session, "FR")
        base = {
            "owner_org_id": owner,
            "status": "active",
            "version": 1,
            "circulated": True,
            "access_blocked": False,
            "visibility_mode": "all",
            "visibility_countries": "",
            "not_actionable_in": "",
            "handling_code": "H0",
            "created_at": now,
            "updated_at": now,
            "retention_until": now + timedelta(days=3650),
        }
        rows = []
        for i in range(documents):
            number = (
                f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{rng.choice('ABCDEFGHJK')}"
                f"{rng.randrange(10**7):07d}"
            )
            numbers.append(number)
            rows.append(
                {
                    **base,
                    "kind": "document",
                    "external_id": f"d{i}",
                    "label": f"passport MA {number}",
                    "doc_country": "MA",
                    "doc_number": number,
                    "data": {
                        "issuing_country": "MA",
                        "document_type": "passport",
                        "number": number,
                        "status": "stolen",
                        "reported_on": date(2025, 1, 1).isoformat(),
                    },
                }
            )
            if len(rows) == 20_000:
                session.execute(insert(Record), rows)
                rows = []
        for i in range(persons):
            name = f"{faker.first_name()} {faker.last_name()}"
            names.append(name)
            rows.append(
                {
                    **base,
                    "kind": "person",
                    "external_id": f"p{i}",
                    "label": name,
                    "data": {
                        "names": [{"full_name": name}],
                        "birth_date": f"{rng.randint(1950, 2000)}",
                    },
                }
            )
            if len(rows) == 20_000:
                session.execute(insert(Record), rows)
                rows = []
        if rows:
            session.execute(insert(Record), rows)
        from interlink.core.auth import issue_token

        issued = issue_token()
        session.add(
            ApiToken(
                public_id=issued.public_id,
                secret_hash=issued.secret_hash,
                name="bench",
                org_id=reader.id,
                expires_at=now + timedelta(1),
                permissions=[Perm.SCREEN_DOCUMENT.value, Perm.SCREEN_PERSON.value],
            )
        )
    db.dispose()
    return issued.plaintext, numbers, names


def lua_script(path: Path, token: str, endpoint: str, bodies: list[str]) -> None:
    quoted = ",\n".join(json.dumps(b) for b in bodies)
    path.write_text(f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
local bodies = {{
{quoted}
}}
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, "{endpoint}", nil, bodies[(i % #bodies) + 1])
end
""")


def run_wrk(script: Path, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{PORT}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(\w+)", out).groups()
        result[f"p{pct}"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["errors"] = float(errors.group(1)) if errors else 0.0
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    # Schengen: ~400,000 hits in 15 billion searches (0.003 %); 0.1 % is already pessimistic.
    parser.add_argument(
        "--hit-rate",
        type=float,
        default=0.001,
        help="share of queries that hit a record (each hit is stored and "
        "opens a signed, encrypted follow-up message)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("error: wrk is not installed (apt-get install wrk, or make bench-tools)")
    tmp = Path(tempfile.mkdtemp(prefix="interlink-bench-"))
    try:
        started = time.perf_counter()
        token, numbers, names = seed(tmp, args.documents, args.persons)
        seeded = time.perf_counter() - started
        env = {
            **os.environ,
            "INTERLINK_DATA_DIR": str(tmp),
            "INTERLINK_LOG_LEVEL": "WARNING",
            "INTERLINK_SECURE_COOKIES": "false",
        }
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/interlink"),
                "serve",
                "--port",
                str(PORT),
                "--workers",
                str(args.workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            started = time.perf_counter()
            ready_in_a_row = 0
            while ready_in_a_row < 20:  # every worker process must have built its indexes
                try:
                    ok = httpx.get(f"http://127.0.0.1:{PORT}/readyz").status_code == 200
                except httpx.TransportError:
                    ok = False
                ready_in_a_row = ready_in_a_row + 1 if ok else 0
                if ok:
                    continue
                if time.perf_counter() - started > 600:
                    sys.exit("error: server not ready after 10 minutes")
                time.sleep(0.5)
            ready = time.perf_counter() - started
            rng = random.Random(3)
            hits = max(round(1000 * args.hit_rate), 1 if args.hit_rate else 0)
            doc_hits = [json.dumps({"number": n}) for n in rng.sample(numbers, hits)]
            doc_misses = [
                json.dumps({"number": f"ZZ{rng.randrange(10**7):07d}"}) for _ in range(1000 - hits)
            ]
            faker = Faker(["en_GB", "fr_FR", "es_ES"])
            person_bodies = [json.dumps({"name": rng.choice(names)}) for _ in range(hits // 2)]
            person_bodies += [
                json.dumps({"name": f"{faker.first_name()} Qx{i}"}) for i in range(500 - hits // 2)
            ]
            rows = []
            for label, endpoint, bodies in (
                (
                    f"document check ({args.hit_rate:.1%} hits)",
                    "/api/v1/screen/document",
                    doc_hits + doc_misses,
                ),
                (f"name check ({args.hit_rate:.1%} hits)", "/api/v1/screen/person", person_bodies),
            ):
                script = tmp / "bench.lua"
                lua_script(script, token, endpoint, bodies)
                run_wrk(script, 2, args.connections)  # warm-up
                rows.append((label, run_wrk(script, args.seconds, args.connections)))
        finally:
            server.terminate()
            server.wait(timeout=30)
        table = Table(
            title=f"screening over HTTP: {args.documents:,} documents, "
            f"{args.persons:,} persons, {args.workers} workers, "
            f"{args.connections} connections, audit included "
            f"(seed {seeded:.0f} s, index ready {ready:.0f} s)"
        )
        for column in ("check", "requests/s", "p50 ms", "p99 ms", "non-2xx"):
            table.add_column(column, justify="right")
        for label, r in rows:
            table.add_row(
                label,
                f"{r['rps']:,.0f}",
                f"{r['p50']:.1f}",
                f"{r['p99']:.1f}",
                f"{r['errors']:.0f}",
            )
        Console(width=160).print(table)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
