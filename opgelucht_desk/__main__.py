"""Start Opgelucht Desk: `opgelucht-desk [--data-dir DIR] [--language nl|en] [--smoke-test]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from opgelucht_desk.core.desk import default_data_dir

SMOKE_TEST_EVENT_ROUNDS = 20


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="opgelucht-desk", description="Opgelucht Desk for confidential counsellors"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default_data_dir(),
        help="directory of the encrypted local cache and preferences (default: the per-user data directory)",
    )
    parser.add_argument(
        "--language", choices=["nl", "en"], help="user interface language (default: the saved choice, Dutch)"
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="start, show the login or enrolment window, process events and exit 0 (packaging check)",
    )
    return parser.parse_args(list(argv))


async def run(args: argparse.Namespace, closing: asyncio.Event) -> int:
    # Imported here so that `--help` works without Qt plugins and the import cost counts in start-up only.
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication, QMessageBox

    from opgelucht_desk.core.desk import Desk, DeskConfig
    from opgelucht_desk.core.errors import KeyringUnavailableError
    from opgelucht_desk.preset import PresetError, relay_url_preset
    from opgelucht_desk.ui.controller import Controller
    from opgelucht_desk.ui.i18n import Translations
    from opgelucht_desk.ui.main_window import attach_updates
    from opgelucht_desk.ui.messages import describe_error
    from opgelucht_desk.ui.preferences import Preferences
    from opgelucht_desk.ui.update_notice import UpdateService
    from opgelucht_desk.update_check import UpdateChecker, UpdatePolicy

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    preferences = Preferences(args.data_dir)
    translations = Translations()
    translations.switch(args.language or preferences.language)
    try:
        preset = relay_url_preset()
    except PresetError as exc:
        print(f"opgelucht-desk: {exc}", file=sys.stderr)
        if args.smoke_test:
            return 2
        QMessageBox.critical(
            None,
            "Opgelucht Desk",
            QCoreApplication.translate("Main", "The relay set by IT is unusable: %1").replace("%1", str(exc)),
        )
        return 2
    relay_url = preset.url if preset is not None else None
    try:
        desk = await Desk.open(DeskConfig(data_dir=args.data_dir, relay_url=relay_url, ca_bundle=None))
    except KeyringUnavailableError as exc:
        # The message names the fix (which keyring to install or unlock).
        text = describe_error(exc)
        print(f"opgelucht-desk: {exc}", file=sys.stderr)
        if not args.smoke_test:
            QMessageBox.critical(None, "Opgelucht Desk", text)
        return 3
    controller = Controller(desk, preferences, translations, relay_url)
    controller.quit_requested.connect(closing.set)
    updates = UpdateService(UpdateChecker(UpdatePolicy.from_preset()), preferences)
    controller.window_changed.connect(
        lambda window: attach_updates(window, updates)
    )  # the notice and the Settings box of each main window
    controller.start()
    if args.smoke_test:  # a packaging check: it asks no update site anything
        for _ in range(SMOKE_TEST_EVENT_ROUNDS):
            app.processEvents()
            await asyncio.sleep(0.01)
        window = controller.window
        shown = window is not None and window.isVisible()
        name = type(window).__name__
        await controller.shutdown()
        print(f"smoke test: {name} shown" if shown else "smoke test: no window shown")
        return 0 if shown else 1
    updates.start()  # at start (if on), then daily; IT's preset can turn it off
    await closing.wait()
    await updates.stop()
    await controller.shutdown()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else list(argv)
    if given[:1] == ["--render-worker"]:  # a frozen bundle's render worker (core/safe_render.py)
        from opgelucht_desk.core import render_worker

        return render_worker.main()
    args = parse_args(given)
    import qasync
    from PySide6.QtWidgets import QApplication

    from opgelucht_desk.ui.style import apply_style

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Opgelucht Desk")
    app.setOrganizationName("Opgelucht")
    app.setDesktopFileName("opgelucht-desk")
    apply_style(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    # The app decides itself when to end: Qt's "quit on last window closed" fired when the enrolment
    # wizard closed before the inbox existed, and ended the app on "Finish". The explicit quit paths are
    # the Controller's quit_requested (× on the wizard, the login or the main window; the tray's Quit).
    app.setQuitOnLastWindowClosed(False)
    closing = asyncio.Event()
    app.aboutToQuit.connect(closing.set)
    with loop:
        code: int = loop.run_until_complete(run(args, closing))
    return code


if __name__ == "__main__":
    sys.exit(main())
