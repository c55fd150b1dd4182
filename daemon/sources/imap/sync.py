"""Incremental sync of one IMAP folder into the store: new UIDs only, bodies of candidates only."""

from __future__ import annotations

import re
import time
from array import array
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email import message_from_bytes
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr
from typing import Protocol

import structlog

from aliwatch.daemon.sources.imap.errors import ImapConnectError, ImapError, ImapReplyError
from aliwatch.daemon.sources.ingest import mail_digest, mail_status
from aliwatch.daemon.sources.inputs import MAX_MAIL_BYTES
from aliwatch.daemon.store import MailKey, MailStatus, Store, StoreError, StoreFullError
from aliwatch.parsers import AuthPolicy
from aliwatch.parsers.attachments import STRIP_ABOVE
from aliwatch.parsers.event import Event
from aliwatch.parsers.forwarded import strip_prefixes
from aliwatch.parsers.identity import RELAY_HEADERS
from aliwatch.parsers.recognise import recognise_all
from aliwatch.parsers.senders import RELAY_DOMAINS, is_relay_domain
from aliwatch.parsers.vocabulary import FORWARD_WORDS

# Header lines are small: 1,000 per FETCH keeps round trips few (a round trip per 200 was a
# tenth of a backfill, make bench). Whole mails can be large: candidates' bodies are fetched up
# to 50 or 8 MiB at a time, so memory stays bounded whatever the folder holds; a larger one comes
# a piece at a time without its attachments (parsers/attachments.py); a "mail" over 64 MiB (the
# file sources' cap too) is hostile (AliExpress notices are ~100 KB) and recorded failed unread.
HEADER_BATCH = 1000
BODY_BATCH = 50
BODY_BATCH_BYTES = 8 * 1024 * 1024
# More UIDs to examine than one header FETCH (a first sync, a long absence): the server picks
# the candidates, by a UID SEARCH for CANDIDATE_KEYS per HEADER_BATCH UIDs, and only their header
# lines are fetched and read here; the rest are recorded as examined. Reading the header lines
# of every mail was two thirds of a backfill's IMAP time (make bench). Fewer UIDs, or a server
# that refuses the search: the header lines of each one are read here (is_candidate), as always.
SEARCH_ABOVE = HEADER_BATCH
# A long sync logs its progress after its first batch, then at least this often.
PROGRESS_SECONDS = 2.0
# MessageError: HeaderParseError, and CharsetError for an encoded word's charset that is no name.
_HEADER_ERRORS = (MessageError, ValueError, LookupError, UnicodeError, TypeError, IndexError)


def _candidate_keys() -> tuple[tuple[str, ...], ...]:
    """Search keys for every mail is_candidate could take (RFC 3501 section 6.4.4: substring,
    case-insensitive), so the server's answer holds all of is_candidate's and a few more.

    "aliexpress" in From, Subject or a relay's original-sender header; From a relay domain; a
    forward word with its colon in the subject; no From header at all.
    """
    marks: list[tuple[str, ...]] = [("FROM", "aliexpress"), ("SUBJECT", "aliexpress")]
    marks += [("HEADER", name, "aliexpress") for name in ("From", *RELAY_HEADERS)]
    relays = [("FROM", domain) for domain in RELAY_DOMAINS]
    forwards = [("SUBJECT", f"{word}{gap}:") for word in FORWARD_WORDS for gap in ("", " ")]
    return (*marks, *relays, *forwards, ("NOT", "HEADER", "FROM", ""))


CANDIDATE_KEYS = _candidate_keys()

log = structlog.get_logger(__name__)


