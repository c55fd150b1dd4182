"""The store-backed commands: import, status, timeline, calendar, and the marks (ack, snooze,
watch) with their undoing."""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from aliwatch.daemon.alerts.evaluate import evaluate, open_orders
from aliwatch.daemon.alerts.render import OrderMarks, alert_text, order_json, status_table
from aliwatch.daemon.cli.progress import input_bytes, with_progress
from aliwatch.daemon.config.durations import parse_duration
from aliwatch.daemon.config.errors import AliwatchError
from aliwatch.daemon.config.paths import default_db_path
from aliwatch.daemon.config.settings import Settings
from aliwatch.daemon.sources.ingest import IngestReport, ingest
from aliwatch.daemon.sources.inputs import Input, iter_inputs
from aliwatch.daemon.store import Store
from aliwatch.parsers import AuthPolicy
from aliwatch.parsers.event import utc_text
from aliwatch.rules.alerts import ORDER_ALERTS
from aliwatch.rules.decide import Decision
from aliwatch.rules.state import OrderState

# Every rule an order's alert can have: what `ack --rule` accepts (rules/alerts.py).
ALERT_RULES: tuple[str, ...] = tuple(kind.value for kind in ORDER_ALERTS)


class CommandError(AliwatchError):
    """A command cannot do what was asked (an unknown order, a bad duration); the CLI prints it."""


class UsageError(CommandError):
    """An argument no command accepts (a misspelt rule); the CLI exits 2 as argparse does."""


