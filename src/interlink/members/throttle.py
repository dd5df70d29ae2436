"""Login throttling: slow a guesser down without letting anyone lock an owner out.

Three counters of failed logins (password or second factor), each with exponential back-off
once its free attempts are spent (docs/security.md, "Login throttling"):
- per account and address: the owner mistyping, or one machine guessing one account;
- per address, over every account: one machine spraying many accounts;
- per account, over every address (soft): a botnet guessing one account. It holds back only
  addresses that never logged in to that account: the owner's usual address still gets in.
No failure locks an account or ends its sessions. A throttled attempt is answered exactly as
a wrong password, and its password is not checked (a guess during back-off teaches nothing).
Usernames are counted whether or not they exist, so throttling reveals no account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from interlink.core.db import utcnow
from interlink.members.models import LoginThrottle

PAIR, ADDRESS, ACCOUNT, KNOWN = "pair", "address", "account", "known"
# An address that logged in to an account within this time is exempt from its account limit.
KNOWN_FOR = timedelta(days=90)
NO_ADDRESS = "-"
# The first back-off: long enough to slow a guesser to a crawl, short enough for an owner
# who mistyped; each further failure doubles it (30 s, 1 min, 2 min ... up to the cap).
FIRST_DELAY = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    # Failures at which back-off starts: per account and address, per address over every
    # account, per account over every address (soft).
    pair_free: int
    address_free: int
    account_free: int
    max_delay: timedelta  # the longest back-off

    @classmethod
    def from_settings(cls, settings: Any) -> ThrottlePolicy:
        return cls(
            settings.max_failed_logins,
            settings.login_address_free_failures,
            settings.login_account_free_failures,
            timedelta(minutes=settings.lockout_minutes),
        )

    def free(self, kind: str) -> int:
        return {PAIR: self.pair_free, ADDRESS: self.address_free, ACCOUNT: self.account_free}[kind]

    def delay(self, kind: str, failures: int) -> timedelta | None:
        """None below the counter's limit; from it on, FIRST_DELAY doubling with each
        further failure, up to the cap."""
        over = failures - self.free(kind)
        if over < 0:
            return None
        delay: timedelta = FIRST_DELAY * 2 ** min(over, 20)
        return min(self.max_delay, delay)


def _subjects(username: str, addr: str | None) -> dict[str, str]:
    addr = addr or NO_ADDRESS
    return {PAIR: f"{username}\n{addr}", ADDRESS: addr, ACCOUNT: username}


def _known(session: Session, username: str, addr: str | None, now: datetime) -> bool:
    row = session.get(LoginThrottle, (KNOWN, f"{username}\n{addr or NO_ADDRESS}"))
    return row is not None and now - row.last_at < KNOWN_FOR


def is_throttled(
    session: Session, username: str, addr: str | None, now: datetime | None = None
) -> bool:
    now = now or utcnow()
    subjects = _subjects(username, addr)
    rows = session.scalars(
        select(LoginThrottle).where(
            or_(
                *(
                    (LoginThrottle.kind == kind) & (LoginThrottle.subject == subject)
                    for kind, subject in subjects.items()
                )
            )
        )
    ).all()
    for row in rows:
        if row.blocked_until is None or row.blocked_until <= now:
            continue
        if row.kind == ACCOUNT and _known(session, username, addr, now):
            continue  # the soft limit: the owner's own address is not held back
        return True
    return False


def _upsert_failure(
    session: Session, kind: str, subject: str, username: str | None, now: datetime
) -> int:
    """Add one failure to a counter (created on first use); returns the new count."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = insert(LoginThrottle).values(
        kind=kind, subject=subject, username=username, failures=1, last_at=now
    )
    upsert = values.on_conflict_do_update(
        index_elements=[LoginThrottle.kind, LoginThrottle.subject],
        set_={"failures": LoginThrottle.failures + 1, "last_at": now},
    ).returning(LoginThrottle.failures)
    return int(session.execute(upsert).scalar_one())


def record_failure(
    session: Session,
    policy: ThrottlePolicy,
    username: str,
    addr: str | None,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    for kind, subject in _subjects(username, addr).items():
        failures = _upsert_failure(
            session, kind, subject, None if kind == ADDRESS else username, now
        )
        delay = policy.delay(kind, failures)
        if delay is not None:
            session.execute(
                update(LoginThrottle)
                .where(
                    LoginThrottle.kind == kind,
                    LoginThrottle.subject == subject,
                )
                .values(blocked_until=now + delay)
            )
    session.expire_all()


def record_success(
    session: Session, username: str, addr: str | None, now: datetime | None = None
) -> None:
    """The owner got in: forget the failures of this account (not of the address, which a
    sprayer could reset with an account of its own), and remember the address."""
    now = now or utcnow()
    subjects = _subjects(username, addr)
    session.execute(
        delete(LoginThrottle).where(
            or_(
                (LoginThrottle.kind == PAIR) & (LoginThrottle.subject == subjects[PAIR]),
                (LoginThrottle.kind == ACCOUNT) & (LoginThrottle.subject == username),
            )
        )
    )
    known = session.get(LoginThrottle, (KNOWN, subjects[PAIR]))
    if known is None:
        session.add(
            LoginThrottle(
                kind=KNOWN, subject=subjects[PAIR], username=username, failures=0, last_at=now
            )
        )
    else:
        known.last_at = now


@dataclass(frozen=True, slots=True)
class Lockout:
    kind: str  # pair, account or address
    username: str | None
    address: str | None
    failures: int
    blocked_until: datetime | None
    last_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "username": self.username,
            "address": self.address,
            "failures": self.failures,
            "blocked_until": self.blocked_until,
            "last_at": self.last_at,
        }


def _lockout(row: LoginThrottle) -> Lockout:
    address = (
        row.subject.partition("\n")[2]
        if row.kind == PAIR
        else (row.subject if row.kind == ADDRESS else None)
    )
    return Lockout(row.kind, row.username, address, row.failures, row.blocked_until, row.last_at)


def lockouts(
    session: Session, *, usernames: Sequence[str] | None, with_addresses: bool
) -> list[Lockout]:
    """Counters with failures, newest first: of `usernames` (None: all), and per-address
    counters if `with_addresses`."""
    wanted = [LoginThrottle.kind.in_([PAIR, ACCOUNT])]
    if usernames is not None:
        wanted.append(LoginThrottle.username.in_(list(usernames)))
    clause = wanted[0] & wanted[1] if len(wanted) == 2 else wanted[0]
    if with_addresses:
        clause = clause | (LoginThrottle.kind == ADDRESS)
    rows = session.scalars(
        select(LoginThrottle)
        .where(clause, LoginThrottle.failures > 0)
        .order_by(LoginThrottle.last_at.desc())
        .limit(500)
    )
    return [_lockout(row) for row in rows]


def clear_account(session: Session, username: str) -> int:
    result = session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.kind.in_([PAIR, ACCOUNT]), LoginThrottle.username == username
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def clear_address(session: Session, addr: str) -> int:
    result = session.execute(
        delete(LoginThrottle).where(LoginThrottle.kind == ADDRESS, LoginThrottle.subject == addr)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
