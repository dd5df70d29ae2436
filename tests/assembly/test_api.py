"""The General Assembly over HTTP: public results, the secretariat's API, delegates voting with
a logged-in session; every refusal a problem+json."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from interlink.assembly import service, service_voting
from interlink.assembly.ballot_box import BulletinBoard, verify_board
from interlink.core.auth import Role
from interlink.members.models import User
from tests.assembly.support import Assembly, Person
from tests.support import World, csrf_of

API = "/api/v1/assembly"
PUBLIC = "/api/v1/public/assembly"
CODE = re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$")


@pytest.fixture
def sitting(assembly: Assembly) -> tuple[dict[str, Person], int]:
    [item] = assembly.open_session(
        [("Strategic framework", "resolution", "simple_of_cast")], quorum_share="1/196"
    )
    heads = assembly.delegations(["KE", "CA", "NG"])
    assembly.adopt_agenda(heads.values())
    return heads, item


def logged_in(world: World, person: Person) -> tuple[TestClient, dict[str, str]]:
    with world.db.session() as session:
        user = session.get(User, person.principal.user_id)
    client = world.browser_login(user)
    return client, {"x-csrf-token": csrf_of(client)}


def problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    if code is not None:
        assert body["code"] == code, body
    return body


def open_ballot(world: World, item: int, secret: bool = True) -> int:
    admin = world.api_as(world.user("GS", Role.GS_ADMIN, mfa=True))
    response = admin.post(f"{API}/items/{item}/ballot", json={"secret": secret})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_a_delegate_votes_keeps_the_receipt_and_finds_it_on_the_public_board(
    world: World, assembly: Assembly, sitting
) -> None:
    heads, item = sitting
    ballot_id = open_ballot(world, item)
    client, csrf = logged_in(world, heads["KE"])
    cast = client.post(f"{API}/ballots/{ballot_id}/votes", json={"choice": "no"}, headers=csrf)
    assert cast.status_code == 201, cast.text
    assert cast.headers["cache-control"] == "no-store"
    receipt = cast.json()["tracking_code"]
    assert CODE.match(receipt) and cast.json()["country"] == "KE"
    problem(
        client.post(f"{API}/ballots/{ballot_id}/votes", json={"choice": "yes"}, headers=csrf),
        409,
        "already_voted",
    )
    problem(client.post(f"{API}/ballots/{ballot_id}/votes", json={"choice": "yes"}), 403)

    public = world.client()
    problem(public.get(f"{PUBLIC}/ballots/{ballot_id}/board"), 404)  # not before the close
    assembly.close(ballot_id)
    board = public.get(f"{PUBLIC}/ballots/{ballot_id}/board").json()
    ballot = public.get(f"{PUBLIC}/ballots/{ballot_id}").json()
    observer = BulletinBoard.from_dict(board)
    assert observer.find(receipt).choice == "no"
    assert verify_board(observer, ballot["board_head"], expected_ballots=ballot["voters"]).ok
    assert dict(observer.tally().counts) == ballot["tally"]["counts"]
    assert public.get(f"{PUBLIC}/ballots/{ballot_id}/verification").json()["ok"] is True
    assert public.get(f"{PUBLIC}/ballots/{ballot_id}/voters").json() == ["KE"]
    session = public.get(f"{PUBLIC}/sessions/94").json()
    assert session["items"][0]["status"] == "rejected"  # one vote, against
    assert session["quorum"] == {"present": 3, "members": 196, "required": 2, "met": True}


def test_voting_refusals_are_problems(world: World, assembly: Assembly, sitting) -> None:
    heads, item = sitting
    ballot_id = open_ballot(world, item)
    canada, csrf = logged_in(world, heads["CA"])
    problem(
        canada.post(
            f"{API}/ballots/{ballot_id}/votes",
            json={"choice": "yes", "country": "KE"},
            headers=csrf,
        ),
        403,
        "not_in_delegation",
    )
    problem(
        canada.post(f"{API}/ballots/{ballot_id}/votes", json={"choice": "maybe"}, headers=csrf),
        409,
        "invalid_choice",
    )
    problem(canada.post(f"{API}/ballots/{ballot_id}/votes", json={"choice": ""}, headers=csrf), 422)
    token = world.api_as(world.user("NCB-KE", Role.DELEGATE))
    problem(
        token.post(f"{API}/ballots/{ballot_id}/votes", json={"choice": "yes"}),
        403,
        "person_required",
    )
    problem(token.post(f"{API}/items/{item}/ballot", json={"secret": True}), 403)
    problem(token.post(f"{API}/ballots/{ballot_id}/close"), 403)
    problem(world.client().post(f"{API}/ballots/{ballot_id}/votes", json={"choice": "yes"}), 401)


def test_a_head_gives_and_takes_back_the_vote_over_the_api(
    world: World, assembly: Assembly, sitting
) -> None:
    heads, item = sitting
    deputy = assembly.add_person("KE", "delegate")
    assembly.run(service.verify_credentials, assembly.admin, assembly.number, "KE")
    head, csrf = logged_in(world, heads["KE"])
    given = head.post(
        f"{API}/sessions/94/delegations/KE/powers",
        json={"holder_member_id": deputy.member_id, "item_id": item},
        headers=csrf,
    )
    assert given.status_code == 200, given.text
    assert given.json()["grants"] == [{"scope": str(item), "holder_member_id": deputy.member_id}]
    ballot_id = open_ballot(world, item)
    problem(
        head.post(f"{API}/ballots/{ballot_id}/votes", json={"choice": "yes"}, headers=csrf),
        403,
        "not_power_holder",
    )
    mine = head.get(f"{API}/sessions/94/my-ballots").json()
    assert (mine[0]["may_vote"], mine[0]["reason"]) == (False, "not_power_holder")
    taken = head.delete(
        f"{API}/sessions/94/delegations/KE/powers", params={"item_id": item}, headers=csrf
    )
    assert taken.json()["grants"] == []
    assert (
        head.post(
            f"{API}/ballots/{ballot_id}/votes", json={"choice": "yes"}, headers=csrf
        ).status_code
        == 201
    )
    deputy_client, deputy_csrf = logged_in(world, deputy)
    problem(
        deputy_client.post(
            f"{API}/sessions/94/delegations/KE/powers",
            json={"holder_member_id": deputy.member_id},
            headers=deputy_csrf,
        ),
        403,
        "not_head",
    )


def test_a_refusal_names_the_member_in_the_language(
    world: World, assembly: Assembly, sitting
) -> None:
    deputy = assembly.add_person("KE", "delegate")
    client, csrf = logged_in(world, deputy)

    def refusal(language: str | None) -> dict:
        headers = {**csrf, "Accept-Language": language} if language else csrf
        return problem(
            client.post(
                f"{API}/sessions/94/delegations/KE/powers",
                json={"holder_member_id": deputy.member_id},
                headers=headers,
            ),
            403,
            "not_head",
        )

    assert refusal(None)["detail"] == (
        "only the head of delegation of KE may give or take back its powers"
    )
    french = refusal("fr")
    assert (french["title"], french["detail"]) == (
        "Interdit",
        "seul le chef de la délégation de KE peut donner ou retirer sa procuration de vote",
    )
    assert refusal("ar")["detail"] == "لا يمنح تفويض التصويت لوفد KE أو يسحبه إلا رئيسُ الوفد"


def test_the_secretariat_runs_a_session_over_the_api(world: World) -> None:
    admin = world.api_as(world.user("GS", Role.GS_ADMIN, mfa=True))
    kenyan = world.user("NCB-KE", Role.DELEGATE)
    created = admin.post(
        f"{API}/sessions",
        json={
            "number": 95,
            "host_city": "Montevideo",
            "host_country": "uy",
            "starts_on": "2027-10-04",
            "ends_on": "2027-10-07",
            "next_host_city": "Oslo",
            "next_host_country": "NO",
            "quorum_share": "0.5",
        },
    )
    assert created.status_code == 201, created.text
    assert (created.json()["host_country"], created.json()["quorum_share"]) == ("UY", "1/2")
    problem(
        admin.post(
            f"{API}/sessions",
            json={
                "number": 95,
                "host_city": "X",
                "host_country": "UY",
                "starts_on": "2027-10-04",
                "ends_on": "2027-10-07",
            },
        ),
        409,
        "duplicate_session",
    )
    problem(
        admin.post(
            f"{API}/sessions",
            json={
                "number": 96,
                "host_city": "X",
                "host_country": "UY",
                "starts_on": "2027-10-04",
                "ends_on": "2027-10-01",
            },
        ),
        422,
    )
    problem(
        admin.post(
            f"{API}/sessions",
            json={
                "number": 96,
                "host_city": "X",
                "host_country": "ZZ",
                "starts_on": "2027-10-04",
                "ends_on": "2027-10-05",
            },
        ),
        422,
    )
    assert admin.post(f"{API}/sessions/95/open").json()["status"] == "open"
    item = admin.post(
        f"{API}/sessions/95/items", json={"title": "Elections", "kind": "election"}
    ).json()
    assert (
        admin.post(
            f"{API}/items/{item['id']}/documents",
            json={"title": "Candidates", "url": "https://example.org/c"},
        ).status_code
        == 201
    )
    problem(
        admin.post(
            f"{API}/items/{item['id']}/documents",
            json={"title": "Bad", "url": "javascript:alert(1)"},
        ),
        422,
    )
    election = admin.post(
        f"{API}/items/{item['id']}/elections",
        json={"post": "delegate", "region": "africa", "lot_seed": "plenary"},
    ).json()
    candidate = admin.post(
        f"{API}/elections/{election['id']}/candidates", json={"name": "Amina Demo", "country": "MA"}
    )
    assert candidate.json()["person_ref"] == "MA-amina-demo"
    problem(
        admin.post(
            f"{API}/elections/{election['id']}/candidates",
            json={"name": "Jean Demo", "country": "FR"},
        ),
        403,
        "wrong_region",
    )
    delegation = admin.post(
        f"{API}/sessions/95/delegations", json={"country": "KE", "head_user_id": kenyan.id}
    )
    assert delegation.status_code == 201, delegation.text
    assert (
        admin.post(f"{API}/sessions/95/delegations/KE/credentials").json()["credentials"]
        == "submitted"
    )
    assert (
        admin.post(f"{API}/sessions/95/delegations/KE/credentials/verified").json()["credentials"]
        == "verified"
    )
    assert (
        admin.put(f"{API}/sessions/95/delegations/KE/attendance", json={"present": True}).json()[
            "present"
        ]
        is True
    )
    problem(admin.get(f"{API}/sessions/95/delegations/ZZ"), 404)
    assert [d["country"] for d in admin.get(f"{API}/sessions/95/delegations").json()] == ["KE"]
    public = world.client().get(f"{PUBLIC}/elections/{election['id']}").json()
    assert public["seat"] == "Delegate for Africa" and public["lot_seed"] == "plenary"


def test_meetings_over_the_api_end_in_a_calendar(world: World, assembly: Assembly, sitting) -> None:
    heads, _ = sitting
    admin = world.api_as(world.user("GS", Role.GS_ADMIN, mfa=True))
    start = datetime(2026, 11, 3, 9, tzinfo=UTC)
    assert (
        admin.post(
            f"{API}/sessions/94/meetings/slots",
            json={
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
            },
        ).status_code
        == 201
    )
    problem(
        admin.post(
            f"{API}/sessions/94/meetings/slots",
            json={"starts_at": "2026-11-03T11:00:00", "ends_at": "2026-11-03T12:00:00"},
        ),
        422,
    )
    admin.post(f"{API}/sessions/94/meetings/rooms", json={"name": "Room A"})
    kenya, ke_csrf = logged_in(world, heads["KE"])
    canada, ca_csrf = logged_in(world, heads["CA"])
    asked = kenya.post(
        f"{API}/sessions/94/meetings/requests",
        json={"invitee": "CA", "subject": "Training"},
        headers=ke_csrf,
    ).json()
    problem(
        kenya.post(
            f"{API}/meetings/requests/{asked['id']}/answer", json={"accept": True}, headers=ke_csrf
        ),
        403,
        "not_invitee",
    )
    assert (
        canada.post(
            f"{API}/meetings/requests/{asked['id']}/answer", json={"accept": True}, headers=ca_csrf
        ).json()["status"]
        == "accepted"
    )
    scheduled = admin.post(f"{API}/sessions/94/meetings/schedule").json()
    assert [b["request_id"] for b in scheduled["booked"]] == [asked["id"]]
    assert canada.get(f"{API}/sessions/94/meetings/schedule").json()[0]["room"] == "Room A"
    ics = kenya.get(f"{API}/sessions/94/meetings/calendar.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert b"Bilateral meeting with Canada" in ics.content
    nigeria, _ = logged_in(world, heads["NG"])
    assert nigeria.get(f"{API}/sessions/94/meetings/schedule").json() == []


def test_agreements_over_the_api(world: World) -> None:
    admin = world.api_as(world.user("GS", Role.GS_ADMIN, mfa=True))
    body = {
        "title": "MoU on training",
        "kind": "memorandum_of_understanding",
        "parties": [{"country": "KE"}, {"country": "CA"}],
        "proposed_on": "2026-05-01",
    }
    agreement = admin.post(f"{API}/agreements", json=body).json()
    assert [p["name"] for p in agreement["parties"]] == ["Kenya", "Canada"]
    signed = admin.post(
        f"{API}/agreements/{agreement['id']}/status", json={"status": "signed", "on": "2026-11-04"}
    )
    assert signed.json()["signed_on"] == "2026-11-04"
    problem(
        admin.post(
            f"{API}/agreements/{agreement['id']}/status",
            json={"status": "negotiating", "on": "2026-11-05"},
        ),
        409,
        "status_order",
    )
    kenya = world.api_as(world.user("NCB-KE", Role.DELEGATE))
    france = world.api_as(world.user("NCB-FR", Role.DELEGATE))
    assert kenya.get(f"{API}/agreements/{agreement['id']}").status_code == 200
    problem(france.get(f"{API}/agreements/{agreement['id']}"), 404)
    problem(kenya.post(f"{API}/agreements", json=body), 403)


def test_the_committee_is_public(world: World, assembly: Assembly) -> None:
    assembly.run(
        service_voting.record_seat_holder,
        assembly.admin,
        post="president",
        region=None,
        name="Outgoing President",
        country="AE",
        term_ends=2026,
    )
    rows = world.client().get(f"{PUBLIC}/committee").json()
    assert [(r["post"], r["country"], r["term_ends"]) for r in rows] == [("president", "AE", 2026)]
    assert world.client().get(f"{PUBLIC}/committee", params={"serving_after": 2026}).json() == []


def test_an_agenda_ballots_question_reads_in_the_language(
    world: World, assembly: Assembly, sitting
) -> None:
    """The platform's question: stored and on the board in English (the board hashes it),
    shown in the reader's language in the API and on the page; a title a person wrote for a
    resolution ballot is shown as written."""
    heads, item = sitting
    public = world.client()
    detail = public.get(f"{PUBLIC}/sessions/{assembly.number}").json()
    [agenda] = detail["agenda_ballots"]
    english = "Adopt the agenda of session 94 (1 items)?"
    assert agenda["question"] == english
    url = f"{PUBLIC}/ballots/{agenda['id']}"
    assert public.get(url, headers={"Accept-Language": "en"}).json()["question"] == english
    french = public.get(url, headers={"Accept-Language": "fr"}).json()["question"]
    assert french == "Adopter l'ordre du jour de la session 94 (1 points) ?"
    arabic = public.get(url, headers={"Accept-Language": "ar"}).json()["question"]
    assert arabic.startswith("اعتماد جدول أعمال الدورة 94")
    with world.db.session() as session:
        assert service_voting.get_ballot(session, agenda["id"]).question == english
    client, _csrf = logged_in(world, heads["KE"])
    page = client.get(f"/assembly/ballots/{agenda['id']}", headers={"Accept-Language": "fr"})
    assert "Adopter l&#39;ordre du jour de la session 94" in page.text
    assert "Adopt the agenda" not in page.text
    resolution = open_ballot(world, item, secret=False)
    shown = public.get(f"{PUBLIC}/ballots/{resolution}", headers={"Accept-Language": "fr"})
    assert shown.json()["question"] == "Strategic framework"
