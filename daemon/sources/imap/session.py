"""A read-only IMAP session over verified TLS, exposing only what the folder sync needs."""

from __future__ import annotations

import hashlib
import imaplib
import re
import socket
import ssl
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date
from typing import Self, TypeVar

from imapclient import IMAPClient, SocketTimeout
from imapclient.exceptions import CapabilityError, LoginError

from aliwatch.daemon.config.closing import Closable
from aliwatch.daemon.config.network import is_loopback, tls_context, unverified
from aliwatch.daemon.config.views import ImapSettings
from aliwatch.daemon.sources.imap import credentials, errors, probe
from aliwatch.parsers.attachments import Stripper

# BODY.PEEK never sets \Seen (RFC 3501 section 6.4.5); the server answers without ".PEEK".
# The header lines the sync decides on: From and Subject, and the headers in which relays keep
# the original sender (parsers/identity.py), so relayed AliExpress mail is fetched too.
HEADER_NAMES = (
    b"FROM SUBJECT X-SIMPLELOGIN-ORIGINAL-FROM X-ANONADDY-ORIGINAL-SENDER X-ORIGINAL-FROM"
)
HEADER_FIELDS = b"BODY.PEEK[HEADER.FIELDS (" + HEADER_NAMES + b")]"
SIZE = b"RFC822.SIZE"
WHOLE_MAIL = b"BODY.PEEK[]"
# Logging out at stop or after a failure waits at most this long for the server's goodbye.
CLOSE_SECONDS = 2.0
# The connection, the TLS handshake and the server's greeting must come within this long (or
# ALIWATCH_IMAP_TIMEOUT if shorter): a server greets at once, and a plain client on an
# implicit-TLS port would otherwise wait the whole timeout for a greeting that never comes.
GREETING_SECONDS = 10.0
# A large mail comes in pieces of this size (RFC 3501 section 6.4.5, partial FETCH).
PIECE_BYTES = 1024 * 1024
# Servers name the item in their answer their own way (RFC 3501 section 7.4.2 leaves the quoting
# of the field names open; seen: Dovecot echoes the request, Cyrus strips quotes, another server
# quotes names the request did not): found by its start, not by one spelling.
_HEADER_KEY_START = b"BODY[HEADER.FIELDS"
_WHOLE_KEY_START = b"BODY[]"


T = TypeVar("T")


