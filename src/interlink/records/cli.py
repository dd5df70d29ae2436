"""`interlink records ...`: import, export, list, retention sweep."""

from __future__ import annotations

import gc
import itertools
from pathlib import Path

import typer
from rich.progress import Progress

from interlink.clikit import (
    DataDirOption,
    JsonOption,
    acting_for,
    cli_errors,
    emit,
    err_console,
    fail,
    open_db,
    progress_bar,
    say,
    settings_for,
    tr,
)
from interlink.core.access import HandlingCode, VisibilityMode
from interlink.core.i18n import msg
from interlink.records import importer
from interlink.records import service as records
from interlink.records.interchange import ImportLineError, describe_validation_error
from interlink.records.models import RecordKind
from interlink.records.restrictions import Restrictions

app = typer.Typer(help="Records: persons, travel documents, vehicles.", no_args_is_help=True)


def _read_lines(path: Path, progress: Progress) -> list[str]:
    total = path.stat().st_size
    task = progress.add_task(tr("reading"), total=total)
    lines = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line in handle:
            lines.append(line)
            progress.advance(task, len(line.encode()))
    return lines


def _nothing_imported(file: Path, error: ImportLineError) -> typer.Exit:
    return fail(
        "%(file)s: line %(line)s: %(problem)s (nothing was imported)",
        2,
        file=file,
        line=error.line_number,
        problem=tr(error.message),
    )


@app.command("import")
@cli_errors
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The file to import"),
    fmt: importer.ImportFormat = typer.Option(
        importer.ImportFormat.FTM, "--format", help="The file's format"
    ),
    owner: str = typer.Option(..., help="Member code of the owning bureau, e.g. MA"),
    visibility: VisibilityMode = typer.Option(
        VisibilityMode.ALL, help="Which members may see the records"
    ),
    countries: list[str] = typer.Option([], "--country", help="For --visibility only/except"),
    handling: HandlingCode = typer.Option(HandlingCode.H0, help="Handling code of the records"),
    skip_invalid: bool = typer.Option(
        False,
        "--skip-invalid",
        help="Import the usable entities and report each unusable line (with its number) "
        "instead of importing nothing",
    ),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Import a file in one transaction: all its records, or none (the first bad line is
    named); with --skip-invalid, every usable record and a report of the lines skipped."""
    restrictions = Restrictions(visibility=visibility, countries=countries, handling=handling)
    skipped: list[ImportLineError] | None = [] if skip_invalid else None
    gc.freeze()  # a large import allocates many long-lived objects: skip rescanning them
    with open_db(settings_for(data_dir)) as db, progress_bar() as progress:
        try:
            with db.session() as session:
                principal = acting_for(session, owner)
                entities = importer.parse(
                    fmt, _read_lines(file, progress), principal.country, skipped
                )
                task = progress.add_task(tr("storing"), total=len(entities))
                stored = importer.import_entities(
                    session,
                    principal,
                    entities,
                    restrictions,
                    progress=lambda n: progress.advance(task, n),
                )
        except ImportLineError as exc:
            raise _nothing_imported(file, exc) from None
    summary: dict[str, object] = {"imported": stored, "file": str(file), "owner": owner.upper()}
    if skipped is not None:
        for error in skipped:
            err_console.print(
                tr(
                    "%(file)s: line %(line)s: %(problem)s (skipped)",
                    file=file,
                    line=error.line_number,
                    problem=tr(error.message),
                ),
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        summary["skipped"] = len(skipped)
        if as_json:
            summary["skipped_lines"] = [
                {"line": e.line_number, "error": e.message} for e in skipped
            ]
    emit(summary, as_json)


@app.command("export")
@cli_errors
def export_file(
    owner: str = typer.Option(..., help="Member code of the bureau whose records to export"),
    out: Path = typer.Option(..., help="Where to write the file"),
    fmt: importer.ImportFormat = typer.Option(
        importer.ImportFormat.FTM,
        "--format",
        help="ftm (every kind), csv-documents or csv-vehicles: what `records import` reads",
    ),
    kind: RecordKind | None = typer.Option(None, help="Only records of this kind"),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Export a bureau's own active records in an import format (FtM JSON lines or CSV)."""
    count = 0
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        lines = importer.export_lines(session, acting_for(session, owner), fmt, kind)
        first = next(lines, None)  # a refused --kind fails before the file is created
        with out.open("w", encoding="utf-8", newline="") as handle:
            for line in itertools.chain([first] if first is not None else [], lines):
                handle.write(line + "\n")
                count += 1
    if fmt is importer.ImportFormat.FTM:
        say("%(count)s entities written to %(file)s", count=count, file=out)
    else:
        say("%(count)s lines (with the header) written to %(file)s", count=count, file=out)


