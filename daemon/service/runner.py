"""The daemon: sync sources, run the rules, deliver alerts; once, or until told to stop."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import FrameType
from typing import Protocol, TextIO

import schedule
import structlog

from aliwatch.daemon.alerts.channels.channel import Channel
from aliwatch.daemon.alerts.channels.console import ConsoleChannel
from aliwatch.daemon.alerts.delivery import DeliveryWorker
from aliwatch.daemon.alerts.evaluate import evaluate, open_disputes
from aliwatch.daemon.alerts.housekeeping import (
    check_succeeded,
    digest_alert,
    drift_alerts,
    login_refused,
    reply_unusable,
    run_started,
    stale_alert,
)
from aliwatch.daemon.alerts.outbox import Outbox
from aliwatch.daemon.config.errors import AliwatchError, ConfigError
from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.service.backoff import Backoff
from aliwatch.daemon.service.notify import notify, watchdog_interval
from aliwatch.daemon.sources.imap.errors import (
    ImapAuthError,
    ImapConfigError,
    ImapError,
    ImapReplyError,
    ImapTLSError,
)
from aliwatch.daemon.store import Store, StoreDamagedError, StoreError

log = structlog.get_logger("aliwatch")
RULES_EVERY_SECONDS = 60
# SIGTERM ends the daemon within this long, whatever the channels and the server are doing.
STOP_SECONDS = 10.0
# How long a stop waits for messages in progress to finish before breaking them off: a send
# broken off after the server took the message but before it was recorded goes out again
# after the restart, so a send that is merely slow is left to end.
SEND_GRACE_SECONDS = 3.0
# Syncs in a row whose server answers could not be used before the user is told.
REPLY_FAILURES_BEFORE_ALERT = 3


class StartupError(AliwatchError):
    """The mailbox could not be reached before the first sync ever succeeded (a wrong host, a
    name that does not resolve, a refused port): `run` ends with the reason and status 1 instead
    of retrying in silence until systemd's start timeout (the unit restarts it later)."""


class StartupConfigError(StartupError, ConfigError):
    """As StartupError, but only a setting can fix it (a refused login, TLS on the wrong port, a
    certificate that does not verify): status 2, which the units do not restart."""


class StoreReplacedError(AliwatchError):
    """The database file was deleted or replaced under the running daemon: `run` ends (status
    1) rather than go on writing to a file no other process sees, whose writes a restart would
    lose (and then send every alert again)."""


class Source(Protocol):
    """Somewhere mail comes from; `sync` records what is new and says how many events that was."""

    @property
    def name(self) -> str: ...

    @property
    def activity(self) -> str:
        """How it watches, for systemd's STATUS= line ("idle on INBOX")."""
        ...

    def sync(self, store: Store, now: datetime) -> int: ...

    def wait_for_mail(self, seconds: float, stop: threading.Event) -> bool | None:
        """Wait up to `seconds` (or until `stop`) for new mail: True when it came, False when
        not; None at once when this source cannot tell (the loop then sleeps instead)."""
        ...

    def close(self) -> None:
        """Let go of connections (bounded in time: the server may be gone)."""
        ...

    def abort(self) -> None:
        """Break off a network call in progress (from a signal handler); close() follows."""
        ...


def utc_now() -> datetime:
    """The clock, read once per pass by the caller: the rules take `now` as an argument."""
    return datetime.now(UTC)


