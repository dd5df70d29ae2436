"""The authorization matrix: every id-taking route of the OpenAPI document, as every caller.

A fixture builds real objects of every kind a route names, through the API where it can:
as bureau A (NCB-MA) a record, a record restricted away from bureau B (circulated to B's
country but excluded), a notice, a message thread with an attachment and a forward request,
a joint operation with a task, a webhook, an API token and a user; a blocklist domain A
submitted and FR confirmed, with an appeal; two rights cases filed through the public form
and admitted by the commission, one open (a consultation of A, a block on A's record), one
decided (an order deleting A's record, its copy notice to A, and the hold of A's re-entry);
a meeting request from A's delegation to FR's (through the services: a delegation acts from a
logged-in session); a link between A's record and B's record of one person, B's restricted
away from A, made by the incremental linker, and a full linking run. Each route of `MATRIX` is
then called with the real ids as each caller: bureau A, bureau B (NCB-DE), the General
Secretariat (administrator, compliance reviewer and analyst), the oversight commission and
nobody, and once with a missing id in the same place. The rule:
- a caller who may see the object (the route's `seers`) gets an answer that differs from
  the missing id's (the object is real and visible; a state rule may still answer 4xx),
  never a server error;
- every other authenticated caller gets exactly the missing id's answer: same status, same
  content type, same body once the id itself is written the same way;
- nobody gets 401.
Calls that change state go in this order: every non-seer first (they must change nothing),
then the seers, the routes that end an object's life last.

`test_every_id_route_is_in_the_matrix` fails when a route with a path parameter is added to
the document without an entry here (or in `OUTSIDE`, with the reason it is not a bureau's
object), so the matrix cannot go stale. Forbidden side: `test_a_leak_is_caught` runs the
same comparison where bureau B is declared a non-seer of a record it was shown, and the
comparison must fail.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from interlink.assembly import service_meetings
from interlink.assembly.keys import SealKeyFile
from interlink.core.auth import Role
from interlink.linking import service as linking
from interlink.linking.models import Link
from tests.assembly.support import Assembly
from tests.support import World, circulate

MISSING = 987_654_321
OWNER, OTHER, GS, OVERSIGHT, NOBODY = "bureau-A", "bureau-B", "GS", "oversight", "nobody"
CALLERS = (OWNER, OTHER, GS, OVERSIGHT)
PERSON = {
    "names": [{"full_name": "Samir Ouazzani"}],
    "sex": "male",
    "birth_date": "1983-07-19",
    "nationalities": ["MA"],
}
PDF = b"%PDF-1.7\nannex\n"


@dataclass(frozen=True)
class Route:
    """One operation: the objects its path names (parameter -> object), the body it is sent,
    who may see the object, and whether the call ends the object's life (goes last)."""

    params: dict[str, str]
    body: dict[str, Any] | None = None
    seers: frozenset[str] = frozenset({OWNER})
    final: bool = False


def R(params: dict[str, str], body: dict | None = None, *, seers=(OWNER,), final=False) -> Route:
    return Route(params, body, frozenset(seers), final)


REC = {"record_id": "record"}
RESTRICTED = {"record_id": "restricted"}
NOTICE = {"notice_id": "notice"}
THREAD = {"thread_id": "thread"}
OPERATION = {"operation_id": "operation"}
REASON = {"reason": "the matrix checks who may do this"}
CHANGED = {"data": PERSON, "change": "correction", "reason": "spelling"}
DIFFUSION = {"notice_type": "blue", "kind": "diffusion", "facts": "Vehicle theft."}
# The General Secretariat and the oversight commission read every record and request.
READERS = (OWNER, GS, OVERSIGHT)
ADMINS = (OWNER, GS)
COMMISSION = (OVERSIGHT,)
DOMAIN = {"domain_id": "domain"}
CASE = {"case_id": "case"}
CONSULTATION = {"consultation_id": "consultation"}
LINK = {"link_id": "link"}
ATTEST = {"real_children": True, "under_13": True, "severe_abuse": True, "evidence_ref": "F-1"}

