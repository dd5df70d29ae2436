"""`interlink rights ...`: the commission's casework from the console.

Import-light: the services load inside each command. The console operator acts for the
General Secretariat, which may read the statistics and run the clock; casework commands act
as the oversight commission (`--as-commission`), audited under the system user's name.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from interlink.clikit import DataDirOption, JsonOption, cli_errors, emit, open_db, settings_for

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from interlink.core.auth import Principal

app = typer.Typer(
    help="Requests from the people recorded and the commission's casework.", no_args_is_help=True
)


def _commission(session: Session) -> Principal:
    import getpass

    from interlink.core.auth import OrgKind, Perm, Principal
    from interlink.members.service import OVERSIGHT_CODE, org_by_code

    org = org_by_code(session, OVERSIGHT_CODE)
    return Principal(
        label=f"cli:{getpass.getuser()}",
        org_id=org.id,
        org_kind=OrgKind.OVERSIGHT,
        country=None,
        permissions=frozenset({Perm.RIGHTS_CASEWORK, Perm.RECORDS_READ}),
    )


@app.command("cases")
@cli_errors
def cases(
    status: str | None = typer.Option(None, help="received, admissible, decided ..."),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """List cases with their next deadline."""
    from interlink.rights import service

    with open_db(settings_for(data_dir)) as db, db.session() as session:
        rows = [
            {
                "id": c.id,
                "code": c.code,
                "kind": c.kind,
                "status": c.status,
                "received": c.received_at.date().isoformat(),
                "admissibility_due": c.admissibility_due.date().isoformat(),
                "decision_due": c.decision_due.date().isoformat() if c.decision_due else None,
            }
            for c in service.list_cases(session, _commission(session), status=status, limit=500)
        ]
    emit(
        rows,
        as_json,
        columns=["id", "code", "kind", "status", "received", "admissibility_due", "decision_due"],
    )


@app.command("admissibility")
@cli_errors
def admissibility(
    case_id: int,
    admissible: bool = typer.Option(..., "--yes/--no", help="Admissible or not"),
    reason: str = typer.Option(..., help="The reason the applicant is given"),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Decide whether a request is admissible (starts the decision clock)."""
    from interlink.rights import service
    from interlink.rights.clock import RightsPolicy

    settings = settings_for(data_dir)
    with open_db(settings) as db, db.session() as session:
        case = service.decide_admissibility(
            session,
            _commission(session),
            RightsPolicy.from_settings(settings),
            case_id,
            admissible=admissible,
            reason=reason,
        )
        emit(
            {
                "code": case.code,
                "status": case.status,
                "decision_due": case.decision_due.isoformat() if case.decision_due else None,
            },
            False,
        )


@app.command("extend")
@cli_errors
def extend(
    case_id: int,
    clock: str = typer.Option(..., help="admissibility or decision"),
    months: int = typer.Option(1, min=1, max=6, help="Months to add"),
    reason: str = typer.Option(..., help="The reason the applicant is given"),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Extend a case's deadline, with a reason the applicant sees."""
    from interlink.rights import service

    with open_db(settings_for(data_dir)) as db, db.session() as session:
        case = service.extend(
            session, _commission(session), case_id, clock=clock, months=months, reason=reason
        )
        emit(
            {
                "code": case.code,
                "admissibility_due": case.admissibility_due.isoformat(),
                "decision_due": case.decision_due.isoformat() if case.decision_due else None,
            },
            False,
        )


@app.command("tick")
@cli_errors
def tick(
    now: datetime | None = typer.Option(None, help="Clock (UTC, ISO 8601); default now"),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Run the consultation clocks once: reminders and escalations."""
    from datetime import UTC

    from interlink.rights import service

    moment = now.replace(tzinfo=now.tzinfo or UTC) if now else None
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        report = service.tick(session, moment)
    emit(
        {
            "half_reminders": report.half_reminders,
            "final_reminders": report.final_reminders,
            "escalations": report.escalations,
        },
        as_json,
    )


@app.command("statistics")
@cli_errors
def statistics(
    year: int | None = typer.Option(None, help="Only this year; default every year"),
    from_audit: bool = typer.Option(
        False, "--from-audit", help="Recompute from the audit log instead of the cases"
    ),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """The commission's yearly tables."""
    from interlink.rights import service

    with open_db(settings_for(data_dir)) as db, db.session() as session:
        rows = (service.statistics_from_audit if from_audit else service.statistics)(session, year)
    if as_json or not rows:
        emit(rows, as_json, columns=list(service.STAT_COLUMNS))
        return
    # A measure per line and a year per column: seventeen columns do not fit a terminal.
    measures = [column for column in service.STAT_COLUMNS if column != "year"]
    emit(
        [
            {"measure": measure, **{str(row["year"]): row[measure] for row in rows}}
            for measure in measures
        ],
        False,
        columns=["measure", *(str(row["year"]) for row in rows)],
    )
