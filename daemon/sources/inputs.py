"""Reading mail files for `aliwatch parse` and `import`: single files, folders, Maildirs, mbox
files, stdin; and saying which paths are missing, unreadable or not mail at all."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

# A mail larger than this is refused unread: AliExpress mail is ~100 KB.
MAX_MAIL_BYTES = 64 * 1024 * 1024
# How much of a file is looked at to tell mail from anything else: the header block of real
# mail (Received chains, DKIM signatures) fits well within it.
_SNIFF_BYTES = 256 * 1024

# Why an input gave no mail: the path names nothing, it cannot be read, or what it holds is no
# mail (a PDF, a calendar, a compressed mbox, plain text, a folder without mail files).
Fault = Literal["missing", "unreadable", "not_mail"]


@dataclass(frozen=True, slots=True)
class Input:
    """One mail to answer for: its name, and its bytes or why they could not be read."""

    name: str
    data: bytes | None = None
    error: str | None = None
    fault: Fault | None = None


def _problem(name: str, fault: Fault, error: str) -> Input:
    return Input(name, error=error, fault=fault)


# The first bytes of files people mistake for mail, and what to call them.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "gzip-compressed data (a compressed mbox? gunzip it first)"),
    (b"BZh", "bzip2-compressed data (bunzip2 it first)"),
    (b"\xfd7zXZ\x00", "xz-compressed data (unxz it first)"),
    (b"(\xb5/\xfd", "zstd-compressed data (unzstd it first)"),
    (b"PK\x03\x04", "a ZIP archive (a Takeout export? unzip it first)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"BEGIN:VCALENDAR", "an iCalendar (.ics) file"),
    (b"BEGIN:VCARD", "a vCard (.vcf) file"),
)
# RFC 5322 section 2.2: a header field name is printable US-ASCII except the colon.
_FIELD = re.compile(rb"^[\x21-\x39\x3b-\x7e]+[ \t]*:")
# Fields one of which every mail carries (RFC 5322 section 3.6 requires From and Date; a
# delivered mail has Received or Return-Path), so a "Note: ..." line alone is not a header.
_MAIL_FIELDS = frozenset(
    {
        b"from",
        b"to",
        b"subject",
        b"date",
        b"message-id",
        b"received",
        b"return-path",
        b"mime-version",
        b"delivered-to",
        b"sender",
        b"reply-to",
        b"content-type",
    }
)


def _has_header_block(data: bytes) -> bool:
    """Whether `data` starts with an RFC 5322 header block: field lines and their folded
    continuations up to the first empty line, one of them a field every mail has."""
    named = False
    lines = data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf").split(b"\n")
    for number, raw in enumerate(lines):
        line = raw.rstrip(b"\r")
        if not line:
            return named
        if line[:1] in (b" ", b"\t"):
            if number == 0:
                return False  # a continuation of nothing
            continue
        if not _FIELD.match(line):
            return False
        named = named or line.split(b":", 1)[0].strip().lower() in _MAIL_FIELDS
    # No empty line: a mail of headers only, or a header block cut by the sniff window.
    return named


def looks_like(data: bytes) -> str | None:
    """What `data` looks like when it is not mail ("a PDF document"); None for mail: an mbox
    (its "From " line), or a message with a header block (RFC 5322)."""
    if data.startswith(b"From ") or _has_header_block(data):
        return None
    if not data.strip():
        return "an empty file" if not data else "only blank lines"
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    head = data[:_SNIFF_BYTES].lstrip()
    if b"\0" in head:
        return "binary data"
    if head[:1] == b"<":
        return "an HTML or XML document, with no mail header block"
    if head[:1] in (b"{", b"["):
        return "JSON, with no mail header block"
    return "text with no mail header block (From:, Subject:, Date: ... then an empty line)"


def _read(path: Path) -> Input:
    try:
        size = path.stat().st_size
        if size > MAX_MAIL_BYTES:
            return _problem(str(path), "unreadable", f"larger than {MAX_MAIL_BYTES // 2**20} MB")
        data = path.read_bytes()
    except OSError as err:
        return _problem(str(path), "unreadable", f"cannot read: {err.strerror or err}")
    what = looks_like(data)
    if what is not None:
        return _problem(str(path), "not_mail", f"not mail: {what}")
    return Input(str(path), data)


def _is_mbox(path: Path) -> bool:
    """Whether the file starts with an mbox "From " line (mbox(5)); read up to 5 bytes only,
    so an mbox of any size is read mail by mail."""
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"From "
    except OSError:
        return False  # _read says why


def _mbox(path: Path) -> Iterator[Input]:
    import mailbox  # noqa: PLC0415 - only `parse`/`import` of an mbox need it; `run` starts faster

    try:
        box = mailbox.mbox(path, create=False)
        keys = list(box.iterkeys())
        for number, key in enumerate(keys, start=1):
            yield Input(f"{path}#{number}", box.get_bytes(key))
    except (OSError, mailbox.Error) as err:
        yield _problem(str(path), "unreadable", f"cannot read mbox: {err}")


def _expand_file(path: Path) -> Iterator[Input]:
    if _is_mbox(path):
        yield from _mbox(path)
    else:
        yield _read(path)


# Notes kept beside mail (a fixture folder's README and licence) are never mail.
_NOT_MAIL = frozenset({"LICENSE", "NOTICE", "COPYING"})


def is_mail_file(name: str) -> bool:
    """Whether a file in a folder is read as mail: not hidden, not an expected-fields .json,
    not a Markdown note or a licence."""
    return (
        not name.startswith(".") and not name.endswith((".json", ".md")) and name not in _NOT_MAIL
    )


def is_maildir(path: Path) -> bool:
    """A Maildir: a folder with cur/ and new/ (and tmp/) in it (maildir(5))."""
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _walk(path: Path) -> Iterator[Input]:
    """The mail files under a folder, in a stable order; a Maildir's mail is only in its cur/
    and new/ (tmp/ holds mail still being delivered, the rest is the server's index files).
    A folder that cannot be listed is an unreadable input, not a silent gap."""
    errors: list[OSError] = []
    for root, dirs, files in os.walk(path, onerror=errors.append):
        here = Path(root)
        mail_files = files
        if is_maildir(here):
            dirs[:] = [d for d in ("cur", "new") if d in dirs]
            mail_files = []
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file_name in sorted(mail_files):
            if is_mail_file(file_name):
                yield from _expand_file(here / file_name)
    for err in errors:
        where = err.filename or str(path)
        yield _problem(str(where), "unreadable", f"cannot list: {err.strerror or err}")


def iter_inputs(paths: list[str], stdin: BinaryIO) -> Iterator[Input]:
    """Every mail named by `paths`, in a stable order; `-` reads one mail from stdin. A path
    that gives no mail is an Input with its `fault` and the reason in `error`."""
    for name in paths:
        if name == "-":
            data = stdin.read(MAX_MAIL_BYTES + 1)
            if len(data) > MAX_MAIL_BYTES:
                yield _problem("-", "unreadable", f"larger than {MAX_MAIL_BYTES // 2**20} MB")
            elif (what := looks_like(data)) is not None:
                yield _problem("-", "not_mail", f"not mail: {what}")
            else:
                yield Input("-", data)
            continue
        path = Path(name)
        if path.is_dir():
            found = False
            for item in _walk(path):
                found = True
                yield item
            if not found:
                kind = "an empty Maildir" if is_maildir(path) else "a folder with no mail files"
                yield _problem(str(path), "not_mail", f"no mail: {kind}")
        elif path.exists():
            yield from _expand_file(path)
        elif path.is_symlink():
            yield _problem(str(path), "missing", "a link to nothing (no such file or folder)")
        else:
            yield _problem(str(path), "missing", "no such file or folder")
