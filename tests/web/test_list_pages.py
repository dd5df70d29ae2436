"""List pages over HTTP: filters kept in the form and in the next-page link, errors beside
the fields and at the top, organisations by name and code, CSV of the audit log."""

from __future__ import annotations

import csv
import io
import re

import pytest

from interlink.core.auth import Role
from interlink.records import service as records
from interlink.records.restrictions import Restrictions
from tests.support import World
from tests.web.test_lists_service import document


@pytest.fixture
def many_documents(world: World) -> list[int]:
    ma = world.principal(world.user("NCB-MA", Role.SUPERVISOR))
    with world.db.session() as session:
        ids = []
        for number in range(55):
            ids.append(
                records.create_record(
                    session, ma, records.NewRecord(document(f"MA00000{number:02d}"), Restrictions())
                ).id
            )
        ids.append(
            records.create_record(
                session,
                ma,
                records.NewRecord(
                    document("MA9999999"), Restrictions(visibility="only", countries=["MA"])
                ),
            ).id
        )
    return ids


def test_records_list_pages_past_fifty_with_a_total(world: World, many_documents) -> None:
    client = world.browser_login(world.user("NCB-FR", Role.OFFICER))
    first = client.get("/records", params={"sort": "name", "kind": "document"})
    assert first.status_code == 200
    assert "Showing 50 of 55 records" in first.text
    assert "MA9999999" not in first.text  # visible to MA only
    assert "\\u" not in first.text
    assert re.search(r"Morocco|NCB-MA\)", first.text)
    link = re.search(r'href="(/records\?[^"]+cursor=[^"]+)"', first.text).group(1)
    assert "sort=name" in link and "kind=document" in link
    second = client.get(link.replace("&amp;", "&"))
    assert second.status_code == 200
    names = re.findall(r"passport MA MA00000(\d\d)", second.text)
    assert names == [f"{n:02d}" for n in range(50, 55)]
    assert 'data-testid="next-page"' not in second.text


def test_records_list_errors_keep_the_input(world: World, many_documents) -> None:
    client = world.browser_login(world.user("NCB-FR", Role.OFFICER))
    bad = client.get("/records", params={"q": "MA0000", "owner": "NCB-ZZ", "kind": "ship"})
    assert bad.status_code == 422
    assert 'data-testid="error-summary"' in bad.text
    assert 'href="#owner"' in bad.text and 'href="#kind"' in bad.text
    assert 'id="owner-error"' in bad.text
    assert 'value="MA0000"' in bad.text


def test_notices_list_has_filters_and_a_total(world: World) -> None:
    client = world.browser_login(world.user("NCB-FR", Role.OFFICER))
    page = client.get(
        "/notices",
        params={
            "notice_type": "red",
            "requester": "NCB-MA",
            "since": "2026-01-01",
            "until": "2026-12-31",
        },
    )
    assert page.status_code == 200
    assert "0 notices and diffusions" in page.text
    assert "UN Special" in page.text
    bad = client.get("/notices", params={"until": "2026-01-01", "since": "2026-02-01"})
    assert bad.status_code == 422 and "the end date is before the start date" in bad.text


def test_audit_page_opens_on_the_newest_and_exports_what_it_shows(
    world: World, many_documents
) -> None:
    fr = world.browser_login(world.user("NCB-FR", Role.OFFICER))
    fr.get("/records")  # FR lists MA's records: 50 record.list entries about MA's records
    ma = world.browser_login(world.user("NCB-MA", Role.SUPERVISOR))
    page = ma.get("/audit", params={"action": "record.list", "org": "NCB-FR"})
    assert page.status_code == 200
    assert "Showing 50 of 50 entries" not in page.text and "50 entries" in page.text
    seqs = [int(n) for n in re.findall(r'data-entry="(\d+)"', page.text)]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) == 50
    older = ma.get("/audit", params={"action": "record"})
    assert "Older entries" in older.text
    export = ma.get("/audit.csv", params={"action": "record.list", "org": "NCB-FR"})
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert len(rows) == 50 and {r["actor_org"][-8:] for r in rows} == {"(NCB-FR)"}
    assert {r["object_owner_org"][-8:] for r in rows} == {"(NCB-MA)"}
    # FR's own log holds nothing about MA's records, in the page or in the export.
    fr_supervisor = world.browser_login(world.user("NCB-FR", Role.SUPERVISOR))
    mine = fr_supervisor.get("/audit.csv", params={"action": "record.list"})
    assert list(csv.DictReader(io.StringIO(mine.text.lstrip("\ufeff")))) == []
    assert fr.get("/audit").status_code == 403
    assert fr.get("/audit.csv").status_code == 403