class FolderSession(Protocol):
    """What the sync asks of a session (daemon.sources.imap.session.ImapSession)."""

    def folder_status(self, folder: str) -> tuple[int, int, int]: ...
    def select_readonly(self, folder: str) -> int: ...
    def deselect(self) -> None: ...
    def search_uids_since(
        self, min_uid: int, since: date | None, max_uid: int | None = None
    ) -> list[int]: ...
    def uid_marks(self, every: int) -> list[int]: ...
    def search_any(self, uids: Sequence[int], any_of: Sequence[Sequence[str]]) -> list[int]: ...
    def fetch_headers(self, uids: Sequence[int]) -> dict[int, tuple[bytes, int] | None]: ...
    def fetch_bodies(self, uids: Sequence[int]) -> dict[int, bytes | None]: ...
    def fetch_large_body(self, uid: int) -> tuple[bytes, str] | None: ...


@dataclass
class SyncReport:
    """What one folder sync did; counts only, never mail content.

    `rescanned` is True when the folder was searched by date (the last ALIWATCH_BACKFILL_DAYS)
    instead of by UID: the first sync, or the first after UIDVALIDITY changed (the mailbox was
    rebuilt; the store's Message-ID dedup keeps events and alerts single).
    """

    examined: int = 0
    new_events: int = 0
    failed: int = 0
    candidates: int = 0
    uidvalidity: int = 0
    rescanned: bool = False
    vanished: int = 0  # listed, then expunged before it could be fetched
    elsewhere: int = 0  # recorded meanwhile by another process on the same store


def sync_folder(
    session: FolderSession,
    store: Store,
    *,
    account: str,
    folder: str,
    now: datetime,
    auth: AuthPolicy,
    backfill_days: int,
) -> SyncReport:
    """Examine every mail of `folder` above the last recorded UID and record each one.

    Headers come first; only candidates (AliExpress marks, relays, forwards) are
    fetched whole and recognised. Mail is recorded in ascending UID order, so a crash at any
    point leaves the store's highest UID a true high-water mark. A mail that cannot be parsed
    is recorded as failed and skipped. ImapError (connection lost) and StoreError (database
    unusable) propagate: what was recorded stays recorded, the rest is fetched next time.
    """
    uidvalidity, uidnext, _ = session.folder_status(folder)
    last = store.max_uid(account, folder, uidvalidity)
    report = SyncReport(uidvalidity=uidvalidity)
    if last and uidnext <= last + 1:
        return report  # nothing new: one STATUS, whatever the folder's size
    selected = session.select_readonly(folder)
    try:
        _examine(
            session, store, report, folder=folder, selected=selected, now=now, auth=auth,
            backfill_days=backfill_days, account=account,
        )  # fmt: skip
    except BaseException:
        with suppress(ImapError):  # the first failure is the one to report
            session.deselect()
        raise
    session.deselect()  # the next STATUS must see new mail (the connection is kept)
    return report


def _examine(
    session: FolderSession,
    store: Store,
    report: SyncReport,
    *,
    folder: str,
    selected: int,
    now: datetime,
    auth: AuthPolicy,
    backfill_days: int,
    account: str,
) -> SyncReport:
    """The selected folder's new UIDs examined and recorded (see sync_folder)."""
    uidvalidity = report.uidvalidity
    last = store.max_uid(account, folder, uidvalidity)
    if selected != uidvalidity:  # rebuilt between STATUS and EXAMINE
        uidvalidity = report.uidvalidity = selected
        last = store.max_uid(account, folder, uidvalidity)
    report.rescanned = last == 0
    since = (now - timedelta(days=backfill_days)).date() if report.rescanned else None
    uids = _new_uids(session, last, since)
    by_search = len(uids) > SEARCH_ABOVE
    log.info(
        "imap.sync.start",
        folder=folder,
        uidvalidity=uidvalidity,
        after_uid=last,
        backfill=report.rescanned,
        to_examine=len(uids),
        candidates_by="search" if by_search else "headers",
    )
    # Progress in the log for a backfill or any sync of more than one batch.
    progress = _Progress(folder, len(uids)) if report.rescanned or len(uids) > BODY_BATCH else None
    recorder = _Recorder(store, report, now, auth, account, folder, uidvalidity)
    # Fetching the next batch on a second thread while this one recognised the last was slower
    # (make bench: 2.79x the floor against 2.51x), the thread's parsing of the server's answers
    # taking turns with recognition for the interpreter lock.
    for batch in _fetched(session, uids, folder, by_search=by_search):
        recorder.record(batch)
        if progress is not None:
            progress.tick(report.examined)
    if uids and report.examined == 0 and report.vanished + report.elsewhere < len(uids):
        # Listed and neither examined, expunged nor recorded by another process: a reply this
        # code could not use slipped through. Never a silent zero.
        log.error("imap.sync.nothing_examined", folder=folder, to_examine=len(uids))
        raise ImapReplyError(
            f"listed {len(uids)} messages to examine in a folder and examined none: the "
            "server's answers could not be used"
        )
    log.info(
        "imap.sync.done",
        folder=folder,
        examined=report.examined,
        candidates=report.candidates,
        new_events=report.new_events,
        failed=report.failed,
    )
    return report


