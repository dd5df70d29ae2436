"""The main pages in Arabic (right to left) and French: the switch in the layout, dir and lang
on <html>, no horizontal overflow at 1280 and 390 px, axe, screenshots (docs/languages.md).
Runs on SQLite and PostgreSQL through the `world` fixture, like every browser test."""

from __future__ import annotations

import pytest

from interlink.core.auth import Role
from interlink.core.i18n import LANGUAGES
from tests.browser.conftest import login
from tests.browser.pagecheck import axe_source, check_page
from tests.support import PASSWORD, World

PAGES = ["/", "/records", "/records/new/person", "/notices", "/screen", "/messages", "/account"]


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_main_pages_in_another_language(
    world: World, live_server: str, new_page, language: str
) -> None:
    world.user("NCB-MA", Role.SUPERVISOR, username="rabat.lang")
    page = new_page()
    login(page, live_server, "rabat.lang", PASSWORD)
    # the switch on every page: one button per language, named in that language
    page.get_by_test_id("language-switch").get_by_role("button", name=LANGUAGES[language]).click()
    page.wait_for_load_state("load")
    source = axe_source()
    problems = {}
    for path in PAGES:
        report = check_page(page, live_server, path, source, shots=f"lang-{language}")
        html = page.locator("html")
        assert html.get_attribute("lang") == language, path
        assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr"), path
        if report.problems:
            problems[path] = report.problems
    assert not problems, problems
    # the choice is the user's: another browser (no cookie, English login page) gets it
    other = new_page()
    login(other, live_server, "rabat.lang", PASSWORD)
    assert other.locator("html").get_attribute("lang") == language
