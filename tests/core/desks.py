"""Desks of the core tests, enrolled through their facade at the in-process relay's clock."""

from __future__ import annotations

from dataclasses import dataclass

from opgelucht_desk.core.desk import Desk, DeskConfig
from opgelucht_desk.core.model import EnrolmentChallenge
from opgelucht_relay.auth.totp import code_at
from opgelucht_relay.clock import ManualClock

PASSWORD = "lange wachtzin voor de test"


@dataclass
class EnrolledDesk:
    desk: Desk
    challenge: EnrolmentChallenge

    def totp(self, clock: ManualClock) -> str:
        """A fresh code: moves the relay clock one 30 s step on first (the last step is used up)."""
        clock.advance(seconds=30)
        return code_at(self.challenge.totp_secret, clock.now())


async def enrol_desk(
    config: DeskConfig, clock: ManualClock, invitation: str, username: str, display_name: str
) -> EnrolledDesk:
    desk = await Desk.open(config)
    assert config.relay_url is not None
    challenge = await desk.enrol_start(config.relay_url, invitation, username, display_name, PASSWORD)
    steps: list[float] = []
    await desk.enrol_finish(
        challenge, code_at(challenge.totp_secret, clock.now()), lambda f, _t: steps.append(f)
    )
    assert steps == sorted(steps) and steps[-1] == 1.0
    return EnrolledDesk(desk, challenge)
