"""UI benchmarks: cold start to an unlocked inbox with 10,000 cached conversations, inbox scrolling and
search latency. Results go to docs/benchmarks.md, section "UI".

    .venv/bin/python bench/bench_ui.py [--conversations 10000] [--messages 10]

Set-up (not timed): a real relay on 127.0.0.1 (the UI tests' relay), a desk enrolled through the
core with the production key-protection cost, then N conversations with M messages each written into
its encrypted cache (as a finished sync would leave it). Timed: a fresh Python process that starts
Opgelucht Desk's UI, logs in (password + TOTP: Argon2id, relay login, cache decryption) and shows the
inbox; then, in that process, page-wise scrolling of the inbox table and searches.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
PASSWORD = "paars fietsje drijft op de gracht"  # noqa: S105 - throwaway benchmark account
KEYRING_KEY = "bench keyring"
WORDS = ["pesten", "vergadering", "leidinggevende", "rooster", "opmerking", "collega", "afdeling", "team"]


def _keyring(directory: Path) -> Any:
    from keyrings.alt.file import EncryptedKeyring

    backend = EncryptedKeyring()
    backend.file_path = str(directory / "keyring.cfg")
    backend.keyring_key = KEYRING_KEY
    return backend


# --- parent: set-up ------------------------------------------------------------------------------------
async def _prepare(tmp: Path, conversations: int, messages: int, relay: Any) -> str:
    """Enrol a desk, fill its cache; returns the TOTP secret."""
    from opgelucht_desk.core.cache import CACHE_FILENAME, EncryptedCache
    from opgelucht_desk.core.desk import Desk, DeskConfig
    from opgelucht_desk.core.inbox import ConversationRecord, MessageRecord
    from opgelucht_desk.core.keystore import Keystore, service_name
    from opgelucht_relay.clock import unix

    config = DeskConfig(
        data_dir=tmp / "desk", keyring_backend=_keyring(tmp), clock=lambda: unix(relay.clock.now())
    )
    desk = await Desk.open(config)
    challenge = await desk.enrol_start(relay.url, relay.new_org("Bench BV"), "bench", "Bench", PASSWORD)
    await desk.enrol_finish(challenge, relay.totp(challenge.totp_secret))
    account = desk.account
    assert account is not None
    await desk.close()
    keystore = Keystore(
        service_name(config.keyring_service, account.relay_url, account.username),
        config.data_dir / "keys.bin",
        config.keyring_backend,
    )
    secrets = await asyncio.to_thread(keystore.load, PASSWORD)
    cache = EncryptedCache(config.data_dir / CACHE_FILENAME, secrets.cache_key)
    now = unix(relay.clock.now())
    cursor = 0
    batch_c, batch_m = [], []
    for i in range(conversations):
        conv_id = str(uuid.uuid4())
        stored = now - (conversations - i) * 60
        batch_c.append(
            ConversationRecord(
                conv_id=conv_id,
                created_at=stored,
                last_activity=stored + messages,
                expires_at=stored + 31 * 86400,
                pseudonym=f"Melder-{i:05d}",
                age_category="25-34",
                status=("new", "open", "closed")[i % 3],
                category=(None, "pesten", "intimidatie", "overig")[i % 4],
                # The inbox counts a finished sync stores with each conversation (Inbox.refresh).
                unread=messages,
                chat_count=messages,
                oldest=stored,
            ).to_cache()
        )
        for j in range(messages):
            cursor += 1
            batch_m.append(
                MessageRecord(
                    conv_id=conv_id,
                    msg_id=str(uuid.uuid4()),
                    cursor=cursor,
                    stored_at=stored + j,
                    expires_at=stored + 31 * 86400,
                    channel="chat",
                    msg_type=2,
                    text=f"Bericht {j} over {WORDS[(i + j) % len(WORDS)]} in gesprek {i}",
                    author=f"Melder-{i:05d}",
                ).to_cache()
            )
        if len(batch_m) >= 20_000:
            cache.save(batch_c, batch_m)
            batch_c, batch_m = [], []
    cache.save(batch_c, batch_m)
    cache.close()
    return challenge.totp_secret


# --- child: the timed UI process -------------------------------------------------------------------------
def child(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    import qasync
    from PySide6.QtWidgets import QApplication

    from opgelucht_desk.core.desk import Desk, DeskConfig
    from opgelucht_desk.ui.controller import Controller
    from opgelucht_desk.ui.i18n import Translations
    from opgelucht_desk.ui.login import LoginWindow
    from opgelucht_desk.ui.main_window import MainWindow
    from opgelucht_desk.ui.preferences import Preferences
    from opgelucht_desk.ui.style import apply_style

    app = QApplication(sys.argv[:1])
    apply_style(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    result: dict[str, Any] = {}

    async def run() -> None:
        result["imports_and_qt_s"] = time.perf_counter() - started
        translations = Translations()
        translations.switch("nl")
        tmp = Path(args.dir)
        desk = await Desk.open(DeskConfig(data_dir=tmp / "desk", keyring_backend=_keyring(tmp)))
        controller = Controller(desk, Preferences(tmp / "prefs"), translations, None)
        controller.start()
        login = controller.window
        assert isinstance(login, LoginWindow)
        t_login = time.perf_counter()
        await desk.login(PASSWORD, args.code)
        result["login_s"] = time.perf_counter() - t_login
        t_show = time.perf_counter()
        login.unlocked.emit()
        main = controller.window
        assert isinstance(main, MainWindow)
        main.grab()  # first full paint of the window with the inbox
        result["show_inbox_s"] = time.perf_counter() - t_show
        result["cold_start_s"] = time.perf_counter() - started
        result["rows"] = main.inbox.model.rowCount()
        # The controller starts sync in a task of its own; stop it before it runs a round (the relay
        # does not know the conversations put straight into the cache, so a round would drop them).
        while not desk._unlocked().engine.running:  # noqa: ASYNC110 - the core has no event for it
            await asyncio.sleep(0)
        await desk.stop_sync()
        # The messages are decrypted in the background after login (the inbox list needs none of
        # them); search covers their text once this is done. Measure how long, and the loop's stalls.
        t_load, worst = time.perf_counter(), 0.0

        async def ticker() -> None:
            nonlocal worst
            while True:
                before = time.perf_counter()
                await asyncio.sleep(0.005)
                worst = max(worst, time.perf_counter() - before - 0.005)

        ticking = asyncio.ensure_future(ticker())
        await desk.load_messages()
        result["messages_loaded_s"] = time.perf_counter() - t_load
        ticking.cancel()
        result["load_stall_ms"] = worst * 1000

        table = main.inbox.table
        bar = table.verticalScrollBar()
        scroll: list[float] = []
        for step in range(200):
            t0 = time.perf_counter()
            bar.setValue((step * bar.pageStep()) % max(bar.maximum(), 1))
            table.viewport().grab()  # renders the visible rows for real (offscreen skips repaint)
            scroll.append(time.perf_counter() - t0)
        result["scroll_ms"] = _summary(scroll)
        searches: dict[str, list[float]] = {}
        for query in ("Melder-0424", "vergadering", "gesprek 9999", "geen-treffer"):
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                main.inbox.search.setText(query)
                main.inbox.refresh()  # what the debounce timer calls
                table.viewport().grab()  # renders the visible rows for real (offscreen skips repaint)
                times.append(time.perf_counter() - t0)
            searches[query] = times
            core_times = []
            for _ in range(5):
                t0 = time.perf_counter()
                desk.conversations(query)
                core_times.append(time.perf_counter() - t0)
            result.setdefault("core_search_ms", {})[query] = _summary(core_times)
            result.setdefault("search_rows", {})[query] = main.inbox.model.rowCount()
        result["search_ms"] = {q: _summary(t) for q, t in searches.items()}
        main.inbox.search.clear()
        await controller.shutdown()

    with loop:
        loop.run_until_complete(run())
    print(json.dumps(result))
    return 0


def _summary(seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    return {"median": statistics.median(ms), "p95": ms[int(len(ms) * 0.95) - 1], "max": ms[-1]}


def main() -> int:
    parser = argparse.ArgumentParser(description="Opgelucht Desk UI benchmarks")
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=10, help="messages per conversation")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    from kit.relay import RelayServer

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        relay = RelayServer(tmp / "relay")
        relay.start()
        try:
            t0 = time.perf_counter()
            secret = asyncio.run(_prepare(tmp, args.conversations, args.messages, relay))
            print(
                f"set-up: {args.conversations} conversations x {args.messages} messages in "
                f"{time.perf_counter() - t0:.1f} s",
                file=sys.stderr,
            )
            t_spawn = time.perf_counter()
            out = subprocess.run(
                [sys.executable, __file__, "--child", "--dir", str(tmp), "--code", relay.totp(secret)],
                check=False,
                capture_output=True,
                text=True,
                env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            )
            wall = time.perf_counter() - t_spawn
            if out.returncode != 0:
                print(out.stderr, file=sys.stderr)
                return 1
        finally:
            relay.stop()
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = wall
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
