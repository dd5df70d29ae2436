"""The message catalogs: extract every marked string, update ar/en/fr/es, check them.

`make catalogs` (python -m interlink.core.catalogs) extracts the strings and merges them into
src/interlink/locale/*/LC_MESSAGES/messages.po; new entries arrive untranslated, and the test
tests/web/test_i18n.py fails until each language has them. See docs/languages.md.
"""

from __future__ import annotations

import sys

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from interlink.core.i18n import LANGUAGES, LOCALE_DIR, catalog_path

ROOT = LOCALE_DIR.parent.parent.parent  # the repository (src/interlink/locale -> ../../..)
MAPPING = ROOT / "babel.cfg"
# Besides gettext's own: N_ marks constants, msg builds a translatable problem detail,
# NavLink's label, and the English detail given to each problem class.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "msg": None,
    "NavLink": (2,),
    **{
        name: None
        for name in (
            "DomainError",
            "InvalidInput",
            "Unauthenticated",
            "Forbidden",
            "NotFound",
            "Conflict",
            "Locked",
            "TooManyRequests",
        )
    },
}


def extract() -> Catalog:
    """Every msgid of the code and templates, as a template catalog (a .pot in memory)."""
    with MAPPING.open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]  # Babel ships no types for it
    template = Catalog(project="interlink", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def read(language: str) -> Catalog:
    with catalog_path(language).open("rb") as po:
        return read_po(po, locale=language)


def update(template: Catalog) -> None:
    """Merge the extracted strings into every language's catalog (English: msgstr empty,
    gettext falls back to the msgid)."""
    for language in LANGUAGES:
        path = catalog_path(language)
        if path.exists():
            catalog = read(language)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
        else:
            catalog = Catalog(locale=language, project="interlink", charset="utf-8")
            catalog.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as po:
            write_po(po, catalog, width=100, sort_output=True, omit_header=False)


def main() -> int:
    template = extract()
    update(template)
    print(f"{len(template)} messages; catalogs in {LOCALE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
