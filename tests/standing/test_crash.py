"""Kill -9 during writes: every acknowledged write survives, with its audit entry.

The real server (`interlink serve`, background work on: the audit sealer and checkpoints)
runs on the test's database, a SQLite file or a PostgreSQL schema. Threads create records
and send messages as fast as it answers; each 201 is written down. After a few dozen
acknowledgements the server gets SIGKILL, mid-request for some of the threads. Restarted on
the same database, it must return every acknowledged record and message, the audit log must
hold a `record.create` or `message.send` entry for each, and `interlink audit verify` must
find the chain intact (it seals what the killed server had not sealed yet).

Forbidden side: an acknowledged write that did not survive (an answer before commit, an
audit entry outside the write's transaction) leaves an id in `acknowledged` that the
restarted server answers 404 for, or one without its entry; `test_a_lost_write_is_noticed`
shows the check reports an id that was never written.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import select

from interlink.core.audit import AuditEntry
from interlink.core.auth import Role
from interlink.messaging.models import Message
from tests.support import World

CLI = [sys.executable, "-m", "interlink.cli"]
WRITERS = 4
ACKS_BEFORE_KILL = 40
PERSON = {"names": [{"full_name": "Samir Ouazzani"}], "sex": "male", "nationalities": ["MA"]}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(world: World) -> dict[str, str]:
    return {
        **os.environ,
        "INTERLINK_DATA_DIR": str(world.settings.data_dir),
        "INTERLINK_DATABASE_URL": world.db.url,
        "INTERLINK_LOG_JSON": "false",
        "INTERLINK_SECURE_COOKIES": "false",
    }


@contextmanager
def _server(world: World, log: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    port = _free_port()
    out = log.open("a")
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--host", "127.0.0.1"],
        env=_env(world),
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert server.poll() is None, log.read_text()[-2000:]
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise AssertionError(f"server not ready: {log.read_text()[-2000:]}")
        yield server, base
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(timeout=30)
        out.close()


def _writer(
    base: str, token: str, kind: str, acknowledged: list[tuple[str, int]], stop: threading.Event
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        n = 0
        while not stop.is_set():
            n += 1
            try:
                if kind == "record":
                    answer = client.post("/api/v1/records/person", json={"data": PERSON})
                    if answer.status_code == 201:
                        acknowledged.append(("record", answer.json()["id"]))
                else:
                    answer = client.post(
                        "/api/v1/threads",
                        json={"recipients": ["FR"], "subject": f"s{n}", "body": "b"},
                    )
                    if answer.status_code == 201:
                        acknowledged.append(("message", answer.json()["message_id"]))
            except httpx.HTTPError:
                return  # the server is gone: whatever was not answered is not acknowledged


def missing_writes(
    world: World, base: str, token: str, acknowledged: list[tuple[str, int]]
) -> list[str]:
    """Acknowledged writes the restarted server does not have, or that have no audit entry."""
    lost: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    with world.db.session() as session:
        messages = set(session.scalars(select(Message.id)).all())
        audited = set(
            session.execute(
                select(AuditEntry.object_type, AuditEntry.object_id).where(
                    AuditEntry.action.in_(("record.create", "message.send")),
                    AuditEntry.outcome == "ok",
                )
            ).all()
        )
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        for kind, object_id in acknowledged:
            if kind == "record":
                status = client.get(f"/api/v1/records/{object_id}").status_code
            else:
                status = 200 if object_id in messages else 404
            if status != 200:
                lost.append(f"{kind} {object_id}: {status} after restart")
            if (kind, str(object_id)) not in audited:
                lost.append(f"{kind} {object_id}: no audit entry")
    return lost


def _crash_during_writes(world: World, tmp_path: Path) -> tuple[list[tuple[str, int]], str]:
    token = world.api_as(world.user("NCB-MA", Role.SUPERVISOR)).headers["Authorization"][7:]
    acknowledged: list[tuple[str, int]] = []
    stop = threading.Event()
    log = tmp_path / "serve.log"
    with _server(world, log) as (server, base):
        threads = [
            threading.Thread(
                target=_writer,
                args=(base, token, "record" if i % 2 == 0 else "message", acknowledged, stop),
            )
            for i in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < ACKS_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(server.pid, signal.SIGKILL)  # requests are in flight: writers never stop
        server.wait(timeout=30)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert len(acknowledged) >= ACKS_BEFORE_KILL, log.read_text()[-2000:]
    assert {kind for kind, _ in acknowledged} == {"record", "message"}
    return acknowledged, token


def test_acknowledged_writes_survive_a_kill(world: World, tmp_path: Path) -> None:
    acknowledged, token = _crash_during_writes(world, tmp_path)
    with _server(world, tmp_path / "serve.log") as (_, base):
        assert missing_writes(world, base, token, acknowledged) == []
        # The message's thread is readable too (its sender is a participant).
        first_thread = httpx.get(
            f"{base}/api/v1/threads", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert first_thread.status_code == 200 and first_thread.json()["items"]
    verify = subprocess.run(
        [*CLI, "audit", "verify"], env=_env(world), capture_output=True, text=True, timeout=300
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "chain intact" in verify.stdout


def test_a_lost_write_is_noticed(world: World, tmp_path: Path) -> None:
    token = world.api_as(world.user("NCB-MA", Role.SUPERVISOR)).headers["Authorization"][7:]
    with _server(world, tmp_path / "serve.log") as (_, base):
        lost = missing_writes(world, base, token, [("record", 424242), ("message", 424243)])
    assert lost == [
        "record 424242: 404 after restart",
        "record 424242: no audit entry",
        "message 424243: 404 after restart",
        "message 424243: no audit entry",
    ]
