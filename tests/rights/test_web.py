"""The public form (CSRF, documents checked by their bytes, rate limit, input kept after an
error), the JSON API of the commission and the bureaus, statistics pages and the CLI."""

from __future__ import annotations

import base64
import json
import re

from sqlalchemy import select
from typer.testing import CliRunner

from interlink.cli import app as cli_app
from interlink.core.auth import Role
from interlink.rights import service
from interlink.rights.models import Case, CaseDocument
from tests.rights.conftest import PDF, PNG, Rights

FORM = {
    "kind": "deletion",
    "names": "Karim Benali\nكريم بنعلي",
    "birth_date": "1984-05-17",
    "nationality": "MA",
    "statement": "This record is about my political activity.",
    "lawyer_name": "Maître Salma Idrissi",
}


def _token(client, path: str = "/rights/request") -> str:
    page = client.get(path)
    assert page.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_public_form_files_with_documents_encrypted_at_rest(rights: Rights) -> None:
    client = rights.world.client()
    token = _token(client)
    response = client.post(
        "/rights/request",
        data={**FORM, "csrf_token": token},
        files=[
            ("documents", ("passport.pdf", PDF, "application/pdf")),
            ("documents", ("photo.png", PNG, "image/png")),
        ],
    )
    assert response.status_code == 200, response.text
    code = re.search(r'data-testid="code">([^<]+)<', response.text).group(1)
    secret = re.search(r'data-testid="secret">([^<]+)<', response.text).group(1)
    with rights.db.session() as session:
        case = session.scalars(select(Case).where(Case.code == code)).one()
        assert case.names == ["Karim Benali", "كريم بنعلي"]
        assert case.lawyer_name == "Maître Salma Idrissi"
        documents = session.scalars(select(CaseDocument)).all()
        assert [d.filename for d in documents] == ["passport.pdf", "photo.png"]
        assert all(PDF not in d.ciphertext for d in documents)
        assert service.document_content(rights.keys, documents[0]) == PDF
    status = client.post("/api/v1/public/rights/status", json={"code": code, "secret": secret})
    assert [d["filename"] for d in status.json()["documents"]] == ["passport.pdf", "photo.png"]
    download = client.post(
        f"/api/v1/public/rights/status/documents/{documents[0].id}",
        json={"code": code, "secret": secret},
    )
    assert download.content == PDF
    # The form's answer was a redirect: a reload files nothing twice and shows no secret.
    assert response.history[0].status_code == 303
    again = client.get("/rights/filed")
    assert again.status_code == 200 and secret not in again.text and code not in again.text
    with rights.db.session() as session:
        assert len(session.scalars(select(Case)).all()) == 1


def test_form_refuses_bad_input_and_keeps_what_was_typed(rights: Rights) -> None:
    client = rights.world.client()
    token = _token(client)
    # an executable named like a PDF
    response = client.post(
        "/rights/request",
        data={**FORM, "csrf_token": token},
        files=[("documents", ("passport.pdf", b"MZ\x90\x00 executable", "application/pdf"))],
    )
    assert response.status_code == 422
    assert 'data-testid="error-summary"' in response.text
    assert "the content is not application/pdf" in response.text
    assert "Maître Salma Idrissi" in response.text and "كريم بنعلي" in response.text
    response = client.post(
        "/rights/request",
        data={**FORM, "csrf_token": token},
        files=[("documents", ("notes.txt", b"plain text", "text/plain"))],
    )
    assert response.status_code == 422 and "PDF, JPEG or PNG" in response.text
    response = client.post(
        "/rights/request", data={**FORM, "birth_date": "1984-13-40", "csrf_token": token}
    )
    assert response.status_code == 422 and "no such date" in response.text
    response = client.post("/rights/request", data={**FORM, "names": "  ", "csrf_token": token})
    assert response.status_code == 422
    with rights.db.session() as session:
        assert session.scalars(select(Case)).all() == []


def test_form_needs_its_csrf_token(rights: Rights) -> None:
    client = rights.world.client()
    _token(client)
    response = client.post("/rights/request", data={**FORM, "csrf_token": "forged"})
    assert response.status_code == 403 and "expired" in response.text
    stranger = rights.world.client()
    response = stranger.post("/rights/request", data=FORM)
    assert response.status_code == 403
    with rights.db.session() as session:
        assert session.scalars(select(Case)).all() == []


