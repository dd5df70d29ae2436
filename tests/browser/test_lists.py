"""In a real browser: a list pages past 50 with its filters kept, a form error keeps what was
typed and links to its field, and an irreversible action waits for a check-your-answers page.
Each page is checked by axe-core, at phone width, under the CSP; screenshots go to artefacts."""

from __future__ import annotations

from interlink.core.auth import Role
from interlink.records import service as records
from interlink.records.restrictions import Restrictions
from tests.browser.conftest import login
from tests.browser.pagecheck import axe_source, check_page, run_axe
from tests.support import PASSWORD, World
from tests.web.test_lists_service import document


def _documents(world: World, count: int) -> None:
    rabat = world.principal(world.user("NCB-MA", Role.SUPERVISOR))
    with world.db.session() as session:
        for number in range(count):
            records.create_record(
                session, rabat, records.NewRecord(document(f"MA00000{number:02d}"), Restrictions())
            )
        records.create_record(
            session,
            rabat,
            records.NewRecord(
                document("MA9999999"), Restrictions(visibility="only", countries=["MA"])
            ),
        )


def _shots(database) -> str | None:
    return "lists" if database.engine.dialect.name == "sqlite" else None


def test_records_list_pages_with_its_filters(
    world: World, live_server: str, new_page, database
) -> None:
    source = axe_source()
    _documents(world, 55)
    world.user("NCB-FR", Role.SUPERVISOR, username="paris.supervisor")
    page = new_page()
    login(page, live_server, "paris.supervisor", PASSWORD)
    page.get_by_role("link", name="Records").first.click()
    page.get_by_label("Kind").select_option("document")
    page.get_by_label("Order").select_option("name")
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_test_id("list-count").inner_text() == "Showing 50 of 55 records"
    first = page.get_by_test_id("records-table").inner_text()
    assert "MA0000000" in first and "MA0000050" not in first and "MA9999999" not in first
    page.get_by_test_id("next-page").click()
    second = page.get_by_test_id("records-table").inner_text()
    assert "MA0000050" in second and "MA0000054" in second and "MA0000049" not in second
    assert page.get_by_label("Kind").input_value() == "document"  # the filters stay
    assert page.get_by_label("Order").input_value() == "name"
    page.get_by_test_id("first-page").click()
    assert "MA0000000" in page.get_by_test_id("records-table").inner_text()

    problems = []
    for path in (
        "/records?kind=document&sort=name",
        "/notices?notice_type=red",
        "/audit?action=record",
        "/followups",
        "/records?owner=NCB-ZZ",
    ):
        shots = _shots(database) if "NCB-ZZ" not in path else None  # one picture a page
        report = check_page(page, live_server, path, source, shots=shots)
        problems += [f"{report.url}: {p}" for p in report.problems]
    assert not problems, "\n".join(problems)


def test_a_form_error_keeps_the_input_and_closing_waits_for_a_check(
    world: World, live_server: str, new_page, database
) -> None:
    source = axe_source()
    world.user("NCB-MA", Role.OFFICER, username="rabat.officer")
    page = new_page()
    login(page, live_server, "rabat.officer", PASSWORD)
    page.goto(f"{live_server}/messages/new")
    page.get_by_label("To").fill("FR, ZZ")
    page.get_by_label("Subject").fill("Ferry manifest")
    page.get_by_label("Message").fill("Line one\nLine two")
    page.get_by_role("button", name="Sign and send").click()
    summary = page.get_by_test_id("error-summary")
    assert "unknown organisation: ZZ" in summary.inner_text()
    assert page.get_by_label("Message").input_value() == "Line one\nLine two"
    assert page.get_by_label("Subject").input_value() == "Ferry manifest"
    violations = run_axe(page, source)  # the error state itself, as the user sees it
    summary.get_by_role("link").click()  # the summary's link takes the cursor to the field
    assert page.evaluate("() => document.activeElement.id") == "recipients"
    page.get_by_label("To").fill("FR")
    page.get_by_role("button", name="Sign and send").click()
    body = page.get_by_test_id("body")
    assert body.inner_text() == "Line one\nLine two"  # line breaks kept, without inline style

    page.goto(f"{live_server}/operations")
    page.get_by_label("Name").fill("Sandstorm")
    page.get_by_role("button", name="Open operation").click()
    page.get_by_role("button", name="Close operation…").click()
    confirm = page.get_by_test_id("confirm")
    assert "Close the operation Sandstorm?" in confirm.inner_text()
    violations += run_axe(page, source)
    page.get_by_role("link", name="Cancel").click()
    assert "Active" in page.locator("#operation-facts").inner_text()  # nothing happened
    page.get_by_role("button", name="Close operation…").click()
    page.get_by_role("button", name="Close the operation").click()
    assert "Closed" in page.locator("#operation-facts").inner_text()
    page.reload()  # the page after a POST is a GET: a reload repeats nothing
    assert "Closed" in page.locator("#operation-facts").inner_text()
    assert not violations, violations
