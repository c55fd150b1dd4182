"""A private Cyrus IMAP 3.6 on loopback for tests: own config, dirs, TLS cert, user and ports.

Cyrus is the suite's second IMAP server, beside Dovecot (tests/servers/dovecot.py), with the
same interface. Its Debian packages conflict with dovecot-imapd, so scripts/system-packages.sh
unpacks them into `.venv/cyrus` (CYRUS_PREFIX) instead of installing them; a normally installed
cyrus-imapd (/usr/lib/cyrus/bin) is used when that prefix is missing.

Nothing here reads or writes /etc/imapd.conf or /var/lib/cyrus: every path lives in one temp dir.
The master runs in the foreground as our child, in its own process group; it must be started as
root and drops to the `cyrus` user (group mail) itself, so the temp dir is owned by cyrus.

Cyrus logs only through syslog() and these machines have no syslog daemon: an LD_PRELOAD shim
(syslog_to_file.c, built here with cc) writes its lines to `syslog.log` in the temp dir.

Seen differences from the test Dovecot that tests must know about:
- the plain port refuses LOGIN before STARTTLS (LOGINDISABLED; `allowplaintext: no`, Cyrus's
  default), so ALIWATCH_IMAP_SECURITY=none cannot log in;
- the hierarchy separator is "/" (unixhierarchysep), as configured for the test Dovecot, and
  folders are made beside INBOX (altnamespace), as in Dovecot's namespace;
- IDLE announces new mail at once (idled, imapidlepoll: 1; under 0.05 s); Dovecot takes ~0.5 s;
- a wrong password is answered "NO Login failed: authentication failure", without Dovecot's
  [AUTHENTICATIONFAILED] response code;
- APPEND refuses a header section that is not one ("NO Message contains invalid header");
- DELETE keeps the folder's mail under DELETED/ (delayed delete, the default); a folder made
  again by that name has a new UIDVALIDITY, as on Dovecot.
"""

from __future__ import annotations

import contextlib
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
from collections.abc import Iterator
from pathlib import Path

from imapclient import IMAPClient

from tests.servers.dovecot import (
    Dovecot,
    _die_with_parent,
    _free_port,
    _group_alive,
    _Listener,
    make_test_cert,
)
from tests.support import wait_until

HOST = "127.0.0.1"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
CYRUS_USER = "cyrus"
CYRUS_GROUP = "mail"
REPO = Path(__file__).resolve().parents[2]
# Where scripts/system-packages.sh unpacks cyrus-imapd, cyrus-common and sasl2-bin.
CYRUS_PREFIX = REPO / ".venv" / "cyrus"
SHIM_SOURCE = Path(__file__).with_name("syslog_to_file.c")
_APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]")
# The master is started under this shell, which stays root: the master's switch to the cyrus
# user clears the parent-death signal (prctl(2)), the shell keeps it. A SIGTERM to the shell
# (from stop(), or from the kernel when the test process dies) goes on to the whole process
# group, and the shell exits only once the master has.
_KEEPER = 'trap \'trap "" TERM; kill -TERM 0; wait\' TERM; "$@" & wait $!'


def _prefix() -> Path:
    """The unpacked prefix when there is one, else the system (a normal cyrus-imapd install)."""
    if (CYRUS_PREFIX / "usr/lib/cyrus/bin/master").exists():
        return CYRUS_PREFIX
    return Path("/")


PREFIX = _prefix()
BIN = PREFIX / "usr/lib/cyrus/bin"
MASTER = BIN / "master"
SASLPASSWD2 = PREFIX / "usr/sbin/saslpasswd2"


def missing() -> str | None:
    """Why the test Cyrus cannot run on this machine, or None when it can."""
    for program in (MASTER, BIN / "imapd", BIN / "idled", BIN / "ctl_cyrusdb", SASLPASSWD2):
        if not os.access(program, os.X_OK):
            return (
                f"{program} not found (scripts/system-packages.sh unpacks Cyrus into .venv/cyrus)"
            )
    try:
        pwd.getpwnam(CYRUS_USER)
    except KeyError:
        return f"no system user {CYRUS_USER!r} (scripts/system-packages.sh adds it)"
    if os.geteuid() != 0:
        return "the test Cyrus must be started as root (its master drops to the cyrus user)"
    if shutil.which("openssl") is None:
        return "openssl not installed (needed for the test TLS cert)"
    return None


