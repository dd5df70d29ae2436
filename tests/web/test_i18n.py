"""Four working languages: catalogs complete and current, no literal text left in a template,
the negotiation order, Content-Language, right to left, and logical CSS (docs/languages.md)."""

from __future__ import annotations

import html
import json
import re

import pytest
from jinja2 import Environment

from interlink.core import i18n
from interlink.core.auth import Perm, Role
from interlink.core.catalogs import extract, read
from interlink.web.render import STATIC_DIR, templates
from tests.support import STOLEN_PASSPORT, World

TRANSLATED = ("ar", "fr", "es")
LETTERS = re.compile(r"[^\W\d_]")
# Text that is the same in every language: the product's name and symbols.
ALLOWED_TEXT = {"Interlink"}
ATTRIBUTE = re.compile(r'^[a-z][\w-]*="')


@pytest.fixture(scope="module")
def extracted():
    return extract()


def _msgids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.mark.parametrize("language", ["ar", "en", "fr", "es"])
def test_catalog_holds_every_extracted_string(extracted, language: str) -> None:
    """`make catalogs` has been run since the last string was added or changed."""
    missing = _msgids(extracted) - _msgids(read(language))
    assert not missing, f"{len(missing)} msgids missing from {language}: {sorted(missing)[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_fuzzy_and_placeholders_intact(language: str) -> None:
    catalog = read(language)
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy in {language}: {fuzzy[:5]}"
    broken = [
        (m.id, errors)
        for m in catalog
        if m.id and m.string
        for errors in [m.check(catalog)]
        if errors
    ]
    assert not broken, f"placeholders differ in {language}: {broken[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_is_translated(extracted, language: str) -> None:
    catalog = read(language)
    wanted = _msgids(extracted)
    untranslated = [
        m.id
        for m in catalog
        if m.id
        and (m.id if isinstance(m.id, str) else m.id[0]) in wanted
        and not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    assert not untranslated, (
        f"{len(untranslated)} of {len(wanted)} untranslated in {language}: {untranslated[:5]}"
    )


def _literal_text(source: str) -> list[str]:
    """Text outside translation tags: the template as the Jinja lexer sees it, each Jinja
    construct replaced by a marker, trans blocks dropped, then HTML tags removed."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    parts: list[str] = []
    in_trans = False
    previous = ""
    for _lineno, kind, value in env.lex(source):
        if kind == "name" and previous == "block_begin":
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        if kind in ("variable_begin", "block_begin"):
            parts.append("\x00")
        elif kind == "data" and not in_trans:
            parts.append(value)
        if kind != "whitespace":
            previous = kind
    text = re.sub(r"<!--.*?-->|<style>.*?</style>", " ", "".join(parts), flags=re.S)
    # human text in attributes counts too; the rest of a tag does not
    attributes = re.findall(r'\s(?:aria-label|title|alt|placeholder)="([^"\x00]*)"', text)
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"&\w+;", " ", text)
    found = []
    for chunk in [*text.replace("\x00", " ").split(), *attributes]:
        # an attribute a macro writes into the tag around it (aria-invalid="true") is no text
        if LETTERS.search(chunk) and chunk not in ALLOWED_TEXT and not ATTRIBUTE.match(chunk):
            found.append(chunk)
    return found


def test_no_literal_text_outside_translation_tags() -> None:
    loader = templates.env.loader
    assert loader is not None
    offenders: dict[str, list[str]] = {}
    for name in loader.list_templates():
        source, _, _ = loader.get_source(templates.env, name)
        words = _literal_text(source)
        if words:
            offenders[name] = words[:6]
    assert not offenders, offenders


def test_the_scan_finds_literal_text() -> None:
    assert _literal_text('<p class="x">Hello {{ name }}</p>') == ["Hello"]
    assert _literal_text('<a aria-label="Main menu" href="/">{{ _("Home") }}</a>') == ["Main menu"]
    assert _literal_text("{% trans %}Hello{% endtrans %} <b>{{ _('x') }}</b> · 3") == []


def test_style_sheets_use_logical_properties_only() -> None:
    physical = re.compile(
        r"(?<![\w-])(margin|padding|border|inset)-(left|right)|(?<![\w-])(left|right)\s*:"
        r"|text-align\s*:\s*(left|right)|float\s*:\s*(left|right)"
    )
    for sheet in STATIC_DIR.glob("*.css"):
        rules = re.sub(r"/\*.*?\*/", "", sheet.read_text(), flags=re.S)
        found = [m.group(0) for m in physical.finditer(rules)]
        assert not found, (sheet.name, found)


def test_negotiation_order() -> None:
    assert i18n.negotiate() == "en"
    assert i18n.negotiate(org_language="fr") == "fr"
    assert i18n.negotiate(accept="es-MX,es;q=0.9", org_language="fr") == "es"
    assert i18n.negotiate(accept="de-DE, de;q=0.9", org_language="ar") == "ar"  # none of ours
    assert i18n.negotiate(cookie="fr", accept="es", org_language="ar") == "fr"
    assert i18n.negotiate(user_language="ar", cookie="fr", accept="es", org_language="en") == "ar"
    assert i18n.parse_accept_language("fr;q=0.5, ar, en;q=0") == ["ar", "fr"]


def test_pages_and_api_speak_the_negotiated_language(world: World) -> None:
    officer = world.user("NCB-MA", Role.OFFICER)
    client = world.client()
    login_page = client.get("/login", headers={"Accept-Language": "ar-MA, fr;q=0.8"})
    assert login_page.headers["content-language"] == "ar"
    assert '<html lang="ar" dir="rtl">' in login_page.text
    assert "يُدخل المسؤولون" in login_page.text
    english = client.get("/login")
    assert english.headers["content-language"] == "en" and 'dir="ltr"' in english.text

    api = world.api_as(officer)
    missing = api.get("/api/v1/records/999999", headers={"Accept-Language": "fr"})
    assert missing.status_code == 404 and missing.headers["content-language"] == "fr"
    body = missing.json()
    assert body["title"] == "Introuvable" and body["type"].endswith("/not-found")


def test_the_users_setting_wins_and_the_switch_sets_it(world: World) -> None:
    officer = world.user("NCB-MA", Role.OFFICER)
    browser = world.browser_login(officer)
    page = browser.get("/", headers={"Accept-Language": "fr"})
    assert 'lang="fr"' in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    switched = browser.post(
        "/language", data={"lang": "ar", "next": "/records", "csrf_token": csrf}
    )
    assert switched.status_code == 200 and switched.url.path == "/records"
    assert '<html lang="ar" dir="rtl">' in switched.text
    # the setting is the user's, not only this browser's: it beats Accept-Language
    browser.cookies.delete(i18n.LANGUAGE_COOKIE)
    again = browser.get("/", headers={"Accept-Language": "es"})
    assert 'lang="ar"' in again.text


def test_bureau_default_and_arabic_indic_digits(world: World) -> None:
    admin = world.user("NCB-MA", Role.NCB_ADMIN)
    officer = world.user("NCB-MA", Role.OFFICER)
    with world.db.session() as session:
        from interlink.members import service as members

        members.set_bureau_languages(
            session, world.principal(admin), default_language="ar", digits="arab"
        )
    page = world.browser_login(officer).get("/")
    assert '<html lang="ar" dir="rtl">' in page.text
    token = i18n._current.set(
        i18n.RequestLanguage(fixed="ar", scope={"state": {"principal": world.principal(admin)}})
    )
    try:
        assert i18n.format_number(1234) == "١٬٢٣٤"
    finally:
        i18n._current.reset(token)


def test_page_errors_and_the_home_page_speak_the_language(world: World) -> None:
    """A service's refusal shown on a page (not only in the API) and the home page's sections,
    built in Python, come in the reader's language."""
    officer = world.user("NCB-MA", Role.OFFICER)
    client = world.client()
    french = {"Accept-Language": "fr"}
    page = client.get("/login", headers=french)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    refused = client.post(
        "/login",
        data={"username": officer.username, "password": "not-the-password", "csrf_token": csrf},
        headers=french,
    )
    assert refused.status_code == 401, refused.status_code
    assert "nom d'utilisateur ou mot de passe erroné" in html.unescape(refused.text)
    assert "wrong username or password" not in refused.text

    home = world.browser_login(officer).get("/", headers={"Accept-Language": "ar"})
    text = html.unescape(home.text)
    assert "التطابقات التي تنتظر الرد" in text  # "Hits to answer"
    assert "Hits to answer" not in text


def test_the_home_page_lists_what_a_role_may_do_in_the_language(world) -> None:
    from interlink.core.auth import Role

    client = world.browser_login(world.user("NCB-MA", Role.OFFICER))
    english = client.get("/").text
    arabic = client.get("/", headers={"Accept-Language": "ar"}).text
    assert "Screen names" in english
    assert "Screen names" not in arabic


# -- coded values shown as labels, messages built in page code ------------------------------

RAW_CODE = re.compile(
    r"\{\{ ?[\w.]+\.(state|status|kind|role|roles|priority|outcome|notice_type|to_state"
    r"|event|decision|level) ?(?:\|(?:capitalize|title|replace\([^)]*\)))* ?\}\}"
)


def _labelled_enums():
    from interlink.assembly.elections import Post, TieRule
    from interlink.assembly.rights import Role as DelegationRole
    from interlink.assembly.scheduling import RequestStatus
    from interlink.blocklist.models import AppealState, DomainState, FeedRequestKind
    from interlink.linking.models import LinkStatus, RunState
    from interlink.linking.patterns import PatternKind
    from interlink.messaging.followups import FollowupSide, FollowupStatus
    from interlink.messaging.models import MemberStatus, MessageKind, Priority, ThreadKind
    from interlink.records import checks, models, schemas
    from interlink.rights import models as rights

    return [
        Role,
        DelegationRole,
        Post,
        TieRule,
        RequestStatus,
        AppealState,
        DomainState,
        FeedRequestKind,
        LinkStatus,
        RunState,
        PatternKind,
        FollowupSide,
        FollowupStatus,
        MemberStatus,
        MessageKind,
        Priority,
        ThreadKind,
        checks.CheckCode,
        checks.CheckOutcome,
        models.NoticeState,
        models.RecordKind,
        models.RecordStatus,
        schemas.NoticeType,
        schemas.NoticeKind,
        schemas.Sex,
        schemas.DocumentType,
        schemas.DocumentStatus,
        schemas.VehicleStatus,
        schemas.OffenceCategory,
        schemas.JudicialPurpose,
        rights.RequestKind,
        rights.CaseStatus,
        rights.Outcome,
    ]


def test_every_code_a_page_shows_has_a_label() -> None:
    from interlink.assembly import service as assembly
    from interlink.assembly import service_agreements as agreements
    from interlink.core.labels import LABELS
    from interlink.rights import service as rights

    codes = [m.value for enum in _labelled_enums() for m in enum]
    codes += [*assembly.SESSION_STATUSES, *agreements.KINDS, *agreements.STATUSES]
    codes += [*rights.REASON_CATEGORIES]
    missing = sorted({c for c in codes if c not in LABELS})
    assert not missing, missing


def test_labels_speak_the_language() -> None:
    from interlink.core.labels import choices, label
    from interlink.records.models import NoticeState
    from interlink.records.schemas import NoticeType

    token = i18n.use_language("fr")
    try:
        assert label(NoticeState.UNDER_REVIEW) == "En cours d'examen"
        assert label("un_special") == "Notice spéciale ONU"
        assert ("draft", "Brouillon") in choices(NoticeState)
        assert label("no_such_code") == "no_such_code"  # data, not a code: shown as it is
        assert label(NoticeType.RED) != "Red"
    finally:
        i18n.reset_language(token)


def test_templates_show_codes_through_their_label() -> None:
    """`{{ n.state }}` or `{{ n.state|capitalize }}` shows the raw code: use `|label`."""
    loader = templates.env.loader
    assert loader is not None
    offenders = {}
    for name in loader.list_templates():
        source, _, _ = loader.get_source(templates.env, name)
        found = [m.group(0) for m in RAW_CODE.finditer(source)]
        found += [m.group(0) for m in RAW_PARAM.finditer(source)]
        # a code made to look like words ("under_review" -> "Under review") is still English
        found += [
            m.group(0)
            for m in re.finditer(r"[\w.]+\|(?:capitalize|title)\b|[\w.]+\|replace\('_'", source)
            if m.group(0) != "d.path|replace('_'"  # a field's path in a diff, as stored
        ]
        # a webhook's event is an identifier its receiver's programmers read ("hit.created")
        found = [f for f in found if f != "{{ log.delivery.event }}"]
        if found:
            offenders[name] = found
    assert not offenders, offenders


# a code given raw to a message's placeholder: _("Status: %(status)s", status=case.status)
RAW_PARAM = re.compile(
    r"\b(?!selected\b)\w+=[\w.]+\.(state|status|kind|role|priority|outcome|notice_type"
    r"|record_kind|decision|level)\s*[,)]"
)


def test_the_code_scan_finds_a_raw_code() -> None:
    assert RAW_PARAM.search('{{ _("Status: %(status)s", status=case.status) }}')
    assert not RAW_PARAM.search('{{ _("Status: %(status)s", status=case.status|label) }}')
    assert not RAW_PARAM.search('{{ ui.select("s", _("S"), c, selected=params.status) }}')
    assert RAW_CODE.search("<td>{{ n.state|replace('_', ' ')|capitalize }}</td>")
    assert RAW_CODE.search("<td>{{ case.kind }}</td>")
    assert not RAW_CODE.search("<td>{{ case.kind|label }}</td>")


def _untranslated_page_messages(source: str) -> list[str]:
    """String literals given to `errors.check(field, ...)` or `FieldErrors({...})` that are
    not wrapped in N_()/_()/msg(): shown to a person, so they must be msgids."""
    import ast

    marked = {"N_", "_", "msg", "gettext"}
    found: list[str] = []

    def literals(node: ast.AST) -> None:
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in marked:
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            found.append(ast.unparse(node))
        else:
            for child in ast.iter_child_nodes(node):
                literals(child)

    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "check" and len(node.args) == 2:
            literals(node.args[1])
        elif getattr(func, "id", None) == "FieldErrors" and node.args:
            arg = node.args[0]
            for value in arg.values if isinstance(arg, ast.Dict) else [arg]:
                literals(value)
        elif getattr(func, "id", None) == "render" or getattr(func, "attr", None) == "render":
            for keyword in node.keywords:
                if keyword.arg in ("error", "notice", "message"):
                    literals(keyword.value)
    return found


def test_messages_built_in_page_code_are_msgids() -> None:
    from pathlib import Path

    root = Path(i18n.__file__).resolve().parents[1]
    offenders = {}
    for path in sorted(root.glob("**/*.py")):
        found = _untranslated_page_messages(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(root))] = found[:4]
    assert not offenders, offenders


