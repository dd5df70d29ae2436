"""Hit follow-up: a thread at the owner's bureau, a deadline, overdue lists, answer times."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from interlink.core.errors import InvalidInput, NotFound
from interlink.messaging import followups, service
from interlink.messaging.context import Deadlines, MessagingContext
from interlink.messaging.models import Followup, Priority, Thread, ThreadKind
from interlink.messaging.posting import Draft
from tests.messaging.conftest import Cast
from tests.support import World


def _hit(
    world: World,
    ctx: MessagingContext,
    cast: Cast,
    hit_id: int,
    record_id: int = 77,
    priority: Priority = Priority.URGENT,
    searcher: str = "ma",
) -> Thread:
    searching = getattr(cast, searcher)
    with world.db.session() as session:
        return followups.open_hit_followup(
            session,
            ctx=ctx,
            hit_id=hit_id,
            record_id=record_id,
            searching_org_id=searching.org_id,
            owner_org_id=cast.fr.org_id,
            summary=f"Border check at Tanger Med matched record {record_id}",
            priority=priority,
            actor=searching.actor,
        )


def _followup(world: World, hit_id: int) -> Followup:
    with world.db.session() as session:
        return session.scalars(select(Followup).where(Followup.hit_id == hit_id)).one()


def test_a_hit_opens_a_thread_at_the_owner_prefilled_with_the_hit(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    thread = _hit(world, ctx, cast, hit_id=501)
    assert thread.kind == ThreadKind.HIT_FOLLOWUP
    with world.db.session() as session:
        [summary] = service.inbox(session, cast.fr)
        view = service.read_thread(session, ctx, cast.fr, thread.id)
    assert summary.thread.id == thread.id and summary.unread == 1
    [message] = view.messages
    assert message.body == "Border check at Tanger Med matched record 77"
    assert message.verification.valid and message.sender_code == "NCB-MA"
    assert {(link.object_type, link.object_id) for link in message.links} == {
        ("hit", 501),
        ("record", 77),
    }
    [followup] = view.followups
    assert followup.followup.due_at - followup.followup.opened_at == timedelta(hours=12)


def test_the_same_hit_twice_is_one_follow_up(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    first = _hit(world, ctx, cast, hit_id=501)
    assert _hit(world, ctx, cast, hit_id=501).id == first.id
    with world.db.session() as session:
        assert len(session.scalars(select(Followup)).all()) == 1


def test_another_hit_on_the_same_record_joins_the_open_thread(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    first = _hit(world, ctx, cast, hit_id=501)
    assert _hit(world, ctx, cast, hit_id=502).id == first.id
    assert _hit(world, ctx, cast, hit_id=503, record_id=78).id != first.id
    assert _hit(world, ctx, cast, hit_id=504, searcher="de").id != first.id
    with world.db.session() as session:
        service.close_thread(session, cast.fr, first.id)
    assert _hit(world, ctx, cast, hit_id=505).id != first.id  # a closed thread is not joined


def test_a_hit_on_ones_own_record_is_refused(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    with world.db.session() as session, pytest.raises(InvalidInput):
        followups.open_hit_followup(
            session,
            ctx=ctx,
            hit_id=1,
            record_id=1,
            searching_org_id=cast.fr.org_id,
            owner_org_id=cast.fr.org_id,
            summary="x",
            actor=cast.fr.actor,
        )


def test_deadlines_turn_overdue_and_an_answer_stops_the_clock(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    thread = _hit(world, ctx, cast, hit_id=501)
    opened = _followup(world, 501).opened_at
    with world.db.session() as session:
        before = followups.followups_for(
            session, cast.fr, overdue_only=True, now=opened + timedelta(hours=11, minutes=59)
        )
        after = followups.followups_for(
            session, cast.fr, overdue_only=True, now=opened + timedelta(hours=12, seconds=1)
        )
    assert before == [] and [v.followup.hit_id for v in after] == [501]
    # The searching side's own message does not answer; the owner's does.
    with world.db.session() as session:
        service.reply(session, ctx, cast.ma, thread.id, Draft(body="Any news?"))
    assert _followup(world, 501).answered_at is None
    with world.db.session() as session:
        answer = service.reply(
            session,
            ctx,
            cast.fr,
            thread.id,
            Draft(body="Confirmed: the person is wanted. Hold him."),
        )
    followup = _followup(world, 501)
    assert followup.answered_at == answer.sent_at and followup.answer_message_id == answer.id
    with world.db.session() as session:
        late = opened + timedelta(days=3)
        assert followups.followups_for(session, cast.fr, overdue_only=True, now=late) == []
        [view] = followups.followups_for(session, cast.ma, now=late)
    assert view.time_to_answer == answer.sent_at - opened and not view.overdue


@pytest.mark.parametrize(
    ("priority", "hours"), [(Priority.FLASH, 1), (Priority.URGENT, 6), (Priority.ROUTINE, 12)]
)
def test_deadlines_are_configurable_per_priority(
    world: World, ctx: MessagingContext, cast: Cast, priority: Priority, hours: int
) -> None:
    configured = MessagingContext(ctx.keys, Deadlines.from_setting({"flash": 1, "urgent": 6}))
    _hit(world, configured, cast, hit_id=9, priority=priority)
    followup = _followup(world, 9)
    assert followup.due_at - followup.opened_at == timedelta(hours=hours)


@pytest.mark.parametrize(
    "raw", [{"sometime": 3}, {"flash": 0}, {"urgent": -1}, {"routine": 10_000}]
)
def test_nonsense_deadline_settings_are_refused(raw: dict) -> None:
    with pytest.raises(ValueError, match="followup_answer_hours"):
        Deadlines.from_setting(raw)


def test_overdue_lists_for_both_bureaus_and_the_secretariat_only(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    thread = _hit(world, ctx, cast, hit_id=501)
    late = _followup(world, 501).due_at + timedelta(minutes=1)
    with world.db.session() as session:
        for principal in (cast.ma, cast.fr, cast.gs):
            overdue = followups.followups_for(session, principal, overdue_only=True, now=late)
            assert [(v.searching_code, v.owner_code) for v in overdue] == [("NCB-MA", "NCB-FR")], (
                principal.label
            )
        assert followups.followups_for(session, cast.de, overdue_only=True, now=late) == []
        # The Secretariat knows the answer is late, not what the thread says.
        with pytest.raises(NotFound):
            service.read_thread(session, ctx, cast.gs, thread.id)


def test_answer_statistics(world: World, ctx: MessagingContext, cast: Cast) -> None:
    for hit_id, record_id in ((1, 10), (2, 20), (3, 30)):
        _hit(world, ctx, cast, hit_id=hit_id, record_id=record_id)
    with world.db.session() as session:
        for hit_id in (1, 2):
            thread_id = session.scalars(
                select(Followup.thread_id).where(Followup.hit_id == hit_id)
            ).one()
            service.reply(session, ctx, cast.fr, thread_id, Draft(body="answer"))
    with world.db.session() as session:
        late = _followup(world, 3).due_at + timedelta(hours=1)
        stats = followups.answer_stats(session, cast.fr, now=late)
        outsider = followups.answer_stats(session, cast.de, now=late)
    assert (stats.answered, stats.within_deadline, stats.overdue) == (2, 2, 1)
    assert stats.median is not None and stats.median < timedelta(minutes=5)
    assert (outsider.answered, outsider.overdue, outsider.median) == (0, 0, None)
