"""`interlink messaging`: key rotation, public keys, overdue follow-ups, delivery pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interlink.cli import app
from interlink.core.auth import Role
from interlink.messaging import service
from interlink.messaging.context import context_for
from interlink.messaging.posting import Draft
from tests.support import World

runner = CliRunner()


@pytest.fixture
def env(world: World, tmp_path: Path) -> dict[str, str]:
    return {"INTERLINK_DATABASE_URL": world.db.url, "INTERLINK_DATA_DIR": str(tmp_path)}


def test_rotating_a_key_keeps_old_messages_verifiable(world: World, env: dict[str, str]) -> None:
    ctx = context_for(world.settings)
    ma = world.principal(world.user("NCB-MA", Role.OFFICER))
    fr = world.principal(world.user("NCB-FR", Role.OFFICER))
    with world.db.session() as session:
        sent = service.start_thread(session, ctx, ma, [fr.org_id], Draft(body="b", subject="s"))
    rotated = runner.invoke(app, ["messaging", "rotate-key", "--org", "NCB-MA", "--json"], env=env)
    assert rotated.exit_code == 0, rotated.output
    keys = json.loads(
        runner.invoke(app, ["messaging", "keys", "--org", "NCB-MA", "--json"], env=env).stdout
    )
    assert [k["valid_until"] is None for k in keys] == [False, True]
    assert keys[1]["key_id"] == json.loads(rotated.stdout)["key_id"]
    with world.db.session() as session:
        [message] = service.read_thread(session, ctx, fr, sent.thread_id).messages
    assert message.verification.valid


def test_errors_are_one_line_and_non_zero(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["messaging", "rotate-key", "--org", "NOPE"], env=env)
    assert result.exit_code == 4 and "no organisation" in result.output


def test_overdue_and_delivery_pass_run_on_an_empty_world(env: dict[str, str]) -> None:
    assert json.loads(runner.invoke(app, ["messaging", "overdue", "--json"], env=env).stdout) == []
    delivered = runner.invoke(app, ["messaging", "deliver-webhooks"], env=env)
    assert delivered.exit_code == 0 and "0 deliveries" in delivered.output
    assert runner.invoke(app, ["messaging", "rotate-data-key"], env=env).exit_code == 0
