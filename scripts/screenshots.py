"""Render the main screens of Opgelucht Desk to PNG files in docs/screenshots/ (offscreen).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--language nl|en] [--out DIR]

Realistic demo data comes the real way: a local relay (the test relay of tests/ui, on 127.0.0.1),
the reference reporter client (the mobile app) writing messages, and the desk enrolled through its
own wizard. Nothing is faked in the widgets.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pypdfium2 as pdfium  # noqa: E402
import qasync  # noqa: E402
from keyrings.alt.file import EncryptedKeyring  # noqa: E402
from kit.relay import RelayServer  # type: ignore[import-not-found]  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from opgelucht_desk.core.annual_report import Period  # noqa: E402
from opgelucht_desk.core.desk import Desk, DeskConfig  # noqa: E402
from opgelucht_desk.core.keystore import TEST_KDF  # noqa: E402
from opgelucht_desk.core.model import Category, Presentation, Status  # noqa: E402
from opgelucht_desk.ui.attachments import AttachmentViewer  # noqa: E402
from opgelucht_desk.ui.controller import Controller  # noqa: E402
from opgelucht_desk.ui.enrolment import EnrolmentWizard  # noqa: E402
from opgelucht_desk.ui.i18n import Translations  # noqa: E402
from opgelucht_desk.ui.login import LoginWindow  # noqa: E402
from opgelucht_desk.ui.main_window import MainWindow  # noqa: E402
from opgelucht_desk.ui.preferences import Preferences  # noqa: E402
from opgelucht_desk.ui.stats import recent_periods  # noqa: E402
from opgelucht_desk.ui.style import apply_style  # noqa: E402
from opgelucht_relay.clock import unix  # noqa: E402
from opgelucht_reporter.client import ReporterClient  # noqa: E402
from opgelucht_reporter.files import prepare_file  # noqa: E402

# The register's demo cases: (category, status, type of help), used in turn.
REGISTER_CASES = [
    (Category.PESTEN, Status.CLOSED, "advies"),
    (Category.SEKSUELE_INTIMIDATIE, Status.OPEN, "ondersteuning"),
    (Category.AGRESSIE_GEWELD, Status.CLOSED, "bemiddeling"),
    (Category.DISCRIMINATIE, Status.CLOSED, "advies"),
    (Category.PESTEN, Status.OPEN, "doorverwijzing"),
    (Category.INTEGRITEIT, Status.CLOSED, "formele_klacht"),
    (Category.OVERIG, Status.CLOSED, "advies"),
]
PASSWORD = "paars fietsje drijft op de gracht"  # noqa: S105 - demo account on a throwaway relay
CONVERSATIONS = [
    (
        "Merel",
        "25-34",
        "vrouw",
        Status.OPEN,
        Category.PESTEN,
        [
            "Hoi, ik weet niet goed waar ik moet beginnen.",
            "Een collega maakt al weken opmerkingen over mijn uiterlijk waar anderen bij zijn.",
        ],
        "Dank je dat je dit meldt, Merel. Wil je vertellen wanneer het begonnen is?",
    ),
    ("Bas", "35-44", "man", Status.NEW, None, ["Mag ik iets vragen over een integriteitskwestie?"], None),
    (
        "Fatima",
        "45-54",
        None,
        Status.OPEN,
        Category.DISCRIMINATIE,
        [
            "Bij het inroosteren word ik steeds overgeslagen.",
        ],
        "Dat klinkt vervelend. Zullen we een afspraak maken om het te bespreken?",
    ),
    (
        "Anoniem-17",
        None,
        None,
        Status.CLOSED,
        Category.OVERIG,
        ["Bedankt voor het gesprek, het is opgelost."],
        None,
    ),
]


async def until(condition: Callable[[], bool]) -> None:
    """Let Qt and asyncio run until `condition` holds (the script's equivalent of qtbot.waitUntil)."""
    async with asyncio.timeout(30):
        while not condition():  # noqa: ASYNC110 - a Qt widget state, no asyncio.Event exists for it
            await asyncio.sleep(0.02)


async def save(widget: QWidget, out: Path, name: str) -> None:
    await asyncio.sleep(0.1)  # let layouts, pending events and repaints settle (no nested event loop)
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def evidence_screenshot() -> bytes:
    """A made-up phone screenshot of a chat, with a camera-like EXIF block the reporter client strips."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (540, 720), (236, 229, 221))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 540, 70), fill=(7, 94, 84))
    draw.text((24, 26), "Teamchat Locatie Noord", fill=(255, 255, 255))
    bubbles = [
        (30, 110, "Leuk feestje gisteren he ;)"),
        (30, 200, "Je moet vaker zo'n jurkje aan"),
        (30, 290, "Waarom reageer je niet?"),
        (30, 380, "Ik weet waar je woont hoor"),
    ]
    for x, y, text in bubbles:
        draw.rounded_rectangle((x, y, x + 380, y + 64), radius=12, fill=(255, 255, 255))
        draw.text((x + 16, y + 24), text, fill=(20, 20, 20))
    exif = Image.Exif()
    exif[0x0110] = "Phone Model X"
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif.tobytes())
    return out.getvalue()


async def reporters_write(tmp: Path, relay: RelayServer, code: str) -> list[tuple[ReporterClient, uuid.UUID]]:
    clock = lambda: unix(relay.clock.now())  # noqa: E731
    out = []
    for pseudonym, age, gender, _status, _category, texts, _reply in CONVERSATIONS:
        reporter = ReporterClient(tmp / f"{pseudonym}.json", clock=clock)
        await reporter.join(code, relay_url=relay.url)
        reporter.set_profile(pseudonym, age_category=age, gender=gender)
        conv_id = await reporter.open_conversation()
        for text in texts:
            await reporter.say(conv_id, text)
            relay.clock.advance(minutes=7)
        out.append((reporter, conv_id))
    return out


async def make_screens(out: Path, language: str, tmp: Path) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translations = Translations()
    translations.switch(language)
    relay = RelayServer(tmp / "relay")
    relay.clock.set(datetime.now(UTC).replace(hour=9, minute=12, second=0, microsecond=0))
    relay.start()
    try:
        keyring = EncryptedKeyring()
        keyring.file_path = str(tmp / "keyring.cfg")
        keyring.keyring_key = "screenshots"
        config = DeskConfig(
            data_dir=tmp / "desk",
            keyring_backend=keyring,
            kdf=TEST_KDF,
            clock=lambda: unix(relay.clock.now()),
            poll_interval=0.5,
        )
        desk = await Desk.open(config)
        prefs = Preferences(tmp / "prefs")
        controller = Controller(desk, prefs, translations, None)
        controller.start()

        # Enrolment wizard: the account page with strength feedback, then the TOTP page with its QR code.
        wizard = controller.window
        assert isinstance(wizard, EnrolmentWizard)
        wizard.relay_page.relay.setText(relay.url)
        wizard.relay_page.invitation.setText(relay.new_org("Zorggroep Rivierenland"))
        wizard.next()
        page = wizard.account_page
        page.username.setText("jdevries")
        page.display_name.setText("Jan de Vries")
        page.password.setText(PASSWORD)
        page.repeat.setText(PASSWORD)
        await save(wizard, out, "enrolment-account")
        wizard.next()
        await until(lambda: wizard.currentPage() is wizard.totp_page)
        challenge = page.challenge
        assert challenge is not None
        await save(wizard, out, "enrolment-totp")
        wizard.totp_page.code.setText(relay.totp(challenge.totp_secret))
        wizard.next()
        await until(lambda: wizard.currentPage() is wizard.safety_page)
        await save(wizard, out, "enrolment-safety-number")
        wizard.accept()
        await until(lambda: isinstance(controller.window, MainWindow))

        # A colleague (enrolled headless) and how both present themselves to employees (Settings).
        colleague_keyring = EncryptedKeyring()
        colleague_keyring.file_path = str(tmp / "keyring-anouk.cfg")
        colleague_keyring.keyring_key = "screenshots"
        anouk = await Desk.open(
            DeskConfig(
                data_dir=tmp / "anouk",
                keyring_backend=colleague_keyring,
                kdf=TEST_KDF,
                clock=lambda: unix(relay.clock.now()),
            )
        )
        anouk_challenge = await anouk.enrol_start(
            relay.url, await desk.invite(), "ajansen", "Anouk Jansen", PASSWORD
        )
        await anouk.enrol_finish(anouk_challenge, relay.totp(anouk_challenge.totp_secret))
        await anouk.set_presentation(
            Presentation(
                role="extern", availability={"nl": "afwezig tot 12 januari", "en": "away until 12 January"}
            )
        )
        await desk.set_presentation(
            Presentation(
                role="intern",
                intro={
                    "nl": "Ik werk twintig jaar in de zorg en ben sinds 2022 vertrouwenspersoon.",
                    "en": "I have worked in care for twenty years and have been a counsellor since 2022.",
                },
                availability={"nl": "ma t/m do bereikbaar", "en": "available Monday to Thursday"},
            )
        )
        await desk.publish_roster()
        assert anouk.account is not None
        anouk_id = anouk.account.counsellor_id

        # Demo data through the real paths: org codes, reporters writing, the counsellor answering.
        codes = [await desk.create_code(label) for label in ("Locatie Noord", "Locatie Zuid", "Thuiszorg")]
        written = await reporters_write(tmp, relay, codes[0].code)
        # More employees join: "Locatie Zuid" (12 devices) is published; "Thuiszorg" (6) is suppressed
        # along with "Locatie Noord" (4 < 5) so that no subtraction reveals Noord. They use the app next
        # month (a device counts once it is established: docs/stats.md).
        users: list[ReporterClient] = []
        for code, devices in ((codes[1].code, 12), (codes[2].code, 6)):
            for i in range(devices):
                reporter = ReporterClient(tmp / f"{code}-{i}.json", clock=lambda: unix(relay.clock.now()))
                await reporter.join(code, relay_url=relay.url)
                users.append(reporter)
        await until(lambda: len(desk.conversations()) == len(CONVERSATIONS))
        await desk.sync_now()
        by_name = {c.pseudonym: c for c in desk.conversations()}
        for pseudonym, _age, _gender, status, category, _texts, reply in CONVERSATIONS:
            conv = by_name[pseudonym]
            if reply:
                await desk.reply(conv.conv_id, reply)
            if status is not Status.NEW:
                await desk.set_status(conv.conv_id, status)
            if category is not None:
                await desk.set_category(conv.conv_id, category)
            if status is Status.CLOSED:
                await desk.mark_read(conv.conv_id)
        await desk.add_note(by_name["Merel"].conv_id, "Vervolggesprek gepland voor donderdag.")
        await desk.flush_outbox()
        merel_reporter, merel_conv = written[0]
        relay.clock.advance(minutes=20)
        await merel_reporter.say(merel_conv, "In maart, na de afdelingsborrel. Sindsdien elke week wel iets.")
        await desk.sync_now()
        await until(
            lambda: any(m.text.startswith("In maart") for m in desk.messages(by_name["Merel"].conv_id))
        )

        main = controller.window
        assert isinstance(main, MainWindow)
        main.resize(1320, 780)  # the default size (the offscreen screen is smaller: 800 x 800)
        main.inbox.refresh()
        main.inbox.select(by_name["Merel"].conv_id)
        inbox = main.inbox
        await until(lambda: inbox.conversation.title.text() == "Merel")
        main.inbox.conversation.reply.setPlainText("Wat vervelend. Heb je dit ook aan je leidinggevende")
        await save(main, out, "inbox")
        main.inbox.conversation.reply.clear()

        # Who reads: an employee chooses Jan only; Jan asks to bring in Anouk, then the employee agrees.
        sanne = ReporterClient(tmp / "sanne.json", clock=lambda: unix(relay.clock.now()))
        await sanne.join(codes[1].code, relay_url=relay.url)
        sanne.set_profile("Sanne", age_category="<25")
        sanne_conv = await sanne.open_conversation(to=["Jan de Vries"])
        relay.clock.advance(minutes=3)
        await sanne.say(sanne_conv, "Ik wil dit liever alleen met Jan bespreken.")
        await desk.sync_now()
        await until(lambda: any(c.conv_id == sanne_conv for c in desk.conversations()))
        await desk.reply(sanne_conv, "Dat kan. Ik ben straks twee weken weg; mag Anouk dan meelezen?")
        await desk.request_handover(sanne_conv, anouk_id)
        await desk.sync_now()
        main.inbox.refresh()
        main.inbox.select(sanne_conv)
        await until(lambda: inbox.conversation.title.text() == "Sanne")
        await until(lambda: inbox.conversation.handover_state.isVisible())
        await save(main, out, "conversation-handover-asked")
        await sanne.read(sanne_conv)
        [asked] = sanne.handover_requests(sanne_conv)
        await sanne.answer_handover(sanne_conv, asked.request_id, accept=True)
        await desk.sync_now()
        await desk.sync_now()
        main.inbox.refresh()
        main.inbox.select(sanne_conv)
        await until(lambda: "Anouk" in inbox.conversation.readers.text())
        await save(main, out, "conversation-readers")
        await sanne.aclose()
        await anouk.close()

        # An evidence file: Merel sends a screenshot (stripped, encrypted); the desk shows the verified,
        # re-encoded thumbnail, and the viewer shows the re-encoded image.
        relay.clock.advance(minutes=3)
        prepared = prepare_file(evidence_screenshot())
        await merel_reporter.send_file(merel_conv, prepared.data, prepared.media_type)
        await desk.sync_now()
        main.inbox.refresh()
        main.inbox.select(by_name["Merel"].conv_id)
        await until(lambda: inbox.conversation.title.text() == "Merel")
        conversation = main.inbox.conversation
        await until(lambda: any(b.attachment is not None for b in conversation._bubbles))
        box = next(b.attachment for b in conversation._bubbles if b.attachment is not None)
        assert box is not None
        await until(lambda: box.rendering is not None or box.problem is not None)
        conversation.reply.clear()
        conversation._scroll_to_end()
        await save(main, out, "attachment")
        box.view()
        viewer = next(w for w in app.topLevelWidgets() if isinstance(w, AttachmentViewer) and w.isVisible())
        await save(viewer, out, "attachment-viewer")
        viewer.close()

        # Login window (after a lock), then next month: statistics become available.
        controller.lock()
        await until(
            lambda: (
                isinstance(controller.window, LoginWindow) and controller.window.button.isEnabled() is False
            )
        )
        login = controller.window
        assert isinstance(login, LoginWindow)
        await save(login, out, "login")
        # Next month every device uses the app on two days; the month after, its figures are published.
        usage_month = (relay.clock.now().replace(day=28) + timedelta(days=5)).replace(day=2, hour=9)
        relay.clock.set(usage_month)
        for _day in range(2):
            for reporter in users:
                await reporter.send_events(
                    [("screen", "home", 4), ("article", "wat-is-een-vertrouwenspersoon", 2)]
                )
            for reporter, _conv in written:
                await reporter.send_events([("screen", "home", 3), ("screen", "chat", 2)])
            relay.clock.advance(timedelta(days=1))
        for reporter in users:
            await reporter.aclose()
        relay.clock.set((usage_month.replace(day=28) + timedelta(days=5)).replace(day=1, hour=9))
        await until(lambda: login._busy is False)
        await desk.login(PASSWORD, relay.totp(challenge.totp_secret))
        login.unlocked.emit()
        await until(lambda: isinstance(controller.window, MainWindow))
        main = controller.window
        assert isinstance(main, MainWindow)
        main.resize(1320, 780)
        main.stats.set_periods(recent_periods(relay.clock.now().date()))
        main.tabs.setCurrentWidget(main.stats)
        await until(lambda: main.stats.report is not None)
        await save(main, out, "statistics")

        # The annual report: more employees report this month, at every location; the counsellor sorts
        # them (category, status, type of help). Per code: Zuid 8 shown, Noord (3) and Thuiszorg (6)
        # hidden together so that the exact total does not reveal Noord.
        await desk.publish_roster()  # the 14-day roster of the enrolment ran out meanwhile
        kinds = list(REGISTER_CASES)
        register_reporters: list[ReporterClient] = []
        by_conv: dict[str, tuple[Category, Status, str]] = {}
        for code, count in ((codes[1].code, 8), (codes[2].code, 6), (codes[0].code, 3)):
            for i in range(count):
                reporter = ReporterClient(tmp / f"reg-{code}-{i}.json", clock=lambda: unix(relay.clock.now()))
                await reporter.join(code, relay_url=relay.url)
                reporter.set_profile(f"Melder {len(register_reporters) + 1}")
                conv = await reporter.open_conversation()
                await reporter.say(conv, "Ik wil graag iets bespreken.")
                register_reporters.append(reporter)
                by_conv[str(conv)] = kinds[len(by_conv) % len(kinds)]
                relay.clock.advance(minutes=2)
        await until(lambda: set(by_conv) <= {str(c.conv_id) for c in desk.conversations()})
        for conv_id, (category, status, help_type) in by_conv.items():
            await desk.set_category(conv_id, category)
            await desk.set_status(conv_id, status)
            await desk.register().set_help_type(conv_id, help_type)
        await desk.flush_outbox()
        await desk.sync_now()
        await desk.register().sync()
        main.tabs.setCurrentWidget(main.annual)
        await until(lambda: main.annual.report is not None and main.annual.report.cases == len(by_conv))
        await save(main, out, "annual-report")
        pdf = tmp / "jaarverslag.pdf"
        year = relay.clock.now().year
        await desk.register().save_pdf(pdf, Period.year(year), "en" if language == "en" else "nl", True)
        document = pdfium.PdfDocument(pdf.read_bytes())
        try:
            document[0].render(scale=110 / 72).to_pil().save(out / "annual-report-pdf.png")
        finally:
            document.close()
        for reporter in register_reporters:
            await reporter.aclose()
        admin = main.admin
        assert admin is not None
        main.tabs.setCurrentWidget(admin)
        await until(lambda: len(admin.codes.codes) == 3 and len(admin.counsellors.counsellors) == 2)
        await save(main, out, "admin-counsellors")
        admin.tabs.setCurrentWidget(admin.codes)
        admin.codes.table.selectRow(0)
        await save(main, out, "admin-codes")
        main.tabs.setCurrentWidget(main.settings)
        main.settings.show_stored()
        await save(main, out, "settings")
        dialog = main.settings.presentation
        dialog.open_and_load()
        await until(lambda: dialog.box.role.text() == "intern")
        await save(dialog, out, "settings-presentation")
        dialog.close()
        for reporter, _conv in written:
            await reporter.aclose()
        await controller.shutdown()
    finally:
        relay.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=["nl", "en"], default="nl")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    apply_style(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as tmp, loop:
        loop.run_until_complete(make_screens(args.out, args.language, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
