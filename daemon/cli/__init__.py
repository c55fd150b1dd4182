"""The `aliwatch` command line: parse arguments, build settings, call one function, print."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO, TypeAlias

from aliwatch.daemon.cli import commands
from aliwatch.daemon.cli.commands import ALERT_RULES, UsageError
from aliwatch.daemon.cli.init import init
from aliwatch.daemon.cli.parse import parse_paths
from aliwatch.daemon.cli.run import run_daemon
from aliwatch.daemon.config import envfile
from aliwatch.daemon.config.errors import AliwatchError, exit_status
from aliwatch.daemon.config.load import Loaded, SettingsError, load
from aliwatch.daemon.config.paths import default_env_file
from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.service.quiet import quiet_libraries
from aliwatch.parsers import AuthPolicy

# The subcommands' parsers (argparse's class is generic only to type checkers).
_Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aliwatch",
        description="Watch AliExpress order, parcel and dispute mail; warn before deadlines pass.",
    )
    parser.add_argument(
        "--version", action=_Version, nargs=0, help="show the installed version and exit"
    )
    _global_options(parser, default=None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _command(
        commands,
        "parse",
        "recognise mail files and print what each one means",
        "Recognise AliExpress mail. PATH may be an .eml file, an mbox file, a folder "
        "(Maildir or .eml files, searched recursively) or - for one mail on stdin. "
        "Nothing is stored and no network is used.",
        switches={
            "--json": "one JSON object per mail per line",
            "--explain": "say why: the AliExpress marks found, the relay undone, the rows that "
            "matched or came closest, and why the kind was chosen (with --json: one JSON object "
            "per mail)",
        },
        paths=True,
    )

    imp = _command(
        commands,
        "import",
        "read mail files into the state store and show the alerts they raise",
        "Record mail from files, a Maildir, a folder of .eml or an mbox (e.g. a "
        "Google Takeout export) in the state store, run the rules once and print new alerts. "
        "Mail already recorded is skipped. On a terminal a progress bar (by bytes read) is "
        "drawn on stderr.",
        paths=True,
    )

    status = _command(
        commands,
        "status",
        "open orders with their next deadline",
        switches={"--json": "a JSON list of orders", "--all": "include finished orders"},
    )

    timeline = _command(
        commands,
        "timeline",
        "every mail recorded for one order",
        order=True,
        switches={"--json": "a JSON list of events"},
    )

    cal = _command(commands, "calendar", "open deadlines as an iCalendar (.ics) file")
    cal.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")

    marks = _add_mark_parsers(commands)

    alerts = _command(
        commands,
        "alerts",
        "every alert aliwatch decided, and how each channel delivered it",
        "The alerts in the store, newest first: when each was decided, its rule, "
        "order, deadline and headline, then per channel: sent (when), pending (first try) or "
        "failed (attempts, next try, the last error). Times are in ALIWATCH_TIMEZONE.",
        switches={"--json": "a JSON list of alerts, each with its deliveries per channel"},
        options={
            "--order": ("N", "only the alerts of this order"),
            "--since": ("WHEN", _since("alerts decided")),
        },
    )

    unknown = _command(
        commands,
        "unknown",
        "list the AliExpress mail aliwatch could not recognise",
        "The AliExpress mails in the store that no template recognised, newest "
        "first: date, sender, subject, order numbers, attention and where the mail is (IMAP "
        "folder and UID, or file), then a count per subject shape. Use it to spot a template "
        "AliExpress changed, and `aliwatch anonymize` to turn one into a fixture.",
        switches={"--json": "a JSON object: mails and shapes"},
        options={"--since": ("WHEN", _since("mail sent"))},
    )

    anon = _command(
        commands,
        "anonymize",
        "turn one of your mails into a fixture you can share",
        "Write an anonymised copy of one mail (a FILE, or --uid N from an IMAP "
        "folder, fetched read-only) and beside it a .json with the fields `aliwatch parse` "
        "gives the copy. The MIME structure, encodings, HTML, dates, amounts and the words "
        "that say what happened are kept; names, postal addresses, e-mail addresses, phone "
        "numbers, order and parcel numbers and personal link tokens are replaced, the same "
        "value by the same fake in all your mails (the key lives beside the state database). "
        "Prints what it replaced by category, never the values. See CONTRIBUTING.md.",
    )
    anon.add_argument("file", nargs="?", metavar="FILE", help="the mail file (.eml)")
    anon.add_argument("--uid", type=int, metavar="N", help="fetch this UID over IMAP instead")
    anon.add_argument(
        "--folder", metavar="F", help="the folder of --uid (default: the first watched folder)"
    )
    anon.add_argument(
        "-o", "--output", metavar="OUT", help="write OUT and OUT's .json (default: beside you)"
    )
    anon.add_argument("--force", action="store_true", help="overwrite OUT if it exists")

    run = _command(
        commands,
        "run",
        "the daemon: watch the mailbox, run the rules, send alerts",
        "Sync the configured sources (IMAP folders, or ALIWATCH_MAILDIR), run the "
        "rules and deliver alerts; repeat until SIGTERM/SIGINT. --once: one pass, then exit.",
        switches={"--once": "one sync, one rules pass, then exit"},
    )

    check = _command(
        commands,
        "check",
        "check the settings and the alert channels",
        "Validate the settings, warn when the env file is readable by others, log "
        "in to IMAP (folders, AliExpress mails seen) and SMTP, reach the session bus; one line "
        "per check. --send-test-alert also sends one test alert on each channel. The exit "
        "status is 1 when any check failed.",
        switches={"--send-test-alert": "send a test alert on every channel"},
    )

    init = _command(
        commands,
        "init",
        "write a commented env file with every setting",
        "Write an env file listing every setting with its default (mode 0600), "
        "then print the commands to run next. --user (the default): "
        "~/.config/aliwatch/aliwatch.env; --system: /etc/aliwatch/aliwatch.env; or PATH. "
        "An existing file is kept unless --force.",
    )
    scope = init.add_mutually_exclusive_group()
    scope.add_argument("--user", action="store_const", const="user", dest="scope",
                       help="for your own user service (the default)")  # fmt: skip
    scope.add_argument("--system", action="store_const", const="system", dest="scope",
                       help="for the system service")  # fmt: skip
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.add_argument("path", nargs="?", metavar="PATH", help="write here instead")

    completion = _command(
        commands,
        "completion",
        "print a shell completion script (bash or zsh)",
        "Print the completion script for SHELL, generated from these very commands (shtab). "
        "bash: aliwatch completion bash > ~/.local/share/bash-completion/completions/aliwatch; "
        "zsh: aliwatch completion zsh > ~/.zfunc/_aliwatch (a folder in your fpath).",
    )
    completion.add_argument("shell", choices=("bash", "zsh"), metavar="SHELL", help="bash or zsh")

    for sub in (imp, status, timeline, cal, *marks, alerts, run, check, unknown):
        sub.add_argument(
            "--now",
            type=_aware_time,
            metavar="TIME",
            help="pretend it is this ISO 8601 time (for demos and tests)",
        )
    return parser


def _version() -> str:
    """The installed distribution's version (its metadata, as pip and pipx wrote it)."""
    # Imported here: importlib.metadata takes longer to import than `run` takes to start its
    # sync, and only --version needs it.
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version("aliwatch")
    except PackageNotFoundError:  # run from sources that were never installed
        return "unknown (not installed)"


