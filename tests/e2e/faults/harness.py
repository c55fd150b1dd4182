"""A randomized fault harness for `aliwatch run`: one seed, one story, real servers, faults.

Per seed (everything random comes from one `random.Random(seed)`, so a seed replays its plan):

1. A story: fixture mails (tests/fixtures/, examples/mailbox/), each with a Message-ID of its
   own for this story, shuffled, and at least one forged mail (Authentication-Results saying
   dkim=fail, or the spoofed refund fixture).
2. A private Dovecot, an aiosmtpd server (STARTTLS + AUTH) and `aliwatch run --now T` as a
   subprocess (JSON logs to a file per start), its database on a small tmpfs of our own.
3. The story's mails APPENDed at random moments, faults injected between them (FAULT_KINDS):
   SIGKILL of the daemon and a restart ("kill"); a SIGKILL sent by the SMTP server as it takes
   an alert, before its 250, i.e. inside the send-to-record window ("kill_in_send"); Dovecot
   stopped and started ("dovecot"); the SMTP server down for a while ("smtp_down"); UIDVALIDITY
   changed: folder deleted, recreated, the mails already delivered appended again
   ("uidvalidity"); one mail expunged and appended again ("expunge"); the database's file
   system full for a while ("disk_full"). Drawn only when asked for (EXTRA_FAULT_KINDS):
   `aliwatch status` run beside the daemon ("reader"), a SIGTERM as the SMTP server takes an
   alert ("term_in_send"). A daemon that exits by itself is a crash, recorded and restarted.
4. Every fault healed, the daemon restarted once more (cleanly) at a later `--now`, and the
   harness waits (on the store and the SMTP server, with a deadline) until it caught up. Then it
   checks: each mail is exactly one event (none for mail that is not AliExpress's), every alert
   is sent on every channel and reached the SMTP server, a second copy of an alert mail only
   where a SIGKILL fell between its send and its record (seen in the store right after each
   kill), no alert a forged mail caused was sent without the unverified mark, the daemon never
   exited except by our signals and never wrote to a WAL another process had deleted.

The harness reads the store read-only (see `_Run.database`). A failing seed keeps its work dir:
timeline.log (what the harness did when), logs/daemon-N.log (each start's JSON log) and
store-copy/ (the database as the daemon left it).

Time and `--now`: each start of the daemon gets a fixed `--now` (deadlines are deterministic),
one minute later than the start before; within one process the clock stands still, so a send
that failed (next try 30 s later) is retried by a later start. The final start is one hour
later than the last one: every retry is due by then (the retry delay is capped at 30 min).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from functools import cache
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from imapclient.exceptions import IMAPClientError

from aliwatch.daemon.alerts.channels.email_channel import message_id as alert_message_id
from aliwatch.daemon.store.codec import text_time
from aliwatch.daemon.store.orders import Orders
from aliwatch.parsers import AuthPolicy, recognise
from aliwatch.parsers.event import Event, Kind
from aliwatch.rules.decide import Marks, decide
from aliwatch.rules.policy import Policy
from aliwatch.rules.state import fold
from tests.servers.dovecot import Dovecot, _die_with_parent
from tests.servers.smtp import SmtpServer, _authenticate
from tests.support import REPO, wait_until

ROOT = REPO
FIXTURES = ROOT / "tests" / "fixtures"
MAILBOX = ROOT / "examples" / "mailbox"
ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))
FOLDER = "faults"
ALERT_TO = "buyer@example.net"
# How an alert's subject says its mail could not be verified (daemon/alerts/wording.py).
UNVERIFIED_MARKS = ("(unverified mail)", "Unverified mail claims", "Likely phishing:", "Suspicious")
BASE_NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # the demo mailbox's "today"
RESTART_STEP = timedelta(minutes=1)
FINAL_STEP = timedelta(hours=1)  # beyond the outbox's 30 min retry cap
CATCH_UP_SECONDS = 120.0
# A SIGTERM before `run` installed its handler (during start-up) ends it by the signal itself:
# as clean a stop as 0 (systemd counts SIGTERM as success too).
CLEAN_STOP = (0, -signal.SIGTERM)
CRASH_RESTART_SECONDS = 0.5  # systemd's RestartSec=, shortened
STORE_FS_BYTES = 16 * 1024 * 1024
DOVECOT_GRACE_SECONDS = 1.0  # Dovecot's master takes 10 s to stop while clients are connected
ACK_DELAY_SECONDS = 0.5  # term_in_send: the 250 comes this long after the mail was taken

FAULT_KINDS = (
    "kill", "kill_in_send", "dovecot", "smtp_down", "uidvalidity", "expunge", "disk_full",
)  # fmt: skip
# Not drawn unless asked for, as each shows a daemon bug every time: `aliwatch status` run
# against the store while the daemon runs (the README's "follow the orders from a shell").
# And a SIGTERM (a clean stop, as `systemctl restart` sends) as the SMTP server takes an alert.
EXTRA_FAULT_KINDS = ("reader", "term_in_send")
# What a failed seed broke: the daemon exited by itself; a mail lost or doubled as an event; an
# alert never delivered; an alert mailed twice with no SIGKILL between its send and its record;
# a mail for no alert; an alert a forged mail caused sent as genuine; the daemon writing to a
# WAL another process deleted; no catch-up within CATCH_UP_SECONDS; the harness itself.
FAILURE_KINDS = (
    "crash", "events", "undelivered", "duplicate", "phantom", "forged", "wal", "catch_up",
    "harness",
)  # fmt: skip
FORGED_KINDS = ("spoofed_refund", "forged_proposal", "forged_awaiting", "forged_followup")
_IGNORED = frozenset({Kind.NOT_ALIEXPRESS, Kind.PROMOTION})

# Fixture bases of the forged variants: kept out of the random part of a story, so that a
# forged mail's order holds only what its variant puts there.
SPOOFED_REFUND = FIXTURES / "dispute" / "refund_issued_en_spoofed_dkim_fail.eml"
PROPOSAL_BASE = FIXTURES / "dispute" / "seller_proposal_en_deadline.eml"
AWAITING_BASE = FIXTURES / "order" / "awaiting_confirmation_en.eml"
# Order 8200000000000303 of the demo mailbox: shipped, tracked, disputed, a genuine proposal.
DEMO_303 = tuple(
    MAILBOX / name
    for name in (
        "cur/1790944880.M15P100.demo:2,S",
        "cur/1791346603.M17P100.demo:2,S",
        "cur/1795025255.M18P100.demo:2,S",
        "new/1795679538.M21P100.demo",
    )
)
DEMO_PROPOSAL = DEMO_303[-1]
_VARIANT_BASES = frozenset({SPOOFED_REFUND, PROPOSAL_BASE, AWAITING_BASE, *DEMO_303})


# -- the story ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoryMail:
    """One mail of the story as the daemon will get it, and what it should become."""

    name: str  # the fixture it was made from (and the forged variant, if any)
    raw: bytes
    message_id: str  # the event's Message-ID: what the store keys events by
    kind: Kind
    authentic: bool
    order_ids: tuple[str, ...]
    forged: str | None = None  # the forged variant, when this mail is the forgery

    @property
    def expects_event(self) -> bool:
        return self.kind not in _IGNORED


@cache
def _pool() -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """(AliExpress mail that makes an event, mail that makes none: not AliExpress's or
    promotions) of the fixtures and the demo mailbox, forged variants' bases left out."""
    found = sorted(FIXTURES.rglob("*.eml")) + sorted(
        p for p in MAILBOX.rglob("*") if p.is_file() and p.name != ".gitkeep"
    )
    events: list[Path] = []
    others: list[Path] = []
    for path in found:
        if path not in _VARIANT_BASES:
            kind = recognise(path.read_bytes(), AuthPolicy()).kind
            (others if kind in _IGNORED else events).append(path)
    return tuple(events), tuple(others)


