"""The HTTP FeedSource: what it sends, how it reports refusals, and damaged answers."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import httpx
import pytest

from interlink.blocklist.client import BlocklistClient
from interlink.blocklist.feed import ClientState, CorruptUpdate, Feed, UpdateKind
from interlink.blocklist.transport import FeedUnavailable, HttpFeedSource
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated

Handler = Callable[[httpx.Request], httpx.Response]


def source(handler: Handler) -> HttpFeedSource:
    return HttpFeedSource(
        "https://interlink.example/",
        "il_token",
        client=httpx.Client(transport=httpx.MockTransport(handler)),
    )


def test_sends_only_its_version_and_prefixes_with_the_token() -> None:
    feed = Feed()
    feed.publish(["listed.example", "other.example"])
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = json.loads(request.content)
        if request.url.path.endswith("/update"):
            return httpx.Response(
                200, json=feed.fetch_update(ClientState(body["version"])).to_wire()
            )
        prefixes = [base64.b64decode(p) for p in body["prefixes"]]
        return httpx.Response(200, json=feed.fetch_full_hashes(prefixes).to_wire())

    client = BlocklistClient(source(handler))
    client.sync()
    assert client.check_url("https://www.listed.example/private/page?q=secret").blocked
    assert [r.url.path for r in seen] == [
        "/api/v1/blocklist/feed/update",
        "/api/v1/blocklist/feed/full-hashes",
    ]
    assert all(r.headers["authorization"] == "Bearer il_token" for r in seen)
    sent = b"".join(r.content for r in seen)
    assert b"listed" not in sent and b"secret" not in sent and b"private" not in sent
    assert json.loads(seen[0].content) == {"version": None}
    assert len(json.loads(seen[1].content)["prefixes"]) == 1


def test_a_damaged_answer_is_replaced_by_a_full_reload() -> None:
    feed = Feed()
    feed.publish([f"site{n}.example" for n in range(30)])
    answers = iter([httpx.Response(200, content=b"<html>proxy error</html>"), None])

    def handler(request: httpx.Request) -> httpx.Response:
        damaged = next(answers)
        version = json.loads(request.content)["version"]
        return damaged or httpx.Response(
            200, json=feed.fetch_update(ClientState(version)).to_wire()
        )

    result = BlocklistClient(source(handler)).sync()
    assert (result.kind, result.reloaded, result.prefixes) == (UpdateKind.FULL, True, 30)


@pytest.mark.parametrize(
    "status,error",
    [
        (401, Unauthenticated),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (422, InvalidInput),
        (500, FeedUnavailable),
        (502, FeedUnavailable),
    ],
)
def test_refusals_become_domain_errors(status: int, error: type[Exception]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"detail": "because"})

    with pytest.raises(error, match=f"refused \\({status}\\): because"):
        source(handler).fetch_update(ClientState())


def test_an_unreachable_server_is_feed_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with pytest.raises(FeedUnavailable, match="cannot reach"):
        source(handler).fetch_update(ClientState())


@pytest.mark.parametrize("answer", [b"not json", b'{"full_hashes": "nope"}', b"[1, 2]"])
def test_malformed_answers(answer: bytes) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=answer)

    with pytest.raises(CorruptUpdate):  # the client reloads in full
        source(handler).fetch_update(ClientState(3))
    with pytest.raises(FeedUnavailable, match=r"malformed|not JSON"):
        source(handler).fetch_full_hashes([b"abcd"])