def test_the_page_message_scan_finds_a_literal() -> None:
    assert _untranslated_page_messages('errors.check("x", None if ok else "give it")') == [
        "give it"
    ]
    assert _untranslated_page_messages('errors.check("x", N_("give it"))') == []
    assert _untranslated_page_messages('FieldErrors({"x": "give it"})') == ["give it"]
    assert _untranslated_page_messages('render(r, "t.html", error=f"no {x}")') == ["f'no {x}'"]


def test_a_field_error_is_shown_in_the_language(world: World) -> None:
    officer = world.user("NCB-MA", Role.OFFICER)
    page = world.browser_login(officer).get(
        "/notices?since=2026-12-09&until=2026-12-01", headers={"Accept-Language": "fr"}
    )
    assert page.status_code == 422
    text = html.unescape(page.text)
    assert "la date de fin est antérieure à la date de début" in text
    assert "the end date is before the start date" not in text


# -- the API's own problems: routes, limits and Pydantic's validation messages ----------------


def test_an_unknown_route_and_method_answer_in_the_language(world: World) -> None:
    api = world.api_as(world.user("NCB-MA", Role.OFFICER))
    english = api.get("/api/v1/no-such-route").json()
    assert (english["title"], english["detail"]) == ("Not found", "Not Found")
    french = api.get("/api/v1/no-such-route", headers={"Accept-Language": "fr"}).json()
    assert (french["title"], french["detail"]) == ("Introuvable", "Ressource introuvable")
    assert french["type"].endswith("/not-found")
    arabic = api.get("/api/v1/no-such-route", headers={"Accept-Language": "ar"}).json()
    assert arabic["detail"] == "المورد غير موجود"
    method = api.delete("/api/v1/records", headers={"Accept-Language": "es"})
    assert method.status_code == 405
    assert method.json()["detail"] == "Este método no se admite en esta dirección"
    assert api.delete("/api/v1/records").json()["detail"] == "Method Not Allowed"