def _header_end(raw: bytes) -> int:
    match = re.search(rb"\r?\n\r?\n", raw)
    return match.start() if match else len(raw)


def _with_message_id(raw: bytes, tag: str) -> bytes:
    """The mail with its Message-ID's local part prefixed by `tag` (the domain is kept: it is
    one of the marks of AliExpress mail)."""
    end = _header_end(raw)
    head, count = re.subn(
        rb"(?im)^(Message-ID:[ \t]*(?:\r?\n[ \t]+)?<)", rb"\g<1>" + tag.encode() + b".", raw[:end],
        count=1,
    )  # fmt: skip
    if count != 1:
        raise ValueError(f"no Message-ID header to rewrite in a story mail ({tag})")
    return head + raw[end:]


def _dkim_failed(raw: bytes) -> bytes:
    """The mail as a forger's would arrive: the provider's Authentication-Results say fail."""
    end = _header_end(raw)
    head = raw[:end].replace(b"dkim=pass", b"dkim=fail")
    if head == raw[:end]:
        raise ValueError("no dkim=pass to forge in a story mail")
    return head + raw[end:]


def _redated(raw: bytes, date: str) -> bytes:
    end = _header_end(raw)
    head, count = re.subn(rb"(?im)^Date:[^\r\n]*", b"Date: " + date.encode(), raw[:end], count=1)
    if count != 1:
        raise ValueError("no Date header in a story mail")
    return head + raw[end:]


def _story_mail(name: str, raw: bytes, forged: str | None = None) -> StoryMail:
    event = recognise(raw, AuthPolicy())
    if not event.message_id:
        raise ValueError(f"{name}: the story needs a Message-ID on every mail")
    return StoryMail(
        name, raw, event.message_id.strip(), event.kind, event.authentic, event.order_ids, forged
    )


def _forged_variant(variant: str, tag: Callable[[], str]) -> list[tuple[str, bytes, str | None]]:
    """(name, raw, forged variant) of the mails a forged variant adds to the story."""
    if variant == "spoofed_refund":
        return [
            (SPOOFED_REFUND.name, _with_message_id(SPOOFED_REFUND.read_bytes(), tag()), variant)
        ]
    if variant == "forged_proposal":
        raw = _dkim_failed(PROPOSAL_BASE.read_bytes())
        return [(f"{PROPOSAL_BASE.name}+dkim=fail", _with_message_id(raw, tag()), variant)]
    if variant == "forged_awaiting":
        raw = _dkim_failed(AWAITING_BASE.read_bytes())
        return [(f"{AWAITING_BASE.name}+dkim=fail", _with_message_id(raw, tag()), variant)]
    if variant == "forged_followup":
        # The genuine dispute of order ...303 and its genuine proposal, then a forged proposal
        # sent two hours later (still before `now`), as a scammer's follow-up would be.
        mails: list[tuple[str, bytes, str | None]] = [
            (p.name, _with_message_id(p.read_bytes(), tag()), None) for p in DEMO_303
        ]
        raw = _redated(_dkim_failed(DEMO_PROPOSAL.read_bytes()), "Thu, 26 Nov 2026 02:00:00 -0800")
        mails.append((f"{DEMO_PROPOSAL.name}+dkim=fail+2h", _with_message_id(raw, tag()), variant))
        return mails
    raise ValueError(f"unknown forged variant {variant!r}")


def build_story(
    rng: random.Random, seed: int, size: int, forged_kinds: Sequence[str]
) -> list[StoryMail]:
    """`size` mails (or a few more, for a forged variant that needs its order's history), one
    or two forged variants among them, each mail with a Message-ID of this story, shuffled."""
    counter = iter(range(10_000))

    def tag() -> str:
        return f"faults-s{seed}-m{next(counter)}"

    variants = rng.sample(list(forged_kinds), k=min(len(forged_kinds), rng.choice((1, 1, 2))))
    chosen: list[tuple[str, bytes, str | None]] = []
    for variant in variants:
        chosen.extend(_forged_variant(variant, tag))
    events, others = _pool()
    rest = max(0, size - len(chosen))
    quiet = min(rest, rng.randint(1, 3))  # a few mails that must make no event
    picked = rng.sample(others, k=quiet) + rng.sample(events, k=min(len(events), rest - quiet))
    for path in picked:
        chosen.append((path.name, _with_message_id(path.read_bytes(), tag()), None))
    story = [_story_mail(name, raw, forged) for name, raw, forged in chosen]
    rng.shuffle(story)
    ids = [mail.message_id for mail in story]
    if len(set(ids)) != len(ids):
        raise ValueError("two story mails share a Message-ID")
    for mail in story:
        if mail.forged and mail.authentic:
            raise ValueError(f"{mail.name}: the forged mail still passes as authentic")
    return story


