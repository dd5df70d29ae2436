"""Notices and diffusions: every state transition, checks blocking publication, visibility."""

from __future__ import annotations

import copy

import pytest

from interlink.core.auth import Role
from tests.support import World

RED = {
    "notice_type": "red",
    "subject": {
        "names": [{"full_name": "Omar Haddad"}],
        "sex": "male",
        "birth_date": "1979-03-02",
        "nationalities": ["MA"],
        "identity_documents": [
            {"document_type": "passport", "number": "XK1234567", "issuing_country": "MA"}
        ],
    },
    "facts": "Leader of a network that smuggled cocaine through Tangier port in 2024.",
    "judicial": {
        "offence_description": "Drug trafficking in an organised group",
        "offence_category": "drug_trafficking",
        "law_reference": "Penal Code art. 2",
        "maximum_penalty_months": 240,
        "purpose": "prosecution",
        "warrant_reference": "W-2025-77",
        "warrant_date": "2025-11-03",
        "issuing_authority": "Investigating judge, Tangier",
        "extradition_countries": ["FR", "ES"],
    },
    "public_extract_consent": True,
}


@pytest.fixture
def actors(world: World):
    return {
        "ma": world.api_as(world.user("NCB-MA", Role.SUPERVISOR)),
        "reviewer": world.api_as(world.user("GS", Role.COMPLIANCE_REVIEWER, mfa=True)),
        "fr": world.api_as(world.user("NCB-FR", Role.OFFICER)),
        "de": world.api_as(world.user("NCB-DE", Role.OFFICER)),
        "fr_supervisor": world.api_as(world.user("NCB-FR", Role.SUPERVISOR)),
    }


