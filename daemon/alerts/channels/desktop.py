"""The desktop channel: freedesktop notifications over the user's session D-Bus (jeepney)."""

from __future__ import annotations

import html
import shutil
import subprocess
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from queue import Queue

import structlog
from jeepney import DBusAddress, MatchRule, Message, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.common import RouterClosed
from jeepney.io.threading import DBusRouter, open_dbus_connection
from jeepney.wrappers import DBusErrorResponse, unwrap_msg

from aliwatch.daemon.alerts.channels.channel import ChannelError, Outgoing
from aliwatch.daemon.alerts.render import ORDER_PAGE, alert_text
from aliwatch.daemon.alerts.wording import one_line, subject
from aliwatch.daemon.store import Store, StoreError

log = structlog.get_logger("aliwatch")
# The Desktop Notifications Specification 1.2 (specifications.freedesktop.org/notification-spec).
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
NOTIFICATIONS = DBusAddress(PATH, bus_name=INTERFACE, interface=INTERFACE)
URGENCY_NORMAL, URGENCY_CRITICAL = 1, 2
CALL_TIMEOUT = 5.0
# Notifications whose click is still remembered (the oldest are forgotten).
REMEMBERED = 200
# The actions of a notification about an order, key then label (spec 1.2, "Actions"). "default"
# is the click on the notification itself, which servers may not show as a button (GNOME Shell
# does not): "open" is the same as a button.
OPEN_ACTIONS = ["default", "Open the order page", "open", "Open order"]
SNOOZE, ACK = "snooze-1d", "ack"
STORE_ACTIONS = [SNOOZE, "Snooze 1 day", ACK, "Done"]
OPEN_KEYS = frozenset(OPEN_ACTIONS[::2])
ACTION_KEYS = OPEN_KEYS | frozenset(STORE_ACTIONS[::2])
SNOOZE_FOR = timedelta(days=1)

# What a click on a store action does: called with the order, the action's key and the rule of
# the alert the notification showed.
OnAction = Callable[[str, str, str], None]


def store_actions(db_path: Path) -> OnAction:
    """The store's side of a click: "Snooze 1 day" as `aliwatch snooze ORDER 1d`, "Done" as
    `aliwatch ack ORDER --rule RULE` for the rule of that alert: done with a warning about a
    forged mail must not silence the order's genuine reminders."""

    def act(order: str, key: str, rule: str) -> None:
        now = datetime.now(UTC)  # the moment of the click
        # Its own connection: this runs on the thread that hears clicks (daemon/store/store.py).
        with Store.open(db_path) as store:
            if key == SNOOZE:
                store.snooze(order, now + SNOOZE_FOR)
            elif key == ACK:
                store.ack(order, rule, now)

    return act


