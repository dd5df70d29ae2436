"""The texts the platform writes into a request's timeline and into the reasons of its
records' versions ("automated checks: fail", "copied from A-MA-2026-00001").

They are stored in English, as they always were (the history the API and exports give, the
audit); where they are shown, `shown_event_text` and `shown_version_reason` give them in the
reader's language, from their own parts. A timeline text is recognised by the event it
belongs to (a person never writes those events' texts); a version's reason by its exact form
(docs/languages.md).
"""

from __future__ import annotations

import re
from functools import cache

from interlink.core.i18n import DEFAULT_LANGUAGE, N_, current_language, gettext
from interlink.core.labels import label

CHECKED = N_("automated checks: %(outcome)s")
CIRCULATED = N_("to %(countries)s; automated checks: %(outcome)s")
COPIED = N_("copied from %(reference)s")
BINDING_DECISION = N_("binding decision %(reference)s")
THROUGH = N_("through %(reference)s")
ANSWER = N_("answer to the reviewer")

_EVENT_TEXTS = {
    "submit": CHECKED,
    "circulate": CIRCULATED,
    "copy": COPIED,
    "oversight_delete": BINDING_DECISION,
}
_VERSION_TEXTS = (THROUGH, BINDING_DECISION, ANSWER)
_CODED = ("outcome",)  # parameters that are codes, shown by their label


@cache
def _pattern(msgid: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>\\S.*?)", re.escape(msgid)))


def _shown(msgid: str, text: str) -> str | None:
    found = _pattern(msgid).fullmatch(text)
    if found is None:
        return None
    params = {k: label(v) if k in _CODED else v for k, v in found.groupdict().items()}
    return gettext(msgid, **params)


def shown_event_text(event: str, text: str | None) -> str | None:
    """A timeline entry's text in the reader's language when the platform wrote it."""
    if not text or current_language() == DEFAULT_LANGUAGE or event not in _EVENT_TEXTS:
        return text
    return _shown(_EVENT_TEXTS[event], text) or text


def shown_version_reason(reason: str | None) -> str | None:
    """A version's reason in the reader's language when the platform wrote it."""
    if not reason or current_language() == DEFAULT_LANGUAGE:
        return reason
    for msgid in _VERSION_TEXTS:
        if shown := _shown(msgid, reason):
            return shown
    return reason
