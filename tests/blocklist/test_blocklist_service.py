"""Blocklist rules on storage (SQLite and PostgreSQL): confirmation counting, who may do what,
confidentiality, review and delisting, appeals, versions, and the provider log."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from interlink.blocklist import service
from interlink.blocklist.feed import UpdateKind, domain_full_hash
from interlink.blocklist.models import (
    BlocklistDomain,
    DomainState,
    FeedRequest,
    ListVersion,
    VersionMembership,
)
from interlink.blocklist.service import BlocklistRules
from interlink.blocklist.versions import FeedCache
from interlink.core.audit import AuditEntry
from interlink.core.auth import Perm, Principal, Role
from interlink.core.db import utcnow
from interlink.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.blocklist.conftest import RULES, Cast, attestation


def state_of(session: Session, domain_id: int) -> str:
    return session.get(BlocklistDomain, domain_id).state


def test_one_confirmation_is_not_published_two_are(cast: Cast) -> None:
    with cast.session() as session:
        domain = service.submit(session, cast.rabat, RULES, "Abuse.Example", attestation())
        assert (domain.domain, domain.state) == ("abuse.example", DomainState.SUBMITTED)
        with pytest.raises(Conflict, match="nothing to publish"):
            service.publish(session, cast.gs, RULES)
    with cast.session() as session:
        service.confirm(session, cast.paris, RULES, domain.id, attestation("FR-7"))
        assert state_of(session, domain.id) == DomainState.CONFIRMED
        version = service.publish(session, cast.gs, RULES)
        assert (version.number, version.domain_count) == (1, 1)
        assert service.version_domains(session, cast.gs, 1) == ["abuse.example"]
        assert state_of(session, domain.id) == DomainState.LISTED


@pytest.mark.parametrize("second", ["rabat", "rabat_colleague"])
def test_the_same_organisation_counts_once(cast: Cast, second: str) -> None:
    with cast.session() as session:
        domain = service.submit(session, cast.rabat, RULES, "abuse.example", attestation())
    with cast.session() as session, pytest.raises(Conflict, match="counts once"):
        service.confirm(session, getattr(cast, second), RULES, domain.id, attestation("MA-2"))
    with cast.session() as session, pytest.raises(Conflict, match="counts once"):
        service.submit(session, getattr(cast, second), RULES, "abuse.example", attestation())
    with cast.session() as session:
        seen = service.domain_view(cast.rabat, RULES, session.get(BlocklistDomain, domain.id))
        assert (seen.confirmations_current, seen.domain.state) == (1, DomainState.SUBMITTED)


def test_a_second_bureau_submitting_the_same_domain_confirms_it(cast: Cast) -> None:
    with cast.session() as session:
        first = service.submit(session, cast.rabat, RULES, "abuse.example", attestation())
        second = service.submit(session, cast.paris, RULES, "ABUSE.example.", attestation())
        assert second.id == first.id and second.state == DomainState.CONFIRMED


def test_an_agency_counts_as_its_own_organisation(cast: Cast) -> None:
    with cast.session() as session:
        domain = service.submit(session, cast.rabat, RULES, "abuse.example", attestation())
        service.confirm(session, cast.rabat_agency, RULES, domain.id, attestation("AG-1"))
        assert domain.state == DomainState.CONFIRMED


def test_the_minimum_is_configurable(cast: Cast) -> None:
    three = BlocklistRules(min_confirmations=3)
    with cast.session() as session:
        domain = service.submit(session, cast.rabat, three, "abuse.example", attestation())
        service.confirm(session, cast.paris, three, domain.id, attestation())
        assert domain.state == DomainState.SUBMITTED
        service.confirm(session, cast.brasilia, three, domain.id, attestation())
        assert domain.state == DomainState.CONFIRMED


@pytest.mark.parametrize(
    "domain,fields,message",
    [
        ("abuse.example", {"under_13": False}, "all three criteria"),
        ("abuse.example", {"real_children": False}, "all three criteria"),
        ("abuse.example", {"severe_abuse": False}, "all three criteria"),
        ("abuse.example", {"evidence_ref": "  "}, "reference of the police file"),
        ("abuse.example", {"evidence_ref": "https://abuse.example/p/1.jpg"}, "never a link"),
        ("abuse.example", {"evidence_ref": "www.abuse.example"}, "never a link"),
        ("abuse.example", {"notes": "x" * 2001}, "at most 2000"),
        ("http://abuse.example/path", {}, "not a bare domain"),
        ("example", {}, "not a DNS name"),
        ("a.b.c.d.abuse.example", {}, "more than 5 labels"),
    ],
)
def test_submissions_that_break_the_rules_are_refused(
    cast: Cast, domain: str, fields: dict, message: str
) -> None:
    with cast.session() as session, pytest.raises(InvalidInput, match=message):
        service.submit(session, cast.rabat, RULES, domain, attestation(**fields))
    with cast.session() as session:
        assert session.scalars(select(BlocklistDomain)).first() is None


# Each action gets a listed domain, a submitted one, and one confirmed since the last version.
Ids = dict[str, int]
GS_ONLY: dict[str, Callable[[Session, Principal, Ids], object]] = {
    "publish": lambda s, p, ids: service.publish(s, p, RULES),
    "reject": lambda s, p, ids: service.reject(s, p, ids["submitted"], "no"),
    "delist": lambda s, p, ids: service.delist(s, p, ids["listed"], "gone"),
    "review": lambda s, p, ids: service.record_review(
        s, p, RULES, ids["listed"], material_present=True, note=""
    ),
    "reviews due": lambda s, p, ids: service.reviews_due(s, p),
    "record appeal": lambda s, p, ids: service.record_appeal(
        s, p, ids["listed"], appellant="a", contact="c", grounds="g"
    ),
    "appeals": lambda s, p, ids: service.list_appeals(s, p),
    "pending": lambda s, p, ids: service.pending_changes(s, p),
    "versions": lambda s, p, ids: service.list_versions(s, p),
    "version domains": lambda s, p, ids: service.version_domains(s, p, 1),
    "diff": lambda s, p, ids: service.diff_versions(s, p, 1, 1),
    "providers": lambda s, p, ids: service.provider_accounts(s, p),
    "provider log": lambda s, p, ids: service.feed_requests(s, p),
}


@pytest.mark.parametrize("action", sorted(GS_ONLY))
def test_general_secretariat_actions_are_refused_to_bureaus(cast: Cast, action: str) -> None:
    [listed] = cast.listed("listed.example")
    with cast.session() as session:
        ids = {
            "listed": listed,
            "confirmed": cast.confirmed(session, "confirmed.example"),
            "submitted": service.submit(
                session, cast.rabat, RULES, "submitted.example", attestation()
            ).id,
        }
    for bureau in (cast.rabat, cast.paris, cast.officer):
        with cast.session() as session, pytest.raises(Forbidden):
            GS_ONLY[action](session, bureau, ids)
    with cast.session() as session:
        GS_ONLY[action](session, cast.gs, ids)  # the allowed side: no error at all


def test_only_submitters_submit_and_confirm(cast: Cast) -> None:
    with cast.session() as session:
        domain = service.submit(session, cast.rabat, RULES, "abuse.example", attestation())
    for outsider in (cast.gs, cast.officer):
        with cast.session() as session, pytest.raises(Forbidden):
            service.submit(session, outsider, RULES, "other.example", attestation())
        with cast.session() as session, pytest.raises(Forbidden):
            service.confirm(session, outsider, RULES, domain.id, attestation())


def test_the_list_is_seen_only_by_publishers_and_involved_bureaus(cast: Cast) -> None:
    [listed] = cast.listed("abuse.example")
    with cast.session() as session:
        queued = service.submit(session, cast.rabat, RULES, "queued.example", attestation()).id
    with cast.session() as session:

        def names(principal: Principal) -> set[str]:
            return {d.domain for d in service.list_domains(session, principal)}

        assert names(cast.gs) == names(cast.rabat) == {"abuse.example", "queued.example"}
        assert names(cast.paris) == {"abuse.example", "queued.example"}
        # Brasilia may confirm what waits in the queue, never see the list itself.
        assert names(cast.brasilia) == {"queued.example"}
        service.get_domain(session, cast.brasilia, queued)
        with pytest.raises(NotFound):
            service.get_domain(session, cast.brasilia, listed)
        with pytest.raises(NotFound):
            service.confirm(session, cast.brasilia, RULES, listed, attestation())
        provider = cast.provider(session)
        for reader in (provider, cast.officer):
            with pytest.raises(Forbidden):
                service.list_domains(session, reader)
            with pytest.raises(Forbidden):
                service.get_domain(session, reader, listed)


def test_others_evidence_is_shown_only_after_confirming(cast: Cast) -> None:
    with cast.session() as session:
        domain = service.submit(session, cast.rabat, RULES, "abuse.example", attestation())
        assert not service.domain_view(cast.paris, RULES, domain).shows_confirmations
        assert service.domain_view(cast.gs, RULES, domain).shows_confirmations
        service.confirm(session, cast.paris, RULES, domain.id, attestation())
        assert service.domain_view(cast.paris, RULES, domain).shows_confirmations


def test_review_keeps_or_delists_and_the_next_version_drops_it(cast: Cast) -> None:
    kept, gone = cast.listed("kept.example", "gone.example")
    with cast.session() as session:
        later = utcnow() + RULES.review_interval + timedelta(days=1)
        assert {d.id for d in service.reviews_due(session, cast.gs, later)} == {kept, gone}
        service.record_review(session, cast.gs, RULES, kept, material_present=True, note="")
        reviewed = session.get(BlocklistDomain, kept)
        assert reviewed.next_review_at == reviewed.last_reviewed_at + RULES.review_interval
        with pytest.raises(InvalidInput, match="needs a reason"):
            service.record_review(session, cast.gs, RULES, gone, material_present=False, note=" ")
        service.record_review(
            session, cast.gs, RULES, gone, material_present=False, note="404 everywhere"
        )
        domain = session.get(BlocklistDomain, gone)
        assert domain.state == DomainState.DELISTED and "404 everywhere" in domain.closed_reason
        assert service.pending_changes(session, cast.gs).removed == ("gone.example",)
        service.publish(session, cast.gs, RULES)
        assert service.diff_versions(session, cast.gs, 1, 2).removed == ("gone.example",)
        with pytest.raises(Conflict, match="only a listed domain"):
            service.delist(session, cast.gs, gone, "again")


def test_resubmitting_a_delisted_domain_opens_a_new_round(cast: Cast) -> None:
    [domain_id] = cast.listed("back.example")
    with cast.session() as session:
        service.delist(session, cast.gs, domain_id, "material gone")
        service.publish(session, cast.gs, RULES)
        domain = service.submit(session, cast.paris, RULES, "back.example", attestation())
        assert (domain.id, domain.round, domain.state) == (domain_id, 2, DomainState.SUBMITTED)
        service.confirm(session, cast.rabat, RULES, domain_id, attestation())
        assert domain.state == DomainState.CONFIRMED
        assert len(domain.confirmations) == 4  # both rounds kept as history


def test_appeals_are_recorded_and_decided_with_reasons(cast: Cast) -> None:
    upheld_id, dismissed_id = cast.listed("appealed.example", "kept.example")
    with cast.session() as session:
        upheld = service.record_appeal(
            session,
            cast.gs,
            upheld_id,
            appellant="Host Ltd",
            contact="abuse@host.example",
            grounds="removed",
        )
        dismissed = service.record_appeal(
            session,
            cast.gs,
            dismissed_id,
            appellant="Owner",
            contact="owner@x.example",
            grounds="not us",
        )
        with pytest.raises(InvalidInput, match="needs a reason"):
            service.decide_appeal(session, cast.gs, upheld.id, upheld=True, reason="")
        service.decide_appeal(session, cast.gs, upheld.id, upheld=True, reason="verified gone")
        service.decide_appeal(
            session, cast.gs, dismissed.id, upheld=False, reason="still present on 3 pages"
        )
        assert state_of(session, upheld_id) == DomainState.DELISTED
        assert state_of(session, dismissed_id) == DomainState.LISTED
        with pytest.raises(Conflict, match="already decided"):
            service.decide_appeal(session, cast.gs, upheld.id, upheld=False, reason="x")
        with pytest.raises(Conflict, match="listed or confirmed"):
            service.record_appeal(
                session, cast.gs, upheld_id, appellant="a", contact="c", grounds="g"
            )
        assert [a.state for a in service.list_appeals(session, cast.gs, open_only=True)] == []


def test_any_version_and_any_diff_can_be_produced(cast: Cast) -> None:
    a, b = cast.listed("a.example", "b.example")  # version 1: a, b
    with cast.session() as session:
        service.delist(session, cast.gs, a, "gone")
        cast.confirmed(session, "c.example")
        service.publish(session, cast.gs, RULES)  # version 2: b, c
        service.delist(session, cast.gs, b, "gone")
        service.publish(session, cast.gs, RULES)  # version 3: c
        assert [service.version_domains(session, cast.gs, n) for n in (1, 2, 3)] == [
            ["a.example", "b.example"],
            ["b.example", "c.example"],
            ["c.example"],
        ]
        forward = service.diff_versions(session, cast.gs, 1, 3)
        backward = service.diff_versions(session, cast.gs, 3, 1)
        assert (forward.added, forward.removed) == (("c.example",), ("a.example", "b.example"))
        assert (backward.added, backward.removed) == (forward.removed, forward.added)
        with pytest.raises(NotFound):
            service.diff_versions(session, cast.gs, 1, 4)
        # Storage grows with the changes: one row per domain joining, none per version.
        assert session.scalar(select(func.count()).select_from(VersionMembership)) == 3


def test_every_step_is_audited_without_the_domain_name(cast: Cast) -> None:
    [domain_id] = cast.listed("secret-name.example")
    with cast.session() as session:
        appeal = service.record_appeal(
            session, cast.gs, domain_id, appellant="a", contact="c", grounds="g"
        )
        service.decide_appeal(session, cast.gs, appeal.id, upheld=False, reason="present")
        service.record_review(
            session, cast.gs, RULES, domain_id, material_present=False, note="gone"
        )
        service.feed_update(session, cast.provider(session), FeedCache(), None)
    with cast.session() as session:
        entries = list(
            session.scalars(select(AuditEntry).where(AuditEntry.action.like("blocklist.%")))
        )
    assert {e.action for e in entries} >= {
        "blocklist.submit",
        "blocklist.confirm",
        "blocklist.publish",
        "blocklist.appeal.record",
        "blocklist.appeal.decide",
        "blocklist.delist",
        "blocklist.feed.update",
    }
    assert all("secret-name" not in json.dumps(e.detail) for e in entries)


def test_provider_requests_are_logged_without_any_address(cast: Cast) -> None:
    cast.listed("abuse.example")
    asked = [domain_full_hash("abuse.example")[:4], domain_full_hash("other.example")[:4]]
    with cast.session() as session:
        provider = cast.provider(session)
        cache = FeedCache()
        update = service.feed_update(session, provider, cache, None)
        answer = service.feed_full_hashes(session, provider, RULES, cache, asked)
        assert update.kind is UpdateKind.FULL and answer.hashes == {
            domain_full_hash("abuse.example")
        }
        with pytest.raises(InvalidInput):
            service.feed_full_hashes(session, provider, RULES, cache, [])
    with cast.session() as session:
        rows = list(session.scalars(select(FeedRequest).order_by(FeedRequest.id)))
        assert [
            (r.kind, r.client_version, r.served_version, r.update_type, r.prefixes_asked)
            for r in rows
        ] == [("update", None, 1, "full", 0), ("full_hash", None, 1, None, 2)]
        columns = FeedRequest.__table__.columns
        logged = json.dumps([{c.name: str(getattr(r, c.name)) for c in columns} for r in rows])
        assert "abuse" not in logged and "example" not in logged
        assert all(p.hex() not in logged for p in asked)


def test_the_feed_accepts_only_provider_tokens(cast: Cast) -> None:
    cast.listed("abuse.example")
    # A partner's user holds blocklist.feed through its role, but the feed wants a token.
    provider_user = cast.world.principal(cast.world.user("PARTNER-NETSAFE", Role.PARTNER))
    assert provider_user.has(Perm.BLOCKLIST_FEED)
    with cast.session() as session:
        for caller in (provider_user, cast.rabat, cast.gs):
            with pytest.raises(Forbidden):
                service.feed_update(session, caller, FeedCache(), None)


def test_a_damaged_stored_version_is_never_served(cast: Cast) -> None:
    cast.listed(*(f"site{n}.example" for n in range(20)))
    with cast.session() as session:
        cast.confirmed(session, "late.example")
        service.publish(session, cast.gs, RULES)
        provider = cast.provider(session)
        cache = FeedCache()
        assert service.feed_update(session, provider, cache, 1).kind is UpdateKind.PARTIAL
    with cast.session() as session:  # someone rewrites version 1's history
        session.execute(
            update(VersionMembership).where(VersionMembership.id == 1).values(added_in=2)
        )
    with cast.session() as session:
        fresh = FeedCache()
        assert service.feed_update(session, provider, fresh, 1).kind is UpdateKind.FULL
        session.execute(
            update(ListVersion).where(ListVersion.number == 2).values(checksum="0" * 64)
        )
        with pytest.raises(Conflict, match="publish again"):
            service.feed_update(session, provider, FeedCache(), None)