@app.command("list")
@cli_errors
def list_records(
    member: str = typer.Option(..., "--as", help="List what this member's bureau may see"),
    kind: RecordKind | None = typer.Option(None, help="Only records of this kind"),
    q: str | None = typer.Option(None, help="Text in the name, number or external id"),
    limit: int = typer.Option(50, min=1, max=500, help="At most this many records"),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """List records visible to a member's bureau (audited as that bureau)."""
    from interlink.members.service import org_codes

    with open_db(settings_for(data_dir)) as db, db.session() as session:
        found = records.list_records(
            session, acting_for(session, member), kind=kind, text=q, limit=limit
        )
        owners = org_codes(session, {r.owner_org_id for r in found})
        rows = [
            {
                "id": r.id,
                "kind": r.kind,
                "label": r.label,
                "owner": owners[r.owner_org_id],
                "external_id": r.external_id,
                "version": r.version,
            }
            for r in found
        ]
    emit(rows, as_json)


@app.command("sweep")
@cli_errors
def sweep(data_dir: Path | None = DataDirOption) -> None:
    """Tell owners of records due for review; expire records past retention (the server
    also does this every hour)."""
    from interlink.records import notices

    with open_db(settings_for(data_dir)) as db, db.session() as session:
        result = records.retention_sweep(session)
        result["notices_expired"] = notices.expire_notices(session)
    emit(result, False)


@app.command("import-requests")
@cli_errors
def import_requests(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help='JSON lines: {"data": {...notice...}, "subject_record_id"'
        ' or "subject_external_id" (optional), "restrictions"'
        " (optional)}",
    ),
    owner: str = typer.Option(..., "--as", help="Member code of the requesting bureau"),
    submit: bool = typer.Option(
        False,
        help='Submit notices for review and send diffusions (with "recipients") after saving them',
    ),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Import notice requests and diffusions in one transaction, all or none. Each names its
    subject once: inline in data.subject (the record is created), or one of the bureau's
    records by id or external id."""
    import json

    from pydantic import ValidationError
    from sqlalchemy import select

    from interlink.core.errors import DomainError, InvalidInput, NotFound
    from interlink.records import notices
    from interlink.records.models import Record

    created: list[str] = []
    with open_db(settings_for(data_dir)) as db:
        try:
            with db.session() as session:
                principal = acting_for(session, owner)
                for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
                    if not line.strip():
                        continue
                    try:
                        item = json.loads(line)
                        if not isinstance(item, dict) or not isinstance(item.get("data"), dict):
                            raise InvalidInput('expected an object with "data"')
                        subject_id = item.get("subject_record_id")
                        if external := item.get("subject_external_id"):
                            subject_id = session.scalars(
                                select(Record.id).where(
                                    Record.owner_org_id == principal.org_id,
                                    Record.external_id == str(external),
                                )
                            ).first()
                            if subject_id is None:
                                raise NotFound(
                                    msg(
                                        "no record of yours with external id %(external)s",
                                        external=external,
                                    )
                                )
                        restrictions = Restrictions.model_validate(item.get("restrictions") or {})
                        notice = notices.create_notice(
                            session,
                            principal,
                            notices.parse_notice(item["data"]),
                            restrictions,
                            subject_id,
                        )
                        if submit and notice.kind == "notice":
                            notices.submit(session, principal, notice.id)
                        elif submit:
                            notices.circulate_diffusion(
                                session, principal, notice.id, list(item.get("recipients") or [])
                            )
                        created.append(notice.reference)
                    except ValidationError as exc:
                        raise ImportLineError(number, describe_validation_error(exc)) from None
                    except DomainError as exc:
                        raise ImportLineError(number, exc.detail) from None
                    except ValueError as exc:  # not JSON
                        raise ImportLineError(number, str(exc).splitlines()[0]) from None
        except ImportLineError as exc:
            raise _nothing_imported(file, exc) from None
    emit({"imported": len(created), "references": created, "owner": owner.upper()}, as_json)
