"""`aliwatch check --send-test-alert` on real servers, and the Apprise channel over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import UTC
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from pydantic import SecretStr

from aliwatch.daemon.alerts.channels.apprise_channel import apprise_channels
from aliwatch.daemon.alerts.channels.channel import ChannelError, Outgoing
from aliwatch.daemon.cli.check import trial_decision
from tests.support import MAILBOX, NOW

pytestmark = pytest.mark.real_server
ALIWATCH = str(Path(sys.executable).with_name("aliwatch"))


def check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Something to watch (the demo Maildir), or `check` fails that line: `run` would exit 2.
    base = {"PATH": os.environ["PATH"], "HOME": "/nonexistent", "ALIWATCH_MAILDIR": str(MAILBOX)}
    return subprocess.run(
        [ALIWATCH, "check", "--send-test-alert"],
        env=base | env,
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


def test_a_test_alert_reaches_every_configured_channel(smtp_server, session_bus):
    env = smtp_server.env() | {"DBUS_SESSION_BUS_ADDRESS": session_bus.address}
    result = check(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "email: test alert sent to buyer@example.net" in result.stdout
    assert "desktop: test alert sent" in result.stdout
    assert smtp_server.recorder.wait_for(1, 10)
    assert smtp_server.messages[0]["Subject"] == "aliwatch test alert"
    assert session_bus.wait_for(1, 10)[0]["summary"] == "aliwatch test alert"


def test_a_failing_channel_is_reported_and_the_exit_status_is_1(smtp_server, session_bus):
    env = smtp_server.env() | {"DBUS_SESSION_BUS_ADDRESS": session_bus.address}
    smtp_server.stop()
    result = check(env)
    assert result.returncode == 1
    where = f"{smtp_server.host}:{smtp_server.port}"
    assert f"email: FAILED: {where} refused the connection" in result.stdout  # said once
    assert "desktop: test alert sent" in result.stdout  # the other channel still went
    assert smtp_server.env()["ALIWATCH_SMTP_PASSWORD"] not in result.stdout + result.stderr


class _Collector(BaseHTTPRequestHandler):
    received: list[dict[str, object]] = []  # noqa: RUF012 - shared by the handler instances
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_collector():
    _Collector.received = []
    _Collector.status = 200
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_apprise_delivers_to_a_json_endpoint(http_collector):
    port = http_collector.server_address[1]
    [channel] = apprise_channels((SecretStr(f"json://127.0.0.1:{port}/hook?token=s3cret"),))
    trial = trial_decision(NOW)
    channel.send(Outgoing(trial.key, trial, NOW, UTC))
    [posted] = _Collector.received
    assert posted["title"] == "aliwatch test alert"
    assert "s3cret" not in channel.name and "s3cret" not in channel.describe()


def test_apprise_reports_a_service_that_refuses(http_collector):
    _Collector.status = 500
    port = http_collector.server_address[1]
    [channel] = apprise_channels((SecretStr(f"json://127.0.0.1:{port}/hook"),))
    trial = trial_decision(NOW)
    with pytest.raises(ChannelError, match="did not take the alert"):
        channel.send(Outgoing(trial.key, trial, NOW, UTC))