# (method, path) -> Route. The owner's answers may be a state rule's 4xx (a draft cannot be
# decided on): what matters is that they differ from a missing id's.
MATRIX: dict[tuple[str, str], Route] = {
    # records: the record's owner; its circulation reaches bureau B for `record` only
    ("GET", "/api/v1/records/{record_id}"): R(REC, seers=READERS),
    ("PUT", "/api/v1/records/{record_id}"): R(REC, CHANGED),
    ("PUT", "/api/v1/records/{record_id}/restrictions"): R(
        REC, {"restrictions": {"visibility": "all"}, "reason": "wider"}
    ),
    ("POST", "/api/v1/records/{record_id}/withdraw"): R(REC, REASON, final=True),
    ("POST", "/api/v1/records/{record_id}/extend"): R(REC, REASON),
    ("GET", "/api/v1/records/{record_id}/versions"): R(REC, seers=READERS),
    ("GET", "/api/v1/subjects/{record_id}"): R(REC, seers=READERS),
    ("GET", "/api/v1/links/records/{record_id}/similar"): R(REC, seers=READERS),
    ("GET", "/api/v1/links/records/{record_id}/hints"): R(REC, seers=READERS),
    ("GET", "/api/v1/links/records/{record_id}/cluster"): R(REC, seers=READERS),
    ("GET", "/api/v1/links/records/{record_id}/graph"): R(REC, seers=READERS),
    # notices: a draft of bureau A
    ("GET", "/api/v1/notices/{notice_id}"): R(NOTICE, seers=READERS),
    ("PUT", "/api/v1/notices/{notice_id}"): R(NOTICE, {"data": DIFFUSION}),
    ("POST", "/api/v1/notices/{notice_id}/amend"): R(
        NOTICE, {"data": DIFFUSION, "change": "correction", **REASON}
    ),
    ("POST", "/api/v1/notices/{notice_id}/submit"): R(NOTICE),
    ("POST", "/api/v1/notices/{notice_id}/circulate"): R(NOTICE, {"recipients": ["FR"]}),
    # the General Secretariat's review (the owner lacks the permission: 403 for any id)
    ("POST", "/api/v1/notices/{notice_id}/review"): R(NOTICE, seers=(GS,)),
    ("POST", "/api/v1/notices/{notice_id}/request-info"): R(
        NOTICE, {"question": "Which?"}, seers=(GS,)
    ),
    ("POST", "/api/v1/notices/{notice_id}/answer"): R(NOTICE, {"answer": "This one."}),
    ("POST", "/api/v1/notices/{notice_id}/decision"): R(
        NOTICE, {"approve": True, **REASON}, seers=(GS,)
    ),
    ("POST", "/api/v1/notices/{notice_id}/diffusion-review"): R(
        NOTICE, {"keep": True, **REASON}, seers=(GS,)
    ),
    ("POST", "/api/v1/notices/{notice_id}/cancel"): R(NOTICE, REASON, final=True),
    ("POST", "/api/v1/notices/{notice_id}/checks"): R(NOTICE),
    ("GET", "/api/v1/notices/{notice_id}/changes"): R(NOTICE, seers=READERS),
    ("POST", "/api/v1/notices/{notice_id}/copy"): R(NOTICE),
    ("GET", "/api/v1/notices/{notice_id}/versions"): R(NOTICE, seers=READERS),
    # messaging: a thread from bureau A to FR (bureau B is not a participant)
    ("GET", "/api/v1/threads/{thread_id}"): R(THREAD),
    ("POST", "/api/v1/threads/{thread_id}/messages"): R(THREAD, {"body": "More."}),
    ("POST", "/api/v1/threads/{thread_id}/close"): R(THREAD, final=True),
    ("POST", "/api/v1/threads/{thread_id}/grants"): R(THREAD, {"org": "GS", **REASON}),
    ("DELETE", "/api/v1/threads/{thread_id}/grants/{grant_id}"): R({**THREAD, "grant_id": "grant"}),
    ("GET", "/api/v1/attachments/{attachment_id}"): R({"attachment_id": "attachment"}),
    ("POST", "/api/v1/messages/{message_id}/forward"): R(
        {"message_id": "message"}, {"recipients": ["IT"]}
    ),
    ("POST", "/api/v1/messages/{message_id}/forward-requests"): R(
        {"message_id": "message"}, REASON
    ),
    ("POST", "/api/v1/forward-requests/{request_id}/decision"): R(
        {"request_id": "forward_request"}, {"grant": False}
    ),
    # joint operations of bureau A
    ("GET", "/api/v1/operations/{operation_id}"): R(OPERATION),
    ("POST", "/api/v1/operations/{operation_id}/invitations"): R(OPERATION, {"org": "IT"}),
    ("POST", "/api/v1/operations/{operation_id}/response"): R(OPERATION, {"accept": True}),
    ("DELETE", "/api/v1/operations/{operation_id}/members/{org_id}"): R(
        {**OPERATION, "org_id": "member_org"}
    ),
    ("POST", "/api/v1/operations/{operation_id}/records"): R(OPERATION, {"record_id": "$record"}),
    ("GET", "/api/v1/operations/{operation_id}/records/{record_id}"): R(
        {**OPERATION, "record_id": "record"}
    ),
    ("POST", "/api/v1/operations/{operation_id}/tasks"): R(
        OPERATION, {"title": "Check manifest", "owner": "NCB-MA"}
    ),
    ("POST", "/api/v1/operations/{operation_id}/tasks/{task_id}/done"): R(
        {**OPERATION, "task_id": "task"}
    ),
    ("POST", "/api/v1/operations/{operation_id}/close"): R(OPERATION, final=True),
    # bureau A's administration, which the General Secretariat's administrators share
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): R({"webhook_id": "webhook"}, final=True),
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): R({"webhook_id": "webhook"}),
    ("DELETE", "/api/v1/tokens/{token_id}"): R({"token_id": "token"}, seers=ADMINS, final=True),
    ("GET", "/api/v1/users/{user_id}"): R({"user_id": "user"}, seers=ADMINS),
    ("PATCH", "/api/v1/users/{user_id}"): R({"user_id": "user"}, {"active": True}, seers=ADMINS),
    # a blocklist domain submitted by bureau A and confirmed by FR (so out of B's queue),
    # with an appeal the General Secretariat recorded: the confirmers and the publisher see it
    ("GET", "/api/v1/blocklist/domains/{domain_id}"): R(DOMAIN, seers=(OWNER, GS)),
    ("POST", "/api/v1/blocklist/domains/{domain_id}/confirmations"): R(DOMAIN, ATTEST),
    ("POST", "/api/v1/blocklist/domains/{domain_id}/reject"): R(
        DOMAIN, REASON, seers=(GS,), final=True
    ),
    ("POST", "/api/v1/blocklist/domains/{domain_id}/delist"): R(DOMAIN, REASON, seers=(GS,)),
    ("POST", "/api/v1/blocklist/domains/{domain_id}/reviews"): R(
        DOMAIN, {"material_present": True}, seers=(GS,)
    ),
    ("POST", "/api/v1/blocklist/domains/{domain_id}/appeals"): R(
        DOMAIN,
        {"appellant": "Host Ltd", "contact": "abuse@host.example", "grounds": "Removed."},
        seers=(GS,),
    ),
    ("POST", "/api/v1/blocklist/appeals/{appeal_id}/decision"): R(
        {"appeal_id": "appeal"}, {"upheld": False, **REASON}, seers=(GS,)
    ),
    # the commission's casework on a case filed through the public form and admitted; the
    # consultation goes to bureau A, which answers it and acknowledges the decision's copy
    ("GET", "/api/v1/rights/cases/{case_id}"): R(CASE, seers=COMMISSION),
    ("POST", "/api/v1/rights/cases/{case_id}/admissibility"): R(
        CASE, {"admissible": True, **REASON}, seers=COMMISSION
    ),
    ("POST", "/api/v1/rights/cases/{case_id}/extensions"): R(
        CASE, {"clock": "decision", "months": 1, **REASON}, seers=COMMISSION
    ),
    ("POST", "/api/v1/rights/cases/{case_id}/holdings"): R(CASE, seers=COMMISSION),
    ("POST", "/api/v1/rights/cases/{case_id}/consultations"): R(
        CASE, {"org_code": "NCB-MA", "question": "What is the legal basis?"}, seers=COMMISSION
    ),
    ("POST", "/api/v1/rights/cases/{case_id}/measures"): R(
        CASE,
        {
            "action": "block",
            "target": "record",
            "target_id": "$blocked",
            "reason_category": "pending_examination",
        },
        seers=COMMISSION,
    ),
    ("POST", "/api/v1/rights/cases/{case_id}/decision"): R(
        CASE,
        {"outcome": "compliant", "reasoning": "The data were processed under the rules."},
        seers=COMMISSION,
        final=True,
    ),
    ("GET", "/api/v1/rights/cases/{case_id}/decision/copies"): R(
        {"case_id": "decided_case"}, seers=COMMISSION
    ),
    ("POST", "/api/v1/rights/consultations/{consultation_id}/extensions"): R(
        CONSULTATION, {"days": 10, **REASON}, seers=COMMISSION
    ),
    ("POST", "/api/v1/rights/consultations/{consultation_id}/answer"): R(
        CONSULTATION, {"answer": "A warrant of 2025."}
    ),
    ("POST", "/api/v1/rights/measures/{measure_id}/lift"): R(
        {"measure_id": "measure"}, seers=COMMISSION
    ),
    ("POST", "/api/v1/rights/holds/{hold_id}/review"): R(
        {"hold_id": "hold"}, {"release": False, **REASON}, seers=COMMISSION
    ),
    ("POST", "/api/v1/rights/copies/{copy_id}/acknowledge"): R({"copy_id": "copy"}),
    # a meeting request from bureau A's delegation to FR's (B has a delegation too)
    ("POST", "/api/v1/assembly/meetings/requests/{request_id}/answer"): R(
        {"request_id": "meeting_request"}, {"accept": True}, seers=(OWNER, GS)
    ),
    # a link between bureau A's record and B's, which B restricts away from A; a full run
    ("GET", "/api/v1/links/{link_id}"): R(LINK, seers=(OTHER, GS, OVERSIGHT)),
    ("POST", "/api/v1/links/{link_id}/decision"): R(LINK, {"decision": "unsure"}, seers=(GS,)),
    ("GET", "/api/v1/links/runs/{run_id}"): R({"run_id": "run"}, seers=(GS,)),
}

