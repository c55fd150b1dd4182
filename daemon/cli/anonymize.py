"""`aliwatch anonymize`: one mail (a file, or a UID over IMAP) as a fixture anyone may see."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any, TextIO

from aliwatch.daemon.cli.anonymizer import Anonymizer
from aliwatch.daemon.cli.commands import CommandError
from aliwatch.daemon.config.paths import default_db_path
from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.sources.inputs import MAX_MAIL_BYTES
from aliwatch.parsers import AuthPolicy, MailParseError, recognise
from aliwatch.parsers.event import Event, Kind

KEY_NAME = "anonymize.key"
_KEY_BYTES = 32
# Fields of `aliwatch parse --json` a fixture pins (tests/fixture_corpus.py); the rest (subject,
# sender, template) describe the mail rather than what it means.
_NOT_PINNED = frozenset({"subject", "sender", "template"})
# Category names as printed, singular and plural.
_NOUNS = {
    "names": ("name", "names"),
    "postal addresses": ("postal address line", "postal address lines"),
    "e-mail addresses": ("e-mail address", "e-mail addresses"),
    "phone numbers": ("phone number", "phone numbers"),
    "order numbers": ("order number", "order numbers"),
    "parcel numbers": ("parcel or other long number", "parcel or other long numbers"),
    "link tokens": ("link token", "link tokens"),
    "attachments emptied": ("attachment emptied", "attachments emptied"),
}


def key_path(settings: Settings) -> Path:
    """Where the anonymisation key lives: beside the state database, private to the user."""
    return (settings.db_path or default_db_path()).parent / KEY_NAME


def load_key(path: Path) -> bytes:
    """The key that keeps fakes the same across a user's mails; made on first use (mode 0600)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError as err:
        raise CommandError(f"cannot read the anonymisation key {path}: {err.strerror}") from err
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()  # another run made it just now
    except OSError as err:
        raise CommandError(f"cannot create the anonymisation key {path}: {err.strerror}") from err
    key = secrets.token_bytes(_KEY_BYTES)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def _from_file(name: str) -> bytes:
    path = Path(name)
    try:
        if path.stat().st_size > MAX_MAIL_BYTES:
            raise CommandError(f"{name}: larger than {MAX_MAIL_BYTES // 2**20} MB, not a mail")
        return path.read_bytes()
    except OSError as err:
        raise CommandError(f"cannot read {name}: {err.strerror}") from err


def _from_imap(settings: Settings, uid: int, folder: str) -> bytes:
    from aliwatch.daemon.sources.imap.errors import ImapError  # noqa: PLC0415 - only --uid needs IMAP
    from aliwatch.daemon.sources.imap.session import ImapSession  # noqa: PLC0415

    try:
        with ImapSession(settings.imap()) as session:
            session.select_readonly(folder)
            found = session.fetch_bodies([uid])
    except ImapError as err:
        raise CommandError(f"cannot fetch UID {uid} from {folder}: {err}") from err
    raw = found.get(uid)
    if raw is None:
        why = "no mail with" if uid not in found else "the server's answer held no body for"
        raise CommandError(f"{why} UID {uid} in {folder} (aliwatch unknown lists folders and UIDs)")
    return raw


def _pinned(event: Event) -> dict[str, Any]:
    data = event.to_json()
    defaults = Event(Kind.UNRECOGNIZED).to_json()
    return {
        name: value
        for name, value in data.items()
        if name == "kind" or (name not in _NOT_PINNED and value != defaults[name])
    }


def _summary(counts: dict[str, int]) -> str:
    parts = []
    for category, (one, many) in _NOUNS.items():
        if counts.get(category):
            parts.append(f"{counts[category]} {one if counts[category] == 1 else many}")
    return ", ".join(parts) or "nothing personal found"


def anonymize(
    settings: Settings,
    out: TextIO,
    *,
    source: str | None,
    uid: int | None,
    folder: str | None,
    output: str | None,
    force: bool,
) -> int:
    """Write an anonymised copy of one mail and its expected fields; print what was replaced."""
    if source is not None and uid is None:
        raw = _from_file(source)
        default = f"{Path(source).stem or 'mail'}.anonymized.eml"
    elif uid is not None and source is None:
        raw = _from_imap(settings, uid, folder or settings.imap_folders[0])
        default = f"uid-{uid}.eml"
    else:
        raise CommandError("give one mail: a FILE, or --uid N (with --folder F) to fetch it")
    target = Path(output or default)
    expected = target.with_suffix(".json")
    for path in (target, expected):
        if path.exists() and not force:
            raise CommandError(f"{path} exists: choose another -o OUT, or --force to overwrite")
    try:
        result = Anonymizer(load_key(key_path(settings))).anonymize(raw)
        event = recognise(result.data, AuthPolicy())
    except MailParseError as err:
        raise CommandError(f"cannot read the mail: {err}") from err
    spec = {
        "note": "Anonymised by `aliwatch anonymize`; describe the mail and the template here.",
        "reconstructed": False,
        "expected": _pinned(event),
    }
    try:
        target.write_bytes(result.data)
        expected.write_text(json.dumps(spec, ensure_ascii=False, indent=2) + "\n", "utf-8")
    except OSError as err:
        raise CommandError(f"cannot write {target}: {err.strerror}") from err
    out.write(f"replaced: {_summary(result.replaced)}\n")
    if result.dropped_headers:
        out.write(f"dropped {sum(result.dropped_headers.values())} header lines a fixture does "
                  f"not need ({', '.join(sorted(result.dropped_headers))})\n")  # fmt: skip
    out.write(f"wrote {target} and {expected} (the copy reads as {event.kind.value})\n")
    out.write(
        "Check the copy before you share it: names or places in unusual positions can slip "
        "through.\n"
    )
    return 0