# -- the plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One thing the harness does, after `gap` seconds (the random moment)."""

    action: str  # "append", a fault kind, "smtp_up", "disk_free"
    gap: float
    mail: int = -1  # the story index, for "append"
    pick: float = 0.0  # a random number the action may use (which mail to expunge, downtime)


_ENDS = {"smtp_down": "smtp_up", "disk_full": "disk_free"}


def _gap(rng: random.Random) -> float:
    return 0.0 if rng.random() < 0.35 else round(rng.uniform(0.05, 0.6), 3)


def plan(
    rng: random.Random, story: Sequence[StoryMail], faults: int, kinds: Sequence[str]
) -> tuple[int, list[Step]]:
    """(how many mails are in the folder before the daemon first starts, the steps after)."""
    before = rng.randint(0, min(3, len(story)))
    actions: list[tuple[str, int]] = [("append", i) for i in range(before, len(story))]
    for _ in range(faults):
        kind = rng.choice(list(kinds))
        at = rng.randint(0, len(actions))
        actions.insert(at, (kind, -1))
        if kind in _ENDS:  # healed a few steps later (or at the end)
            actions.insert(rng.randint(at + 1, min(len(actions), at + 5)), (_ENDS[kind], -1))
    steps = [Step(action, _gap(rng), mail, rng.random()) for action, mail in actions]
    return before, steps


# -- the SMTP server ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Copy:
    """One alert mail as the SMTP server received it."""

    message_id: str
    subject: str
    at: float  # time.monotonic()


class _Recorder:
    """aiosmtpd handler: keeps each mail's Message-ID and subject; knows the open sessions and
    refuses mail while the server is being taken down (so that no mail is taken whose 250 the
    client may never read)."""

    def __init__(self) -> None:
        self.copies: list[Copy] = []
        self.live: set[int] = set()
        self.refusing = False
        # (pid, signal) to send as the next mail is taken, before its 250: between the daemon's
        # send and its record of it. `fired` is what was sent.
        self.armed: tuple[int, int] | None = None
        self.fired: tuple[int, int] | None = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.refusing:
            return "421 4.3.2 going down"
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        copy = Copy(str(message["Message-ID"]).strip(), str(message["Subject"]), time.monotonic())
        with self._lock:
            self.copies.append(copy)
            armed, self.armed = self.armed, None
        if armed is not None:  # the mail is taken, its 250 not yet given
            with contextlib.suppress(ProcessLookupError):
                os.kill(*armed)  # our own child, the daemon
            self.fired = armed
            if armed[1] == signal.SIGTERM:
                # A server that takes a moment to acknowledge (content filters do): the clean
                # stop comes while the send is healthy and waiting for the 250.
                await asyncio.sleep(ACK_DELAY_SECONDS)
        return "250 OK"

    def by_id(self) -> dict[str, list[Copy]]:
        with self._lock:
            copies = list(self.copies)
        found: dict[str, list[Copy]] = {}
        for copy in copies:
            found.setdefault(copy.message_id, []).append(copy)
        return found


class _TrackedSMTP(SMTP):
    """An SMTP session that tells the recorder when its connection opens and closes."""

    def connection_made(self, transport):  # type: ignore[no-untyped-def]
        self.event_handler.live.add(id(self))
        super().connection_made(transport)

    def connection_lost(self, error):  # type: ignore[no-untyped-def]
        try:
            super().connection_lost(error)
        finally:
            self.event_handler.live.discard(id(self))


class _Controller(Controller):
    def factory(self):  # type: ignore[no-untyped-def]
        return _TrackedSMTP(self.handler, **self.SMTP_kwargs)


class FaultSmtp(SmtpServer):
    """tests/servers/smtp.py's server (same TLS, AUTH and settings) with sessions tracked, that
    can go down and come back on the same port."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.faults = _Recorder()
        # aiosmtpd logs a deprecation warning about its own attribute at every AUTH.
        logging.getLogger("mail.log").setLevel(logging.ERROR)

    @property
    def up(self) -> bool:
        return self._controller is not None

    def start(self) -> FaultSmtp:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.ca_file, self.key_file)
        error: list[OSError] = []

        def started() -> bool:
            controller = _Controller(
                self.faults, hostname=self.host, port=self.port, tls_context=context,
                require_starttls=True, authenticator=_authenticate, auth_require_tls=True,
                auth_exclude_mechanism=["CRAM-MD5"],
            )  # fmt: skip
            try:
                controller.start()
            except OSError as err:
                error[:] = [err]
                return False
            self._controller = controller
            return True

        # The port may still be held a moment after a stop.
        if not wait_until(started, 5.0, every=0.1):
            raise error[0]
        return self

    def go_down(self) -> None:
        """Refuse mail, let sessions in progress end (briefly), then stop listening."""
        self.faults.refusing = True
        wait_until(lambda: not self.faults.live, 3.0)
        self.stop()
        self.faults.refusing = False


# -- Dovecot -----------------------------------------------------------------------------------


class FaultDovecot(Dovecot):
    """tests/servers/dovecot.py's Dovecot, stopped with a short grace: SIGTERM to the master,
    then SIGKILL to its whole process group (a server going away with clients connected)."""

    stop_grace = DOVECOT_GRACE_SECONDS


# -- the database's file system ----------------------------------------------------------------


class StoreDisk:
    """Where the database lives, and a way to fill it: a tmpfs of our own (as root), else a
    file size limit (RLIMIT_FSIZE) on the daemon process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(mode=0o700)
        self.filler = folder / "filler"
        self.mode = "rlimit"
        self.full = False
        self.mount_error = ""
        if os.geteuid() == 0 and shutil.which("mount"):
            result = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={STORE_FS_BYTES},mode=0700", "tmpfs",
                 str(folder)],
                capture_output=True, text=True, check=False, timeout=30,
            )  # fmt: skip
            if result.returncode == 0:
                self.mode = "tmpfs"
            else:
                self.mount_error = result.stderr.strip()
        else:
            self.mount_error = "not root" if os.geteuid() != 0 else "no mount command"

    def fill(self, pid: int | None) -> None:
        self.full = True
        if self.mode == "tmpfs":
            chunk = b"\0" * (1 << 20)
            with self.filler.open("ab", buffering=0) as out:
                while True:
                    try:
                        out.write(chunk)
                    except OSError as err:
                        if err.errno != errno.ENOSPC:
                            raise
                        if len(chunk) <= 512:
                            break
                        chunk = chunk[: len(chunk) // 8]
        else:
            self.limit(pid)

    def limit(self, pid: int | None) -> None:
        """(rlimit mode) no file of the daemon's may grow past its size now."""
        if self.mode != "rlimit" or pid is None or not self.full:
            return
        sizes = [p.stat().st_size for p in self.folder.iterdir() if p.is_file()]
        with contextlib.suppress(ProcessLookupError):
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (max(sizes, default=0), -1))

    def free(self, pid: int | None) -> None:
        self.full = False
        if self.mode == "tmpfs":
            self.filler.unlink(missing_ok=True)
        elif pid is not None:
            with contextlib.suppress(ProcessLookupError):
                resource.prlimit(pid, resource.RLIMIT_FSIZE, (-1, -1))

    def cleanup(self) -> None:
        if self.mode == "tmpfs":
            result = subprocess.run(
                ["umount", str(self.folder)], capture_output=True, check=False, timeout=30
            )
            if result.returncode != 0:
                subprocess.run(["umount", "-l", str(self.folder)], check=False, timeout=30)