# Routes with a path parameter outside the matrix, and why.
NO_ID = "the parameter is a code, a name or a kind, not an object's id"
PUBLISHED = "published to everyone: no caller is refused"
ASSEMBLY = "General Assembly objects every member shares; their rules are in tests/assembly"
LIST_VERSION = (
    "a list version is a sequence number, the same for every caller: the publishers read any, "
    "everyone else is refused before any lookup (tests/blocklist/test_blocklist_api.py)"
)
SESSION_MEETINGS = (
    "the parameter is a published session's number; the requests are filtered to the caller's "
    "delegation (tests/assembly/test_meetings_agreements_storage.py)"
)
SECRETARIAT_ONLY = (
    "the General Secretariat's own objects: every other caller is refused before any lookup "
    "(tests/linking/test_patterns.py)"
)
OUTSIDE: dict[tuple[str, str], str] = {
    ("PATCH", "/api/v1/members/{code}"): NO_ID,
    ("DELETE", "/api/v1/lockouts/users/{username}"): NO_ID,
    ("DELETE", "/api/v1/lockouts/addresses/{address}"): NO_ID,
    ("POST", "/api/v1/records/{kind}"): NO_ID,
    ("GET", "/api/v1/blocklist/versions/{number}"): LIST_VERSION,
    ("GET", "/api/v1/blocklist/versions/{old}/diff/{new}"): LIST_VERSION,
    ("GET", "/api/v1/public/assembly/sessions/{number}"): PUBLISHED,
    ("GET", "/api/v1/public/assembly/ballots/{ballot_id}"): PUBLISHED,
    ("GET", "/api/v1/public/assembly/ballots/{ballot_id}/board"): PUBLISHED,
    ("GET", "/api/v1/public/assembly/ballots/{ballot_id}/verification"): PUBLISHED,
    ("GET", "/api/v1/public/assembly/ballots/{ballot_id}/voters"): PUBLISHED,
    ("GET", "/api/v1/public/assembly/ballots/{ballot_id}/roll-call"): PUBLISHED,
    ("GET", "/api/v1/public/assembly/elections/{election_id}"): PUBLISHED,
    ("PATCH", "/api/v1/assembly/sessions/{number}"): ASSEMBLY,
    ("POST", "/api/v1/assembly/sessions/{number}/open"): ASSEMBLY,
    ("POST", "/api/v1/assembly/sessions/{number}/close"): ASSEMBLY,
    ("POST", "/api/v1/assembly/sessions/{number}/items"): ASSEMBLY,
    ("POST", "/api/v1/assembly/items/{item_id}/documents"): ASSEMBLY,
    ("POST", "/api/v1/assembly/items/{item_id}/noted"): ASSEMBLY,
    ("GET", "/api/v1/assembly/sessions/{number}/delegations"): ASSEMBLY,
    ("POST", "/api/v1/assembly/sessions/{number}/delegations"): ASSEMBLY,
    ("GET", "/api/v1/assembly/sessions/{number}/delegations/{country}"): ASSEMBLY,
    ("POST", "/api/v1/assembly/sessions/{number}/delegations/{country}/members"): ASSEMBLY,
    (
        "DELETE",
        "/api/v1/assembly/sessions/{number}/delegations/{country}/members/{member_id}",
    ): ASSEMBLY,
    ("POST", "/api/v1/assembly/sessions/{number}/delegations/{country}/credentials"): ASSEMBLY,
    (
        "POST",
        "/api/v1/assembly/sessions/{number}/delegations/{country}/credentials/verified",
    ): ASSEMBLY,
    ("PUT", "/api/v1/assembly/sessions/{number}/delegations/{country}/attendance"): ASSEMBLY,
    ("POST", "/api/v1/assembly/sessions/{number}/delegations/{country}/powers"): ASSEMBLY,
    ("DELETE", "/api/v1/assembly/sessions/{number}/delegations/{country}/powers"): ASSEMBLY,
    ("POST", "/api/v1/assembly/sessions/{number}/agenda/ballot"): ASSEMBLY,
    ("POST", "/api/v1/assembly/items/{item_id}/ballot"): ASSEMBLY,
    ("GET", "/api/v1/assembly/sessions/{number}/my-ballots"): ASSEMBLY,
    ("POST", "/api/v1/assembly/ballots/{ballot_id}/votes"): ASSEMBLY,
    ("POST", "/api/v1/assembly/ballots/{ballot_id}/close"): ASSEMBLY,
    ("POST", "/api/v1/assembly/ballots/{ballot_id}/annul"): ASSEMBLY,
    ("POST", "/api/v1/assembly/items/{item_id}/elections"): ASSEMBLY,
    ("POST", "/api/v1/assembly/elections/{election_id}/candidates"): ASSEMBLY,
    ("DELETE", "/api/v1/assembly/elections/{election_id}/candidates/{candidate_id}"): ASSEMBLY,
    ("POST", "/api/v1/assembly/elections/{election_id}/rounds"): ASSEMBLY,
    ("GET", "/api/v1/assembly/sessions/{number}/meetings/requests"): SESSION_MEETINGS,
    ("POST", "/api/v1/assembly/sessions/{number}/meetings/requests"): SESSION_MEETINGS,
    ("POST", "/api/v1/assembly/sessions/{number}/meetings/slots"): ASSEMBLY,
    ("POST", "/api/v1/assembly/sessions/{number}/meetings/rooms"): ASSEMBLY,
    ("POST", "/api/v1/assembly/sessions/{number}/meetings/schedule"): ASSEMBLY,
    ("GET", "/api/v1/assembly/sessions/{number}/meetings/schedule"): ASSEMBLY,
    ("GET", "/api/v1/assembly/sessions/{number}/meetings/calendar.ics"): ASSEMBLY,
    ("GET", "/api/v1/assembly/agreements/{agreement_id}"): ASSEMBLY,
    ("POST", "/api/v1/assembly/agreements/{agreement_id}/status"): ASSEMBLY,
    ("POST", "/api/v1/assembly/agreements/{agreement_id}/documents"): ASSEMBLY,
    ("POST", "/api/v1/public/rights/status/documents/{document_id}"): PUBLISHED,
    ("POST", "/api/v1/patterns/{pattern_id}/deactivate"): SECRETARIAT_ONLY,
    ("GET", "/api/v1/patterns/{pattern_id}/alerts"): SECRETARIAT_ONLY,
}


