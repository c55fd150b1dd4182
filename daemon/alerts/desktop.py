"""The desktop channel: freedesktop notifications over the user's session D-Bus (jeepney)."""

from __future__ import annotations

import html
import os
from datetime import timedelta
from pathlib import Path

from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection
from jeepney.wrappers import DBusErrorResponse, unwrap_msg

from daemon.alerts.channel import ChannelError, Outgoing
from daemon.alerts.wording import one_line, subject
from daemon.render import ORDER_PAGE, alert_text

# The Desktop Notifications Specification 1.2 (specifications.freedesktop.org/notification-spec).
NOTIFICATIONS = DBusAddress(
    "/org/freedesktop/Notifications",
    bus_name="org.freedesktop.Notifications",
    interface="org.freedesktop.Notifications",
)
URGENCY_NORMAL, URGENCY_CRITICAL = 1, 2
CALL_TIMEOUT = 5.0
# Proposals, and deadlines this close, are critical: they stay on screen until dismissed.
CRITICAL_WITHIN = timedelta(hours=24)


def session_bus_address() -> str | None:
    """The session bus: DBUS_SESSION_BUS_ADDRESS, else systemd's $XDG_RUNTIME_DIR/bus."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "").strip()
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    if runtime and Path(runtime, "bus").exists():
        return f"unix:path={Path(runtime, 'bus')}"
    return None


def is_critical(alert: Outgoing) -> bool:
    decision = alert.decision
    if decision.rule == "proposal_waiting" or decision.urgent:
        return True
    return decision.due is not None and decision.due - alert.now < CRITICAL_WITHIN


class DesktopChannel:
    """Shows each alert as a notification; the order page is a link in the body where the
    notification server renders links (capability body-hyperlinks)."""

    name = "desktop"

    def __init__(self, address: str) -> None:
        self.address = address

    def describe(self) -> str:
        return f"notifications on the session bus {self.address}"

    def send(self, alert: Outgoing) -> None:
        try:
            with open_dbus_connection(self.address, auth_timeout=CALL_TIMEOUT) as bus:
                found = self._call(bus, "GetCapabilities", "", ())[0]
                capabilities = set(found) if isinstance(found, list) else set()
                body = self._body(alert, capabilities)
                urgency = URGENCY_CRITICAL if is_critical(alert) else URGENCY_NORMAL
                hints: dict[str, tuple[str, object]] = {
                    "urgency": ("y", urgency),
                    "category": ("s", "email.arrived"),
                }
                summary = subject(alert.decision, alert.zone)
                self._call(
                    bus,
                    "Notify",
                    "susssasa{sv}i",
                    ("aliwatch", 0, "dialog-warning", summary, body, [], hints, -1),
                )
        except DBusErrorResponse as err:
            raise ChannelError(f"desktop: the notification server refused: {err.name}") from err
        except (OSError, TimeoutError, ValueError, KeyError) as err:
            raise ChannelError(
                f"desktop: cannot reach the session bus {self.address}: {type(err).__name__}"
            ) from err

    @staticmethod
    def _call(
        bus: object, method: str, signature: str, body: tuple[object, ...]
    ) -> tuple[object, ...]:
        message = new_method_call(NOTIFICATIONS, method, signature, body)
        reply = bus.send_and_get_reply(message, timeout=CALL_TIMEOUT)  # type: ignore[attr-defined]
        return tuple(unwrap_msg(reply))

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
