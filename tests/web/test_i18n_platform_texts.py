"""Texts the platform composes, in the reader's language: the automated checks' reasons, the
header of a forwarded message, the labels of records and requests (docs/languages.md). Each is
shown translated in French and Arabic and as it is in English, on pages and over the API."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, update

from interlink.core import i18n
from interlink.core.auth import Role
from interlink.core.labels import shown_label
from interlink.records.checks import InMemoryRefugeeRegistry, RefugeeStatus, run_automated_checks
from interlink.records.models import NoticeCheck
from interlink.records.schemas import NoticeData, PartialDate
from interlink.screening.models import Hit
from tests.support import STOLEN_PASSPORT, World

# English words of the reasons' msgids: none may be left in a translated reason.
ENGLISH = re.compile(
    r"\b(lacks|requires|subject's|inconsistent|punishable|suggesting|mention|reviewer|"
    r"refugee|Penalty|threshold|notice|diffusion)\b"
)


@pytest.fixture
def language() -> Iterator[Any]:
    tokens: list[Any] = []

    def use(code: str) -> None:
        tokens.append(i18n.use_language(code))

    yield use
    for token in reversed(tokens):
        i18n.reset_language(token)


def _every_kind_of_reason() -> list[Any]:
    """Results that between them take every branch of the checks."""
    incomplete = NoticeData.model_validate(
        {
            "notice_type": "red",
            "kind": "notice",
            "facts": "A journalist and opponent of the regime, in a debt dispute; the army "
            "and the church; a tribal matter.",
            "judicial": {
                "purpose": "prosecution",
                "maximum_penalty_months": 12,
                "months_left_to_serve": 30,
                "warrant_date": "2020-01-01",
                "extradition_countries": ["MA"],
            },
            "subject": {"names": [{"full_name": "Karim Benali"}], "birth_date": "2021"},
        }
    )
    excluded = NoticeData.model_validate(
        {
            "notice_type": "red",
            "kind": "diffusion",
            "judicial": {"purpose": "sentence", "offence_category": "private_dispute"},
        }
    )
    orange = NoticeData.model_validate({"notice_type": "orange", "kind": "notice"})
    refugees = InMemoryRefugeeRegistry(
        [RefugeeStatus(("Karim Benali",), PartialDate.parse("2021"), "MA", "FR")]
    )
    results = []
    for notice in (incomplete, excluded, orange):
        results += run_automated_checks(notice, requesting_country="MA", refugee_registry=refugees)
    return results


def test_every_check_reason_reads_in_french_and_arabic_and_stays_english(language) -> None:
    results = _every_kind_of_reason()
    english = {r.reason for r in results}
    assert len(english) > 20  # the branches above give as many different sentences
    language("en")
    assert [r.shown_reason for r in results] == [r.reason for r in results]
    for code in ("fr", "ar", "es"):
        language(code)
        for result in results:
            shown = result.shown_reason
            assert shown != result.reason, (code, result.reason)
            assert not ENGLISH.search(shown), (code, shown)
            # the data stored with the notice (JSON) gives the same sentence back
            stored = json.loads(json.dumps(result.reason_text))
            assert i18n.in_language(result.reason, stored) == shown


def test_a_reason_joins_its_list_and_names_its_request_in_the_language(language) -> None:
    notice = NoticeData.model_validate(
        {"notice_type": "red", "kind": "notice", "subject": {"names": [{"full_name": "X Y"}]}}
    )
    [identity] = [
        r
        for r in run_automated_checks(
            notice, requesting_country="MA", refugee_registry=InMemoryRefugeeRegistry()
        )
        if r.code == "required_identity_data"
    ]
    assert identity.reason == (
        "The Red notice lacks the subject's sex, the subject's date of birth (at least the "
        "year), and a further identifier of the subject (a nationality, an identity document, "
        "a photo or a physical description)."
    )
    language("fr")
    assert identity.shown_reason.startswith(
        "Il manque à cette demande (Notice rouge) : le sexe de la personne visée, la date de "
        "naissance de la personne visée (au moins l'année) et un autre élément"
    )
    language("ar")
    assert identity.shown_reason.startswith("ينقص هذا الطلب (نشرة حمراء): جنس الشخص المعني")
    assert " ومعرِّف إضافي للشخص المعني" in identity.shown_reason  # Arabic's "and", attached


def test_a_reason_that_is_not_the_messages_english_is_shown_as_stored(language) -> None:
    result = _every_kind_of_reason()[0]
    language("fr")
    assert i18n.in_language(result.reason, None) == result.reason  # stored before messages
    altered = result.reason.replace("Red", "Blue")
    assert i18n.in_language(altered, result.reason_text) == altered


def _submit_incomplete_notice(world: World) -> tuple[Any, Any, int]:
    owner = world.user("NCB-MA", Role.SUPERVISOR)
    api = world.api_as(owner)
    created = api.post(
        "/api/v1/notices",
        json={
            "data": {
                "notice_type": "red",
                "kind": "notice",
                "facts": "Robbed a bank branch in Rabat.",
                "subject": {"names": [{"full_name": "Karim Benali"}], "sex": "male"},
            }
        },
    )
    assert created.status_code == 201, created.text
    notice_id = created.json()["id"]
    assert api.post(f"/api/v1/notices/{notice_id}/submit").status_code == 200
    return owner, api, notice_id


def test_check_reasons_over_the_api_and_on_the_page(world: World) -> None:
    owner, api, notice_id = _submit_incomplete_notice(world)

    def identity(language: str | None) -> dict[str, Any]:
        headers = {"Accept-Language": language} if language else {}
        checks = api.get(f"/api/v1/notices/{notice_id}", headers=headers).json()["checks"]
        return next(c for c in checks if c["code"] == "required_identity_data")

    english = identity(None)
    assert english["reason"].startswith("The Red notice lacks the subject's date of birth")
    assert english["details"][0] == "the subject's date of birth (at least the year)"
    french = identity("fr")
    assert (french["code"], french["outcome"]) == ("required_identity_data", "fail")
    assert french["reason"].startswith("Il manque à cette demande (Notice rouge) : la date")
    assert french["details"][0] == "la date de naissance de la personne visée (au moins l'année)"

    # The timeline's text the platform wrote: English as stored, French from its parts.
    def submitted(language: str | None) -> str:
        headers = {"Accept-Language": language} if language else {}
        timeline = api.get(f"/api/v1/notices/{notice_id}", headers=headers).json()["timeline"]
        return next(e["text"] for e in timeline if e["event"] == "submit")

    assert submitted(None) == "automated checks: fail"
    assert submitted("fr") == "contrôles automatiques : Échec"

    browser = world.browser_login(owner)
    page = html.unescape(
        browser.get(f"/notices/{notice_id}", headers={"Accept-Language": "ar"}).text
    )
    assert "ينقص هذا الطلب (نشرة حمراء)" in page and "lacks" not in page
    page = html.unescape(browser.get(f"/notices/{notice_id}").text)
    assert "The Red notice lacks the subject's date of birth" in page

    # Results stored before reasons kept their message are shown as they were written.
    with world.db.session() as session:
        session.execute(update(NoticeCheck).values(reason_text=None))
    with world.db.session() as session:
        assert set(session.scalars(select(NoticeCheck.reason_text))) == {None}
    page = html.unescape(
        browser.get(f"/notices/{notice_id}", headers={"Accept-Language": "fr"}).text
    )
    assert "The Red notice lacks the subject's date of birth" in page


def test_a_forwards_header_reads_in_the_language_and_the_signature_holds(world: World) -> None:
    ma = world.api_as(world.user("NCB-MA", Role.OFFICER))
    fr = world.api_as(world.user("NCB-FR", Role.OFFICER))
    de_user = world.user("NCB-DE", Role.OFFICER)
    de = world.api_as(de_user)
    sent = ma.post(
        "/api/v1/threads",
        json={"recipients": ["FR"], "subject": "Stolen passport", "body": "Holder is wanted."},
    )
    assert sent.status_code == 201, sent.text
    forwarded = fr.post(
        f"/api/v1/messages/{sent.json()['message_id']}/forward",
        json={"recipients": ["DE"], "note": "For your information."},
    )
    assert forwarded.status_code == 201, forwarded.text
    thread = f"/api/v1/threads/{forwarded.json()['thread_id']}"

    [english] = de.get(thread).json()["messages"]
    assert english["signature"]["valid"] is True
    assert "---- Forwarded message ----\nFrom: NCB-MA\nSent: " in english["body"]
    assert english["body_in_language"] == english["body"]  # English stays as signed

    [french] = de.get(thread, headers={"Accept-Language": "fr"}).json()["messages"]
    assert french["signature"]["valid"] is True
    assert french["body"] == english["body"]  # the signed text is unchanged
    text = french["body_in_language"]
    assert text.startswith("For your information.\n\n---- Message transféré ----\nDe : NCB-MA\n")
    assert "\nObjet : Stolen passport\n\nHolder is wanted." in text
    assert "Forwarded message" not in text and "Subject:" not in text

    page = world.browser_login(de_user).get(
        f"/messages/{forwarded.json()['thread_id']}", headers={"Accept-Language": "ar"}
    )
    shown = html.unescape(page.text)
    assert "---- رسالة مُعاد توجيهها ----" in shown and "الموضوع: Stolen passport" in shown
    assert "Forwarded message" not in shown


def test_a_forwarded_hit_alert_reads_in_the_language_with_its_header(world: World) -> None:
    """The alert the platform wrote keeps its messages when forwarded (inside the signed
    body), so the forward's reader reads the alert in their language, the header too."""
    screener = world.app.state.interlink.services.screener
    screener.engine.build()
    owner = world.user("NCB-MA", Role.SUPERVISOR)
    created = world.api_as(owner).post("/api/v1/records/document", json={"data": STOLEN_PASSPORT})
    assert created.is_success
    screener.engine.refresh()
    searcher = world.api_as(world.user("NCB-FR", Role.OFFICER))
    assert searcher.post("/api/v1/screen/document", json={"number": "AB1234567"}).json()["hit"]
    with world.db.session() as session:
        thread_id = session.scalars(select(Hit.thread_id)).one()
    ma = world.api_as(owner)
    [alert] = ma.get(f"/api/v1/threads/{thread_id}").json()["messages"]
    forwarded = ma.post(f"/api/v1/messages/{alert['id']}/forward", json={"recipients": ["DE"]})
    assert forwarded.status_code == 201, forwarded.text
    de = world.api_as(world.user("NCB-DE", Role.OFFICER))
    thread = f"/api/v1/threads/{forwarded.json()['thread_id']}"

    [english] = de.get(thread).json()["messages"]
    assert english["signature"]["valid"] is True
    assert english["body"].endswith(alert["body"])  # English, without the messages' data
    assert "\u2063" not in english["body"] and english["body_in_language"] == english["body"]
    [french] = de.get(thread, headers={"Accept-Language": "fr"}).json()["messages"]
    assert french["signature"]["valid"] is True
    text = french["body_in_language"]
    assert text.startswith("---- Message transféré ----\nDe : ")
    # the label in the subject is isolated, as in any translated plain-text sentence
    assert "Objet : Concordance " in text and " sur \u2068Passeport MA AB1234567\u2069\n" in text
    assert text.endswith("Veuillez confirmer l'enregistrement et ses règles de traitement.")
    assert "Hit on" not in text and "Please confirm" not in text
    arabic = de.get(thread, headers={"Accept-Language": "ar"}).json()["messages"][0]
    assert "\u2068جواز سفر MA AB1234567\u2069" in arabic["body_in_language"]
    assert "\u2068" not in english["body_in_language"]