def _new_uids(session: FolderSession, last: int, since: date | None) -> array[int]:
    """The UIDs above `last` (arrived on or after `since`), ascending, listed HEADER_BATCH at a
    time: one SEARCH answer for a whole folder is parsed into a Python object per message (14 MB
    at 100,000, make bench-large), this array holds 4 bytes each (UIDs are 32-bit, RFC 3501
    section 2.3.1.1)."""
    found: array[int] = array("I")
    start = last + 1
    for bound in [mark for mark in session.uid_marks(HEADER_BATCH) if mark > last] + [None]:
        found.extend(uid for uid in session.search_uids_since(start, since, bound) if uid > last)
        start = (bound or 0) + 1
    return found


@dataclass
class _Batch:
    """Consecutive UIDs, recorded in one transaction, and what was fetched for them."""

    uids: list[int]  # every UID to record, ascending (expunged ones left out)
    headers: dict[int, tuple[bytes, int] | None]  # lines, size of those fetched; None: unreadable
    wanted: list[int]  # candidates: their bodies were asked for
    bodies: dict[int, bytes | None]  # None: the answer held no body; missing: expunged
    digests: dict[int, str]
    oversize: set[int]
    vanished: int  # listed, then expunged before it could be fetched


def _fetched(
    session: FolderSession, uids: Sequence[int], folder: str, *, by_search: bool
) -> Iterator[_Batch]:
    """The folder's UIDs in batches, each with its candidates' bodies fetched.

    UIDs go HEADER_BATCH at a time. Of each such chunk the header lines are fetched of every
    UID, or, `by_search`, of those the server's search finds only: the others are no
    candidates. Searched a chunk at a time, the search never holds up the batches (or the
    progress lines) for long. A server that refuses it gets the header scan from then on. A
    batch ends after BODY_BATCH candidates or BODY_BATCH_BYTES of them, so memory stays bounded
    whatever the folder holds.
    """
    for chunk in _chunks(uids, HEADER_BATCH):
        asked = chunk
        if by_search:
            try:
                asked = session.search_any(chunk, CANDIDATE_KEYS)
            except ImapConnectError:
                raise
            except ImapError as err:
                log.warning("imap.sync.search_refused", folder=folder, reason=str(err)[:200])
                by_search = False
        headers = session.fetch_headers(asked) if asked else {}
        gone = set(asked) - headers.keys()
        vanished = len(gone)
        batch: list[int] = []
        wanted: list[int] = []
        wanted_bytes = 0
        for uid in chunk:
            if uid in gone:
                continue
            batch.append(uid)
            fields = headers.get(uid)
            if fields is not None and is_candidate(fields[0]):
                wanted.append(uid)
                wanted_bytes += fields[1]
            if len(wanted) >= BODY_BATCH or wanted_bytes >= BODY_BATCH_BYTES:
                yield _with_bodies(session, batch, headers, wanted, vanished)
                batch, wanted, wanted_bytes, vanished = [], [], 0, 0
        if batch or vanished:
            yield _with_bodies(session, batch, headers, wanted, vanished)


