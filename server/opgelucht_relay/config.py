"""Relay settings: defaults, overridden by a TOML file, overridden by ``OPG_RELAY_*`` environment variables.

Precedence (highest first): keyword arguments (tests), environment, the TOML file, the defaults below.
The TOML file is named by ``Settings.load(path)`` or by the ``OPG_RELAY_CONFIG`` environment variable;
its keys are the field names below (``retention_days = 31``).
"""

from __future__ import annotations

import ipaddress
import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.qr import validate_relay_url

CONFIG_ENV = "OPG_RELAY_CONFIG"
_toml_file: ContextVar[Path | None] = ContextVar("opg_relay_toml_file", default=None)

# OWASP's minimum for argon2id: 19 MiB memory, 2 iterations, 1 lane.
ARGON2_MIN_MEMORY_KIB = 19 * 1024
ARGON2_MIN_TIME_COST = 2


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("opgelucht-relay", appauthor=False))


class Settings(BaseSettings):
    """Every relay setting. ``docs/relay.md`` documents each one."""

    model_config = SettingsConfigDict(env_prefix="OPG_RELAY_", extra="forbid", frozen=True)

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""  # empty: sqlite+aiosqlite:///<data_dir>/relay.db
    public_url: str = "http://127.0.0.1:8080"
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # Prometheus /metrics on a listener of its own (never the API port): port 0 is off. A host other
    # than loopback needs metrics_token (scrapers send "Authorization: Bearer <token>").
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535)
    metrics_token: SecretStr = SecretStr("")
    proxy_headers: bool = False  # trust X-Forwarded-For from a local reverse proxy (address throttling)
    log_level: str = "INFO"

    retention_days: int = Field(default=31, ge=1, le=31)
    device_idle_purge_days: int = Field(default=180, ge=1)
    feedback_retention_days: int = Field(default=180, ge=1)  # vendor feedback is deleted after this
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    invitation_days: int = Field(default=7, ge=1, le=7)
    enrolment_minutes: int = Field(default=60, ge=1)

    argon2_memory_kib: int = Field(default=ARGON2_MIN_MEMORY_KIB, ge=8)
    argon2_time_cost: int = Field(default=ARGON2_MIN_TIME_COST, ge=1)
    argon2_parallelism: int = Field(default=1, ge=1)

    login_account_max_failures: int = Field(default=5, ge=1)
    login_backoff_seconds: int = Field(default=30, ge=1)
    login_backoff_max_seconds: int = Field(default=3600, ge=1)
    login_address_max_failures: int = Field(default=20, ge=1)
    login_address_window_seconds: int = Field(default=600, ge=1)

    # POST /v1/events (in memory, per process): token buckets per client address (high: phones behind
    # one carrier NAT share an address), per device signature and per org code (docs/operations.md).
    events_address_burst: int = Field(default=2000, ge=1)
    events_address_per_minute: int = Field(default=60_000, ge=1)
    events_device_burst: int = Field(default=30, ge=1)
    events_device_per_minute: int = Field(default=60, ge=1)
    events_code_burst: int = Field(default=2000, ge=1)
    events_code_per_minute: int = Field(default=60_000, ge=1)

    # Database connections per relay process (PostgreSQL): the SQLAlchemy pool and the raw asyncpg pool
    # of the post path, each up to ``db_pool_size``; size it to the concurrent requests per process.
    db_pool_size: int = Field(default=32, ge=1, le=1000)
    # SQLite: whole posts and usage batches in one writer thread, concurrent ones in one commit.
    sqlite_group_commit: bool = True

    # POST /v1/devices per org code (in the database, so across instances): a sliding hour; a burst
    # within ten minutes is flagged in the audit log (docs/stats.md, Sybil devices).
    device_registrations_per_code_per_hour: int = Field(default=30, ge=1)
    device_registration_burst: int = Field(default=10, ge=2)

    # Statistics (docs/stats.md): the privacy loss per device and period, the usage cells one device may
    # count in per period, and the noise (off only in tests that check exact figures).
    stats_epsilon: float = Field(default=5.5, gt=0, le=20)
    stats_items_per_device: int = Field(default=5, ge=1, le=100)
    stats_noise: bool = True

    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_message_body_bytes: int = Field(default=1024 * 1024, ge=1024)

    # File blobs (docs/relay.md "File blobs"): the largest file a client may send (the blob is its
    # padded, encrypted form, a little larger), uploads per device or counsellor (in memory, per
    # process: a token bucket), and where the bytes go ("auto": files beside SQLite, else the database).
    max_file_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    blob_uploads_burst: int = Field(default=20, ge=1)
    blob_uploads_per_minute: int = Field(default=10, ge=1)
    blob_storage: Literal["auto", "files", "database"] = "auto"

    auto_migrate: bool = True  # run migrations at start-up (``opgelucht-relay migrate`` does it explicitly)
    run_jobs: bool = True  # run the periodic jobs (retention, session purge) inside the server process

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        try:
            return validate_relay_url(value)  # it goes into every join QR code
        except ProtocolError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.session_idle_minutes > self.session_absolute_hours * 60:
            raise ValueError("session_idle_minutes must not exceed session_absolute_hours")
        token = self.metrics_token.get_secret_value()
        if token and len(token) < 16:
            raise ValueError("metrics_token must have at least 16 characters")
        if self.metrics_port and not token and not _is_loopback(self.metrics_host):
            raise ValueError("metrics_host is not a loopback address: set metrics_token too")
        return self

    @property
    def db_url(self) -> str:
        """The database URL to use, with the default SQLite file inside ``data_dir``."""
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'relay.db'}"

    @classmethod
    def load(cls, config_file: Path | None = None, **overrides: Any) -> Settings:
        """Settings from ``config_file`` (or ``$OPG_RELAY_CONFIG``), the environment and ``overrides``."""
        if config_file is None and os.environ.get(CONFIG_ENV):
            config_file = Path(os.environ[CONFIG_ENV])
        if config_file is not None and not config_file.is_file():
            raise FileNotFoundError(f"relay config file not found: {config_file}")
        token = _toml_file.set(config_file)
        try:
            return cls(**overrides)
        finally:
            _toml_file.reset(token)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = _toml_file.get()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)