def test_a_persons_message_that_looks_like_a_forward_is_shown_as_written(world: World) -> None:
    ma = world.api_as(world.user("NCB-MA", Role.OFFICER))
    fr = world.api_as(world.user("NCB-FR", Role.OFFICER))
    body = "---- Forwarded message ----\nFrom: NCB-XX\nSent: 2026-01-01T00:00:00\nSubject: x\n\ny"
    sent = ma.post("/api/v1/threads", json={"recipients": ["FR"], "subject": "s", "body": body})
    thread = fr.get(
        f"/api/v1/threads/{sent.json()['thread_id']}", headers={"Accept-Language": "fr"}
    ).json()
    assert thread["messages"][0]["body_in_language"] == body


def test_record_and_request_labels_read_in_the_language(language) -> None:
    labels = {
        "passport MA AB1234567": ("Passeport MA AB1234567", "جواز سفر MA AB1234567"),
        "id_card FR 12AB": ("Carte d'identité FR 12AB", "بطاقة هوية FR 12AB"),
        "Red notice: passport MA AB1": (
            "Notice rouge : Passeport MA AB1",
            "نشرة حمراء: جواز سفر MA AB1",
        ),
        "Un Special diffusion: (no subject)": (
            "Diffusion spéciale ONU : (sans objet)",
            "تعميم خاص للأمم المتحدة: (بدون موضوع)",
        ),
        "(unnamed person)": ("(personne sans nom)", "(شخص مجهول الاسم)"),
        "(erased by decision D-7)": ("(effacé par la décision D-7)", "(حُذف بموجب القرار D-7)"),
    }
    language("en")
    for stored in labels:
        assert shown_label(stored) == stored
    for index, code in enumerate(("fr", "ar")):
        language(code)
        for stored, shown in labels.items():
            assert shown_label(stored) == shown[index]
        # a person's name, a vehicle's make and model: data, as written
        for data in ("passport", "Karim Benali", "Toyota Hilux 1M8GDM9AXKP042788", "كريم"):
            assert shown_label(data) == data


