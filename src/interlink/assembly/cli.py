"""The `interlink assembly` commands: the secretariat's work from the console, and the offline
check of a published bulletin board that anyone can run."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from sqlalchemy import select

from interlink.assembly import service, service_agreements, service_meetings, service_voting
from interlink.assembly.ballot_box import BulletinBoard, verify_board
from interlink.assembly.keys import SealKeyFile
from interlink.assembly.models import Ballot
from interlink.assembly.schemas import BallotOut, DelegationOut
from interlink.assembly.views import board_out, booking_out, session_detail, verification_out
from interlink.clikit import (
    DataDirOption,
    JsonOption,
    cli_errors,
    emit,
    fail,
    open_db,
    operator,
    say,
    settings_for,
    tr,
)

app = typer.Typer(
    help="General Assembly: sessions, delegations, ballots, meetings, agreements.",
    no_args_is_help=True,
)
Number = typer.Argument(..., min=1, max=10_000, help="Session number, e.g. 94")


def _keys(data_dir: Path | None) -> SealKeyFile:
    return SealKeyFile(settings_for(data_dir).ballot_seal_key_file)


@app.command("sessions")
@cli_errors
def sessions(as_json: bool = JsonOption, data_dir: Path | None = DataDirOption) -> None:
    """List the sessions."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        rows = [
            {
                "number": s.number,
                "host": f"{s.host_city}, {s.host_country}",
                "starts_on": s.starts_on,
                "ends_on": s.ends_on,
                "status": s.status,
                "agenda_adopted": s.agenda_adopted,
            }
            for s in service.list_sessions(session)
        ]
    emit(
        rows,
        as_json,
        columns=["number", "host", "starts_on", "ends_on", "status", "agenda_adopted"],
    )


