"""Every role logs in and visits every page its navigation and its home page lead to, on both
databases: axe-core finds no serious or critical violation, nothing is wider than a 390 px
phone, the browser refuses nothing under the Content-Security-Policy, and no page prints a
record or notice as JSON. Screenshots at 1280 and 390 px go to artefacts/screens/.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from interlink.core.auth import OrgKind, Role
from interlink.members.service import GS_CODE
from tests.browser.conftest import login
from tests.browser.pagecheck import axe_source, check_page
from tests.support import PASSWORD, World


@dataclass(frozen=True)
class Persona:
    role: Role
    org: str
    username: str
    mfa: bool = False


PERSONAS = [
    Persona(Role.OFFICER, "NCB-FR", "paris.officer"),
    Persona(Role.SUPERVISOR, "NCB-FR", "paris.supervisor"),
    Persona(Role.NCB_ADMIN, "NCB-FR", "paris.admin", mfa=True),
    Persona(Role.ANALYST, "NCB-FR", "paris.analyst"),
    Persona(Role.DELEGATE, "NCB-FR", "paris.delegate"),
    Persona(Role.COMPLIANCE_REVIEWER, GS_CODE, "gs.reviewer", mfa=True),
    Persona(Role.GS_ADMIN, GS_CODE, "gs.admin", mfa=True),
    Persona(Role.OVERSIGHT, "CCF", "ccf.member", mfa=True),
    Persona(Role.PARTNER, "ISP-1", "isp.operator"),
]

# Pages whose JSON rendering the lead is rewriting in this same issue: none left since the
# readable records and notice pages landed.
LEAD_REWRITES: tuple[str, ...] = ()

# axe findings on pages another session is rewriting in this issue (issue 16): listed so this
# test stays a gate for everything else; each entry goes when that rewrite lands.
KNOWN_ELSEWHERE: dict[str, set[str]] = {}


def _seed(world: World) -> None:
    """A stolen passport of Paris's, checked at Rabat: Paris has a hit to answer."""
    world.add_org("ISP-1", OrgKind.PARTNER, country="FR")
    paris = world.api_as(world.user("NCB-FR", Role.SUPERVISOR))
    created = paris.post(
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
    rabat = world.api_as(world.user("NCB-MA", Role.OFFICER))
    answer = rabat.post("/api/v1/screen/document", json={"number": "FR0042731", "country": "FR"})
    assert answer.status_code == 200, answer.text


def _links(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(
        selector, "els => els.map(e => e.getAttribute('href')).filter(h => h && h[0] == '/')"
    )


def _pages_of(page, base: str) -> list[str]:
    page.goto(base + "/")
    paths = ["/", *_links(page, "nav.main-nav a"), *_links(page, "main .tasks a")]
    return list(dict.fromkeys(p for p in paths if not p.startswith(("/logout",))))


def _known(path: str, problem: str) -> bool:
    return any(
        path.startswith(prefix) and any(f" {rule}:" in problem for rule in rules)
        for prefix, rules in KNOWN_ELSEWHERE.items()
    )


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.role.value)
def test_every_page_of_every_role(
    world: World, live_server: str, new_page, database, persona: Persona
) -> None:
    source = axe_source()
    _seed(world)
    user = world.user(persona.org, persona.role, username=persona.username, mfa=persona.mfa)
    page = new_page()
    login(page, live_server, persona.username, PASSWORD, user.totp_secret)
    shots = persona.role.value if database.engine.dialect.name == "sqlite" else None
    problems: list[str] = []
    visited = _pages_of(page, live_server)
    for path in visited:
        check_json = not path.startswith(LEAD_REWRITES)
        report = check_page(page, live_server, path, source, shots=shots, check_json=check_json)
        problems.extend(f"{report.url}: {p}" for p in report.problems if not _known(report.url, p))
    assert len(visited) >= 2, visited
    assert not problems, "\n".join(problems)


def test_records_pages_show_no_json_dump(world: World, live_server: str, new_page) -> None:
    source = axe_source()
    world.user("NCB-FR", Role.SUPERVISOR, username="paris.supervisor")
    api = world.api_as(world.user("NCB-FR", Role.SUPERVISOR))
    created = api.post(
        "/api/v1/records/person",
        json={
            "data": {
                "names": [{"full_name": "حميضة الفلاني", "script": "Arabic"}],
                "birth_date": "1980-01-02",
                "nationalities": ["FR"],
            }
        },
    )
    assert created.status_code == 201, created.text
    page = new_page()
    login(page, live_server, "paris.supervisor", PASSWORD)
    report = check_page(page, live_server, f"/records/{created.json()['id']}", source, shots=None)
    assert report.json_dump is None, report.json_dump


def test_the_checks_catch_what_they_look_for(browser) -> None:
    """The forbidden side: an unlabelled field, a page wider than a phone, a JSON dump."""
    from tests.browser.pagecheck import horizontal_overflow, json_dump_in, run_axe

    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.set_content(
            '<html lang="en"><title>t</title><main><input type="text">'
            '<div style="width:900px">wide</div><p>{"name": "x"}</p></main>'
        )
        assert any("label" in v for v in run_axe(page, axe_source()))
        assert "wider than a 390 px window" in (horizontal_overflow(page) or "")
        assert "JSON in the visible text" in (json_dump_in(page) or "")
    finally:
        page.close()


PUBLIC_PAGES = [
    "/login",
    "/public/notices",
    "/rights/request",
    "/rights/status",
    "/rights/statistics",
    "/blocklist/stop?domain=innocent.example",
]


def test_every_public_page(world: World, live_server: str, new_page, database) -> None:
    """What anyone reaches without an account: the same checks, the CSP included (the stop
    page once carried an inline style the policy refused)."""
    source = axe_source()
    page = new_page()
    shots = "public" if database.engine.dialect.name == "sqlite" else None
    problems: list[str] = []
    for path in PUBLIC_PAGES:
        report = check_page(page, live_server, path, source, shots=shots)
        problems.extend(f"{report.url}: {p}" for p in report.problems)
    assert not problems, "\n".join(problems)


def test_the_secretariat_analysts_pages(world: World, live_server: str, new_page) -> None:
    """Pages no persona's navigation reaches: the link queue's saved patterns."""
    source = axe_source()
    world.user(GS_CODE, Role.ANALYST, username="gs.analyst")
    page = new_page()
    login(page, live_server, "gs.analyst", PASSWORD)
    problems: list[str] = []
    for path in ("/links", "/patterns"):
        report = check_page(page, live_server, path, source, shots="gs-analyst")
        problems.extend(f"{report.url}: {p}" for p in report.problems)
    assert not problems, "\n".join(problems)