def test_public_filing_is_rate_limited_per_address(rights: Rights) -> None:
    client = rights.world.client()
    body = {"kind": "access", "names": ["Karim Benali"]}
    for _ in range(rights.policy.requests_per_hour):
        assert client.post("/api/v1/public/rights/requests", json=body).status_code == 201
    refused = client.post("/api/v1/public/rights/requests", json=body)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"


def test_api_document_checked_by_magic_bytes(rights: Rights) -> None:
    client = rights.world.client()
    fake = base64.b64encode(b"<html>not a png</html>").decode()
    response = client.post(
        "/api/v1/public/rights/requests",
        json={
            "kind": "access",
            "names": ["Karim Benali"],
            "documents": [
                {"filename": "x.png", "content_type": "image/png", "content_base64": fake}
            ],
        },
    )
    assert response.status_code == 422 and "not image/png" in response.json()["detail"]


def test_casework_over_the_api(rights: Rights) -> None:
    world = rights.world
    rights.person(rights.ma)
    filed = (
        world.client()
        .post(
            "/api/v1/public/rights/requests",
            json={"kind": "deletion", "names": ["Karim Benali"], "birth_date": "1984-05-17"},
        )
        .json()
    )
    commission = world.api_as(world.user("CCF", Role.OVERSIGHT))
    bureau = world.api_as(world.user("NCB-MA", Role.SUPERVISOR))
    officer = world.api_as(world.user("NCB-FR", Role.OFFICER))
    [case] = commission.get("/api/v1/rights/cases").json()["items"]
    assert officer.get(f"/api/v1/rights/cases/{case['id']}").status_code == 403
    assert bureau.get("/api/v1/rights/cases").status_code == 403
    admitted = commission.post(
        f"/api/v1/rights/cases/{case['id']}/admissibility",
        json={"admissible": True, "reason": "within our remit"},
    )
    assert admitted.json()["decision_due"] is not None
    bad = commission.post(
        f"/api/v1/rights/cases/{case['id']}/extensions",
        json={"clock": "decision", "months": 1, "reason": "x"},
    )
    assert bad.status_code == 422
    [holding] = commission.post(f"/api/v1/rights/cases/{case['id']}/holdings").json()
    assert holding["target"] == "record" and holding["score"] >= 0.7
    consultation = commission.post(
        f"/api/v1/rights/cases/{case['id']}/consultations",
        json={"org_code": "NCB-MA", "question": "What is the legal basis of this record?"},
    ).json()
    assert (
        officer.post(
            f"/api/v1/rights/consultations/{consultation['id']}/answer", json={"answer": "nothing"}
        ).status_code
        == 403
    )
    answered = bureau.post(
        f"/api/v1/rights/consultations/{consultation['id']}/answer",
        json={"answer": "A warrant of 2025."},
    )
    assert answered.status_code == 200 and answered.json()["answer"] == "A warrant of 2025."
    measure = commission.post(
        f"/api/v1/rights/cases/{case['id']}/measures",
        json={
            "action": "block",
            "target": "record",
            "target_id": holding["target_id"],
            "reason_category": "pending_examination",
        },
    )
    assert measure.status_code == 201
    decision = commission.post(
        f"/api/v1/rights/cases/{case['id']}/decision",
        json={
            "outcome": "non_compliant",
            "reasoning": "The record is of a political character.",
            "confidential": "Source: a partner service.",
            "orders": [{"action": "delete", "target": "record", "target_id": holding["target_id"]}],
        },
    )
    assert decision.status_code == 201, decision.text
    [copy] = bureau.get("/api/v1/rights/copies").json()
    receipt = bureau.post(f"/api/v1/rights/copies/{copy['id']}/acknowledge").json()
    assert receipt["signature_base64"] and receipt["signing_key_id"]
    copies = commission.get(f"/api/v1/rights/cases/{case['id']}/decision/copies").json()
    assert copies == [
        {
            "org_code": "NCB-MA",
            "org_name": "NCB Morocco",
            "sources": ["owner"],
            "acknowledged_at": copies[0]["acknowledged_at"],
            "receipt_valid": True,
        }
    ]
    status = (
        world.client()
        .post(
            "/api/v1/public/rights/status", json={"code": filed["code"], "secret": filed["secret"]}
        )
        .json()
    )
    assert status["decision"]["reasoning"] == "The record is of a political character."
    assert "partner service" not in json.dumps(status)
    assert status["measures"][0]["reason_category"] == "pending_examination"


