"""Runs the real `opgelucht_desk.__main__.main()` in this process and drives its windows as a person
would: keyboard and mouse events (QTest) on the widgets that are on screen, nothing called behind the
UI's back. The employee is the reference reporter client, run as its own `opgelucht-reporter` process.

    python tests/e2e/desk_driver.py RELAY_URL INVITATION ORG_CODE WORK_DIR -- [opgelucht-desk args]

Prints one `stage: NAME` line per step reached (the test checks them, and that the process is alive
after enrolment), `notification: TITLE | BODY` per notification shown, then exits with main()'s code.
Every wait polls what is on screen with a bounded deadline; no fixed sleeps.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pyotp
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget, QWizard

from opgelucht_desk.__main__ import main
from opgelucht_desk.ui.enrolment import EnrolmentWizard
from opgelucht_desk.ui.login import LoginWindow
from opgelucht_desk.ui.main_window import MainWindow
from opgelucht_desk.ui.notifications import Notifier

PASSWORD = "paars fietsje drijft op de gracht"
FIRST = "Mijn leidinggevende E2E-KANARIE-1 maakt steeds opmerkingen"
SECOND = "Het gebeurde weer, E2E-KANARIE-2"
REPLY = "Dank voor je bericht. Wil je vertellen wat er gebeurde?"
PSEUDONYM = "Merel-E2E-KANARIE"
STEP_TIMEOUT = 30.0
POLL = 0.05
W = TypeVar("W", bound=QWidget)


def stage(name: str) -> None:
    print(f"stage: {name}", flush=True)


async def wait_for(what: str, probe: Callable[[], W | bool | None], within: float = STEP_TIMEOUT) -> W:
    """Poll `probe` (what is on screen) until it returns something truthy, at most `within` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        found = probe()
        if found:
            return found  # type: ignore[return-value]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(POLL)


def top(kind: type[W]) -> W | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and widget.isVisible():
            return widget
    return None


def click(widget: QWidget, pos: QPoint | None = None) -> None:
    assert widget.isVisible() and widget.isEnabled(), f"{widget.objectName() or widget} is not clickable"
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos or QPoint())


def type_into(widget: QWidget, text: str, *, click_at_middle: bool = False) -> None:
    """Click into the field (at its middle if asked: where a person's click lands) and type."""
    if click_at_middle:
        click(widget, widget.rect().center())
    else:
        widget.setFocus(Qt.FocusReason.MouseFocusReason)
    QTest.keyClicks(widget, text)


def screen_texts() -> str:
    return "\n".join(w.text() for w in QApplication.allWidgets() if isinstance(w, QLabel) and w.isVisible())


