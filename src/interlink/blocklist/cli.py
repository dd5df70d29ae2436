"""`interlink blocklist ...`: the provider client (sync, check, stop page) and the General
Secretariat's list administration (versions, diff, publish) on the server.

`check` exits 0 when the address is not blocked, 1 when it is, 2 or more on an error (one
line on stderr).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer

from interlink.blocklist import service
from interlink.blocklist.client import BlocklistClient, PrefixStore
from interlink.blocklist.feed import ClientState, FullHashes, Update
from interlink.blocklist.stop_page import render_stop_page
from interlink.blocklist.transport import FeedUnavailable, HttpFeedSource
from interlink.clikit import (
    DataDirOption,
    JsonOption,
    cli_errors,
    emit,
    open_db,
    operator,
    say,
    settings_for,
)
from interlink.core.errors import InvalidInput, NotFound
from interlink.core.i18n import msg

app = typer.Typer(
    help="Child-abuse domain blocklist: provider client and list administration.",
    no_args_is_help=True,
)

ServerOption = typer.Option(
    None, "--server", help="Interlink server, e.g. https://interlink.example"
)
TokenOption = typer.Option(None, "--token", help="Your organisation's feed token")
StoreOption = typer.Option(..., "--store", help="File holding the local copy of the prefixes")


class OfflineSource:
    """No server given: a local prefix match cannot be confirmed."""

    def fetch_update(self, state: ClientState) -> Update:
        raise FeedUnavailable("syncing needs --server and --token")

    def fetch_full_hashes(self, prefixes: Sequence[bytes]) -> FullHashes:
        raise FeedUnavailable(
            "the address matches a listed prefix; confirming it needs --server and --token"
        )

    def close(self) -> None:
        """Nothing to release."""


def _source(server: str | None, token: str | None) -> HttpFeedSource | OfflineSource:
    if (server is None) != (token is None):
        raise InvalidInput("give both --server and --token, or neither")
    return HttpFeedSource(server, token) if server and token else OfflineSource()


@app.command("sync")
@cli_errors
def sync(
    server: str = typer.Option(..., "--server", help="Interlink server URL"),
    token: str = typer.Option(..., "--token", help="Your organisation's feed token"),
    store: Path = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Bring the local copy up to date (partial update; full reload if it was damaged)."""
    source = HttpFeedSource(server, token)
    try:
        client = BlocklistClient(source, PrefixStore(store))
        result = client.sync()
    finally:
        source.close()
    emit(
        {
            "version": result.version,
            "type": result.kind.value,
            "reloaded": result.reloaded,
            "prefixes": result.prefixes,
            "checksum": client.checksum.hex(),
        },
        as_json,
    )


@app.command("check")
@cli_errors
def check(
    url: str = typer.Argument(..., help="URL or host name to check"),
    store: Path = StoreOption,
    server: str | None = ServerOption,
    token: str | None = TokenOption,
    as_json: bool = JsonOption,
) -> None:
    """Exit 0 if not blocked, 1 if blocked; a local match is confirmed with the server."""
    source = _source(server, token)
    try:
        client = BlocklistClient(source, PrefixStore(store))
        if client.version is None:
            raise NotFound(
                msg(
                    "no valid local copy in %(store)s: run 'interlink blocklist sync' first",
                    store=store,
                )
            )
        result = client.check_url(url)
    finally:
        source.close()
    if as_json:
        emit(
            {"blocked": result.blocked, "domains": list(result.domains), "version": client.version},
            True,
        )
    elif result.blocked:
        say(
            "blocked: %(domains)s (list version %(version)s)",
            domains=", ".join(result.domains),
            version=client.version,
        )
    else:
        say("not blocked (list version %(version)s)", version=client.version)
    raise typer.Exit(result.exit_code)


@app.command("stop-page")
@cli_errors
def stop_page(
    domain: str,
    provider: str = typer.Option(..., help="Your name, as users know it"),
    complaint_url: str = typer.Option(..., help="Where people ask for a review"),
    version: int | None = typer.Option(None, help="List version to mention"),
) -> None:
    """Print the HTML page to show instead of a blocked website (serve it with status 451)."""
    typer.echo(
        render_stop_page(
            domain, provider=provider, complaint_url=complaint_url, list_version=version
        )
    )


# --- administration on the server (the console operator acts for the General Secretariat) ----


@app.command("versions")
@cli_errors
def versions(as_json: bool = JsonOption, data_dir: Path | None = DataDirOption) -> None:
    """List published versions."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        rows = [
            {
                "version": v.number,
                "published_at": v.published_at.isoformat(timespec="seconds"),
                "by": v.published_by_label,
                "domains": v.domain_count,
                "added": v.added,
                "removed": v.removed,
                "checksum": v.checksum,
            }
            for v in service.list_versions(session, operator(session))
        ]
    emit(rows, as_json)


@app.command("diff")
@cli_errors
def diff(
    old: int, new: int, as_json: bool = JsonOption, data_dir: Path | None = DataDirOption
) -> None:
    """Domains added and removed between two versions."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        changes = service.diff_versions(session, operator(session), old, new)
    emit(
        {"old": old, "new": new, "added": list(changes.added), "removed": list(changes.removed)},
        as_json,
    )


@app.command("publish")
@cli_errors
def publish(as_json: bool = JsonOption, data_dir: Path | None = DataDirOption) -> None:
    """Publish the next version: every confirmed or listed domain."""
    settings = settings_for(data_dir)
    with open_db(settings) as db, db.session() as session:
        version = service.publish(
            session, operator(session), service.BlocklistRules.from_settings(settings)
        )
        row = {
            "version": version.number,
            "domains": version.domain_count,
            "added": version.added,
            "removed": version.removed,
            "checksum": version.checksum,
        }
    emit(row, as_json)