def test_a_document_records_label_on_the_list_page(world: World) -> None:
    owner = world.user("NCB-MA", Role.SUPERVISOR)
    created = world.api_as(owner).post("/api/v1/records/document", json={"data": STOLEN_PASSPORT})
    assert created.status_code == 201, created.text
    assert created.json()["label"] == "passport MA AB1234567"  # the API gives it as stored
    browser = world.browser_login(owner)
    french = html.unescape(browser.get("/records", headers={"Accept-Language": "fr"}).text)
    assert "Passeport MA AB1234567" in french and "passport MA" not in french
    english = html.unescape(browser.get("/records").text)
    assert "passport MA AB1234567" in english


def test_every_field_of_the_records_data_has_a_label() -> None:
    """The changes table names fields by label: a new field of the data needs one."""
    import typing

    from pydantic import BaseModel

    from interlink.core.labels import FIELD_LABELS
    from interlink.records import schemas

    seen: set[type] = set()
    missing: set[str] = set()

    def walk(model: type[BaseModel]) -> None:
        seen.add(model)
        for name, info in model.model_fields.items():
            if name not in FIELD_LABELS:
                missing.add(f"{model.__name__}.{name}")
            stack = [info.annotation]
            while stack:
                kind = stack.pop()
                stack += typing.get_args(kind)
                if isinstance(kind, type) and issubclass(kind, BaseModel) and kind not in seen:
                    walk(kind)

    for name in ("NoticeData", "PersonData", "TravelDocumentData", "VehicleData"):
        walk(getattr(schemas, name))
    assert not missing


