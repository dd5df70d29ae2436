"""`interlink screen ...` and `interlink mrz parse`."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import typer

from interlink.clikit import (
    DataDirOption,
    JsonOption,
    acting_for,
    cli_errors,
    console,
    emit,
    fail,
    open_db,
    progress_bar,
    settings_for,
    tr,
)
from interlink.screening.mrz import MrzError, parse_mrz

screen_app = typer.Typer(help="Screen people and documents in bulk.", no_args_is_help=True)
mrz_app = typer.Typer(help="ICAO 9303 machine-readable zones.", no_args_is_help=True)


@screen_app.command("batch")
@cli_errors
def batch(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="CSV: id,name,birth_date,nationality,sex,document_number,document_country",
    ),
    member: str = typer.Option(..., "--as", help="Screen as this member's bureau, e.g. MA"),
    out: Path = typer.Option(..., help="Where to write the answers"),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv"),
    limit: int = typer.Option(5, min=1, max=50, help="Hits kept per row"),
    threshold: float = typer.Option(
        0.7, min=0.0, max=1.0, help="Hits at or above this score count as matches"
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Screen a manifest against every record the bureau may see; one answer per row."""
    if fmt not in ("jsonl", "csv"):
        raise fail("--format is jsonl or csv", 2)
    # Here rather than at the top: `interlink mrz parse` needs none of them.
    from interlink.core.audit import AuditWriter
    from interlink.screening.batch import BatchScreening, read_manifest
    from interlink.state import AppState

    settings = settings_for(data_dir)
    with open_db(settings) as db:
        state = AppState(settings=settings, db=db, audit_writer=AuditWriter(db)).with_services()
        screener = state.services.screener
        with console.status(tr("building the screening indexes...")):
            screener.engine.build()
        with db.session() as session:
            principal = acting_for(session, member)
        rows = list(read_manifest(file.open(encoding="utf-8", newline="")))
        runner = BatchScreening(state, screener, principal, limit, threshold)
        hits = errors = 0
        with out.open("w", encoding="utf-8", newline="") as handle, progress_bar() as progress:
            task = progress.add_task(tr("screening"), total=len(rows))
            writer = csv.writer(handle) if fmt == "csv" else None
            if writer:
                writer.writerow(
                    [
                        "id",
                        "line",
                        "hits",
                        "top_record_id",
                        "top_external_id",
                        "top_score",
                        "top_decision",
                        "top_label",
                        "top_reference",
                        "top_action",
                        "error",
                        "details",
                    ]
                )
            for row in rows:
                answer = runner.screen(row)
                hits += bool(answer["hits"])
                errors += "error" in answer
                if writer:
                    top = answer["hits"][0] if answer["hits"] else {}
                    request = _first_actionable(top.get("requests", []))
                    writer.writerow(
                        [
                            answer["id"],
                            answer["line"],
                            len(answer["hits"]),
                            top.get("record_id", ""),
                            top.get("external_id", ""),
                            top.get("score", ""),
                            top.get("decision", ""),
                            top.get("label", ""),
                            request.get("reference", ""),
                            request.get("action", top.get("action", "")),
                            answer.get("error", ""),
                            json.dumps(answer["hits"], ensure_ascii=False, default=str),
                        ]
                    )
                else:
                    handle.write(json.dumps(answer, ensure_ascii=False, default=str) + "\n")
                progress.advance(task)
        runner.flush()
    emit({"rows": len(rows), "with_hits": hits, "errors": errors, "out": str(out)}, False)


def _first_actionable(requests: list[dict[str, Any]]) -> dict[str, Any]:
    """The request whose action the officer takes first: the first one in force for them
    (the answer lists them in the order the service ranks them)."""
    return next((r for r in requests if r.get("actionable")), requests[0] if requests else {})


@mrz_app.command("parse")
@cli_errors
def mrz_parse(
    lines: list[str] | None = typer.Argument(
        None,
        help="The zone: its lines as separate arguments, or one argument with the lines "
        "separated by newlines or |; read from standard input when absent",
    ),
    file: Path | None = typer.Option(
        None, "--file", exists=True, dir_okay=False, help="Read the zone from this file"
    ),
    as_json: bool = JsonOption,
) -> None:
    """Parse a zone: every field, every check digit, OCR corrections named."""
    if file:
        raw = file.read_text(encoding="utf-8")
    else:
        raw = "\n".join(lines) if lines else sys.stdin.read()
    try:
        result = parse_mrz(raw.replace("|", "\n"))
    except MrzError as exc:
        raise fail(exc.template, 2, **exc.params) from None
    body = result.to_dict()
    if as_json:
        emit(body, True)
    else:
        fields = {
            k: v for k, v in body.items() if k not in ("check_digits", "corrections", "lines")
        }
        emit([{"field": k, "value": v} for k, v in fields.items()], False)
        emit(
            [
                {
                    "check digit": c["name"],
                    "expected": c["expected"],
                    "found": c["found"],
                    "valid": c["valid"],
                }
                for c in body["check_digits"]
            ],
            False,
        )
        if body["corrections"]:
            emit(body["corrections"], False, title="OCR corrections")
    if not result.valid:
        raise typer.Exit(1)
