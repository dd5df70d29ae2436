"""The seal key file: made once, private, read fresh, destroyable, checked per ballot."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from interlink.assembly import RuleBroken
from interlink.assembly.ballot_box import BallotSpec
from interlink.assembly.keys import SealKeyFile, check_value

SPEC = BallotSpec.resolution("GA94/item-2", "Adopt?")


def test_the_key_is_made_once_and_readable_by_its_owner_only(tmp_path: Path) -> None:
    keys = SealKeyFile(tmp_path / "keys" / "ballot-seal.key")
    first = keys.load()
    assert len(first) == 32 and keys.load() == first
    assert SealKeyFile(keys.path).load() == first  # another process reads the same key
    assert stat.S_IMODE(keys.path.stat().st_mode) == 0o600
    assert list(keys.path.parent.iterdir()) == [keys.path]  # no draft left behind


def test_a_destroyed_key_is_replaced_and_old_ballots_are_refused(tmp_path: Path) -> None:
    keys = SealKeyFile(tmp_path / "ballot-seal.key")
    first = keys.load()
    check = check_value(first, SPEC.ballot_id)
    assert keys.sealer_for(SPEC.ballot_id, check)  # the key the ballot was opened under
    assert keys.destroy() and not keys.destroy()
    with pytest.raises(RuleBroken) as refused:
        keys.sealer_for(SPEC.ballot_id, check)
    assert refused.value.code == "seal_key_changed"
    assert keys.load() != first  # a fresh key for the next ballots


def test_the_check_value_names_the_key_and_the_ballot(tmp_path: Path) -> None:
    key = SealKeyFile(tmp_path / "k").load()
    assert check_value(key, "GA94/item-2") != check_value(key, "GA94/item-3")
    assert check_value(key, "GA94/item-2") != check_value(bytes(32), "GA94/item-2")


def test_a_damaged_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ballot-seal.key"
    path.write_bytes(b"short")
    with pytest.raises(RuleBroken) as refused:
        SealKeyFile(path).load()
    assert refused.value.code == "seal_key_damaged"
