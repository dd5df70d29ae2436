"""Real-browser tests: Debian's chromium driven by Playwright against a live server.

The server runs in this process on a free port (uvicorn in a thread), over the same database
fixture as every other storage test, so browser tests run on SQLite and PostgreSQL.

A journey that takes the `language` fixture runs in English, Arabic and French: the browser
asks for the language (Accept-Language), and the test finds every label and button by its
translation (`t`, from the catalogs). The Arabic and French runs are on SQLite only: the
database does not change what a language shows, and it keeps the suite's time modest.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import uvicorn

from tests.support import World

CHROMIUM = os.environ.get("INTERLINK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser
# The languages a journey runs in (docs/languages.md).
JOURNEY_LANGUAGES = ("en", "ar", "fr")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """English journeys on both databases; Arabic and French ones on SQLite only."""
    kept, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        other_language = params.get("language", "en") != "en"
        (dropped if other_language and params.get("database") == "postgresql" else kept).append(
            item
        )
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(params=JOURNEY_LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    return request.param


def translator(language: str) -> Callable[..., str]:
    """The catalog's text for an English msgid in `language`, placeholders filled."""
    from interlink.core.i18n import translations

    catalog = translations(language)

    def t(message: str, **params: object) -> str:
        text = catalog.gettext(message)
        return text % params if params else text

    return t


def shows(text: str, translated: str) -> bool:
    """Whether `text` shows the message `translated` whatever its placeholders were filled
    with: each fixed part of it is there ("answered in %(time)s" in "answered in 4 s")."""
    import re

    return all(part.strip() in text for part in re.split(r"%\(\w+\)s", translated))


@pytest.fixture
def t(language: str) -> Callable[..., str]:
    return translator(language)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} not installed (make test installs Debian's chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(world: World) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(world.app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def new_page(browser, request: pytest.FixtureRequest):
    contexts = []
    # A journey in another language: every browser of the test asks for it.
    language = request.getfixturevalue("language") if "language" in request.fixturenames else None

    def make():
        context = browser.new_context(locale=language) if language else browser.new_context()
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def login(page, base: str, username: str, password: str, totp_secret: str | None = None) -> None:
    """Log in through the real form, as a person would, in the language the page speaks."""
    import pyotp

    page.goto(f"{base}/login")
    t = translator(page.locator("html").get_attribute("lang") or "en")
    page.get_by_label(t("Username")).fill(username)
    page.get_by_label(t("Password")).fill(password)
    page.get_by_role("button", name=t("Log in")).click()
    if totp_secret:
        page.get_by_label(t("Six-digit code")).fill(pyotp.TOTP(totp_secret).now())
        page.get_by_role("button", name=t("Verify")).click()
    page.wait_for_url(f"{base}/")


def check_language(page, language: str) -> None:
    """The page speaks the journey's language: lang and dir on <html>, no sideways scrolling
    at desktop or phone width; an Arabic page passes axe too (its English twin is checked by
    test_every_page), and its screenshots go to artefacts/screens/journey-ar-*."""
    from tests.browser.pagecheck import (
        DESKTOP,
        PHONE,
        SCREENS_DIR,
        axe_source,
        horizontal_overflow,
        run_axe,
        slug,
    )

    html = page.locator("html")
    assert html.get_attribute("lang") == language, page.url
    assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr"), page.url
    if language == "en":
        return
    size = page.viewport_size or DESKTOP
    try:
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            page.wait_for_timeout(30)
            overflow = horizontal_overflow(page)
            assert overflow is None, f"{page.url}: {overflow}"
            if language == "ar":  # what the page looks like, for a person to look at
                SCREENS_DIR.mkdir(parents=True, exist_ok=True)
                name = f"journey-ar-{slug(page.url.split('//', 1)[-1].partition('/')[2])}"
                page.screenshot(path=SCREENS_DIR / f"{name}-{viewport['width']}.png")
    finally:
        page.set_viewport_size(size)
    if language == "ar":
        violations = run_axe(page, axe_source())
        assert not violations, f"{page.url}: {violations}"