@app.command("create-session")
@cli_errors
def create_session(
    number: int = Number,
    city: str = typer.Option(..., help="Host city"),
    country: str = typer.Option(..., help="Host country code, e.g. SN"),
    starts: str = typer.Option(..., help="First day, YYYY-MM-DD"),
    ends: str = typer.Option(..., help="Last day, YYYY-MM-DD"),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Create a planned session."""
    settings = service.SessionSettings(
        host_city=city,
        host_country=country,
        starts_on=date.fromisoformat(starts),
        ends_on=date.fromisoformat(ends),
    )
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        service.create_session(session, operator(session), number, settings)
    say("session %(number)s created (planned)", number=number)


@app.command("open-session")
@cli_errors
def open_session(number: int = Number, data_dir: Path | None = DataDirOption) -> None:
    """Open a planned session for business."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        service.open_session(session, operator(session), number)
    say("session %(number)s open", number=number)


@app.command("close-session")
@cli_errors
def close_session(number: int = Number, data_dir: Path | None = DataDirOption) -> None:
    """Close a session whose ballots are all closed (destroys the seal key when no secret
    ballot is open anywhere)."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        service.close_session(session, operator(session), number, _keys(data_dir))
    say("session %(number)s closed", number=number)


@app.command("show")
@cli_errors
def show(
    number: int = Number, as_json: bool = JsonOption, data_dir: Path | None = DataDirOption
) -> None:
    """A session's agenda, quorum, ballots and results."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        detail = session_detail(session, service.get_session(session, number))
    if as_json:
        emit(detail.model_dump(mode="json"), True)
        return
    quorum = detail.quorum
    say(
        "Session %(number)s (%(city)s, %(country)s), %(status)s; %(quorum)s; %(agenda)s",
        number=detail.number,
        city=detail.host_city,
        country=detail.host_country,
        status=tr(detail.status),
        quorum=(
            tr(
                "quorum %(present)s/%(required)s met",
                present=quorum.present,
                required=quorum.required,
            )
            if quorum.met
            else tr(
                "quorum %(present)s/%(required)s not met",
                present=quorum.present,
                required=quorum.required,
            )
        ),
        agenda=tr("agenda adopted") if detail.agenda_adopted else tr("agenda not adopted"),
    )
    emit(
        [
            {
                "item": i.number,
                "title": i.title,
                "kind": i.kind,
                "status": i.status,
                "ballots": ", ".join(f"{b.id}:{b.status}" for b in i.ballots),
                "elections": ", ".join(f"{e.seat}:{e.status}" for e in i.elections),
            }
            for i in detail.items
        ],
        False,
    )


@app.command("delegations")
@cli_errors
def delegations(
    number: int = Number, as_json: bool = JsonOption, data_dir: Path | None = DataDirOption
) -> None:
    """The delegations registered at a session."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        rows = [
            DelegationOut.model_validate(d).model_dump()
            for d in service.list_delegations(session, operator(session), number)
        ]
    if as_json:
        emit(rows, True)
        return
    emit(
        [
            {
                "country": r["country"],
                "head": r["members"][0]["name"],
                "people": len(r["members"]),
                "credentials": r["credentials"],
                "present": r["present"],
            }
            for r in rows
        ],
        False,
    )


@app.command("verify-credentials")
@cli_errors
def verify_credentials(
    number: int = Number, country: str = typer.Argument(...), data_dir: Path | None = DataDirOption
) -> None:
    """Record that the secretariat verified a delegation's submitted credentials."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        service.verify_credentials(session, operator(session), number, country)
    say("credentials of %(country)s verified", country=country.upper())


@app.command("attendance")
@cli_errors
def attendance(
    number: int = Number,
    country: str = typer.Argument(...),
    present: bool = typer.Option(True, "--present/--absent", help="Present or absent"),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Register a delegation present (or absent)."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        service.set_attendance(session, operator(session), number, country, present)
    if present:
        say("%(country)s present", country=country.upper())
    else:
        say("%(country)s absent", country=country.upper())


@app.command("add-item")
@cli_errors
def add_item(
    number: int = Number,
    title: str = typer.Option(..., help="The item's title, as the agenda shows it"),
    kind: str = typer.Option(..., help="report, resolution or election"),
    majority: str | None = typer.Option(
        None, help="Resolutions: simple_of_cast, two_thirds_of_cast or two_thirds_of_members"
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Add an item to a session's agenda (before the agenda is adopted)."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        item = service.add_item(
            session, operator(session), number, title=title, kind=kind, majority_rule=majority
        )
        say("item %(number)s added (id %(id)s)", number=item.number, id=item.id)


@app.command("open-ballot")
@cli_errors
def open_ballot(
    item_id: int = typer.Argument(..., min=1, help="The resolution's item id"),
    secret: bool = typer.Option(
        True, "--secret/--roll-call", help="A secret ballot or a recorded roll call"
    ),
    data_dir: Path | None = DataDirOption,
) -> None:
    """Put a resolution to the vote."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        ballot = service_voting.open_resolution_ballot(
            session, operator(session), item_id, secret=secret, keys=_keys(data_dir)
        )
        say("ballot %(ballot)s open (id %(id)s)", ballot=ballot.public_id, id=ballot.id)


@app.command("close-ballot")
@cli_errors
def close_ballot(
    ballot_id: int = typer.Argument(..., min=1),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Close a ballot: count, publish the board of a secret ballot, apply the result."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        ballot = service_voting.close_ballot(
            session, operator(session), ballot_id, keys=_keys(data_dir)
        )
        out = BallotOut.model_validate(ballot).model_dump(mode="json")
    emit(
        out if as_json else {k: out[k] for k in ("public_id", "voters", "tally", "board_head")},
        as_json,
    )


@app.command("ballots")
@cli_errors
def ballots(
    number: int = Number, as_json: bool = JsonOption, data_dir: Path | None = DataDirOption
) -> None:
    """The ballots of a session."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        ga = service.get_session(session, number)
        rows = [
            BallotOut.model_validate(b).model_dump(mode="json")
            for b in service_voting.ballots_of(session, ga)
        ]
    emit(rows, as_json, columns=["id", "public_id", "secret", "status", "voters", "board_head"])


@app.command("board")
@cli_errors
def board(
    ballot_id: int = typer.Argument(..., min=1), data_dir: Path | None = DataDirOption
) -> None:
    """Print the published bulletin board of a closed secret ballot as JSON."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        emit(board_out(service_voting.board_of(session, ballot_id)).model_dump(), True)


@app.command("verify")
@cli_errors
def verify(
    ballot_id: int = typer.Argument(..., min=1),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Check a stored board: chain, head (against the audit log), size and tally; exit 1 if
    anything was changed."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        report = verification_out(service_voting.verify_ballot(session, ballot_id))
    if as_json:
        emit(report.model_dump(), True)
    elif report.ok:
        say(
            "OK: %(entries)s entries for %(voters)s voters, head %(head)s",
            entries=report.entries,
            voters=report.voters,
            head=report.head,
        )
    if not report.ok:
        problems = "; ".join(tr(problem) for problem in report.problems)
        raise fail(problems, 1)


@app.command("verify-board")
@cli_errors
def verify_board_file(
    board_file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="The board JSON, as published"
    ),
    head: str = typer.Option(..., help="The head published with the result"),
    voters: int | None = typer.Option(None, help="The number of members who voted"),
) -> None:
    """Check a downloaded bulletin board offline and recompute its tally (no database)."""
    try:
        published = BulletinBoard.from_dict(json.loads(board_file.read_text()))
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise fail(
            "%(file)s is not a published board: %(problem)s", 2, file=board_file, problem=exc
        ) from None
    check = verify_board(published, head, expected_ballots=voters)
    tally = published.tally()
    say(
        "tally: %(counts)s, abstentions %(abstentions)s",
        counts=dict(tally.counts),
        abstentions=tally.abstentions,
    )
    if not check.ok:
        problem = tr(check.problem) if check.problem else ""
        if check.position:
            raise fail(
                "board does not verify at entry %(position)s: %(problem)s",
                1,
                position=check.position,
                problem=problem,
            )
        raise fail("board does not verify: %(problem)s", 1, problem=problem)
    say("OK: %(count)s entries, chain ends at the published head", count=len(published.entries))


@app.command("schedule")
@cli_errors
def schedule(
    number: int = Number, as_json: bool = JsonOption, data_dir: Path | None = DataDirOption
) -> None:
    """Place the accepted bilateral meetings into free slots and rooms."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        report = service_meetings.schedule(session, operator(session), number)
    emit(
        {
            "booked": [booking_out(b).model_dump(mode="json") for b in report.booked],
            "unscheduled": [r.request_id for r in report.unscheduled],
        }
        if as_json
        else {"booked": len(report.booked), "unscheduled": len(report.unscheduled)},
        as_json,
    )


@app.command("agreements")
@cli_errors
def agreements(as_json: bool = JsonOption, data_dir: Path | None = DataDirOption) -> None:
    """Memoranda of understanding and cooperation agreements."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        rows = [
            {
                "id": a.id,
                "title": a.title,
                "kind": a.kind,
                "status": a.status,
                "parties": "; ".join(p.name for p in a.parties),
                "signed_on": a.signed_on,
            }
            for a in service_agreements.list_agreements(session, operator(session))
        ]
    emit(rows, as_json)


@app.command("destroy-seal-key")
@cli_errors
def destroy_seal_key(data_dir: Path | None = DataDirOption) -> None:
    """Destroy the secret-ballot seal key now; refused while a secret ballot is open."""
    with open_db(settings_for(data_dir)) as db, db.session() as session:
        open_secret = session.scalars(
            select(Ballot.public_id).where(Ballot.status == "open", Ballot.secret.is_(True))
        ).all()
    if open_secret:
        raise fail("secret ballots are open: %(ballots)s", 5, ballots=", ".join(open_secret))
    destroyed = _keys(data_dir).destroy()
    if destroyed:
        say("seal key destroyed")
    else:
        say("there was no seal key")