def check_rule(rule: str, also: Iterable[str] = ()) -> str:
    """`rule` if it names an alert rule (or one of `also`), else UsageError with the closest."""
    known = [*ALERT_RULES, *(name for name in also if name not in ALERT_RULES)]
    if rule in known:
        return rule
    close = difflib.get_close_matches(rule, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise UsageError(f"unknown rule {rule!r}; rules: {', '.join(known)}{hint}")


def open_store(settings: Settings) -> Store:
    """The state database at ALIWATCH_DB_PATH or the default place, created when missing."""
    return Store.open(settings.db_path or default_db_path())


def existing_store(settings: Settings) -> Store:
    """The state database for a command that only reads it (or marks an order it holds): a
    missing file is StoreMissingError (exit 2), never a new empty database that would answer
    "no open orders" for a mistyped ALIWATCH_DB_PATH."""
    return Store.open(settings.db_path or default_db_path(), create=False)


def print_alerts(
    decisions: Sequence[Decision], now: datetime, settings: Settings, out: TextIO
) -> None:
    """The console channel: each new alert as text, urgent ones marked."""
    for decision in decisions:
        mark = "[URGENT] " if decision.urgent_at(now) else ""  # rules/urgency.py
        out.write(f"\n{mark}{alert_text(decision, now, settings.zone())}\n")


def import_mail(
    settings: Settings,
    paths: Sequence[str],
    now: datetime,
    out: TextIO,
    progress: TextIO | None = None,
    *,
    err: TextIO | None = None,
) -> int:
    """Read mail files into the store, run the rules once and print the new alerts.

    A progress bar is drawn on `progress` (the CLI passes stderr) when it is a terminal. Each
    path that gave no mail is named on `err` (stderr by default) with the reason; the exit
    status is 1 when no path gave any mail.
    """
    auth = AuthPolicy(trusted_authserv_ids=settings.trusted_authserv_ids)
    items: Iterable[Input] = iter_inputs(list(paths), sys.stdin.buffer)
    if progress is not None:
        items = with_progress(items, input_bytes(paths), progress)
    with open_store(settings) as store:
        report = ingest(store, items, now, auth, account="file")
        added = evaluate(store, now, settings.policy())
    problems = err if err is not None else sys.stderr
    for name, why in report.problems:
        problems.write(f"aliwatch import: {_safe_path(name)}: {why}\n")
    out.write(f"{import_summary(report)}; {len(added)} new alerts\n")
    print_alerts(added, now, settings, out)
    if report.usable == 0:
        problems.write("aliwatch import: no mail in what was given: nothing imported\n")
        return 1
    return 0


def import_summary(report: IngestReport) -> str:
    """The counts of an import, every input in exactly one of them (zero counts left out)."""
    noun = "input" if report.inputs == 1 else "inputs"
    parts = [f"{report.new_events} new events"]
    for count, what in (
        (report.duplicates, "already recorded from another copy"),
        (report.ignored, "not AliExpress"),
        (report.failed, "failed to parse"),
        (report.already_seen, "seen before"),
        (report.missing, "missing"),
        (report.unreadable, "unreadable"),
        (report.not_mail, "not mail"),
    ):
        if count:
            parts.append(f"{count} {what}")
    return f"examined {report.inputs} {noun}: {', '.join(parts)}"


def _safe_path(name: str) -> str:
    # A file name may hold terminal escape sequences: never pass them to the terminal.
    return "".join(c if c.isprintable() else "?" for c in name)


def status(
    settings: Settings, now: datetime, out: TextIO, *, as_json: bool, everything: bool
) -> int:
    """Open orders (or all) with phase, parcels, next deadline and the user's marks."""
    with existing_store(settings) as store:
        rows = open_orders(store, settings.policy(), everything=everything)
        marks = {state.order_id: order_marks(store, state, now) for state, _ in rows}
    if as_json:
        orders = [order_json(state, found, marks[state.order_id]) for state, found in rows]
        out.write(json.dumps(orders, indent=2) + "\n")
    elif rows:
        colour = out.isatty()
        table = status_table(rows, now, settings.zone(), colour=colour, marks=marks)
        out.write(table + "\n")
    else:
        out.write("no open orders\n")
    return 0


def order_marks(store: Store, state: OrderState, now: datetime) -> OrderMarks:
    """The marks that still hold on the order: acks no newer mail lapsed, a snooze not over."""
    acks = store.acks(state.order_id)
    # An acknowledgement holds until a newer mail about the order (alerts/evaluate.py marks_of).
    latest_mail = max(state.last.values(), default=None)
    held = {**acks.rules, **({"*": acks.everything} if acks.everything else {})}
    until = store.snoozed_until(state.order_id)
    return OrderMarks(
        acked={rule: at for rule, at in held.items() if latest_mail is None or at >= latest_mail},
        snoozed_until=until if until is not None and until > now else None,
        watched=store.watched(state.order_id),
    )


def timeline(settings: Settings, order_id: str, out: TextIO, *, as_json: bool) -> int:
    """Every mail recorded for one order, oldest first."""
    with existing_store(settings) as store:
        if order_id not in store.order_ids():
            raise CommandError(f"no mail has named order {order_id}")
        events = store.events_of(order_id)
    if as_json:
        entries = [{**event.to_json(), "at": when.isoformat()} for event, when in events]
        out.write(json.dumps(entries, indent=2, ensure_ascii=False) + "\n")
        return 0
    zone = settings.zone()
    for event, when in events:
        extra = " ".join(
            part
            for part in (
                event.parcel_id or "",
                f"({event.stage})" if event.stage else "",
                f"{event.amount} {event.currency}" if event.amount is not None else "",
                f"deadline {utc_text(event.deadline)}" if event.deadline is not None else "",
                "" if event.authentic else "UNVERIFIED",
            )
            if part
        )
        out.write(f"{when.astimezone(zone):%Y-%m-%d %H:%M}  {event.kind.value:<24} {extra}\n")
    return 0


def calendar(settings: Settings, now: datetime, target: str | None, out: TextIO) -> int:
    """All open deadlines as an RFC 5545 calendar, to a file or stdout."""
    # Imported here: icalendar costs every other command's start-up a tenth of a second.
    from aliwatch.daemon.alerts.calendar import build_calendar  # noqa: PLC0415

    with existing_store(settings) as store:
        rows = open_orders(store, settings.policy(), everything=False)
    items = [(state.order_id, d) for state, found in rows for d in found]
    data = build_calendar(items, now)
    if target is None or target == "-":
        out.write(data.decode("utf-8"))
    else:
        Path(target).write_bytes(data)
        out.write(f"wrote {len(items)} deadlines to {target}\n")
    return 0


def ack(settings: Settings, order_id: str, rule: str | None, now: datetime, out: TextIO) -> int:
    """Acknowledge an order's alerts (one rule or all) until a newer mail about it arrives."""
    if rule is not None:
        check_rule(rule)
    with existing_store(settings) as store:
        _known(store, order_id).ack(order_id, rule, now)
    out.write(f"acknowledged {rule or 'all alerts'} for order {order_id}\n")
    return 0


def unack(settings: Settings, order_id: str, rule: str | None, out: TextIO) -> int:
    """Take back an order's acknowledgements (one rule or all); the alerts they held go out."""
    with existing_store(settings) as store:
        acks = _known(store, order_id).acks(order_id)
        if rule is not None:
            check_rule(rule, also=acks.rules)  # a rule acknowledged before it was renamed
        done = store.unack(order_id, rule)
    if not done.rules:
        what = f"acknowledgement of {rule}" if rule else "acknowledgement"
        out.write(f"order {order_id} has no {what}: nothing to undo\n")
    else:
        names = ", ".join(name or "every rule" for name in done.rules)
        out.write(f"order {order_id} no longer acknowledged: {names}\n")
    if done.still_all:
        out.write(
            f"every rule of order {order_id} is still acknowledged; to undo that: "
            f"aliwatch unack {order_id}\n"
        )
    elif done.alerts:
        noun = "held alert" if done.alerts == 1 else "held alerts"
        out.write(f"{done.alerts} {noun} will be sent\n")
    return 0


def snooze(settings: Settings, order_id: str, duration: str, now: datetime, out: TextIO) -> int:
    """Keep an order's ordinary alerts quiet for a while; urgent ones still come; "off" ends it."""
    if duration.strip().lower() == "off":
        return unsnooze(settings, order_id, now, out)
    try:
        until = now + parse_duration(duration)
    except ValueError as err:
        raise CommandError(str(err)) from err
    with existing_store(settings) as store:
        _known(store, order_id).snooze(order_id, until)
    out.write(
        f"order {order_id} snoozed until {until.astimezone(settings.zone()):%Y-%m-%d %H:%M}\n"
    )
    return 0


def unsnooze(settings: Settings, order_id: str, now: datetime, out: TextIO) -> int:
    """End an order's snooze: its ordinary alerts come again."""
    with existing_store(settings) as store:
        until = _known(store, order_id).unsnooze(order_id)
    if until is None or until <= now:
        out.write(f"order {order_id} is not snoozed: nothing to undo\n")
    else:
        when = until.astimezone(settings.zone())
        out.write(f"order {order_id} is no longer snoozed (it was until {when:%Y-%m-%d %H:%M})\n")
    return 0


def watch(settings: Settings, order_id: str, now: datetime, out: TextIO) -> int:
    """Mark an order as a problem: it gets dispute-window reminders."""
    with existing_store(settings) as store:
        _known(store, order_id).watch(order_id, now)
    out.write(f"watching order {order_id}\n")
    return 0


def unwatch(settings: Settings, order_id: str, out: TextIO) -> int:
    """Stop following an order as a problem: dispute-window reminders only if it shows one."""
    with existing_store(settings) as store:
        was = _known(store, order_id).unwatch(order_id)
    if was:
        out.write(f"no longer watching order {order_id}\n")
    else:
        out.write(f"order {order_id} was not watched: nothing to undo\n")
    return 0


def _known(store: Store, order_id: str) -> Store:
    if order_id not in store.order_ids():
        raise CommandError(f"no mail has named order {order_id}")
    return store