async def reporter(work: Path, *args: str) -> str:
    """One run of the reference reporter client (the employee's app), as its own process."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from opgelucht_reporter.cli import main; main()",
        "--state", str(work / "reporter.json"), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), STEP_TIMEOUT)
    assert proc.returncode == 0, f"opgelucht-reporter {args[0]} failed: {err.decode()}"
    return out.decode()


async def enrol(relay_url: str, invitation: str) -> str:
    """The first counsellor walks the wizard; returns the TOTP secret as the wizard showed it."""
    wizard = await wait_for("the enrolment wizard", lambda: top(EnrolmentWizard))
    stage("wizard")
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    type_into(wizard.relay_page.relay, relay_url)
    type_into(wizard.relay_page.invitation, invitation)
    click(next_button)
    account = wizard.account_page
    await wait_for("the account page", lambda: wizard.currentPage() is account)
    for field, text in (
        (account.username, "jdevries"),
        (account.display_name, "Jan de Vries"),
        (account.password, PASSWORD),
        (account.repeat, PASSWORD),
    ):
        type_into(field, text)
    click(next_button)
    totp_page = wizard.totp_page
    await wait_for("the two-step verification page", lambda: wizard.currentPage() is totp_page)
    shown = totp_page.secret.text()  # "Of typ deze sleutel: ABCD EFGH …", in blocks of four
    secret = "".join(shown.split(":", 1)[1].split())
    assert len(secret) >= 16 and " " in shown.split(":", 1)[1].strip(), shown
    type_into(totp_page.code, pyotp.TOTP(secret).now(), click_at_middle=True)
    await wait_for("a complete code", lambda: next_button.isEnabled())
    click(next_button)
    await wait_for("the safety number page", lambda: wizard.currentPage() is wizard.safety_page, 60)
    stage("safety-number")
    click(wizard.button(QWizard.WizardButton.FinishButton))
    return secret


async def drive(relay_url: str, invitation: str, org_code: str, work: Path) -> None:
    await wait_for("the first window", lambda: top(EnrolmentWizard) or top(LoginWindow))
    # What the user sees of notifications: the app's Notifier reports each one it shows.
    notifier = next((o for o in gc.get_objects() if isinstance(o, Notifier)), None)
    assert notifier is not None, "no notifier"
    notifier.notified.connect(lambda title, body: print(f"notification: {title} | {body}", flush=True))

    secret = await enrol(relay_url, invitation)
    main_window = await wait_for("the inbox after Finish", lambda: top(MainWindow))
    stage("inbox")  # the test checks here that the process is still alive

    await reporter(work, "join", org_code, "--relay", relay_url, "--pseudonym", PSEUDONYM)
    await reporter(work, "say", "--new", FIRST)
    inbox = main_window.inbox
    await wait_for("the conversation in the inbox", lambda: inbox.model.rowCount() == 1)
    stage("received")
    index = inbox.model.index(0, 0)
    click(inbox.table.viewport(), inbox.table.visualRect(index).center())
    view = inbox.conversation
    await wait_for("the message on screen", lambda: FIRST in screen_texts())
    type_into(view.reply, REPLY)
    QTest.keyClick(view.reply, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    deadline = asyncio.get_running_loop().time() + STEP_TIMEOUT
    while REPLY not in await reporter(work, "read"):
        assert asyncio.get_running_loop().time() < deadline, "the reporter never received the reply"
        await asyncio.sleep(0.2)
    stage("replied")

    main_window.activateWindow()
    await wait_for("the main window to be active", lambda: main_window.isActiveWindow())
    QTest.keyClick(main_window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    login = await wait_for("the login window after Ctrl+L", lambda: top(LoginWindow))
    await wait_for("the lock to finish", lambda: top(MainWindow) is None)
    assert FIRST not in screen_texts() and PSEUDONYM not in screen_texts()
    stage("locked")
    await reporter(work, "say", SECOND)
    stage("sent-while-locked")

    # Unlock: type the password, paste the code as an authenticator app copies it ("123 456").
    type_into(login.password, PASSWORD)
    # The next time step's code (the relay accepts one step of drift): the current one was used at
    # enrolment, and the relay refuses a code twice.
    code = pyotp.TOTP(secret).at(int(time.time()) + 30)
    QGuiApplication.clipboard().setText(f"{code[:3]} {code[3:]}")
    click(login.code, login.code.rect().center())
    QTest.keyClick(login.code, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert login.code.text() == code, f"pasted code became {login.code.text()!r}"
    await wait_for("the log-in button", lambda: login.button.isEnabled())
    click(login.button)
    main_window = await wait_for("the inbox after unlocking", lambda: top(MainWindow))
    stage("unlocked")
    inbox = main_window.inbox
    await wait_for("the conversation after unlocking", lambda: inbox.model.rowCount() == 1)
    click(inbox.table.viewport(), inbox.table.visualRect(inbox.model.index(0, 0)).center())
    await wait_for("the message sent while locked", lambda: SECOND in screen_texts())
    stage("received-while-locked")

    main_window.close()  # what × does
    stage("closing")


def run() -> int:
    args = sys.argv[1:]
    split = args.index("--")
    relay_url, invitation, org_code, work = args[:split]
    app_args = args[split + 1 :]
    # main() uses this application; the timer fires once main() runs Qt's event loop.
    app = QApplication(sys.argv[:1])

    def start() -> None:
        def done(task: asyncio.Task[None]) -> None:
            if not task.cancelled() and task.exception() is not None:
                # End at once: the app may be in any state, and the test reports what was reached.
                print(f"driver failed: {task.exception()!r}", file=sys.stderr, flush=True)
                sys.stdout.flush()
                os._exit(98)

        task = asyncio.ensure_future(drive(relay_url, invitation, org_code, Path(work)))
        task.add_done_callback(done)

    QTimer.singleShot(0, start)
    code = main(app_args)
    stage(f"exited {code}")
    del app
    return code


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(run())
