"""The home page's service: per-user read marks over the capabilities' waiting work."""

from __future__ import annotations

from interlink.core.auth import Role
from interlink.core.errors import NotFound
from interlink.web import dashboard
from tests.browser.test_shell import _hit_on_paris
from tests.support import World


def test_read_marks_are_per_user_and_idempotent(world: World) -> None:
    _hit_on_paris(world)
    one = world.principal(world.user("NCB-FR", Role.OFFICER))
    two = world.principal(world.user("NCB-FR", Role.OFFICER))
    with world.db.session() as session:
        assert dashboard.nav_counts(session, one).waiting == 1
        url = dashboard.open_item(session, one, "hit", 1)
        dashboard.open_item(session, one, "hit", 1)  # twice: still one mark, no error
        assert url.startswith("/messages/")
    with world.db.session() as session:
        assert dashboard.nav_counts(session, one).waiting == 0
        assert dashboard.nav_counts(session, two).waiting == 1
        board = dashboard.dashboard(session, one)
        hits = next(s for s in board.sections if s.object_type == "hit")
        assert hits.total == 1 and not hits.items[0].unread  # read, still to answer
        assert dashboard.mark_all_read(session, two) == 1
        assert dashboard.mark_all_read(session, two) == 0


def test_sections_follow_permissions(world: World) -> None:
    reviewer = world.principal(world.user("GS", Role.COMPLIANCE_REVIEWER))
    delegate = world.principal(world.user("NCB-FR", Role.DELEGATE))
    supervisor = world.principal(world.user("NCB-FR", Role.SUPERVISOR))
    with world.db.session() as session:
        reviewer_kinds, delegate_kinds, supervisor_kinds = (
            [s.object_type for s in dashboard.dashboard(session, p).sections]
            for p in (reviewer, delegate, supervisor)
        )
    assert reviewer_kinds == ["review"]
    assert delegate_kinds == ["meeting", "ballot"]
    assert supervisor_kinds == ["hit", "notice", "operation", "record"]


def test_an_item_waiting_for_another_bureau_is_not_found(world: World) -> None:
    _hit_on_paris(world)
    berlin = world.principal(world.user("NCB-DE", Role.OFFICER))
    with world.db.session() as session:
        for object_type, object_id in (("hit", 1), ("review", 1), ("bogus", 1)):
            try:
                dashboard.open_item(session, berlin, object_type, object_id)
            except NotFound:
                continue
            raise AssertionError(f"{object_type} {object_id} opened by another bureau")
