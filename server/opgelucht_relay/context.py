"""What every request and job can reach: settings, clock, database, metrics, throttles, hasher."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opgelucht_relay.auth.passwords import PasswordHasher
from opgelucht_relay.auth.throttle import AddressBucket, LoginThrottle
from opgelucht_relay.clock import Clock
from opgelucht_relay.config import Settings
from opgelucht_relay.db import Database
from opgelucht_relay.metrics import Metrics
from opgelucht_relay.services.blob_store import BlobStore, store_for
from opgelucht_relay.services.device_keys import DeviceKeyCache, engine_loader
from opgelucht_relay.services.pg_post import SaltCache
from opgelucht_relay.services.seen_today import SeenToday
from opgelucht_relay.services.sqlite_writer import SqliteWriter


@dataclass
class AppContext:
    settings: Settings
    clock: Clock
    db: Database
    metrics: Metrics
    passwords: PasswordHasher
    throttle: LoginThrottle
    events_limit: AddressBucket
    events_device_limit: AddressBucket
    events_code_limit: AddressBucket
    device_keys: DeviceKeyCache
    blob_uploads: AddressBucket  # keyed by the uploading device's or counsellor's id
    blobs: BlobStore
    salts: SaltCache = field(default_factory=SaltCache)
    seen: SeenToday = field(default_factory=SeenToday)  # devices whose day is committed (seen_today.py)
    # Started by the app's lifespan (opgelucht_relay/app.py); None: the SQLAlchemy path serves.
    writer: SqliteWriter | None = None  # SQLite: the one writer thread (services/sqlite_writer.py)
    pg_pool: Any = None  # PostgreSQL: the raw asyncpg pool of the post path (asyncpg.Pool)
    pg_writer: Any = None  # PostgreSQL: group commit of posts, made on first use (services/pg_writer.py)

    @classmethod
    def build(cls, settings: Settings, clock: Clock, db: Database | None = None) -> AppContext:
        db = db or Database(settings.db_url, **pool_options(settings))
        return cls(
            settings=settings,
            clock=clock,
            db=db,
            metrics=Metrics(),
            passwords=PasswordHasher.from_settings(settings),
            throttle=LoginThrottle.from_settings(settings),
            events_limit=AddressBucket(settings.events_address_burst, settings.events_address_per_minute),
            events_device_limit=AddressBucket(
                settings.events_device_burst, settings.events_device_per_minute
            ),
            events_code_limit=AddressBucket(settings.events_code_burst, settings.events_code_per_minute),
            device_keys=DeviceKeyCache(engine_loader(db.engine)),
            blob_uploads=AddressBucket(settings.blob_uploads_burst, settings.blob_uploads_per_minute),
            blobs=store_for(settings),
        )


def pool_options(settings: Settings) -> dict[str, Any]:
    """PostgreSQL: a pool sized to the concurrency (no new sessions opened under load); SQLite: none."""
    if not settings.db_url.startswith("postgres"):
        return {}
    return {"pool_size": settings.db_pool_size, "max_overflow": max(4, settings.db_pool_size // 4)}
