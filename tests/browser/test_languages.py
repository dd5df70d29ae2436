"""The main pages in Arabic (right to left) and French: the switch in the layout, dir and lang
on <html>, no horizontal overflow at 1280 and 390 px, axe, screenshots (docs/languages.md).
Runs on SQLite and PostgreSQL through the `world` fixture, like every browser test."""

from __future__ import annotations

import re

import pytest

from interlink.core.auth import Role
from interlink.core.i18n import LANGUAGES, translations
from tests.browser.conftest import login
from tests.browser.pagecheck import axe_source, check_page
from tests.support import PASSWORD, World

PAGES = ["/", "/records", "/records/new/person", "/notices", "/screen", "/messages", "/account"]


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_main_pages_in_another_language(
    world: World, live_server: str, new_page, lang: str
) -> None:
    world.user("NCB-MA", Role.SUPERVISOR, username="rabat.lang")
    page = new_page()
    login(page, live_server, "rabat.lang", PASSWORD)
    # the switch on every page: one button per language, named in that language
    page.get_by_test_id("language-switch").get_by_role("button", name=LANGUAGES[lang]).click()
    page.wait_for_load_state("load")
    source = axe_source()
    problems = {}
    for path in PAGES:
        report = check_page(page, live_server, path, source, shots=f"lang-{lang}")
        html = page.locator("html")
        assert html.get_attribute("lang") == lang, path
        assert html.get_attribute("dir") == ("rtl" if lang == "ar" else "ltr"), path
        if report.problems:
            problems[path] = report.problems
    assert not problems, problems
    # the choice is the user's: another browser (no cookie, English login page) gets it
    other = new_page()
    login(other, live_server, "rabat.lang", PASSWORD)
    assert other.locator("html").get_attribute("lang") == lang


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_journey_in_another_language(world: World, live_server: str, new_page, lang: str) -> None:
    """A supervisor who works in Arabic or French creates a person's record through the form
    and screens a native-script spelling of the name: every label, button and result heading
    is found by its translation in the catalog, and no English is left on the way."""
    engine = world.app.state.interlink.services.screener.engine
    engine.build()
    world.user("NCB-MA", Role.SUPERVISOR, username="rabat.journey")
    catalog = translations(lang)
    t = catalog.gettext  # labels exact: in Arabic "Sex" is a prefix of "Nationalities"
    page = new_page()
    login(page, live_server, "rabat.journey", PASSWORD)
    page.get_by_test_id("language-switch").get_by_role("button", name=LANGUAGES[lang]).click()
    page.wait_for_load_state("load")

    page.goto(f"{live_server}/records/new/person")
    assert page.locator("html").get_attribute("lang") == lang
    page.get_by_label(t("Full name (any script)"), exact=True).fill("Samir Ouazzani")
    page.get_by_label(t("Aliases (separated by ;)"), exact=True).fill("سمير الوزاني")
    page.get_by_label(t("Sex"), exact=True).select_option("male")
    page.get_by_label(t("Birth date (YYYY, YYYY-MM or YYYY-MM-DD)"), exact=True).fill("1983-07-19")
    page.get_by_label(t("Nationalities (codes)"), exact=True).fill("MA")
    page.get_by_role("button", name=t("Save record")).click()
    page.wait_for_url(re.compile(r"/records/\d+$"))
    assert "Samir Ouazzani" in page.locator("main").inner_text()
    engine.refresh()

    page.goto(f"{live_server}/screen")
    page.get_by_label(t("Name (any script)"), exact=True).fill("سمير الوزاني")
    page.get_by_role("button", name=t("Check person")).click()
    result = page.get_by_test_id("screen-result")
    assert result.get_by_role("heading", name=t("Result")).is_visible()
    hit = result.get_by_test_id("hit").first
    assert "Samir Ouazzani" in hit.inner_text()
    assert t("Why it matched") in hit.inner_text()
    assert "Why it matched" not in hit.inner_text()
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    # a refusal on the same page comes in the language too
    page.goto(f"{live_server}/screen")
    page.get_by_role("button", name=t("Check person")).click()
    summary = page.get_by_test_id("error-summary").inner_text()
    assert t("Enter a name, a document number or MRZ, or a vehicle.") in summary


def test_the_link_graph_and_a_hit_alert_in_arabic(world: World, live_server: str, new_page) -> None:
    """FR's record is linked to MA's; FR is told by a hit alert. In Arabic both pages pass
    axe and fit at 1280 and 390 px; the record label in the alert is isolated, so the
    parenthesis after it stays in its place (screenshots: lang-ar-linking-*)."""
    from sqlalchemy import select

    from interlink.linking.models import Link
    from interlink.screening.models import Hit
    from tests.linking.test_linking_service import PUSHKIN, PUSHKIN_FR, _create, _settle

    world.app.state.interlink.services.screener.engine.build()
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    user = world.user("NCB-FR", Role.SUPERVISOR, username="paris.links")
    fr = world.api_as(user)
    _create(ma, PUSHKIN)
    record = _create(fr, PUSHKIN_FR, {"visibility": "only", "countries": ["FR", "DE"]})
    _settle(world)
    with world.db.session() as session:
        link = session.scalars(select(Link)).one()
        thread = session.get(Hit, link.notified_hits[0]).thread_id
    page = new_page()
    login(page, live_server, "paris.links", PASSWORD)
    page.get_by_test_id("language-switch").get_by_role("button", name=LANGUAGES["ar"]).click()
    page.wait_for_load_state("load")
    source = axe_source()
    problems = {}
    for path in (f"/links/graph/{record}", f"/messages/{thread}"):
        report = check_page(page, live_server, path, source, shots="lang-ar-linking")
        if report.problems:
            problems[path] = report.problems
    assert not problems, problems
    body = page.get_by_test_id("body").first.inner_text()
    assert "\u2068Пушкин Александр\u2069 (" in body
    assert "A record held by" not in body