def version() -> str:
    """The Debian version of the unpacked cyrus-imapd (or '' when it is not known)."""
    try:
        return (CYRUS_PREFIX / "VERSION").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


class CyrusError(RuntimeError):
    """The test Cyrus could not be started or stopped."""


class Cyrus(_Listener):
    """One private Cyrus instance with an imaps and a plain imap listener on 127.0.0.1."""

    user = "buyer@example.com"

    def __init__(self, root: Path | None = None) -> None:
        self._own_root = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix="aliwatch-cyrus-"))
        # The cyrus user must traverse it to reach its config, spool and sockets.
        self.root.chmod(0o755)
        self.host = HOST
        self.imaps_port = _free_port()
        self.imap_port = _free_port()
        while self.imap_port == self.imaps_port:
            self.imap_port = _free_port()
        self.password = secrets.token_urlsafe(16)
        self.base = self.root / "cyrus"
        self.conf = self.root / "imapd.conf"
        self.cyrus_conf = self.root / "cyrus.conf"
        self.ca_file = self.root / "cert.pem"
        self.key_file = self.base / "key.pem"
        self.log_path = self.base / "syslog.log"
        self.master_out = self.base / "master.out"
        self.pid_file = self.base / "master.pid"
        self.sasldb = self.base / "sasldb2"
        self.shim: Path | None = None
        self.startup_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._last_probe_error = ""
        self._write_files()

    # -- setup -------------------------------------------------------------------------------

    def _write_files(self) -> None:
        # What Cyrus's mkimap would make: the databases, the lock files of the listeners, ...
        config = ("db", "socket", "log", "msg", "ptclient", "quota", "user", "sync")
        dirs = ("spool", "sieve", "proc", "lock", "run/socket", *(f"config/{d}" for d in config))
        for sub in dirs:
            (self.base / sub).mkdir(parents=True, mode=0o750)
        try:
            make_test_cert(self.ca_file, self.key_file)
        except RuntimeError as err:
            raise CyrusError(str(err)) from err
        self.log_path.touch(mode=0o644)
        self.shim = self._build_shim()
        base = self.base
        self.conf.write_text(
            f"""\
# Generated by tests/servers/cyrus.py for one test session.
configdirectory: {base}/config
partition-default: {base}/spool
defaultpartition: default
sievedir: {base}/sieve
proc_path: {base}/proc
mboxname_lockpath: {base}/lock
lmtpsocket: {base}/run/socket/lmtp
idlesocket: {base}/run/socket/idle
notifysocket: {base}/run/socket/notify
servername: localhost
admins: {CYRUS_USER}
virtdomains: userid
unixhierarchysep: yes
altnamespace: yes
allowplaintext: no
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: {self.sasldb}
sasl_mech_list: PLAIN LOGIN
tls_server_cert: {self.ca_file}
tls_server_key: {self.key_file}
autocreate_users: anyone
autocreate_quota: 0
failedloginpause: 0
imapidlepoll: 1
""",
            encoding="utf-8",
        )
        conf = self.conf
        self.cyrus_conf.write_text(
            f"""\
# Generated by tests/servers/cyrus.py for one test session.
START {{
  recover cmd="{BIN}/ctl_cyrusdb -C {conf} -r"
}}
SERVICES {{
  imap cmd="{BIN}/imapd -C {conf} -U 30" listen="{HOST}:{self.imap_port}" prefork=1
  imaps cmd="{BIN}/imapd -s -C {conf} -U 30" listen="{HOST}:{self.imaps_port}" prefork=1
}}
EVENTS {{
  checkpoint cmd="{BIN}/ctl_cyrusdb -C {conf} -c" period=30
}}
DAEMON {{
  idled cmd="{BIN}/idled -C {conf}"
}}
""",
            encoding="utf-8",
        )
        local, _, domain = self.user.partition("@")
        result = subprocess.run(
            [str(SASLPASSWD2), "-p", "-c", "-f", str(self.sasldb), "-u", domain, local],
            input=self.password.encode(),
            capture_output=True, timeout=30, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise CyrusError(f"saslpasswd2 failed: {result.stderr.decode(errors='replace')}")
        self.sasldb.chmod(0o640)
        subprocess.run(
            ["chown", "-R", f"{CYRUS_USER}:{CYRUS_GROUP}", str(self.base)],
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip

    def _build_shim(self) -> Path | None:
        """The syslog-to-file shim, built into the temp dir (None without a C compiler)."""
        compiler = shutil.which("cc") or shutil.which("gcc")
        if compiler is None:
            return None
        shim = self.root / "syslog_to_file.so"
        result = subprocess.run(
            [compiler, "-shared", "-fPIC", "-O2", "-o", str(shim), str(SHIM_SOURCE)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        return shim if result.returncode == 0 else None

    def _environment(self) -> dict[str, str]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C"}
        if PREFIX == CYRUS_PREFIX:  # unpacked: Cyrus's own libraries are there too
            libs = sorted({str(p.parent) for p in (PREFIX / "usr/lib").glob("*/libcyrus*.so.0")})
            env["LD_LIBRARY_PATH"] = ":".join(libs)
        if self.shim is not None:
            env["LD_PRELOAD"] = str(self.shim)
            env["ALIWATCH_SYSLOG_FILE"] = str(self.log_path)
        return env

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Cyrus:
        """Start the master and wait until both listeners greet; raise with the log tail if not."""
        if self.running:
            return self
        for port in (self.imap_port, self.imaps_port):
            # Cyrus reports a busy port only in its log, and starts anyway.
            if not _bindable(port):
                raise CyrusError(f"{HOST}:{port} is taken: Cyrus cannot listen there")
        began = time.monotonic()
        with (self.root / "master.stderr").open("ab") as stderr:
            # preexec_fn only calls prctl(), looked up beforehand; servers start on the main thread.
            self._proc = subprocess.Popen(
                [
                    "/bin/sh", "-c", _KEEPER, "cyrus-keeper",
                    str(MASTER), "-C", str(self.conf), "-M", str(self.cyrus_conf),
                    "-p", str(self.pid_file), "-L", str(self.master_out),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=self._environment(),
                cwd=self.base,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509
            )  # fmt: skip
        proc = self._proc
        self._await_greetings(proc, began, CyrusError, "Cyrus")
        self.startup_seconds = time.monotonic() - began
        return self

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        """SIGTERM the group, then wait until no process of it is left (SIGKILL late).

        The master ends its children (imapd, idled) itself; any that outlive it are killed, so
        a client connected before a restart really loses its connection.
        """
        proc, self._proc = self._proc, None
        if proc is None:
            return
        pgid = proc.pid  # start_new_session: the keeper shell leads its own process group
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(STOP_TIMEOUT)
        if not wait_until(lambda: not _group_alive(pgid), STOP_TIMEOUT, every=0.02):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            wait_until(lambda: not _group_alive(pgid), 0.1, every=0.02)

    def restart(self) -> Cyrus:
        """Stop and start again on the same ports, with the same mail and user."""
        self.stop()
        return self.start()

    def cleanup(self) -> None:
        """Stop, then remove the temp dir this instance made."""
        self.stop()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Cyrus:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

    # -- logs --------------------------------------------------------------------------------

    def log(self) -> str:
        """Everything Cyrus has logged so far (its syslog lines, then the master's output)."""
        text = ""
        for path in (self.log_path, self.master_out):
            with contextlib.suppress(FileNotFoundError):
                text += path.read_text(encoding="utf-8", errors="replace")
        return text

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def _diagnostics(self) -> str:
        stderr = (self.root / "master.stderr").read_text(encoding="utf-8", errors="replace")
        shim = "" if self.shim else " (no syslog shim: no C compiler, so Cyrus logged nothing)"
        return (
            f"--- {self.log_path}{shim} (tail) ---\n{self.log_tail()}\n"
            f"--- master stderr ---\n{stderr}"
        )

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
            raise CyrusError(f"APPEND gave no APPENDUID: {response!r}")
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


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


# Either real IMAP server of the suite: they share one interface (the `imap_server` fixture).
ImapServer = Dovecot | Cyrus
