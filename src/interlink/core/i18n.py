"""Languages: which one a request speaks, its catalogs, and locale-aware formatting.

One place for the four working languages (docs/languages.md). The request's language lives
in a context variable set by LocaleMiddleware; it is decided lazily, when first needed, from
(1) the user's own setting (or, logged out, the language cookie), (2) Accept-Language,
(3) the bureau's default language, (4) English. Catalogs are the .po files under
interlink/locale, compiled in memory at first use (no .mo file to build or commit).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, Literal, NamedTuple

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_LANGUAGE = "en"
# Each language named in itself: that is how the switch shows them.
LANGUAGES: dict[str, str] = {"en": "English", "ar": "العربية", "fr": "Français", "es": "Español"}
RTL_LANGUAGES = frozenset({"ar"})
DIGITS = ("latn", "arab")  # Latin or Arabic-Indic digits, a bureau's choice for its pages
LANGUAGE_COOKIE = "interlink_lang"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


@dataclass(slots=True)
class RequestLanguage:
    """What a request tells about its language before anyone logged in is known."""

    cookie: str | None = None
    accept: str = ""
    scope: MutableMapping[str, Any] = field(default_factory=dict)
    fixed: str | None = None  # set by tests and the CLI: no negotiation


_current: ContextVar[RequestLanguage | None] = ContextVar("interlink_language", default=None)


def parse_accept_language(header: str) -> list[str]:
    """'fr-CH, fr;q=0.9, en;q=0.8' -> ['fr-CH', 'fr', 'en'] (by quality, then order)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(
    *,
    user_language: str | None = None,
    cookie: str | None = None,
    accept: str = "",
    org_language: str | None = None,
) -> str:
    """The negotiation order, in one function (tested in tests/web/test_i18n.py)."""
    for chosen in (user_language, cookie):
        if chosen in LANGUAGES:
            return chosen
    if accept:
        found = negotiate_locale(parse_accept_language(accept), list(LANGUAGES), sep="-")
        if found:
            return found
    if org_language in LANGUAGES:
        return org_language
    return DEFAULT_LANGUAGE


def _principal_of(scope: MutableMapping[str, Any]) -> Any:
    state = scope.get("state")
    return state.get("principal") if isinstance(state, dict) else None


def current_language() -> str:
    ctx = _current.get()
    if ctx is None:
        return DEFAULT_LANGUAGE
    if ctx.fixed:
        return ctx.fixed
    principal = _principal_of(ctx.scope)
    return negotiate(
        user_language=getattr(principal, "language", None),
        cookie=ctx.cookie,
        accept=ctx.accept,
        org_language=getattr(principal, "org_language", None),
    )


def current_digits() -> str:
    ctx = _current.get()
    principal = _principal_of(ctx.scope) if ctx is not None else None
    digits = getattr(principal, "digits", None)
    return digits if digits in DIGITS else "latn"


def direction(language: str | None = None) -> str:
    return "rtl" if (language or current_language()) in RTL_LANGUAGES else "ltr"


def use_language(language: str) -> Any:
    """Fix the language of the current context (CLI, tests, background work); returns the
    token for `reset_language`."""
    return _current.set(RequestLanguage(fixed=language if language in LANGUAGES else None))


def reset_language(token: Any) -> None:
    _current.reset(token)


# -- catalogs ------------------------------------------------------------------------------


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> Translations:
    """The language's catalog, compiled from its .po in memory (fuzzy entries are left out,
    so they show in English)."""
    path = catalog_path(language)
    if not path.exists():
        return Translations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


