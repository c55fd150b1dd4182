"""A 30 MB AliExpress mail through `aliwatch run --once` on the real Dovecot: memory stays flat."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_run_imap import env_for
from tests.parsers.test_attachments import big_mail
from tests.servers.dovecot import Dovecot

pytestmark = pytest.mark.real_server
ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))
LIMIT_KB = 150 * 1024


# A fresh, small process starts the command and reads its peak RSS from wait4: a child forked
# straight from this test process would count this process's pages (the 30 MB mail it built).
_MEASURE = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[1:], stderr=subprocess.DEVNULL)\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "print(f'peak={usage.ru_maxrss} status={os.waitstatus_to_exitcode(status)}', file=sys.stderr)\n"
)


def peak_rss_kb(args: list[str], env: dict[str, str]) -> tuple[int, int, str]:
    """(exit status, peak RSS in KiB, stdout) of one run of `args`."""
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, *args], env=env, capture_output=True, text=True,
        check=False, timeout=300,
    )  # fmt: skip
    line = result.stderr.strip().splitlines()[-1]
    fields = dict(part.split("=") for part in line.split())
    return int(fields["status"]), int(fields["peak"]), result.stdout


def test_a_30_mb_mail_stays_under_150_mb(dovecot: Dovecot, tmp_path):
    dovecot.recreate_folder("huge")
    raw = big_mail([22 * 1024 * 1024])  # base64: about 30 MB on the wire
    assert len(raw) > 30_000_000
    dovecot.append("huge", raw)
    env = env_for(dovecot, tmp_path, "huge")
    status, peak, out = peak_rss_kb(
        [ALIWATCH, "run", "--once", "--now", "2026-11-26T12:00:00Z"], env
    )
    assert status == 0
    assert "one pass: 1 new events" in out  # recognised, not turned away
    assert peak < LIMIT_KB, f"peak RSS {peak // 1024} MiB"
