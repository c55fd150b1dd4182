"""What tests share besides the servers (tests/servers/): waiting on a condition, reading a
process's output, full disks."""

from __future__ import annotations

import errno
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pytest


def wait_until(condition: Callable[[], object], seconds: float, every: float = 0.05) -> bool:
    """Poll `condition` until it holds or `seconds` have passed; whether it held.

    The only way tests wait: on a condition, never a fixed sleep.
    """
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)


def log_has(lines: list[str], event: str, *fields: str) -> Callable[[], bool]:
    """A condition: some JSON log line names `event` and holds every one of `fields`."""
    needle = f'"event": "{event}"'
    return lambda: any(needle in line and all(f in line for f in fields) for line in lines)


@contextmanager
def disk_full() -> Iterator[None]:
    """Every file write of this process fails as on a full disk, with the real errors.

    RLIMIT_FSIZE 0 makes each write EFBIG (CPython ignores SIGXFSZ from the start), which
    SQLite reports as it does ENOSPC. Log output must go to memory or a pipe meanwhile
    (pytest's `capsys`). Usable from any thread: the limit is the process's.
    """
    assert signal.getsignal(signal.SIGXFSZ) is signal.SIG_IGN
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


@contextmanager
def small_tmpfs(folder: Path, size: str = "2m") -> Iterator[Path]:
    """A tmpfs of its own at `folder`: a file system that really fills up (ENOSPC).

    Needs root (CI runs as root); elsewhere the test is skipped, under CI=true it fails.
    """
    folder.mkdir(mode=0o700, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True, text=True, check=False, timeout=30,
    )  # fmt: skip
    if result.returncode != 0:
        reason = f"cannot mount a tmpfs: {result.stderr.strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true runs as root)")
        pytest.skip(reason)
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], check=False, timeout=30).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=False, timeout=30)


def fill(folder: Path) -> Path:
    """Fill the file system of `folder` to the last byte; the filler file, to delete for room."""
    filler = folder / "filler"
    chunk = b"\0" * (1 << 16)
    with filler.open("ab", buffering=0) as out:
        while chunk:
            try:
                out.write(chunk)
            except OSError as err:
                if err.errno != errno.ENOSPC:
                    raise
                chunk = chunk[: len(chunk) // 2]
    return filler


class Lines(list[str]):
    """The lines of one or more text streams, appended as they come by a daemon thread each."""

    def __init__(self, *streams: IO[str] | None) -> None:
        super().__init__()
        self._readers = [
            threading.Thread(target=self.extend, args=(stream,), daemon=True)
            for stream in streams
            if stream is not None
        ]
        for reader in self._readers:
            reader.start()

    def ended(self) -> bool:
        """Whether every stream has been read to its end (its writer closed it or exited)."""
        return not any(reader.is_alive() for reader in self._readers)


def read_lines(*streams: IO[str] | None) -> Lines:
    """Collect the lines of `streams` (a process's stdout, stderr or both) as they come.

    The only way tests read a running process's output: a thread per pipe, so a full pipe
    never blocks the process, and the test waits on the list with `wait_until`.
    """
    return Lines(*streams)


# The suite's "today", as a datetime and as the CLI's --now takes it: the moment the sample
# mailbox's stories are told as of (the Makefile's DEMO_NOW; its proposal is due 3 Dec 2026).
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
NOW_TEXT = "2026-11-26T12:00:00Z"

# The repository, whichever test file asks (tests mirror the source tree at several depths).
REPO = Path(__file__).resolve().parent.parent
MAILBOX = REPO / "examples" / "mailbox"
ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))


class Daemon:
    """`aliwatch run` (and `args`) as a subprocess, its stdout and stderr lines collected as
    they come; a context manager that kills it if a test leaves it running."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.process = subprocess.Popen(
            [ALIWATCH, "run", *args], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.out = read_lines(self.process.stdout)
        self.log = read_lines(self.process.stderr)

    def __enter__(self) -> Daemon:
        return self

    def __exit__(self, *_: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def wait_for(self, lines: list[str], text: str, seconds: float) -> bool:
        return wait_until(lambda: any(text in line for line in lines), seconds)

    def sigterm(self, seconds: float = 10.0) -> int:
        """SIGTERM it and wait up to `seconds` for its exit status."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=seconds)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout=30)


def pending_alerts(store: Any) -> list[Any]:
    """The store's alerts still to send (state pending), oldest first, as `aliwatch alerts` reads
    them (newest first)."""
    records = reversed(store.alert_log())
    return [record.alert for record in records if record.alert.state == "pending"]
