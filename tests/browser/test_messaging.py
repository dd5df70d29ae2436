"""A hit at one bureau opens a thread at the record owner's bureau, which answers; both see
the answer and how long it took.

The hit is recorded by calling `open_hit_followup` directly, as screening will in the
transaction that records a hit (the screening pages do not exist yet).
"""

from __future__ import annotations

import re

from interlink.core.audit import Actor
from interlink.core.auth import Role
from interlink.messaging.context import context_for
from interlink.messaging.followups import open_hit_followup
from tests.browser.conftest import login
from tests.support import PASSWORD, World


def test_hit_follow_up_is_answered_and_both_see_the_elapsed_time(
        world: World, live_server: str, new_page) -> None:
    world.user("NCB-MA", Role.OFFICER, username="rabat.officer")
    world.user("NCB-FR", Role.OFFICER, username="paris.officer")
    searching, owner = world.org("NCB-MA"), world.org("NCB-FR")
    with world.db.session() as session:
        thread = open_hit_followup(
            session, ctx=context_for(world.settings), hit_id=9001, record_id=4242,
            searching_org_id=searching.id, owner_org_id=owner.id,
            summary="Passport FR0042 presented at Tanger Med matched your record 4242.",
            actor=Actor(label="rabat.officer", org_id=searching.id))

    paris = new_page()
    login(paris, live_server, "paris.officer", PASSWORD)
    paris.get_by_role("link", name="Messages").first.click()
    unread = paris.get_by_test_id("unread")
    assert "1 new" in unread.inner_text()
    unread.get_by_role("link", name="Hit on record 4242").click()
    assert "matched your record 4242" in paris.get_by_test_id("body").first.inner_text()
    assert "signature verified" in paris.get_by_test_id("signature").first.inner_text()
    assert "waiting" in paris.get_by_test_id("answer-time").inner_text()
    paris.get_by_label("Your answer").fill("Confirmed: the holder is wanted. Please detain.")
    paris.get_by_role("button", name="Sign and send").click()
    paris.wait_for_url(re.compile(rf"/messages/{thread.id}$"))
    assert "Please detain." in paris.get_by_test_id("body").nth(1).inner_text()
    assert "answered in" in paris.get_by_test_id("answer-time").inner_text()

    rabat = new_page()
    login(rabat, live_server, "rabat.officer", PASSWORD)
    rabat.goto(f"{live_server}/messages")
    rabat.get_by_test_id("unread").get_by_role("link", name="Hit on record 4242").click()
    bodies = rabat.get_by_test_id("body")
    assert "Please detain." in bodies.nth(1).inner_text()
    assert all("signature verified" in s for s in rabat.get_by_test_id("signature")
               .all_inner_texts())
    elapsed = rabat.get_by_test_id("answer-time").inner_text()
    assert re.search(r"answered in \d+ (s|min)", elapsed), elapsed
