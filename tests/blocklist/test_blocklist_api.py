"""The blocklist over HTTP: the bureaus' and the GS's API, problems for bad input, the
provider feed end to end with the real client, and the public stop page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from interlink.blocklist.client import BlocklistClient, PrefixStore
from interlink.blocklist.feed import HashedList, UpdateKind
from interlink.blocklist.models import BlocklistDomain, ListVersion, VersionMembership
from interlink.blocklist.transport import HttpFeedSource
from interlink.blocklist.versions import domains_of
from interlink.core.auth import Role
from tests.blocklist.conftest import PROVIDER_ORG, Cast
from tests.support import World

BASE = "/api/v1/blocklist"
ATTEST = {
    "real_children": True,
    "under_13": True,
    "severe_abuse": True,
    "evidence_ref": "MA-CYB-2026-17",
    "notes": "checked by hand",
}
FILLER = [f"filler{n}.example" for n in range(30)]  # so small changes travel as partial


class Api:
    """API clients of a bureau pair, the GS and a provider."""

    def __init__(self, world: World, cast: Cast) -> None:
        self.rabat = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
        self.paris = world.api_as(world.user("NCB-FR", Role.SUPERVISOR))
        self.gs = world.api_as(world.user("GS", Role.GS_ADMIN, mfa=True))
        self.provider = world.api(cast.provider_token)
        self.provider_token = cast.provider_token

    def list_(self, *names: str) -> list[int]:
        """Submit, confirm and publish; return the domain ids."""
        ids = [self.confirmed(name) for name in names]
        assert self.gs.post(f"{BASE}/versions").status_code == 201
        return ids

    def confirmed(self, name: str) -> int:
        created = self.rabat.post(f"{BASE}/domains", json={"domain": name, **ATTEST})
        assert created.status_code == 201, created.text
        confirmed = self.paris.post(
            f"{BASE}/domains/{created.json()['id']}/confirmations", json=ATTEST
        )
        assert confirmed.status_code == 201, confirmed.text
        return created.json()["id"]

    def delist(self, domain_id: int) -> None:
        response = self.gs.post(f"{BASE}/domains/{domain_id}/delist", json={"reason": "gone"})
        assert response.status_code == 200, response.text


@pytest.fixture
def api(world: World, cast: Cast) -> Api:
    return Api(world, cast)


def client_for(world: World, api: Api, store: Path) -> BlocklistClient:
    """The real provider client, over HTTP, against the app."""
    return BlocklistClient(
        HttpFeedSource("http://testserver", api.provider_token, client=world.client()),
        PrefixStore(store),
    )


def published_checksum(world: World, number: int) -> bytes:
    with world.db.session() as session:
        return bytes.fromhex(session.get(ListVersion, number).checksum)


def test_submit_confirm_publish_over_the_api(api: Api) -> None:
    created = api.rabat.post(f"{BASE}/domains", json={"domain": "WWW.Abuse.Example", **ATTEST})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["domain"], body["state"], body["confirmations_current"]) == (
        "www.abuse.example",
        "submitted",
        1,
    )
    assert api.gs.post(f"{BASE}/versions").status_code == 409  # one confirmation: nothing
    queue = api.paris.get(f"{BASE}/queue").json()
    assert [d["domain"] for d in queue] == ["www.abuse.example"]
    hidden = api.paris.get(f"{BASE}/domains/{body['id']}").json()["confirmations"]
    assert hidden == [
        {
            "org_code": "NCB-MA",
            "confirmed_at": hidden[0]["confirmed_at"],
            "round": 1,
            "evidence_ref": None,
            "notes": None,
        }
    ]
    confirmed = api.paris.post(f"{BASE}/domains/{body['id']}/confirmations", json=ATTEST)
    assert confirmed.json()["state"] == "confirmed"
    assert confirmed.json()["confirmations"][0]["evidence_ref"] == "MA-CYB-2026-17"
    assert api.gs.get(f"{BASE}/pending").json()["added"] == ["www.abuse.example"]
    version = api.gs.post(f"{BASE}/versions")
    assert version.status_code == 201 and version.json()["domain_count"] == 1
    assert api.gs.get(f"{BASE}/versions/1").json()["domains"] == ["www.abuse.example"]
    page = api.rabat.get(f"{BASE}/domains", params={"state": "listed", "limit": 1}).json()
    assert [d["domain"] for d in page["items"]] == ["www.abuse.example"]
    assert page["next_cursor"]


@pytest.mark.parametrize(
    "who,method,path,body,status",
    [
        ("rabat", "post", "/domains", {"domain": "a.b.c.d.e.example", **ATTEST}, 422),
        ("rabat", "post", "/domains", {"domain": "x.example", **ATTEST, "under_13": False}, 422),
        (
            "rabat",
            "post",
            "/domains",
            {"domain": "x.example", **ATTEST, "evidence_ref": "http://x.example/1.jpg"},
            422,
        ),
        ("rabat", "post", "/domains/1/confirmations", ATTEST, 409),  # its own domain again
        ("paris", "post", "/versions", None, 403),
        ("paris", "post", "/domains/1/delist", {"reason": "x"}, 403),
        ("gs", "post", "/domains", {"domain": "x.example", **ATTEST}, 403),
        ("gs", "post", "/domains/1/delist", {"reason": "x"}, 409),  # not listed yet
        ("gs", "post", "/domains/999/reject", {"reason": "x"}, 404),
        ("gs", "get", "/versions/1/diff/2", None, 404),
        ("gs", "post", "/feed/update", {"version": None}, 403),  # a publisher is no provider
        ("provider", "get", "/domains", None, 403),
        ("provider", "get", "/domains/1", None, 403),
        ("provider", "get", "/queue", None, 403),
        ("provider", "get", "/versions", None, 403),
        ("provider", "post", "/feed/update", {"version": None}, 409),  # nothing published
        ("provider", "post", "/feed/update", {}, 422),
        ("provider", "post", "/feed/full-hashes", {"prefixes": ["AAAA"]}, 422),  # 3 bytes
        ("provider", "post", "/feed/full-hashes", {"prefixes": ["not base64!"]}, 422),
        ("provider", "post", "/feed/full-hashes", {"prefixes": []}, 422),
    ],
)
def test_refusals_are_problems(
    api: Api, who: str, method: str, path: str, body: dict | None, status: int
) -> None:
    api.rabat.post(f"{BASE}/domains", json={"domain": "first.example", **ATTEST})
    response = getattr(api, who).request(method.upper(), BASE + path, json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]


def test_sync_over_http_stays_in_step_through_partial_updates(
    world: World, api: Api, tmp_path: Path
) -> None:
    ids = dict(zip(FILLER, api.list_(*FILLER), strict=True))
    client = client_for(world, api, tmp_path / "list.json")
    first = client.sync()
    assert (first.kind, first.version, first.prefixes) == (UpdateKind.FULL, 1, 30)
    for number, name in enumerate(("new-a.example", "new-b.example", "new-c.example"), 2):
        api.confirmed(name)
        api.delist(ids[FILLER[number]])
        assert api.gs.post(f"{BASE}/versions").status_code == 201
        result = client.sync()
        assert (result.kind, result.version, result.reloaded) == (UpdateKind.PARTIAL, number, False)
        assert client.checksum == published_checksum(world, number)
    reopened = client_for(world, api, tmp_path / "list.json")
    assert (reopened.version, reopened.checksum) == (4, published_checksum(world, 4))
    assert client.sync().kind is UpdateKind.PARTIAL  # in step: an empty partial update


@pytest.mark.parametrize(
    "address,blocked",
    [
        ("http://new-a.example/", True),
        ("https://deep.sub.new-a.example/any/path/page.php?x=1#top", True),
        ("NEW-A.EXAMPLE:8080/a/../b", True),
        ("http://filler7.example/gallery/", True),
        ("http://new-a.example.evil.test/", False),  # look-alikes are not listed
        ("http://xnew-a.example/", False),
        ("http://new-a.examples/", False),
        ("http://filler2.example/", False),  # delisted in version 2
    ],
)
def test_subdomains_and_paths_of_listed_domains_are_blocked(
    world: World, api: Api, tmp_path: Path, address: str, blocked: bool
) -> None:
    ids = api.list_(*FILLER)
    api.confirmed("new-a.example")
    api.delist(ids[2])
    api.gs.post(f"{BASE}/versions")
    client = client_for(world, api, tmp_path / "list.json")
    client.sync()
    assert client.check_url(address).blocked is blocked


def test_a_corrupt_update_is_repaired_by_a_full_reload(
    world: World, api: Api, tmp_path: Path
) -> None:
    api.list_(*FILLER)
    client = client_for(world, api, tmp_path / "list.json")
    client.sync()
    # The server's record of version 1 is rewritten, checksum included, so that it believes
    # the provider holds one domain fewer: the partial update to version 2 cannot add up.
    with world.db.session() as session:
        session.execute(
            update(VersionMembership).where(VersionMembership.id == 1).values(removed_in=1)
        )
    api.confirmed("late.example")
    api.gs.post(f"{BASE}/versions")
    with world.db.session() as session:
        rewritten = HashedList(domains_of(session, 1)).checksum.hex()
        session.execute(
            update(ListVersion).where(ListVersion.number == 1).values(checksum=rewritten)
        )
    result = client.sync()
    assert (result.kind, result.reloaded, result.version) == (UpdateKind.FULL, True, 2)
    assert client.checksum == published_checksum(world, 2)


def test_provider_log_over_http_names_no_address(world: World, api: Api, tmp_path: Path) -> None:
    api.list_("abuse.example", *FILLER)
    client = client_for(world, api, tmp_path / "list.json")
    client.sync()
    assert client.check_url("http://www.abuse.example/secret/page.html").blocked
    log = api.gs.get(f"{BASE}/providers/requests").json()
    assert [(e["kind"], e["prefixes_asked"]) for e in log["items"]] == [
        ("full_hash", 1),
        ("update", 0),
    ]
    assert "abuse" not in json.dumps(log) and "secret" not in json.dumps(log)
    [provider] = api.gs.get(f"{BASE}/providers").json()
    assert (provider["org_code"], provider["requests"]) == (PROVIDER_ORG, 2)
    assert api.rabat.get(f"{BASE}/providers").status_code == 403


def test_appeals_and_reviews_over_the_api(api: Api) -> None:
    [domain_id] = api.list_("appealed.example")
    appeal = api.gs.post(
        f"{BASE}/domains/{domain_id}/appeals",
        json={"appellant": "Host Ltd", "contact": "abuse@host.example", "grounds": "removed"},
    )
    assert appeal.status_code == 201
    decided = api.gs.post(
        f"{BASE}/appeals/{appeal.json()['id']}/decision",
        json={"upheld": True, "reason": "checked: gone"},
    )
    assert decided.json()["state"] == "upheld"
    assert api.gs.get(f"{BASE}/domains/{domain_id}").json()["state"] == "delisted"
    review = api.gs.post(f"{BASE}/domains/{domain_id}/reviews", json={"material_present": True})
    assert review.status_code == 409
    assert api.gs.get(f"{BASE}/reviews/due").json() == []


def test_stop_page_is_public_and_the_same_for_any_domain(world: World, api: Api) -> None:
    api.list_("listed.example")
    visitor: TestClient = world.client()
    listed = visitor.get(
        "/blocklist/stop", params={"domain": "listed.example", "provider": PROVIDER_ORG}
    )
    unlisted = visitor.get(
        "/blocklist/stop", params={"domain": "unlisted.example", "provider": PROVIDER_ORG}
    )
    assert listed.status_code == unlisted.status_code == 451
    assert "listed.example" in listed.text and PROVIDER_ORG in listed.text
    assert world.settings.blocklist_complaint_url in listed.text
    # Nothing on the page depends on the list: it cannot be used to test membership.
    assert listed.text.replace("listed.example", "X") == unlisted.text.replace(
        "unlisted.example", "X"
    )
    assert visitor.get("/blocklist/stop", params={"domain": "http://x/"}).status_code == 422


def test_the_public_stop_page_cannot_be_made_to_say_a_site_is_listed(world: World) -> None:
    """Anyone can put any domain in the address: the words must hold whatever it says, and
    the page is styled from the site's style sheet (the CSP refuses inline styles)."""
    page = world.client().get("/blocklist/stop", params={"domain": "innocent.example"})
    text = " ".join(page.text.split())
    assert "has blocked" not in text and "Website blocked: innocent.example" not in text
    assert "If your Internet provider sent you to this page" in text
    assert "anyone can write any name there" in text
    assert "<style" not in page.text and 'href="/static/stop.css"' in page.text
    assert world.client().get("/static/stop.css").status_code == 200


