"""Demo content for the blocklist: synthetic domains under reserved names (.example, .test,
.invalid; never a real website) in every state, two published versions, an open appeal, and
the NetSafe provider's feed token with two syncs in its request log.

Importing this module (`interlink.demo.load_seeders` does) registers the seeder.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from interlink.blocklist import service
from interlink.blocklist.client import BlocklistClient
from interlink.blocklist.feed import ClientState, FullHashes, Update
from interlink.blocklist.versions import FeedCache
from interlink.core.auth import Perm, Principal
from interlink.demo import DemoContext
from interlink.members import service as members
from interlink.members.identity import authenticate_token, principal_for_user
from interlink.members.models import User

TOKEN_FILE = "blocklist-netsafe-token.txt"
PROVIDER = "PARTNER-NETSAFE"
RULES = service.BlocklistRules()


class ServiceFeedSource:
    """A provider client's `FeedSource` calling the service in process (no HTTP)."""

    def __init__(self, session: Session, principal: Principal, cache: FeedCache) -> None:
        self._session, self._principal, self._cache = session, principal, cache

    def fetch_update(self, state: ClientState) -> Update:
        return service.feed_update(self._session, self._principal, self._cache, state.version)

    def fetch_full_hashes(self, prefixes: Sequence[bytes]) -> FullHashes:
        return service.feed_full_hashes(
            self._session, self._principal, RULES, self._cache, prefixes
        )


def _attestation(reference: str) -> service.Attestation:
    return service.Attestation(True, True, True, reference, "checked by hand (demo)")


def _confirmed(
    session: Session, submitter: Principal, confirmer: Principal, name: str, case: int
) -> int:
    domain = service.submit(session, submitter, RULES, name, _attestation(f"MA-CYB-{case}"))
    service.confirm(session, confirmer, RULES, domain.id, _attestation(f"FR-OCRVP-{case}"))
    return domain.id


def seed_blocklist(ctx: DemoContext) -> None:
    with ctx.db.session() as session:
        rabat, paris, gs = (
            principal_for_user(session.get_one(User, ctx.user_ids[username]))
            for username in ("rabat.supervisor", "paris.supervisor", "gs.admin")
        )
        gallery = _confirmed(session, rabat, paris, "abuse-gallery.example", 101)
        archive = _confirmed(session, paris, rabat, "dark-archive.test", 102)
        _confirmed(session, rabat, paris, "cdn.shared-mirror.example", 103)
        service.publish(session, gs, RULES)

        provider, token = _provider(session, gs)
        client = BlocklistClient(ServiceFeedSource(session, provider, FeedCache()))
        client.sync()  # full: the provider's first download

        _confirmed(session, paris, rabat, "mirror-three.test", 104)
        service.record_review(
            session,
            gs,
            RULES,
            archive,
            material_present=False,
            note="site now returns an empty parking page (demo)",
        )
        service.publish(session, gs, RULES)
        client.sync()  # partial: one domain in, one out
        client.check_url("http://www.abuse-gallery.example/any/page")  # asks for full hashes

        service.submit(session, paris, RULES, "pending-check.example", _attestation("FR-105"))
        _confirmed(session, rabat, paris, "new-find.test", 106)  # awaits the next publication
        mistaken = service.submit(
            session, rabat, RULES, "mistaken-entry.invalid", _attestation("MA-CYB-107")
        )
        service.reject(
            session, gs, mistaken.id, "drawings, not real children: criteria not met (demo)"
        )
        service.record_appeal(
            session,
            gs,
            gallery,
            appellant="Example Hosting Ltd (demo)",
            contact="abuse@hosting.example",
            grounds="We removed the reported folders last week.",
        )
    _write_token(ctx, token)


def _provider(session: Session, gs: Principal) -> tuple[Principal, str]:
    """NetSafe's feed token, created by the GS administrator as through /admin/tokens."""
    _, issued = members.create_token(
        session,
        gs,
        org_id=members.org_by_code(session, PROVIDER).id,
        name="NetSafe resolver (demo)",
        permissions=[Perm.BLOCKLIST_FEED],
        days=365,
    )
    return authenticate_token(session, issued.plaintext), issued.plaintext


def _write_token(ctx: DemoContext, token: str) -> None:
    """The token is shown once: the demo keeps it in its own folder for the provider CLI."""
    database = ctx.db.engine.url.database
    if ctx.db.dialect != "sqlite" or not database:
        return
    path = Path(database).parent / TOKEN_FILE
    path.write_text(token + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