class _Version(argparse.Action):
    """--version: print the version and exit, reading it only when asked (argparse's own
    "version" action wants the text when the parser is built)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        sys.stdout.write(f"aliwatch {_version()}\n")
        parser.exit()


def _global_options(parser: argparse.ArgumentParser, default: object) -> None:
    """The options every command takes, before or after its name. After it, the default is
    argparse.SUPPRESS, so that an option given before the name is not reset by the command."""
    parser.add_argument(
        "--env-file",
        metavar="FILE",
        default=default,
        help="settings file (default: $XDG_CONFIG_HOME/aliwatch/aliwatch.env when it exists), "
        "read as systemd's EnvironmentFile= reads it; environment variables override it",
    )


def _add_mark_parsers(commands: _Commands) -> list[argparse.ArgumentParser]:
    """The commands that mark an order and undo it; those that take --now."""
    ack = _command(
        commands,
        "ack",
        "acknowledge an order's alerts until new mail arrives",
        "Acknowledge an order's alerts (all, or one rule's): its alerts not yet "
        "sent are held back, and no new ones come until a newer mail about the order arrives. "
        "Undo with `aliwatch unack`.",
        order=True,
        options={"--rule": ("R", f"only this rule; one of: {', '.join(ALERT_RULES)}")},
    )

    unack = _command(
        commands,
        "unack",
        "take back an order's acknowledgements; the alerts they held go out",
        "Remove the acknowledgements of an order (all, or one rule's). The alerts "
        "`ack` held back that no channel sent are sent at the next delivery.",
        order=True,
        options={"--rule": ("R", "only this rule's acknowledgement")},
    )

    snooze = _command(
        commands,
        "snooze",
        "quiet an order's ordinary alerts for a while",
        "Quiet an order's ordinary alerts for DURATION; urgent ones (a proposal, a "
        "deadline under 24 h) still come. DURATION `off` ends the snooze (as `unsnooze`).",
        order=True,
    )
    snooze.add_argument("duration", metavar="DURATION", help="e.g. 3d, 12h, 1d12h; or off")

    unsnooze = _command(commands, "unsnooze", "end an order's snooze", order=True)
    watch = _command(commands, "watch", "mark an order as a problem to follow", order=True)
    unwatch = _command(commands, "unwatch", "stop following an order as a problem", order=True)

    return [ack, unack, snooze, unsnooze, watch, unwatch]


def _command(
    commands: _Commands,
    name: str,
    summary: str,
    description: str | None = None,
    *,
    order: bool = False,
    paths: bool = False,
    switches: Mapping[str, str] | None = None,
    options: Mapping[str, tuple[str, str]] | None = None,
) -> argparse.ArgumentParser:
    """A command and the arguments several commands share: the ORDER it acts on, the mail
    PATHs it reads, switches (on/off flags such as --json: their help) and options that take
    a value (their metavar and help), each kind in the order given."""
    # Every command's --help starts with what it does: its own text, else its summary.
    command = commands.add_parser(
        name, help=summary, description=description or f"{summary[0].upper()}{summary[1:]}."
    )
    _global_options(command, default=argparse.SUPPRESS)
    if order:
        command.add_argument("order", metavar="ORDER", help="16-digit order number")
    for flag, text in (switches or {}).items():
        command.add_argument(flag, action="store_true", help=text)
    for flag, (metavar, text) in (options or {}).items():
        command.add_argument(flag, metavar=metavar, help=text)
    if paths:
        command.add_argument(
            "paths", nargs="+", metavar="PATH", help="mail file, folder, mbox or -"
        )
    return command


def _since(what: str) -> str:
    """The help of --since WHEN: only `what` (e.g. "mail sent") since then."""
    return f"only {what} since then: a date (2026-11-01), a time or a duration back (7d)"


def _aware_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time") from err
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a zone, e.g. 2026-11-26T12:00Z")
    return value.astimezone(UTC)


def _env_file(option: str | None) -> Path | None:
    """The env file to read: --env-file (which must exist), else the default one if it does."""
    path = Path(option) if option else default_env_file()
    if option and not path.is_file():
        print(f"aliwatch: --env-file {option}: no such file", file=sys.stderr)
        raise SystemExit(2)
    return path if path.is_file() else None


def _settings_or_exit(env_file: Path | None) -> Settings:
    """The settings, or exit 2 with one line per problem (a wrong value, an unknown name)."""
    try:
        loaded = load(env_file)
    except SettingsError as err:
        _print_problems(err.problems)
        if env_file is not None:  # a line systemd reads otherwise is the usual cause
            text = envfile.read_text(env_file)
            hints = [d for d in envfile.differences(text) if not d.dropped]
            _print_problems([f"{env_file}: {d.explain()}" for d in hints])
        raise SystemExit(2) from None
    except AliwatchError as err:
        print(f"aliwatch: {err}", file=sys.stderr)
        raise SystemExit(exit_status(err)) from None
    if loaded.unknown:
        _print_problems(loaded.unknown)
        raise SystemExit(2)
    return loaded.settings


def _print_problems(problems: list[str]) -> None:
    for problem in problems:
        print(f"aliwatch: {problem}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `aliwatch` console script."""
    args = _parser().parse_args(argv)
    quiet_libraries()
    if args.command == "init":  # needs no settings: it writes the file they come from
        try:
            return init(args.scope or "user", args.path, force=args.force, out=sys.stdout)
        except AliwatchError as err:
            print(f"aliwatch: {err}", file=sys.stderr)
            return exit_status(err)
    if args.command == "completion":  # needs no settings: it describes the commands
        import shtab  # noqa: PLC0415 - only this command needs it

        print(shtab.complete(_parser(), shell=args.shell), end="")
        return 0
    env_file = _env_file(args.env_file)
    if args.command == "check":
        return _check(args, env_file)
    settings = _settings_or_exit(env_file)
    if args.command == "parse":
        return _parse(args, settings)
    # Read once per command and passed down (anonymize has no --now: it needs no time).
    now = getattr(args, "now", None) or datetime.now(UTC)
    out = sys.stdout
    try:
        return _run(args, settings, now, out)
    except UsageError as err:
        print(f"aliwatch {args.command}: {err}", file=sys.stderr)
        return 2  # a wrong argument, as argparse exits for one
    except AliwatchError as err:  # every error aliwatch raises on purpose (daemon/config/errors.py)
        print(f"aliwatch: {err}", file=sys.stderr)
        return exit_status(err)


