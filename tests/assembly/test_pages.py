"""The General Assembly's HTML pages through the real login and forms (CSRF included)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from interlink.assembly import service_voting
from interlink.core.auth import Role
from interlink.members.models import User
from tests.assembly.support import Assembly, Person
from tests.support import World, csrf_of

CODE = re.compile(r'data-testid="tracking-code">([A-Z2-7-]{19})<')


@pytest.fixture
def sitting(assembly: Assembly) -> tuple[dict[str, Person], int]:
    [item] = assembly.open_session(
        [("Strategic framework", "resolution", "simple_of_cast")], quorum_share="1/196"
    )
    heads = assembly.delegations(["KE", "CA"])
    assembly.adopt_agenda(heads.values())
    return heads, item


def login(world: World, person: Person) -> tuple[TestClient, str]:
    with world.db.session() as session:
        user = session.get(User, person.principal.user_id)
    client = world.browser_login(user)
    return client, csrf_of(client)


def test_a_delegate_votes_in_secret_and_finds_the_receipt_on_the_public_board(
    world: World, assembly: Assembly, sitting
) -> None:
    heads, item = sitting
    ballot = assembly.run(
        service_voting.open_resolution_ballot, assembly.admin, item, secret=True, keys=assembly.keys
    )
    kenya, csrf = login(world, heads["KE"])
    page = kenya.get("/assembly/sessions/94/delegation")
    assert page.status_code == 200 and "Continue to check the vote" in page.text
    # Check your answers first: the vote is not cast until it is confirmed.
    check = kenya.post(
        f"/assembly/sessions/94/ballots/{ballot.id}/vote",
        data={"choice": "yes", "csrf_token": csrf},
    )
    assert check.status_code == 200 and 'data-testid="confirm"' in check.text
    assert "Cast the vote of KE" in check.text and 'name="choice" value="yes"' in check.text
    assert "KE has voted" not in kenya.get("/assembly/sessions/94/delegation").text
    nothing = kenya.post(
        f"/assembly/sessions/94/ballots/{ballot.id}/vote", data={"choice": "", "csrf_token": csrf}
    )
    assert nothing.status_code == 422 and "choose how KE votes" in nothing.text
    receipt = kenya.post(
        f"/assembly/sessions/94/ballots/{ballot.id}/vote",
        data={"choice": "yes", "confirmed": "yes", "csrf_token": csrf},
    )
    assert receipt.status_code == 201 and receipt.headers["cache-control"] == "no-store"
    code = CODE.search(receipt.text).group(1)
    again = kenya.post(
        f"/assembly/sessions/94/ballots/{ballot.id}/vote",
        data={"choice": "no", "confirmed": "yes", "csrf_token": csrf},
    )
    assert again.status_code == 409 and "already voted" in again.text
    forged = kenya.post(
        f"/assembly/sessions/94/ballots/{ballot.id}/vote",
        data={"choice": "no", "confirmed": "yes", "csrf_token": "forged"},
    )
    assert forged.status_code == 403

    assembly.close(ballot.id)
    public = world.client()
    board = public.get(f"/assembly/ballots/{ballot.id}")
    assert board.status_code == 200 and code in board.text
    assert 'data-testid="verification">Verified' in board.text
    found = public.post(f"/assembly/ballots/{ballot.id}/find", data={"code": code.lower()})
    assert "Found at position 1" in found.text and "<strong>Yes</strong>" in found.text
    missing = public.post(
        f"/assembly/ballots/{ballot.id}/find", data={"code": "AAAA-AAAA-AAAA-AAAA"}
    )
    assert "is not on this board" in missing.text
    session_page = public.get("/assembly/sessions/94")
    assert session_page.status_code == 200 and "adopted" in session_page.text


def test_the_head_gives_the_vote_and_asks_for_a_meeting_through_forms(
    world: World, assembly: Assembly, sitting
) -> None:
    heads, item = sitting
    deputy = assembly.add_person("KE", "delegate")
    kenya, csrf = login(world, heads["KE"])
    given = kenya.post(
        "/assembly/sessions/94/powers",
        data={"holder_member_id": deputy.member_id, "item_id": str(item), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert given.status_code == 303
    assert f"item {item}" in kenya.get("/assembly/sessions/94/delegation").text
    asked = kenya.post(
        "/assembly/sessions/94/meetings",
        data={"invitee": "CA", "subject": "Training", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    refused = kenya.post(
        "/assembly/sessions/94/meetings",
        data={"invitee": "CA", "subject": "Again", "csrf_token": csrf},
    )
    assert refused.status_code == 409 and "already requested" in refused.text
    canada, _ = login(world, heads["CA"])
    assert "Accept" in canada.get("/assembly/sessions/94/delegation").text
    deputy_client, deputy_csrf = login(world, deputy)
    not_head = deputy_client.post(
        "/assembly/sessions/94/powers/revoke",
        data={"item_id": str(item), "csrf_token": deputy_csrf},
    )
    assert not_head.status_code == 403


def test_the_secretariat_runs_a_session_through_its_pages(world: World) -> None:
    admin = world.browser_login(world.user("GS", Role.GS_ADMIN, mfa=True))
    csrf = csrf_of(admin, "/assembly/admin")
    created = admin.post(
        "/assembly/admin/sessions",
        data={
            "number": "95",
            "host_city": "Montevideo",
            "host_country": "UY",
            "starts_on": "2027-10-04",
            "ends_on": "2027-10-07",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert created.headers["location"] == "/assembly/admin/sessions/95"

    def act(action: str, **fields: str) -> int:
        response = admin.post(
            "/assembly/admin/sessions/95",
            data={"action": action, "csrf_token": csrf, **fields},
            follow_redirects=False,
        )
        return response.status_code

    assert act("open_session") == 303
    assert act("add_item", title="Report", kind="report") == 303
    assert act("add_item", title="Budget", kind="resolution", majority_rule="simple_of_cast") == 303
    assert act("register_delegation", country="KE", head_name="Head of Kenya") == 303
    assert act("submit_credentials", country="KE") == 303
    assert act("verify_credentials", country="KE") == 303
    assert act("attendance", country="KE", present="yes") == 303
    assert act("add_room", name="Room A") == 303
    assert (
        act("add_slot", starts_at="2027-10-05T09:00+00:00", ends_at="2027-10-05T10:00+00:00") == 303
    )
    assert act("add_slot", starts_at="2027-10-05T11:00", ends_at="2027-10-05T12:00") == 422
    refused = admin.post(
        "/assembly/admin/sessions/95",
        data={
            "action": "add_slot",
            "csrf_token": csrf,
            "starts_at": "2027-10-05T11:00",
            "ends_at": "2027-10-05T12:00",
        },
    )
    # What was typed comes back in its own form, with the problem beside it.
    assert 'id="starts_at" name="starts_at" required value="2027-10-05T11:00"' in refused.text
    assert refused.text.count('data-testid="form-error"') == 1
    assert 'id="room" name="name" required value=""' in refused.text
    assert act("agenda_ballot", secret="no") == 409  # quorum: 1 of 99
    assert act("self_destruct") == 422
    assert act("add_item", title="No kind") == 422
    page = admin.get("/assembly/admin/sessions/95")
    assert 'data-testid="delegation-KE"' in page.text and "Budget" in page.text
    delegate = world.browser_login(world.user("NCB-KE", Role.DELEGATE))
    assert delegate.get("/assembly/admin/sessions/95").status_code == 403
    assert (
        delegate.post(
            "/assembly/admin/sessions/95",
            data={"action": "close_session", "csrf_token": csrf_of(delegate)},
        ).status_code
        == 403
    )
    # Closing the session asks first; only the confirmed form closes it.
    check = admin.post(
        "/assembly/admin/sessions/95", data={"action": "close_session", "csrf_token": csrf}
    )
    assert check.status_code == 200 and 'data-testid="confirm"' in check.text
    assert 'name="confirmed" value="yes"' in check.text
    assert "Close the session" in admin.get("/assembly/admin/sessions/95").text  # still open
    assert act("close_session", confirmed="yes") == 303
    assert "Close the session" not in admin.get("/assembly/admin/sessions/95").text


def test_agreements_page(world: World) -> None:
    admin = world.browser_login(world.user("GS", Role.GS_ADMIN, mfa=True))
    csrf = csrf_of(admin, "/assembly/agreements")
    created = admin.post(
        "/assembly/agreements",
        data={
            "title": "MoU on training",
            "kind": "memorandum_of_understanding",
            "parties": "KE\nGS\nUnited Nations Office on Drugs and Crime",
            "proposed_on": "2026-05-01",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    kenya = world.browser_login(world.user("NCB-KE", Role.DELEGATE))
    assert "United Nations Office on Drugs and Crime" in kenya.get("/assembly/agreements").text
    france = world.browser_login(world.user("NCB-FR", Role.DELEGATE))
    assert "MoU on training" not in france.get("/assembly/agreements").text
    assert (
        france.post(
            "/assembly/agreements",
            data={
                "title": "x",
                "kind": "memorandum_of_understanding",
                "parties": "FR\nKE",
                "proposed_on": "2026-05-01",
                "csrf_token": csrf_of(france),
            },
        ).status_code
        == 403
    )


def test_secretariat_forms_keep_what_was_typed_and_name_the_field(world: World) -> None:
    admin = world.browser_login(world.user("GS", Role.GS_ADMIN, mfa=True))
    csrf = csrf_of(admin, "/assembly/admin")
    bad = admin.post(
        "/assembly/admin/sessions",
        data={
            "number": "96",
            "host_city": "Montevideo",
            "host_country": "URY",
            "starts_on": "2027-10-04",
            "ends_on": "4 Oct",
            "csrf_token": csrf,
        },
    )
    assert bad.status_code == 422 and "text/html" in bad.headers["content-type"]
    assert 'href="#host_country"' in bad.text and 'href="#ends_on"' in bad.text
    assert 'value="Montevideo"' in bad.text and 'value="4 Oct"' in bad.text
    assert 'value="2027-10-04"' in bad.text and 'href="#number"' not in bad.text
    unknown = admin.post(
        "/assembly/agreements",
        data={
            "title": "MoU on forensics",
            "kind": "memorandum_of_understanding",
            "parties": "KE\nke",
            "proposed_on": "2026-05-01",
            "summary": "Laboratories share methods.",
            "csrf_token": csrf,
        },
    )
    assert unknown.status_code == 422 and 'href="#parties"' in unknown.text
    assert (
        'value="MoU on forensics"' in unknown.text and "Laboratories share methods." in unknown.text
    )
    missing = admin.post("/assembly/agreements", data={"csrf_token": csrf, "parties": "KE"})
    assert missing.status_code == 422 and 'href="#title"' in missing.text
