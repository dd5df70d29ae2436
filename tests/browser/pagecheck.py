"""Checks a real browser runs on a page as its user sees it: axe-core's accessibility rules,
no sideways scrolling on a phone, no Content-Security-Policy refusal, no JSON dump of an
object in the visible text; and screenshots at desktop and phone widths.

axe-core comes from the npm registry (tests/browser/package.json, installed by `make test`);
it is evaluated through the DevTools protocol, which the page's CSP does not govern, so the
pages are checked under the policy users get.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENS_DIR = Path(os.environ.get("INTERLINK_SCREENS_DIR", ROOT / "artefacts" / "screens"))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("serious", "critical")
# A record or notice printed as JSON: a brace-quote, or Python/JSON unicode escapes.
JSON_DUMP = re.compile(r'\{\s*"|\\u[0-9a-fA-F]{4}')


def axe_source() -> str:
    if not AXE_JS.exists():
        message = f"{AXE_JS} missing: run `make browser-deps` (npm ci in tests/browser)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE_JS.read_text(encoding="utf-8")


@dataclass
class PageReport:
    url: str
    violations: list[str] = field(default_factory=list)
    overflow: str | None = None
    csp: list[str] = field(default_factory=list)
    json_dump: str | None = None

    @property
    def problems(self) -> list[str]:
        found = [f"axe {v}" for v in self.violations]
        if self.overflow:
            found.append(self.overflow)
        found.extend(f"CSP refused: {c}" for c in self.csp)
        if self.json_dump:
            found.append(self.json_dump)
        return found


def watch_csp(page) -> tuple[list[str], object]:
    """Collects the browser's Content-Security-Policy refusals; returns them and the listener."""
    refused: list[str] = []

    def listener(msg) -> None:
        if "Content Security Policy" in msg.text:
            refused.append(msg.text[:200])

    page.on("console", listener)
    return refused, listener


def run_axe(page, source: str) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {v['nodes']}"
        for v in result
        if v["impact"] in BLOCKING_IMPACTS
    ]


def horizontal_overflow(page) -> str | None:
    widths = page.evaluate("""() => ({scroll: document.documentElement.scrollWidth,
                                      client: document.documentElement.clientWidth})""")
    if widths["scroll"] > widths["client"]:
        culprit = page.evaluate("""() => {
            const w = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('main *')].filter(
                e => e.getBoundingClientRect().right > w + 1);
            const e = wide[wide.length - 1];
            return e ? e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') : '';
        }""")
        return (
            f"wider than a {widths['client']} px window ({widths['scroll']} px)"
            f"{': ' + culprit if culprit else ''}"
        )
    return None


def json_dump_in(page) -> str | None:
    text = page.evaluate("() => document.body.innerText")
    match = JSON_DUMP.search(text)
    if match is None:
        return None
    start = max(0, match.start() - 40)
    return f"JSON in the visible text: …{text[start : match.end() + 40]!r}…"


def slug(path: str) -> str:
    cleaned = re.sub(r"[^a-zA-Z0-9]+", "-", path.split("?")[0]).strip("-")
    return cleaned or "home"


def check_page(
    page, base: str, path: str, source: str, *, shots: str | None, check_json: bool = True
) -> PageReport:
    """Visits `path` at 1280 px then 390 px; screenshots go to SCREENS_DIR/<shots>-<page>."""
    refused, listener = watch_csp(page)
    page.set_viewport_size(DESKTOP)
    page.goto(base + path)
    page.wait_for_load_state("load")
    report = PageReport(page.url.removeprefix(base))
    report.violations = run_axe(page, source)
    if check_json:
        report.json_dump = json_dump_in(page)
    if shots:
        SCREENS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENS_DIR / f"{shots}-{slug(path)}-1280.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(50)
    report.overflow = horizontal_overflow(page)
    if shots:
        page.screenshot(path=SCREENS_DIR / f"{shots}-{slug(path)}-390.png", full_page=True)
    report.csp = list(refused)
    page.remove_listener("console", listener)
    return report
