"""Joint operations: membership, the workspace rule, tasks, timeline, channel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from interlink.core.access import Visibility, VisibilityMode
from interlink.core.audit import AuditEntry
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.messaging import operations, service
from interlink.messaging.context import MessagingContext
from interlink.messaging.models import Operation
from interlink.messaging.posting import Draft
from interlink.records.models import Record
from interlink.wiring import RecordsForOperations
from tests.messaging.conftest import Cast
from tests.support import World

# The real records service, as the application wires it.
READER = RecordsForOperations()


@pytest.fixture
def dossiers(world: World) -> Iterator[None]:
    yield


def _dossier(
    world: World, owner: int, visibility: Visibility = Visibility(), **restrictions: object
) -> int:
    """A circulated record (a stolen vehicle circulates at once) with these restrictions."""
    with world.db.session() as session:
        row = Record(
            kind="vehicle",
            owner_org_id=owner,
            label="Dacia Logan",
            data={"vin": "1M8GDM9AXKP042788", "status": "stolen", "reported_on": "2026-02-01"},
            vin="1M8GDM9AXKP042788",
            circulated=True,
            **restrictions,
        )
        row.set_visibility(visibility)
        session.add(row)
        session.flush()
        return row.id


def _operation(world: World, cast: Cast, *members: str) -> Operation:
    """An operation led by Morocco with these members invited and accepting."""
    with world.db.session() as session:
        operation = operations.create_operation(
            session, cast.ma, name="Operation Sandstorm", purpose="Trafficking route through Tanger"
        )
        for name in members:
            operations.invite(session, cast.ma, operation.id, getattr(cast, name).org_id)
    for name in members:
        with world.db.session() as session:
            operations.respond(session, getattr(cast, name), operation.id, accept=True)
    return operation


ONLY_MA = Visibility(VisibilityMode.ONLY, frozenset({"MA"}))


@pytest.mark.usefixtures("dossiers")
def test_a_participant_cannot_see_a_restricted_record_that_was_not_shared(
    world: World, cast: Cast
) -> None:
    operation = _operation(world, cast, "fr")
    restricted = _dossier(world, cast.ma.org_id, ONLY_MA)
    with world.db.session() as session:
        operations.link_record(session, cast.ma, READER, operation.id, restricted)
    with world.db.session() as session:
        assert operations.visible_records(session, cast.fr, READER, operation.id) == []
        with pytest.raises(NotFound):
            operations.read_record(session, cast.fr, READER, operation.id, restricted)
        assert operations.read_record(session, cast.ma, READER, operation.id, restricted)
    # Shared by its owner, it stays within the owner's own restrictions: only MA.
    with world.db.session() as session:
        operations.link_record(session, cast.ma, READER, operation.id, restricted, share=True)
    with world.db.session() as session:
        assert operations.visible_records(session, cast.fr, READER, operation.id) == []
        with pytest.raises(NotFound):
            operations.read_record(session, cast.fr, READER, operation.id, restricted)


@pytest.mark.usefixtures("dossiers")
def test_sharing_opens_national_data_to_the_participants_its_restrictions_admit(
    world: World, cast: Cast
) -> None:
    """A person no request circulates is national data; its owner may share it into an
    operation, and then participants its own restrictions admit see it."""
    operation = _operation(world, cast, "fr")
    national = _dossier(world, cast.ma.org_id)
    with world.db.session() as session:
        session.get(Record, national).circulated = False
    with world.db.session() as session:
        operations.link_record(session, cast.ma, READER, operation.id, national)
    with world.db.session() as session, pytest.raises(NotFound):
        operations.read_record(session, cast.fr, READER, operation.id, national)
    with world.db.session() as session:
        operations.link_record(session, cast.ma, READER, operation.id, national, share=True)
    with world.db.session() as session:
        assert (
            operations.read_record(session, cast.fr, READER, operation.id, national)["label"]
            == "Dacia Logan"
        )
        assert [
            r.record_id for r in operations.visible_records(session, cast.fr, READER, operation.id)
        ] == [national]


@pytest.mark.usefixtures("dossiers")
def test_inviting_a_member_never_widens_what_the_owner_allowed(world: World, cast: Cast) -> None:
    """An "all but DE" record shared by its owner stays closed to DE when the lead invites
    DE afterwards."""
    operation = _operation(world, cast, "fr")
    not_de = _dossier(world, cast.ma.org_id, Visibility(VisibilityMode.EXCEPT, frozenset({"DE"})))
    with world.db.session() as session:
        operations.link_record(session, cast.ma, READER, operation.id, not_de, share=True)
    with world.db.session() as session:
        operations.invite(session, cast.ma, operation.id, cast.de.org_id)
    with world.db.session() as session:
        operations.respond(session, cast.de, operation.id, accept=True)
    with world.db.session() as session:
        assert operations.visible_records(session, cast.de, READER, operation.id) == []
        with pytest.raises(NotFound):
            operations.read_record(session, cast.de, READER, operation.id, not_de)
        assert operations.read_record(session, cast.fr, READER, operation.id, not_de)


@pytest.mark.usefixtures("dossiers")
def test_a_record_visible_anyway_needs_no_sharing(world: World, cast: Cast) -> None:
    operation = _operation(world, cast, "fr")
    open_to_all = _dossier(world, cast.de.org_id)  # a German record, open to every member
    with world.db.session() as session:
        operations.link_record(session, cast.fr, READER, operation.id, open_to_all)
        assert operations.read_record(session, cast.ma, READER, operation.id, open_to_all)


@pytest.mark.usefixtures("dossiers")
@pytest.mark.parametrize(
    "restriction",
    [
        {"access_blocked": True},
        {"retention_until": datetime.now(UTC) - timedelta(days=1)},
    ],
)
def test_sharing_never_overrides_an_oversight_block_or_expiry(
    world: World, cast: Cast, restriction: dict
) -> None:
    operation = _operation(world, cast, "fr")
    record = _dossier(world, cast.ma.org_id, ONLY_MA)
    with world.db.session() as session:
        operations.link_record(session, cast.ma, READER, operation.id, record, share=True)
    with world.db.session() as session:
        row = session.get(Record, record)
        for column, value in restriction.items():
            setattr(row, column, value)
    with world.db.session() as session, pytest.raises(NotFound):
        operations.read_record(session, cast.fr, READER, operation.id, record)


@pytest.mark.usefixtures("dossiers")
def test_only_the_owner_shares_and_only_visible_records_are_linked(
    world: World, cast: Cast
) -> None:
    operation = _operation(world, cast, "fr", "de")
    german = _dossier(world, cast.de.org_id)
    hidden = _dossier(world, cast.de.org_id, Visibility(VisibilityMode.ONLY, frozenset({"DE"})))
    with world.db.session() as session, pytest.raises(Forbidden, match="owner"):
        operations.link_record(session, cast.fr, READER, operation.id, german, share=True)
    with world.db.session() as session, pytest.raises(NotFound):
        operations.link_record(session, cast.fr, READER, operation.id, hidden)
    with world.db.session() as session, pytest.raises(NotFound):
        operations.link_record(session, cast.fr, READER, operation.id, 999_999)


@pytest.mark.usefixtures("dossiers")
def test_non_members_and_invitees_see_no_workspace(world: World, cast: Cast) -> None:
    operation = _operation(world, cast)
    record = _dossier(world, cast.ma.org_id)
    with world.db.session() as session:
        operations.link_record(session, cast.ma, READER, operation.id, record, share=True)
        operations.invite(session, cast.ma, operation.id, cast.fr.org_id)
    with world.db.session() as session:
        for outsider in (cast.de, cast.gs):
            with pytest.raises(NotFound):
                operations.operation_view(session, outsider, READER, operation.id)
        invited = operations.operation_view(session, cast.fr, READER, operation.id)
        assert invited.my_status == "invited" and invited.records == [] and invited.tasks == []
        with pytest.raises(NotFound):
            operations.read_record(session, cast.fr, READER, operation.id, record)


def test_membership_changes_are_audited_and_on_the_timeline(world: World, cast: Cast) -> None:
    operation = _operation(world, cast, "fr")
    with world.db.session() as session:
        operations.invite(session, cast.ma, operation.id, cast.de.org_id)
    with world.db.session() as session:
        operations.respond(session, cast.de, operation.id, accept=False)
        operations.remove_member(session, cast.ma, operation.id, cast.fr.org_id)
    with world.db.session() as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "operation")
            .order_by(AuditEntry.id)
        ).all()
        view = operations.operation_view(session, cast.ma, READER, operation.id)
    assert [a for a in actions if a != "operation.read"] == [
        "operation.create",
        "operation.invite",
        "operation.accept",
        "operation.invite",
        "operation.decline",
        "operation.remove",
    ]
    assert [e.kind for e in view.timeline] == [
        "created",
        "invited",
        "accepted",
        "invited",
        "declined",
        "removed",
    ]
    assert {(m.code, m.status) for m in view.members} == {
        ("NCB-MA", "accepted"),
        ("NCB-FR", "removed"),
        ("NCB-DE", "declined"),
    }


@pytest.mark.parametrize("actor", ["fr", "de"])
def test_only_the_lead_invites(world: World, cast: Cast, actor: str) -> None:
    operation = _operation(world, cast, "fr")
    error = Forbidden if actor == "fr" else NotFound
    with world.db.session() as session, pytest.raises(error):
        operations.invite(session, getattr(cast, actor), operation.id, cast.gs.org_id)


def test_invitations_are_answered_once(world: World, cast: Cast) -> None:
    operation = _operation(world, cast, "fr")
    with world.db.session() as session, pytest.raises(Conflict):
        operations.respond(session, cast.fr, operation.id, accept=False)
    with world.db.session() as session, pytest.raises(Conflict):
        operations.invite(session, cast.ma, operation.id, cast.fr.org_id)


def test_the_channel_follows_membership(world: World, ctx: MessagingContext, cast: Cast) -> None:
    operation = _operation(world, cast, "fr", "de")
    with world.db.session() as session:
        message = service.reply(
            session,
            ctx,
            cast.fr,
            operation.channel_thread_id,
            Draft(body="Surveillance starts at 06:00."),
        )
    with world.db.session() as session:
        view = service.read_thread(session, ctx, cast.de, operation.channel_thread_id)
        assert [m.body for m in view.messages] == ["Surveillance starts at 06:00."]
        assert {r.org_code for r in view.messages[0].receipts} == {"NCB-MA", "NCB-DE"}
        operations.remove_member(session, cast.de, operation.id, cast.de.org_id)  # leaves
    with world.db.session() as session, pytest.raises(NotFound):
        service.read_thread(session, ctx, cast.de, operation.channel_thread_id)
    assert message.thread_id == operation.channel_thread_id


def test_tasks_have_owners_and_due_dates(world: World, cast: Cast) -> None:
    operation = _operation(world, cast, "fr")
    due = datetime.now(UTC) - timedelta(hours=1)
    with world.db.session() as session:
        task = operations.add_task(
            session,
            cast.ma,
            operation.id,
            title="Check ferry manifest",
            owner_org_id=cast.fr.org_id,
            due_at=due,
        )
        with pytest.raises(InvalidInput):  # not a member
            operations.add_task(
                session, cast.ma, operation.id, title="x", owner_org_id=cast.de.org_id
            )
    with world.db.session() as session:
        view = operations.operation_view(session, cast.fr, READER, operation.id)
        assert view.task_overdue(view.tasks[0]) and view.task_owners[task.id] == "NCB-FR"
    with world.db.session() as session:
        operations.complete_task(session, cast.fr, operation.id, task.id)
        with pytest.raises(Conflict):
            operations.complete_task(session, cast.ma, operation.id, task.id)
    with world.db.session() as session:
        view = operations.operation_view(session, cast.ma, READER, operation.id)
        assert not view.task_overdue(view.tasks[0])


def test_partners_run_no_operations(world: World) -> None:
    from interlink.core.auth import OrgKind, Role

    world.add_org("PARTNER-AIR", OrgKind.PARTNER)
    partner = world.principal(world.user("PARTNER-AIR", Role.PARTNER))
    with world.db.session() as session, pytest.raises(Forbidden):
        operations.create_operation(session, partner, name="x", purpose="")
