"""The record and notice lists find names in any script with the screening matcher, and only
among what the searcher may see."""

from __future__ import annotations

import pytest

from interlink.core.auth import Role
from tests.support import World

ARABIC_PERSON = {
    "names": [{"full_name": "حميضة الزبيدي"}],
    "birth_date": "1979-03-02",
    "sex": "male",
}


@pytest.fixture
def engine(world: World):
    screener = world.app.state.interlink.services.screener
    screener.engine.build()
    return screener.engine


def _person(client, data=ARABIC_PERSON) -> int:
    created = client.post("/api/v1/records/person", json={"data": data})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def test_a_latin_spelling_finds_an_arabic_record_and_its_notice(world: World, engine) -> None:
    ma_user = world.user("NCB-MA", Role.SUPERVISOR)
    record_id = _person(world.api_as(ma_user))
    diffusion = world.circulate(world.api_as(ma_user), record_id, to=("FR",))
    engine.refresh()
    for user in (ma_user, world.user("NCB-FR", Role.OFFICER)):
        page = world.browser_login(user)
        found = page.get("/records", params={"q": "Humaida al-Zubaidi"})
        assert found.status_code == 200
        assert f'href="/records/{record_id}"' in found.text
        notices = page.get("/notices", params={"q": "Humaida Zubaidi"})
        assert f'href="/notices/{diffusion["id"]}"' in notices.text
    api = world.api_as(ma_user).get("/api/v1/records", params={"q": "Humaida al-Zubaidi"})
    assert [r["id"] for r in api.json()["items"]] == [record_id]


def test_the_search_finds_nothing_the_searcher_may_not_see(world: World, engine) -> None:
    ma_user = world.user("NCB-MA", Role.SUPERVISOR)
    record_id = _person(world.api_as(ma_user))  # national data: not circulated
    engine.refresh()
    page = world.browser_login(world.user("NCB-FR", Role.OFFICER))
    found = page.get("/records", params={"q": "Humaida al-Zubaidi"})
    assert found.status_code == 200
    assert f'href="/records/{record_id}"' not in found.text
    api = world.api_as(world.user("NCB-FR", Role.OFFICER))
    assert api.get("/api/v1/records", params={"q": "Humaida al-Zubaidi"}).json()["items"] == []


def test_a_different_name_is_not_found(world: World, engine) -> None:
    ma_user = world.user("NCB-MA", Role.SUPERVISOR)
    record_id = _person(world.api_as(ma_user))
    engine.refresh()
    found = world.browser_login(ma_user).get("/records", params={"q": "Jean Dupont"})
    assert f'href="/records/{record_id}"' not in found.text
