"""The `interlink` command: thin wrappers that parse, call services and print.

`interlink --help` and light commands such as `interlink mrz parse` must start in a fraction
of a second, so the command groups are not imported here: `LazyGroup` lists them from
`COMMAND_GROUPS` and imports a group's module only when one of its commands runs. Heavy
libraries (SQLAlchemy, FtM, numpy, FastAPI) are imported inside the commands that use them.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    # typer ships its own click; its base classes are what TyperGroup's methods declare.
    from typer._click.core import Command, Context

from interlink.clikit import (
    DataDirOption,
    cli_errors,
    console,
    emit,
    environment_language,
    say,
    settings_for,
    tr,
    translate_help,
)


class CommandGroup(NamedTuple):
    """A command group known by its module, attribute and one-line help; imported on use."""

    module: str
    attribute: str
    help: str

    def load(self, name: str) -> TyperGroup:
        sub_app = getattr(importlib.import_module(self.module), self.attribute)
        command = typer.main.get_group(sub_app)
        command.name = name
        translate_help(command)
        return command


# The help repeats each group's own (tests/test_cli.py checks that they agree).
COMMAND_GROUPS = {
    "db": CommandGroup("interlink.admin_cli", "db_app", "Database schema."),
    "users": CommandGroup("interlink.admin_cli", "users_app", "User administration."),
    "tokens": CommandGroup("interlink.admin_cli", "tokens_app", "API tokens for machine clients."),
    "audit": CommandGroup("interlink.admin_cli", "audit_app", "The tamper-evident audit log."),
    "members": CommandGroup(
        "interlink.admin_cli", "members_app", "Member countries and organisations."
    ),
    "records": CommandGroup(
        "interlink.records.cli", "app", "Records: persons, travel documents, vehicles."
    ),
    "screen": CommandGroup(
        "interlink.screening.cli", "screen_app", "Screen people and documents in bulk."
    ),
    "mrz": CommandGroup("interlink.screening.cli", "mrz_app", "ICAO 9303 machine-readable zones."),
    "blocklist": CommandGroup(
        "interlink.blocklist.cli",
        "app",
        "Child-abuse domain blocklist: provider client and list administration.",
    ),
    "assembly": CommandGroup(
        "interlink.assembly.cli",
        "app",
        "General Assembly: sessions, delegations, ballots, meetings, agreements.",
    ),
    "messaging": CommandGroup(
        "interlink.messaging.cli",
        "app",
        "Secure messaging: signing keys, data keys, follow-ups, webhooks.",
    ),
    "rights": CommandGroup(
        "interlink.rights.cli",
        "app",
        "Requests from the people recorded and the commission's casework.",
    ),
    "links": CommandGroup(
        "interlink.linking.cli",
        "app",
        "Cross-bureau linking: the same person in several bureaus' records.",
    ),
}


class LazyGroup(TyperGroup):
    """The root group: its own commands, then `COMMAND_GROUPS`, loaded when resolved."""

    listing_only = False

    def list_commands(self, ctx: Context) -> list[str]:
        return [*super().list_commands(ctx), *COMMAND_GROUPS]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name in self.commands or cmd_name not in COMMAND_GROUPS:
            return super().get_command(ctx, cmd_name)
        group = COMMAND_GROUPS[cmd_name]
        if self.listing_only:  # the root's help lists names and help without importing
            return TyperGroup(name=cmd_name, help=tr(group.help))
        self.commands[cmd_name] = group.load(cmd_name)
        return self.commands[cmd_name]

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with environment_language():
            translate_help(self)
            return super().main(*args, **kwargs)

    def format_help(self, ctx: Context, formatter: Any) -> None:
        self.listing_only = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing_only = False


app = typer.Typer(
    cls=LazyGroup,
    help="Interlink: multilateral police cooperation platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command()
@cli_errors
def serve(
    data_dir: Path | None = DataDirOption,
    host: str | None = typer.Option(None, help="Address to listen on"),
    port: int | None = typer.Option(None, help="Port to listen on"),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes"),
) -> None:
    """Run the web server (API, pages and background work)."""
    import os

    from interlink import serving
    from interlink.observability import configure_logging

    settings = settings_for(data_dir)
    if data_dir:
        os.environ["INTERLINK_DATA_DIR"] = str(data_dir)
    configure_logging(settings.log_level, settings.log_json)
    serving.run(settings, host=host or settings.host, port=port or settings.port, workers=workers)


@app.command()
@cli_errors
def demo(
    data_dir: Path = typer.Option(Path("demo-data"), "--data-dir", help="Demo data folder"),
    port: int = typer.Option(8000, help="Port to serve the demo on"),
    persons: int = typer.Option(2000, min=0, max=1_000_000, help="Synthetic persons to create"),
    serve_too: bool = typer.Option(True, "--serve/--no-serve", help="Start the server after"),
    seed: int = typer.Option(2026, help="Random seed for the synthetic world"),
) -> None:
    """Create a fresh demo world in a new data folder, print the logins, and serve it."""
    import os

    from interlink.demo import build_demo_world

    logins = build_demo_world(data_dir, persons=persons, seed=seed)
    base = f"http://127.0.0.1:{port}"
    console.print()
    if serve_too:
        say("Demo world ready in %(folder)s/ — open %(address)s", folder=data_dir, address=base)
    else:
        say(
            "Demo world ready in %(folder)s/ — serve it: interlink serve --data-dir %(folder)s",
            folder=data_dir,
        )
    console.print()
    emit(
        [login.as_row() for login in logins],
        False,
        columns=["username", "password", "role", "organisation", "totp_secret"],
        title="Demo logins (synthetic; second-factor users: add the secret to an authenticator)",
    )
    if serve_too:
        os.environ["INTERLINK_DATA_DIR"] = str(data_dir)
        os.environ.setdefault("INTERLINK_SECURE_COOKIES", "false")  # plain HTTP on localhost
        import uvicorn

        uvicorn.run(
            "interlink.app:app_from_env", factory=True, host="127.0.0.1", port=port, log_config=None
        )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