def _check(args: argparse.Namespace, env_file: Path | None) -> int:
    """`check`: unlike the other commands it reports settings it cannot use as failed lines."""
    from aliwatch.daemon.cli.check import check, check_settings  # noqa: PLC0415 - only check needs every channel

    now = args.now or datetime.now(UTC)
    loaded: Loaded | None = check_settings(env_file, sys.stdout)
    if loaded is None:
        return 2  # as `run` exits on the same settings
    try:
        return check(
            loaded.settings,
            now,
            sys.stdout,
            send_test_alert=args.send_test_alert,
            env_file=env_file,
            unknown=loaded.unknown,
        )
    except AliwatchError as err:
        print(f"aliwatch: {err}", file=sys.stderr)
        return exit_status(err)


def _run(args: argparse.Namespace, settings: Settings, now: datetime, out: TextIO) -> int:
    command = args.command
    if command == "run":
        return run_daemon(settings, once=args.once, now=args.now, out=out)
    if command == "import":
        return commands.import_mail(settings, args.paths, now, out, progress=sys.stderr)
    if command == "status":
        return commands.status(settings, now, out, as_json=args.json, everything=args.all)
    if command == "timeline":
        return commands.timeline(settings, args.order, out, as_json=args.json)
    if command == "calendar":
        return commands.calendar(settings, now, args.output, out)
    if command in _MARK_COMMANDS:
        return _mark(args, settings, now, out)
    if command == "anonymize":
        from aliwatch.daemon.cli.anonymize import anonymize  # noqa: PLC0415 - keeps `run` start-up lean

        return anonymize(
            settings,
            out,
            source=args.file,
            uid=args.uid,
            folder=args.folder,
            output=args.output,
            force=args.force,
        )
    if command == "unknown":
        from aliwatch.daemon.cli.unknown import unknown  # noqa: PLC0415 - keeps `run` start-up lean

        return unknown(settings, now, out, as_json=args.json, since=args.since)
    if command == "alerts":
        from aliwatch.daemon.cli.alerts import alerts  # noqa: PLC0415 - keeps `run` start-up lean

        return alerts(settings, now, out, as_json=args.json, order_id=args.order, since=args.since)
    raise AssertionError(f"no such command {command!r}")  # argparse allows only those above


_MARK_COMMANDS = frozenset({"ack", "unack", "snooze", "unsnooze", "watch", "unwatch"})


def _mark(args: argparse.Namespace, settings: Settings, now: datetime, out: TextIO) -> int:
    command = args.command
    if command == "ack":
        return commands.ack(settings, args.order, args.rule, now, out)
    if command == "unack":
        return commands.unack(settings, args.order, args.rule, out)
    if command == "snooze":
        return commands.snooze(settings, args.order, args.duration, now, out)
    if command == "unsnooze":
        return commands.unsnooze(settings, args.order, now, out)
    if command == "watch":
        return commands.watch(settings, args.order, now, out)
    return commands.unwatch(settings, args.order, out)


def _parse(args: argparse.Namespace, settings: Settings) -> int:
    policy = AuthPolicy(trusted_authserv_ids=settings.trusted_authserv_ids)
    return parse_paths(
        args.paths, policy, sys.stdin.buffer, sys.stdout, sys.stderr,
        as_json=args.json, explain=args.explain,
    )  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
