"""The demo world's blocklist: reserved names only, every state, two versions, NetSafe's
feed token that really syncs."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from interlink.app import create_app
from interlink.blocklist.client import BlocklistClient
from interlink.blocklist.demo import TOKEN_FILE
from interlink.blocklist.models import BlocklistDomain, FeedRequest, ListVersion
from interlink.blocklist.transport import HttpFeedSource
from interlink.config import Settings
from interlink.core.db import Database
from interlink.demo import build_demo_world

RESERVED = re.compile(r".*\.(example|test|invalid)")


def test_demo_blocklist(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    build_demo_world(data, persons=0, seed=3)
    db = Database(f"sqlite:///{data / 'interlink.db'}")
    with db.session() as session:
        domains = list(session.scalars(select(BlocklistDomain)))
        versions = list(session.scalars(select(ListVersion)))
        kinds = [r.kind for r in session.scalars(select(FeedRequest))]
    db.dispose()
    assert all(RESERVED.fullmatch(d.domain) for d in domains)
    assert set(Counter(d.state for d in domains)) == {
        "submitted",
        "confirmed",
        "listed",
        "delisted",
        "rejected",
    }
    assert [v.number for v in versions] == [1, 2]
    assert kinds == ["update", "update", "full_hash"]
    app = create_app(Settings(data_dir=data, background_workers=False, secure_cookies=False))
    token = (data / TOKEN_FILE).read_text().strip()
    with TestClient(app) as http:
        client = BlocklistClient(HttpFeedSource("http://testserver", token, client=http))
        assert client.sync().version == 2
        assert client.check_url("https://abuse-gallery.example/").blocked
