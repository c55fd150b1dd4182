"""The log format `aliwatch run` picks: plain lines for the journal, console on a terminal, JSON
off one, ALIWATCH_LOG_FORMAT over all three; and the clock its lines are stamped with."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path

import pytest

from tests.support import ALIWATCH, MAILBOX, NOW_TEXT

ESCAPE = "\x1b["


def _run_once(tmp_path: Path, stderr: int, *extra: str, **env: str) -> int:
    """`aliwatch run --once` over the sample mailbox with stderr on the given descriptor."""
    done = subprocess.run(
        [ALIWATCH, "run", "--once", *extra],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "ALIWATCH_DB_PATH": str(tmp_path / "aliwatch.db"),
            "ALIWATCH_MAILDIR": str(MAILBOX),
            "ALIWATCH_DESKTOP_NOTIFY": "off",
            **env,
        },
        check=False,
        timeout=120,
    )
    return done.returncode


def _log_to_file(tmp_path: Path, *extra: str, journal: str | None = None, **env: str) -> str:
    """The log of one pass written to a file; `journal` is JOURNAL_STREAM ("same": the file's
    own device and inode, as systemd sets it when stderr is the journal's stream)."""
    log = tmp_path / "stderr.log"
    with log.open("w") as file:
        if journal == "same":
            status = os.fstat(file.fileno())
            journal = f"{status.st_dev}:{status.st_ino}"
        if journal is not None:
            env["JOURNAL_STREAM"] = journal
        assert _run_once(tmp_path, file.fileno(), *extra, **env) == 0, log.read_text()
    return log.read_text()


def test_stderr_on_the_journal_gets_plain_lines_without_time_or_colour(tmp_path):
    text = _log_to_file(tmp_path, journal="same")
    lines = text.splitlines()
    assert any(line.startswith("<6>channels") for line in lines), text
    assert all(line.startswith("<") for line in lines if line and not line.startswith(" "))
    assert ESCAPE not in text
    assert "timestamp" not in text and "2026-" not in text and "[info" not in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[0])


def test_a_journal_stream_that_is_not_stderr_leaves_json(tmp_path):
    # systemd.exec(5): a child whose stderr was redirected still inherits JOURNAL_STREAM.
    text = _log_to_file(tmp_path, journal="1:2")
    assert all(json.loads(line)["event"] for line in text.splitlines())


def test_a_malformed_journal_stream_leaves_json(tmp_path):
    text = _log_to_file(tmp_path, journal="journal")
    assert all(json.loads(line)["event"] for line in text.splitlines())


@pytest.mark.parametrize("journal", [None, "same"])
def test_log_format_json_wins_everywhere(tmp_path, journal):
    text = _log_to_file(tmp_path, journal=journal, ALIWATCH_LOG_FORMAT="json")
    events = [json.loads(line) for line in text.splitlines()]
    assert {"event", "level", "timestamp"} <= set(events[0])


def test_log_format_console_off_a_terminal_has_time_but_no_colour(tmp_path):
    text = _log_to_file(tmp_path, journal="same", ALIWATCH_LOG_FORMAT="console")
    assert "[info     ] channels" in text
    assert ESCAPE not in text


def test_a_terminal_gets_the_coloured_console(tmp_path):
    controller, terminal = pty.openpty()
    try:
        assert _run_once(tmp_path, terminal) == 0
        os.close(terminal)
        terminal = -1
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the terminal's last writer is gone
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if terminal >= 0:
            os.close(terminal)
        os.close(controller)
    text = b"".join(chunks).decode()
    assert ESCAPE in text and "channels" in text


def test_now_stamps_every_line_with_the_given_moment(tmp_path):
    text = _log_to_file(tmp_path, "--now", NOW_TEXT, ALIWATCH_LOG_FORMAT="json")
    stamps = {json.loads(line)["timestamp"] for line in text.splitlines()}
    assert stamps == {NOW_TEXT}


def test_without_now_lines_carry_the_real_clock(tmp_path):
    text = _log_to_file(tmp_path, ALIWATCH_LOG_FORMAT="json")
    stamps = {json.loads(line)["timestamp"] for line in text.splitlines()}
    assert NOW_TEXT not in stamps and all(s.endswith("Z") for s in stamps)
