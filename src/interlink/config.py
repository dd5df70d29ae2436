"""Settings from INTERLINK_* environment variables: the only place that reads them."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTERLINK_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Folder for SQLite, keys, uploads")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file in data_dir"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str | None = None
    # Cookies carry the Secure flag unless explicitly served over plain HTTP (the demo).
    secure_cookies: bool = True
    session_hours: int = 8
    # Login throttling (members/throttle.py, docs/security.md): failed logins per account
    # and address at which exponential back-off (30 s, doubling) starts ...
    max_failed_logins: int = Field(default=5, ge=1)
    # ... the longest back-off, in minutes (no failure ever locks an account for good) ...
    lockout_minutes: int = Field(default=15, ge=1)
    # ... failures per client address over all accounts (password spraying) ...
    login_address_free_failures: int = Field(default=50, ge=1)
    # ... and per account over all addresses; from there on, only addresses that logged in to
    # the account before may keep trying without back-off.
    login_account_free_failures: int = Field(default=20, ge=1)
    # Seconds between audit sealing passes (hash-chaining of committed entries).
    audit_seal_interval: float = 0.5
    # Seconds between signed checkpoints of the audit chain head (core/checkpoints.py); a
    # head that has not moved is signed again only after an hour.
    audit_checkpoint_interval: float = Field(default=60.0, gt=0)
    # The Ed25519 key that signs audit checkpoints (PEM file, created with mode 0600 on
    # first use). Keep it off the database server; default: data_dir/keys/audit-checkpoint.pem.
    audit_signing_key: Path | None = None
    # Request body limits in bytes, enforced while the body streams in (interlink/limits.py):
    # every route but those below (screening, ordinary API writes, forms) ...
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # ... a message with attachments (ten files of 10 MiB, base64 in JSON: about 134 MiB) ...
    max_attachment_body_bytes: int = Field(default=140 * 1024 * 1024, ge=1024)
    # ... and bulk screening (/api/v1/screen/batch, up to 1,000 checks).
    max_batch_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    # Reverse proxies whose X-Forwarded-For is believed, as a JSON list of addresses or
    # networks ('["10.0.0.5", "10.1.0.0/16"]'). The client address (for login throttling and
    # the audit log) is the right-most address in the header that is not a trusted proxy;
    # from anyone else the header is ignored. Empty: trust no one, use the peer address.
    trusted_proxies: list[str] = Field(default_factory=list)
    # Seconds `interlink serve --workers N` waits for a worker to answer the supervisor's
    # health ping before killing it; a worker loading the app and building its screening
    # index on a busy machine must not be taken for a hung one.
    worker_healthcheck_seconds: int = Field(default=120, ge=5)
    log_json: bool = True
    log_level: str = "INFO"
    background_workers: bool = True
    # Blocklist: independent confirmations a domain needs (never fewer than two), days between
    # reviews of a listed domain, seconds a provider may trust a full-hash answer, and where
    # the stop page sends people who ask for a review.
    blocklist_min_confirmations: int = Field(default=2, ge=2, le=20)
    blocklist_review_days: int = Field(default=90, ge=1, le=3650)
    blocklist_cache_seconds: int = Field(default=300, ge=0, le=86400)
    blocklist_complaint_url: str = "mailto:blocklist-review@interlink.example"
    # Messaging: hours a record's owner has to answer a hit, by priority, as JSON
    # ('{"flash": 1, "urgent": 12}'); a priority not named gets 12 hours.
    followup_answer_hours: dict[str, float] = Field(default_factory=dict)

    @property
    def messaging_keys_dir(self) -> Path:
        """Organisations' signing keys and the message encryption keys: never in the database."""
        return self.data_dir / "keys" / "messaging"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'interlink.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @cached_property
    def secret_key(self) -> bytes:
        """Server secret for keyed hashes; kept in the data folder, never in the database."""
        return self._secret_file("secret.key")

    @property
    def audit_signing_key_file(self) -> Path:
        return self.audit_signing_key or self.data_dir / "keys" / "audit-checkpoint.pem"

    @property
    def audit_mac_key(self) -> bytes:
        """Key with which audit writers MAC entries (derived from the server secret)."""
        from interlink.core.audit import mac_key_from_secret

        return mac_key_from_secret(self.secret_key)

    @property
    def ballot_seal_key_file(self) -> Path:
        """Seals secret General Assembly ballots: outside the database, destroyed once no
        secret ballot is open (docs/assembly.md). Read at each use, never cached."""
        return self.data_dir / "keys" / "ballot-seal.key"

    def _secret_file(self, name: str) -> bytes:
        path = self.data_dir / "keys" / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.write_bytes(secrets.token_bytes(32))
            path.chmod(0o600)
        return path.read_bytes()


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
