"""`opgelucht-reporter`: a small command line for the reference reporter client (a stand-in for the app).

opgelucht-reporter join 'opgelucht://join?relay=…&code=…&fp=…' --pseudonym Merel
opgelucht-reporter counsellors                          # who can be chosen (role, introduction, availability)
opgelucht-reporter say "Er is iets gebeurd." --to Bert  # opens a conversation the first time (default: all)
opgelucht-reporter say --file screenshot.png            # metadata stripped, then encrypted and sent
opgelucht-reporter read
opgelucht-reporter read --save-files DIR                # received files verified and saved into DIR
opgelucht-reporter handover --yes REQUEST_ID            # a counsellor asks to bring in a colleague: answer
opgelucht-reporter choose --to Carla                    # choose again (e.g. after a counsellor left)
opgelucht-reporter events screen:home topic:pesten
opgelucht-reporter feedback "De app is duidelijk."
opgelucht-reporter export
opgelucht-reporter forget
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click
import platformdirs

from opgelucht_desk.protocol.blob import BlobError
from opgelucht_desk.protocol.envelope import MessageType
from opgelucht_desk.protocol.errors import ProtocolError
from opgelucht_desk.protocol.profile import AGE_CATEGORIES, GENDERS

from .client import ReporterClient, ReporterError
from .files import FileRefused, PreparedFile, prepare_file

P = ParamSpec("P")
T = TypeVar("T")

SUFFIXES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
}
DEFAULT_STATE = Path(platformdirs.user_data_dir("opgelucht-reporter")) / "state.json"


def run_async(func: Callable[P, Awaitable[T]]) -> Callable[P, T]:
    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return asyncio.run(func(*args, **kwargs))  # type: ignore[arg-type]
        except (ReporterError, ProtocolError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


def _client(ctx: click.Context) -> ReporterClient:
    state: Path = ctx.obj["state"]
    return ReporterClient(state)


@click.group()
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_STATE,
    show_default=True,
    envvar="OPG_REPORTER_STATE",
    help="State file (keys, conversations); created with mode 0600.",
)
@click.pass_context
def main(ctx: click.Context, state: Path) -> None:
    """Reference reporter client for Opgelucht (what the mobile app does)."""
    ctx.obj = {"state": state}


@main.command()
@click.argument("code_or_qr")
@click.option("--relay", "relay_url", help="Relay URL (needed with a typed code).")
@click.option("--pseudonym", help="Pseudonym shown to the counsellors (1-64 characters).")
@click.option("--age", "age_category", type=click.Choice(AGE_CATEGORIES))
@click.option("--gender", type=click.Choice(GENDERS))
@click.option("--to", "to", multiple=True, help="A counsellor who may read (repeatable; default: all).")
@click.option("--text", "first_text", help="With --to: start a conversation with this first message.")
@click.pass_context
@run_async
async def join(
    ctx: click.Context,
    code_or_qr: str,
    relay_url: str | None,
    pseudonym: str | None,
    age_category: str | None,
    gender: str | None,
    to: tuple[str, ...],
    first_text: str | None,
) -> None:
    """Join an organisation with its QR text or a typed code."""
    async with _client(ctx) as client:
        result = await client.join(code_or_qr, relay_url=relay_url)
        if pseudonym:
            client.set_profile(pseudonym, age_category=age_category, gender=gender)
        if to or first_text:
            conv_id = await client.open_conversation(to=list(to) or None)
            if first_text:
                await client.say(conv_id, first_text)
            click.echo(f"Opened conversation {conv_id} for {_readers(client, conv_id)}.")
    click.echo(f"Joined {result.org_name}.")
    if result.pinned_by_qr:
        click.echo("The organisation's key matches the QR code.")
    else:
        click.echo("Compare this safety number with your organisation's poster:")
        click.echo(f"  {result.safety_number}")


@main.command()
@click.argument("text", required=False)
@click.option("--conv", "conv_id", type=click.UUID, help="Conversation (default: the latest).")
@click.option("--new", "new_conversation", is_flag=True, help="Start a new conversation.")
@click.option("--pseudonym", help="Set or change the pseudonym first.")
@click.option(
    "--file",
    "file_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Send a JPEG, PNG, WebP or HEIC image or a PDF (at most 10 MB); metadata is stripped first.",
)
@click.option(
    "--to",
    "to",
    multiple=True,
    help="A new conversation: a counsellor who may read (repeatable; default: all).",
)
@click.pass_context
@run_async
async def say(
    ctx: click.Context,
    text: str | None,
    conv_id: uuid.UUID | None,
    new_conversation: bool,
    pseudonym: str | None,
    file_path: Path | None,
    to: tuple[str, ...],
) -> None:
    """Send a message or a file (opens a conversation when there is none)."""
    if text is None and file_path is None:
        raise click.UsageError("give a TEXT, a --file, or both")
    prepared = None
    if file_path is not None:
        try:
            prepared = prepare_file(await asyncio.to_thread(file_path.read_bytes))
        except FileRefused as exc:
            raise click.ClickException(f"file not sent: {exc}") from None
        stripped = ", ".join(prepared.stripped) if prepared.stripped else "no metadata found"
        click.echo(f"Stripped before encryption: {stripped}.")
    async with _client(ctx) as client:
        if pseudonym:
            saved = client.state.profile or {}
            client.set_profile(pseudonym, age_category=saved.get("age_category"), gender=saved.get("gender"))
        if conv_id is not None and to:
            raise click.UsageError("--to chooses the readers of a new conversation (see: choose)")
        unposted = client.pending()
        try:
            await _send(client, conv_id, new_conversation, to, prepared, text)
        except ReporterError as exc:
            if exc.code != "unreachable":
                raise
            if client.pending() > unposted:
                raise click.ClickException(
                    f"saved but not delivered yet ({exc}): nothing is lost; the next say posts it first."
                ) from None
            raise click.ClickException(
                f"not sent ({exc}): a message is sealed to the newest list of counsellors, which could "
                "not be fetched. Nothing was sealed or stored, so nothing is lost or half-sent: send it "
                "again when the relay is reachable."
            ) from None


async def _send(
    client: ReporterClient,
    conv_id: uuid.UUID | None,
    new_conversation: bool,
    to: tuple[str, ...],
    prepared: PreparedFile | None,
    text: str | None,
) -> None:
    known = client.conversation_ids()
    if conv_id is None and known and not new_conversation and not to:
        conv_id = known[-1]
    elif conv_id is None:
        conv_id = await client.open_conversation(to=list(to) or None)
    readers = _readers(client, conv_id)
    if prepared is not None:
        stored = await client.send_file(conv_id, prepared.data, prepared.media_type)
        click.echo(
            f"File sent to conversation {conv_id} (seq {stored['seq']}, {len(prepared.data)} bytes),"
            f" read by {readers}."
        )
    if text is not None:
        stored = await client.say(conv_id, text)
        click.echo(f"Sent to conversation {conv_id} (seq {stored['seq']}), read by {readers}.")


def _readers(client: ReporterClient, conv_id: uuid.UUID) -> str:
    names = client.readers(conv_id)
    return "all counsellors" if names is None else ", ".join(names)


@main.command()
@click.pass_context
@run_async
async def counsellors(ctx: click.Context) -> None:
    """List the organisation's counsellors (from its signed roster) to choose from."""
    async with _client(ctx) as client:
        await client.refresh_roster()
        for c in client.counsellors():
            role = f" ({c.role})" if c.role else ""
            away = "" if c.reachable else " [not reachable]"
            click.echo(f"{c.display_name}{role}{away}")
            for label, texts in (("", c.intro), ("availability: ", c.availability)):
                for language, text in texts.items():
                    click.echo(f"  {label}[{language}] {text}")


