"""In a real browser: Rabat submits a domain, Paris confirms it, the GS publishes version 1;
in English, Arabic and French."""

from __future__ import annotations

from interlink.core.auth import Role
from tests.browser.conftest import check_language, login
from tests.support import PASSWORD, World


def fill_attestation(page, reference: str, t) -> None:
    page.get_by_label(t("The material shows real children")).check()
    page.get_by_label(t("The children appear to be under 13")).check()
    page.get_by_label(t("The abuse is severe")).check()
    page.get_by_label(t("Evidence reference")).fill(reference)


def test_submit_confirm_publish(world: World, live_server: str, new_page, language: str, t) -> None:
    world.user("NCB-MA", Role.SUPERVISOR, username="rabat.supervisor")
    world.user("NCB-FR", Role.SUPERVISOR, username="paris.supervisor")
    gs = world.user("GS", Role.GS_ADMIN, username="gs.admin", mfa=True)

    rabat = new_page()
    login(rabat, live_server, "rabat.supervisor", PASSWORD)
    rabat.get_by_role("link", name=t("Blocklist")).first.click()
    rabat.get_by_role("link", name=t("Submit a domain")).click()
    rabat.get_by_label(t("Domain")).fill("abuse-gallery.example")
    fill_attestation(rabat, "MA-CYB-2026-1", t)
    rabat.get_by_role("button", name=t("Submit domain")).click()
    assert rabat.get_by_test_id("state").inner_text() == t("Submitted")
    facts = rabat.locator("#domain-facts").inner_text()
    assert t("%(current)s of %(needed)s needed", current=1, needed=2) in facts
    check_language(rabat, language)

    paris = new_page()
    login(paris, live_server, "paris.supervisor", PASSWORD)
    paris.goto(f"{live_server}/blocklist/queue")
    paris.get_by_test_id("queue").get_by_role("link", name="abuse-gallery.example").click()
    fill_attestation(paris, "FR-OCRVP-88", t)
    paris.get_by_role("button", name=t("Confirm")).click()
    assert paris.get_by_test_id("state").inner_text() == t("Confirmed")

    secretariat = new_page()
    login(secretariat, live_server, "gs.admin", PASSWORD, gs.totp_secret)
    secretariat.get_by_role("link", name=t("Blocklist management")).first.click()
    assert "abuse-gallery.example" in secretariat.get_by_test_id("pending").inner_text()
    secretariat.get_by_role(
        "link", name=t("Check and publish version %(version)s", version=1)
    ).click()
    # Check your answers: the version's additions, then the irreversible button.
    assert "abuse-gallery.example" in secretariat.get_by_test_id("confirm").inner_text()
    secretariat.get_by_role("button", name=t("Publish version %(version)s", version=1)).click()
    published = t(
        "Version %(version)s published. Providers receive it at their next update.", version=1
    )
    assert published in secretariat.get_by_test_id("banner").inner_text()
    check_language(secretariat, language)
    secretariat.reload()  # a reload repeats nothing: the page is the one redirected to
    assert published in secretariat.get_by_test_id("banner").inner_text()
    secretariat.get_by_role("link", name=t("Versions")).click()
    assert "gs.admin" in secretariat.get_by_test_id("versions").inner_text()
