"""A person logs in with a real browser and sees their home page."""

from __future__ import annotations

from interlink.core.auth import Role
from tests.browser.conftest import login
from tests.support import PASSWORD, World


def test_officer_logs_in_and_sees_home(world: World, live_server: str, new_page) -> None:
    world.user("NCB-MA", Role.OFFICER, username="rabat.officer")
    page = new_page()
    login(page, live_server, "rabat.officer", PASSWORD)
    assert page.get_by_test_id("who").inner_text().startswith("rabat.officer")
    assert "NCB Morocco" in page.get_by_test_id("bureau").inner_text()
    assert "Screen names" in page.get_by_test_id("permissions").inner_text()


def test_admin_logs_in_with_second_factor(world: World, live_server: str, new_page) -> None:
    admin = world.user("NCB-MA", Role.NCB_ADMIN, username="rabat.admin", mfa=True)
    page = new_page()
    login(page, live_server, "rabat.admin", PASSWORD, admin.totp_secret)
    page.get_by_role("link", name="Users").first.click()
    assert page.get_by_role("heading", name="Users").is_visible()


def test_wrong_password_is_refused(world: World, live_server: str, new_page) -> None:
    world.user("NCB-MA", Role.OFFICER, username="rabat.officer")
    page = new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Username").fill("rabat.officer")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert "wrong username or password" in page.get_by_role("alert").inner_text()