def test_a_body_over_the_limit_is_refused_in_the_language(world: World) -> None:
    client = world.api(world.token("NCB-MA", Perm.SCREEN_PERSON))
    big = json.dumps({"name": "x" * (world.settings.max_body_bytes + 10)})
    limit = world.settings.max_body_bytes
    headers = {"content-type": "application/json"}
    english = client.post("/api/v1/screen/person", content=big, headers=headers).json()
    assert english["detail"] == (
        f"the request body is larger than this route accepts ({limit} bytes)"
    )
    french = client.post(
        "/api/v1/screen/person", content=big, headers={**headers, "Accept-Language": "fr"}
    ).json()
    assert french["detail"] == (
        f"le corps de la requête dépasse la taille admise sur cette adresse ({limit} octets)"
    )


def test_pydantics_messages_answer_in_the_language(world: World) -> None:
    api = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    bad = {"data": {"names": [{"full_name": "Karim Benali"}]}, "restrictions": {"countries": "x"}}

    def problem(language: str | None, body: dict) -> dict:
        headers = {"Accept-Language": language} if language else {}
        response = api.post("/api/v1/records/person", json=body, headers=headers)
        assert response.status_code == 422, response.text
        return response.json()

    english = problem(None, {})
    assert english["detail"] == "body.data: Field required"
    assert english["errors"] == [{"location": "body.data", "message": "Field required"}]
    french = problem("fr", {})
    assert french["detail"] == "body.data : Champ obligatoire"
    assert french["errors"] == [{"location": "body.data", "message": "Champ obligatoire"}]
    arabic = problem("ar", {})
    assert arabic["errors"] == [{"location": "body.data", "message": "حقل إلزامي"}]
    # the location is an API path: the same in every language
    assert [e["location"] for e in problem("es", bad)["errors"]] == [
        e["location"] for e in problem(None, bad)["errors"]
    ]
    assert problem(None, bad)["errors"][0]["message"] == "Input should be a valid list"
    assert problem("es", bad)["errors"][0]["message"] == "La entrada debe ser una lista válida"


