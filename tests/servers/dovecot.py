"""A private Dovecot 2.3 on loopback for tests: own config, dirs, TLS cert, user and ports.

Nothing here reads or writes /etc/dovecot or the system's base_dir: every path lives in one
temp dir, and the master runs in the foreground (`dovecot -F`) as our child, in its own process
group, so `stop()` can wait until every one of its processes is gone.

Works as root (CI): login processes run as `dovenull`, the rest as `dovecot`, and the mail root
is owned by `dovecot`. As an ordinary user every Dovecot process runs as that user instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import grp
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from imapclient import IMAPClient

from tests.support import wait_until

DOVECOT = "/usr/sbin/dovecot"
HOST = "127.0.0.1"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
_APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]")


def _free_port() -> int:
    """A port nobody listens on right now: the kernel's pick for a bind to port 0."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _libc_prctl() -> Callable[..., int] | None:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux: no parent-death signal, stop() still works
        return None


_PRCTL = _libc_prctl()
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if the test process dies without stopping us."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM)


def make_test_cert(cert_file: Path, key_file: Path) -> None:
    """A self-signed cert for localhost and 127.0.0.1; the cert is its own CA file."""
    result = subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
            "-addext", "extendedKeyUsage=serverAuth",
            "-keyout", str(key_file), "-out", str(cert_file),
        ],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"openssl could not make the test cert:\n{result.stderr}")
    key_file.chmod(0o600)


class DovecotError(RuntimeError):
    """The test Dovecot could not be started or stopped."""


class _Listener:
    """What both test IMAP servers share: waiting, at start, for each listener's greeting."""

    imap_port: int
    imaps_port: int
    _proc: subprocess.Popen[bytes] | None
    _last_probe_error: str

    def ssl_context(self) -> ssl.SSLContext:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def _diagnostics(self) -> str:
        raise NotImplementedError

    def _await_greetings(
        self, proc: subprocess.Popen[bytes], began: float, error: type[RuntimeError], name: str
    ) -> None:
        """Wait until both listeners greet; raise `error` if the server exits or stays silent."""
        pending = {self.imap_port, self.imaps_port}

        def greeted() -> bool:
            if proc.poll() is not None:
                self._proc = None
                raise error(f"{name} exited at startup.\n{self._diagnostics()}")
            for port in list(pending):
                if self._greets(port):
                    pending.discard(port)
            return not pending

        if not wait_until(greeted, began + START_TIMEOUT - time.monotonic(), every=0.02):
            self.stop()
            raise error(
                f"{name} did not accept connections on {HOST}:{sorted(pending)} within "
                f"{START_TIMEOUT:.0f} s (last error: {self._last_probe_error}).\n"
                f"{self._diagnostics()}"
            )

    def _greets(self, port: int) -> bool:
        """Whether the listener answers with an IMAP greeting (over verified TLS for imaps)."""
        try:
            with socket.create_connection((HOST, port), 1.0) as sock:
                sock.settimeout(2.0)
                if port == self.imaps_port:
                    with self.ssl_context().wrap_socket(sock, server_hostname=HOST) as tls:
                        return tls.recv(64).startswith(b"* OK")
                return sock.recv(64).startswith(b"* OK")
        except OSError as e:  # ssl.SSLError is an OSError: refused, reset, or TLS not ready yet
            self._last_probe_error = f"{HOST}:{port}: {e!r}"
            return False


