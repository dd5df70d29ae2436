"""The secret-ballot seal key: a file outside the database, created on first use, destroyed
once no secret ballot is open (then a database copy taken during voting can no longer be
opened by anyone).

Each ballot records a check value of the key it was opened under, so a ballot never silently
mixes two keys: casting or closing under another key is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from interlink.assembly import RuleBroken
from interlink.assembly.ballot_box import SEAL_KEY_BYTES, BallotSealer
from interlink.core.i18n import msg

_CHECK_LABEL = b"interlink-seal-key-check-v1:"


@dataclass(frozen=True, slots=True)
class SealKeyFile:
    path: Path

    def load(self) -> bytes:
        """The key, created (readable by its owner only) if there is none yet."""
        try:
            return self._read()
        except FileNotFoundError:
            self._create()
            return self._read()

    def destroy(self) -> bool:
        """Delete the key file; True if there was one."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True

    def sealer_for(self, ballot_public_id: str, expected_check: str) -> BallotSealer:
        """A sealer for a ballot, refused if the key is not the one the ballot was opened
        under (it was destroyed or replaced while the ballot was open)."""
        key = self.load()
        if not hmac.compare_digest(check_value(key, ballot_public_id), expected_check):
            raise RuleBroken(
                msg(
                    "the seal key changed while %(ballot)s was open; restore the key file it "
                    "was opened with",
                    ballot=ballot_public_id,
                ),
                code="seal_key_changed",
            )
        return BallotSealer(key)

    def _read(self) -> bytes:
        key = self.path.read_bytes()
        if len(key) != SEAL_KEY_BYTES:
            raise RuleBroken(
                msg("the seal key file %(path)s is damaged", path=str(self.path)),
                code="seal_key_damaged",
            )
        return key

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        draft = self.path.with_name(f".{self.path.name}.{secrets.token_hex(8)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(SEAL_KEY_BYTES))
        try:  # a link never replaces: when two processes race, one key wins and both read it
            os.link(draft, self.path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()


def check_value(key: bytes, ballot_public_id: str) -> str:
    """A keyed hash naming the key a ballot was opened under; it reveals nothing of the key."""
    return hmac.new(key, _CHECK_LABEL + ballot_public_id.encode(), hashlib.sha256).hexdigest()