@dataclass
class Fixture:
    ids: dict[str, int]
    clients: dict[str, TestClient]
    fr: TestClient  # a supervisor of NCB-FR, a third bureau


def _created(response: Any) -> dict:
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.fixture
def objects(world: World) -> Fixture:
    roles = (Role.SUPERVISOR, Role.NCB_ADMIN, Role.DELEGATE)
    clients = {
        OWNER: world.api_as(world.user("NCB-MA", *roles, mfa=True)),
        OTHER: world.api_as(world.user("NCB-DE", *roles, mfa=True)),
        GS: world.api_as(
            world.user("GS", Role.GS_ADMIN, Role.COMPLIANCE_REVIEWER, Role.ANALYST, mfa=True)
        ),
        OVERSIGHT: world.api_as(world.user("CCF", Role.OVERSIGHT, mfa=True)),
        NOBODY: world.client(),
    }
    fr = world.api_as(world.user("NCB-FR", Role.SUPERVISOR))
    # Without background workers the indexes are built on demand (else 429, still loading).
    world.app.state.interlink.services.screener.engine.build()
    owner = clients[OWNER]
    ids: dict[str, int] = {}
    ids["record"] = _created(owner.post("/api/v1/records/person", json={"data": PERSON}))["id"]
    restricted = owner.post(
        "/api/v1/records/person",
        json={"data": PERSON, "restrictions": {"visibility": "except", "countries": ["DE"]}},
    )
    ids["restricted"] = _created(restricted)["id"]
    circulate(owner, ids["restricted"])  # to DE among others, whom the restriction excludes
    notice = owner.post(
        "/api/v1/notices",
        json={
            "data": DIFFUSION,
            "subject_record_id": ids["record"],
        },
    )
    ids["notice"] = _created(notice)["id"]
    sent = _created(
        owner.post(
            "/api/v1/threads",
            json={
                "recipients": ["FR"],
                "subject": "Stolen passport",
                "body": "Holder is wanted.",
                "handling": "H2",
                "attachments": [
                    {
                        "filename": "annex.pdf",
                        "content_type": "application/pdf",
                        "content_base64": base64.b64encode(PDF).decode(),
                    }
                ],
            },
        )
    )
    ids["thread"], ids["message"] = sent["thread_id"], sent["message_id"]
    thread = _created(fr.get(f"/api/v1/threads/{ids['thread']}"))
    ids["attachment"] = thread["messages"][0]["attachments"][0]["id"]
    asked = fr.post(f"/api/v1/messages/{ids['message']}/forward-requests", json=REASON)
    ids["forward_request"] = _created(asked)["id"]
    grant = owner.post(f"/api/v1/threads/{ids['thread']}/grants", json={"org": "GS", **REASON})
    ids["grant"] = _created(grant)["id"]
    operation = _created(owner.post("/api/v1/operations", json={"name": "Sandstorm"}))
    ids["operation"] = operation["id"]
    _created(owner.post(f"/api/v1/operations/{ids['operation']}/invitations", json={"org": "FR"}))
    ids["member_org"] = world.org("NCB-FR").id
    task = owner.post(
        f"/api/v1/operations/{ids['operation']}/tasks",
        json={"title": "Check manifest", "owner": "NCB-MA"},
    )
    ids["task"] = _created(task)["id"]
    _created(
        owner.post(
            f"/api/v1/operations/{ids['operation']}/records", json={"record_id": ids["record"]}
        )
    )
    hook = owner.post(
        "/api/v1/webhooks", json={"url": "https://national.example/hook", "events": ["message.new"]}
    )
    ids["webhook"] = _created(hook)["id"]
    token = owner.post(
        "/api/v1/tokens",
        json={"org_id": world.org("NCB-MA").id, "name": "matrix", "permissions": ["records.read"]},
    )
    ids["token"] = _created(token)["id"]
    ids["user"] = world.user("NCB-MA", Role.OFFICER).id
    return Fixture(ids, clients, fr)


