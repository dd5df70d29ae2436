"""The page a provider shows instead of a blocked website: why it is blocked, how to complain."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from interlink.core import i18n

_ENVIRONMENT = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    extensions=["jinja2.ext.i18n"],
)
# In the language of the request (or the one the CLI was given): core/i18n.py.
_ENVIRONMENT.install_gettext_callables(**i18n.jinja_callables(), newstyle=True)  # type: ignore[attr-defined]
_ENVIRONMENT.globals["current_language"] = i18n.current_language
_ENVIRONMENT.globals["direction"] = i18n.direction


STYLESHEET = Path(__file__).parent.parent / "web" / "static" / "stop.css"


def render_stop_page(
    domain: str,
    *,
    provider: str | None,
    complaint_url: str,
    list_version: int | None = None,
    confirmed: bool = True,
) -> str:
    """HTML for a blocked `domain` (served with HTTP status 451).

    `provider` is the provider's name as its users know it (None: "your Internet provider");
    `complaint_url` is where anyone, the site's operator included, asks for a review.
    `confirmed`: the provider serves the page for a domain it blocks, so the page may say
    the domain is blocked, with its styles inline (the page stands alone). The platform's
    public page is not confirmed: anyone can put any domain in its address, so its words
    hold whatever the address says, and its styles come from this site's style sheet.
    """
    template = _ENVIRONMENT.get_template("stop_page.html")
    return template.render(
        domain=domain,
        provider=provider,
        complaint_url=complaint_url,
        list_version=list_version,
        confirmed=confirmed,
        inline_css=STYLESHEET.read_text() if confirmed else None,
    )
