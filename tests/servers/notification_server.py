"""A notification server on a real session bus: owns org.freedesktop.Notifications and writes
each Notify call as a JSON line to the file named by argv[2] (the bus address is argv[1]).

With a third argument `click`, it "clicks" every notification that offers a default action:
it emits ActionInvoked(id, "default") to the sender, as GNOME Shell does (spec 1.2)."""

from __future__ import annotations

import json
import sys

from jeepney import (
    DBusAddress,
    HeaderFields,
    MessageType,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

NAME = "org.freedesktop.Notifications"
CAPABILITIES = ["body", "body-markup", "body-hyperlinks", "actions"]


def main() -> int:
    address, record = sys.argv[1], sys.argv[2]
    click = sys.argv[3:] == ["click"]
    emitter = DBusAddress("/org/freedesktop/Notifications", interface=NAME)
    with open_dbus_connection(address) as bus:
        bus.send_and_get_reply(message_bus.RequestName(NAME, 4))  # 4: DO_NOT_QUEUE
        sys.stdout.write("ready\n")  # the parent waits for this line
        sys.stdout.flush()
        number = 0
        while True:
            message = bus.receive()
            if message.header.message_type != MessageType.method_call:
                continue
            member = message.header.fields.get(HeaderFields.member)
            if member == "GetCapabilities":
                bus.send(new_method_return(message, "as", (CAPABILITIES,)))
            elif member == "GetServerInformation":
                bus.send(new_method_return(message, "ssss", ("test", "aliwatch", "1", "1.2")))
            elif member == "Notify":
                number += 1
                app, _, _icon, summary, body, actions, hints, timeout = message.body
                entry = {
                    "id": number,
                    "app": app,
                    "summary": summary,
                    "body": body,
                    "actions": actions,
                    "hints": {key: value[1] for key, value in hints.items()},
                    "timeout": timeout,
                }
                with open(record, "a", encoding="utf-8") as out:
                    out.write(json.dumps(entry) + "\n")
                bus.send(new_method_return(message, "u", (number,)))
                if click and "default" in actions:
                    clicked = new_signal(emitter, "ActionInvoked", "us", (number, "default"))
                    clicked.header.fields[HeaderFields.destination] = message.header.fields[
                        HeaderFields.sender
                    ]
                    bus.send(clicked)
            else:
                bus.send(new_error(message, "org.freedesktop.DBus.Error.UnknownMethod"))


if __name__ == "__main__":
    raise SystemExit(main())
