"""HTML pages of the General Assembly.

Public (no login): sessions, a session's agenda and results, a ballot's result and bulletin
board with a form to find one's tracking code. Delegates: their delegation, ballots to vote on
(the receipt is shown once), delegated powers, bilateral meetings. The secretariat: sessions,
agenda, ballots, elections, delegations and meetings, and agreements.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from interlink.assembly import service, service_agreements, service_meetings, service_voting
from interlink.assembly.api import seal_keys
from interlink.assembly.majority import MajorityRule
from interlink.assembly.models import shown_question
from interlink.assembly.views import booking_out, session_detail
from interlink.core import labels
from interlink.core.auth import Perm, Principal
from interlink.core.errors import DomainError, InvalidInput, NotFound, Unauthenticated
from interlink.core.i18n import N_, _, current_language, msg
from interlink.deps import Id, unit_of_work
from interlink.web.lists import FieldErrors, parse_day
from interlink.web.render import NavLink, form_principal, redirect, render, templates

router = APIRouter(include_in_schema=False)
NAV = [  # wired in interlink.wiring.NAV
    NavLink("/assembly", "General Assembly", Perm.ASSEMBLY_VOTE),
    NavLink("/assembly/admin", "Assembly secretariat", Perm.ASSEMBLY_ADMIN),
    NavLink("/assembly/agreements", "Agreements", Perm.ASSEMBLY_ADMIN),
]
Viewer = Annotated[Principal | None, Depends(form_principal)]


def ordinal(number: int) -> str:
    """94 -> "94th", 92 -> "92nd": how sessions are named, in the page's language (French
    "94e", Spanish "94.º", Arabic the plain number: "الدورة 94")."""
    language = current_language()
    if language == "fr":
        return "1re" if number == 1 else f"{number}e"  # une session: feminine
    if language == "es":
        return f"{number}.º"  # el período de sesiones: masculine
    if language == "ar":
        return str(number)
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


templates.env.filters["ordinal"] = ordinal
templates.env.filters["majority"] = lambda rule: MajorityRule(rule).wording
# {{ b.question|ballot_question(b.purpose) }}: an agenda ballot's question in the language
templates.env.filters["ballot_question"] = shown_question
Text = Annotated[str, Form(max_length=300)]
OptionalText = Annotated[str, Form(max_length=300)]


def _logged_in(principal: Principal | None, perm: Perm | None = None) -> Principal:
    if principal is None:
        raise Unauthenticated("log in first")
    if perm is not None:
        principal.require(perm)
    return principal


def _optional_int(value: str) -> int | None:
    try:
        return int(value) if value.strip() else None
    except ValueError:
        raise InvalidInput(msg("%(value)r is not a number", value=value)) from None


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(msg("%(value)r is not a date (YYYY-MM-DD)", value=value)) from None


def _parse_datetime(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(msg("%(value)r is not a date and time", value=value)) from None
    if parsed.tzinfo is None:
        raise InvalidInput("give the time zone, e.g. 2026-11-03T09:00+00:00")
    return parsed


# --- public ----------------------------------------------------------------------------------


@router.get("/assembly")
def sessions_page(request: Request, principal: Viewer) -> Response:
    with unit_of_work(request) as session:
        sessions = service.list_sessions(session)
        return render(request, "assembly/sessions.html", sessions=sessions)


@router.get("/assembly/sessions/{number}")
def session_page(request: Request, number: Id, principal: Viewer) -> Response:
    with unit_of_work(request) as session:
        detail = session_detail(session, service.get_session(session, number))
        return render(request, "assembly/session.html", s=detail)


def _board_page(
    request: Request, ballot_id: int, *, code: str | None = None, status: int = 200
) -> Response:
    with unit_of_work(request) as session:
        ballot = service_voting.get_ballot(session, ballot_id)
        voters = service_voting.register(session, ballot_id)
        board = report = found = None
        if ballot.secret and ballot.status == "closed":
            board = service_voting.board_of(session, ballot_id)
            report = service_voting.verify_ballot(session, ballot_id)
            found = board.find(code) if code else None
        roll = (
            service_voting.roll_call(session, ballot_id)
            if not ballot.secret and ballot.status == "closed"
            else []
        )
        number = service.get_session_by_id(session, ballot.session_id).number
        names = service_voting.candidate_names(session, ballot.session_id)
        return render(
            request,
            "assembly/ballot.html",
            status_code=status,
            ballot=ballot,
            voters=voters,
            board=board,
            report=report,
            roll=roll,
            code=code,
            found=found,
            number=number,
            names=names,
        )


@router.get("/assembly/ballots/{ballot_id}")
def ballot_page(request: Request, ballot_id: Id, principal: Viewer) -> Response:
    return _board_page(request, ballot_id)


@router.post("/assembly/ballots/{ballot_id}/find")
def find_code(
    request: Request, ballot_id: Id, principal: Viewer, code: Annotated[str, Form(max_length=40)]
) -> Response:
    """Look a tracking code up on the board (a form post: the code stays out of URLs and
    access logs)."""
    return _board_page(request, ballot_id, code=code.strip().upper())


# --- delegates -------------------------------------------------------------------------------


def _delegate_page(
    request: Request,
    principal: Principal,
    number: int,
    *,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    with unit_of_work(request) as session:
        ga = service.get_session(session, number)
        delegation = service.my_delegation(session, principal, ga)
        ballots = service_voting.ballots_for_voter(session, principal, ga)
        requests = service_meetings.meeting_requests(session, principal, number)
        schedule = [
            booking_out(b) for b in service_meetings.delegation_schedule(session, principal, number)
        ]
        me = service.person_of(delegation, principal) if delegation else None
        delegations = service.delegation_countries(session, ga)
        return render(
            request,
            "assembly/delegate.html",
            status_code=status,
            ga=ga,
            delegation=delegation,
            me=me,
            ballots=ballots,
            requests=requests,
            schedule=schedule,
            items=ga.items,
            delegations=delegations,
            error=error,
            names=service_voting.candidate_names(session, ga.id),
        )


@router.get("/assembly/sessions/{number}/delegation")
def delegate_page(request: Request, number: Id, principal: Viewer) -> Response:
    return _delegate_page(request, _logged_in(principal, Perm.ASSEMBLY_VOTE), number)


def _delegate_action(
    request: Request,
    principal: Principal | None,
    number: int,
    action: Callable[[Session, Principal], Any],
) -> Response:
    principal = _logged_in(principal, Perm.ASSEMBLY_VOTE)
    try:
        with unit_of_work(request) as session:
            action(session, principal)
    except DomainError as exc:
        return _delegate_page(request, principal, number, error=exc.detail, status=exc.status)
    return redirect(f"/assembly/sessions/{number}/delegation")


@router.post("/assembly/sessions/{number}/ballots/{ballot_id}/vote")
def vote(
    request: Request,
    number: Id,
    ballot_id: Id,
    principal: Viewer,
    choice: Annotated[str, Form(max_length=200)] = "",
    confirmed: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Check your answers, then cast. The receipt is answered to the casting POST itself and
    never stored, so it cannot be fetched again by a redirect; sending the form again is
    refused as a second vote, so a reload repeats nothing."""
    principal = _logged_in(principal, Perm.ASSEMBLY_VOTE)
    if confirmed != "yes":
        return _vote_check(request, principal, number, ballot_id, choice)
    try:
        with unit_of_work(request) as session:
            cast = service_voting.cast_vote(
                session, principal, ballot_id, choice=choice, keys=seal_keys(request)
            )
            ballot = cast.ballot
            page = render(
                request,
                "assembly/receipt.html",
                status_code=201,
                ballot=ballot,
                country=cast.country,
                receipt=cast.receipt,
                number=number,
            )
    except DomainError as exc:
        return _delegate_page(request, principal, number, error=exc.detail, status=exc.status)
    return page  # the middleware marks it no-store: the receipt is kept by the voter only


