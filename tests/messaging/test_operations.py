"""Joint operations: membership, the workspace rule, tasks, timeline, channel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import JSON, Integer, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from interlink.core.access import RecordPolicy, RestrictedMixin, Visibility, VisibilityMode
from interlink.core.audit import AuditEntry
from interlink.core.db import UTCDateTime
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from interlink.messaging import operations, service
from interlink.messaging.context import MessagingContext
from interlink.messaging.models import Operation
from interlink.messaging.posting import Draft
from tests.messaging.conftest import Cast
from tests.support import World


class _TestBase(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime()}


class Dossier(RestrictedMixin, _TestBase):
    """A stand-in for a record, with the real restriction columns."""

    __tablename__ = "test_dossiers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_org_id: Mapped[int] = mapped_column(Integer)  # type: ignore[assignment]
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class DossierReader:
    def policy(self, session: Session, record_id: int) -> RecordPolicy | None:
        row = session.get(Dossier, record_id)
        return None if row is None else row.policy

    def load(self, session: Session, record_id: int) -> dict[str, Any] | None:
        row = session.get(Dossier, record_id)
        return None if row is None else dict(row.data)


READER = DossierReader()


@pytest.fixture
def dossiers(world: World) -> Iterator[None]:
    _TestBase.metadata.create_all(world.db.engine)
    yield
    _TestBase.metadata.drop_all(world.db.engine)


def _dossier(world: World, owner: int, visibility: Visibility = Visibility(),
             **restrictions: object) -> int:
    with world.db.session() as session:
        row = Dossier(owner_org_id=owner, data={"name": "Synthetic Person"}, circulated=True,
                      **restrictions)
        row.set_visibility(visibility)
        session.add(row)
        session.flush()
        return row.id


def _operation(world: World, cast: Cast, *members: str) -> Operation:
    """An operation led by Morocco with these members invited and accepting."""
    with world.db.session() as session:
        operation = operations.create_operation(session, cast.ma, name="Operation Sandstorm",
                                                purpose="Trafficking route through Tanger")
        for name in members:
            operations.invite(session, cast.ma, operation.id, getattr(cast, name).org_id)
    for name in members:
        with world.db.session() as session:
            operations.respond(session, getattr(cast, name), operation.id, accept=True)
    return operation


ONLY_MA = Visibility(VisibilityMode.ONLY, frozenset({"MA"}))


@pytest.mark.usefixtures("dossiers")
def test_a_participant_cannot_see_a_restricted_record_that_was_not_shared(
        world: World, cast: Cast) -> None:
    operation = _operation(world, cast, "fr")
    restricted = _dossier(world, cast.ma.org_id, ONLY_MA)
    with world.db.session() as session:
        operations.link_record(session, cast.ma, READER, operation.id, restricted)
    with world.db.session() as session:
        assert operations.visible_records(session, cast.fr, READER, operation.id) == []
        with pytest.raises(NotFound):
            operations.read_record(session, cast.fr, READER, operation.id, restricted)
        assert operations.read_record(session, cast.ma, READER, operation.id, restricted)
    # Explicitly shared by its owner, the participant sees it.
    with world.db.session() as session:
        operations.link_record(session, cast.ma, READER, operation.id, restricted, share=True)
    with world.db.session() as session:
        assert operations.read_record(session, cast.fr, READER, operation.id,
                                      restricted) == {"name": "Synthetic Person"}
        assert [r.record_id for r in operations.visible_records(
            session, cast.fr, READER, operation.id)] == [restricted]


@pytest.mark.usefixtures("dossiers")
def test_a_record_visible_anyway_needs_no_sharing(world: World, cast: Cast) -> None:
    operation = _operation(world, cast, "fr")
    open_to_all = _dossier(world, cast.de.org_id)  # a German record, open to every member
    with world.db.session() as session:
        operations.link_record(session, cast.fr, READER, operation.id, open_to_all)
        assert operations.read_record(session, cast.ma, READER, operation.id, open_to_all)


@pytest.mark.usefixtures("dossiers")
@pytest.mark.parametrize("restriction", [
    {"access_blocked": True},
    {"retention_until": datetime.now(UTC) - timedelta(days=1)},
])
def test_sharing_never_overrides_an_oversight_block_or_expiry(
        world: World, cast: Cast, restriction: dict) -> None:
    operation = _operation(world, cast, "fr")
    record = _dossier(world, cast.ma.org_id, ONLY_MA)
    with world.db.session() as session:
        operations.link_record(session, cast.ma, READER, operation.id, record, share=True)
    with world.db.session() as session:
        row = session.get(Dossier, record)
        for column, value in restriction.items():
            setattr(row, column, value)
    with world.db.session() as session, pytest.raises(NotFound):
        operations.read_record(session, cast.fr, READER, operation.id, record)


@pytest.mark.usefixtures("dossiers")
def test_only_the_owner_shares_and_only_visible_records_are_linked(
        world: World, cast: Cast) -> None:
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
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.object_type == "operation").order_by(AuditEntry.id)).all()
        view = operations.operation_view(session, cast.ma, READER, operation.id)
    assert [a for a in actions if a != "operation.read"] == [
        "operation.create", "operation.invite", "operation.accept", "operation.invite",
        "operation.decline", "operation.remove"]
    assert [e.kind for e in view.timeline] == [
        "created", "invited", "accepted", "invited", "declined", "removed"]
    assert {(m.code, m.status) for m in view.members} == {
        ("NCB-MA", "accepted"), ("NCB-FR", "removed"), ("NCB-DE", "declined")}


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


def test_the_channel_follows_membership(world: World, ctx: MessagingContext,
                                        cast: Cast) -> None:
    operation = _operation(world, cast, "fr", "de")
    with world.db.session() as session:
        message = service.reply(session, ctx, cast.fr, operation.channel_thread_id,
                                Draft(body="Surveillance starts at 06:00."))
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
        task = operations.add_task(session, cast.ma, operation.id, title="Check ferry manifest",
                                   owner_org_id=cast.fr.org_id, due_at=due)
        with pytest.raises(InvalidInput):  # not a member
            operations.add_task(session, cast.ma, operation.id, title="x",
                                owner_org_id=cast.de.org_id)
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
