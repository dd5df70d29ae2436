"""Test helpers: build users, tokens and clients against a real app and database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

import pyotp
from fastapi.testclient import TestClient

from interlink.app import create_app
from interlink.config import Settings
from interlink.core.auth import OrgKind, Perm, Principal, Role, hash_password, issue_token
from interlink.core.db import Database
from interlink.members import service as members
from interlink.members.identity import principal_for_user
from interlink.members.models import ApiToken, Organisation, User

PASSWORD = "Correct-Horse-42"
# A travel document reported stolen by Morocco's bureau: what a hit at a border is made of.
STOLEN_PASSPORT = {
    "issuing_country": "MA",
    "document_type": "passport",
    "number": "AB1234567",
    "status": "stolen",
    "reported_on": "2026-03-01",
}
# The members a test diffusion goes to: enough for every test's "other member".
CIRCULATION = ("FR", "DE", "ES", "GB", "US", "JP", "BR", "NG", "IN", "IT", "MA", "EG")
_HASH_CACHE: dict[str, str] = {}


def password_hash() -> str:
    # argon2 is slow on purpose; tests share one hash of the common password.
    if PASSWORD not in _HASH_CACHE:
        _HASH_CACHE[PASSWORD] = hash_password(PASSWORD)
    return _HASH_CACHE[PASSWORD]


def circulate(
    client: TestClient, record_id: int, to: tuple[str, ...] = CIRCULATION, notice_type: str = "blue"
) -> dict:
    """Circulate a person under a diffusion from its bureau (the legal basis on which other
    members may see and screen it); returns the diffusion."""
    created = client.post(
        "/api/v1/notices",
        json={
            "data": {
                "notice_type": notice_type,
                "kind": "diffusion",
                "facts": "Suspected of organised vehicle theft across borders.",
            },
            "subject_record_id": record_id,
        },
    )
    assert created.status_code == 201, created.text
    sent = client.post(
        f"/api/v1/notices/{created.json()['id']}/circulate", json={"recipients": list(to)}
    )
    assert sent.status_code == 200, sent.text
    return sent.json()


@dataclass
class World:
    db: Database
    settings: Settings
    _counter: int = 0
    clients: list[TestClient] = field(default_factory=list)

    @cached_property
    def app(self):
        return create_app(self.settings, database=self.db)

    def org(self, code: str) -> Organisation:
        with self.db.session() as session:
            return members.org_by_code(session, code)

    def add_org(
        self, code: str, kind: OrgKind, country: str | None = None, parent: str | None = None
    ) -> Organisation:
        with self.db.session() as session:
            parent_id = members.org_by_code(session, parent).id if parent else None
            org = Organisation(
                code=code, kind=kind.value, name=code, country=country, parent_id=parent_id
            )
            session.add(org)
            session.flush()
            return org

    def user(
        self, org_code: str, *roles: Role, username: str | None = None, mfa: bool = False
    ) -> User:
        self._counter += 1
        with self.db.session() as session:
            org = members.org_by_code(session, org_code)
            user = User(
                username=username or f"u{self._counter}.{org_code.lower()}",
                display_name=f"Test {self._counter}",
                org_id=org.id,
                roles=[r.value for r in roles],
                password_hash=password_hash(),
                totp_secret=pyotp.random_base32() if mfa else None,
            )
            session.add(user)
            session.flush()
            session.refresh(user)
            return user

    def principal(self, user: User) -> Principal:
        with self.db.session() as session:
            return principal_for_user(session.get(User, user.id))

    def token(self, org_code: str, *perms: Perm, days: int = 30) -> str:
        with self.db.session() as session:
            org = members.org_by_code(session, org_code)
            gs = members.org_by_code(session, members.GS_CODE)
            admin = Principal(
                label="test-admin",
                org_id=gs.id,
                org_kind=OrgKind.GENERAL_SECRETARIAT,
                country=None,
                permissions=frozenset(Perm),
            )
            _, issued = members.create_token(
                session, admin, org_id=org.id, name="test", permissions=list(perms), days=days
            )
            return issued.plaintext

    def client(self) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=False)
        self.clients.append(client)
        return client

    def api(self, token: str) -> TestClient:
        client = self.client()
        client.headers["Authorization"] = f"Bearer {token}"
        return client

    def api_as(self, user: User) -> TestClient:
        """An API client acting with the user's organisation and permissions (via a token)."""
        principal = self.principal(user)
        issued = issue_token()
        with self.db.session() as session:
            session.add(
                ApiToken(
                    public_id=issued.public_id,
                    secret_hash=issued.secret_hash,
                    name=f"as-{user.username}",
                    org_id=user.org_id,
                    permissions=sorted(p.value for p in principal.permissions),
                    expires_at=datetime.now(UTC) + timedelta(days=30),
                )
            )
        return self.api(issued.plaintext)

    def circulate(
        self,
        client: TestClient,
        record_id: int,
        to: tuple[str, ...] = CIRCULATION,
        notice_type: str = "blue",
    ) -> dict:
        return circulate(client, record_id, to, notice_type)

    def browser_login(self, user: User) -> TestClient:
        """A cookie session obtained through the real login form (TOTP too if needed)."""
        client = self.client()
        page = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = client.post(
            "/login",
            data={"username": user.username, "password": PASSWORD, "csrf_token": csrf},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        if response.headers["location"] == "/login/totp":
            page = client.get("/login/totp")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            code = pyotp.TOTP(user.totp_secret).now()
            response = client.post(
                "/login/totp", data={"code": code, "csrf_token": csrf}, follow_redirects=False
            )
            assert response.status_code == 303, response.text
        return client


def csrf_of(client: TestClient, path: str = "/") -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)
