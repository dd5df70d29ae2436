"""`interlink links ...`: full runs, runs so far, links, decisions, explanations.

Import-light: the services (and the matcher behind them) load when a command runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from interlink.clikit import (
    DataDirOption,
    JsonOption,
    cli_errors,
    emit,
    open_db,
    operator,
    progress_bar,
    say,
    settings_for,
)

if TYPE_CHECKING:
    from interlink.linking.models import LinkRun  # imported on use: the CLI starts fast

app = typer.Typer(
    help="Cross-bureau linking: the same person in several bureaus' records.", no_args_is_help=True
)


def _run_row(run: LinkRun) -> dict[str, Any]:
    from interlink.linking.api import run_dict

    return run_dict(run)


@app.command("run")
@cli_errors
def run(
    workers: int = typer.Option(1, min=1, max=64, help="Scoring processes"),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Link every person record against every other, showing progress; the run is recorded
    (state, counts, start and end) whether it completes or fails."""
    from interlink.linking import service

    with open_db(settings_for(data_dir)) as db:
        with db.session() as session:
            run_id = service.start_run(session, operator(session)).id
        with progress_bar() as bar:
            tasks: dict[str, object] = {}

            def progress(stage: str, done: int, total: int) -> None:
                task = tasks.get(stage)
                if task is None:
                    task = tasks[stage] = bar.add_task(stage, total=total)
                bar.update(task, completed=done)  # type: ignore[arg-type]

            service.full_run(db, run_id, workers=workers, progress=progress)
        with db.session() as session:
            emit(_run_row(service.get_run(session, operator(session), run_id)), as_json)


@app.command("runs")
@cli_errors
def runs(as_json: bool = JsonOption, data_dir: Path | None = DataDirOption) -> None:
    """Full runs, latest first: state, counts, when they started and finished."""
    from interlink.linking import service

    with open_db(settings_for(data_dir)) as db, db.session() as session:
        rows = [_run_row(r) for r in service.runs(session, operator(session))]
    emit(
        rows,
        as_json,
        columns=[
            "id",
            "state",
            "started_at",
            "finished_at",
            "records",
            "candidate_pairs",
            "scored_pairs",
            "links_found",
            "error",
        ],
    )


@app.command("list")
@cli_errors
def list_links(
    status: str | None = typer.Option(None, help="suggested, confirmed, rejected or unsure"),
    record: int | None = typer.Option(None, min=1, help="Only this record's links"),
    limit: int = typer.Option(100, min=1, max=500, help="At most this many links"),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Links, best first."""
    from interlink.core.errors import InvalidInput
    from interlink.core.i18n import msg
    from interlink.linking import service
    from interlink.linking.models import LinkStatus

    try:
        wanted = LinkStatus(status) if status else None
    except ValueError as exc:
        raise InvalidInput(msg("unknown status %(status)s", status=repr(status))) from exc
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        rows = [
            {
                "id": v.link.id,
                "left": v.left.id,
                "left_label": v.left.label,
                "right": v.right.id,
                "right_label": v.right.label,
                "probability": round(v.link.probability, 4),
                "match_weight": round(v.link.match_weight, 2),
                "status": v.link.status,
            }
            for v in service.list_links(
                session, operator(session), record_id=record, status=wanted, limit=limit
            )
        ]
    emit(rows, as_json)


@app.command("explain")
@cli_errors
def explain(
    a: int, b: int, as_json: bool = JsonOption, data_dir: Path | None = DataDirOption
) -> None:
    """Score two person records and list the contributions that add up to the score."""
    from interlink.linking import service
    from interlink.linking.model import shown_explanation

    with open_db(settings_for(data_dir)) as db, db.session() as session:
        explanation = service.explain_pair(session, operator(session), a, b)
    shown = shown_explanation(explanation.as_dict())  # the details in the operator's language
    if as_json:
        emit(shown, True)
        return
    emit(
        shown["contributions"],
        False,
        columns=["feature", "level", "weight", "detail"],
    )
    say(
        "match weight %(weight).3f, probability %(probability).4f",
        weight=explanation.match_weight,
        probability=explanation.probability,
    )


@app.command("decide")
@cli_errors
def decide(
    link_id: int,
    decision: str = typer.Option(..., help="confirmed, rejected or unsure"),
    reason: str | None = typer.Option(None, help="Why, as the audit log will keep it"),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Record an analyst's decision on a link (as the console operator)."""
    from interlink.core.errors import InvalidInput
    from interlink.core.i18n import msg
    from interlink.linking import service
    from interlink.linking.models import LinkStatus

    try:
        chosen = LinkStatus(decision)
    except ValueError as exc:
        raise InvalidInput(msg("unknown decision %(decision)s", decision=repr(decision))) from exc
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        service.decide(session, operator(session), link_id, chosen, reason)
    say("link %(link)s: %(decision)s", link=link_id, decision=decision)
