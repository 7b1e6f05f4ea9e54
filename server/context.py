"""What every request and job can reach: settings, clock, database, metrics, throttles, hasher."""

from __future__ import annotations

from dataclasses import dataclass

from server.auth.passwords import PasswordHasher
from server.auth.throttle import AddressBucket, LoginThrottle
from server.clock import Clock
from server.config import Settings
from server.db import Database
from server.metrics import Metrics


@dataclass
class AppContext:
    settings: Settings
    clock: Clock
    db: Database
    metrics: Metrics
    passwords: PasswordHasher
    throttle: LoginThrottle
    events_limit: AddressBucket

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
        )
