"""`aliwatch check`: are the settings usable, does the mailbox answer, does each channel work?"""

from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path
from typing import TextIO

from aliwatch.daemon.alerts.channels.channel import Channel, ChannelError, Outgoing
from aliwatch.daemon.alerts.channels.setup import ChannelSetupError, build_channels
from aliwatch.daemon.alerts.housekeeping import own_decision
from aliwatch.daemon.cli.commands import CommandError
from aliwatch.daemon.config import envfile
from aliwatch.daemon.config.load import Loaded, SettingsError, load
from aliwatch.daemon.config.paths import default_db_path
from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.service.lock import DaemonLock
from aliwatch.daemon.sources.imap import ImapError, ImapSession
from aliwatch.daemon.store import health_of
from aliwatch.rules.alerts import AlertKind
from aliwatch.rules.decide import Decision


def trial_decision(now: datetime) -> Decision:
    """The test alert: plainly a test, about no order."""
    return own_decision(AlertKind.TEST, f"test:{now.isoformat()}", now)


class _Report:
    """One line per check; remembers whether any failed."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failed = 0

    def ok(self, what: str, text: str) -> None:
        self.out.write(f"{what}: {text}\n")

    def warn(self, what: str, text: str) -> None:
        self.out.write(f"{what}: WARNING: {text}\n")

    def fail(self, what: str, text: str) -> None:
        self.failed += 1
        self.out.write(f"{what}: FAILED: {text}\n")


def check_settings(env_file: Path | None, out: TextIO) -> Loaded | None:
    """The settings `check` goes on with; None, after a failed line per problem (and per line
    of the env file that dotenv readers read otherwise: often the cause), when they cannot be
    used at all."""
    report = _Report(out)
    try:
        return load(env_file)
    except SettingsError as err:
        for problem in err.problems:
            report.fail("settings", problem)
    except envfile.EnvFileError as err:
        report.fail("env file", str(err))
        return None
    if env_file is not None:
        _check_dialect(env_file, report)
    return None


def check(
    settings: Settings,
    now: datetime,
    out: TextIO,
    *,
    send_test_alert: bool,
    env_file: Path | None = None,
    unknown: list[str] | None = None,
) -> int:
    """One line per check; exit status 1 when any failed (a warning does not fail).

    The values were validated when they were loaded (a bad one stops there, naming it).
    Then: names that are no setting (`unknown`), the env file's mode and the lines systemd
    reads otherwise than dotenv readers, what there is to watch, the IMAP login and folders
    (with how many AliExpress mails each holds, by the server's own search), the SMTP login,
    the session bus, and with `send_test_alert` one test alert on each channel (not through
    the outbox: nothing stored).
    """
    report = _Report(out)
    for problem in unknown or []:
        report.fail("settings", problem)
    if not unknown:
        report.ok("settings", "ok" + (f" (from {env_file})" if env_file else ""))
    if env_file is not None:
        _check_env_file(env_file, report)
        _check_dialect(env_file, report)
    _check_daemon(settings, report)
    _check_database(settings, report)
    if settings.imap_host:
        _check_imap(settings, report)
    elif settings.maildir is None:
        report.fail(
            "watch",
            "nothing to watch: set ALIWATCH_IMAP_HOST (and friends) or ALIWATCH_MAILDIR; "
            "`aliwatch run` exits with status 2 without one",
        )
    try:
        channels = build_channels(settings, out)
    except ChannelSetupError as err:
        raise CommandError(str(err)) from err
    for channel in channels:
        _check_channel(channel, report)
        if send_test_alert:
            _send_trial(channel, now, settings, report)
    if not send_test_alert:
        out.write("(add --send-test-alert to send a test alert on each channel)\n")
    return 1 if report.failed else 0


def _check_daemon(settings: Settings, report: _Report) -> None:
    """Whether a daemon holds the database (a second `run` would exit with status 2)."""
    db = settings.db_path or default_db_path()
    pid = DaemonLock(db).holder()
    if pid is None:
        report.ok("daemon", f"not running on {db}")
    else:
        report.ok("daemon", f"running (pid {pid or '?'}) on {db}")


def _check_database(settings: Settings, report: _Report) -> None:
    """Whether the database is sound, read-only and page by page (store.health_of)."""
    db = settings.db_path or default_db_path()
    problem = health_of(db)
    if problem is not None:
        report.fail("database", problem)
    elif db.exists():
        report.ok("database", f"{db} is intact")
    else:
        report.ok("database", f"none yet at {db}; run creates it")


def _send_trial(channel: Channel, now: datetime, settings: Settings, report: _Report) -> None:
    trial = trial_decision(now)
    try:
        channel.send(Outgoing(trial.key, trial, now, settings.zone()))
    except ChannelError as err:
        report.fail(channel.name, str(err))
        return
    report.ok(channel.name, f"test alert sent to {channel.describe()}")


def _check_env_file(path: Path, report: _Report) -> None:
    try:
        mode = path.stat().st_mode
    except OSError as err:
        report.fail("env file", f"cannot read {path}: {err.strerror}")
        return
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        report.warn("env file", f"{path} is readable by group or others: chmod 600 {path}")


def _check_dialect(path: Path, report: _Report) -> None:
    """A failed line for each line of the env file that dotenv readers (python-dotenv, docker,
    a shell's `.`) read otherwise than systemd, which aliwatch follows: what the service
    gets would differ from what the line seems to say."""
    try:
        text = envfile.read_text(path)
    except envfile.EnvFileError:
        return  # the settings' own line already says why
    for difference in envfile.differences(text):
        if not difference.dropped:  # a dropped ALIWATCH_* line is a settings failure already
            report.fail("env file", difference.explain())


def _check_imap(settings: Settings, report: _Report) -> None:
    try:
        with ImapSession(settings.imap()) as session:
            # Without TLS (`none`, loopback only) there is no certificate to speak of.
            tls = "no TLS" if settings.imap_security == "none" else "certificate verified"
            report.ok(
                "imap",
                f"logged in to {session.host}:{session.port} as {session.user} "
                f"({settings.imap_security}, {tls})",
            )
            for folder in settings.imap_folders:
                try:
                    _, _, messages = session.folder_status(folder)
                    session.select_readonly(folder)
                    seen = session.count_from("aliexpress")
                except ImapError as err:
                    report.fail(f"imap {folder}", str(err))
                    continue
                report.ok(f"imap {folder}", f"{messages} mails, {seen} from AliExpress")
    except ImapError as err:
        report.fail("imap", str(err))


def _check_channel(channel: Channel, report: _Report) -> None:
    """The channel's login or server, without sending anything."""
    try:
        report.ok(channel.name, channel.probe())
    except ChannelError as err:
        report.fail(channel.name, str(err))