def _draft(client, data=RED, **restrictions) -> dict:
    body = {"data": data}
    if restrictions:
        body["restrictions"] = restrictions
    response = client.post("/api/v1/notices", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _post(client, notice: dict, action: str, status: int = 200, **body) -> dict:
    response = client.post(f"/api/v1/notices/{notice['id']}/{action}", json=body or None)
    assert response.status_code == status, response.text
    return response.json()


def test_full_life_of_a_red_notice(actors) -> None:
    ma, reviewer, fr = actors["ma"], actors["reviewer"], actors["fr"]
    notice = _draft(ma)
    assert notice["state"] == "draft" and notice["reference"].startswith("A-")
    assert fr.get(f"/api/v1/notices/{notice['id']}").status_code == 404  # drafts stay home
    submitted = _post(ma, notice, "submit")
    assert submitted["state"] == "submitted" and submitted["checks_summary"] == "pass"
    assert {c["code"] for c in submitted["checks"]} >= {
        "red_penalty_threshold",
        "refugee_status",
        "political_context",
    }
    assert notice["id"] in {n["id"] for n in reviewer.get("/api/v1/notices/review-queue").json()}
    _post(reviewer, notice, "review")
    asked = _post(reviewer, notice, "request-info", question="Which court issued the warrant?")
    assert asked["state"] == "needs_info"
    answered = _post(ma, notice, "answer", answer="The Tangier court of first instance.")
    assert answered["state"] == "submitted"
    _post(reviewer, notice, "review")
    published = _post(
        reviewer,
        notice,
        "decision",
        approve=True,
        reason="Serious ordinary-law crime; criteria met.",
    )
    assert published["state"] == "published"
    seen = fr.get(f"/api/v1/notices/{notice['id']}").json()
    assert seen["state"] == "published" and seen["checks"] == []  # checks stay with the GS
    events = [e["event"] for e in published["timeline"]]
    assert events == ["create", "submit", "review", "request_info", "answer", "review", "publish"]
    cancelled = _post(ma, notice, "cancel", reason="Arrested in Spain on 2026-11-20.")
    assert cancelled["state"] == "cancelled"
    assert fr.get(f"/api/v1/notices/{notice['id']}").status_code == 404


def test_refusal_is_final(actors) -> None:
    ma, reviewer = actors["ma"], actors["reviewer"]
    notice = _draft(ma)
    _post(ma, notice, "submit")
    _post(reviewer, notice, "review")
    refused = _post(reviewer, notice, "decision", approve=False, reason="Private dispute.")
    assert refused["state"] == "refused"
    _post(reviewer, notice, "review", status=409)
    _post(ma, notice, "submit", status=409)


@pytest.mark.parametrize(
    "action,body",
    [
        ("review", {}),
        ("request-info", {"question": "why now?"}),
        ("decision", {"approve": True, "reason": "looks fine"}),
        ("diffusion-review", {"keep": False, "reason": "not ours"}),
    ],
)
def test_only_reviewers_review(actors, action: str, body: dict) -> None:
    notice = _draft(actors["ma"])
    _post(actors["ma"], notice, "submit")
    # Refused on the permission, before the record is looked up: nothing leaks either way.
    _post(actors["fr_supervisor"], notice, action, status=403, **body)
    _post(actors["ma"], notice, action, status=403, **body)


def test_only_the_requesting_bureau_submits_edits_and_cancels(actors) -> None:
    ma, reviewer = actors["ma"], actors["reviewer"]
    notice = _draft(ma)
    _post(reviewer, notice, "submit", status=403)
    assert reviewer.put(f"/api/v1/notices/{notice['id']}", json={"data": RED}).status_code == 403


def test_failed_check_blocks_publication(actors) -> None:
    ma, reviewer = actors["ma"], actors["reviewer"]
    weak = copy.deepcopy(RED)
    weak["judicial"]["maximum_penalty_months"] = 12  # under two years
    notice = _draft(ma, weak)
    submitted = _post(ma, notice, "submit")
    assert submitted["checks_summary"] == "fail"
    failing = [c for c in submitted["checks"] if c["outcome"] == "fail"]
    assert [c["code"] for c in failing] == ["red_penalty_threshold"]
    assert "2 years" in failing[0]["reason"] or "24" in failing[0]["reason"]
    _post(reviewer, notice, "review")
    _post(reviewer, notice, "decision", status=409, approve=True, reason="publish anyway")
    _post(reviewer, notice, "request-info", question="Is there a heavier charge?")
    fixed = copy.deepcopy(RED)
    answered = _post(
        ma, notice, "answer", answer="Charge corrected to trafficking (20 years).", data=fixed
    )
    assert answered["checks_summary"] == "pass" and answered["version"] == 2


def test_political_context_is_flagged_for_the_reviewer(actors) -> None:
    ma = actors["ma"]
    political = copy.deepcopy(RED)
    political["facts"] = "He organised an opposition party protest against the government."
    submitted = _post(ma, _draft(ma, political), "submit")
    flags = {c["code"] for c in submitted["checks"] if c["outcome"] in ("flag", "fail")}
    assert "political_context" in flags


def test_refugee_status_against_requesting_country_blocks(actors) -> None:
    ma, reviewer = actors["ma"], actors["reviewer"]
    r = reviewer.post(
        "/api/v1/refugee-statuses",
        json={
            "names": ["Haddad Omar"],
            "birth_date": "1979",
            "against_country": "MA",
            "granted_by": "FR",
        },
    )
    assert r.status_code == 201
    submitted = _post(ma, _draft(ma), "submit")
    refugee = next(c for c in submitted["checks"] if c["code"] == "refugee_status")
    assert refugee["outcome"] == "fail" and submitted["checks_summary"] == "fail"
    assert (
        actors["fr"]
        .post("/api/v1/refugee-statuses", json={"names": ["X Y"], "against_country": "MA"})
        .status_code
        == 403
    )


def test_restrictions_hold_for_published_notices(actors) -> None:
    ma, reviewer, fr, de = actors["ma"], actors["reviewer"], actors["fr"], actors["de"]
    notice = _draft(ma, visibility="except", countries=["DE"])
    _post(ma, notice, "submit")
    _post(reviewer, notice, "review")
    _post(reviewer, notice, "decision", approve=True, reason="criteria met")
    assert fr.get(f"/api/v1/notices/{notice['id']}").status_code == 200
    assert de.get(f"/api/v1/notices/{notice['id']}").status_code == 404
    assert notice["id"] not in {n["id"] for n in de.get("/api/v1/notices").json()["items"]}


def test_diffusion_circulates_at_once_to_chosen_members_and_review_can_withdraw(actors) -> None:
    ma, reviewer, fr, de = actors["ma"], actors["reviewer"], actors["fr"], actors["de"]
    diffusion = _draft(ma, dict(RED, kind="diffusion", notice_type="blue"))
    assert diffusion["reference"].startswith("D-")
    _post(ma, diffusion, "submit", status=409)  # diffusions are not submitted for review
    sent = _post(ma, diffusion, "circulate", recipients=["FR"])
    assert sent["state"] == "circulated" and sent["restrictions"]["countries"] == ["FR"]
    assert fr.get(f"/api/v1/notices/{diffusion['id']}").status_code == 200
    assert de.get(f"/api/v1/notices/{diffusion['id']}").status_code == 404
    assert diffusion["id"] in {n["id"] for n in reviewer.get("/api/v1/notices/review-queue").json()}
    withdrawn = _post(
        reviewer, diffusion, "diffusion-review", keep=False, reason="Concerns a private dispute."
    )
    assert withdrawn["state"] == "withdrawn"
    assert fr.get(f"/api/v1/notices/{diffusion['id']}").status_code == 404
    _post(reviewer, diffusion, "diffusion-review", status=409, keep=True, reason="again?")


def test_diffusion_review_can_confirm(actors) -> None:
    ma, reviewer = actors["ma"], actors["reviewer"]
    diffusion = _draft(ma, dict(RED, kind="diffusion"))
    _post(ma, diffusion, "circulate", recipients=["FR", "ES"])
    kept = _post(reviewer, diffusion, "diffusion-review", keep=True, reason="Criteria met.")
    assert kept["state"] == "circulated" and kept["reviewed"] is True


def test_amendments_are_owner_only_and_versioned(actors) -> None:
    ma, reviewer, fr = actors["ma"], actors["reviewer"], actors["fr"]
    notice = _draft(ma)
    _post(ma, notice, "submit")
    _post(reviewer, notice, "review")
    _post(reviewer, notice, "decision", approve=True, reason="criteria met")
    amended = copy.deepcopy(RED)
    amended["subject"]["aliases"] = [{"full_name": "Omar El Haddad"}]
    r = fr.post(
        f"/api/v1/notices/{notice['id']}/amend",
        json={"data": amended, "change": "addendum", "reason": "alias"},
    )
    assert r.status_code == 403
    r = ma.post(
        f"/api/v1/notices/{notice['id']}/amend",
        json={"data": amended, "change": "addendum", "reason": "alias found"},
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    versions = fr.get(f"/api/v1/notices/{notice['id']}/versions").json()
    assert [v["change"] for v in versions] == ["create", "addendum"]


def test_public_extract_only_with_consent(world: World, actors) -> None:
    ma, reviewer = actors["ma"], actors["reviewer"]
    without = copy.deepcopy(RED)
    without["public_extract_consent"] = False
    for data in (RED, without):
        n = _draft(ma, data)
        _post(ma, n, "submit")
        _post(reviewer, n, "review")
        _post(reviewer, n, "decision", approve=True, reason="criteria met")
    public = world.client().get("/api/v1/public/notices").json()
    assert len(public) == 1 and public[0]["name"] == "Omar Haddad"
    assert set(public[0]) == {
        "reference",
        "name",
        "sex",
        "birth_year",
        "nationalities",
        "charge",
        "published_at",
    }
    page = world.client().get("/public/notices")
    assert page.status_code == 200 and "Omar Haddad" in page.text


def test_invalid_notice_data_is_a_clear_422(actors) -> None:
    r = actors["ma"].post("/api/v1/notices", json={"data": {"notice_type": "pink"}})
    assert r.status_code == 422 and "notice_type" in r.json()["detail"]
