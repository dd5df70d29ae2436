"""A delegate logs in, casts a secret vote, keeps the receipt, and finds it on the published
bulletin board."""

from __future__ import annotations

from interlink.assembly import service, service_voting
from interlink.assembly.keys import SealKeyFile
from interlink.config import Settings
from interlink.core.auth import Role
from tests.assembly.support import Assembly
from tests.browser.conftest import login
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


def test_delegate_casts_a_secret_vote_and_finds_the_receipt_on_the_board(
    world: World, settings: Settings, live_server: str, new_page
) -> None:
    assembly, ballot_id = _sitting(world, settings)
    page = new_page()
    login(page, live_server, "nairobi.delegate", PASSWORD)
    page.get_by_role("link", name="General Assembly").first.click()
    page.get_by_role("link", name="94th session").click()
    page.get_by_role("link", name="Your delegation, ballots and meetings").click()
    page.get_by_label("The vote of KE").select_option("yes")
    page.get_by_role("button", name="Continue to check the vote").click()
    # Check your answers: the choice is shown, and casting is a second, deliberate click.
    assert "yes" in page.get_by_test_id("confirm").inner_text()
    page.get_by_role("button", name="Cast the vote of KE").click()
    receipt = page.get_by_test_id("tracking-code").inner_text()
    assert len(receipt) == 19

    assembly.close(ballot_id)  # the secretariat closes the ballot and publishes the board
    page.get_by_role("link", name="published bulletin board").click()
    assert page.get_by_test_id("verification").inner_text().startswith("Verified")
    assert receipt in page.get_by_test_id("board").inner_text()
    page.get_by_label("Tracking code from your receipt").fill(receipt)
    page.get_by_role("button", name="Find it on the board").click()
    found = page.get_by_test_id("found").inner_text()
    assert "Found at position" in found and found.endswith("reads yes.")
