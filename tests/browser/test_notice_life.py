"""A Red notice's whole life in a real browser, across three bureaus and the GS."""

from __future__ import annotations

from interlink.core.auth import Role
from tests.browser.conftest import login
from tests.support import PASSWORD, World


def test_red_notice_from_draft_to_publication(world: World, live_server: str, new_page) -> None:
    world.user("NCB-MA", Role.SUPERVISOR, username="rabat.supervisor")
    reviewer = world.user("GS", Role.COMPLIANCE_REVIEWER, username="lyon.reviewer", mfa=True)
    world.user("NCB-FR", Role.OFFICER, username="paris.officer")
    world.user("NCB-DE", Role.OFFICER, username="berlin.officer")

    # Rabat drafts the request, excluding Germany, and submits it.
    rabat = new_page()
    login(rabat, live_server, "rabat.supervisor", PASSWORD)
    rabat.goto(f"{live_server}/notices/new")
    rabat.get_by_label("Type").select_option("red")
    rabat.get_by_label("Full name").fill("Samir Ouazzani")
    rabat.get_by_label("Sex").select_option("male")
    rabat.get_by_label("Birth date").fill("1983-07-19")
    rabat.get_by_label("Nationalities (codes)").fill("MA")
    rabat.get_by_label("Physical description").fill("Scar above the left eye")
    rabat.get_by_label("Summary of facts").fill(
        "Organised the theft and export of 40 cars through Tanger Med in 2025.")
    rabat.get_by_label("Offence category").select_option("organised_crime")
    rabat.get_by_label("Offence", exact=True).fill("Theft in an organised group")
    rabat.get_by_label("Law").fill("Penal Code art. 509")
    rabat.get_by_label("Purpose").select_option("prosecution")
    rabat.get_by_label("Maximum penalty (months)").fill("240")
    rabat.get_by_label("Warrant or judgment reference").fill("TNG-2025-118")
    rabat.get_by_label("Warrant date").fill("2025-12-01")
    rabat.get_by_label("Issuing authority").fill("Investigating judge, Tangier")
    rabat.get_by_label("Who may see it").select_option("except")
    rabat.get_by_label("Members (codes, e.g. FR, DE)").fill("DE")
    rabat.get_by_role("button", name="Save draft").click()
    assert rabat.get_by_test_id("notice-state").inner_text() == "draft"
    notice_url = rabat.url
    rabat.get_by_role("button", name="Submit for review").click()
    assert rabat.get_by_test_id("notice-state").inner_text() == "submitted"

    # The GS reviewer asks for information.
    gs = new_page()
    login(gs, live_server, "lyon.reviewer", PASSWORD, reviewer.totp_secret)
    gs.goto(f"{live_server}/notices/review")
    gs.get_by_role("link", name="A-").first.click()
    gs.get_by_role("button", name="Start review").click()
    gs.get_by_label("What information is needed").fill("Is the co-accused also sought?")
    gs.get_by_role("button", name="Ask for information").click()
    assert gs.get_by_test_id("notice-state").inner_text() == "needs info"

    # Rabat answers in place.
    rabat.goto(notice_url)
    assert "Is the co-accused also sought?" in rabat.get_by_test_id("timeline").inner_text()
    rabat.get_by_label("Your answer to the reviewer").fill("No, a separate request follows.")
    rabat.get_by_role("button", name="Send answer").click()
    assert rabat.get_by_test_id("notice-state").inner_text() == "submitted"

    # The reviewer approves with reasons.
    gs.goto(notice_url)
    gs.get_by_role("button", name="Start review").click()
    gs.get_by_label("Reasons for approval").fill("Serious ordinary-law crime; criteria met.")
    gs.get_by_role("button", name="Approve and publish").click()
    assert gs.get_by_test_id("notice-state").inner_text() == "published"

    # Paris finds it; Berlin, excluded by Rabat's restrictions, does not.
    paris = new_page()
    login(paris, live_server, "paris.officer", PASSWORD)
    paris.goto(f"{live_server}/notices")
    paris.get_by_role("link", name="A-").first.click()
    assert "Samir Ouazzani" in paris.get_by_test_id("notice-data").inner_text()
    assert paris.get_by_test_id("notice-state").inner_text() == "published"

    berlin = new_page()
    login(berlin, live_server, "berlin.officer", PASSWORD)
    berlin.goto(f"{live_server}/notices")
    assert "Samir Ouazzani" not in berlin.content()
    response = berlin.goto(notice_url)
    assert response is not None and response.status == 404
