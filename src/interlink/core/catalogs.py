"""The message catalogs: extract every marked string, update ar/en/fr/es, check them.

`make catalogs` (python -m interlink.core.catalogs) extracts the strings and merges them into
src/interlink/locale/*/LC_MESSAGES/messages.po; new entries arrive untranslated, and the test
tests/web/test_i18n.py fails until each language has them. See docs/languages.md.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator, Mapping
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_python
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from interlink.core.i18n import LANGUAGES, LOCALE_DIR, catalog_path

ROOT = LOCALE_DIR.parent.parent.parent  # the repository (src/interlink/locale -> ../../..)
MAPPING = ROOT / "babel.cfg"
# Besides gettext's own: N_ marks constants, msg builds a translatable problem detail,
# NavLink's label, the English detail given to each problem class, and the command line's
# messages (clikit's say, tr and fail).
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "msg": None,
    "say": None,
    "tr": None,
    "fail": None,
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
            "MrzError",
            "Refused",
            "RuleBroken",
            "IntegrityFailure",
            "FeedUnavailable",
        )
    },
}


def extract_cli(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: list[str],
    options: Any,  # Babel's options of this method (babel.cfg), passed on as they are
) -> Iterator[tuple[Any, ...]]:
    """Babel's extraction method for the command-line modules (babel.cfg): their gettext
    calls as in any module, and the texts typer shows: `help=` and `title=` strings and the
    docstrings of commands and callbacks, as typer cleans them (`clikit.translate_help`
    translates them when the command runs)."""
    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.keyword)
            and node.arg in ("help", "title")
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            yield node.value.lineno, None, node.value.value, []
        elif isinstance(node, ast.FunctionDef) and any(
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in ("command", "callback")
            for decorator in node.decorator_list
        ):
            docstring = ast.get_docstring(node, clean=True)
            if docstring:
                yield node.lineno, None, docstring, []


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