def _with_bodies(
    session: FolderSession,
    uids: list[int],
    headers: dict[int, tuple[bytes, int] | None],
    wanted: list[int],
    vanished: int,
) -> _Batch:
    """The batch with its candidates' bodies: a large one a piece at a time without its
    attachments (parsers/attachments.py), one over MAX_MAIL_BYTES not at all."""
    mine = {uid: headers[uid] for uid in uids if uid in headers}
    sizes = {uid: fields[1] for uid, fields in mine.items() if fields is not None}
    oversize = {uid for uid in wanted if sizes[uid] > MAX_MAIL_BYTES}
    fetch = [uid for uid in wanted if uid not in oversize]
    small = [uid for uid in fetch if sizes[uid] <= STRIP_ABOVE]
    bodies = session.fetch_bodies(small) if small else {}
    digests = {uid: mail_digest(raw) for uid, raw in bodies.items() if raw is not None}
    for uid in fetch:
        if sizes[uid] > STRIP_ABOVE and (large := session.fetch_large_body(uid)):
            bodies[uid], digests[uid] = large
    vanished += len(fetch) - len(bodies)
    return _Batch(uids, mine, wanted, bodies, digests, oversize, vanished)


@dataclass
class _Progress:
    """Progress of a long sync in the log: at its first batch, then every PROGRESS_SECONDS."""

    folder: str
    total: int
    started: float = 0.0
    last: float | None = None

    def __post_init__(self) -> None:
        self.started = time.monotonic()

    def tick(self, examined: int) -> None:
        now = time.monotonic()
        if self.last is not None and now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        rate = examined / max(now - self.started, 1e-3)
        log.info(
            "imap.sync.progress",
            folder=self.folder,
            examined=examined,
            total=self.total,
            per_second=round(rate, 1),
            eta_seconds=round((self.total - examined) / rate) if rate > 0 else None,
        )


@dataclass
class _Recorder:
    """Records the mail of one folder sync into the store, counting into the report."""

    store: Store
    report: SyncReport
    now: datetime
    auth: AuthPolicy
    account: str
    folder: str
    uidvalidity: int

    def record(self, batch: _Batch) -> None:
        """Record the batch's UIDs in one transaction: all of them, or none.

        Whatever a crash leaves recorded is then a prefix of the folder, so the highest
        recorded UID stays a true high-water mark. Each candidate is still recorded on its own
        (a savepoint): one that cannot be stored is recorded as failed instead.
        """
        self.report.vanished += batch.vanished
        if not batch.uids:
            return
        chosen = set(batch.wanted)
        # Another process (a second daemon, say) may have got here first.
        done = self.store.recorded_uids(
            self.account, self.folder, self.uidvalidity, range(batch.uids[0], batch.uids[-1] + 1)
        )
        self.report.elsewhere += len(done & set(batch.uids))
        readable = {uid: raw for uid, raw in batch.bodies.items() if raw is not None}
        order = [uid for uid in batch.wanted if uid in readable and uid not in done]
        mails = [readable[uid] for uid in order]
        results = dict(zip(order, recognise_all(mails, self.auth), strict=True))
        with self.store.batch():  # one commit per batch, not per mail
            ignored: list[MailKey] = []
            for uid in batch.uids:
                if uid in done:
                    continue
                key = MailKey(self.account, self.folder, self.uidvalidity, uid)
                why = _unreadable(uid, batch)
                if why is not None:
                    self.report.examined += 1
                    self.report.candidates += uid in chosen
                    lines = (batch.headers.get(uid) or (why.encode(), 0))[0]
                    self._record(key, None, mail_digest(lines), "failed", why)
                    continue
                if uid not in chosen:
                    ignored.append(key)
                    continue
                if uid not in results:
                    continue  # expunged since the header fetch: nothing left to examine
                self.report.examined += 1
                self.report.candidates += 1
                event, error = results[uid]
                self._record(key, event, batch.digests[uid], mail_status(event), error)
            self._record_ignored(ignored)

    def _record_ignored(self, keys: list[MailKey]) -> None:
        if keys:
            self.store.record_ignored(keys, now=self.now)
            self.report.examined += len(keys)

    def _record(
        self,
        key: MailKey,
        event: Event | None,
        digest: str,
        status: MailStatus,
        error: str | None,
    ) -> None:
        """Record one mail (`digest`: the sha256 of its bytes); if that fails, record it as failed
        instead (a second failure raises). A full disk is not the mail's fault: it raises, the
        batch is undone and the mail fetched again once there is room."""
        try:
            if self.store.record(
                key, event, raw_digest=digest, status=status, error=error, now=self.now
            ):
                self.report.new_events += 1
        except StoreFullError:
            raise
        except StoreError as err:
            self.store.record(
                key, None, raw_digest=digest, status="failed", error=f"store: {err}", now=self.now
            )
            status = "failed"
        self.report.failed += status == "failed"