class ImapSession(Closable):
    """One logged-in connection, used as a context manager; it never alters the mailbox.

    Folders are selected read-only and mail is fetched with BODY.PEEK only. Every imapclient,
    socket and ssl error is raised as one of daemon.sources.imap.errors.
    """

    def __init__(self, imap: ImapSettings) -> None:
        server = imap.server
        if not server.host:
            raise errors.ImapConfigError("ALIWATCH_IMAP_HOST is not set")
        if not server.user:
            raise errors.ImapConfigError("ALIWATCH_IMAP_USER is not set")
        if server.security == "none" and not is_loopback(server.host):
            raise errors.ImapConfigError(
                f"ALIWATCH_IMAP_SECURITY=none sends the password in clear text: refused for "
                f"{server.host}, which is not loopback; use ssl or starttls"
            )
        self._imap = imap
        self.host: str = server.host
        self.port = server.port
        self.user: str = server.user
        self._client: IMAPClient | None = None
        self._exists = 0  # messages in the folder EXAMINE last selected

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Self:
        self.connect()
        return self

    def close(self) -> None:
        """Log out (leaving a `with` block does); never raises."""
        self.logout()

    def connect(self) -> None:
        """Connect, secure the connection as configured, and log in (password or XOAUTH2).

        The secret is read before any connection is made; a new OAuth2 token for every login,
        so the token command can refresh one that expired. On failure nothing stays open.
        """
        oauth2 = self._imap.oauth2_token_command is not None
        secret = (
            credentials.oauth2_token(self._imap)
            if oauth2
            else credentials.imap_password(self._imap)
        )
        context = self._ssl_context()
        security = self._imap.server.security
        timeout = self._imap.server.timeout
        greeting = min(timeout, GREETING_SECONDS)
        try:
            with self._errors():
                try:
                    client = IMAPClient(
                        self.host,
                        self.port,
                        ssl=security == "ssl",
                        ssl_context=context if security == "ssl" else None,
                        timeout=SocketTimeout(connect=greeting, read=timeout),
                    )
                except (TimeoutError, ssl.SSLError) as err:
                    self._wrong_port(err, context, greeting)
                    raise
                self._client = client
                if security == "starttls":
                    client.starttls(context)
                    client.socket().settimeout(timeout)
                if security == "none" and b"LOGINDISABLED" in client.capabilities():
                    # RFC 3501 section 6.2.3: no login before TLS (seen: Cyrus's plain port).
                    raise errors.ImapConfigError(
                        f"{self.host}:{self.port} accepts a login only over TLS: set "
                        "ALIWATCH_IMAP_SECURITY=starttls (or ssl with its TLS port)"
                    )
                if oauth2:
                    client.oauth2_login(self.user, secret)
                else:
                    client.login(self.user, secret)
        except BaseException:
            self.logout()
            raise

    def _wrong_port(self, err: Exception, context: ssl.SSLContext, seconds: float) -> None:
        """After a failed connection: raise the error that names the setting to change when the
        port speaks TLS while ALIWATCH_IMAP_SECURITY says plain, or the other way round; return
        (the caller raises the original) when it is neither."""
        where, security = f"{self.host}:{self.port}", self._imap.server.security
        if isinstance(err, ssl.SSLCertVerificationError):
            return
        if security == "ssl":
            if isinstance(err, ssl.SSLError) and probe.greets_in_plain(
                self.host, self.port, seconds
            ):
                raise errors.ImapTLSError(
                    f"port {self.port} of {self.host} speaks plain IMAP, not TLS (it greets "
                    f"without a handshake): set ALIWATCH_IMAP_SECURITY=starttls for this port, "
                    f"or ALIWATCH_IMAP_PORT to the server's TLS port (usually 993)"
                ) from err
            return
        if probe.speaks_tls(self.host, self.port, context, seconds):
            raise errors.ImapTLSError(
                f"port {self.port} of {self.host} speaks TLS (implicit TLS, RFC 8314) and "
                f"sends no plain IMAP greeting: set ALIWATCH_IMAP_SECURITY=ssl for this port, "
                f"or ALIWATCH_IMAP_PORT to the server's STARTTLS port (usually 143)"
            ) from err
        raise errors.ImapConnectError(
            f"{where} sent no IMAP greeting within {seconds:g} s: check ALIWATCH_IMAP_HOST and "
            "ALIWATCH_IMAP_PORT (993 with ALIWATCH_IMAP_SECURITY=ssl, 143 with starttls)"
        ) from err

    @contextmanager
    def _timeout(self, seconds: float) -> Iterator[None]:
        """Bound the socket calls inside by `seconds` (then back to ALIWATCH_IMAP_TIMEOUT)."""
        sock = self._client.socket() if self._client is not None else None
        if sock is not None:
            with suppress(OSError):
                sock.settimeout(seconds)
        try:
            yield
        finally:
            if sock is not None:
                with suppress(OSError):
                    sock.settimeout(self._imap.server.timeout)

    def shutdown_socket(self) -> None:
        """Shut the connection's socket from another thread or a signal handler: a call blocked
        on it fails at once. Never raises."""
        client = self._client
        if client is not None:
            with suppress(Exception):  # closing a dead connection: any failure means "closed"
                client.socket().shutdown(socket.SHUT_RDWR)

    def close_quickly(self) -> None:
        """Log out, waiting at most CLOSE_SECONDS for the server; never raises."""
        client = self._client
        if client is not None:
            with suppress(Exception):
                client.socket().settimeout(CLOSE_SECONDS)
        self.logout()

    def logout(self) -> None:
        """Log out and close the connection; never raises (the server may be gone already)."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:  # noqa: BLE001 - closing a dead connection: any failure means "closed"
            with suppress(Exception):
                client.shutdown()

    # -- what the sync needs -----------------------------------------------------------------

    def capabilities(self) -> frozenset[str]:
        """The server's capabilities, upper-case (e.g. IDLE, CONDSTORE, UIDPLUS)."""
        with self._errors():
            caps = self._connected().capabilities()
        return frozenset(_text(cap).upper() for cap in caps)

    def folder_status(self, folder: str) -> tuple[int, int, int]:
        """(UIDVALIDITY, UIDNEXT, message count) of `folder` by STATUS, without selecting it."""
        with self._errors():
            status = self._connected().folder_status(
                folder, [b"UIDVALIDITY", b"UIDNEXT", b"MESSAGES"]
            )
        return int(status[b"UIDVALIDITY"]), int(status[b"UIDNEXT"]), int(status[b"MESSAGES"])

    def select_readonly(self, folder: str) -> int:
        """EXAMINE `folder` (select it read-only) and return its UIDVALIDITY."""
        with self._errors():
            response = self._connected().select_folder(folder, readonly=True)
        self._exists = int(response.get(b"EXISTS", 0))
        return int(response[b"UIDVALIDITY"])

    def uid_marks(self, every: int) -> list[int]:
        """The UIDs of the selected folder's every `every`-th message (by message sequence
        number, which has no gaps), ascending: bounds that cut its UIDs into spans of about
        `every` messages, however sparse the UIDs are. Asked by one FETCH (UID) of those
        sequence numbers; one expunged meanwhile only moves a bound."""
        positions = list(range(every, self._exists + 1, every))
        if not positions:
            return []
        client = self._connected()
        with self._errors():
            client.use_uid = False
            try:
                answer = client.fetch(positions, [b"UID"])
            finally:
                client.use_uid = True
        return sorted({int(data[b"UID"]) for data in answer.values() if b"UID" in data})

    def deselect(self) -> None:
        """Leave the selected folder, so that the next STATUS on it is current: STATUS of the
        selected mailbox may answer from the session's old view (RFC 3501 section 6.3.10).
        UNSELECT where offered (RFC 3691), else CLOSE, which expunges nothing in a folder
        opened read-only by EXAMINE."""
        with self._errors():
            client = self._connected()
            if b"UNSELECT" in client.capabilities():
                client.unselect_folder()
            else:
                client.close_folder()

    def search_uids_since(
        self, min_uid: int, since: date | None, max_uid: int | None = None
    ) -> list[int]:
        """UIDs from `min_uid` to `max_uid` (or the last) in the selected folder, arrived on or
        after `since`, ascending.

        `UID n:*` always matches the last message even when its UID is below n (RFC 3501
        section 6.4.8), so the answer is filtered here.
        """
        span = f"{max(min_uid, 1)}:{'*' if max_uid is None else max_uid}"
        criteria: list[object] = ["UID", span]
        if since is not None:
            criteria += ["SINCE", since]
        with self._errors():
            found = self._connected().search(criteria)
        top = max_uid if max_uid is not None else float("inf")
        return sorted(uid for uid in (int(u) for u in found) if min_uid <= uid <= top)

    def search_any(self, uids: Sequence[int], any_of: Sequence[Sequence[str]]) -> list[int]:
        """Those of `uids` (ascending) matching any of the search keys `any_of` (each one key,
        e.g. ("FROM", "aliexpress")), by one UID SEARCH over their span, ascending.

        The keys are ORed as a balanced tree, so a long list nests a few levels deep, not one
        level per key. Strings go as UTF-8 (CHARSET UTF-8, non-ASCII ones as literals): a server
        that cannot search in it refuses with NO [BADCHARSET], an ImapError (RFC 3501 6.4.4).
        """
        if not uids:
            return []
        criteria: list[object] = ["UID", f"{uids[0]}:{uids[-1]}"]
        criteria += _or_tree([[part.encode() for part in key] for key in any_of])
        with self._errors():
            found = self._connected().search(criteria, charset="UTF-8")
        wanted = set(uids)
        return sorted(uid for uid in (int(u) for u in found) if uid in wanted)

    def count_from(self, text: str) -> int:
        """How many mails in the selected folder have `text` in From (SEARCH FROM, RFC 3501
        6.4.4); for `aliwatch check` only: the sync never trusts a server-side search."""
        with self._errors():
            return len(self._connected().search(["FROM", text]))

    def fetch_headers(self, uids: Iterable[int]) -> dict[int, tuple[bytes, int] | None]:
        """The header lines the sync decides on, and the size in bytes, of each UID.

        See `_fetch_each` for UIDs missing from the answer (expunged) and None (unreadable).
        """

        def pick(data: dict[bytes, object]) -> tuple[bytes, int] | None:
            value, size = _item(data, _HEADER_KEY_START), data.get(SIZE)
            if value == b"":  # none of the fields: nothing to match, still a mail
                value = b"\r\n"
            return (value, size) if isinstance(value, bytes) and isinstance(size, int) else None

        return self._fetch_each(list(uids), [HEADER_FIELDS, SIZE], pick, "header lines and size")

    def fetch_bodies(self, uids: Iterable[int]) -> dict[int, bytes | None]:
        """The whole mail of each UID, fetched without setting \\Seen (see `_fetch_each`)."""

        def pick(data: dict[bytes, object]) -> bytes | None:
            value = _item(data, _WHOLE_KEY_START)
            return value if isinstance(value, bytes) else None

        return self._fetch_each(list(uids), [WHOLE_MAIL], pick, "message body")

    def fetch_large_body(self, uid: int) -> tuple[bytes, str] | None:
        """A large mail fetched a piece at a time and stripped of its attachments as it comes,
        with the sha256 of the whole (parsers/attachments.py): memory stays at one piece.

        None when the mail was expunged meanwhile.
        """
        stripper, digest, offset = Stripper(), hashlib.sha256(), 0
        while True:
            item = b"BODY.PEEK[]<%d.%d>" % (offset, PIECE_BYTES)
            with self._errors():
                answer = _asked(self._connected().fetch([uid], [item]), [uid])
            if uid not in answer:
                return None
            piece = _item(answer[uid], _WHOLE_KEY_START)
            if not isinstance(piece, bytes):
                raise errors.ImapReplyError(
                    f"{self.host}:{self.port} answered a partial FETCH of UID {uid} without the "
                    f"piece asked for (items: {_names(answer[uid])})"
                )
            stripper.feed(piece)
            digest.update(piece)
            offset += len(piece)
            if len(piece) < PIECE_BYTES:
                return stripper.finish(), digest.hexdigest()

    # -- inside ------------------------------------------------------------------------------

    def _fetch_each(
        self,
        wanted: list[int],
        items: list[bytes],
        pick: Callable[[dict[bytes, object]], T | None],
        what: str,
    ) -> dict[int, T | None]:
        """Each UID's value from one FETCH; a UID missing from the answer was expunged.

        An answer without the item asked for is asked again alone (an unsolicited FETCH of flags
        can stand in for it, RFC 3501 section 7.4.2); still without it, its value is None and the
        sync records it as unreadable. When no answer at all has the item, the server's spelling
        of it is not understood: ImapReplyError, never a silent zero.
        """
        if not wanted:
            return {}
        with self._errors():
            response = self._connected().fetch(wanted, items)
        found: dict[int, T | None] = {}
        unusable: list[tuple[int, dict[bytes, object]]] = []
        for uid, data in _asked(response, wanted).items():
            value = pick(data)
            if value is None:
                unusable.append((uid, data))
            else:
                found[uid] = value
        if unusable and not found:
            uid, data = unusable[0]
            raise errors.ImapReplyError(
                f"{self.host}:{self.port} answered the FETCH of {len(unusable)} messages without "
                f"the {what} asked for (UID {uid} came with: {_names(data)})"
            )
        for uid, _ in unusable:
            with self._errors():
                again = _asked(self._connected().fetch([uid], items), [uid])
            if uid in again:
                found[uid] = pick(again[uid])
        return found

    def _connected(self) -> IMAPClient:
        if self._client is None:
            raise errors.ImapConnectError(f"not connected to {self.host}:{self.port}")
        return self._client

    def _ssl_context(self) -> ssl.SSLContext:
        """A verifying context (hostname checked): the CA file when set, else the system's."""
        ca_file = self._imap.server.ca_file
        try:
            return tls_context(ca_file)
        except (OSError, ssl.SSLError) as err:
            raise errors.ImapConfigError(
                f"cannot load ALIWATCH_IMAP_CA_FILE {ca_file}: {_reason(err)}"
            ) from err

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Raise every library error inside as the project's own (the cause is kept)."""
        where = f"{self.host}:{self.port}"
        try:
            yield
        except LoginError as err:
            raise errors.ImapAuthError(
                f"{where} refused the login for {self.user}: {_reason(err)}"
            ) from err
        except ssl.SSLCertVerificationError as err:
            raise errors.ImapTLSError(
                f"{unverified(self.host, err)}; if the server uses a private CA, point "
                "ALIWATCH_IMAP_CA_FILE at its certificate"
            ) from err
        except ssl.SSLError as err:
            eof = isinstance(err, ssl.SSLEOFError | ssl.SSLZeroReturnError)
            if eof and self._client is not None:
                # On an established connection a TLS EOF is the server going away (a restart).
                raise errors.ImapConnectError(
                    f"lost the connection to {where}: {_reason(err)}"
                ) from err
            # During the handshake: likely the wrong port or security.
            raise errors.ImapTLSError(
                f"TLS with {where} failed ({_reason(err)}); check ALIWATCH_IMAP_SECURITY and "
                "the port, and ALIWATCH_IMAP_CA_FILE for a private CA"
            ) from err
        except CapabilityError as err:
            raise errors.ImapTLSError(
                f"{where} offers no STARTTLS (RFC 3501 section 6.2.1): set "
                "ALIWATCH_IMAP_SECURITY=ssl and ALIWATCH_IMAP_PORT to the server's TLS port "
                "(usually 993)"
            ) from err
        except TimeoutError as err:
            raise errors.ImapConnectError(
                f"{where} did not answer within the timeout (ALIWATCH_IMAP_TIMEOUT)"
            ) from err
        except socket.gaierror as err:
            # getaddrinfo(3) failed: the name does not resolve, or DNS is unreachable.
            raise errors.ImapConnectError(
                f"cannot resolve ALIWATCH_IMAP_HOST {self.host}: {_reason(err)}; check the "
                "name's spelling, and that this machine's DNS works"
            ) from err
        except ConnectionRefusedError as err:
            raise errors.ImapConnectError(
                f"{where} refused the connection (nothing listens on port {self.port}): check "
                "ALIWATCH_IMAP_PORT (993 with ALIWATCH_IMAP_SECURITY=ssl, 143 with starttls) "
                "and that the server runs"
            ) from err
        except (OSError, EOFError, imaplib.IMAP4.abort) as err:
            raise errors.ImapConnectError(
                f"lost the connection to {where}: {_reason(err)}"
            ) from err
        except imaplib.IMAP4.error as err:
            raise errors.ImapError(f"{where} refused a command: {_reason(err)}") from err