def test_our_validators_messages_answer_in_the_language(world: World) -> None:
    api = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    person = {"names": [{"full_name": "Karim Benali"}]}
    body = {"data": person, "restrictions": {"visibility": "only", "countries": ["XX"]}}
    english = api.post("/api/v1/records/person", json=body).json()
    assert english["errors"] == [
        {
            "location": "body.restrictions.countries",
            "message": "Value error, not member countries: XX",
        }
    ]
    french = api.post("/api/v1/records/person", json=body, headers={"Accept-Language": "fr"})
    assert french.json()["errors"] == [
        {
            "location": "body.restrictions.countries",
            "message": "Valeur invalide : pays non membres : XX",
        }
    ]
    assert french.json()["detail"] == (
        "body.restrictions.countries : Valeur invalide : pays non membres : XX"
    )


# -- texts the platform writes and stores, read in the reader's language ---------------------


def test_a_hit_alert_reads_in_the_owners_language_and_stays_signed(world: World) -> None:
    """The alert a hit sends the record's owner is stored in English with its messages; the
    owner reads it in French or Arabic, over the API and on the page, and its signature
    still verifies."""
    from sqlalchemy import select

    from interlink.screening.models import Hit

    screener = world.app.state.interlink.services.screener
    screener.engine.build()
    owner = world.user("NCB-MA", Role.SUPERVISOR)
    created = world.api_as(owner).post("/api/v1/records/document", json={"data": STOLEN_PASSPORT})
    assert created.status_code == 201, created.text
    screener.engine.refresh()
    searcher = world.api_as(world.user("NCB-FR", Role.OFFICER))
    answer = searcher.post("/api/v1/screen/document", json={"number": "AB1234567"}).json()
    assert answer["hit"] is True
    with world.db.session() as session:
        thread_id = session.scalars(select(Hit.thread_id)).one()

    thread = world.api_as(owner).get(
        f"/api/v1/threads/{thread_id}", headers={"Accept-Language": "fr"}
    )
    message = thread.json()["messages"][0]
    assert message["body"].startswith("Hit on your record passport MA AB1234567 (Document, ")
    assert "\u2063" not in message["body"]  # the marker and the data stay in storage
    # the record's label too: the document type's word in French, the number as it is
    assert message["body_in_language"].startswith(
        "Concordance sur votre enregistrement \u2068Passeport MA AB1234567\u2069 (Document, "
    )  # isolated, so that a label in another script keeps the sentence's order
    assert "Veuillez confirmer l'enregistrement" in message["body_in_language"]
    assert message["signature"]["valid"] is True

    page = world.browser_login(owner).get(
        f"/messages/{thread_id}", headers={"Accept-Language": "ar"}
    )
    text = html.unescape(page.text)
    assert "تطابق على سجلكم \u2068جواز سفر MA AB1234567\u2069 (" in text  # the body
    assert "تطابق على جواز سفر MA AB1234567" in text  # the thread's subject
    assert "Hit on your record" not in text and "Hit on passport" not in text
    assert "passport MA" not in text