def _unreadable(uid: int, batch: _Batch) -> str | None:
    """Why a mail is recorded as failed without being recognised, or None when it is not."""
    if uid in batch.headers and batch.headers[uid] is None:
        return "the server's answer held no header lines for this mail"
    fields = batch.headers.get(uid)
    if uid in batch.oversize and fields is not None:
        return f"not fetched: {fields[1]} bytes, over {MAX_MAIL_BYTES}"
    if uid in batch.bodies and batch.bodies[uid] is None:
        return "the server's answer held no body for this mail"
    return None


_FROM_LINE = re.compile(rb"(?im)^from:")
_SUBJECT_START = re.compile(rb"(?im)^subject:[ \t]*([^\r\n]{0,40})")
_RELAY_DOMAINS = tuple(domain.encode() for domain in RELAY_DOMAINS)


def is_candidate(header: bytes) -> bool:
    """Whether a mail's header lines make it worth fetching whole.

    Any mark of AliExpress in the fetched lines (From address or name, Subject, a relay's
    original-sender header), mail from a relay that hides the sender, or a subject with a forward
    prefix (it may quote one). What is fetched and turns out not to be AliExpress's is recorded
    as examined like any other mail: too many candidates cost a fetch, too few lose a mail.

    Mail whose lines hold no From at all is fetched too: every mail has one (RFC 5322 section
    3.6), so the server could not read the header block (lines ended by a bare CR, a name with a
    space before its colon) while the parser may (found by make fuzz: such mail was dropped).
    """
    if _FROM_LINE.search(header) is None:
        return True
    if not _worth_parsing(header):
        return False
    if b"aliexpress" in header.lower():
        return True
    fields = _parse_headers(header)
    if fields is None:
        return False
    _, address = parseaddr(_decoded(fields.get("From")))
    if is_relay_domain(address.rpartition("@")[2]):
        return True
    return strip_prefixes(_decoded(fields.get("Subject")))[1]


def _worth_parsing(header: bytes) -> bool:
    """A byte-level pre-check: most mail in a mailbox is not AliExpress's, and parsing every
    header block with the email package was a sixth of a backfill (make bench).

    Only mail that certainly fails the full check is turned away: no "aliexpress" and no relay
    domain anywhere in the header lines, and a subject line with no colon or encoded word near
    its start (a forward prefix needs one).
    """
    lowered = header.lower()
    if b"aliexpress" in lowered or any(domain in lowered for domain in _RELAY_DOMAINS):
        return True
    subject = _SUBJECT_START.search(header)
    if subject is None:
        return False
    start = subject.group(1)
    return not start.strip() or b":" in start or b"=?" in start


def _parse_headers(header: bytes) -> Message | None:
    try:
        return message_from_bytes(header)
    except _HEADER_ERRORS:
        return None


def _decoded(value: object) -> str:
    """A header's text with RFC 2047 encoded words decoded; the raw text when they are broken."""
    if value is None:
        return ""
    text = str(value)
    try:
        return str(make_header(decode_header(text)))
    except _HEADER_ERRORS:
        return text


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