@pytest.fixture
def every_object(world: World, objects: Fixture) -> Fixture:
    """`objects` and the other capabilities' objects, which only the full matrix needs."""
    _blocklist(objects.clients, objects.fr, objects.ids)
    _rights(world, objects.clients, objects.ids)
    _meeting(world, objects.ids)
    _links(world, objects.clients, objects.ids)
    return objects


def _blocklist(clients: dict[str, TestClient], fr: TestClient, ids: dict[str, int]) -> None:
    """Submitted by A, confirmed by FR: confirmed, so no longer in B's verification queue."""
    domain = clients[OWNER].post(
        "/api/v1/blocklist/domains", json={"domain": "abuse.example", **ATTEST}
    )
    ids["domain"] = _created(domain)["id"]
    _created(fr.post(f"/api/v1/blocklist/domains/{ids['domain']}/confirmations", json=ATTEST))
    appeal = clients[GS].post(
        f"/api/v1/blocklist/domains/{ids['domain']}/appeals",
        json={"appellant": "Host Ltd", "contact": "abuse@host.example", "grounds": "Gone."},
    )
    ids["appeal"] = _created(appeal)["id"]


def _rights(world: World, clients: dict[str, TestClient], ids: dict[str, int]) -> None:
    """Two cases filed through the public form and admitted: one open, with a consultation of
    bureau A and a block on A's record; one decided, its order deleting another record of A,
    whose copy A is told of, and A's entering that person again held by the re-entry guard."""
    owner, commission = clients[OWNER], clients[OVERSIGHT]
    karim = {**PERSON, "names": [{"full_name": "Karim Benali"}], "birth_date": "1984-05-17"}
    youssef = {**PERSON, "names": [{"full_name": "Youssef Amrani"}], "birth_date": "1990-01-01"}
    ids["blocked"] = _created(owner.post("/api/v1/records/person", json={"data": karim}))["id"]
    ids["erased"] = _created(owner.post("/api/v1/records/person", json={"data": youssef}))["id"]
    applicant = world.client()
    for kind, person in (("correction", karim), ("deletion", youssef)):
        filed = applicant.post(
            "/api/v1/public/rights/requests",
            json={"kind": kind, "names": [person["names"][0]["full_name"]]},
        )
        _created(filed)
    for case in _created(commission.get("/api/v1/rights/cases"))["items"]:
        ids["case" if case["kind"] == "correction" else "decided_case"] = case["id"]
        admitted = commission.post(
            f"/api/v1/rights/cases/{case['id']}/admissibility", json={"admissible": True, **REASON}
        )
        _created(admitted)
    base = f"/api/v1/rights/cases/{ids['case']}"
    consulted = commission.post(
        f"{base}/consultations", json={"org_code": "NCB-MA", "question": "What is the basis?"}
    )
    ids["consultation"] = _created(consulted)["id"]
    measure = commission.post(
        f"{base}/measures",
        json={
            "action": "block",
            "target": "record",
            "target_id": ids["blocked"],
            "reason_category": "pending_examination",
        },
    )
    ids["measure"] = _created(measure)["id"]
    decided = commission.post(
        f"/api/v1/rights/cases/{ids['decided_case']}/decision",
        json={
            "outcome": "non_compliant",
            "reasoning": "The record is of a political character.",
            "orders": [{"action": "delete", "target": "record", "target_id": ids["erased"]}],
        },
    )
    _created(decided)
    [copy] = _created(owner.get("/api/v1/rights/copies"))
    ids["copy"] = copy["id"]
    _created(owner.post("/api/v1/records/person", json={"data": youssef}))  # held
    [hold] = _created(commission.get("/api/v1/rights/holds"))
    ids["hold"] = hold["id"]


