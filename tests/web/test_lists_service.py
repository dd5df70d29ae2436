"""List pages' service side: totals, keyset pages across several pages, filters, sorts, and
what a bureau may not see staying out of every page and count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from interlink.core.auth import Role
from interlink.core.errors import Forbidden, InvalidInput
from interlink.core.pagination import ListPage
from interlink.oversight import service as oversight
from interlink.oversight.service import AuditFilter
from interlink.records import service as records
from interlink.records.models import RecordKind, RecordStatus
from interlink.records.restrictions import Restrictions
from interlink.records.schemas import TravelDocumentData
from tests.support import World

# Travel documents circulate as soon as they are entered (persons only under a request).
NUMBERS = [
    "MA0000017",
    "MA0000003",
    "MA0000042",
    "ZX0000009",
    "MA0000028",
    "MA0000011",
    "MA0000035",
]


def document(number: str) -> TravelDocumentData:
    return TravelDocumentData.model_validate(
        {
            "issuing_country": "MA",
            "document_type": "passport",
            "number": number,
            "status": "stolen",
            "reported_on": "2026-01-10",
        }
    )


def _all_pages(fetch, limit: int) -> tuple[list, list[ListPage]]:
    pages, cursor = [], None
    while True:
        page = fetch(cursor, limit)
        pages.append(page)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return [item for page in pages for item in page.items], pages


@pytest.fixture
def people(world: World):
    """Seven stolen passports owned by MA, two of them visible to FR only."""
    ma = world.principal(world.user("NCB-MA", Role.SUPERVISOR))
    with world.db.session() as session:
        ids = []
        for position, number in enumerate(NUMBERS):
            only_fr = position in (1, 4)
            restrictions = (
                Restrictions(visibility="only", countries=["FR"]) if only_fr else Restrictions()
            )
            row = records.create_record(
                session, ma, records.NewRecord(document(number), restrictions)
            )
            ids.append(row.id)
    return ids


def test_records_pages_cover_every_visible_record_once(world: World, people) -> None:
    fr = world.principal(world.user("NCB-FR", Role.OFFICER))
    de = world.principal(world.user("NCB-DE", Role.OFFICER))
    with world.db.session() as session:
        for principal, expected in ((fr, set(people)), (de, set(people) - {people[1], people[4]})):
            for sort in records.RECORD_SORTS:
                items, pages = _all_pages(
                    lambda cursor, limit, p=principal, s=sort: records.records_page(
                        session, p, records.RecordFilter(), sort=s, cursor=cursor, limit=limit
                    ),
                    2,
                )
                ids = [r.id for r in items]
                assert len(ids) == len(set(ids)) == len(expected), sort
                assert set(ids) == expected
                assert {page.total for page in pages} == {len(expected)}
                assert len(pages) == (len(expected) + 1) // 2


def test_records_sorts_and_filters(world: World, people) -> None:
    de = world.principal(world.user("NCB-DE", Role.OFFICER))
    ma = world.principal(world.user("NCB-MA", Role.SUPERVISOR))
    with world.db.session() as session:
        by_name = records.records_page(
            session, de, records.RecordFilter(), sort="name", limit=50
        ).items
        labels = [r.label for r in by_name]
        assert labels == sorted(labels)
        newest = records.records_page(session, de, records.RecordFilter(), limit=50).items
        assert [r.id for r in newest] == sorted((r.id for r in newest), reverse=True)
        ma_org = world.org("NCB-MA").id
        fr_org = world.org("NCB-FR").id
        owned = records.records_page(session, de, records.RecordFilter(owner_org_id=ma_org))
        assert owned.total == 5
        assert (
            records.records_page(session, de, records.RecordFilter(owner_org_id=fr_org)).total == 0
        )
        assert (
            records.records_page(session, de, records.RecordFilter(kind=RecordKind.VEHICLE)).total
            == 0
        )
        assert records.records_page(session, de, records.RecordFilter(text="zx00")).total == 1
        # A withdrawn record is listed to its owner only, under its status.
        records.withdraw_record(session, ma, people[0], "entered by mistake")
        withdrawn = records.RecordFilter(status=RecordStatus.WITHDRAWN)
        assert [r.id for r in records.records_page(session, ma, withdrawn).items] == [people[0]]
        assert records.records_page(session, de, withdrawn).total == 0
        assert records.records_page(session, de, records.RecordFilter()).total == 4


def test_records_page_refuses_a_cursor_of_another_sort(world: World, people) -> None:
    de = world.principal(world.user("NCB-DE", Role.OFFICER))
    with world.db.session() as session:
        page = records.records_page(session, de, records.RecordFilter(), sort="name", limit=2)
        assert page.next_cursor
        with pytest.raises(InvalidInput):
            records.records_page(
                session,
                de,
                records.RecordFilter(),
                sort="updated",
                cursor=page.next_cursor,
                limit=2,
            )
        with pytest.raises(InvalidInput):
            records.records_page(
                session, de, records.RecordFilter(), sort="name", cursor="bm9wZQ", limit=2
            )


def test_listing_a_page_audits_each_record_shown(world: World, people) -> None:
    de = world.principal(world.user("NCB-DE", Role.OFFICER))
    oversight_user = world.principal(world.user("CCF", Role.OVERSIGHT, mfa=True))
    with world.db.session() as session:
        shown = records.records_page(session, de, records.RecordFilter(), limit=3).items
    with world.db.session() as session:
        listed = oversight.audit_page(
            session, oversight_user, AuditFilter(action="record.list"), limit=50
        )
        assert {int(e.object_id) for e in listed.items} == {r.id for r in shown}


def test_audit_opens_on_the_newest_and_pages_to_older(world: World, people) -> None:
    commission = world.principal(world.user("CCF", Role.OVERSIGHT, mfa=True))
    with world.db.session() as session:
        items, pages = _all_pages(
            lambda cursor, limit: oversight.audit_page(
                session, commission, AuditFilter(action="record"), cursor=cursor, limit=limit
            ),
            3,
        )
    ids = [e.id for e in items]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == len(set(ids)) >= len(people)
    assert pages[0].total == len(ids)
    assert {e.action for e in items} <= {"record.create", "record.version", "record.list"}
    assert "record.create" in {e.action for e in items}


def test_audit_filters_and_scope(world: World, people) -> None:
    ma_user = world.user("NCB-MA", Role.SUPERVISOR, username="amina.ma")
    ma = world.principal(ma_user)
    fr = world.principal(world.user("NCB-FR", Role.SUPERVISOR))
    officer = world.principal(world.user("NCB-FR", Role.OFFICER))
    with world.db.session() as session:
        # FR reads MA's records: entries about MA's records, not FR's.
        records.records_page(session, fr, records.RecordFilter(), limit=50)
    fr_org = world.org("NCB-FR").id
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    with world.db.session() as session:
        seen_by_ma = oversight.audit_page(
            session, ma, AuditFilter(actor_org_id=fr_org, action="record.list")
        )
        assert seen_by_ma.total == len(people)
        # FR's own-records log has nothing about MA's records.
        assert oversight.audit_page(session, fr, AuditFilter(action="record")).total == 0
        assert oversight.audit_page(session, ma, AuditFilter(since=tomorrow)).total == 0
        assert oversight.audit_page(
            session, ma, AuditFilter(until=tomorrow, action="record.create")
        ).total == len(people)
        assert (
            oversight.audit_page(session, ma, AuditFilter(actor="nobody-by-that-name")).total == 0
        )
        assert oversight.audit_page(session, ma, AuditFilter(object_type="notice")).total == 0
        with pytest.raises(Forbidden):
            oversight.audit_page(session, officer, AuditFilter())


def test_audit_export_holds_only_what_the_reader_may_see(world: World, people) -> None:
    ma = world.principal(world.user("NCB-MA", Role.SUPERVISOR))
    fr = world.principal(world.user("NCB-FR", Role.SUPERVISOR))
    commission = world.principal(world.user("CCF", Role.OVERSIGHT, mfa=True))
    ma_org = world.org("NCB-MA").id
    with world.db.session() as session:
        records.records_page(session, fr, records.RecordFilter(), limit=50)
    with world.db.session() as session:
        assert oversight.audit_export(session, fr, AuditFilter()) == []
        rows = oversight.audit_export(session, ma, AuditFilter(action="record"))
        assert rows and {e.object_owner_org_id for e in rows} == {ma_org}
        everything = oversight.audit_export(session, commission, AuditFilter())
        assert len(everything) > len(rows)
    with world.db.session() as session:
        exports = oversight.audit_page(session, commission, AuditFilter(action="audit.export"))
        assert exports.total == 3
        assert {e.outcome for e in exports.items} == {"ok"}


def test_audit_export_refuses_more_than_it_can_hold(
    world: World, people, monkeypatch: pytest.MonkeyPatch
) -> None:
    commission = world.principal(world.user("CCF", Role.OVERSIGHT, mfa=True))
    monkeypatch.setattr(oversight, "EXPORT_MAX", 3)
    with world.db.session() as session, pytest.raises(InvalidInput, match="narrow"):
        oversight.audit_export(session, commission, AuditFilter())
