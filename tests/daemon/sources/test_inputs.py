"""Telling mail from what is not: mbox by its "From " line, Maildir by cur/new/tmp, a message by
its header block; everything else named with what it looks like."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from aliwatch.daemon.sources.inputs import iter_inputs, looks_like
from tests.support import MAILBOX

PROPOSAL = (MAILBOX / "new" / "1795679538.M21P100.demo").read_bytes()


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n", "a PDF document"),
        (b"\x1f\x8b\x08\x00", "gzip-compressed data (a compressed mbox? gunzip it first)"),
        (b"PK\x03\x04rest", "a ZIP archive (a Takeout export? unzip it first)"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "an iCalendar (.ics) file"),
        (b"", "an empty file"),
        (b"\n\n", "only blank lines"),
        (b"\x00\x01\x02", "binary data"),
        (b"<!DOCTYPE html><html>", "an HTML or XML document, with no mail header block"),
        (b"Note: a header-like line\nthen prose\n", None),
    ],
)
def test_what_a_file_looks_like(data, what):
    expected = what
    if expected is None:
        expected = "text with no mail header block (From:, Subject:, Date: ... then an empty line)"
    assert looks_like(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        PROPOSAL,
        PROPOSAL.replace(b"\n", b"\r\n"),
        b"From a@b Mon Jan  1 00:00:00 2026\n" + PROPOSAL,
        b"Subject: only headers\nFrom: a@example.org\n",
        b"Received: from x\n\tby y\nFrom: a@example.org\n\nbody\n",
    ],
    ids=["eml", "crlf", "mbox", "headers-only", "folded"],
)
def test_mail_is_mail(data):
    assert looks_like(data) is None


def test_a_maildir_is_read_from_cur_and_new_only(tmp_path):
    for folder in ("cur", "new", "tmp"):
        (tmp_path / folder).mkdir()
    (tmp_path / "cur" / "1").write_bytes(PROPOSAL)
    (tmp_path / "new" / "2").write_bytes(PROPOSAL)
    (tmp_path / "tmp" / "3").write_bytes(b"Subject: half-deliv")  # still being delivered
    (tmp_path / "dovecot-uidlist").write_bytes(b"3 V1 N4\n")  # the server's index, not mail
    items = list(iter_inputs([str(tmp_path)], io.BytesIO()))
    assert [(i.name, i.fault) for i in items] == [
        (str(tmp_path / "cur" / "1"), None),
        (str(tmp_path / "new" / "2"), None),
    ]


def test_an_empty_maildir_and_an_empty_folder_are_named(tmp_path):
    for folder in ("cur", "new", "tmp"):
        (tmp_path / "box" / folder).mkdir(parents=True)
    (tmp_path / "plain").mkdir()
    items = list(iter_inputs([str(tmp_path / "box"), str(tmp_path / "plain")], io.BytesIO()))
    assert [(i.fault, i.error) for i in items] == [
        ("not_mail", "no mail: an empty Maildir"),
        ("not_mail", "no mail: a folder with no mail files"),
    ]


# Root lists any folder, and CI runs as root: there the listing is tried in a child process
# without the capabilities that override file modes (capabilities(7): CAP_DAC_OVERRIDE,
# CAP_DAC_READ_SEARCH; util-linux's setpriv), so the permission error is the kernel's own.
_LIST = """
import io, sys
from aliwatch.daemon.sources.inputs import iter_inputs
print(" ".join(i.fault or "ok" for i in iter_inputs([sys.argv[1]], io.BytesIO())))
"""


def test_a_folder_that_cannot_be_listed_is_unreadable(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        if os.geteuid() == 0:
            drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
            child = subprocess.run(
                [*drop, sys.executable, "-c", _LIST, str(locked)],
                capture_output=True, text=True, check=False, timeout=60,
            )  # fmt: skip
            assert child.returncode == 0, child.stderr
            faults = child.stdout.split()
        else:
            faults = [i.fault or "ok" for i in iter_inputs([str(locked)], io.BytesIO())]
    finally:
        locked.chmod(0o700)
    assert faults == ["unreadable"]


def test_stdin_that_is_not_mail_is_named():
    (item,) = iter_inputs(["-"], io.BytesIO(b"%PDF-1.4\n"))
    assert (item.name, item.fault, item.error) == ("-", "not_mail", "not mail: a PDF document")


def test_a_dangling_link_is_missing(tmp_path):
    (tmp_path / "link.eml").symlink_to(tmp_path / "gone.eml")
    (item,) = iter_inputs([str(tmp_path / "link.eml")], io.BytesIO())
    assert item.fault == "missing"
