"""A private D-Bus session bus (a real dbus-daemon) with a freedesktop notification server on it that
records every Notify call: what a notification daemon such as dunst or GNOME Shell receives."""

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pytest
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusInt32, DBusSignature, DBusStr, DBusUInt32
from dbus_fast.service import ServiceInterface, dbus_method, dbus_signal

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
START_TIMEOUT = 10.0


@dataclass(frozen=True)
class NotifyCall:
    app_name: str
    summary: str
    body: str


class RecordingNotifications(ServiceInterface):
    """The org.freedesktop.Notifications interface (spec 1.2), keeping each call in `calls`."""

    def __init__(self) -> None:
        super().__init__(NAME)
        self.calls: list[NotifyCall] = []

    @dbus_method()
    def Notify(
        self,
        app_name: DBusStr,
        replaces_id: DBusUInt32,
        app_icon: DBusStr,
        summary: DBusStr,
        body: DBusStr,
        actions: Annotated[list[str], DBusSignature("as")],
        hints: Annotated[dict[str, Any], DBusSignature("a{sv}")],
        expire_timeout: DBusInt32,
    ) -> DBusUInt32:
        self.calls.append(NotifyCall(app_name, summary, body))
        return len(self.calls)

    @dbus_method()
    def CloseNotification(self, notification_id: DBusUInt32) -> None:
        pass

    @dbus_method()
    def GetCapabilities(self) -> Annotated[list[str], DBusSignature("as")]:
        return ["body", "actions"]

    @dbus_method()
    def GetServerInformation(self) -> Annotated[tuple[str, str, str, str], DBusSignature("ssss")]:
        return ("recorder", "opgelucht-tests", "1.0", "1.2")

    @dbus_signal()
    def NotificationClosed(self) -> Annotated[tuple[int, int], DBusSignature("uu")]:
        return (0, 0)

    @dbus_signal()
    def ActionInvoked(self) -> Annotated[tuple[int, str], DBusSignature("us")]:
        return (0, "")


class SessionBus:
    """`dbus-daemon --session` on a socket in a temporary directory (`address`: its bus address)."""

    def __init__(self) -> None:
        daemon = shutil.which("dbus-daemon")
        if daemon is None:
            pytest.skip("dbus-daemon is not installed (Debian package dbus-daemon)")
        self._dir = Path(tempfile.mkdtemp(prefix="opg-bus-"))
        self.address = f"unix:path={self._dir / 'bus'}"
        self._process = subprocess.Popen(
            [daemon, "--session", "--nofork", "--nopidfile", f"--address={self.address}", "--print-address"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._process.stdout is not None
        printed = self._process.stdout.readline().strip()  # printed once it listens
        if not printed:
            self.stop()
            raise RuntimeError("dbus-daemon did not start")

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=START_TIMEOUT)
        shutil.rmtree(self._dir, ignore_errors=True)


async def serve_notifications(address: str) -> tuple[MessageBus, RecordingNotifications]:
    """Connect to the bus at `address`, export the recorder and own org.freedesktop.Notifications."""
    bus = await MessageBus(bus_address=address).connect()
    server = RecordingNotifications()
    bus.export(PATH, server)
    await bus.request_name(NAME)
    return bus, server


def use_bus(monkeypatch: pytest.MonkeyPatch, bus: SessionBus) -> None:
    """Point the app's session bus at `bus` (desktop-notifier connects to $DBUS_SESSION_BUS_ADDRESS)."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
    assert os.environ["DBUS_SESSION_BUS_ADDRESS"] == bus.address
