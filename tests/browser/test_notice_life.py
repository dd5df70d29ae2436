"""The core chain in a real browser, on SQLite and PostgreSQL: a supervisor creates a person
and a Red notice in one form; the reviewer asks for information; the bureau amends the data
and answers; the reviewer sees what changed and approves; an officer of a second member
screens a native-script spelling and sees the hit with the reference and the action asked;
the owner sees the alert and answers; the notice is cancelled and the same check answers no
hit. A member excluded from the notice finds nothing; one excluded from action is warned.
In English, Arabic and French (the `language` fixture)."""

from __future__ import annotations

from sqlalchemy import select

from interlink.core.auth import Role
from interlink.records.actions import ACTION, NOT_TO_BE_ACTED_ON, PURPOSE
from interlink.records.schemas import NoticeType
from interlink.screening.models import Hit
from tests.browser.conftest import check_language, login, shows
from tests.support import PASSWORD, World


def _screen(page, base: str, name: str, t) -> str:
    page.goto(f"{base}/screen")
    page.get_by_label(t("Name (any script)")).fill(name)
    page.get_by_role("button", name=t("Check person")).click()
    return page.get_by_test_id("screen-result").inner_text()


def _confirm(page, button: str) -> None:
    """The check-your-answers step before an irreversible action."""
    page.get_by_test_id("confirm").get_by_role("button", name=button).click()


