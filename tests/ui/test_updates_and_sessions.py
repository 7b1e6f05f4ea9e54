"""The signed update check in the app (a recording release site on 127.0.0.1) and the "Active sessions"
box in Settings (against the real test relay)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kit.relay import RelayServer
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from opgelucht_desk import __version__
from opgelucht_desk.core.desk import Desk
from opgelucht_desk.protocol import b64d, b64e
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.main_window import attach_updates
from opgelucht_desk.ui.preferences import Preferences
from opgelucht_desk.ui.update_notice import UpdateBox, UpdateNotice, UpdateService, downloads_folder
from opgelucht_desk.update_check import UpdateChecker, UpdatePolicy
from ui.flows import PASSWORD, TIMEOUT_MS, enrol
from ui.update_site import INSTALLER, KEY, UpdateSite

INSTALLED = "1.2.3"
GENERIC_HEADERS = {"host", "accept", "accept-encoding", "connection", "user-agent"}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[UpdateSite]:
    with UpdateSite(tmp_path / "site") as running:
        yield running


@pytest.fixture
def nothing_runs(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every way the app could start or open a downloaded file records the attempt instead."""
    attempts: list[object] = []

    def record(*args: Any, **kwargs: Any) -> None:
        attempts.append(args)
        raise AssertionError(f"something tried to run or open {args!r}")

    monkeypatch.setattr(subprocess, "Popen", record)
    monkeypatch.setattr(os, "system", record)
    monkeypatch.setattr(os, "startfile", record, raising=False)
    monkeypatch.setattr(os, "execv", record)
    monkeypatch.setattr(QDesktopServices, "openUrl", record)
    return attempts


def service_for(
    site: UpdateSite, preferences: Preferences, policy: UpdatePolicy | None = None
) -> UpdateService:
    checker = UpdateChecker(
        policy or UpdatePolicy(manifest_url=site.manifest_url),
        installed_version=INSTALLED,
        trusted_keys=[KEY],
    )
    return UpdateService(checker, preferences)