@main.command()
@click.argument("request_id", type=click.UUID, required=False)
@click.option("--conv", "conv_id", type=click.UUID, help="Conversation (default: the latest).")
@click.option("--yes/--no", "accept", default=None, help="Let the colleague read along, or not.")
@click.pass_context
@run_async
async def handover(
    ctx: click.Context, request_id: uuid.UUID | None, conv_id: uuid.UUID | None, accept: bool | None
) -> None:
    """Show counsellors' requests to bring in a colleague, or answer one (--yes / --no)."""
    async with _client(ctx) as client:
        conv_id = conv_id or _latest(client)
        await client.read(conv_id)
        if request_id is None or accept is None:
            for h in client.handover_requests(conv_id):
                click.echo(f"{h.request_id} {h.asked_by} asks to bring in {h.colleague_name}: {h.state}")
            return
        await client.answer_handover(conv_id, request_id, accept=accept)
    click.echo(f"Answered; read by {_readers(client, conv_id)}.")


@main.command()
@click.option("--conv", "conv_id", type=click.UUID, help="Conversation (default: the latest).")
@click.option("--to", "to", multiple=True, required=True, help="A counsellor who may read (repeatable).")
@click.pass_context
@run_async
async def choose(ctx: click.Context, conv_id: uuid.UUID | None, to: tuple[str, ...]) -> None:
    """Choose again who reads a conversation (e.g. when a chosen counsellor left)."""
    async with _client(ctx) as client:
        conv_id = conv_id or _latest(client)
        await client.choose_again(conv_id, to)
    click.echo(f"Read by {_readers(client, conv_id)} from now on.")