def test_a_delisting_reason_the_platform_wrote_reads_in_the_language(
    world: World, api: Api
) -> None:
    """'review found the material gone: <note>': stored in English with its message, shown
    in the reader's language with the person's note as written; a reason a person wrote, and
    one stored before messages were kept, as stored."""
    reviewed, by_hand, old = api.list_("reviewed.example", "byhand.example", "old.example")
    for domain_id in (reviewed, old):
        response = api.gs.post(
            f"{BASE}/domains/{domain_id}/reviews",
            json={"material_present": False, "note": "404 everywhere"},
        )
        assert response.status_code == 201, response.text
    api.delist(by_hand)
    with world.db.session() as session:  # as a row stored before messages were kept
        session.execute(
            update(BlocklistDomain).where(BlocklistDomain.id == old).values(closed_reason_text=None)
        )
    with world.db.session() as session:
        stored = session.get(BlocklistDomain, reviewed)
        assert stored.closed_reason == "review found the material gone: 404 everywhere"

    def reason(domain_id: int, language: str | None = None) -> str:
        headers = {"Accept-Language": language} if language else {}
        found = api.gs.get(f"{BASE}/domains/{domain_id}", headers=headers)
        assert found.status_code == 200, found.text
        return found.json()["closed_reason"]

    english = "review found the material gone: 404 everywhere"
    assert reason(reviewed) == reason(reviewed, "en") == english
    assert reason(reviewed, "fr") == "l'examen a constaté que le contenu a disparu : 404 everywhere"
    assert reason(reviewed, "ar").endswith(": 404 everywhere") and "review" not in reason(
        reviewed, "ar"
    )
    assert reason(by_hand, "fr") == "gone"
    assert reason(old, "fr") == english
    page = world.browser_login(world.user("GS", Role.GS_ADMIN, mfa=True)).get(
        f"/blocklist/domains/{reviewed}", headers={"Accept-Language": "fr"}
    )
    assert "l&#39;examen a constaté que le contenu a disparu : 404 everywhere" in page.text
