"""Linking's texts in the reader's language (docs/languages.md): the link graph's reasons and
node labels, the link page's details, the record label inside linking's alerts. Each is
shown translated in French and Arabic and as it is in English."""

from __future__ import annotations

import html
import json

import pytest
from sqlalchemy import select

from interlink.core import i18n
from interlink.core.auth import Role
from interlink.linking.models import Link
from interlink.screening.models import Hit
from tests.linking.test_linking_service import _link, linked  # noqa: F401 (a fixture)
from tests.support import World


def _text(response) -> str:
    assert response.status_code == 200, response.text
    return html.unescape(response.text)


def test_the_link_graph_reads_in_french_and_arabic_and_stays_english(
    world: World,
    linked,  # noqa: F811
) -> None:
    """FR owns the record told of the link: its graph has the linked record, and the hit
    the General Secretariat opened on it."""
    browser = world.browser_login(world.user("NCB-FR", Role.SUPERVISOR))
    page = f"/links/graph/{linked['fr']}"
    english = _text(browser.get(page))
    assert "Name: Strong; Birth date: Exact; " in english and "; Identifier: Shared" in english
    assert "Suggested link match by " in english and "Suggested link hit, " in english
    assert "match by General Secretariat (linking)" in english
    french = _text(browser.get(page, headers={"Accept-Language": "fr"}))
    assert "Nom : Fort ; Date de naissance : Exact ; " in french
    assert "; Identifiant : Commun" in french
    assert "Concordance (Lien suggéré) obtenue par Secrétariat général (liaison)" in french
    assert "Concordance (Lien suggéré), " in french
    arabic = _text(browser.get(page, headers={"Accept-Language": "ar"}))
    assert "تطابق (ربط مقترح) أجراه الأمانة العامة (الربط)" in arabic
    for text in (french, arabic):
        assert "match by" not in text and "Shared" not in text and "Birth date" not in text
        assert "(linking)" not in text
    # a label sits in its own isolate: "(Person)" after a Latin name keeps its place
    assert "<bdi>Aleksandr Pushkin</bdi> (الشخص)" in arabic

    api = world.api_as(world.user("NCB-FR", Role.SUPERVISOR))
    url = f"/api/v1/links/records/{linked['fr']}/graph"
    reasons = {e["type"]: e["reason"] for e in api.get(url).json()["edges"]}
    assert reasons["same_person"].endswith("; Identifier: Shared")
    assert reasons["hit"].startswith("Suggested link match by ")
    translated = api.get(url, headers={"Accept-Language": "fr"}).json()["edges"]
    assert {e["type"]: e["reason"] for e in translated}["hit"].startswith("Concordance (Lien")
    exported = api.get(url, params={"format": "ftm"}, headers={"Accept-Language": "fr"})
    summaries = [
        json.loads(line)["properties"].get("summary") for line in exported.text.splitlines()
    ]
    assert ["Identifiant : Commun" in str(s) for s in summaries].count(True) == 1


def test_a_graph_names_documents_and_notices_in_the_language(world: World) -> None:
    """A document bearing the person's number and a request about them: the edges' reasons."""
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    person = ma.post(
        "/api/v1/records/person",
        json={
            "data": {
                "names": [{"full_name": "Omar Haddad"}],
                "identity_documents": [
                    {"document_type": "passport", "number": "XK1234567", "issuing_country": "MA"}
                ],
            }
        },
    ).json()["id"]
    ma.post(
        "/api/v1/records/document",
        json={
            "data": {
                "issuing_country": "MA",
                "document_type": "passport",
                "number": "XK1234567",
                "status": "stolen",
                "reported_on": "2026-03-01",
            }
        },
    )
    notice = ma.post(
        "/api/v1/notices", json={"data": {"notice_type": "red"}, "subject_record_id": person}
    )
    assert notice.status_code == 201, notice.text
    reference = notice.json()["reference"]
    browser = world.browser_login(world.user("NCB-MA", Role.SUPERVISOR))
    english = _text(browser.get(f"/links/graph/{person}"))
    assert "document number XK1234567" in english and f"subject of {reference}" in english
    assert "passport MA XK1234567" in english and "(Red notice)" in english
    french = _text(browser.get(f"/links/graph/{person}", headers={"Accept-Language": "fr"}))
    assert "numéro de document XK1234567" in french
    assert f"personne visée par {reference}" in french and "(Notice rouge)" in french
    assert "<bdi>Passeport MA XK1234567</bdi>" in french
    arabic = _text(browser.get(f"/links/graph/{person}", headers={"Accept-Language": "ar"}))
    assert "رقم الوثيقة XK1234567" in arabic and f"الشخص موضوع {reference}" in arabic


