"""A person logs in with a real browser and sees their home page, in English, Arabic and
French (the `language` fixture, tests/browser/conftest.py)."""

from __future__ import annotations

from interlink.core.auth import Role
from tests.browser.conftest import check_language, login
from tests.support import PASSWORD, World


def test_officer_logs_in_and_sees_home(
    world: World, live_server: str, new_page, language: str, t
) -> None:
    world.user("NCB-MA", Role.OFFICER, username="rabat.officer")
    page = new_page()
    login(page, live_server, "rabat.officer", PASSWORD)
    assert page.get_by_test_id("who").inner_text().startswith("rabat.officer")
    assert "NCB Morocco" in page.get_by_test_id("bureau").inner_text()
    assert t("Screen names") in page.get_by_test_id("permissions").inner_text()
    check_language(page, language)


def test_admin_logs_in_with_second_factor(
    world: World, live_server: str, new_page, language: str, t
) -> None:
    admin = world.user("NCB-MA", Role.NCB_ADMIN, username="rabat.admin", mfa=True)
    page = new_page()
    login(page, live_server, "rabat.admin", PASSWORD, admin.totp_secret)
    page.get_by_role("link", name=t("Users")).first.click()
    assert page.get_by_role("heading", name=t("Users")).is_visible()
    check_language(page, language)


def test_wrong_password_is_refused(
    world: World, live_server: str, new_page, language: str, t
) -> None:
    world.user("NCB-MA", Role.OFFICER, username="rabat.officer")
    page = new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label(t("Username")).fill("rabat.officer")
    page.get_by_label(t("Password")).fill("not-the-password")
    page.get_by_role("button", name=t("Log in")).click()
    assert t("wrong username or password") in page.get_by_role("alert").inner_text()
    check_language(page, language)
