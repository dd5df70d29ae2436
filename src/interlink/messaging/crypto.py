"""Keys kept outside the database, and the primitives that use them.

The key folder (settings.messaging_keys_dir) holds:
- `signing/<key id>.pem`: each organisation's Ed25519 private keys (PKCS#8). The database holds
  only the public halves; the key id is a fingerprint of the public key.
- `data/<n>.key`: AES-256-GCM data keys, numbered; the highest is used to encrypt, every one
  stays to decrypt what it encrypted. Each ciphertext names its key number.

Key files are published atomically and never replaced, so processes sharing the folder agree.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import struct
import tempfile
import threading
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_FORMAT_VERSION = 1
_HEADER = struct.Struct(">BH")  # format version, data-key number
_NONCE_BYTES = 12


class TamperedError(Exception):
    """A ciphertext does not decrypt under its key and context: it was altered or moved."""


class KeyMissing(Exception):
    """A key named by the database is absent from the key folder."""


def key_fingerprint(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:32]


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verify_signature(public_key: bytes, signature: bytes, payload: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, payload)
    except (InvalidSignature, ValueError):
        return False
    return True


def _write_exclusive(path: Path, data: bytes) -> bool:
    """Publish a new secret file, readable by its owner only; False if it already exists.

    Written aside then hard-linked into place, so no reader ever sees a half-written key.
    """
    for folder in (path.parent.parent, path.parent):  # the key folder and its sub-folder
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".new-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temp, path)
    except FileExistsError:
        return False
    finally:
        os.unlink(temp)
    return True


class Keyring:
    """The messaging key folder: signing keys of every organisation and the data keys."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._signing: dict[str, Ed25519PrivateKey] = {}
        self._data: dict[int, AESGCM] = {}
        self._lock = threading.Lock()

    # --- signing keys ---------------------------------------------------------------------

    def new_signing_key(self) -> tuple[str, bytes]:
        """Create and store a private key; returns its key id and raw public key."""
        key = Ed25519PrivateKey.generate()
        public = public_bytes(key)
        key_id = key_fingerprint(public)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_exclusive(self._signing_path(key_id), pem)
        return key_id, public

    def sign(self, key_id: str, payload: bytes) -> bytes:
        return self._private_key(key_id).sign(payload)

    def public_key(self, key_id: str) -> bytes | None:
        """The public half of a private key we hold, or None when we hold none."""
        try:
            return public_bytes(self._private_key(key_id))
        except KeyMissing:
            return None

    def _signing_path(self, key_id: str) -> Path:
        if not key_id.isalnum():  # key ids come from the database: never a path
            raise KeyMissing(f"malformed key id {key_id!r}")
        return self.folder / "signing" / f"{key_id}.pem"

    def _private_key(self, key_id: str) -> Ed25519PrivateKey:
        with self._lock:
            cached = self._signing.get(key_id)
        if cached is not None:
            return cached
        path = self._signing_path(key_id)
        if not path.exists():
            raise KeyMissing(f"signing key {key_id} is not in the key folder")
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyMissing(f"{path.name} is not an Ed25519 key")
        with self._lock:
            self._signing[key_id] = key
        return key

    # --- data keys ------------------------------------------------------------------------

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        """AES-GCM under the newest data key; `context` (e.g. 'message:12') is bound to it, so
        a ciphertext copied to another row no longer decrypts."""
        number = self.current_data_key()
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._data_key(number).encrypt(nonce, plaintext, context.encode())
        return _HEADER.pack(_FORMAT_VERSION, number) + nonce + sealed

    def decrypt(self, ciphertext: bytes, context: str) -> bytes:
        header = _HEADER.size
        if len(ciphertext) < header + _NONCE_BYTES + 16:
            raise TamperedError("ciphertext too short")
        version, number = _HEADER.unpack(ciphertext[:header])
        if version != _FORMAT_VERSION:
            raise TamperedError(f"unknown ciphertext format {version}")
        nonce = ciphertext[header : header + _NONCE_BYTES]
        try:
            key = self._data_key(number)
            return key.decrypt(nonce, ciphertext[header + _NONCE_BYTES :], context.encode())
        except (InvalidTag, KeyMissing) as exc:
            raise TamperedError(f"ciphertext for {context} does not decrypt") from exc

    def current_data_key(self) -> int:
        numbers = self._data_key_numbers()
        return max(numbers) if numbers else self.rotate_data_key()

    def rotate_data_key(self) -> int:
        """Add a new data key; new ciphertexts use it, old ones keep theirs."""
        numbers = self._data_key_numbers()
        number = max(numbers, default=0) + 1
        while not _write_exclusive(self._data_path(number), AESGCM.generate_key(256)):
            number += 1  # another process took this number first
        return number

    def _data_path(self, number: int) -> Path:
        return self.folder / "data" / f"{number:05d}.key"

    def _data_key_numbers(self) -> list[int]:
        folder = self.folder / "data"
        if not folder.is_dir():
            return []
        return [int(p.stem) for p in folder.glob("*.key") if p.stem.isdigit()]

    def _data_key(self, number: int) -> AESGCM:
        with self._lock:
            cached = self._data.get(number)
        if cached is not None:
            return cached
        path = self._data_path(number)
        if not path.exists():
            raise KeyMissing(f"data key {number} is not in the key folder")
        key = AESGCM(path.read_bytes())
        with self._lock:
            self._data[number] = key
        return key