def _meeting(world: World, ids: dict[str, int]) -> None:
    """A session with delegations of A, B and FR; A's delegation asks FR's for a meeting.
    Through the services: a delegation acts from a logged-in session, never a token."""
    assembly = Assembly(world, SealKeyFile(world.settings.ballot_seal_key_file))
    assembly.open_session()
    heads = assembly.delegations(["MA", "DE", "FR"])
    request = assembly.run(
        service_meetings.request_meeting,
        heads["MA"].principal,
        assembly.number,
        invitee="FR",
        subject="Port security",
    )
    ids["meeting_request"] = request.id


def _links(world: World, clients: dict[str, TestClient], ids: dict[str, int]) -> None:
    """A's record and B's of one person, B's restricted away from A, both circulated, linked
    by the incremental linker; and a full run the General Secretariat started."""
    anna = {**PERSON, "names": [{"full_name": "Anna Kowalczyk"}], "sex": "female"}
    anna |= {"birth_date": "1979-06-06", "nationalities": ["PL"]}
    mine = _created(clients[OWNER].post("/api/v1/records/person", json={"data": anna}))["id"]
    theirs = clients[OTHER].post(
        "/api/v1/records/person",
        json={"data": anna, "restrictions": {"visibility": "except", "countries": ["MA"]}},
    )
    theirs_id = _created(theirs)["id"]
    circulate(clients[OWNER], mine)
    circulate(clients[OTHER], theirs_id)
    services = world.app.state.interlink.services
    services.screener.engine.refresh()
    while services.linker.step():
        pass
    with world.db.session() as session:
        ids["link"] = session.scalars(
            select(Link.id).where(Link.left_id == min(mine, theirs_id))
        ).one()
        run = linking.start_run(session, world.principal(world.user("GS", Role.ANALYST)))
        ids["run"] = run.id
    linking.full_run(world.db, ids["run"])


