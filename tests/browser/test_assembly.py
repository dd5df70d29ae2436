"""A delegate logs in, casts a secret vote, keeps the receipt, and finds it on the published
bulletin board, in English, Arabic and French."""

from __future__ import annotations

import re

from interlink.assembly import service, service_voting
from interlink.assembly.keys import SealKeyFile
from interlink.assembly.pages import ordinal
from interlink.config import Settings
from interlink.core import i18n
from interlink.core.auth import Role
from tests.assembly.support import Assembly
from tests.browser.conftest import check_language, login, shows
from tests.support import PASSWORD, World


def _sitting(world: World, settings: Settings) -> tuple[Assembly, int]:
    """Session 94 open, Kenya's delegation headed by nairobi.delegate, a secret ballot open."""
    assembly = Assembly(world, SealKeyFile(settings.ballot_seal_key_file))
    [item] = assembly.open_session(
        [("Strategic framework 2027-2031", "resolution", "simple_of_cast")], quorum_share="1/196"
    )
    nairobi = world.user("NCB-KE", Role.DELEGATE, username="nairobi.delegate")
    assembly.run(
        service.register_delegation, assembly.admin, 94, "KE", head_name="", head_user_id=nairobi.id
    )
    for step in (service.submit_credentials, service.verify_credentials):
        assembly.run(step, assembly.admin, 94, "KE")
    assembly.run(service.set_attendance, assembly.admin, 94, "KE", True)
    others = assembly.delegations(["CA", "NG"])
    assembly.adopt_agenda([*others.values()])
    ballot = assembly.run(
        service_voting.open_resolution_ballot, assembly.admin, item, secret=True, keys=assembly.keys
    )
    for head in others.values():
        assembly.vote(head, ballot.id, "no")
    return assembly, ballot.id


def _session_name(language: str, number: int) -> str:
    """The session's name as its page shows it ("94th session", "94e session", "الدورة 94")."""
    token = i18n.use_language(language)
    try:
        return i18n.gettext("%(number)s session", number=ordinal(number))
    finally:
        i18n.reset_language(token)


def test_delegate_casts_a_secret_vote_and_finds_the_receipt_on_the_board(
    world: World, settings: Settings, live_server: str, new_page, language: str, t
) -> None:
    assembly, ballot_id = _sitting(world, settings)
    page = new_page()
    login(page, live_server, "nairobi.delegate", PASSWORD)
    page.get_by_role("link", name=t("General Assembly")).first.click()
    page.get_by_role("link", name=_session_name(language, 94)).click()
    page.get_by_role("link", name=t("Your delegation, ballots and meetings")).click()
    page.get_by_label(t("The vote of %(country)s", country="KE")).select_option("yes")
    check_language(page, language)
    page.get_by_role("button", name=t("Continue to check the vote")).click()
    # Check your answers: the choice is shown, and casting is a second, deliberate click.
    assert t("Yes") in page.get_by_test_id("confirm").inner_text()
    page.get_by_role("button", name=t("Cast the vote of %(country)s", country="KE")).click()
    receipt = page.get_by_test_id("tracking-code").inner_text()
    assert len(receipt) == 19

    assembly.close(ballot_id)  # the secretariat closes the ballot and publishes the board
    page.locator(f'main a[href="/assembly/ballots/{ballot_id}"]').click()  # the board
    assert shows(
        page.get_by_test_id("verification").inner_text(),
        t(
            "Verified: %(entries)s entries for %(voters)s voters, the chain ends at the published "
            "head, the head is the one in the audit log, and the tally recomputed from the board "
            "is the announced one."
        ),
    )
    assert receipt in page.get_by_test_id("board").inner_text()
    page.get_by_label(t("Tracking code from your receipt")).fill(receipt)
    page.get_by_role("button", name=t("Find it on the board")).click()
    found = page.get_by_test_id("found").inner_text()
    reads = t(
        "Found at position %(position)s: your ballot reads <strong>%(choice)s</strong>.",
        position=1,
        choice=t("Yes"),
    )
    assert shows(found, re.sub(r"<[^>]+>", "", reads).replace("1", "%(position)s"))
    check_language(page, language)
