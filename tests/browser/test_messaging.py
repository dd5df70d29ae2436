"""A hit at one bureau opens a thread at the record owner's bureau, which answers; both see
the answer and how long it took. The hit comes from a border officer's check on the
screening page, through the real screening service. In English, Arabic and French.
"""

from __future__ import annotations

import re

from interlink.core.auth import Role
from tests.browser.conftest import check_language, login, shows
from tests.support import PASSWORD, World


def test_hit_follow_up_is_answered_and_both_see_the_elapsed_time(
    world: World, live_server: str, new_page, language: str, t
) -> None:
    world.user("NCB-MA", Role.OFFICER, username="rabat.officer")
    world.user("NCB-FR", Role.OFFICER, username="paris.officer")
    paris_records = world.api_as(world.user("NCB-FR", Role.SUPERVISOR))
    created = paris_records.post(
        "/api/v1/records/document",
        json={
            "data": {
                "issuing_country": "FR",
                "document_type": "passport",
                "number": "FR0042731",
                "status": "stolen",
                "reported_on": "2026-05-01",
            }
        },
    )
    assert created.status_code == 201, created.text
    world.app.state.interlink.services.screener.engine.build()

    rabat = new_page()
    login(rabat, live_server, "rabat.officer", PASSWORD)
    rabat.goto(f"{live_server}/screen")
    rabat.get_by_label(t("Document number")).fill("FR 0042731")
    rabat.get_by_role("button", name=t("Check document")).click()
    result = rabat.get_by_test_id("screen-result").inner_text()
    # the record's label: the document type's word in the page's language, the number as is
    label = t(
        "%(type)s %(country)s %(number)s", type=t("Passport"), country="FR", number="FR0042731"
    )
    if language == "en":
        label = "passport FR FR0042731"  # English shows the label as stored
    else:
        assert "passport" not in result
    assert label in result
    assert shows(
        result,
        t('The owning bureau has been alerted; follow up in <a href="/messages">Messages</a>.')
        .replace('<a href="/messages">', "")
        .replace("</a>", ""),
    )
    thread_link = t("Hit on %(label)s", label=label)

    paris = new_page()
    login(paris, live_server, "paris.officer", PASSWORD)
    paris.get_by_role("link", name=t("Messages")).first.click()
    unread = paris.get_by_test_id("unread")
    assert t("%(unread)s new", unread=1) in unread.inner_text()
    unread.get_by_role("link", name=thread_link).click()
    alert = paris.get_by_test_id("body").first.inner_text()
    assert "FR0042731" in alert
    # the alert the platform wrote, in the reader's language
    assert t("Please confirm the record and its handling.") in alert
    check_language(paris, language)
    assert shows(
        paris.get_by_test_id("signature").first.inner_text(),
        t("signature verified · key %(key_id)s"),
    )
    assert shows(paris.get_by_test_id("answer-time").inner_text(), t("waiting %(waiting)s"))
    paris.get_by_label(t("Your answer")).fill("Confirmed: the holder is wanted. Please detain.")
    paris.get_by_role("button", name=t("Sign and send")).click()
    paris.wait_for_url(re.compile(r"/messages/\d+$"))
    assert "Please detain." in paris.get_by_test_id("body").nth(1).inner_text()
    assert shows(
        paris.get_by_test_id("answer-time").inner_text(),
        t("answered in %(time_to_answer)s"),
    )

    # Paris forwards the alert to Berlin: the header the platform writes reads in the language.
    paris.locator("summary", has_text=t("Forward")).first.click()
    paris.get_by_label(t("Forward to")).first.fill("DE")
    paris.get_by_label(t("Note")).first.fill("For your border posts.")
    paris.get_by_role("button", name=t("Forward…")).first.click()
    paris.get_by_test_id("confirm").get_by_role("button", name=t("Forward the message")).click()
    paris.wait_for_url(re.compile(r"/messages/\d+$"))
    forwarded = paris.get_by_test_id("body").first.inner_text()
    assert forwarded.startswith("For your border posts.")
    assert t("---- Forwarded message ----") in forwarded
    subject = t("Subject: %(subject)s").split("%(subject)s")[0]
    assert subject + t("Hit %(hit)s on %(label)s").split("%(hit)s")[0] in forwarded
    assert label in forwarded  # inside the subject, and the alert's own text
    assert t("Please confirm the record and its handling.") in forwarded  # the alert, carried
    if language != "en":
        assert "Forwarded message" not in forwarded and "Subject:" not in forwarded
        assert "Hit on your record" not in forwarded
    assert shows(
        paris.get_by_test_id("signature").first.inner_text(),
        t("signature verified · key %(key_id)s"),
    )
    check_language(paris, language)

    rabat.goto(f"{live_server}/messages")
    rabat.get_by_test_id("unread").get_by_role("link", name=thread_link).click()
    bodies = rabat.get_by_test_id("body")
    assert "Please detain." in bodies.nth(1).inner_text()
    assert all(
        shows(s, t("signature verified · key %(key_id)s"))
        for s in rabat.get_by_test_id("signature").all_inner_texts()
    )
    elapsed = rabat.get_by_test_id("answer-time").inner_text()
    assert shows(elapsed, t("answered in %(time_to_answer)s")), elapsed
    assert shows(elapsed, t("%(seconds)s s")) or shows(elapsed, t("%(minutes)s min %(seconds)s s"))
    check_language(rabat, language)