# -- the daemon --------------------------------------------------------------------------------


@dataclass
class Incarnation:
    """One start of `aliwatch run`."""

    index: int
    now: datetime
    process: subprocess.Popen[bytes]
    log_path: Path
    started: float
    ended_by: str | None = None  # "sigkill", "sigterm", or None (running / exited by itself)
    exit_code: int | None = None
    wal_orphaned: bool = False

    def deleted_wal(self) -> bool:
        """Whether the running daemon holds its database's WAL open after the file was
        unlinked: its commits since then are seen by no other process and die with it."""
        fds = Path(f"/proc/{self.process.pid}/fd")
        try:
            targets = [os.readlink(fd) for fd in fds.iterdir()]
        except OSError:  # gone meanwhile, or no /proc
            return False
        return any(t.endswith(".db-wal (deleted)") for t in targets)

    def log_lines(self) -> list[str]:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return []

    def logged(self, event: str) -> bool:
        needle = f'"event": "{event}"'
        return any(needle in line for line in self.log_lines())

    def why_exited(self) -> str:
        """The daemon's last words: its own error line and the last error-level log lines."""
        lines = self.log_lines()
        plain = [line for line in lines if not line.startswith("{")]
        errors = [line for line in lines if '"level": "error"' in line]
        return " | ".join((plain + errors)[-3:])[:600]


def _settling(err: Exception) -> bool:
    """Dovecot's answer to an APPEND while a recreated folder's old index settles: with the
    TRYCREATE code, or (seen at seed 66) just "Mailbox was deleted under us"."""
    return "TRYCREATE" in str(err) or "deleted under us" in str(err)


# -- results -----------------------------------------------------------------------------------


@dataclass
class SeedResult:
    """What one seed did and found."""

    seed: int
    mails: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    expected_events: int = 0
    events: int = 0
    alerts: int = 0
    deliveries_sent: int = 0
    copies: int = 0
    duplicates_explained: int = 0
    duplicates_unexplained: int = 0
    lost_events: int = 0
    lost_alerts: int = 0
    crashed: int = 0
    wal_orphaned: int = 0
    forged_as_genuine: int = 0
    forged: list[str] = field(default_factory=list)
    disk_mode: str = ""
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)  # failures by kind (FAILURE_KINDS)
    notes: list[str] = field(default_factory=list)
    workdir: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, kind: str, text: str) -> None:
        """Record a broken invariant of kind `kind` (one of FAILURE_KINDS)."""
        if kind not in FAILURE_KINDS:
            raise ValueError(f"unknown failure kind {kind!r}")
        self.kinds[kind] += 1
        self.failures.append(f"[{kind}] {text}")

    def line(self) -> str:
        kinds = FAULT_KINDS + EXTRA_FAULT_KINDS
        faults = " ".join(f"{kind}={self.faults[kind]}" for kind in kinds if self.faults[kind])
        return (
            f"seed={self.seed} {'ok' if self.ok else 'FAIL'} faults[{faults}] mails={self.mails}"
            f" events={self.events}/{self.expected_events} alerts={self.alerts}"
            f" deliveries={self.deliveries_sent} smtp_copies={self.copies}"
            f" dup_explained={self.duplicates_explained}"
            f" dup_unexplained={self.duplicates_unexplained}"
            f" lost={self.lost_events + self.lost_alerts} crashed={self.crashed}"
            f" wal_orphaned={self.wal_orphaned} forged_as_genuine={self.forged_as_genuine}"
            f" forged={','.join(self.forged)}"
            f" time={self.seconds:.1f}s"
        )


# -- one seed ----------------------------------------------------------------------------------


@dataclass
class Options:
    mails: tuple[int, int] = (15, 30)
    faults: tuple[int, int] = (3, 6)
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    forged_kinds: tuple[str, ...] = FORGED_KINDS
    keep: bool = False  # keep the work dir (logs, database) even when the seed passed


def run_seed(seed: int, options: Options | None = None) -> SeedResult:
    """Run one seed end to end; the work dir is removed unless the seed failed (or `keep`)."""
    options = options or Options()
    began = time.monotonic()
    result = SeedResult(seed)
    workdir = Path(
        tempfile.mkdtemp(
            prefix=f"aliwatch-faults-{seed}-",
        )
    )
    workdir.chmod(0o755)  # Dovecot's unprivileged processes traverse it
    run = _Run(seed, options, workdir, result)
    try:
        run.execute()
    except Exception as err:  # noqa: BLE001 - a harness error fails the seed, with its seed
        result.fail("harness", f"{type(err).__name__}: {err}")
    finally:
        run.cleanup()
        result.seconds = time.monotonic() - began
        if result.ok and not options.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            result.workdir = workdir
            run.write_timeline()
    return result


