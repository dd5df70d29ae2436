"""The core chain in a real browser, on SQLite and PostgreSQL: a supervisor creates a person
and a Red notice in one form; the reviewer asks for information; the bureau amends the data
and answers; the reviewer sees what changed and approves; an officer of a second member
screens a native-script spelling and sees the hit with the reference and the action asked;
the owner sees the alert and answers; the notice is cancelled and the same check answers no
hit. A member excluded from the notice finds nothing; one excluded from action is warned."""

from __future__ import annotations

from sqlalchemy import select

from interlink.core.auth import Role
from interlink.screening.models import Hit
from tests.browser.conftest import login
from tests.support import PASSWORD, World


def _screen(page, base: str, name: str) -> str:
    page.goto(f"{base}/screen")
    page.get_by_label("Name (any script)").fill(name)
    page.get_by_role("button", name="Check person").click()
    return page.get_by_test_id("screen-result").inner_text()


def _confirm(page, button: str) -> None:
    """The check-your-answers step before an irreversible action."""
    page.get_by_test_id("confirm").get_by_role("button", name=button).click()


def test_the_core_chain(world: World, live_server: str, new_page) -> None:
    engine = world.app.state.interlink.services.screener.engine
    engine.build()
    world.user("NCB-MA", Role.SUPERVISOR, username="rabat.supervisor")
    reviewer = world.user("GS", Role.COMPLIANCE_REVIEWER, username="lyon.reviewer", mfa=True)
    world.user("NCB-FR", Role.OFFICER, username="paris.officer")
    world.user("NCB-DE", Role.OFFICER, username="berlin.officer")
    world.user("NCB-ES", Role.OFFICER, username="madrid.officer")

    # Rabat creates the person and the Red notice in one form, excluding Germany from seeing
    # it and Spain from acting on it.
    rabat = new_page()
    login(rabat, live_server, "rabat.supervisor", PASSWORD)
    rabat.goto(f"{live_server}/notices/new")
    rabat.get_by_label("Type").select_option("red")
    rabat.get_by_label("A person entered here").check()
    rabat.get_by_label("Full name").fill("Samir Ouazzani")
    rabat.get_by_label("Aliases (separated by ;)").fill("سمير الوزاني")
    rabat.get_by_label("Sex").select_option("male")
    rabat.get_by_label("Birth date").fill("1983-07-19")
    rabat.get_by_label("Nationalities (codes)").fill("MA")
    rabat.get_by_label("Physical description").fill("Scar above the left eye")
    rabat.get_by_label("Summary of facts").fill(
        "Organised the theft and export of 40 cars through Tanger Med in 2025."
    )
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
    rabat.get_by_label("Not to be acted on in (codes)").fill("ES")
    rabat.get_by_role("button", name="Save draft").click()
    assert rabat.get_by_test_id("notice-state").inner_text() == "draft"
    assert "سمير الوزاني" in rabat.get_by_test_id("notice-data").inner_text()
    notice_url = rabat.url
    reference = rabat.get_by_role("heading", level=1).inner_text()
    assert reference.startswith("A-MA-")
    rabat.get_by_role("button", name="Submit for review").click()
    _confirm(rabat, "Submit for review")
    assert rabat.get_by_test_id("notice-state").inner_text() == "submitted"

    # The reviewer asks for information.
    gs = new_page()
    login(gs, live_server, "lyon.reviewer", PASSWORD, reviewer.totp_secret)
    gs.goto(f"{live_server}/notices/review")
    gs.get_by_role("link", name=reference).first.click()
    gs.get_by_role("button", name="Start review").click()
    gs.get_by_label("What information is needed").fill("Confirm the birth date on the warrant.")
    gs.get_by_role("button", name="Ask for information").click()
    assert gs.get_by_test_id("notice-state").inner_text() == "needs info"

    # Rabat amends the data in place and answers.
    rabat.goto(notice_url)
    assert "Confirm the birth date" in rabat.get_by_test_id("timeline").inner_text()
    rabat.get_by_role("link", name="Change the request").click()
    rabat.get_by_label("Birth date").fill("1983-07-18")
    rabat.get_by_label("What you changed and why").fill("Birth date as on the warrant")
    rabat.get_by_role("button", name="Save changes").click()
    rabat.get_by_label("Your answer to the reviewer").fill("Corrected: born 18 July 1983.")
    rabat.get_by_role("button", name="Send answer").click()
    assert rabat.get_by_test_id("notice-state").inner_text() == "submitted"

    # The reviewer sees what changed, and approves.
    gs.goto(notice_url)
    changes = gs.get_by_test_id("changes").inner_text()
    assert "1983-07-19" in changes and "1983-07-18" in changes
    gs.get_by_role("button", name="Start review").click()
    gs.get_by_label("Reasons for approval").fill("Serious ordinary-law crime; criteria met.")
    gs.get_by_role("button", name="Approve and publish").click()
    _confirm(gs, "Approve and publish")
    assert gs.get_by_test_id("notice-state").inner_text() == "published"
    engine.refresh()

    # Paris screens the Arabic spelling: the hit names the notice and the action asked.
    paris = new_page()
    login(paris, live_server, "paris.officer", PASSWORD)
    result = _screen(paris, live_server, "سمير الوزاني")
    assert reference in result
    assert "Locate and provisionally arrest" in result

    # Germany, excluded from the notice, finds nothing; Spain is told not to act.
    berlin = new_page()
    login(berlin, live_server, "berlin.officer", PASSWORD)
    assert "No hit" in _screen(berlin, live_server, "Samir Ouazzani")
    madrid = new_page()
    login(madrid, live_server, "madrid.officer", PASSWORD)
    assert "Not to be acted on in your country" in _screen(madrid, live_server, "Samir Ouazzani")

    # Rabat sees the alert and answers it.
    with world.db.session() as session:
        thread_id = session.scalars(
            select(Hit.thread_id).where(Hit.searching_label.like("%paris%"))
        ).first()
    assert thread_id
    rabat.goto(f"{live_server}/")
    assert "Hit on Samir Ouazzani" in rabat.get_by_test_id("section-hit").inner_text()
    rabat.goto(f"{live_server}/messages/{thread_id}")
    assert reference in rabat.content()
    rabat.get_by_label("Your answer").fill("Confirmed: arrest and inform us at once.")
    rabat.get_by_role("button", name="Sign and send").click()
    assert "Confirmed: arrest and inform us at once." in rabat.content()

    # Cancelled: the same check now answers no hit.
    rabat.goto(notice_url)
    rabat.get_by_label("Reason for cancelling").fill("Arrested in Paris on 7 December.")
    rabat.get_by_role("button", name="Cancel request").click()
    _confirm(rabat, "Cancel request")
    assert rabat.get_by_test_id("notice-state").inner_text() == "cancelled"
    engine.refresh()
    assert "No hit" in _screen(paris, live_server, "سمير الوزاني")