def choose_folder_answers(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[str]:
    """The folder dialog answers `folder`; returns the start folders it was opened with."""
    starts: list[str] = []

    def answer(_parent: object, _title: str, start: str) -> str:
        starts.append(start)
        return str(folder)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", answer)
    return starts


def test_a_newer_signed_version_is_offered_and_downloaded_verified_but_never_run(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
    preferences: Preferences,
    site: UpdateSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    nothing_runs: list[object],
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    controller = make_controller(open_desk("updates"))
    service = service_for(site, preferences)
    controller.window_changed.connect(
        lambda window: attach_updates(window, service)
    )  # as the app wires it at start
    main = enrol(qtbot, controller, relay, relay.new_org("Stichting Nieuw"), username="nieuw").main
    notice = main.findChild(UpdateNotice)
    assert notice is not None and not notice.isVisible()
    payload = site.publish("1.2.4")
    service.start()  # automatic: at start (the preference is on by default)
    qtbot.waitUntil(notice.isVisible, timeout=TIMEOUT_MS)
    assert notice.text.text() == "Versie 1.2.4 is beschikbaar."
    assert notice.download.text() == "Downloaden…"
    box = main.settings.updates
    assert box.automatic.isChecked() and box.automatic.isEnabled()
    assert "Versie 1.2.4 is beschikbaar." in box.status.text()
    # The check asked for the manifest only, with nothing about the counsellor, relay or organisation.
    [request] = site.requests
    assert (request.method, request.path) == ("GET", "/releases/manifest.json")
    assert set(request.headers) <= GENERIC_HEADERS
    assert request.headers["user-agent"] == f"OpgeluchtDesk/{__version__}"
    sent = " ".join([request.path, *request.headers.values()])
    for private in ("nieuw", "Nieuw", str(relay.port), "Jan"):
        assert private not in sent
    # Nothing is downloaded until the counsellor asks; then into the chosen folder, verified.
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    starts = choose_folder_answers(monkeypatch, downloads)
    QTest.mouseClick(notice.download, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "Geverifieerd installatiebestand opgeslagen in" in notice.text.text(), timeout=TIMEOUT_MS
    )
    assert str(downloads) in notice.text.text() and "installeert of opent het niet" in notice.text.text()
    assert starts == [str(downloads_folder())]  # the dialog opens in the user's Downloads folder
    assert (downloads / INSTALLER).read_bytes() == payload
    assert sorted(p.name for p in downloads.iterdir()) == [INSTALLER]
    assert (downloads / INSTALLER).stat().st_mode & 0o111 == 0
    assert not notice.download.isVisible()
    assert "Geverifieerd installatiebestand opgeslagen in" in box.status.text()
    assert [r.path for r in site.requests] == ["/releases/manifest.json", "/releases/" + INSTALLER]
    assert all(set(r.headers) <= GENERIC_HEADERS for r in site.requests)
    assert nothing_runs == []
    QTest.mouseClick(notice.close_button, Qt.MouseButton.LeftButton)
    assert not notice.isVisible()
    run(service.stop())


def test_a_mismatching_download_is_deleted_with_an_error(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    translations: Translations,
    preferences: Preferences,
    site: UpdateSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    nothing_runs: list[object],
) -> None:
    payload = site.publish("1.2.4")
    service = service_for(site, preferences)
    notice = UpdateNotice(service)
    qtbot.addWidget(notice)
    service.check_now()
    qtbot.waitUntil(lambda: service.offer is not None, timeout=TIMEOUT_MS)
    notice.show()
    assert notice.text.text() == "Versie 1.2.4 is beschikbaar."
    site.replace_installer(payload[:-1] + bytes([payload[-1] ^ 1]))  # the mirror serves another file
    folder = tmp_path / "Downloads"
    folder.mkdir()
    choose_folder_answers(monkeypatch, folder)
    QTest.mouseClick(notice.download, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "is verwijderd" in notice.text.text(), timeout=TIMEOUT_MS)
    assert "kwam niet overeen met de ondertekende release-informatie" in notice.text.text()
    assert "Er is niets geïnstalleerd" in notice.text.text()
    assert list(folder.iterdir()) == []  # neither the file nor a partial download
    assert nothing_runs == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("tampered", "niet ondertekend door Opgelucht"),
        ("unsigned", "beschadigd"),
        ("downgrade", "biedt een oudere versie aan"),
        ("expired", "verlopen"),
    ],
)
def test_a_refused_manifest_is_a_warning_in_settings_and_never_an_offer(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    translations: Translations,
    preferences: Preferences,
    site: UpdateSite,
    change: str,
    reason: str,
) -> None:
    if change == "downgrade":
        site.publish("1.2.2")
    elif change == "expired":
        site.publish("1.2.4", issued=1_700_000_000)
    else:
        site.publish("1.2.4")
        manifest = site.root / "releases" / "manifest.json"
        data = manifest.read_bytes()
        site.write_manifest(data.replace(b'"sig"', b'"sag"') if change == "unsigned" else _tampered(data))
    service = service_for(site, preferences)
    box, notice = UpdateBox(), UpdateNotice(service)
    qtbot.addWidget(box)
    qtbot.addWidget(notice)
    box.bind(service)
    QTest.mouseClick(box.check_now, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Waarschuwing" in box.status.text(), timeout=TIMEOUT_MS)
    assert "de update-informatie is geweigerd" in box.status.text() and reason in box.status.text()
    assert "Er wordt geen update aangeboden" in box.status.text()
    assert service.offer is None and not box.download.isVisibleTo(box) and notice.isHidden()


def _tampered(data: bytes) -> bytes:
    envelope = json.loads(data)
    envelope["body"] = b64e(b64d(envelope["body"]).replace(b'"1.2.4"', b'"9.9.9"'))
    return json.dumps(envelope).encode()


def test_the_same_version_is_no_offer(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    translations: Translations,
    preferences: Preferences,
    site: UpdateSite,
) -> None:
    site.publish(INSTALLED)
    service = service_for(site, preferences)
    box = UpdateBox()
    qtbot.addWidget(box)
    box.bind(service)
    service.check_now()
    qtbot.waitUntil(lambda: "Dit is de nieuwste versie" in box.status.text(), timeout=TIMEOUT_MS)
    assert service.offer is None and not box.download.isVisibleTo(box)


def test_it_turned_off_shows_the_reason_and_sends_nothing(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    translations: Translations,
    preferences: Preferences,
    site: UpdateSite,
) -> None:
    site.publish("1.2.4")
    off = UpdatePolicy(manifest_url=site.manifest_url, it_disabled=True, it_source="updates in config.toml")
    service = service_for(site, preferences, off)
    box = UpdateBox()
    qtbot.addWidget(box)
    box.bind(service)
    box.show()
    service.start()
    assert not box.automatic.isEnabled() and not box.automatic.isChecked()
    assert box.automatic.text() == "Automatisch controleren op updates"
    assert box.reason.isVisible() and box.reason.text() == "Uitgeschakeld door uw IT-afdeling"
    assert not box.check_now.isEnabled() and box.check_now.text() == "Nu controleren"
    service.check_now()  # even a direct call does nothing
    qtbot.wait(300)
    assert site.requests == []
    assert preferences.update_check  # the user's own choice is kept for when IT turns it on again


def test_the_users_toggle_stops_the_automatic_check(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    translations: Translations,
    preferences: Preferences,
    site: UpdateSite,
) -> None:
    site.publish("1.2.4")
    service = service_for(site, preferences)
    box = UpdateBox()
    qtbot.addWidget(box)
    box.bind(service)
    box.show()
    QTest.mouseClick(box.automatic, Qt.MouseButton.LeftButton)  # off
    assert not preferences.update_check and not service.checker.automatic
    service.start()  # the next start keeps it off
    qtbot.wait(300)
    assert site.requests == []
    QTest.mouseClick(box.check_now, Qt.MouseButton.LeftButton)  # "Check now" still works
    qtbot.waitUntil(lambda: service.offer is not None, timeout=TIMEOUT_MS)
    assert len(site.requests) == 1


def test_active_sessions_sign_out_the_other_session(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
) -> None:
    controller = make_controller(open_desk("sessions"))
    enrolled = enrol(qtbot, controller, relay, relay.new_org("Stichting Sessie"), username="sessie")
    main = enrolled.main
    # The counsellor also logs in elsewhere (another computer, a browser of an attacker…).
    login = httpx.post(
        relay.url + "/v1/auth/login",
        json={"username": "sessie", "password": PASSWORD, "totp_code": relay.totp(enrolled.totp_secret)},
    )
    assert login.status_code == 200
    other = {"Authorization": f"Bearer {login.json()['token']}"}
    assert httpx.get(relay.url + "/v1/auth/sessions", headers=other).status_code == 200
    box = main.settings.sessions
    main.tabs.setCurrentWidget(main.settings)
    qtbot.waitUntil(lambda: len(box.sessions) == 2, timeout=TIMEOUT_MS)
    assert box.title() == "Actieve sessies"
    texts = [label.text() for label in box.list_host.findChildren(type(box.explain))]
    assert len(texts) == 2 and texts[0].startswith("Deze computer: Aangemeld op ")
    assert sum(t.startswith("Deze computer") for t in texts) == 1
    [(other_id, button)] = box.rows.items()
    assert button.text() == "Afmelden"
    current = next(s for s in box.sessions if s.current)
    assert other_id != current.session_id
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.feedback.text() == "De sessie is afgemeld.", timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: [s.session_id for s in box.sessions] == [current.session_id], timeout=TIMEOUT_MS)
    assert box.rows == {}
    # The relay refuses the ended session's token; this computer's session still works.
    assert httpx.get(relay.url + "/v1/auth/sessions", headers=other).status_code == 401
    QTest.mouseClick(box.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.loading, timeout=TIMEOUT_MS)
    assert [s.session_id for s in box.sessions] == [current.session_id] and box.feedback.text() == ""