def test_statistics_page_csv_and_cli(rights: Rights) -> None:
    rights.file("access")
    rights.file("deletion")
    client = rights.world.client()
    page = client.get("/rights/statistics")
    assert page.status_code == 200 and 'data-testid="statistics"' in page.text
    csv_text = client.get("/rights/statistics.csv").text.splitlines()
    assert csv_text[0].startswith("year,received,access,correction,deletion")
    assert csv_text[1].startswith("2026,2,1,0,1")
    env = {
        "INTERLINK_DATABASE_URL": rights.db.url,
        "INTERLINK_DATA_DIR": str(rights.world.settings.data_dir),
    }
    result = CliRunner().invoke(
        cli_app, ["rights", "statistics", "--json", "--from-audit"], env=env
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["received"] == 2
    table = CliRunner().invoke(cli_app, ["rights", "statistics"], env=env).stdout
    lines = [line.split() for line in table.splitlines()]
    assert ["┃", "measure", "┃", "2026", "┃"] in lines  # a measure per line, a year per column
    assert ["│", "received", "│", "2", "│"] in lines and ["│", "deletion", "│", "1", "│"] in lines
    result = CliRunner().invoke(
        cli_app,
        ["rights", "extend", "999", "--clock", "decision", "--reason", "a long enough reason here"],
        env=env,
    )
    assert result.exit_code == 4 and "no case 999" in result.output


def test_commission_and_bureau_pages(rights: Rights) -> None:
    world = rights.world
    rights.person(rights.ma)
    case_id = rights.file("deletion").case.id
    commission = world.browser_login(world.user("CCF", Role.OVERSIGHT, mfa=True))
    page = commission.get("/rights/cases")
    assert page.status_code == 200 and "admissibility 2026-02-28" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    act = f"/rights/cases/{case_id}/act"
    for form in (
        {"action": "admissibility", "admissible": "yes", "reason": "in our remit"},
        {"action": "search"},
        {
            "action": "consult",
            "org_code": "NCB-MA",
            "question": "What is the basis of this record?",
        },
    ):
        response = commission.post(act, data={**form, "csrf_token": csrf}, follow_redirects=False)
        assert response.status_code == 303, response.text
    refused = commission.post(
        act,
        data={
            "action": "extend",
            "clock": "decision",
            "months": "1",
            "reason": "x",
            "csrf_token": csrf,
        },
    )
    assert refused.status_code == 422 and "needs a reason" in refused.text
    forged = commission.post(act, data={"action": "search", "csrf_token": "forged"})
    assert forged.status_code == 403
    detail = commission.get(f"/rights/cases/{case_id}")
    assert "Karim Benali" in detail.text and "NCB-MA" in detail.text
    bureau = world.browser_login(world.user("NCB-MA", Role.SUPERVISOR))
    page = bureau.get("/rights/consultations")
    assert "What is the basis of this record?" in page.text
    consultation_id = re.search(r"/rights/consultations/(\d+)/answer", page.text).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answered = bureau.post(
        f"/rights/consultations/{consultation_id}/answer",
        data={"answer": "A warrant of 2025.", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert answered.status_code == 303


def test_the_timeline_reads_in_the_applicants_language(rights: Rights) -> None:
    """Timeline entries are stored in English (with their messages) and read in the
    language of the one who asks."""
    from interlink.rights.models import CaseEvent

    client = rights.world.client()
    token = _token(client)
    response = client.post("/rights/request", data={**FORM, "csrf_token": token})
    code = re.search(r'data-testid="code">([^<]+)<', response.text).group(1)
    secret = re.search(r'data-testid="secret">([^<]+)<', response.text).group(1)
    with rights.db.session() as session:
        stored = session.scalars(select(CaseEvent)).one()
        assert stored.text == "Request received from the applicant's lawyer, Maître Salma Idrissi."
    status = client.post(
        "/api/v1/public/rights/status",
        json={"code": code, "secret": secret},
        headers={"Accept-Language": "es"},
    )
    assert [e["text"] for e in status.json()["events"]] == [
        "Solicitud recibida del abogado del solicitante, Maître Salma Idrissi."
    ]
