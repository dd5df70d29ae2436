"""The follow-ups list: totals, pages, filters, and the CSV export with its access rule."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import update

from interlink.core.audit import AuditEntry
from interlink.core.auth import Role
from interlink.core.db import utcnow
from interlink.messaging import followups
from interlink.messaging.context import MessagingContext
from interlink.messaging.followups import FollowupFilter, FollowupSide, FollowupStatus
from interlink.messaging.models import Followup, Priority
from tests.messaging.conftest import Cast
from tests.support import World


def _hits(world: World, ctx: MessagingContext, cast: Cast) -> None:
    """Five hits by MA on FR's records (one of them overdue), two by DE on MA's records."""
    with world.db.session() as session:
        for hit_id in range(1, 6):
            followups.open_hit_followup(
                session,
                ctx=ctx,
                hit_id=hit_id,
                record_id=100 + hit_id,
                searching_org_id=cast.ma.org_id,
                owner_org_id=cast.fr.org_id,
                summary=f"hit {hit_id}",
                priority=Priority.URGENT if hit_id % 2 else Priority.ROUTINE,
                actor=cast.ma.actor,
            )
        for hit_id in (6, 7):
            followups.open_hit_followup(
                session,
                ctx=ctx,
                hit_id=hit_id,
                record_id=200 + hit_id,
                searching_org_id=cast.de.org_id,
                owner_org_id=cast.ma.org_id,
                summary=f"hit {hit_id}",
                actor=cast.de.actor,
            )
        session.execute(
            update(Followup)
            .where(Followup.hit_id == 3)
            .values(due_at=utcnow() - timedelta(hours=1))
        )


def _every(session, principal, filters, sort="due", limit=2):
    seen, cursor, totals = [], None, set()
    while True:
        page = followups.followups_page(
            session, principal, filters, sort=sort, cursor=cursor, limit=limit
        )
        seen += [v.followup.hit_id for v in page.items]
        totals.add(page.total)
        if not page.next_cursor:
            return seen, totals
        cursor = page.next_cursor


def test_pages_filters_and_sorts(world: World, ctx: MessagingContext, cast: Cast) -> None:
    _hits(world, ctx, cast)
    with world.db.session() as session:
        for sort in followups.FOLLOWUP_SORTS:
            seen, totals = _every(session, cast.ma, FollowupFilter(), sort=sort)
            assert sorted(seen) == [1, 2, 3, 4, 5, 6, 7] and totals == {7}
        newest, _ = _every(session, cast.ma, FollowupFilter(), sort="newest")
        assert newest == [7, 6, 5, 4, 3, 2, 1]
        due_first, _ = _every(session, cast.fr, FollowupFilter())
        assert due_first[0] == 3  # the overdue one
        # FR sees only its own side; DE only its two; nobody sees another pair's hits.
        assert sorted(_every(session, cast.fr, FollowupFilter())[0]) == [1, 2, 3, 4, 5]
        assert sorted(_every(session, cast.de, FollowupFilter())[0]) == [6, 7]
        ma_answers = FollowupFilter(side=FollowupSide.OWNER)
        assert sorted(_every(session, cast.ma, ma_answers)[0]) == [6, 7]
        overdue = FollowupFilter(status=FollowupStatus.OVERDUE)
        assert _every(session, cast.ma, overdue)[0] == [3]
        assert _every(session, cast.de, overdue)[0] == []
        routine = FollowupFilter(priority=Priority.ROUTINE)
        assert sorted(_every(session, cast.ma, routine)[0]) == [2, 4]
        with_de = FollowupFilter(counterpart_org_id=cast.de.org_id)
        assert sorted(_every(session, cast.ma, with_de)[0]) == [6, 7]
        assert _every(session, cast.fr, with_de)[0] == []
        # The Secretariat sees who owes an answer to whom, across bureaus.
        assert sorted(_every(session, cast.gs, FollowupFilter())[0]) == [1, 2, 3, 4, 5, 6, 7]


def test_csv_export_follows_the_filters_and_the_access_rule(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    _hits(world, ctx, cast)
    de_client = world.browser_login(world.user("NCB-DE", Role.OFFICER))
    response = de_client.get("/followups.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert sorted(int(r["hit"]) for r in rows) == [6, 7]
    assert {r["searching_org"] for r in rows} == {"NCB-DE"}
    ma_client = world.browser_login(world.user("NCB-MA", Role.OFFICER))
    overdue = ma_client.get("/followups.csv", params={"status": "overdue"})
    [row] = list(csv.DictReader(io.StringIO(overdue.text.lstrip("\ufeff"))))
    assert row["hit"] == "3" and row["status"] == "overdue"
    bad = ma_client.get("/followups.csv", params={"since": "yesterday"})
    assert bad.status_code == 422
    with world.db.session() as session:
        exports = session.query(AuditEntry).filter(AuditEntry.action == "followup.export").all()
    assert len(exports) == 2


def test_followups_page_lists_filters_and_keeps_them(
    world: World, ctx: MessagingContext, cast: Cast
) -> None:
    _hits(world, ctx, cast)
    client = world.browser_login(world.user("NCB-MA", Role.OFFICER))
    page = client.get("/followups", params={"side": "searcher", "sort": "newest"})
    assert page.status_code == 200
    assert "Showing 5 of 5" not in page.text and "5 follow-ups" in page.text
    assert 'value="searcher" selected' in page.text
    assert "NCB-FR" in page.text and "Hit 5" in page.text and "Hit 6" not in page.text
    bad = client.get("/followups", params={"org": "NCB-XX", "since": "7/12/2026"})
    assert bad.status_code == 422
    assert 'href="#org"' in bad.text and 'href="#since"' in bad.text
    assert 'value="7/12/2026"' in bad.text