def _latest(client: ReporterClient) -> uuid.UUID:
    known = client.conversation_ids()
    if not known:
        raise ReporterError("no conversation yet")
    return known[-1]


@main.command()
@click.option("--conv", "conv_id", type=click.UUID, help="Conversation (default: all).")
@click.option(
    "--save-files",
    type=click.Path(file_okay=False, path_type=Path),
    help="Download, verify and save received files into this folder.",
)
@click.pass_context
@run_async
async def read(ctx: click.Context, conv_id: uuid.UUID | None, save_files: Path | None) -> None:
    """Fetch and show new messages."""
    async with _client(ctx) as client:
        for current in [conv_id] if conv_id else client.conversation_ids():
            messages = await client.read(current)
            if client.gone_members(current):
                click.echo(
                    f"[{current}] a counsellor you chose is no longer available: choose again (choose --to)"
                )
            for message in messages:
                who = "me" if message.from_me else (message.counsellor_name or "counsellor")
                if message.msg_type is MessageType.HANDOVER:
                    click.echo(f"[{current}] {who} asks to bring in {message.text} (answer: handover)")
                    continue
                warn = "" if message.chain_ok else " [gap or reordering detected]"
                text = message.text
                if message.file is not None:
                    text = f"[file: {message.file.media_type}, {message.file.size} bytes]"
                    if save_files is not None:
                        try:
                            data = await client.fetch_file(current, message.file)
                        except BlobError as exc:
                            text += f" [not verified: {exc.reason}]"
                        else:
                            suffix = SUFFIXES[message.file.media_type]
                            target = save_files / f"{message.msg_id}{suffix}"
                            await asyncio.to_thread(_save, target, data)
                            text += f" saved as {target}"
                click.echo(f"[{current}] #{message.seq} {who}: {text}{warn}")
        for rejected in client.rejected:
            click.echo(f"warning: message {rejected.msg_id} rejected ({rejected.reason})", err=True)


def _save(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


@main.command()
@click.argument("events", nargs=-1, required=True)
@click.pass_context
@run_async
async def events(ctx: click.Context, events: tuple[str, ...]) -> None:
    """Send usage counts, each as KIND:ITEM[:COUNT] (e.g. screen:home topic:pesten:2)."""
    parsed: list[tuple[str, str, int]] = []
    for event in events:
        parts = event.split(":")
        if len(parts) >= 3 and parts[-1].isdigit():
            kind, item, count = parts[0], ":".join(parts[1:-1]), int(parts[-1])
        else:
            kind, item, count = parts[0], ":".join(parts[1:]), 1
        if not kind or not item:
            raise click.BadParameter(f"{event!r} is not KIND:ITEM[:COUNT]")
        parsed.append((kind, item, count))
    async with _client(ctx) as client:
        accepted = await client.send_events(parsed)
    click.echo(f"{accepted} event(s) accepted.")


@main.command()
@click.argument("text")
@click.option("--with-device", is_flag=True, help="Attach this device's id (off by default).")
@click.pass_context
@run_async
async def feedback(ctx: click.Context, text: str, with_device: bool) -> None:
    """Send feedback to the app's maker (not encrypted: do not include personal details)."""
    async with _client(ctx) as client:
        await client.send_feedback(text, include_device=with_device)
    click.echo("Thank you for your feedback.")


@main.command()
@click.pass_context
@run_async
async def export(ctx: click.Context) -> None:
    """Print everything the relay holds about this device, with the decrypted messages, as JSON."""
    async with _client(ctx) as client:
        data: dict[str, Any] = await client.export()
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@main.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
@run_async
async def forget(ctx: click.Context, yes: bool) -> None:
    """Delete this device and all its data on the relay and locally."""
    if not yes and not click.confirm("Delete all your conversations and keys?", default=False):
        raise click.Abort()
    async with _client(ctx) as client:
        await client.forget()
    click.echo("Your data has been deleted.")
