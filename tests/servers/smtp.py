"""A real SMTP server for the tests (aiosmtpd): STARTTLS or implicit TLS, AUTH, mail recorded."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.servers.dovecot import _free_port

USER = "alerts@example.org"
PASSWORD = "smtp-secret-9f3c"  # noqa: S105 - a throwaway password of the test server


class Recorder:
    """aiosmtpd handler that keeps every mail it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()
        # A slow server: the mail is taken at once, the "250 OK" given this much later.
        self.answer_after = 0.0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.arrived.notify_all()
        if self.answer_after:
            await asyncio.sleep(self.answer_after)
        return "250 OK"

    def wait_for(self, count: int, timeout: float) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)


def _authenticate(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == USER
        and auth_data.password.decode() == PASSWORD
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


class SmtpServer:
    """STARTTLS on a loopback port with a cert of its own; AUTH required, only over TLS."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.host = "127.0.0.1"
        self.port = _free_port()
        self.ca_file = root / "smtp-cert.pem"
        self.key_file = root / "smtp-key.pem"
        self.recorder = Recorder()
        self._controller: Controller | None = None
        _make_cert(self.ca_file, self.key_file)

    def start(self) -> SmtpServer:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.ca_file, self.key_file)
        self._controller = Controller(
            self.recorder,
            hostname=self.host,
            port=self.port,
            tls_context=context,
            require_starttls=True,
            authenticator=_authenticate,
            auth_require_tls=True,
            auth_exclude_mechanism=["CRAM-MD5"],
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages

    def env(self, to: str = "buyer@example.net") -> dict[str, str]:
        """The ALIWATCH_* settings that send through this server."""
        return {
            "ALIWATCH_SMTP_HOST": self.host,
            "ALIWATCH_SMTP_PORT": str(self.port),
            "ALIWATCH_SMTP_SECURITY": "starttls",
            "ALIWATCH_SMTP_CA_FILE": str(self.ca_file),
            "ALIWATCH_SMTP_USER": USER,
            "ALIWATCH_SMTP_PASSWORD": PASSWORD,
            "ALIWATCH_SMTP_TIMEOUT": "5",
            "ALIWATCH_ALERT_EMAIL_TO": to,
            "ALIWATCH_ALERT_EMAIL_FROM": USER,
        }


def _make_cert(cert: Path, key: Path) -> None:
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
            "-addext", "extendedKeyUsage=serverAuth",
            "-keyout", str(key), "-out", str(cert),
        ],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip


class MuteServer:
    """An SMTP port that accepts connections and never answers (a hung mail server)."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self._listener = socket.create_server((self.host, 0))
        self.port = int(self._listener.getsockname()[1])
        self.accepted = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return  # closed
            self._held.append(connection)
            self.accepted.set()

    def env(self) -> dict[str, str]:
        """Settings that send through it: plain SMTP on loopback, a long timeout."""
        return {
            "ALIWATCH_SMTP_HOST": self.host,
            "ALIWATCH_SMTP_PORT": str(self.port),
            "ALIWATCH_SMTP_SECURITY": "none",
            "ALIWATCH_SMTP_TIMEOUT": "120",
            "ALIWATCH_ALERT_EMAIL_TO": "buyer@example.net",
        }

    def close(self) -> None:
        self._listener.close()
        for connection in self._held:
            connection.close()
