"""The email channel: each alert as a plain-text and HTML mail over SMTP with verified TLS."""

from __future__ import annotations

import hashlib
import smtplib
import socket
import ssl
from contextlib import suppress
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from aliwatch.daemon.alerts.channels.channel import ChannelError, Outgoing
from aliwatch.daemon.alerts.wording import html_body, subject, text_body
from aliwatch.daemon.config.errors import ConfigError
from aliwatch.daemon.config.network import is_loopback, tls_context, unverified
from aliwatch.daemon.config.secrets import SecretError, password
from aliwatch.daemon.config.views import SmtpSettings

# Lines up to RFC 5322's hard limit of 998: the stdlib folds a long subject that holds an
# encoded word ("—") with a space on both sides of the fold, which readers show as two.
_POLICY = SMTP.clone(max_line_length=998)


class EmailConfigError(ConfigError, ValueError):
    """The SMTP settings cannot be used: `none` security to a host that is not loopback, or
    ALIWATCH_ALERT_EMAIL_TO missing while ALIWATCH_SMTP_HOST is set."""


def message_id(key: str, to: str) -> str:
    """The same alert to the same address always has the same Message-ID: should a crash
    between sending and recording resend it, mail clients that collapse duplicates do."""
    digest = hashlib.sha256(f"{key}\n{to}".encode()).hexdigest()[:32]
    return f"<{digest}@aliwatch.invalid>"


