"""The demo world: fresh folder, every member, demo users who can log in; synthetic only."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interlink.app import create_app
from interlink.config import Settings
from interlink.demo import DEMO_USERS, build_demo_world, synthetic_people


def test_demo_world_logs_in(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    logins = build_demo_world(data, persons=20, seed=7)
    assert {login.username for login in logins} == {u.username for u in DEMO_USERS}
    assert any(login.totp_secret for login in logins)
    app = create_app(Settings(data_dir=data, background_workers=False, secure_cookies=False))
    with TestClient(app) as client:
        page = client.get("/login")
        import re

        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        officer = next(login for login in logins if login.username == "rabat.officer")
        client.post(
            "/login",
            data={"username": officer.username, "password": officer.password, "csrf_token": csrf},
        )
        assert client.get("/api/v1/me").json()["country"] == "MA"
        assert len(client.get("/api/v1/members").json()) == 196


def test_demo_refuses_a_folder_that_is_not_its_own(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not a demo folder"):
        build_demo_world(tmp_path, persons=0)
    assert (tmp_path / "precious.txt").exists()


def test_synthetic_people_cover_several_scripts() -> None:
    people = list(synthetic_people(300, seed=1))
    scripts = {p.script for p in people}
    assert {"Latin", "Arabic", "Cyrillic", "Han", "Hangul", "Hebrew"} <= scripts
    assert people == list(synthetic_people(300, seed=1))  # reproducible
