"""In a real browser: a list pages past 50 with its filters kept, a form error keeps what was
typed and links to its field, and an irreversible action waits for a check-your-answers page.
Each page is checked by axe-core, at phone width, under the CSP; screenshots go to artefacts.
In English, Arabic and French."""

from __future__ import annotations

from interlink.core.auth import Role
from interlink.records import service as records
from interlink.records.restrictions import Restrictions
from tests.browser.conftest import check_language, login, shows
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


def _shots(database, language: str) -> str | None:
    if database.engine.dialect.name != "sqlite" or language == "fr":
        return None
    return "lists" if language == "en" else f"lists-{language}"


def test_records_list_pages_with_its_filters(
    world: World, live_server: str, new_page, database, language: str, t
) -> None:
    source = axe_source()
    _documents(world, 55)
    world.user("NCB-FR", Role.SUPERVISOR, username="paris.supervisor")
    page = new_page()
    login(page, live_server, "paris.supervisor", PASSWORD)
    page.get_by_role("link", name=t("Records")).first.click()
    page.get_by_label(t("Kind")).select_option("document")
    page.get_by_label(t("Order")).select_option("name")
    page.get_by_role("button", name=t("Filter")).click()
    assert page.get_by_test_id("list-count").inner_text() == t(
        "Showing %(shown)s of %(total)s %(noun)s", shown=50, total=55, noun=t("records")
    )
    first = page.get_by_test_id("records-table").inner_text()
    assert "MA0000000" in first and "MA0000050" not in first and "MA9999999" not in first
    page.get_by_test_id("next-page").click()
    second = page.get_by_test_id("records-table").inner_text()
    assert "MA0000050" in second and "MA0000054" in second and "MA0000049" not in second
    assert page.get_by_label(t("Kind")).input_value() == "document"  # the filters stay
    assert page.get_by_label(t("Order")).input_value() == "name"
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
        shots = _shots(database, language) if "NCB-ZZ" not in path else None  # one picture a page
        report = check_page(page, live_server, path, source, shots=shots)
        problems += [f"{report.url}: {p}" for p in report.problems]
        check_language(page, language)
    assert not problems, "\n".join(problems)


def test_a_form_error_keeps_the_input_and_closing_waits_for_a_check(
    world: World, live_server: str, new_page, database, language: str, t
) -> None:
    source = axe_source()
    world.user("NCB-MA", Role.OFFICER, username="rabat.officer")
    page = new_page()
    login(page, live_server, "rabat.officer", PASSWORD)
    page.goto(f"{live_server}/messages/new")
    page.get_by_label(t("To")).fill("FR, ZZ")
    page.get_by_label(t("Subject")).fill("Ferry manifest")
    page.get_by_label(t("Message")).fill("Line one\nLine two")
    page.get_by_role("button", name=t("Sign and send")).click()
    summary = page.get_by_test_id("error-summary")
    assert t("unknown organisation: %(value)s", value="ZZ") in summary.inner_text()
    assert page.get_by_label(t("Message")).input_value() == "Line one\nLine two"
    assert page.get_by_label(t("Subject")).input_value() == "Ferry manifest"
    violations = run_axe(page, source)  # the error state itself, as the user sees it
    summary.get_by_role("link").click()  # the summary's link takes the cursor to the field
    assert page.evaluate("() => document.activeElement.id") == "recipients"
    page.get_by_label(t("To")).fill("FR")
    page.get_by_role("button", name=t("Sign and send")).click()
    body = page.get_by_test_id("body")
    assert body.inner_text() == "Line one\nLine two"  # line breaks kept, without inline style

    page.goto(f"{live_server}/operations")
    page.get_by_label(t("Name")).fill("Sandstorm")
    page.get_by_role("button", name=t("Open operation")).click()
    page.get_by_role("button", name=t("Close operation…")).click()
    confirm = page.get_by_test_id("confirm")
    assert t("Close the operation %(name)s?", name="Sandstorm") in confirm.inner_text()
    check_language(page, language)
    violations += run_axe(page, source)
    page.get_by_role("link", name=t("Cancel")).click()
    assert t("Active") in page.locator("#operation-facts").inner_text()  # nothing happened
    page.get_by_role("button", name=t("Close operation…")).click()
    page.get_by_role("button", name=t("Close the operation")).click()
    closed = t("Closed %(closed_at)s")
    assert shows(page.locator("#operation-facts").inner_text(), closed)
    page.reload()  # the page after a POST is a GET: a reload repeats nothing
    assert shows(page.locator("#operation-facts").inner_text(), closed)
    assert not violations, violations