@dataclass
class Runner:
    """One daemon: its sources, its store, and the channels alerts go out on.

    With no channel given, alerts go to the console (`out`), as `make demo` shows them.
    """

    settings: Settings
    store: Store
    sources: Sequence[Source]
    out: TextIO
    clock: Callable[[], datetime] = utc_now
    stop: threading.Event = field(default_factory=threading.Event)
    backoff: Backoff = field(default_factory=Backoff)
    channels: Sequence[Channel] | None = None
    # The database was lost and is being rebuilt from the mailbox (cli/run.py `rebuilding`).
    rebuilt: bool = False
    outbox: Outbox = field(init=False)
    workers: list[DeliveryWorker] = field(default_factory=list)
    _sync_wanted: bool = True
    _retry_at: float = 0.0
    _ready: bool = False  # READY=1 was sent: the first sync succeeded
    _unusable_replies: int = 0
    _passed: bool = False

    def __post_init__(self) -> None:
        self.outbox = Outbox(
            self.store,
            list(self.channels) if self.channels else [ConsoleChannel(self.out)],
            self.settings.zone(),
            self.settings.quiet_hours,
        )

    def pass_once(self) -> int:
        """Sync every source, decide, deliver. Returns the number of new events."""
        now = self.clock()
        new = 0
        for source in self.sources:
            count = source.sync(self.store, now)
            log.info("sync_done", source=source.name, new_events=count)
            new += count
        check_succeeded(self.store, now, self.settings.zone())
        # The first pass of a rebuilt store records what the buyer already had as sent.
        catch_up = self.rebuilt and not self._passed
        added = evaluate(self.store, now, self.settings.policy(), catch_up=catch_up)
        self._passed = True
        log.info("rules_done", new_alerts=len(added))
        if drifted := drift_alerts(self.store, now, self.settings.zone()):
            log.warning("recognition_drift", new_shapes=drifted)
        self.deliver(now)
        return new

    def deliver(self, now: datetime) -> int:
        """Send what is due on every channel; each (alert, channel) once (the store remembers).

        While `run` runs, each channel sends on its own worker thread: new alerts are fanned out
        here and the workers woken, so a hanging channel never holds up the mail (0 is
        returned: the workers count their own sends). Otherwise it sends here and now.
        """
        if not self.workers:
            return self.outbox.deliver(now)
        self.store.fan_out([worker.channel.name for worker in self.workers], now)
        for worker in self.workers:
            worker.wake()
        return 0

    def run(self) -> None:
        """Pass after pass until `stop` is set (SIGTERM, SIGINT); every wait wakes on it.

        Sync on start, every ALIWATCH_POLL_SECONDS and whenever a source's IDLE says mail came;
        after a failed sync, again once its backoff delay has passed. The rules, the dead-man
        check, the digest and alert delivery run right after new events and every minute,
        also while the mailbox is unreachable (that is when the dead-man alert matters).
        Channels send on worker threads (DeliveryWorker); `shutdown` ends them and the
        sources' connections, within STOP_SECONDS whatever they are doing.
        """
        self.workers = [
            DeliveryWorker(
                channel, self.store.path, self.outbox.zone, self.outbox.quiet, self.clock
            )
            for channel in self.outbox.channels
        ]
        for worker in self.workers:
            worker.start()
        try:
            self._loop()
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        """End the delivery workers and close the sources, within STOP_SECONDS in all.

        A message being sent gets SEND_GRACE_SECONDS to finish and be recorded; one still
        hanging then is broken off, and stays due for the next start.
        """
        log_stopping()
        workers, self.workers = self.workers, []
        for worker in workers:
            worker.stop()
        grace = time.monotonic() + SEND_GRACE_SECONDS
        busy = [w for w in workers if not w.join(max(0.0, grace - time.monotonic()))]
        for worker in busy:
            log.warning("delivery_broken_off", channel=worker.channel.name)
            worker.abort()
        deadline = time.monotonic() + STOP_SECONDS / 5
        for worker in busy:
            if not worker.join(max(0.0, deadline - time.monotonic())):
                log.warning("delivery_worker_still_busy", channel=worker.channel.name)
        for source in self.sources:
            source.close()
        log.info("stopped")

    def abort_io(self) -> None:
        """Break off network calls in progress (from the signal handler): a sync blocked on a
        server that stopped answering fails at once instead of after the IMAP timeout."""
        for source in self.sources:
            source.abort()

    def _loop(self) -> None:
        scheduler = schedule.Scheduler()
        scheduler.every(max(1, round(self.settings.poll_seconds))).seconds.do(self._want_sync)
        scheduler.every(RULES_EVERY_SECONDS).seconds.do(self._rules_job)
        interval = watchdog_interval()
        if interval:
            scheduler.every(max(1, int(interval))).seconds.do(notify, "WATCHDOG=1")
        self._guarded(run_started, self.store, self.clock())
        self._sync_wanted = True
        while not self.stop.is_set():
            self._same_store()
            if self._sync_wanted and time.monotonic() >= self._retry_at:
                self._sync_wanted = False
                if not self._guarded_pass():
                    self._sync_wanted = True  # again once the backoff delay has passed
                elif not self._ready:
                    notify("READY=1")  # after the first successful sync (sd_notify(3))
                    self._ready = True
            scheduler.run_pending()
            wait = max(0.0, min(scheduler.idle_seconds or 0.0, self.settings.poll_seconds))
            if self._sync_wanted:  # a failed sync is waiting out its backoff
                self.stop.wait(max(0.0, min(wait, self._retry_at - time.monotonic())))
                continue
            for source in self.sources:  # the first one that can tell waits (IMAP IDLE)
                announced = source.wait_for_mail(wait, self.stop)
                if announced is not None:
                    self._sync_wanted = announced
                    break
            else:
                self.stop.wait(wait)

    def _same_store(self) -> None:
        """End `run` when the database's path no longer leads to the file open here (one stat
        per turn of the loop; Store.replaced)."""
        why = self.store.replaced()
        if why is None:
            return
        path = self.store.path
        log.error("store_replaced", db=str(path), reason=why)
        notify(f"STATUS=stopped: {why}")
        raise StoreReplacedError(
            f"{why}; aliwatch stopped rather than go on writing to the old file. Restart "
            f"aliwatch (systemctl restart aliwatch, or systemctl --user restart aliwatch) to use "
            f"the file now at {path}, or, if there is none, a new one rebuilt from the mailbox"
        )

    def _want_sync(self) -> None:
        self._sync_wanted = True

    def _guarded(self, job: Callable[..., object], *args: object) -> None:
        """Run a scheduled job; a store that cannot be written (a full disk) is logged and the
        job runs again on its next turn, instead of ending the daemon."""
        try:
            job(*args)
        except StoreDamagedError:
            raise  # a damaged file does not heal on the next turn: `run` says so and ends
        except StoreError as err:
            log.error("store_failed", job=getattr(job, "__name__", "job"), error=str(err))

    def _rules_job(self) -> None:
        self._guarded(self._rules)

    def _rules(self) -> None:
        now = self.clock()
        zone = self.settings.zone()
        added = evaluate(self.store, now, self.settings.policy())
        if added:
            log.info("rules_done", new_alerts=len(added))
        if stale_alert(self.store, now, zone, self.settings.stale_hours):
            log.warning("mailbox_stale", hours=self.settings.stale_hours)
        if self.settings.digest_at is not None:
            digest_alert(self.store, now, zone, self.settings.digest_at, self.settings.policy())
        self.deliver(now)

    def _guarded_pass(self) -> bool:
        """One pass; a failure is logged with its reason (the sentence `aliwatch check` prints:
        host, port, the setting to change; never mail or secrets), shown in systemd's STATUS=,
        then backed off. Before the first successful sync, a mailbox never reached ends `run`
        (StartupError)."""
        try:
            self.pass_once()
        except ImapAuthError as err:
            self._end_start_up(err)
            delay = self.backoff.auth_failure()
            log.warning("login_refused", failures=self.backoff.auth_failures, retry_in=delay,
                        reason=str(err))  # fmt: skip
            self._retrying(delay, err)
            if self.backoff.alert_auth:
                self._alert_login_refused()
            return False
        except ImapReplyError as err:
            # The server answers, but not in a shape the sync can use: retried like a network
            # failure, said in full (the message names items, never mail), alerted when it lasts.
            self._unusable_replies += 1
            delay = self.backoff.network_failure()
            log.error("sync_reply_unusable", detail=str(err), failures=self._unusable_replies)
            self._retrying(delay, err)
            if self._unusable_replies >= REPLY_FAILURES_BEFORE_ALERT:
                now = self.clock()
                reply_unusable(self.store, now, str(err))
                self.deliver(now)
            return False
        except (ImapError, OSError) as err:
            if isinstance(err, ImapError):
                self._end_start_up(err)
            delay = self.backoff.network_failure()
            log.warning("sync_failed", error=type(err).__name__, reason=_reason(err),
                        retry_in=round(delay, 1))  # fmt: skip
            self._retrying(delay, err)
            return False
        except StoreDamagedError:
            raise  # a damaged file does not heal on the next turn: `run` says so and ends
        except StoreError as err:
            # The state database cannot be written (a full disk): nothing is lost, since mail
            # not recorded stays above the folder's saved UID and is fetched again; retried.
            delay = self.backoff.network_failure()
            log.error("store_failed", job="sync", error=str(err), retry_in=round(delay, 1))
            self._retrying(delay, err)
            return False
        self.backoff.success()
        self._unusable_replies = 0
        if os.environ.get("NOTIFY_SOCKET"):  # counting disputes costs a pass over the orders
            notify(f"STATUS={self.status_line()}")
        return True

    def _end_start_up(self, err: ImapError) -> None:
        """Before READY=1, a mailbox this process never logged in to ends `run` with the reason:
        the settings are the likely cause, and systemd would otherwise wait out its start
        timeout. After READY=1 the same failure is an outage, retried with backoff."""
        if self._ready or not err.first_contact:
            return
        fixed_by_settings = isinstance(err, ImapAuthError | ImapTLSError | ImapConfigError)
        log.error("start_failed", error=type(err).__name__, reason=str(err),
                  exit_status=2 if fixed_by_settings else 1)  # fmt: skip
        notify(f"STATUS=cannot start: {err}")
        if fixed_by_settings:
            raise StartupConfigError(str(err)) from err
        raise StartupError(str(err)) from err

    def _retrying(self, delay: float, err: Exception) -> None:
        """Schedule the next sync after `delay` and show the reason in `systemctl status`."""
        self._retry_at = time.monotonic() + delay
        notify(f"STATUS=sync failed, retrying in {max(1, round(delay))} s: {_reason(err)}")

    def status_line(self) -> str:
        """What `systemctl status` shows: "idle on INBOX, 3 open disputes"."""
        doing = [source.activity for source in self.sources]
        disputes = open_disputes(self.store)
        noun = "dispute" if disputes == 1 else "disputes"
        return f"{', '.join(doing)}, {disputes} open {noun}"

    def _alert_login_refused(self) -> None:
        """Three refused logins in a row: tell the user on the alert channels, once per outage."""
        now = self.clock()
        login_refused(self.store, now)
        self.deliver(now)


def _reason(err: BaseException) -> str:
    """The error's own sentence, or its type when it has none (an OSError without text)."""
    return str(err) or type(err).__name__


# The names of the signals received, newest last; logged by the code that stops, not the handler.
_RECEIVED: list[str] = []


def install_signal_handlers(
    stop: threading.Event, abort: Callable[[], None] = lambda: None
) -> None:
    """SIGTERM and SIGINT set the stop flag (every wait in the loop wakes on it) and break off
    network calls in progress (`abort`), so the daemon ends within STOP_SECONDS (the units'
    TimeoutStopSec= is 30 s).

    The handler logs nothing: it runs in the main thread between two bytecodes, maybe while that
    thread writes a log line under structlog's PrintLogger lock, which is not reentrant, so a log
    call here could wait on itself forever (a stop then hung until SIGKILL).
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        del frame
        _RECEIVED.append(signal.Signals(signum).name)
        stop.set()
        abort()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def log_stopping() -> None:
    """Log the signal that asked for the stop, if one did (outside the handler, see above)."""
    if _RECEIVED:
        log.info("stopping", signal=_RECEIVED[-1])