def test_a_stored_text_is_translated_only_when_it_says_what_the_english_says() -> None:
    english = i18n.stored_text(i18n.msg("Please review your record."))
    forged = english.replace("Please review your record.", "Nothing to do.")
    body, data = i18n.stored_parts(forged)
    token = i18n.use_language("fr")
    try:
        assert (
            i18n.in_language(*i18n.stored_parts(english))
            == "Veuillez vérifier votre enregistrement."
        )
        assert i18n.in_language(body, data) == "Nothing to do."  # shown as stored
        assert i18n.in_language("A person's own words.", None) == "A person's own words."
        coded = i18n.msg("Decision: %(outcome)s.", coded=("outcome",), outcome="compliant")
        assert coded == "Decision: Compliant."
        assert i18n.translate(coded) == "Décision : Conforme."
        assert i18n.shown_subject("Hit 12 on Samir Ouazzani") == (
            "Concordance 12 sur Samir Ouazzani"
        )
        assert i18n.shown_subject("Hits on the port of Tanger") == "Hits on the port of Tanger"
        assert i18n.shown_subject("Re: Hit on record 7") == "Re: Concordance sur l'enregistrement 7"
    finally:
        i18n.reset_language(token)


def _joined_literals(source: str) -> list[str]:
    """Strings with a letter joined to a value with `~` inside a Jinja expression
    (`d.state ~ " on"`): text a person reads, built outside the catalog."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    tokens = [(kind, value) for _, kind, value in env.lex(source) if kind != "whitespace"]
    found = []
    for index, (kind, value) in enumerate(tokens):
        # a word and a space: text ("of", " months"); an address or an id part is neither
        if kind != "string" or not LETTERS.search(value) or not re.search(r"\s", value):
            continue
        before = tokens[index - 1][1] if index else ""
        after = tokens[index + 1][1] if index + 1 < len(tokens) else ""
        if "~" in (before, after):
            found.append(value)
    return found


def test_no_text_joined_outside_the_catalog() -> None:
    loader = templates.env.loader
    assert loader is not None
    offenders = {}
    for name in loader.list_templates():
        source, _, _ = loader.get_source(templates.env, name)
        found = _joined_literals(source)
        if found:
            offenders[name] = found[:6]
    assert not offenders, offenders


def test_the_join_scan_finds_joined_text() -> None:
    assert _joined_literals('{{ d.state ~ " on" }}') == ['" on"']
    assert _joined_literals("{{ '/records/' ~ r.id ~ '-hint' }}") == []
    assert _joined_literals('{{ _("%(state)s on", state=d.state|label) }}') == []
