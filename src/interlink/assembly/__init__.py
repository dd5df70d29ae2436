"""General Assembly: majorities, voting rights, ballots, Executive Committee elections, meetings.

The modules here are the pure rules: no database, no clock, no randomness that a caller cannot
inject. The service layer loads state, calls them, and stores what they return.
"""

from __future__ import annotations

from interlink.core.errors import Conflict, Forbidden


class Refused(Forbidden):
    """The actor may not do this (no voting right, not the head, not the invitee...)."""

    def __init__(self, detail: str, *, code: str) -> None:
        super().__init__(detail, code=code)
        self.code = code


class RuleBroken(Conflict):
    """The request breaks an Assembly rule or a ballot's integrity (already voted, tampering...)."""

    def __init__(self, detail: str, *, code: str) -> None:
        super().__init__(detail, code=code)
        self.code = code
