"""Files in the conversation view against a real relay and the reference reporter: the verified file
shows a thumbnail, the viewer shows the re-encoded pages, "Opslaan als…" saves the re-encoded copy, a
hostile file says why it is not shown, and the counsellor attaches a file to a reply."""

from __future__ import annotations

import io
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from kit.relay import RelayServer
from PIL import Image
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.ui.attachments import AttachmentBox, AttachmentViewer
from opgelucht_desk.ui.controller import Controller
from opgelucht_reporter.files import prepare_file
from ui.flows import TIMEOUT_MS, create_code, enrol, new_reporter

Run = Callable[[Coroutine[Any, Any, Any]], Any]


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (90, 20, 160)).save(out, "JPEG")
    return out.getvalue()


def test_attachments_in_the_conversation(
    qtbot: QtBot,
    relay: RelayServer,
    run: Run,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
    tmp_path: Path,
) -> None:
    desk = open_desk("counsellor")
    controller = make_controller(desk)
    main = enrol(qtbot, controller, relay, relay.new_org("Zorggroep Bijlagen")).main
    code = create_code(qtbot, main, "Locatie Noord")
    main.tabs.setCurrentWidget(main.inbox)
    inbox = main.inbox
    merel = run(new_reporter(tmp_path, relay, code, "Merel"))
    conv_id = run(merel.open_conversation())
    prepared = prepare_file(photo())
    run(merel.send_file(conv_id, prepared.data, prepared.media_type))
    run(merel.send_file(conv_id, b"%PDF-1.7 not really a pdf" + bytes(500), "image/png"))  # lying type
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=TIMEOUT_MS)
    inbox.table.selectRow(0)
    view = inbox.conversation

    def boxes() -> list[AttachmentBox]:
        return [b.attachment for b in view._bubbles if b.attachment is not None]

    qtbot.waitUntil(lambda: len(boxes()) == 2, timeout=TIMEOUT_MS)
    good, bad = boxes()
    qtbot.waitUntil(lambda: good.rendering is not None and bad.problem is not None, timeout=TIMEOUT_MS)
    assert good.thumbnail.pixmap() is not None and not good.thumbnail.pixmap().isNull()
    assert good.view_button.isEnabled() and good.save_button.isEnabled()
    assert good.info.text().startswith("Afbeelding · ")
    assert not bad.view_button.isEnabled()
    assert (
        bad.thumbnail.text()
        == "Het bestand is niet van het type dat het zegt te zijn; het wordt niet getoond."
    )

    good.view()
    viewer = next(w for w in qtbot_top_levels() if isinstance(w, AttachmentViewer))
    assert len(viewer.page_labels) == 1
    viewer.close()
    target = tmp_path / "kopie.jpg"
    good.save_to(target)
    qtbot.waitUntil(target.exists, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: target.stat().st_size > 0, timeout=TIMEOUT_MS)
    assert good.rendering is not None and target.read_bytes() == good.rendering.copy

    # The counsellor attaches a file to a reply; the reporter receives it.
    picture = tmp_path / "antwoord.jpg"
    picture.write_bytes(photo())
    view.attach_file(picture)
    qtbot.waitUntil(lambda: len(boxes()) == 3, timeout=TIMEOUT_MS)

    def reporter_has_file() -> bool:
        return any(m.file is not None and not m.from_me for m in run(merel.read(conv_id)))

    qtbot.waitUntil(reporter_has_file, timeout=TIMEOUT_MS)


def qtbot_top_levels() -> list[Any]:
    from PySide6.QtWidgets import QApplication

    return list(QApplication.topLevelWidgets())