def test_the_changes_since_the_question_name_fields_by_label(world: World) -> None:
    """The reviewer asked; the bureau raised the penalty: the table says which field, in the
    reader's language."""
    ma = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    reviewer_user = world.user("GS", Role.COMPLIANCE_REVIEWER, mfa=True)
    reviewer = world.api_as(reviewer_user)
    data = {
        "notice_type": "red",
        "subject": {"names": [{"full_name": "Omar Haddad"}], "birth_date": "1979-03-02"},
        "facts": "Leader of a network that smuggled cocaine through Tangier port in 2024.",
        "judicial": {
            "offence_description": "Drug trafficking in an organised group",
            "offence_category": "drug_trafficking",
            "law_reference": "Penal Code art. 2",
            "maximum_penalty_months": 24,
            "purpose": "prosecution",
            "warrant_reference": "W-2025-77",
            "warrant_date": "2025-11-03",
            "issuing_authority": "Investigating judge, Tangier",
        },
    }
    notice = ma.post("/api/v1/notices", json={"data": data}).json()["id"]
    for client, action, body in (
        (ma, "submit", None),
        (reviewer, "review", None),
        (reviewer, "request-info", {"question": "What is the maximum penalty?"}),
    ):
        done = client.post(f"/api/v1/notices/{notice}/{action}", json=body)
        assert done.status_code == 200, done.text
    raised = {**data, "judicial": {**data["judicial"], "maximum_penalty_months": 120}}
    changed = ma.put(f"/api/v1/notices/{notice}", json={"data": raised, "reason": "Code checked"})
    assert changed.status_code == 200, changed.text

    browser = world.browser_login(reviewer_user)

    def changes(language: str) -> str:
        page = browser.get(f"/notices/{notice}", headers={"Accept-Language": language})
        assert page.status_code == 200, page.text
        found = re.search(r'data-testid="changes".*?</section>', page.text, re.S)
        assert found is not None
        return html.unescape(found.group(0))

    assert "Judicial data › Maximum penalty (months)" in changes("en")
    french = changes("fr")
    assert "Données judiciaires › " in french and "maximum penalty" not in french
    assert "judicial" not in french
    arabic = changes("ar")
    assert "البيانات القضائية › " in arabic and "judicial" not in arabic
