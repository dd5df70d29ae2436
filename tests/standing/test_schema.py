"""Schemathesis against the application's own OpenAPI document, as several roles.

Every operation of the document gets requests generated from its declared schemas, sent
in-process, each as one of: an NCB officer, an NCB supervisor (also its administrator and
delegate), a General Secretariat administrator and reviewer, the oversight commission, or
nobody. Each answer must be:
- no server error (5xx);
- an error (4xx) as application/problem+json whose body states the status sent;
- a status, content type and body the document declares for the operation (schemathesis's
  status_code_conformance, content_type_conformance and response_schema_conformance), which
  holds the error declarations of web/problems.py to what the routes really answer.

Forbidden side: `test_a_wrong_declaration_is_caught` removes the 404 declaration of one
operation and the same run must report it; `test_an_error_that_is_not_a_problem_is_caught`
feeds the problem check a plain JSON error.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from interlink.core.auth import Role
from tests.support import World

# Generated requests per operation: with 186 operations the run takes about a minute per
# database on the 2-core test machine (docs/security.md, "Standing tests").
EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = {
    "officer": ("NCB-FR", (Role.OFFICER,)),
    "supervisor": ("NCB-MA", (Role.SUPERVISOR, Role.NCB_ADMIN, Role.DELEGATE)),
    "gs": ("GS", (Role.GS_ADMIN, Role.COMPLIANCE_REVIEWER)),
    "oversight": ("CCF", (Role.OVERSIGHT,)),
}


def _callers(world: World, names: tuple[str, ...] = (*ROLES, "anonymous")) -> dict[str, dict]:
    """Authorization headers by caller, in the order given; the anonymous one sends none."""
    callers: dict[str, dict] = {}
    for name in names:
        if name == "anonymous":
            callers[name] = {}
            continue
        org, granted = ROLES[name]
        client = world.api_as(world.user(org, *granted, mfa=True))
        callers[name] = {"Authorization": client.headers["Authorization"]}
    return callers


def problem_failure(status: int, content_type: str, body: Any) -> str | None:
    """Why an answer is not a proper error, or None."""
    if status < 400:
        return None
    if not content_type.startswith("application/problem+json"):
        return f"{status} as {content_type!r}"
    if not isinstance(body, dict) or body.get("status") != status or not body.get("title"):
        return f"{status} with a body that is not a problem stating it: {str(body)[:200]}"
    return None


def _run(
    world: World,
    callers: dict[str, dict],
    examples: int,
    edit: Callable[[dict], None] | None = None,
) -> tuple[list[str], int]:
    """Run every operation; returns the failures and the number of requests sent."""
    document = copy.deepcopy(world.app.openapi())
    if edit:
        edit(document)
    schema = schemathesis.openapi.from_dict(document)
    schema.app = world.app
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(), caller=st.sampled_from(list(callers)))
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,  # the same requests on every run: a failure reproduces
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case: Any, caller: str) -> None:
            nonlocal sent
            headers = callers[caller]
            response = case.call(headers=headers)
            sent += 1
            label = f"{case.operation.label} as {caller}"
            content_type = (response.headers.get("content-type") or [""])[0]
            body = response.json() if "json" in content_type else None
            problem = problem_failure(response.status_code, content_type, body)
            if problem:
                failures.append(f"{label}: {problem}")
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as exc:  # a BaseExceptionGroup, saying what was wrong
                failures.append(f"{label}: {str(exc)[:800]}")

        exercise()
    return failures, sent


def _screening_ready(world: World) -> None:
    # Without background workers the indexes are built on demand: screening answers 429
    # ("still loading") until then, and those routes would never be reached.
    world.app.state.interlink.services.screener.engine.build()


def test_the_api_conforms_to_its_document_for_every_role(world: World) -> None:
    _screening_ready(world)
    started = time.monotonic()
    failures, sent = _run(world, _callers(world), EXAMPLES)
    elapsed = time.monotonic() - started
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])
    operations = len(
        [m for path, ops in world.app.openapi()["paths"].items() for m in ops if "/api/" in path]
    )
    assert sent >= operations * 2, (sent, operations)
    assert elapsed < 240, f"the run took {elapsed:.0f} s; lower EXAMPLES"


def test_a_wrong_declaration_is_caught(world: World) -> None:
    path = "/api/v1/records/{record_id}"

    def undeclare_404(document: dict) -> None:
        document["paths"] = {path: document["paths"][path]}
        del document["paths"][path]["get"]["responses"]["404"]

    failures, _ = _run(world, _callers(world, ("officer",)), 3, undeclare_404)
    assert failures and all("404" in f for f in failures), failures


def test_an_error_that_is_not_a_problem_is_caught() -> None:
    plain = httpx.Response(404, json={"detail": "Not Found"})
    assert problem_failure(404, plain.headers["content-type"], plain.json())
    assert problem_failure(404, "application/problem+json", {"status": 400, "title": "x"})
    assert problem_failure(404, "application/problem+json", {"status": 404, "title": "x"}) is None
