"""Templates, the page context every layout needs, and form helpers (CSRF)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from interlink.core import i18n
from interlink.core.auth import Perm, Principal
from interlink.core.i18n import N_
from interlink.core.labels import choices, field_label, label, shown_label
from interlink.deps import app_state, check_csrf, optional_principal
from interlink.members.models import Organisation

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
# Every capability's templates live in its own folder; the loader searches them all.
_TEMPLATE_DIRS = [WEB_DIR / "templates", *sorted(WEB_DIR.parent.glob("*/templates"))]
templates = Jinja2Templates(directory=[str(d) for d in _TEMPLATE_DIRS if d.is_dir()])
# Every page speaks the request's language (core/i18n.py): {% trans %} and _() in templates.
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    **i18n.jinja_callables(), newstyle=True
)
templates.env.globals["current_language"] = i18n.current_language
templates.env.globals["direction"] = i18n.direction
templates.env.globals["languages"] = i18n.LANGUAGES
# A message built in Python (a problem detail, a label constant), in the reader's language.
templates.env.filters["translate"] = i18n.translate
templates.env.filters["number"] = i18n.format_number
# A stored code (state, kind, role, status) as its label in the reader's language.
templates.env.filters["label"] = label
# Codes as (code, label) options of a menu.
templates.env.filters["choices"] = choices
# A thread's subject the platform wrote ("Hit on ..."), in the reader's language.
templates.env.filters["subject"] = i18n.shown_subject
# A record's or request's stored label ("passport MA AB1234567"), the platform's words in it
# in the reader's language.
templates.env.filters["record_label"] = shown_label
# A data path of a version's changes ("judicial.maximum_penalty_months") by its fields' labels.
templates.env.filters["field_label"] = field_label

PERMISSION_LABELS: dict[Perm, str] = {
    Perm.RECORDS_READ: N_("Read records and notices shared with your country"),
    Perm.RECORDS_WRITE: N_("Enter and change your bureau's records"),
    Perm.NOTICES_SUBMIT: N_("Submit notice requests and send diffusions"),
    Perm.NOTICES_REVIEW: N_("Review notice requests for compliance"),
    Perm.SCREEN_PERSON: N_("Screen names"),
    Perm.SCREEN_DOCUMENT: N_("Check travel documents"),
    Perm.SCREEN_VEHICLE: N_("Check vehicles"),
    Perm.MESSAGES: N_("Send and read secure messages"),
    Perm.USERS_MANAGE: N_("Manage your bureau's users and agencies"),
    Perm.TOKENS_MANAGE: N_("Manage API tokens for your bureau's systems"),
    Perm.AUDIT_OWN: N_("See who accessed your bureau's records"),
    Perm.AUDIT_ALL: N_("Query the whole audit log"),
    Perm.ASSEMBLY_VOTE: N_("Take part in the General Assembly"),
    Perm.ASSEMBLY_ADMIN: N_("Run General Assembly sessions"),
    Perm.BLOCKLIST_SUBMIT: N_("Submit and confirm blocklist domains"),
    Perm.BLOCKLIST_PUBLISH: N_("Publish the blocklist"),
    Perm.BLOCKLIST_FEED: N_("Receive the blocklist feed"),
    Perm.ANALYTICS: N_("Run cross-country analytics"),
    Perm.RIGHTS_CASEWORK: N_("Handle requests from the people recorded (the commission)"),
    Perm.RIGHTS_ANSWER: N_("Answer the oversight commission's consultations and orders"),
    Perm.PLATFORM_ADMIN: N_("Administer the platform"),
}


@dataclass(frozen=True, slots=True)
class NavLink:
    href: str
    label: str
    perm: Perm | None = None  # shown to principals holding it; None: to everyone logged in


# The navigation, set once by create_app from interlink.wiring.NAV.
_NAVIGATION: list[NavLink] = []


def set_navigation(links: list[NavLink]) -> None:
    _NAVIGATION[:] = links


def nav_links(principal: Principal) -> list[NavLink]:
    seen: set[str] = set()
    links = []
    for link in _NAVIGATION:
        if (link.perm is None or principal.has(link.perm)) and link.href not in seen:
            seen.add(link.href)
            links.append(link)
    return links


def current_href(path: str, links: list[NavLink]) -> str | None:
    """The navigation entry a page belongs to: the longest link that is the path or its parent
    (/notices/new is "New notice request", /notices/12 is "Notices")."""
    if path == "/":
        return "/"
    matches = [
        link.href
        for link in links
        if link.href != "/" and (path == link.href or path.startswith(link.href + "/"))
    ]
    return max(matches, key=len) if matches else None


@dataclass(frozen=True, slots=True)
class Shell:
    """What the layout shows on every page: who, which bureau, and the work counts."""

    org_label: str
    waiting: int
    overdue: int
    current: str | None
    counts: dict[str, int]


def shell_for(request: Request, principal: Principal) -> Shell:
    """Computed once per request (a few COUNT queries), then cached on the request."""
    cached: Shell | None = getattr(request.state, "shell", None)
    if cached is not None:
        return cached
    from interlink.web import dashboard  # the dashboard imports every capability

    with app_state(request).db.session() as session:
        org = session.get(Organisation, principal.org_id)
        counts = dashboard.nav_counts(session, principal)
        org_label = f"{org.name} ({org.code})" if org is not None else ""
    shell = Shell(
        org_label,
        counts.waiting,
        counts.overdue,
        current_href(request.url.path, nav_links(principal)),
        {},
    )
    request.state.shell = shell
    return shell


templates.env.globals["nav_links"] = nav_links


def when(value: datetime | date | None) -> str:
    """'7 Dec 2026, 14:05 UTC': a moment as people read it, in their language (stored times
    are UTC)."""
    return i18n.format_moment(value)


def day(value: datetime | date | None) -> str:
    """'7 Dec 2026'."""
    return i18n.format_day(value)


def display_value(value: Any) -> str:
    """A stored JSON value as a person reads it (a diff's before and after)."""
    if value is None or value == "" or value == [] or value == {}:
        return i18n.gettext("(none)")
    if isinstance(value, list):
        return "; ".join(display_value(v) for v in value)
    if isinstance(value, dict):
        if "full_name" in value:
            return str(value["full_name"])
        return "; ".join(f"{k.replace('_', ' ')}: {display_value(v)}" for k, v in value.items())
    return str(value)


templates.env.filters["display_value"] = display_value
templates.env.filters["when"] = when
templates.env.filters["day"] = day


def page_context(request: Request, principal: Principal | None, **extra: Any) -> dict[str, Any]:
    return {
        "request": request,
        "principal": principal,
        "shell": shell_for(request, principal) if principal is not None else None,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "permission_labels": PERMISSION_LABELS,
        "perms": Perm,
        **extra,
    }


def _errors_in_language(extra: dict[str, Any]) -> None:
    """A page's `error` / `errors` hold problem details built by the services in English (a Msg
    or a msgid); they are shown in the reader's language, as the API's problem details are."""
    error = extra.get("error")
    if isinstance(error, str):
        extra["error"] = i18n.translate(error)
    errors = extra.get("errors")
    if isinstance(errors, dict):  # FieldErrors: keep the mapping (and its class)
        for key, value in errors.items():
            if isinstance(value, str):
                errors[key] = i18n.translate(value)
    elif isinstance(errors, list):
        extra["errors"] = [
            (e[0], i18n.translate(e[1]))
            if isinstance(e, tuple) and len(e) == 2 and isinstance(e[1], str)
            else i18n.translate(e)
            if isinstance(e, str)
            else e
            for e in errors
        ]


def render(request: Request, template: str, status_code: int = 200, **extra: Any) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    _errors_in_language(extra)
    return templates.TemplateResponse(
        request, template, page_context(request, principal, **extra), status_code=status_code
    )


def render_error(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status, title=title, detail=detail)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def form_principal(request: Request) -> Principal | None:
    """The principal of a page request; on form posts, the CSRF field must match."""
    principal = optional_principal(request)
    if principal is not None and request.method == "POST":
        form = await request.form()
        sent = form.get("csrf_token")
        check_csrf(request, sent if isinstance(sent, str) else None)
    return principal