def test_the_link_page_explains_in_the_language(world: World, linked) -> None:  # noqa: F811
    browser = world.browser_login(world.user("GS", Role.ANALYST))
    link = _link(world, linked["ma"], linked["fr"])
    english = _text(browser.get(f"/links/{link.id}"))
    assert "both 1979-06-06" in english and "document 711234567 on both" in english
    assert "(found by the Incremental run linker)" in english
    french = _text(browser.get(f"/links/{link.id}", headers={"Accept-Language": "fr"}))
    assert "1979-06-06 des deux côtés" in french and "document 711234567 des deux côtés" in french
    assert "both 1979" not in french and " on both" not in french
    assert "probabilité a priori d'une correspondance" in french
    assert "Nom complet" not in french  # (the field labels are the changes table's)
    arabic = _text(browser.get(f"/links/{link.id}", headers={"Accept-Language": "ar"}))
    assert "1979-06-06 لدى الطرفين" in arabic


def test_every_detail_of_the_model_is_a_message_or_data() -> None:
    """What linking/model.py writes: each sentence a message, translated in French, the
    English as it always was; data (nationalities, a sex code) shown as it is."""
    from interlink.linking.model import (
        birth_level,
        identifier_level,
        nationality_level,
        sex_level,
    )

    english = [
        (birth_level(None, "1980"), "not known on both sides"),
        (birth_level("1980-01-02", "1980-01-02"), "both 1980-01-02"),
        (birth_level("1980", "1980-01-02"), "1980 and 1980-01-02 agree as far as both are known"),
        (birth_level("1980-01-02", "1980-02-01"), "day and month transposed"),
        (birth_level("1980-01-02", "1980-03-04"), "same year, other month or day"),
        (birth_level("1980-01-02", "1981-01-02"), "years one apart, same day"),
        (birth_level("1980-01-02", "1990-01-02"), "1980-01-02 against 1990-01-02"),
        (nationality_level(("FR", "DZ"), ("MA",)), "FR, DZ against MA"),
        (sex_level("M", "F"), "M against F"),
        (identifier_level(frozenset(), frozenset({"A"})), "no document number on one side"),
        (identifier_level(frozenset({"A"}), frozenset({"A"})), "document A on both"),
        (
            identifier_level(frozenset({"A"}), frozenset({"B"})),
            "documents on both sides, none in common",
        ),
    ]
    token = i18n.use_language("fr")
    try:
        for (_level, detail), sentence in english:
            assert isinstance(detail, i18n.Phrase), detail
            message = detail.message()
            assert str(message) == sentence
            assert i18n.in_language(sentence, i18n.parts_data(message)) != sentence, sentence
        # data only: no message, shown as it is
        assert nationality_level(("FR",), ("FR", "MA"))[1] == "FR"
        assert sex_level("M", "M")[1] == "M"
    finally:
        i18n.reset_language(token)


def test_the_link_api_explains_in_the_language(world: World, linked) -> None:  # noqa: F811
    """/links/{id}, /links/explain and /similar: each detail in the answer's language, the
    English as it always was; the contributions still add up to the score."""
    gs = world.api_as(world.user("GS", Role.ANALYST))
    link = _link(world, linked["ma"], linked["fr"])
    urls = {
        "link": f"/api/v1/links/{link.id}",
        "explain": f"/api/v1/links/explain?a={linked['ma']}&b={linked['fr']}",
        "similar": f"/api/v1/links/records/{linked['ma']}/similar",
    }

    def details(language: str | None) -> dict[str, dict[str, str]]:
        headers = {"Accept-Language": language} if language else {}
        found = {}
        for name, url in urls.items():
            body = gs.get(url, headers=headers).json()
            if name == "link":
                body = body["explanation"]
            elif name == "similar":
                body = next(s for s in body["similar"] if s["record"]["id"] == linked["fr"])
            total = sum(c["weight"] for c in body["contributions"])
            assert total == pytest.approx(body["match_weight"], abs=1e-3)
            assert all("detail_text" not in c for c in body["contributions"])
            found[name] = {c["feature"]: c["detail"] for c in body["contributions"]}
        return found

    english, french, arabic = details(None), details("fr"), details("ar")
    for name in urls:
        assert english[name]["birth_date"] == "both 1979-06-06", name
        assert english[name]["identifier"] == "document 711234567 on both"
        assert english[name]["prior"].startswith("prior probability ")
        assert english[name]["name"].startswith("name score ")
        assert french[name]["birth_date"] == "1979-06-06 des deux côtés"
        assert french[name]["identifier"] == "document 711234567 des deux côtés"
        assert "probabilité a priori d'une correspondance" in french[name]["prior"]
        assert arabic[name]["birth_date"] == "1979-06-06 لدى الطرفين"
        assert english[name]["nationality"] == french[name]["nationality"]  # data: as it is
    assert details("en") == english