def _normalised(response: Any, *ids: int) -> tuple[int, str, str]:
    """Status, content type and body with the asked-for ids written the same way."""
    pattern = "|".join(str(i) for i in ids)
    text = re.sub(rf"\b(?:{pattern})\b", "ID", response.text)
    return response.status_code, response.headers.get("content-type", ""), text


def _url(path: str, route: Route, ids: dict[str, int], missing: bool) -> tuple[str, int]:
    """The path with real ids, or with the first parameter missing; and the id it asked."""
    url = path
    first = next(iter(route.params))
    asked = 0
    for param, kind in route.params.items():
        value = MISSING if missing and param == first else ids[kind]
        if param == first:
            asked = ids[kind]
        url = url.replace("{" + param + "}", str(value))
    return url, asked


def _body(route: Route, ids: dict[str, int]) -> dict | None:
    """The route's body with each "$kind" value replaced by that object's id."""
    if route.body is None:
        return None
    return {
        key: ids[value[1:]] if isinstance(value, str) and value.startswith("$") else value
        for key, value in route.body.items()
    }


def check_route(
    fixture: Fixture, method: str, path: str, route: Route, callers: tuple[str, ...]
) -> list[str]:
    """Call one route as the given callers; returns what broke the rule."""
    problems: list[str] = []
    body = _body(route, fixture.ids)
    kwargs = {} if body is None else {"json": body}
    real_url, asked = _url(path, route, fixture.ids, missing=False)
    missing_url, _ = _url(path, route, fixture.ids, missing=True)
    for caller in callers:
        client = fixture.clients[caller]
        absent = client.request(method, missing_url, **kwargs)
        real = client.request(method, real_url, **kwargs)
        label = f"{method} {real_url} as {caller}: {real.status_code}"
        if real.status_code >= 500 or absent.status_code >= 500:
            problems.append(f"{label} / missing {absent.status_code} (server error)")
        elif caller in route.seers:
            if _normalised(real, asked, MISSING) == _normalised(absent, asked, MISSING):
                problems.append(f"{label}: a seer is answered as for a missing id")
        elif _normalised(real, asked, MISSING) != _normalised(absent, asked, MISSING):
            problems.append(
                f"{label} {real.text[:160]} differs from missing "
                f"{absent.status_code} {absent.text[:160]}"
            )
    return problems