def test_the_core_chain(world: World, live_server: str, new_page, language: str, t) -> None:
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
    rabat.get_by_label(t("Type")).select_option("red")
    rabat.get_by_label(t("A person entered here")).check()
    rabat.get_by_label(t("Full name")).fill("Samir Ouazzani")
    rabat.get_by_label(t("Aliases (separated by ;)")).fill("سمير الوزاني")
    rabat.get_by_label(t("Sex"), exact=True).select_option("male")
    rabat.get_by_label(t("Birth date")).fill("1983-07-19")
    rabat.get_by_label(t("Nationalities (codes)")).fill("MA")
    rabat.get_by_label(t("Physical description")).fill("Scar above the left eye")
    rabat.get_by_label(t("Summary of facts")).fill(
        "Organised the theft and export of 40 cars through Tanger Med in 2025."
    )
    rabat.get_by_label(t("Offence category")).select_option("organised_crime")
    rabat.get_by_label(t("Offence"), exact=True).fill("Theft in an organised group")
    rabat.get_by_label(t("Law")).fill("Penal Code art. 509")
    rabat.get_by_label(t("Purpose")).select_option("prosecution")
    rabat.get_by_label(t("Maximum penalty (months)")).fill("240")
    rabat.get_by_label(t("Warrant or judgment reference")).fill("TNG-2025-118")
    rabat.get_by_label(t("Warrant date")).fill("2025-12-01")
    rabat.get_by_label(t("Issuing authority")).fill("Investigating judge, Tangier")
    rabat.get_by_label(t("Who may see it")).select_option("except")
    rabat.get_by_label(t("Members (codes, e.g. FR, DE)")).fill("DE")
    rabat.get_by_label(t("Not to be acted on in (codes)")).fill("ES")
    rabat.get_by_role("button", name=t("Save draft")).click()
    assert rabat.get_by_test_id("notice-state").inner_text() == t("Draft")
    assert "سمير الوزاني" in rabat.get_by_test_id("notice-data").inner_text()
    check_language(rabat, language)
    notice_url = rabat.url
    reference = rabat.get_by_role("heading", level=1).inner_text()
    assert reference.startswith("A-MA-")
    rabat.get_by_role("button", name=t("Submit for review")).click()
    _confirm(rabat, t("Submit for review"))
    assert rabat.get_by_test_id("notice-state").inner_text() == t("Submitted")
    # The automated checks' reasons and the timeline's text, in the page's language.
    shown = rabat.locator("main").inner_text()
    red_notice = t("Red notice")
    assert (
        t("The %(request)s has all the identity data its type requires.", request=red_notice)
        in shown
    )
    assert shows(rabat.get_by_test_id("timeline").inner_text(), t("automated checks: %(outcome)s"))
    if language != "en":
        assert "The Red notice" not in shown and "automated checks" not in shown

    # The reviewer asks for information.
    gs = new_page()
    login(gs, live_server, "lyon.reviewer", PASSWORD, reviewer.totp_secret)
    gs.goto(f"{live_server}/notices/review")
    gs.get_by_role("link", name=reference).first.click()
    gs.get_by_role("button", name=t("Start review")).click()
    gs.get_by_label(t("What information is needed")).fill("Confirm the birth date on the warrant.")
    gs.get_by_role("button", name=t("Ask for information")).click()
    assert gs.get_by_test_id("notice-state").inner_text() == t("Needs information")

    # Rabat amends the data in place and answers.
    rabat.goto(notice_url)
    assert "Confirm the birth date" in rabat.get_by_test_id("timeline").inner_text()
    rabat.get_by_role("link", name=t("Change the request")).click()
    rabat.get_by_label(t("Birth date")).fill("1983-07-18")
    rabat.get_by_label(t("What you changed and why")).fill("Birth date as on the warrant")
    rabat.get_by_role("button", name=t("Save changes")).click()
    rabat.get_by_label(t("Your answer to the reviewer")).fill("Corrected: born 18 July 1983.")
    rabat.get_by_role("button", name=t("Send answer")).click()
    assert rabat.get_by_test_id("notice-state").inner_text() == t("Submitted")

    # The reviewer sees what changed, and approves.
    gs.goto(notice_url)
    changes = gs.get_by_test_id("changes").inner_text()
    assert "1983-07-19" in changes and "1983-07-18" in changes
    gs.get_by_role("button", name=t("Start review")).click()
    gs.get_by_label(t("Reasons for approval")).fill("Serious ordinary-law crime; criteria met.")
    gs.get_by_role("button", name=t("Approve and publish")).click()
    _confirm(gs, t("Approve and publish"))
    assert gs.get_by_test_id("notice-state").inner_text() == t("Published")
    check_language(gs, language)
    engine.refresh()

    # Paris screens the Arabic spelling: the hit names the notice and the action asked.
    paris = new_page()
    login(paris, live_server, "paris.officer", PASSWORD)
    result = _screen(paris, live_server, "سمير الوزاني", t)
    assert reference in result
    assert t(ACTION[NoticeType.RED]) in result
    assert t("Red notice") in result and t(PURPOSE[NoticeType.RED]) in result
    assert t("Prosecution") in result  # the request's purpose, a code shown by its label

    # Germany, excluded from the notice, finds nothing; Spain is told not to act.
    berlin = new_page()
    login(berlin, live_server, "berlin.officer", PASSWORD)
    assert t("No hit.") in _screen(berlin, live_server, "Samir Ouazzani", t)
    madrid = new_page()
    login(madrid, live_server, "madrid.officer", PASSWORD)
    assert t(NOT_TO_BE_ACTED_ON) in _screen(madrid, live_server, "Samir Ouazzani", t)

    # Rabat sees the alert and answers it.
    with world.db.session() as session:
        thread_id = session.scalars(
            select(Hit.thread_id).where(Hit.searching_label.like("%paris%"))
        ).first()
    assert thread_id
    rabat.goto(f"{live_server}/")
    assert (
        t("Hit on %(label)s", label="Samir Ouazzani")
        in rabat.get_by_test_id("section-hit").inner_text()
    )
    rabat.goto(f"{live_server}/messages/{thread_id}")
    assert reference in rabat.content()
    rabat.get_by_label(t("Your answer")).fill("Confirmed: arrest and inform us at once.")
    rabat.get_by_role("button", name=t("Sign and send")).click()
    assert "Confirmed: arrest and inform us at once." in rabat.content()

    # Cancelled: the same check now answers no hit.
    rabat.goto(notice_url)
    rabat.get_by_label(t("Reason for cancelling")).fill("Arrested in Paris on 7 December.")
    rabat.get_by_role("button", name=t("Cancel request")).click()
    _confirm(rabat, t("Cancel request"))
    assert rabat.get_by_test_id("notice-state").inner_text() == t("Cancelled")
    engine.refresh()
    assert t("No hit.") in _screen(paris, live_server, "سمير الوزاني", t)
    check_language(paris, language)
