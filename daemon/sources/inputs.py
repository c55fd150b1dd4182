"""Reading mail files for `aliwatch parse`: single files, folders, Maildirs, mbox files, stdin."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# A mail larger than this is refused unread: AliExpress mail is ~100 KB.
MAX_MAIL_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Input:
    """One mail to answer for: its name, and its bytes or why they could not be read."""

    name: str
    data: bytes | None = None
    error: str | None = None


def _read(path: Path) -> Input:
    try:
        size = path.stat().st_size
        if size > MAX_MAIL_BYTES:
            return Input(str(path), error=f"larger than {MAX_MAIL_BYTES // 2**20} MB")
        with path.open("rb") as handle:
            head = handle.read(5)
            rest = handle.read()
    except OSError as err:
        return Input(str(path), error=err.strerror or type(err).__name__)
    return Input(str(path), head + rest)


def _is_mbox(data: bytes) -> bool:
    return data.startswith(b"From ")


def _mbox(path: Path) -> Iterator[Input]:
    import mailbox  # noqa: PLC0415 - only `parse`/`import` of an mbox need it; `run` starts faster

    try:
        box = mailbox.mbox(path, create=False)
        keys = list(box.iterkeys())
        for number, key in enumerate(keys, start=1):
            yield Input(f"{path}#{number}", box.get_bytes(key))
    except (OSError, mailbox.Error) as err:
        yield Input(str(path), error=f"cannot read mbox: {err}")


def _expand_file(path: Path) -> Iterator[Input]:
    item = _read(path)
    if item.data is not None and _is_mbox(item.data):
        yield from _mbox(path)
    else:
        yield item


# Notes kept beside mail (a fixture folder's README and licence) are never mail.
_NOT_MAIL = frozenset({"LICENSE", "NOTICE", "COPYING"})


def is_mail_file(name: str) -> bool:
    """Whether a file in a folder is read as mail: not hidden, not an expected-fields .json,
    not a Markdown note or a licence."""
    return (
        not name.startswith(".") and not name.endswith((".json", ".md")) and name not in _NOT_MAIL
    )


def iter_inputs(paths: list[str], stdin: BinaryIO) -> Iterator[Input]:
    """Every mail named by `paths`, in a stable order; `-` reads one mail from stdin."""
    for name in paths:
        if name == "-":
            data = stdin.read(MAX_MAIL_BYTES + 1)
            if len(data) > MAX_MAIL_BYTES:
                yield Input("-", error=f"larger than {MAX_MAIL_BYTES // 2**20} MB")
            else:
                yield Input("-", data)
            continue
        path = Path(name)
        if path.is_dir():
            found = False
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for file_name in sorted(files):
                    if is_mail_file(file_name):
                        found = True
                        yield from _expand_file(Path(root) / file_name)
            if not found:
                yield Input(str(path), error="no mail files in this folder")
        elif path.exists():
            yield from _expand_file(path)
        else:
            yield Input(str(path), error="no such file or folder")