def test_every_caller_gets_the_documented_answer(world: World, every_object: Fixture) -> None:
    objects = every_object
    problems: list[str] = []
    ordered = sorted(MATRIX.items(), key=lambda item: item[1].final)
    # Nobody first, then those who may not see (they change nothing), then the seers.
    for (method, path), route in ordered:
        url, _ = _url(path, route, objects.ids, missing=False)
        answer = objects.clients[NOBODY].request(method, url, json=_body(route, objects.ids))
        if answer.status_code != 401:
            problems.append(f"{method} {url} unauthenticated: {answer.status_code}")
    for (method, path), route in ordered:
        others = tuple(c for c in CALLERS if c not in route.seers)
        problems += check_route(objects, method, path, route, others)
    for (method, path), route in ordered:
        seers = tuple(c for c in CALLERS if c in route.seers)
        problems += check_route(objects, method, path, route, seers)
    assert not problems, f"{len(problems)} broken:\n" + "\n".join(problems)


def test_the_restricted_record_is_hidden_from_the_excluded_bureau(objects: Fixture) -> None:
    routes = {k: v for k, v in MATRIX.items() if v.params == REC and k[0] == "GET"}
    assert routes
    problems: list[str] = []
    restricted = Route(RESTRICTED, seers=frozenset({OWNER}))
    for method, path in routes:
        problems += check_route(objects, method, path, restricted, (OTHER, OWNER))
    assert not problems, "\n".join(problems)


def _id_routes(world: World) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in world.app.openapi()["paths"].items()
        if path.startswith("/api/") and "{" in path
        for method in operations
    }


def test_every_id_route_is_in_the_matrix(world: World) -> None:
    routes = _id_routes(world)
    missing = routes - set(MATRIX) - set(OUTSIDE)
    listed = "\n".join(f"{method} {path}" for method, path in sorted(missing))
    assert not missing, f"routes with an id but no matrix entry:\n{listed}"
    assert not (set(MATRIX) | set(OUTSIDE)) - routes, "entries for routes that are gone"


def test_a_leak_is_caught(objects: Fixture) -> None:
    """Bureau B may see the record once it is circulated to DE: declared a non-seer, the
    comparison with a missing id must fail."""
    circulate(objects.clients[OWNER], objects.ids["record"])
    route = Route(REC, seers=frozenset({OWNER}))
    problems = check_route(objects, "GET", "/api/v1/records/{record_id}", route, (OTHER,))
    assert problems and "differs from missing" in problems[0], problems
