"""Keys outside the database: signatures, encryption bound to its context, rotation."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from interlink.messaging.crypto import Keyring, TamperedError, key_fingerprint, verify_signature


@pytest.fixture
def keys(tmp_path: Path) -> Keyring:
    return Keyring(tmp_path / "keys")


def test_signature_verifies_with_the_public_key_only(keys: Keyring) -> None:
    key_id, public = keys.new_signing_key()
    signature = keys.sign(key_id, b"payload")
    assert key_id == key_fingerprint(public)
    assert verify_signature(public, signature, b"payload")
    assert not verify_signature(public, signature, b"payloaD")
    _other_id, other_public = keys.new_signing_key()
    assert not verify_signature(other_public, signature, b"payload")
    assert not verify_signature(public, b"\x00" * 64, b"payload")


def test_private_keys_are_owner_only_files(keys: Keyring, tmp_path: Path) -> None:
    key_id, public = keys.new_signing_key()
    path = tmp_path / "keys" / "signing" / f"{key_id}.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (path.parent, path.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert Keyring(tmp_path / "keys").public_key(key_id) == public  # another process
    assert keys.public_key("0" * 32) is None


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "a/b", ""])
def test_key_ids_never_become_paths(keys: Keyring, bad_id: str) -> None:
    assert keys.public_key(bad_id) is None


def test_ciphertext_is_bound_to_its_context(keys: Keyring) -> None:
    sealed = keys.encrypt(b"secret body", "message:1:body")
    assert b"secret body" not in sealed
    assert keys.decrypt(sealed, "message:1:body") == b"secret body"
    with pytest.raises(TamperedError):
        keys.decrypt(sealed, "message:2:body")  # copied onto another row


@pytest.mark.parametrize("position", [0, 3, 20, -1])
def test_any_altered_byte_is_detected(keys: Keyring, position: int) -> None:
    sealed = bytearray(keys.encrypt(b"secret body", "ctx"))
    sealed[position] ^= 0x01
    with pytest.raises(TamperedError):
        keys.decrypt(bytes(sealed), "ctx")


def test_rotated_data_key_encrypts_new_and_still_decrypts_old(keys: Keyring) -> None:
    old = keys.encrypt(b"before", "ctx")
    first = keys.current_data_key()
    assert keys.rotate_data_key() == first + 1
    new = keys.encrypt(b"after", "ctx")
    assert old[:3] != new[:3]  # the header names the key
    assert keys.decrypt(old, "ctx") == b"before" and keys.decrypt(new, "ctx") == b"after"


def test_a_missing_data_key_is_reported_not_guessed(keys: Keyring, tmp_path: Path) -> None:
    sealed = keys.encrypt(b"x", "ctx")
    for path in (tmp_path / "keys" / "data").iterdir():
        path.unlink()
    with pytest.raises(TamperedError):
        Keyring(tmp_path / "keys").decrypt(sealed, "ctx")