class DesktopChannel:
    """Shows each alert as a notification on one kept connection to the session bus.

    Where the server supports actions, a notification about an order offers them: a click on
    it ("default") or "Open order" opens the order page with xdg-open; "Snooze 1 day" and
    "Done" are passed to `on_action` (offered only with one). The spec's ActionInvoked signal
    is heard on a thread of jeepney's router. Where the server renders links
    (body-hyperlinks), the body links to the order page too.
    """

    name = "desktop"

    def __init__(self, address: str, on_action: OnAction | None = None) -> None:
        self.address = address
        self.on_action = on_action
        self._router: DBusRouter | None = None
        self._clicks: Queue[Message | None] | None = None
        # Our notifications with actions, each with its order and its alert's rule.
        self._orders: OrderedDict[int, tuple[str, str]] = OrderedDict()
        # Actions heard before Notify's reply was read (a server may signal at once).
        self._early: OrderedDict[int, str] = OrderedDict()
        self._lock = threading.Lock()

    def describe(self) -> str:
        return f"notifications on the session bus {self.address}"

    def abort(self) -> None:
        """Every bus call is bounded by CALL_TIMEOUT; the stop does not wait for it."""

    def send(self, alert: Outgoing) -> None:
        with self._bus_errors("the notification server refused"):
            router = self._connected()
            found = self._call(router, "GetCapabilities", "", ())[0]
            capabilities = set(found) if isinstance(found, list) else set()
            order = alert.decision.order_id
            actions = self._actions(order) if "actions" in capabilities else []
            urgent = alert.decision.urgent_at(alert.now)  # rules/urgency.py, the one definition
            urgency = URGENCY_CRITICAL if urgent else URGENCY_NORMAL
            hints: dict[str, tuple[str, object]] = {
                "urgency": ("y", urgency),
                "category": ("s", "email.arrived"),
            }
            body = self._body(alert, capabilities)
            summary = subject(alert.decision, alert.zone, alert.now)
            reply = self._call(
                router,
                "Notify",
                "susssasa{sv}i",
                ("aliwatch", 0, "dialog-warning", summary, body, actions, hints, -1),
            )
        if actions and isinstance(reply[0], int):
            self._remember(reply[0], order, alert.decision.rule)

    def _actions(self, order: str) -> list[str]:
        """An order's actions (the store's only with a handler); none without an order."""
        if not order:
            return []
        return OPEN_ACTIONS + (STORE_ACTIONS if self.on_action is not None else [])

    def probe(self) -> str:
        """Ask the notification server its name."""
        return f"notification server {self.server_name()}"

    def server_name(self) -> str:
        """The notification server's name and version (`aliwatch check`); ChannelError if none."""
        with self._bus_errors("no notification server"):
            name, vendor, version, _ = self._call(self._connected(), "GetServerInformation", "", ())
        return f"{name} {version} ({vendor})"

    @contextmanager
    def _bus_errors(self, refused: str) -> Iterator[None]:
        """jeepney's errors as ChannelError; a connection that failed is dropped (reopened next)."""
        try:
            yield
        except DBusErrorResponse as err:
            raise ChannelError(f"{refused}: {err.name}") from err
        except (OSError, TimeoutError, ValueError, KeyError, RuntimeError, RouterClosed) as err:
            self.close()
            raise ChannelError(
                f"cannot reach the session bus {self.address}: {type(err).__name__}"
            ) from err

    def close(self) -> None:
        """Drop the connection (it is opened again by the next send)."""
        router, self._router = self._router, None
        clicks, self._clicks = self._clicks, None
        if clicks is not None:
            clicks.put(None)  # ends the thread that hears clicks
        if router is not None:
            router.close()
            router.conn.close()

    def _connected(self) -> DBusRouter:
        if self._router is None:
            connection = open_dbus_connection(self.address)
            router = DBusRouter(connection)
            clicks = MatchRule(
                type="signal", interface=INTERFACE, member="ActionInvoked", path=PATH
            )
            router.send_and_get_reply(message_bus.AddMatch(clicks), timeout=CALL_TIMEOUT)
            queue: Queue[Message | None] = Queue(maxsize=REMEMBERED)
            router.filter(clicks, queue=queue)  # None in it is our own stop mark
            threading.Thread(target=self._hear_clicks, args=(queue,), daemon=True).start()
            self._router, self._clicks = router, queue
        return self._router

    def _remember(self, notification: int, order: str, rule: str) -> None:
        with self._lock:
            key = self._early.pop(notification, None)
            self._orders[notification] = (order, rule)
            while len(self._orders) > REMEMBERED:
                self._orders.popitem(last=False)
        if key is not None:
            self._act(order, rule, key)

    def _hear_clicks(self, queue: Queue[Message | None]) -> None:
        """ActionInvoked(id, key): perform the action on one of our notifications."""
        while (signal := queue.get()) is not None:
            try:
                notification, key = signal.body
            except (TypeError, ValueError):
                continue
            if key not in ACTION_KEYS or not isinstance(notification, int):
                continue
            with self._lock:
                shown = self._orders.get(notification)
                if shown is None:
                    self._early[notification] = key
                    while len(self._early) > REMEMBERED:
                        self._early.popitem(last=False)
            if shown is not None:
                self._act(*shown, key)

    def _act(self, order: str, rule: str, key: str) -> None:
        """Perform one action; a failure is logged (the thread goes on hearing clicks)."""
        log.info("desktop_action", action=key, order=order)
        try:
            if key in OPEN_KEYS:
                open_page(ORDER_PAGE.format(order))
            elif self.on_action is not None:
                self.on_action(order, key, rule)
        except StoreError as err:  # its message names the database or the order, no mail text
            log.warning("desktop_action_failed", action=key, order=order, reason=str(err))
        except Exception as err:  # noqa: BLE001 - a failed click must not end the clicks' thread
            log.warning("desktop_action_failed", action=key, order=order, reason=type(err).__name__)

    @staticmethod
    def _call(
        router: DBusRouter, method: str, signature: str, body: tuple[object, ...]
    ) -> tuple[object, ...]:
        message = new_method_call(NOTIFICATIONS, method, signature, body)
        return tuple(unwrap_msg(router.send_and_get_reply(message, timeout=CALL_TIMEOUT)))

    @staticmethod
    def _body(alert: Outgoing, capabilities: set[object]) -> str:
        text = alert_text(alert.decision, alert.now, alert.zone)
        # The spec's body markup is a small HTML subset: text from mails must be escaped.
        if "body-markup" not in capabilities:
            return "\n".join(one_line(line, 1000) for line in text.splitlines())
        escaped = html.escape(text, quote=False)
        if "body-hyperlinks" in capabilities and alert.decision.order_id:
            url = html.escape(ORDER_PAGE.format(alert.decision.order_id))
            escaped += f'\n<a href="{url}">Open the order page</a>'
        return escaped


def open_page(url: str) -> None:
    """Open `url` (built by us from an order number) in the user's browser, if xdg-open exists."""
    opener = shutil.which("xdg-open")
    if opener is None:
        log.warning("cannot_open_order_page", reason="xdg-open not found")
        return
    try:
        subprocess.Popen(  # noqa: S603 - a fixed program and a URL we built, no shell
            [opener, url],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as err:
        log.warning("cannot_open_order_page", reason=err.strerror)
