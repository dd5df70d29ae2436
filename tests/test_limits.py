"""Server limits: request body size per route, X-Forwarded-For from trusted proxies only,
and the worker supervisor of `interlink serve --workers N`."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from sqlalchemy import select

from interlink.config import Settings
from interlink.core.audit import AuditEntry
from interlink.core.auth import Perm
from interlink.serving import server_config
from tests.support import World


def _chunks(total: int, size: int = 8192) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


def test_an_ordinary_write_over_the_limit_is_refused_before_parsing(world: World) -> None:
    client = world.api(world.token("NCB-MA", Perm.SCREEN_PERSON))
    big = json.dumps({"name": "x" * (world.settings.max_body_bytes + 10)})
    declared = client.post(
        "/api/v1/screen/person", content=big, headers={"content-type": "application/json"}
    )
    assert declared.status_code == 413, declared.text
    assert declared.headers["content-type"] == "application/problem+json"
    assert declared.json()["title"] == "Content too large"
    # Sent in chunks without a Content-Length: counted as it streams in.
    chunked = client.post(
        "/api/v1/screen/person",
        content=_chunks(200_000),
        headers={"content-type": "application/json"},
    )
    assert chunked.status_code == 413, chunked.text
    assert chunked.headers["content-type"] == "application/problem+json"
    # Within the limit the same route answers as usual.
    assert client.post("/api/v1/screen/person", json={"name": "x"}).status_code != 413


def test_a_page_form_over_the_limit_gets_the_html_error_page(world: World) -> None:
    client = world.client()
    response = client.post(
        "/login", data={"username": "a", "password": "p" * 100_000}, headers={"accept": "text/html"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")


def test_batch_and_attachment_routes_take_their_configured_limits(world: World) -> None:
    world.settings = world.settings.model_copy(update={"max_attachment_body_bytes": 300_000})
    client = world.api(world.token("NCB-MA", Perm.SCREEN_PERSON, Perm.MESSAGES))
    items = [
        {"id": str(i), "person": {"name": f"Person number {i} " + "y" * 60}} for i in range(1000)
    ]
    batch = client.post("/api/v1/screen/batch", json={"items": items})
    assert len(json.dumps({"items": items})) > world.settings.max_body_bytes
    assert batch.status_code != 413, batch.text
    small = {
        "recipients": ["FR"],
        "subject": "s",
        "body": "b" * 100_000,
        "handling": "H1",
        "reliability": "B",
        "accuracy": "2",
    }
    assert client.post("/api/v1/threads", json=small).status_code != 413
    small["body"] = "b" * 400_000
    assert client.post("/api/v1/threads", json=small).status_code == 413


def _login_addresses(world: World, forwarded: str) -> str | None:
    """The client address the audit log records for a failed login sent through a proxy."""
    client = world.client()
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    client.post(
        "/login",
        data={"username": "nobody", "password": "x", "csrf_token": csrf},
        headers={"x-forwarded-for": forwarded},
    )
    with world.db.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "login").order_by(AuditEntry.id.desc())
        ).all()
    return entries[0].client_addr


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(world: World) -> None:
    assert _login_addresses(world, "203.0.113.7") == "testclient"


def test_the_client_is_the_right_most_untrusted_address(world: World) -> None:
    # The test client's peer is called "testclient"; 10.0.0.0/8 are the inner proxies.
    world.settings = world.settings.model_copy(
        update={"trusted_proxies": ["testclient", "10.0.0.0/8"]}
    )
    # A client may put anything on the left; only what the proxies appended counts.
    forged = "198.51.100.1, 203.0.113.7, 10.1.2.3"
    assert _login_addresses(world, forged) == "203.0.113.7"
    assert _login_addresses(world, "203.0.113.9") == "203.0.113.9"


def test_the_supervisor_waits_as_configured_and_leaves_forwarding_to_the_app() -> None:
    config = server_config(
        Settings(worker_healthcheck_seconds=300), host="127.0.0.1", port=0, workers=2
    )
    assert config.timeout_worker_healthcheck == 300
    assert config.proxy_headers is False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    ).stdout
    return [int(p) for p in out.split()]


def _workers(pid: int) -> list[int]:
    """The server's worker processes (not multiprocessing's resource tracker)."""
    workers = []
    for child in _children(pid):
        try:
            if "resource_tracker" not in Path(f"/proc/{child}/cmdline").read_text():
                workers.append(child)
        except OSError:  # gone between the listing and the read
            continue
    return workers


def test_serve_with_workers_replaces_a_killed_worker_and_says_why(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "INTERLINK_DATA_DIR": str(tmp_path),
        "INTERLINK_LOG_JSON": "false",
        "INTERLINK_BACKGROUND_WORKERS": "false",
    }
    cli = [sys.executable, "-m", "interlink.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [*cli, "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # Up, and both workers started: on a loaded machine the first one can answer
        # /healthz while the second is still importing.
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while time.monotonic() < deadline:
            workers = _workers(server.pid)
            try:
                healthy = (
                    httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
                )
            except httpx.HTTPError:
                healthy = False
            if healthy and len(workers) >= 2:
                break
            time.sleep(0.5)
        assert len(workers) >= 2, workers
        victim = workers[-1]
        os.kill(victim, signal.SIGKILL)
        # The supervisor pings the live worker first (up to its health-check timeout) on a
        # loaded machine, so allow for that before it notices the dead one.
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            text = (tmp_path / "serve.log").read_text()
            if f"worker {victim} was killed by SIGKILL" in text:
                break
            time.sleep(0.5)
        assert re.search(rf"worker {victim} was killed by SIGKILL; started worker \d+", text), text
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