def _vote_check(
    request: Request, principal: Principal, number: int, ballot_id: int, choice: str
) -> Response:
    with unit_of_work(request) as session:
        ballot = service_voting.get_ballot(session, ballot_id)
        if service.get_session_by_id(session, ballot.session_id).number != number:
            raise NotFound(msg("no ballot %(ballot_id)s", ballot_id=ballot_id))
        names = service_voting.candidate_names(session, ballot.session_id)
    if choice not in [*ballot.options, "abstain"]:
        return _delegate_page(
            request,
            principal,
            number,
            status=422,
            error=msg(
                "choose how %(country)s votes on: %(question)s",
                country=principal.country,
                question=ballot.shown_question,
            ),
        )
    return render(
        request,
        "assembly/vote_confirm.html",
        ballot=ballot,
        number=number,
        choice=choice,
        choice_label=names.get(choice, labels.label(choice)),
        country=principal.country,
    )


@router.post("/assembly/sessions/{number}/powers")
def give_powers(
    request: Request,
    number: Id,
    principal: Viewer,
    holder_member_id: Annotated[int, Form(ge=1, le=2**62)],
    item_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    return _delegate_action(
        request,
        principal,
        number,
        lambda s, p: service.grant_powers(
            s,
            p,
            number,
            p.country or "",
            holder_member_id=holder_member_id,
            item_id=_optional_int(item_id),
        ),
    )


@router.post("/assembly/sessions/{number}/powers/revoke")
def take_back_powers(
    request: Request,
    number: Id,
    principal: Viewer,
    item_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    return _delegate_action(
        request,
        principal,
        number,
        lambda s, p: service.revoke_powers(
            s, p, number, p.country or "", item_id=_optional_int(item_id)
        ),
    )


@router.post("/assembly/sessions/{number}/meetings")
def ask_for_meeting(
    request: Request,
    number: Id,
    principal: Viewer,
    invitee: Annotated[str, Form(max_length=2)],
    subject: OptionalText = "",
) -> Response:
    return _delegate_action(
        request,
        principal,
        number,
        lambda s, p: service_meetings.request_meeting(
            s, p, number, invitee=invitee, subject=subject
        ),
    )


@router.post("/assembly/sessions/{number}/meetings/{request_id}/answer")
def answer_meeting(
    request: Request,
    number: Id,
    request_id: Id,
    principal: Viewer,
    accept: Annotated[str, Form(pattern="^(yes|no)$")],
) -> Response:
    return _delegate_action(
        request,
        principal,
        number,
        lambda s, p: service_meetings.answer_meeting(s, p, request_id, accept=accept == "yes"),
    )


# --- secretariat -----------------------------------------------------------------------------


def _admin_sessions_page(
    request: Request,
    *,
    errors: FieldErrors | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    with unit_of_work(request) as session:
        return render(
            request,
            "assembly/admin_sessions.html",
            status_code=status,
            sessions=service.list_sessions(session),
            errors=errors or FieldErrors(),
            form=form or {},
        )


@router.get("/assembly/admin")
def admin_sessions(request: Request, principal: Viewer) -> Response:
    _logged_in(principal, Perm.ASSEMBLY_ADMIN)
    return _admin_sessions_page(request)


def _required_day(errors: FieldErrors, field: str, raw: str) -> date | None:
    try:
        day = parse_day(raw)
    except ValueError as exc:
        errors.check(field, str(exc))
        return None
    errors.check(field, None if day else N_("give the date"))
    return day


@router.post("/assembly/admin/sessions")
def admin_create_session(
    request: Request,
    principal: Viewer,
    # Generous limits: a mistyped value is answered beside its field, not with a bare 422.
    number: Annotated[str, Form(max_length=40)] = "",
    host_city: Annotated[str, Form(max_length=120)] = "",
    host_country: Annotated[str, Form(max_length=60)] = "",
    starts_on: Annotated[str, Form(max_length=40)] = "",
    ends_on: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    principal = _logged_in(principal, Perm.ASSEMBLY_ADMIN)
    form = {
        "number": number,
        "host_city": host_city,
        "host_country": host_country,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    errors = FieldErrors()
    errors.check("number", None if number.strip().isdigit() else N_("give the session's number"))
    errors.check("host_city", None if host_city.strip() else N_("give the host city"))
    country_ok = re.fullmatch(r"[A-Za-z]{2}", host_country.strip())
    errors.check("host_country", None if country_ok else N_("a two-letter code, e.g. FR"))
    first = _required_day(errors, "starts_on", starts_on)
    last = _required_day(errors, "ends_on", ends_on)
    try:
        errors.raise_if_any()
        settings = service.SessionSettings(
            host_city=host_city.strip(),
            host_country=host_country.strip(),
            starts_on=first,
            ends_on=last,
        )
        with unit_of_work(request) as session:
            service.create_session(session, principal, int(number), settings)
    except DomainError as exc:
        errors = errors or FieldErrors.of(exc, "number")
        return _admin_sessions_page(request, errors=errors, status=exc.status, form=form)
    return redirect(f"/assembly/admin/sessions/{int(number)}")


def _admin_page(
    request: Request,
    principal: Principal,
    number: int,
    *,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    with unit_of_work(request) as session:
        ga = service.get_session(session, number)
        return render(
            request,
            "assembly/admin_session.html",
            status_code=status,
            ga=ga,
            s=session_detail(session, ga),
            delegations=service.list_delegations(session, principal, number),
            requests=service_meetings.meeting_requests(session, principal, number),
            slots=service_meetings.slot_rows(session, ga),
            rooms=service_meetings.room_rows(session, ga),
            bookings=[
                booking_out(b) for b in service_meetings.all_bookings(session, principal, number)
            ],
            error=error,
            form=form or {},
        )


@router.get("/assembly/admin/sessions/{number}")
def admin_session(request: Request, number: Id, principal: Viewer) -> Response:
    return _admin_page(request, _logged_in(principal, Perm.ASSEMBLY_ADMIN), number)


# Each secretariat form posts an action name; the arguments come from the form fields.
ADMIN_ACTIONS: dict[str, Callable[..., Any]] = {
    "open_session": lambda s, p, n, f, k: service.open_session(s, p, n),
    "close_session": lambda s, p, n, f, k: service.close_session(s, p, n, k),
    "add_item": lambda s, p, n, f, k: service.add_item(
        s, p, n, title=f["title"], kind=f["kind"], majority_rule=f.get("majority_rule") or None
    ),
    "add_document": lambda s, p, n, f, k: service.add_item_document(
        s,
        p,
        int(f["item_id"]),
        title=f["title"],
        reference=f.get("reference", ""),
        url=f.get("url", ""),
    ),
    "note_report": lambda s, p, n, f, k: service.note_report(s, p, int(f["item_id"])),
    "agenda_ballot": lambda s, p, n, f, k: service_voting.open_agenda_ballot(
        s, p, n, secret=f.get("secret") == "yes", keys=k
    ),
    "item_ballot": lambda s, p, n, f, k: service_voting.open_resolution_ballot(
        s, p, int(f["item_id"]), secret=f.get("secret") == "yes", keys=k
    ),
    "close_ballot": lambda s, p, n, f, k: service_voting.close_ballot(
        s, p, int(f["ballot_id"]), keys=k
    ),
    "create_election": lambda s, p, n, f, k: service_voting.create_election(
        s,
        p,
        int(f["item_id"]),
        post=f["post"],
        region=f.get("region") or None,
        tie_rule=f.get("tie_rule") or "previous_rounds_then_lot",
        lot_seed=f.get("lot_seed") or None,
    ),
    "add_candidate": lambda s, p, n, f, k: service_voting.add_candidate(
        s, p, int(f["election_id"]), name=f["name"], country=f["country"]
    ),
    "open_round": lambda s, p, n, f, k: service_voting.open_round(
        s, p, int(f["election_id"]), keys=k
    ),
    "register_delegation": lambda s, p, n, f, k: service.register_delegation(
        s,
        p,
        n,
        f["country"],
        head_name=f.get("head_name", ""),
        head_user_id=_optional_int(f.get("head_user_id", "")),
    ),
    "submit_credentials": lambda s, p, n, f, k: service.submit_credentials(s, p, n, f["country"]),
    "verify_credentials": lambda s, p, n, f, k: service.verify_credentials(s, p, n, f["country"]),
    "attendance": lambda s, p, n, f, k: service.set_attendance(
        s, p, n, f["country"], f.get("present") == "yes"
    ),
    "add_slot": lambda s, p, n, f, k: service_meetings.add_slot(
        s, p, n, starts_at=_parse_datetime(f["starts_at"]), ends_at=_parse_datetime(f["ends_at"])
    ),
    "add_room": lambda s, p, n, f, k: service_meetings.add_room(s, p, n, name=f["name"]),
    "schedule": lambda s, p, n, f, k: service_meetings.schedule(s, p, n),
}


# Actions that cannot be undone: a check-your-answers page comes first.
CONFIRM_FIRST = {
    "close_session": (
        N_("Close the session?"),
        N_("Close the session"),
        N_(
            "Closing ends the session: no ballot, election round or meeting can be "
            "opened in it any more."
        ),
    ),
    "close_ballot": (
        N_("Close this ballot?"),
        N_("Close the ballot"),
        N_(
            "Closing counts the votes and publishes the result; members who have not "
            "voted can no longer vote."
        ),
    ),
}


def _admin_check(request: Request, number: int, form: dict[str, str]) -> Response:
    title, button, consequence = CONFIRM_FIRST[form["action"]]
    rows: list[tuple[str, str]] = []
    with unit_of_work(request) as session:
        ga = service.get_session(session, number)
        rows.append(
            (
                _("Session"),
                _(
                    "%(number)s session, %(host_city)s",
                    number=ordinal(ga.number),
                    host_city=ga.host_city,
                ),
            )
        )
        if form["action"] == "close_ballot":
            try:
                ballot = service_voting.get_ballot(session, int(form.get("ballot_id", "")))
            except ValueError as exc:
                raise InvalidInput("a field is missing or invalid") from exc
            if ballot.session_id != ga.id:
                raise NotFound(msg("no ballot %(ballot_id)s", ballot_id=ballot.id))
            voted = len(service_voting.register(session, ballot.id))
            rows += [
                (_("Ballot"), ballot.shown_question),
                (_("Reference"), ballot.public_id),
                (_("Votes cast so far"), str(voted)),
            ]
    rows.append((_("What happens"), _(consequence)))
    hidden = {k: v for k, v in form.items() if k not in ("csrf_token",)}
    return render(
        request,
        "assembly/admin_confirm.html",
        title=_(title),
        button=_(button),
        rows=rows,
        hidden={**hidden, "confirmed": "yes"},
        number=number,
    )


@router.post("/assembly/admin/sessions/{number}")
async def admin_action(request: Request, number: Id, principal: Viewer) -> Response:
    principal = _logged_in(principal, Perm.ASSEMBLY_ADMIN)
    form = {key: str(value)[:500] for key, value in (await request.form()).items()}
    action = ADMIN_ACTIONS.get(form.get("action", ""))
    if form.get("action") in CONFIRM_FIRST and form.get("confirmed") != "yes":
        return _admin_check(request, number, form)
    try:
        if action is None:
            raise InvalidInput("unknown action")
        with unit_of_work(request) as session:
            action(session, principal, number, form, seal_keys(request))
    except (KeyError, ValueError):
        return _admin_page(
            request,
            principal,
            number,
            error=N_("a field is missing or invalid"),
            status=422,
            form=form,
        )
    except DomainError as exc:
        return _admin_page(
            request, principal, number, error=exc.detail, status=exc.status, form=form
        )
    return redirect(f"/assembly/admin/sessions/{number}")


# --- agreements ------------------------------------------------------------------------------


def _agreements_page(
    request: Request,
    principal: Principal,
    *,
    error: str | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    with unit_of_work(request) as session:
        agreements = service_agreements.list_agreements(session, principal)
        return render(
            request,
            "assembly/agreements.html",
            status_code=status,
            agreements=agreements,
            error=error,
            errors=errors or FieldErrors(),
            form=form or {},
            statuses=service_agreements.STATUSES,
            kind_options=labels.choices(service_agreements.KINDS),
        )


@router.get("/assembly/agreements")
def agreements_page(request: Request, principal: Viewer) -> Response:
    return _agreements_page(request, _logged_in(principal))


@router.post("/assembly/agreements")
def create_agreement(
    request: Request,
    principal: Viewer,
    title: Annotated[str, Form(max_length=300)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    parties: Annotated[str, Form(max_length=2000)] = "",
    proposed_on: Annotated[str, Form(max_length=40)] = "",
    summary: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Parties one a line: a country code (KE), an organisation code (PARTNER-SKYWAYS), or a
    body's full name."""
    principal = _logged_in(principal, Perm.ASSEMBLY_ADMIN)
    form = {
        "title": title,
        "kind": kind,
        "parties": parties,
        "proposed_on": proposed_on,
        "summary": summary,
    }
    errors = FieldErrors()
    errors.check("title", None if title.strip() else N_("give the agreement's title"))
    errors.check("parties", None if parties.strip() else N_("name at least one party"))
    day = _required_day(errors, "proposed_on", proposed_on)
    try:
        errors.raise_if_any()
        assert day is not None  # checked above
        with unit_of_work(request) as session:
            specs = [
                service_agreements.parse_party(session, line)
                for line in parties.splitlines()
                if line.strip()
            ]
            service_agreements.create_agreement(
                session,
                principal,
                title=title.strip(),
                kind=kind,
                parties=specs,
                proposed_on=day,
                summary=summary,
            )
    except DomainError as exc:
        errors = errors or FieldErrors.of(exc, "parties")
        return _agreements_page(request, principal, errors=errors, status=exc.status, form=form)
    return redirect("/assembly/agreements")


@router.post("/assembly/agreements/{agreement_id}/status")
def agreement_status(
    request: Request,
    agreement_id: Id,
    principal: Viewer,
    status: Annotated[str, Form(max_length=20)],
    on: Annotated[str, Form(max_length=10)],
) -> Response:
    principal = _logged_in(principal, Perm.ASSEMBLY_ADMIN)
    try:
        with unit_of_work(request) as session:
            service_agreements.change_status(
                session, principal, agreement_id, status=status, on=_parse_date(on)
            )
    except DomainError as exc:
        return _agreements_page(request, principal, error=exc.detail, status=exc.status)
    return redirect("/assembly/agreements")