class _Run:
    """The servers, the daemon, the plan and the checks of one seed."""

    def __init__(self, seed: int, options: Options, workdir: Path, result: SeedResult) -> None:
        self.seed = seed
        self.options = options
        self.workdir = workdir
        self.result = result
        self.rng = random.Random(seed)
        self.logs = workdir / "logs"
        self.logs.mkdir()
        self.timeline: list[tuple[float, str]] = []
        self.t0 = time.monotonic()
        self.dovecot: FaultDovecot | None = None
        self.smtp: FaultSmtp | None = None
        self.disk: StoreDisk | None = None
        self.daemons: list[Incarnation] = []
        self.delivered: list[int] = []  # story indexes appended so far, in order
        self.in_window: Counter[str] = Counter()  # alert key -> kills between send and record
        self.smtp_depth = 0
        self.disk_depth = 0
        self.env: dict[str, str] = {}
        self.story: list[StoryMail] = []

    # -- setup and teardown --

    def note(self, text: str) -> None:
        self.timeline.append((time.monotonic() - self.t0, text))

    def write_timeline(self) -> None:
        lines = [f"{at:8.3f} {text}" for at, text in self.timeline]
        (self.workdir / "timeline.log").write_text("\n".join(lines) + "\n", encoding="utf-8")

    @property
    def db_path(self) -> Path:
        assert self.disk is not None
        return self.disk.folder / "aliwatch.db"

    def setup(self) -> None:
        (self.workdir / "dovecot").mkdir()
        self.dovecot = FaultDovecot(self.workdir / "dovecot")
        self.dovecot.start()
        self.dovecot.recreate_folder(FOLDER)
        smtp_root = self.workdir / "smtp"
        smtp_root.mkdir()
        self.smtp = FaultSmtp(smtp_root).start()
        self.disk = StoreDisk(self.workdir / "store")
        self.result.disk_mode = self.disk.mode
        if self.disk.mode != "tmpfs":
            self.result.notes.append(f"no tmpfs ({self.disk.mount_error}): RLIMIT_FSIZE instead")
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.workdir),
            "ALIWATCH_DB_PATH": str(self.db_path),
            "ALIWATCH_IMAP_HOST": self.dovecot.host,
            "ALIWATCH_IMAP_PORT": str(self.dovecot.imaps_port),
            "ALIWATCH_IMAP_USER": self.dovecot.user,
            "ALIWATCH_IMAP_PASSWORD": self.dovecot.password,
            "ALIWATCH_IMAP_CA_FILE": str(self.dovecot.ca_file),
            "ALIWATCH_IMAP_FOLDERS": FOLDER,
            "ALIWATCH_IMAP_TIMEOUT": "5",
            "ALIWATCH_POLL_SECONDS": "5",
            "ALIWATCH_BACKFILL_DAYS": "36500",
            "ALIWATCH_LOG_FORMAT": "json",
            "ALIWATCH_TIMEZONE": "America/Los_Angeles",
            "ALIWATCH_DESKTOP_NOTIFY": "off",
            **self.smtp.env(ALERT_TO),
        }

    def cleanup(self) -> None:
        for daemon in self.daemons:
            if daemon.process.poll() is None:
                daemon.process.kill()  # only ever our own child
                daemon.process.wait(timeout=30)
        if self.smtp is not None:
            self.smtp.stop()
        if self.dovecot is not None:
            self.dovecot.stop()
        if self.disk is not None:
            keep = self.workdir / "store-copy"  # the tmpfs goes with the umount
            with contextlib.suppress(OSError):
                shutil.copytree(self.disk.folder, keep, ignore=shutil.ignore_patterns("filler"))
            self.disk.cleanup()

    # -- the daemon --

    @property
    def daemon(self) -> Incarnation | None:
        return self.daemons[-1] if self.daemons else None

    def start_daemon(self, *, final: bool = False) -> Incarnation:
        previous = self.daemon
        if previous is None:
            now = BASE_NOW
        else:
            now = previous.now + (FINAL_STEP if final else RESTART_STEP)
        index = len(self.daemons)
        log_path = self.logs / f"daemon-{index}.log"
        with log_path.open("wb") as log:
            # preexec_fn only calls prctl(): the daemon dies with the harness.
            process = subprocess.Popen(
                [ALIWATCH, "run", "--now", now.isoformat()],
                env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                preexec_fn=_die_with_parent,  # noqa: PLW1509
            )  # fmt: skip
        daemon = Incarnation(index, now, process, log_path, time.monotonic())
        self.daemons.append(daemon)
        assert self.smtp is not None
        armed = self.smtp.faults.armed
        if armed is not None:  # an armed signal follows the restart
            self.smtp.faults.armed = (process.pid, armed[1])
        self.note(f"daemon {index} started (pid {process.pid}, --now {now.isoformat()})")
        assert self.disk is not None
        self.disk.limit(process.pid)
        return daemon

    def check_alive(self) -> None:
        """A daemon that exited by itself crashed: record it and start it again (as systemd's
        Restart=on-failure would)."""
        daemon = self.daemon
        if daemon is None or daemon.ended_by is not None:
            return
        code = daemon.process.poll()
        if code is None:
            self.check_wal(daemon)
            return
        assert self.smtp is not None
        fired = self.smtp.faults.fired
        if fired == (daemon.process.pid, signal.SIGKILL) and code == -signal.SIGKILL:
            self.smtp.faults.fired = None
            self.killed(daemon, "SIGKILLed by the SMTP server as it took an alert")
            self.result.faults["kill_in_send"] += 1
            return
        if fired == (daemon.process.pid, signal.SIGTERM) and code in CLEAN_STOP:
            self.smtp.faults.fired = None
            self.stopped(daemon, code)
            return
        daemon.exit_code = code
        daemon.ended_by = "crash"
        self.result.crashed += 1
        why = daemon.why_exited()
        self.note(f"daemon {daemon.index} CRASHED: exit {code}: {why}")
        self.result.fail(
            "crash", f"daemon {daemon.index} exited by itself with status {code}: {why}"
        )
        time.sleep(CRASH_RESTART_SECONDS)
        self.start_daemon()

    def check_wal(self, daemon: Incarnation) -> None:
        if daemon.wal_orphaned or not daemon.deleted_wal():
            return
        daemon.wal_orphaned = True
        self.result.wal_orphaned += 1
        self.note(f"daemon {daemon.index} writes to a deleted WAL")
        self.result.fail(
            "wal",
            f"daemon {daemon.index} writes to a WAL another process's connection deleted: "
            "its commits are invisible to other readers and lost if it dies",
        )

    def reader(self) -> bool:
        """`aliwatch status` against the store while the daemon runs, as the README allows."""
        daemon = self.daemon
        assert daemon is not None
        result = subprocess.run(
            [ALIWATCH, "status", "--now", daemon.now.isoformat()], env=self.env,
            capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        self.note(f"aliwatch status beside daemon {daemon.index}: exit {result.returncode}")
        self.check_wal(daemon)
        return True

    def kill(self) -> bool:
        daemon = self.daemon
        assert daemon is not None
        daemon.process.send_signal(signal.SIGKILL)
        self.killed(daemon, "SIGKILLed")
        return True

    def arm_in_send(self, signum: int) -> bool:
        """Signal the daemon from inside the SMTP server as its next alert mail is taken."""
        assert self.smtp is not None and self.daemon is not None
        self.smtp.faults.armed = (self.daemon.process.pid, signum)
        name = signal.Signals(signum).name
        self.note(f"daemon {self.daemon.index} to get {name} as the next alert arrives")
        return False  # counted when it fires

    def disarm_in_send(self) -> None:
        assert self.smtp is not None
        if self.smtp.faults.armed is not None:
            self.smtp.faults.armed = None
            self.note("no alert came while a signal was armed: disarmed")

    def stopped(self, daemon: Incarnation, code: int) -> None:
        """The daemon stopped cleanly on a SIGTERM sent as an alert was taken: start it again.
        A resend of that alert is not explained: a clean stop must not lose a send's record."""
        daemon.exit_code = code
        daemon.ended_by = "sigterm"
        self.note(f"daemon {daemon.index} stopped by a SIGTERM as an alert was taken (exit {code})")
        self.result.faults["term_in_send"] += 1
        self.start_daemon()

    def killed(self, daemon: Incarnation, how: str) -> None:
        daemon.exit_code = daemon.process.wait(timeout=30)
        daemon.ended_by = "sigkill"
        self.note(f"daemon {daemon.index} {how} (exit {daemon.exit_code})")
        if daemon.exit_code != -signal.SIGKILL:  # it had exited before the signal came
            self.result.crashed += 1
            self.result.fail(
                "crash",
                f"daemon {daemon.index} had exited with status {daemon.exit_code} before its "
                f"SIGKILL: {daemon.why_exited()}",
            )
        self.snapshot_send_window()
        self.start_daemon()

    def snapshot_send_window(self) -> None:
        """Alerts the SMTP server has received but the store does not record as sent, with
        the daemon dead: its SIGKILL fell between send and record, a resend is explained."""
        assert self.smtp is not None
        wait_until(lambda: not self.smtp.faults.live, 5.0)  # type: ignore[union-attr]
        received = self.smtp.faults.by_id()
        with self.database() as db:
            if db is None:
                return
            try:
                rows = db.execute(
                    "SELECT a.key, d.state FROM alerts a LEFT JOIN deliveries d"
                    " ON d.alert_key = a.key AND d.channel = 'email'"
                ).fetchall()
            except sqlite3.OperationalError:  # killed before its schema was written
                return
        for key, state in rows:
            if alert_message_id(key, ALERT_TO) in received and state != "sent":
                self.in_window[key] += 1
                self.note(f"kill fell between send and record of alert {key}")

    @contextlib.contextmanager
    def database(self) -> Iterator[sqlite3.Connection | None]:
        """A short look at the store (None before the daemon created it).

        Read-only (mode=ro): a read-write connection that closes while it holds the only lock
        on the database file checkpoints and deletes the WAL, which the daemon may still be
        writing (see the "reader" fault). The harness must not be that reader by accident.
        """
        if not self.db_path.exists():
            yield None
            return
        try:
            db = sqlite3.connect(
                f"file:{self.db_path}?mode=ro", uri=True, isolation_level=None, timeout=15
            )
        except sqlite3.OperationalError:
            yield None
            return
        try:
            yield db
        finally:
            db.close()

    def sender_of(self, at: float) -> str:
        """Which daemon ran when the SMTP server took a mail at `at`, and how it ended."""
        running = [d for d in self.daemons if d.started <= at]
        if not running:
            return "no daemon"
        daemon = running[-1]
        return f"daemon {daemon.index} (ended by {daemon.ended_by or 'nothing'})"

    # -- the plan --

    def imap_append(self, raw: bytes) -> int:
        """APPEND to the folder; its UID. Right after the folder was deleted and recreated,
        Dovecot may answer "[TRYCREATE] Mailbox was deleted under us" while another session
        (the daemon's) still settles the old index: try again, a few times."""
        assert self.dovecot is not None
        dovecot = self.dovecot
        uid: list[int] = []
        error: list[IMAPClientError] = []

        def appended() -> bool:
            try:
                uid.append(dovecot.append(FOLDER, raw))
            except IMAPClientError as err:
                if not _settling(err):
                    raise
                self.note(f"APPEND refused ({err}), again")
                error[:] = [err]
                return False
            return True

        if not wait_until(appended, 1.0, every=0.2):
            raise error[0]
        return uid[0]

    def append(self, index: int) -> bool:
        mail = self.story[index]
        uid = self.imap_append(mail.raw)
        self.delivered.append(index)
        self.note(f"append #{index} uid {uid} {mail.name} ({mail.kind.value})")
        return False

    def dovecot_restart(self, pick: float) -> bool:
        assert self.dovecot is not None
        self.dovecot.stop()
        down = round(pick * 2.0, 3)
        self.note(f"dovecot stopped for {down} s")
        time.sleep(down)  # the outage's length is part of the fault, chosen by the seed
        self.dovecot.start()
        self.note("dovecot started")
        return True

    def uidvalidity(self) -> bool:
        assert self.dovecot is not None
        before = self.dovecot.uidvalidity(FOLDER)
        self.dovecot.recreate_folder(FOLDER)
        pending = list(self.delivered)
        try:
            with self.dovecot.client() as imap:  # one connection for the lot
                while pending:
                    imap.append(FOLDER, self.story[pending[0]].raw)
                    pending.pop(0)
        except IMAPClientError as err:
            if not _settling(err):
                raise
            self.note(f"APPEND refused ({err}), the rest one by one")
        for index in pending:
            self.imap_append(self.story[index].raw)
        after = self.dovecot.uidvalidity(FOLDER)
        self.note(f"folder rebuilt: UIDVALIDITY {before} -> {after}, {len(self.delivered)} mails")
        if after == before:
            raise RuntimeError("the rebuilt folder kept its UIDVALIDITY")
        return True

    def expunge(self, pick: float) -> bool:
        assert self.dovecot is not None
        if not self.delivered:
            self.note("expunge: no mail yet, skipped")
            return False
        index = self.delivered[int(pick * len(self.delivered))]
        mail = self.story[index]
        with self.dovecot.client() as imap:
            imap.select_folder(FOLDER)
            uids = imap.search(["HEADER", "Message-ID", mail.message_id.strip("<>")])
            imap.delete_messages(uids)
            imap.expunge()
        uid = self.imap_append(mail.raw)
        self.note(f"expunged #{index} (uids {list(uids)}) and appended it again as uid {uid}")
        return True

    def smtp_down(self) -> bool:
        assert self.smtp is not None
        self.smtp_depth += 1
        if self.smtp_depth > 1:
            return False
        self.smtp.go_down()
        self.note("smtp down")
        return True

    def smtp_up(self) -> bool:
        assert self.smtp is not None
        self.smtp_depth = max(0, self.smtp_depth - 1)
        if self.smtp_depth == 0 and not self.smtp.up:
            self.smtp.start()
            self.note("smtp up")
        return False

    def disk_full(self) -> bool:
        assert self.disk is not None
        self.disk_depth += 1
        if self.disk_depth > 1:
            return False
        daemon = self.daemon
        self.disk.fill(daemon.process.pid if daemon else None)
        self.note(f"store file system full ({self.disk.mode})")
        return True

    def disk_free(self) -> bool:
        assert self.disk is not None
        self.disk_depth = max(0, self.disk_depth - 1)
        if self.disk_depth == 0 and self.disk.full:
            daemon = self.daemon
            self.disk.free(daemon.process.pid if daemon else None)
            self.note("store file system freed")
        return False

    def step(self, step: Step) -> None:
        """Do one step; a fault is counted by kind when it was really injected."""
        handlers: dict[str, Callable[[], bool]] = {
            "append": lambda: self.append(step.mail),
            "kill": self.kill,
            "kill_in_send": lambda: self.arm_in_send(signal.SIGKILL),
            "term_in_send": lambda: self.arm_in_send(signal.SIGTERM),
            "dovecot": lambda: self.dovecot_restart(step.pick),
            "uidvalidity": self.uidvalidity,
            "expunge": lambda: self.expunge(step.pick),
            "smtp_down": self.smtp_down,
            "smtp_up": self.smtp_up,
            "disk_full": self.disk_full,
            "disk_free": self.disk_free,
            "reader": self.reader,
        }
        if handlers[step.action]():
            self.result.faults[step.action] += 1

    def execute(self) -> None:
        options = self.options
        self.story = build_story(
            self.rng, self.seed, self.rng.randint(*options.mails), options.forged_kinds
        )
        self.result.mails = len(self.story)
        self.result.forged = sorted({m.forged for m in self.story if m.forged})
        self.result.expected_events = sum(m.expects_event for m in self.story)
        faults = self.rng.randint(*options.faults)
        before, steps = plan(self.rng, self.story, faults, options.fault_kinds)
        self.note(f"seed {self.seed}: {len(self.story)} mails, {before} before start, "
                  f"plan {[s.action for s in steps if s.action != 'append']}")  # fmt: skip
        self.setup()
        for index in range(before):
            self.append(index)
        self.start_daemon()
        for step in steps:
            if step.gap:
                time.sleep(step.gap)  # the random moment of the next step, chosen by the seed
            self.check_alive()
            self.step(step)
        self.heal()
        self.catch_up()
        self.check()

    # -- the end --

    def heal(self) -> None:
        assert self.smtp is not None and self.dovecot is not None
        self.disarm_in_send()
        self.smtp_depth = min(self.smtp_depth, 1)
        self.smtp_up()
        self.disk_depth = min(self.disk_depth, 1)
        self.disk_free()
        if not self.dovecot.running:
            self.dovecot.start()
        self.check_alive()
        self.terminate("daemon")
        self.start_daemon(final=True)

    def progress(self) -> tuple[bool, str]:
        """Whether the final daemon caught up, and what it still misses."""
        assert self.smtp is not None
        daemon = self.daemon
        assert daemon is not None
        if not daemon.logged("rules_done"):
            return False, "the final daemon has not finished its first pass"
        with self.database() as db:
            if db is None:
                return False, "no database"
            try:
                keys = {row[0] for row in db.execute("SELECT message_key FROM events")}
                alerts = db.execute(
                    "SELECT a.key, d.state FROM alerts a LEFT JOIN deliveries d"
                    " ON d.alert_key = a.key AND d.channel = 'email'"
                ).fetchall()
            except sqlite3.OperationalError as err:  # no schema yet
                return False, f"store not readable: {err}"
        missing = [m.name for m in self.story if m.expects_event and m.message_id not in keys]
        unsent = [key for key, state in alerts if state != "sent"]
        received = self.smtp.faults.by_id()
        unseen = [key for key, _ in alerts if alert_message_id(key, ALERT_TO) not in received]
        if missing or unsent or unseen:
            return False, f"events missing for {missing}; unsent {unsent}; not received {unseen}"
        return True, ""

    def catch_up(self) -> None:
        state = {"why": ""}

        def caught_up() -> bool:
            self.check_alive()
            done, state["why"] = self.progress()
            return done

        if not wait_until(caught_up, CATCH_UP_SECONDS, every=0.2):
            self.note(f"did not catch up: {state['why']}")
            self.result.fail(
                "catch_up",
                f"not caught up {CATCH_UP_SECONDS:.0f} s after every fault healed: {state['why']}",
            )
        self.terminate("final daemon")

    def terminate(self, label: str) -> None:
        """SIGTERM the daemon and wait for it: anything but a clean stop is a crash."""
        daemon = self.daemon
        assert daemon is not None
        daemon.process.send_signal(signal.SIGTERM)
        daemon.ended_by = "sigterm"
        daemon.exit_code = daemon.process.wait(timeout=30)
        self.note(f"{label} {daemon.index} SIGTERMed (exit {daemon.exit_code})")
        if daemon.exit_code not in CLEAN_STOP:
            self.result.crashed += 1
            self.result.fail(
                "crash",
                f"{label} {daemon.index} ended with status {daemon.exit_code} on SIGTERM: "
                f"{daemon.why_exited()}",
            )

    def check(self) -> None:
        assert self.smtp is not None
        with self.database() as db:
            if db is None:
                self.result.fail("events", "the daemon never created its database")
                return
            try:
                _Checks(self, db).run_all()
            except sqlite3.OperationalError as err:
                self.result.fail("events", f"the daemon's database is not readable: {err}")


class _Checks:
    """The invariants, from the store (the daemon stopped) and what the SMTP server received."""

    def __init__(self, owner: _Run, db: sqlite3.Connection) -> None:
        self.owner = owner
        self.db = db
        self.result = owner.result
        assert owner.smtp is not None
        self.received = owner.smtp.faults.by_id()

    def fail(self, kind: str, text: str) -> None:
        self.result.fail(kind, text)

    def run_all(self) -> None:
        self.events()
        alerts = self.alerts()
        self.duplicates(alerts)
        self.forged(alerts)
        self.logs()

    def events(self) -> None:
        counts = Counter(row[0] for row in self.db.execute("SELECT message_key FROM events"))
        story = {mail.message_id: mail for mail in self.owner.story}
        found = 0
        for mail in self.owner.story:
            n = counts.get(mail.message_id, 0)
            want = 1 if mail.expects_event else 0
            found += min(n, 1) if want else 0
            if n < want:
                self.result.lost_events += 1
                self.fail("events", f"lost: no event for {mail.name} {mail.message_id}")
            elif n > want:
                self.fail("events", f"{n} events for {mail.name} {mail.message_id} (want {want})")
        self.result.events = found
        for key in counts:
            if key not in story:
                self.fail("events", f"an event for a mail that is not in the story: {key}")

    def alerts(self) -> dict[str, dict[str, Any]]:
        rows = self.db.execute(
            "SELECT key, order_id, rule, state, created_at, payload FROM alerts"
        ).fetchall()
        deliveries = {
            (row[0], row[1]): row[2]
            for row in self.db.execute("SELECT alert_key, channel, state FROM deliveries")
        }
        alerts: dict[str, dict[str, Any]] = {}
        for key, order_id, rule, state, created_at, payload in rows:
            alerts[key] = {
                "order_id": order_id,
                "rule": rule,
                "created_at": text_time(created_at),
                "payload": json.loads(payload),
            }
            channels = {ch: st for (k, ch), st in deliveries.items() if k == key}
            unsent = sorted(ch for ch, st in channels.items() if st != "sent")
            if not channels or unsent or state != "sent":
                self.result.lost_alerts += 1
                self.fail(
                    "undelivered",
                    f"alert {key} ({state}) never delivered on {unsent or 'any channel'}",
                )
            elif alert_message_id(key, ALERT_TO) not in self.received:
                self.result.lost_alerts += 1
                self.fail(
                    "undelivered", f"alert {key} recorded as sent but the SMTP server never got it"
                )
        self.result.alerts = len(alerts)
        self.result.deliveries_sent = sum(st == "sent" for st in deliveries.values())
        self.result.copies = sum(len(c) for c in self.received.values())
        return alerts

    def duplicates(self, alerts: dict[str, dict[str, Any]]) -> None:
        by_id = {alert_message_id(key, ALERT_TO): key for key in alerts}
        for mid, copies in self.received.items():
            key = by_id.get(mid)
            if key is None:
                self.fail(
                    "phantom",
                    f"the SMTP server got a mail for no stored alert: {mid} {copies[0].subject}",
                )
                continue
            extra = len(copies) - 1
            if extra <= 0:
                continue
            explained = min(extra, self.owner.in_window[key])
            self.result.duplicates_explained += explained
            self.result.duplicates_unexplained += extra - explained
            if extra > explained:
                self.fail(
                    "duplicate",
                    f"alert {key} mailed {len(copies)} times; only {explained} resend(s)"
                    f" follow a SIGKILL between send and record; copies from "
                    + ", ".join(self.owner.sender_of(copy.at) for copy in copies),
                )

    def forged(self, alerts: dict[str, dict[str, Any]]) -> None:
        forged = {m.message_id: m for m in self.owner.story if m.forged}
        for key in caused_by(self.db, alerts, set(forged)):
            alert = alerts[key]
            subjects = [c.subject for c in self.received.get(alert_message_id(key, ALERT_TO), [])]
            genuine = alert["payload"].get("verified", True) or any(
                not any(mark in s for mark in UNVERIFIED_MARKS) for s in subjects
            )
            self.owner.note(f"alert {key} caused by a forged mail: {subjects}")
            if genuine:
                self.result.forged_as_genuine += 1
                self.fail(
                    "forged",
                    f"alert {key} caused by a forged mail was sent as genuine: "
                    f"verified={alert['payload'].get('verified')} subjects {subjects}",
                )

    def logs(self) -> None:
        for daemon in self.owner.daemons:
            for line in daemon.log_lines():
                if "Traceback" in line or "delivery_worker_failed" in line:
                    self.result.notes.append(f"daemon {daemon.index}: {line[:300]}")
                if "delivery_store_error" in line:
                    self.result.notes.append(f"daemon {daemon.index}: {line[:300]}")


def caused_by(
    db: sqlite3.Connection, alerts: dict[str, dict[str, Any]], forged_ids: set[str]
) -> set[str]:
    """The alerts a forged mail caused: an attention alert naming it; an alert of its order
    whose key names the forged mail's time; or one the rules decide at the alert's own `now`
    with the order's mail, and not without the forged mail."""
    orders = Orders(db)
    caused: set[str] = set()
    for key, alert in alerts.items():
        if key.startswith("attention::") and key.removeprefix("attention::") in forged_ids:
            caused.add(key)
            continue
        order_id = alert["order_id"]
        if not order_id:
            continue
        events = orders.events_of(order_id)
        forged = [(e, w) for e, w in events if (e.message_id or "").strip() in forged_ids]
        if not forged:
            continue
        if any(when.isoformat() in key for _, when in forged):
            caused.add(key)
            continue
        honest = [(e, w) for e, w in events if (e.message_id or "").strip() not in forged_ids]
        now = alert["created_at"]
        if key in _keys(order_id, events, now) and key not in _keys(order_id, honest, now):
            caused.add(key)
    return caused


def _keys(order_id: str, events: list[tuple[Event, datetime]], now: datetime) -> set[str]:
    return {d.key for d in decide(fold(order_id, events), now, Policy(), Marks())}