def test_a_link_stored_before_its_details_had_messages_is_shown_as_stored(
    world: World,
    linked,  # noqa: F811
) -> None:
    """Old rows keep only the English: the page and the API show it as stored, in any
    language; a stored message that does not say the stored English is not used."""
    link = _link(world, linked["ma"], linked["fr"])
    with world.db.session() as session:
        row = session.get(Link, link.id)
        body = json.loads(json.dumps(row.explanation))
        kept = {c["feature"] for c in body["contributions"] if "detail_text" in c}
        assert {"prior", "name", "birth_date", "identifier"} <= kept
        for c in body["contributions"]:
            if c["feature"] == "birth_date":
                c.pop("detail_text")
            if c["feature"] == "identifier":  # altered: its message no longer says this
                c["detail"] = "document 999 on both"
        row.explanation = body
        session.commit()
    gs = world.api_as(world.user("GS", Role.ANALYST))
    shown = gs.get(f"/api/v1/links/{link.id}", headers={"Accept-Language": "fr"}).json()
    details = {c["feature"]: c["detail"] for c in shown["explanation"]["contributions"]}
    assert details["birth_date"] == "both 1979-06-06"
    assert details["identifier"] == "document 999 on both"
    assert "probabilité a priori" in details["prior"]
    browser = world.browser_login(world.user("GS", Role.ANALYST))
    page = _text(browser.get(f"/links/{link.id}", headers={"Accept-Language": "fr"}))
    assert "both 1979-06-06" in page and "probabilité a priori" in page


def test_the_told_owner_reads_the_record_label_isolated(world: World, linked) -> None:  # noqa: F811
    """The alert of a link keeps its record label as a label: isolated in a translation, as
    stored in English."""
    with world.db.session() as session:
        link = session.scalars(select(Link)).first()
        hit = session.get(Hit, link.notified_hits[0])
        thread_id = hit.thread_id
    api = world.api_as(world.user("NCB-FR", Role.SUPERVISOR))
    url = f"/api/v1/threads/{thread_id}"
    [english] = api.get(url).json()["messages"]
    assert "your record Пушкин Александр (record " in english["body_in_language"]
    [french] = api.get(url, headers={"Accept-Language": "fr"}).json()["messages"]
    assert "\u2068Пушкин Александр\u2069 (" in french["body_in_language"]
    [arabic] = api.get(url, headers={"Accept-Language": "ar"}).json()["messages"]
    assert "\u2068Пушкин Александр\u2069 (" in arabic["body_in_language"]


def test_the_hint_of_a_hidden_link_reads_in_the_language(world: World, linked) -> None:  # noqa: F811
    """MA may not see FR's record: its graph says only that something exists elsewhere."""
    page = f"/links/graph/{linked['ma']}"
    browser = world.browser_login(world.user("NCB-MA", Role.SUPERVISOR))
    assert "ask the General Secretariat" in _text(browser.get(page))
    french = _text(browser.get(page, headers={"Accept-Language": "fr"}))
    assert "adressez-vous au Secrétariat général" in french and "ask the" not in french
    api = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    url = f"/api/v1/links/records/{linked['ma']}/hints"
    assert api.get(url).json()["hints"] == [
        "a record in another bureau may concern this person: ask the General Secretariat"
    ]
    [arabic] = api.get(url, headers={"Accept-Language": "ar"}).json()["hints"]
    assert arabic.endswith("استفسروا من الأمانة العامة")