def _or_tree(keys: list[list[bytes]]) -> list[bytes]:
    """Search keys ORed pairwise into a balanced tree, in prefix form: OR takes exactly two keys,
    so "OR OR a b OR c d" needs no parentheses (RFC 3501 section 9, search-key). None are used:
    imapclient would glue a parenthesis to a UTF-8 value it sends as a literal."""
    if len(keys) == 1:
        return keys[0]
    half = len(keys) // 2
    return [b"OR", *_or_tree(keys[:half]), *_or_tree(keys[half:])]


def _asked(
    response: dict[object, dict[bytes, object]], wanted: list[int]
) -> dict[int, dict[bytes, object]]:
    """The FETCH answers for the UIDs asked for. A server may add unsolicited FETCH responses
    for other messages (flag changes, RFC 3501 section 7.4.2); those carry no UID we asked for."""
    asked = set(wanted)
    found = {}
    for uid, data in response.items():
        if isinstance(uid, int) and uid in asked and isinstance(data, dict):
            found[uid] = data
    return found


def _item(data: dict[bytes, object], start: bytes) -> object:
    """The value of the FETCH item whose name starts with `start`, whatever its spelling."""
    for key, value in data.items():
        if isinstance(key, bytes) and key.upper().startswith(start):
            return value
    return None


def _names(data: dict[bytes, object]) -> str:
    """The item names of a FETCH answer (protocol words, never mail content)."""
    return ", ".join(_text(k)[:40] for k in data if isinstance(k, bytes)) or "none"


_BYTES_REPR = re.compile(r"b(['\"])(.*)\1", re.DOTALL)


def _reason(err: BaseException) -> str:
    """A short reason for a message: the library's text (never holds mail or a secret here)."""
    if isinstance(err, OSError) and err.strerror:
        return str(err.strerror)
    if err.args and isinstance(err.args[0], bytes):  # imaplib passes the server's text as bytes
        return _text(err.args[0])
    # imapclient's LoginError holds str() of those bytes: "b'[AUTHENTICATIONFAILED] ...'".
    text = str(err)
    quoted = _BYTES_REPR.fullmatch(text)
    return (quoted.group(2) if quoted else text) or type(err).__name__


def _text(value: bytes | str) -> str:
    return value.decode("ascii", "replace") if isinstance(value, bytes) else value
