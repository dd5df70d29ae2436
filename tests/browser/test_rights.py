"""An applicant's request walked in a real browser, from the public form to the decision, in
English, Arabic and French."""

from __future__ import annotations

from interlink.core.auth import Role
from interlink.records import service as records
from interlink.records.restrictions import Restrictions
from interlink.records.schemas import PersonData
from tests.browser.conftest import check_language, login
from tests.support import PASSWORD, World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_applicant_request_from_form_to_decision(
    world: World, live_server: str, new_page, language: str, t
) -> None:
    ma = world.principal(world.user("NCB-MA", Role.SUPERVISOR))
    with world.db.session() as session:
        records.create_record(
            session,
            ma,
            records.NewRecord(
                PersonData.model_validate(
                    {
                        "names": [{"full_name": "Karim Benali"}],
                        "birth_date": "1984-05-17",
                        "nationalities": ["MA"],
                    }
                ),
                Restrictions(),
            ),
        )
    commissioner = world.user("CCF", Role.OVERSIGHT, username="ccf.member", mfa=True)

    applicant = new_page()
    applicant.goto(f"{live_server}/rights/request")
    applicant.get_by_label(t("Deletion of data on me")).check()
    applicant.get_by_label(
        t("Your names, one per line, in any script (e.g. Latin and Arabic)")
    ).fill("Karim Benali\nكريم بنعلي")
    applicant.get_by_label(t("Date of birth (YYYY-MM-DD)")).fill("1984-05-17")
    applicant.get_by_label(t("Nationality (two-letter code, e.g. MA)")).fill("MA")
    applicant.get_by_label(t("Your request, in your own words")).fill(
        "A record about my political activity."
    )
    applicant.get_by_label(t("Documents (PDF, JPEG or PNG; up to 5)")).set_input_files(
        [{"name": "passport.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    # a mistake first: the error summary appears and what was typed stays
    applicant.get_by_label(t("Nationality (two-letter code, e.g. MA)")).fill("M1")
    applicant.get_by_role("button", name=t("Send the request")).click()
    assert t("There is a problem") in applicant.get_by_role("alert").inner_text()
    check_language(applicant, language)
    assert (
        applicant.get_by_label(t("Your names, one per line, in any script (e.g. Latin and Arabic)"))
        .input_value()
        .startswith("Karim Benali")
    )
    applicant.get_by_label(t("Nationality (two-letter code, e.g. MA)")).fill("MA")
    applicant.get_by_label(t("Documents (PDF, JPEG or PNG; up to 5)")).set_input_files(
        [{"name": "passport.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    applicant.get_by_role("button", name=t("Send the request")).click()
    code = applicant.get_by_test_id("code").inner_text()
    secret = applicant.get_by_test_id("secret").inner_text()

    commission = new_page()
    login(commission, live_server, "ccf.member", PASSWORD, commissioner.totp_secret)
    commission.goto(f"{live_server}/rights/cases")
    commission.get_by_role("link", name=code).click()
    commission.get_by_label(t("Reasons")).fill("Within the commission's remit.")
    commission.get_by_role("button", name=t("Decide admissibility")).click()
    commission.get_by_role("button", name=t("Search with the screening matcher")).click()
    commission.get_by_label(t("Outcome")).select_option("non_compliant")
    commission.get_by_label(t("Reasons sent to the applicant")).fill(
        "The record concerns a matter of a political character: it is deleted."
    )
    commission.get_by_label(t("Confidential reasons (never sent to the applicant)")).fill(
        "Told by a partner service."
    )
    commission.get_by_label(t("Record") + " 1: Karim Benali").check()
    commission.get_by_role("button", name=t("Decide")).click()
    assert t("NOT acknowledged") in commission.get_by_test_id("copies").inner_text()
    check_language(commission, language)

    applicant.goto(f"{live_server}/rights/status")
    applicant.get_by_label(t("Request code")).fill(code)
    applicant.get_by_label(t("Secret")).fill(secret)
    applicant.get_by_role("button", name=t("Show my case")).click()
    assert applicant.get_by_test_id("status").inner_text() == t("Decided")
    decision = applicant.get_by_test_id("decision").inner_text()
    assert "political character" in decision
    assert "partner service" not in applicant.content()
    assert "passport.pdf" in applicant.get_by_test_id("case").inner_text()
    # the timeline the platform wrote, in the applicant's language
    events = applicant.get_by_test_id("events").inner_text()
    assert t("Decision: %(outcome)s.", outcome=t("Not compliant")) in events
    check_language(applicant, language)
