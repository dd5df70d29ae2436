"""Per-request access to the blocklist's rules and this process's feed cache."""

from __future__ import annotations

from fastapi import Request

from interlink.blocklist.service import BlocklistRules
from interlink.blocklist.versions import FeedCache
from interlink.deps import app_state


def rules(request: Request) -> BlocklistRules:
    return BlocklistRules.from_settings(app_state(request).settings)


def feed_cache(request: Request) -> FeedCache:
    return app_state(request).services.feed_cache