def gettext(message: str, **params: Any) -> str:
    """Translate into the request's language; `%(name)s` placeholders are filled after."""
    text = translations(current_language()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(current_language()).ngettext(singular, plural, n)
    return text % {"num": format_number(n), **params}


_ = gettext


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated where it is shown."""
    return message


class Msg(str):
    """An English message that remembers its msgid and parameters, so that it can be
    translated where it is shown (problem details are built deep in services, before anyone
    knows the reader's language). It is a str: English callers see the English text.

    `coded` names parameters that hold a code ("person", "organised_crime"): the English text
    shows the code's English label, a translation the label in its language (core/labels.py).
    A parameter may itself be a `Msg` (translated with the message) or a `Listed` (joined in
    the language: "a, b, and c", « a, b et c »).
    """

    msgid: str
    params: dict[str, Any]
    coded: tuple[str, ...]

    def __new__(cls, msgid: str, coded: tuple[str, ...] = (), **params: Any) -> Msg:
        shown = _labelled(params, coded, english=True) if params else params
        self = super().__new__(cls, msgid % shown if params else msgid)
        self.msgid, self.params, self.coded = msgid, params, tuple(coded)
        return self


class Phrase(NamedTuple):
    """A message not built yet: its msgid and parameters (plain values). Texts made on a hot
    path and read only when explained (the screening matcher's features, linking's
    contributions) keep this, which costs a tuple, and become a `Msg` when shown."""

    msgid: str
    params: dict[str, Any]

    def message(self) -> Msg:
        return Msg(self.msgid, **self.params)


@dataclass(frozen=True, slots=True)
class Listed:
    """A list inside a message, joined where it is shown, in that language: Babel's
    "standard" list pattern ("a, b, and c", "a, b et c", "a وb وc"), "or" for alternatives
    ("a, b ou c"), or "semicolon" for items that hold commas. (Babel's "unit" patterns are
    broken for es and ar.)"""

    items: tuple[Any, ...]
    style: Literal["standard", "semicolon", "or"] = "standard"


class RecordLabel(str):
    """A record's or request's stored label inside a message ("passport MA AB1234567"): the
    English shows it as stored, a translation with the words the platform composed into it
    in that language (labels.shown_label)."""


def isolated(text: str) -> str:
    """Text inside a sentence of another direction, in Unicode's first-strong isolate (the
    plain-text <bdi>)."""
    return f"\u2068{text}\u2069" if text else text


# The separator of a "semicolon" list, a msgid of its own (Arabic writes "؛").
_SEMICOLON = N_("%(items)s; %(item)s")


def _shown_value(value: Any, coded: bool, *, english: bool) -> Any:
    if isinstance(value, Msg):
        return str(value) if english else translate(value)
    if isinstance(value, Listed):
        items = [str(_shown_value(item, coded, english=english)) for item in value.items]
        return _joined(items, value.style, "en" if english else current_language())
    if isinstance(value, RecordLabel):
        from interlink.core.labels import shown_label

        # isolated, so that a name or number in another script keeps its order in the
        # sentence (a parenthesis after a Latin label in Arabic)
        if english or current_language() == DEFAULT_LANGUAGE:
            return str(value)
        return isolated(shown_label(value))
    if coded:
        from interlink.core.labels import LABELS, label  # labels marks its msgids with N_

        return LABELS.get(str(value), str(value)) if english else label(value)
    return value


def _joined(items: list[str], style: str, language: str) -> str:
    if not items:
        return ""
    if style == "semicolon":
        catalog = translations(language)
        text = items[0]
        for item in items[1:]:
            text = catalog.gettext(_SEMICOLON) % {"items": text, "item": item}
        return text
    return format_list(items, style="or" if style == "or" else "standard", locale=language)


def _labelled(params: dict[str, Any], coded: tuple[str, ...], *, english: bool) -> dict[str, Any]:
    return {k: _shown_value(v, k in coded, english=english) for k, v in params.items()}


def msg(msgid: str, coded: tuple[str, ...] = (), **params: Any) -> Msg:
    return Msg(msgid, coded, **params)


def worded(english: str, msgid: str, **params: Any) -> Msg:
    """A message whose English a library wrote ("String should have at least 1 character"):
    shown as that English, translated by `msgid` (core/validation.py)."""
    self = str.__new__(Msg, english)
    self.msgid, self.params, self.coded = msgid, params, ()
    return self


def translate(text: str) -> str:
    """A message built elsewhere (a problem's title or detail, a flash notice), in the
    request's language: a Msg by its msgid, a plain string when it is a msgid itself."""
    language = current_language()
    if not text or language == DEFAULT_LANGUAGE:
        # the English is the text itself (a `worded` message's is a library's wording)
        return str(text) if text else text
    catalog = translations(language)
    if isinstance(text, Msg):
        if not text.params:
            return catalog.gettext(text.msgid)
        return catalog.gettext(text.msgid) % _labelled(text.params, text.coded, english=False)
    return catalog.gettext(text)


# -- system texts stored in English, shown in the reader's language --------------------------
#
# A text the platform writes for people and stores (a hit's message to a record's owner, a
# pattern alert, a rights case's event) is kept as its English rendering, for audit and
# export, followed by a marker and its messages as JSON (msgids, parameters): `stored_text`.
# `stored_parts` gives the English and the messages back; the messages are used only when
# they render exactly the stored English, so what a reader sees in their language always
# says what the English says (docs/languages.md).

_PARTS_MARK = "\n\u2063i18n:"


def _encoded(value: Any) -> Any:
    if isinstance(value, Msg):
        return {"msg": _message_data(value)}
    if isinstance(value, Listed):
        return {"list": [_encoded(item) for item in value.items], "style": value.style}
    if isinstance(value, RecordLabel):
        return {"record_label": str(value)}
    return value


def _message_data(part: Msg) -> dict[str, Any]:
    params = {k: _encoded(v) for k, v in part.params.items()}
    return {"msgid": part.msgid, "params": params, "coded": list(part.coded)}


def _decoded(value: Any) -> Any:
    if isinstance(value, dict):
        if "msg" in value:
            return message_of(value["msg"])
        if "list" in value:
            items = tuple(_decoded(i) for i in value["list"])
            style = value.get("style")
            return Listed(items, style if style in ("semicolon", "or") else "standard")
        if "record_label" in value:
            return RecordLabel(value["record_label"])
    return value


def message_of(data: dict[str, Any]) -> Msg:
    """A message back from its data (`parts_data`); KeyError, TypeError or ValueError when
    the data is not a message's."""
    params = {k: _decoded(v) for k, v in data["params"].items()}
    return Msg(data["msgid"], tuple(data.get("coded", ())), **params)


def parts_data(*parts: Msg) -> list[dict[str, Any]]:
    """The messages of a stored text as JSON data (their English is the text itself)."""
    return [_message_data(p) for p in parts]


def in_language(english: str, data: Any) -> str:
    """A stored English text in the reader's language, from its messages' data; as stored
    when there is no data or it does not render the English exactly."""
    try:
        parts = [message_of(d) for d in data or ()]
    except (KeyError, TypeError, ValueError):
        return english
    if not parts or " ".join(parts) != english:
        return english
    return " ".join(translate(p) for p in parts)


def stored_text(*parts: Msg) -> str:
    """The English sentences, joined, with their messages after the marker (a message body)."""
    data = json.dumps(parts_data(*parts), ensure_ascii=False, separators=(",", ":"))
    return " ".join(parts) + _PARTS_MARK + data


def stored_with(english: str, data: Any) -> str:
    """An English text with data of its own after the marker (a forward keeps the messages of
    the platform's text it carries: {"forwarded": data})."""
    return english + _PARTS_MARK + json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def stored_parts(text: str) -> tuple[str, Any]:
    """(the English, its messages' data or None) of a stored text."""
    english, mark, data = text.partition(_PARTS_MARK)
    if not mark:
        return text, None
    try:
        return english, json.loads(data)
    except ValueError:
        return english, None


# The subjects the platform gives the threads it opens; shown in the reader's language.
SYSTEM_SUBJECTS = (
    N_("Hit on %(label)s"),
    N_("Hit %(hit)s on %(label)s"),
    N_("Hit on record %(id)s"),
    N_("Hit %(hit)s on record %(id)s"),
)


def msgid_pattern(msgid: str, group: Callable[[str], str] = lambda name: ".+?") -> re.Pattern[str]:
    """A regular expression matching the English text `msgid` gives, each `%(name)s` a named
    group (`group(name)` says what it may hold): for texts stored in English, to be read
    back into their message and shown in the reader's language."""
    regex = re.sub(r"%\\\((\w+)\\\)s", lambda m: f"(?P<{m[1]}>{group(m[1])})", re.escape(msgid))
    return re.compile(f"^{regex}$", re.S)


@lru_cache(maxsize=1)
def _subject_patterns() -> list[tuple[str, re.Pattern[str]]]:
    patterns = [
        (m, msgid_pattern(m, lambda name: r"\d+" if name in ("hit", "id") else ".+"))
        for m in SYSTEM_SUBJECTS
    ]
    # the most specific first: "Hit 3 on record 7" before "Hit on %(label)s"
    return sorted(patterns, key=lambda p: -len(p[0]))


def shown_subject(subject: str, *, plain_text: bool = False) -> str:
    """A thread's subject in the reader's language when the platform wrote it (a reply's or
    a forward's too: "Re: " and "Fwd: " are kept as they are). `plain_text`: the subject sits
    in plain text (a forward's header), so the record label in it is isolated as in any
    translated plain-text sentence; pages put the whole subject in <bdi> instead."""
    for prefix in ("Re: ", "Fwd: "):
        if subject.startswith(prefix):
            return prefix + shown_subject(subject[len(prefix) :], plain_text=plain_text)
    for msgid, pattern in _subject_patterns():
        found = pattern.match(subject)
        if found:
            params = found.groupdict()
            if "label" in params:
                from interlink.core.labels import shown_label

                params["label"] = shown_label(params["label"])
                if plain_text and current_language() != DEFAULT_LANGUAGE:
                    params["label"] = isolated(params["label"])
            return translations(current_language()).gettext(msgid) % params
    if subject == "(no subject)":  # messaging.posting's, for a message sent without one
        return translations(current_language()).gettext(subject)
    return subject


# -- formatting ----------------------------------------------------------------------------

_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _digits(text: str) -> str:
    return text.translate(_ARABIC_INDIC) if current_digits() == "arab" else text


def _locale() -> Locale:
    return Locale.parse(current_language())


def format_number(value: int | float | None) -> str:
    if value is None:
        return "—"
    if current_digits() == "arab" and current_language() == "ar":
        # CLDR's Arabic number symbols (the Arabic thousands separator), Arabic-Indic digits
        return _digits(format_decimal(value, locale=_locale(), numbering_system="arab"))
    return _digits(format_decimal(value, locale=_locale()))


def format_moment(value: datetime | date | None) -> str:
    """'7 Dec 2026, 14:05 UTC' in English; stored times are UTC and shown as UTC."""
    if value is None:
        return "—"
    if not isinstance(value, datetime):
        return format_day(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    text = format_datetime(value, "d MMM y, HH:mm", tzinfo=UTC, locale=_locale())
    return _digits(f"{text} UTC")


def format_day(value: datetime | date | None) -> str:
    """'7 Dec 2026'."""
    if value is None:
        return "—"
    return _digits(format_date(value, "d MMM y", locale=_locale()))


# -- the middleware ------------------------------------------------------------------------


class LocaleMiddleware:
    """Sets the request's language context and answers with Content-Language (plain ASGI, so
    the screening API pays only a header parse)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ctx = RequestLanguage(scope=scope)
        for name, value in scope["headers"]:
            if name == b"accept-language":
                ctx.accept = value.decode("latin-1")[:500]
            elif name == b"cookie" and LANGUAGE_COOKIE.encode() in value:
                for part in value.decode("latin-1").split(";"):
                    key, _, val = part.strip().partition("=")
                    if key == LANGUAGE_COOKIE and val in LANGUAGES:
                        ctx.cookie = val
        scope.setdefault("state", {})
        token = _current.set(ctx)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-language" not in headers:
                    headers["content-language"] = current_language()
            await send(message)

        try:
            await self.app(scope, receive, send_with_language)
        finally:
            _current.reset(token)


def jinja_callables() -> dict[str, Callable[..., str]]:
    """gettext/ngettext for Jinja's i18n extension (newstyle: it fills the placeholders and
    escapes them itself)."""
    return {
        "gettext": lambda message: translations(current_language()).gettext(message),
        "ngettext": lambda s, p, n: translations(current_language()).ngettext(s, p, n),
    }
