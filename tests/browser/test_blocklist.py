"""In a real browser: Rabat submits a domain, Paris confirms it, the GS publishes version 1."""

from __future__ import annotations

from interlink.core.auth import Role
from tests.browser.conftest import login
from tests.support import PASSWORD, World


def fill_attestation(page, reference: str) -> None:
    page.get_by_label("The material shows real children").check()
    page.get_by_label("The children appear to be under 13").check()
    page.get_by_label("The abuse is severe").check()
    page.get_by_label("Evidence reference").fill(reference)


def test_submit_confirm_publish(world: World, live_server: str, new_page) -> None:
    world.user("NCB-MA", Role.SUPERVISOR, username="rabat.supervisor")
    world.user("NCB-FR", Role.SUPERVISOR, username="paris.supervisor")
    gs = world.user("GS", Role.GS_ADMIN, username="gs.admin", mfa=True)

    rabat = new_page()
    login(rabat, live_server, "rabat.supervisor", PASSWORD)
    rabat.get_by_role("link", name="Blocklist").first.click()
    rabat.get_by_role("link", name="Submit a domain").click()
    rabat.get_by_label("Domain").fill("abuse-gallery.example")
    fill_attestation(rabat, "MA-CYB-2026-1")
    rabat.get_by_role("button", name="Submit domain").click()
    assert rabat.get_by_test_id("state").inner_text() == "submitted"
    assert "1 of 2 needed" in rabat.locator("#domain-facts").inner_text()

    paris = new_page()
    login(paris, live_server, "paris.supervisor", PASSWORD)
    paris.goto(f"{live_server}/blocklist/queue")
    paris.get_by_test_id("queue").get_by_role("link", name="abuse-gallery.example").click()
    fill_attestation(paris, "FR-OCRVP-88")
    paris.get_by_role("button", name="Confirm").click()
    assert paris.get_by_test_id("state").inner_text() == "confirmed"

    secretariat = new_page()
    login(secretariat, live_server, "gs.admin", PASSWORD, gs.totp_secret)
    secretariat.get_by_role("link", name="Blocklist management").first.click()
    assert "abuse-gallery.example" in secretariat.get_by_test_id("pending").inner_text()
    secretariat.get_by_role("link", name="Check and publish version 1").click()
    # Check your answers: the version's additions, then the irreversible button.
    assert "abuse-gallery.example" in secretariat.get_by_test_id("confirm").inner_text()
    secretariat.get_by_role("button", name="Publish version 1").click()
    assert "Version 1 published" in secretariat.get_by_test_id("banner").inner_text()
    secretariat.reload()  # a reload repeats nothing: the page is the one redirected to
    assert "Version 1 published" in secretariat.get_by_test_id("banner").inner_text()
    secretariat.get_by_role("link", name="Versions").click()
    assert "gs.admin" in secretariat.get_by_test_id("versions").inner_text()
