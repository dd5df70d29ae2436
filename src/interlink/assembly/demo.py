"""Demo content for the General Assembly (synthetic): the 94th session open in Dakar with its
agenda adopted, 130 delegations present, a closed secret ballot with its published board, a
decided election round, an open secret ballot for the demo delegates (nairobi.delegate heads
Kenya's delegation, ottawa.delegate Canada's), meeting requests and two agreements.

Its seeder is listed in `interlink.wiring.demo_seeders`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.assembly import service, service_agreements, service_meetings, service_voting
from interlink.assembly.keys import SealKeyFile
from interlink.config import load_settings
from interlink.core.auth import Principal, Role
from interlink.demo import DemoContext
from interlink.members import service as members
from interlink.members.identity import principal_for_user
from interlink.members.models import User
from interlink.members.regions import member_codes

NUMBER = 94
DEMO_DELEGATES = {"KE": "nairobi.delegate", "CA": "ottawa.delegate"}
VOTING_FILLERS = 24  # synthetic delegations whose heads cast the demo's closed ballots
PRESENT_FILLERS = 128  # delegations present, so the default quorum (99 of 196) is met
AGENDA = (
    ("Report of the Secretary General on the activities of the Organization", "report", None),
    ("Strategic framework 2027-2031", "resolution", "simple_of_cast"),
    ("Rules on the processing of data: amendment", "resolution", "two_thirds_of_members"),
    ("Elections to the Executive Committee", "election", None),
)


def _keys(ctx: DemoContext) -> SealKeyFile:
    database = ctx.db.engine.url.database
    settings = load_settings(data_dir=Path(database).parent) if database else load_settings()
    return SealKeyFile(settings.ballot_seal_key_file)


def _principal(session: Session, username: str) -> Principal:
    return principal_for_user(session.scalars(select(User).where(User.username == username)).one())


def _filler_heads(session: Session, admin: Principal) -> list[Principal]:
    """Synthetic delegations; the first ones get a delegate account so that they can vote."""
    codes = [c for c in member_codes() if c not in DEMO_DELEGATES][:PRESENT_FILLERS]
    password_hash = session.scalar(
        select(User.password_hash).where(User.username == DEMO_DELEGATES["KE"])
    )
    voters = []
    for index, code in enumerate(codes):
        user_id = None
        if index < VOTING_FILLERS:
            user = User(
                username=f"ga.delegate.{code.lower()}",
                display_name=f"Head of delegation, {code} (demo)",
                org_id=members.ncb_of(session, code).id,
                roles=[Role.DELEGATE.value],
                password_hash=password_hash,
            )
            session.add(user)
            session.flush()
            user_id = user.id
            voters.append(principal_for_user(user))
        service.register_delegation(
            session,
            admin,
            NUMBER,
            code,
            head_name=f"Head of delegation, {code} (demo)",
            head_user_id=user_id,
        )
        _accredit(session, admin, code)
    return voters


def _accredit(session: Session, admin: Principal, code: str) -> None:
    service.submit_credentials(session, admin, NUMBER, code)
    service.verify_credentials(session, admin, NUMBER, code)
    service.set_attendance(session, admin, NUMBER, code, True)


def _vote_all(
    ctx: DemoContext, voters: list[Principal], ballot_id: int, choices: list[str], keys: SealKeyFile
) -> None:
    for voter, choice in zip(voters, choices, strict=False):
        with ctx.db.session() as session:
            service_voting.cast_vote(session, voter, ballot_id, choice=choice, keys=keys)


def seed_assembly(ctx: DemoContext) -> None:
    keys = _keys(ctx)
    with ctx.db.session() as session:
        admin = _principal(session, "gs.admin")
        service.create_session(
            session,
            admin,
            NUMBER,
            service.SessionSettings(
                host_city="Dakar",
                host_country="SN",
                starts_on=date(2026, 11, 2),
                ends_on=date(2026, 11, 5),
                next_host_city="Kuala Lumpur",
                next_host_country="MY",
            ),
        )
        service.open_session(session, admin, NUMBER)
        items = [
            service.add_item(session, admin, NUMBER, title=title, kind=kind, majority_rule=rule).id
            for title, kind, rule in AGENDA
        ]
        service.add_item_document(
            session, admin, items[1], title="Draft resolution (demo)", reference="GA-2026-94-RES-01"
        )
        for code, username in DEMO_DELEGATES.items():
            user = _principal(session, username)
            service.register_delegation(
                session, admin, NUMBER, code, head_name="", head_user_id=user.user_id
            )
            _accredit(session, admin, code)
        voters = _filler_heads(session, admin)
        election = service_voting.create_election(
            session,
            admin,
            items[3],
            post="vice_president",
            region="americas",
            lot_seed="drawn in plenary (demo)",
        )
        for name, country in (("Ana Demo-Silva", "BR"), ("John Demo-Baptiste", "JM")):
            service_voting.add_candidate(session, admin, election.id, name=name, country=country)
    _adopt_agenda(ctx, admin, voters, keys)
    _closed_secret_ballot(ctx, admin, voters, items[1], keys)
    _election_round(ctx, admin, voters, election.id, keys)
    with ctx.db.session() as session:  # open for the demo delegates
        service_voting.open_resolution_ballot(session, admin, items[2], secret=True, keys=keys)
    _meetings(ctx, admin, voters)
    _agreements(ctx, admin)


def _adopt_agenda(
    ctx: DemoContext, admin: Principal, voters: list[Principal], keys: SealKeyFile
) -> None:
    with ctx.db.session() as session:
        ballot = service_voting.open_agenda_ballot(session, admin, NUMBER, secret=False, keys=keys)
    _vote_all(ctx, voters, ballot.id, ["yes"] * 22 + ["abstain"] * 2, keys)
    with ctx.db.session() as session:
        service_voting.close_ballot(session, admin, ballot.id, keys=keys)


def _closed_secret_ballot(
    ctx: DemoContext, admin: Principal, voters: list[Principal], item_id: int, keys: SealKeyFile
) -> None:
    with ctx.db.session() as session:
        ballot = service_voting.open_resolution_ballot(
            session, admin, item_id, secret=True, keys=keys
        )
    _vote_all(ctx, voters, ballot.id, ["yes"] * 17 + ["no"] * 4 + ["abstain"] * 3, keys)
    with ctx.db.session() as session:
        service_voting.close_ballot(session, admin, ballot.id, keys=keys)


def _election_round(
    ctx: DemoContext, admin: Principal, voters: list[Principal], election_id: int, keys: SealKeyFile
) -> None:
    with ctx.db.session() as session:
        ballot = service_voting.open_round(session, admin, election_id, keys=keys)
    ana, john = ballot.options
    _vote_all(ctx, voters, ballot.id, [ana] * 14 + [john] * 9 + ["abstain"], keys)
    with ctx.db.session() as session:
        service_voting.close_ballot(session, admin, ballot.id, keys=keys)


def _meetings(ctx: DemoContext, admin: Principal, voters: list[Principal]) -> None:
    with ctx.db.session() as session:
        kenya = _principal(session, DEMO_DELEGATES["KE"])
        canada = _principal(session, DEMO_DELEGATES["CA"])
        service_meetings.request_meeting(
            session, kenya, NUMBER, invitee="CA", subject="Cybercrime training exchange (demo)"
        )
        for index, voter in enumerate(voters[:4]):
            request = service_meetings.request_meeting(
                session,
                voter,
                NUMBER,
                invitee="KE" if index % 2 else "CA",
                subject="Border cooperation (demo)",
            )
            service_meetings.answer_meeting(
                session, kenya if index % 2 else canada, request.id, accept=True
            )
        start = datetime(2026, 11, 3, 9, tzinfo=UTC)
        for day in range(2):
            for hour in (0, 1, 2, 4):
                begins = start + timedelta(days=day, hours=hour)
                service_meetings.add_slot(
                    session, admin, NUMBER, starts_at=begins, ends_at=begins + timedelta(minutes=45)
                )
        for room in ("Bilateral room A", "Bilateral room B"):
            service_meetings.add_room(session, admin, NUMBER, name=room)
        service_meetings.schedule(session, admin, NUMBER)


def _agreements(ctx: DemoContext, admin: Principal) -> None:
    spec = service_agreements.PartySpec
    with ctx.db.session() as session:
        mou = service_agreements.create_agreement(
            session,
            admin,
            title="Memorandum on cybercrime training (demo)",
            kind="memorandum_of_understanding",
            parties=[spec(country="KE"), spec(country="CA")],
            proposed_on=date(2026, 6, 1),
            session_number=NUMBER,
            summary="Synthetic example: joint training of cybercrime investigators.",
        )
        service_agreements.change_status(
            session, admin, mou.id, status="signed", on=date(2026, 11, 4)
        )
        partner = service_agreements.create_agreement(
            session,
            admin,
            title="Cooperation on passport checks (demo)",
            kind="cooperation_agreement",
            parties=[spec(organisation="GS"), spec(organisation="PARTNER-SKYWAYS")],
            proposed_on=date(2025, 2, 1),
        )
        service_agreements.change_status(
            session, admin, partner.id, status="signed", on=date(2025, 5, 2)
        )
        service_agreements.change_status(
            session, admin, partner.id, status="in_force", on=date(2025, 6, 1)
        )
