"""The provider client's HTTP transport: a `FeedSource` over the feed API, with httpx.

The provider sends only its list version and, after a local match, 4-byte prefixes; never an
address. Server refusals become the same domain errors the rest of Interlink raises, so the
CLI reports them as one line with a meaningful exit code.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from interlink.blocklist.feed import ClientState, CorruptUpdate, FullHashes, Update
from interlink.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from interlink.core.i18n import N_, msg

UPDATE_PATH = "/api/v1/blocklist/feed/update"
FULL_HASHES_PATH = "/api/v1/blocklist/feed/full-hashes"
_ERRORS_BY_STATUS: dict[int, type[DomainError]] = {
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: InvalidInput,
}


class FeedUnavailable(DomainError):
    """The feed could not be reached or answered with a server error."""

    status, title, exit_code = 503, N_("Feed unavailable"), 7


class HttpFeedSource:
    """Fetches updates and full hashes from an Interlink server with a provider token."""

    def __init__(
        self, server: str, token: str, *, client: httpx.Client | None = None, timeout: float = 30.0
    ) -> None:
        self._base = server.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._client = client or httpx.Client(timeout=timeout)

    def fetch_update(self, state: ClientState) -> Update:
        # A damaged update is repaired by a full reload: the client handles CorruptUpdate.
        answer = self._post(UPDATE_PATH, {"version": state.version}, malformed=CorruptUpdate)
        return Update.from_wire(answer)

    def fetch_full_hashes(self, prefixes: Sequence[bytes]) -> FullHashes:
        body = {"prefixes": [base64.b64encode(prefix).decode("ascii") for prefix in prefixes]}
        answer = self._post(FULL_HASHES_PATH, body, malformed=FeedUnavailable)
        try:
            return FullHashes.from_wire(answer)
        except (KeyError, TypeError, ValueError) as error:
            raise FeedUnavailable(
                msg("malformed full-hash answer: %(error)s", error=str(error))
            ) from error

    def close(self) -> None:
        self._client.close()

    def _post(
        self, path: str, body: dict[str, Any], *, malformed: Callable[[str], Exception]
    ) -> Any:
        try:
            response = self._client.post(self._base + path, json=body, headers=self._headers)
        except httpx.HTTPError as error:
            raise FeedUnavailable(
                msg("cannot reach %(server)s: %(error)s", server=self._base, error=str(error))
            ) from error
        if response.status_code >= 400:
            raise _refusal(response)
        try:
            return response.json()
        except ValueError as error:
            raise malformed(f"the feed's answer is not JSON: {error}") from error


def _refusal(response: httpx.Response) -> DomainError:
    try:
        detail = str(response.json().get("detail") or response.reason_phrase)
    except (ValueError, AttributeError):
        detail = response.reason_phrase
    error = _ERRORS_BY_STATUS.get(response.status_code, FeedUnavailable)
    return error(f"the feed refused ({response.status_code}): {detail}")