class EmailChannel:
    """Sends to ALIWATCH_ALERT_EMAIL_TO through ALIWATCH_SMTP_HOST, one connection per send."""

    name = "email"

    def __init__(self, smtp: SmtpSettings) -> None:
        server = smtp.server
        if not server.host or not smtp.to:
            raise EmailConfigError(
                "email alerts need ALIWATCH_SMTP_HOST and ALIWATCH_ALERT_EMAIL_TO"
            )
        if server.security == "none" and not is_loopback(server.host):
            raise EmailConfigError(
                f"ALIWATCH_SMTP_SECURITY=none would send in clear text: refused for "
                f"{server.host}, which is not loopback; use ssl or starttls"
            )
        self.host: str = server.host
        self.port = server.port
        self.to: str = smtp.to
        self.sender = smtp.sender or server.user or self.to
        if "@" not in self.sender:
            self.sender = self.to
        self._server = server
        self._live: smtplib.SMTP | None = None  # the connection of a send in progress

    def abort(self) -> None:
        """Shut the socket of a send in progress: its next read fails at once (a stop must not
        wait ALIWATCH_SMTP_TIMEOUT for a server that accepts and never answers)."""
        live = self._live
        sock = getattr(live, "sock", None) if live is not None else None
        if sock is not None:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def describe(self) -> str:
        return f"{self.to} via {self.host}:{self.port} ({self._server.security})"

    def send(self, alert: Outgoing) -> None:
        self.send_message(self.compose(alert))

    def compose(self, alert: Outgoing) -> EmailMessage:
        """The alert mail; headers hold only our own words, cleaned of CR and LF."""
        message = EmailMessage(policy=_POLICY)
        message["From"] = f"aliwatch <{self.sender}>"
        message["To"] = self.to
        # Urgent as rules/urgency.py says, as the desktop and the console mark it: mail clients
        # show Importance (RFC 2156) and X-Priority; the subject says it in words.
        urgent = alert.decision.urgent_at(alert.now)
        title = subject(alert.decision, alert.zone, alert.now)
        message["Subject"] = f"[URGENT] {title}" if urgent else title
        message["Date"] = format_datetime(alert.now)
        message["Message-ID"] = message_id(alert.key, self.to)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
        message["X-Aliwatch-Rule"] = alert.decision.rule
        if urgent:
            message["Importance"] = "high"
            message["X-Priority"] = "1"
        message.set_content(text_body(alert.decision, alert.now, alert.zone))
        message.add_alternative(html_body(alert.decision, alert.now, alert.zone), subtype="html")
        return message

    def probe(self) -> str:
        """Log in to the SMTP server without sending."""
        self.check_login()
        return f"SMTP login ok, {self.describe()}"

    def check_login(self) -> None:
        """Connect, secure and log in without sending (`aliwatch check`); ChannelError if not."""
        self.send_message(None)

    def send_message(self, message: EmailMessage | None) -> None:
        """Connect, secure, log in (when a user is set), send; every failure is ChannelError.

        The messages name the server and the setting to change, without the channel's name
        (`aliwatch check` and the log put that in front).
        """
        where = f"{self.host}:{self.port}"
        server = self._server
        stage = "connect"  # how far it got: a failure while connecting reads differently
        try:
            secret = password(server.password) if server.user else None
            context = tls_context(server.ca_file)
            timeout = server.timeout
            if server.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(timeout=timeout, context=context)
            else:
                smtp = smtplib.SMTP(timeout=timeout)
            # Known before it connects, so abort() can break off a server that never greets.
            # smtplib verifies the certificate against _host, which only its constructor sets
            # when it connects at once (Lib/smtplib.py, SMTP.__init__ and starttls).
            smtp._host = self.host  # type: ignore[attr-defined] # a private attribute, see above
            self._live = smtp
            smtp.connect(self.host, self.port)
            stage = "connected"
            with smtp:
                if server.security == "starttls":
                    smtp.ehlo()
                    if not smtp.has_extn("starttls"):  # RFC 3207: offered in the EHLO reply
                        raise ChannelError(
                            f"{where} offers no STARTTLS (its EHLO reply does not list it): set "
                            "ALIWATCH_SMTP_SECURITY=ssl and ALIWATCH_SMTP_PORT to the server's "
                            "TLS port (usually 465); ALIWATCH_SMTP_SECURITY=none is allowed only "
                            "for a server on loopback"
                        )
                    smtp.starttls(context=context)
                if server.user and secret is not None:
                    smtp.login(server.user, secret)
                if message is not None:
                    smtp.send_message(message)
        except SecretError as err:
            raise ChannelError(str(err)) from None
        except (smtplib.SMTPException, OSError) as err:  # ssl.SSLError and timeouts included
            raise self._explain(err, connected=stage == "connected") from err
        finally:
            self._live = None

    def _explain(self, err: Exception, *, connected: bool) -> ChannelError:
        """The library's error as a sentence naming the server and the setting to change."""
        where, server = f"{self.host}:{self.port}", self._server
        if isinstance(err, smtplib.SMTPAuthenticationError):
            return ChannelError(
                f"{where} refused the login for {server.user}: {err.smtp_code}; check "
                "ALIWATCH_SMTP_USER and ALIWATCH_SMTP_PASSWORD"
            )
        if isinstance(err, ssl.SSLCertVerificationError):
            return ChannelError(
                f"{unverified(self.host, err)}; for a private CA set ALIWATCH_SMTP_CA_FILE"
            )
        if isinstance(err, socket.gaierror):
            # getaddrinfo(3) failed: the name does not resolve, or DNS is unreachable.
            return ChannelError(
                f"cannot resolve ALIWATCH_SMTP_HOST {self.host}: {_reason(err)}; check the "
                "name's spelling, and that this machine's DNS works"
            )
        if isinstance(err, ConnectionRefusedError):
            return ChannelError(
                f"{where} refused the connection (nothing listens on port {self.port}): check "
                "ALIWATCH_SMTP_PORT (587 with ALIWATCH_SMTP_SECURITY=starttls, 465 with ssl) "
                "and that the server runs"
            )
        return self._explain_transport(err, connected=connected)

    def _explain_transport(self, err: Exception, *, connected: bool) -> ChannelError:
        """TLS failures and timeouts; while connecting, the likely mix-up of port and security."""
        where, security = f"{self.host}:{self.port}", self._server.security
        timeout = self._server.timeout
        if isinstance(err, ssl.SSLError):
            hint = ""
            if security == "ssl" and not connected:
                hint = (
                    "; if that port speaks plain SMTP (587, 25), set "
                    "ALIWATCH_SMTP_SECURITY=starttls"
                )
            return ChannelError(f"TLS with {where} failed ({_reason(err)}){hint}")
        if isinstance(err, TimeoutError) and not connected:
            hint = ""
            if security != "ssl":
                hint = (
                    ": an implicit-TLS port (465) waits for TLS first, so set "
                    "ALIWATCH_SMTP_SECURITY=ssl there"
                )
            return ChannelError(
                f"{where} sent no greeting within ALIWATCH_SMTP_TIMEOUT ({timeout:g} s){hint}"
            )
        if isinstance(err, TimeoutError):
            return ChannelError(
                f"{where} did not answer within ALIWATCH_SMTP_TIMEOUT ({timeout:g} s)"
            )
        return ChannelError(f"sending through {where} failed: {type(err).__name__}: {_reason(err)}")


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    if isinstance(err, smtplib.SMTPResponseException):
        return f"{err.smtp_code}"
    return str(err)[:200]