class Dovecot(_Listener):
    """One private Dovecot instance with an imaps and a plain imap listener on 127.0.0.1."""

    user = "user@example.com"

    def __init__(self, root: Path | None = None) -> None:
        self._own_root = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix="aliwatch-dovecot-"))
        # Dovecot's unprivileged processes must traverse it to reach base_dir and the mail.
        self.root.chmod(0o755)
        self.host = HOST
        self.imaps_port = _free_port()
        self.imap_port = _free_port()
        while self.imap_port == self.imaps_port:
            self.imap_port = _free_port()
        self.password = secrets.token_urlsafe(16)
        self.conf = self.root / "dovecot.conf"
        self.ca_file = self.root / "cert.pem"
        self.key_file = self.root / "key.pem"
        self.log_path = self.root / "dovecot.log"
        self.base_dir = self.root / "run"
        self.state_dir = self.root / "state"
        self.mail_root = self.root / "mail"
        self.users_file = self.root / "users"
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._last_probe_error = ""
        self._write_files()

    # -- setup -------------------------------------------------------------------------------

    def _accounts(self) -> tuple[str, str, str]:
        """(login user, internal user, internal group) for Dovecot's own processes."""
        if os.geteuid() == 0:
            return "dovenull", "dovecot", "dovecot"
        me = pwd.getpwuid(os.geteuid()).pw_name
        return me, me, grp.getgrgid(os.getegid()).gr_name

    def _write_files(self) -> None:
        self._make_cert()
        login_user, internal_user, internal_group = self._accounts()
        for d in (self.state_dir, self.mail_root):
            d.mkdir(mode=0o755)
        self.users_file.write_text(f"{self.user}:{{PLAIN}}{self.password}\n", encoding="utf-8")
        if os.geteuid() == 0:
            shutil.chown(self.mail_root, internal_user, internal_group)
            # The auth process (not root) reads the passwd-file; the password is a test one.
            shutil.chown(self.users_file, internal_user, internal_group)
        self.users_file.chmod(0o640)
        # Only root may chroot(); as an ordinary user the login and anvil processes must not.
        chroot = "" if os.geteuid() == 0 else "  chroot =\n"
        self.conf.write_text(
            f"""\
# Generated by tests/servers/dovecot.py for one test session.
instance_name = aliwatch-test-{self.imaps_port}
base_dir = {self.base_dir}
state_dir = {self.state_dir}
log_path = {self.log_path}
info_log_path = {self.log_path}
debug_log_path = {self.log_path}
protocols = imap
listen = {HOST}
shutdown_clients = yes

default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = 1
first_valid_gid = 1

ssl = yes
ssl_cert = <{self.ca_file}
ssl_key = <{self.key_file}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.users_file}
}}
userdb {{
  driver = static
  args = uid={internal_user} gid={internal_group} home={self.mail_root}/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
protocol imap {{
  mail_max_userip_connections = 100
}}

service imap-login {{
{chroot}  inet_listener imap {{
    address = {HOST}
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {self.imaps_port}
    ssl = yes
  }}
}}
service anvil {{
{chroot}}}
""",
            encoding="utf-8",
        )

    def _make_cert(self) -> None:
        try:
            make_test_cert(self.ca_file, self.key_file)
        except RuntimeError as err:
            raise DovecotError(str(err)) from err

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Dovecot:
        """Start the master and wait until both listeners greet; raise with the log tail if not."""
        if self.running:
            return self
        began = time.monotonic()
        with (self.root / "master.stderr").open("ab") as stderr:
            # preexec_fn only calls prctl(), looked up beforehand; servers start on the main thread.
            self._proc = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.conf)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509
            )
        proc = self._proc
        self._await_greetings(proc, began, DovecotError, "dovecot")
        self.startup_seconds = time.monotonic() - began
        return self

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # How long the master may take over a SIGTERM before its whole group is killed.
    stop_grace = STOP_TIMEOUT

    def stop(self) -> None:
        """SIGTERM the master, then wait until no process of its group is left (SIGKILL late)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        pgid = proc.pid  # start_new_session: the master leads its own process group
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(self.stop_grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
                proc.wait(STOP_TIMEOUT)
        if not wait_until(lambda: not _group_alive(pgid), STOP_TIMEOUT, every=0.02):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            wait_until(lambda: not _group_alive(pgid), 1.0, every=0.02)

    def restart(self) -> Dovecot:
        """Stop and start again on the same ports, with the same mail and user."""
        self.stop()
        return self.start()

    def cleanup(self) -> None:
        """Stop, then remove the temp dir this instance made."""
        self.stop()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

    # -- logs --------------------------------------------------------------------------------

    def log(self) -> str:
        """Everything Dovecot has logged so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def _diagnostics(self) -> str:
        stderr = (self.root / "master.stderr").read_text(encoding="utf-8", errors="replace")
        return f"--- {self.log_path} (tail) ---\n{self.log_tail()}\n--- master stderr ---\n{stderr}"

    # -- IMAP helpers ------------------------------------------------------------------------

    def ssl_context(self) -> ssl.SSLContext:
        """Verifies the server's cert against our CA file (hostname checks on, as by default)."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    @contextlib.contextmanager
    def client(self) -> Iterator[IMAPClient]:
        """A logged-in IMAPClient over TLS (imaps), logged out afterwards."""
        imap = IMAPClient(self.host, self.imaps_port, ssl=True, ssl_context=self.ssl_context())
        try:
            imap.login(self.user, self.password)
            yield imap
        finally:
            with contextlib.suppress(Exception):
                imap.logout()

    def append(self, folder: str, raw: bytes) -> int:
        """APPEND one message (creating the folder if needed); returns its UID."""
        with self.client() as imap:
            if not imap.folder_exists(folder):
                imap.create_folder(folder)
            response = imap.append(folder, raw)
        match = _APPENDUID.search(response)
        if match is None:
            raise DovecotError(f"APPEND gave no APPENDUID: {response!r}")
        return int(match.group(2))

    def uidvalidity(self, folder: str) -> int:
        with self.client() as imap:
            return int(imap.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"])

    def recreate_folder(self, name: str) -> None:
        """Delete the folder (if any) and create it again: a new, empty one with new UIDVALIDITY."""
        with self.client() as imap:
            if imap.folder_exists(name):
                imap.delete_folder(name)
            imap.create_folder(name)


def _group_alive(pgid: int) -> bool:
    """Whether any live (non-zombie) process is left in the process group."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after its ')'.
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False
