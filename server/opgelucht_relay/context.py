"""What every request and job can reach: settings, clock, database, metrics, throttles, hasher."""

from __future__ import annotations

from dataclasses import dataclass

from opgelucht_relay.auth.passwords import PasswordHasher
from opgelucht_relay.auth.throttle import AddressBucket, LoginThrottle
from opgelucht_relay.clock import Clock
from opgelucht_relay.config import Settings
from opgelucht_relay.db import Database
from opgelucht_relay.metrics import Metrics
from opgelucht_relay.services.blob_store import BlobStore, store_for


@dataclass
class AppContext:
    settings: Settings
    clock: Clock
    db: Database
    metrics: Metrics
    passwords: PasswordHasher
    throttle: LoginThrottle
    events_limit: AddressBucket
    blob_uploads: AddressBucket  # keyed by the uploading device's or counsellor's id
    blobs: BlobStore

    @classmethod
    def build(cls, settings: Settings, clock: Clock, db: Database | None = None) -> AppContext:
        return cls(
            settings=settings,
            clock=clock,
            db=db or Database(settings.db_url),
            metrics=Metrics(),
            passwords=PasswordHasher.from_settings(settings),
            throttle=LoginThrottle.from_settings(settings),
            events_limit=AddressBucket(settings.events_address_burst, settings.events_address_per_minute),
            blob_uploads=AddressBucket(settings.blob_uploads_burst, settings.blob_uploads_per_minute),
            blobs=store_for(settings),
        )
