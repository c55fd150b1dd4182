"""Settings from ALIWATCH_* environment variables and the env file (pydantic-settings)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from aliwatch.daemon.config import envfile
from aliwatch.daemon.config.durations import parse_durations
from aliwatch.daemon.config.secrets import CREDENTIAL_NAME, SMTP_CREDENTIAL_NAME, PasswordSource
from aliwatch.daemon.config.views import ImapSettings, Security, Server, SmtpSettings
from aliwatch.rules.policy import Policy

PREFIX = "ALIWATCH_"


class Settings(BaseSettings):
    """All of aliwatch's settings; built once at start and passed down."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then the env file (`_env_file=`) read as systemd's
        EnvironmentFile= reads it (daemon/config/envfile.py), not in python-dotenv's dialect."""
        env_file = (
            dotenv_settings.env_file if isinstance(dotenv_settings, DotEnvSettingsSource) else None
        )
        path = Path(env_file) if isinstance(env_file, str | Path) else None
        return init_settings, env_settings, _SystemdEnvFile(settings_cls, path)

    # Authentication-Results headers to believe, by authserv-id (RFC 8601 section 2.5). Empty:
    # only the topmost header, the one the user's own provider added.
    trusted_authserv_ids: Annotated[frozenset[str], NoDecode] = frozenset()

    @field_validator("trusted_authserv_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip().lower() for part in value.split(",") if part.strip())
        return value

    # Timing rules (docs/aliexpress-mail.md, "Timing rules"); a date stated in a mail wins.
    protection_days: Annotated[int, Field(ge=1, le=365)] = 90
    dispute_window_days: Annotated[int, Field(ge=1, le=90)] = 15
    cancel_decision_days: Annotated[int, Field(ge=1, le=60)] = 9
    seller_reply_days: Annotated[int, Field(ge=1, le=60)] = 5
    shipping_days: Annotated[int, Field(ge=1, le=90)] = 7
    stall_days: Annotated[int, Field(ge=1, le=180)] = 20
    refund_days: Annotated[int, Field(ge=1, le=180)] = 20
    return_days: Annotated[int, Field(ge=1, le=60)] = 10
    dispute_quiet_days: Annotated[int, Field(ge=1, le=30)] = 3
    remind_before: Annotated[tuple[timedelta, ...], NoDecode] = Policy().remind_before

    @field_validator("remind_before", mode="before")
    @classmethod
    def _durations(cls, value: object) -> object:
        return parse_durations(value) if isinstance(value, str) else value

    def policy(self) -> Policy:
        """The pure rules' view of these settings."""
        return Policy(
            protection_days=self.protection_days,
            dispute_window_days=self.dispute_window_days,
            cancel_decision_days=self.cancel_decision_days,
            seller_reply_days=self.seller_reply_days,
            shipping_days=self.shipping_days,
            stall_days=self.stall_days,
            refund_days=self.refund_days,
            return_days=self.return_days,
            dispute_quiet_days=self.dispute_quiet_days,
            remind_before=self.remind_before,
        )

    # The state database (daemon/store); None: daemon.config.paths.default_db_path().
    db_path: Path | None = None

    # Deadlines are shown in this zone (IANA name, e.g. Europe/Berlin); None: the system's.
    timezone: str | None = None

    @field_validator("timezone", mode="before")
    @classmethod
    def _zone_name(cls, value: object) -> object:
        if isinstance(value, str):
            return zone_name(value.strip()) if value.strip() else None
        return value

    def zone(self) -> tzinfo:
        """The zone deadlines are shown in."""
        if self.timezone:
            return ZoneInfo(self.timezone)
        return datetime.now().astimezone().tzinfo or UTC

    # The daemon: a local mailbox read like IMAP (what `make demo` uses), how often
    # to poll when IDLE is absent, and the log format.
    maildir: Path | None = None
    poll_seconds: Annotated[float, Field(ge=5, le=86400)] = 300
    log_format: Literal["json", "console"] | None = None
    # IDLE is re-issued at least this often (RFC 2177: servers may drop it after 29 minutes).
    idle_seconds: Annotated[float, Field(ge=10, le=1740)] = 1500

    # -- IMAP (daemon/sources/imap, daemon/config/secrets.py) ---------------------------------
    # The mailbox server; certificates are always verified, against ALIWATCH_IMAP_CA_FILE when
    # set (a private CA), else the system's trust store. `none` is refused unless the host is
    # loopback. The port defaults by security: 993 for ssl, 143 for starttls and none.
    imap_host: str | None = None
    imap_port: Annotated[int, Field(ge=1, le=65535)] | None = None
    imap_user: str | None = None
    imap_security: Security = "ssl"
    imap_ca_file: Path | None = None
    # The password: this value, else the file, else the command's output, else the systemd
    # credential `imap-password`. XOAUTH2 instead when the token command is set.
    imap_password: SecretStr | None = None
    imap_password_file: Path | None = None
    imap_password_command: str | None = None
    imap_oauth2_token_command: str | None = None
    # Seconds to wait for the server to connect or answer (a dead connection is noticed).
    imap_timeout: Annotated[float, Field(gt=0, le=3600)] = 60.0
    # Folders to examine read-only, comma-separated (Gmail: `[Gmail]/All Mail`).
    imap_folders: Annotated[tuple[str, ...], NoDecode] = ("INBOX",)
    # How far back the first sync (and a rescan after a UIDVALIDITY change) looks.
    backfill_days: Annotated[int, Field(ge=1, le=36500)] = 365

    @field_validator("imap_folders", mode="before")
    @classmethod
    def _folders(cls, value: object) -> object:
        if isinstance(value, str):
            folders = tuple(dict.fromkeys(part.strip() for part in value.split(",")))
            return tuple(f for f in folders if f) or ("INBOX",)
        return value

    def imap_port_or_default(self) -> int:
        """The IMAP port: the one set, else 993 for ssl and 143 for starttls and none."""
        if self.imap_port is not None:
            return self.imap_port
        return 993 if self.imap_security == "ssl" else 143

    # -- Alert channels (daemon/alerts) ------------------------------------------------------
    # Email: sent when ALIWATCH_SMTP_HOST and ALIWATCH_ALERT_EMAIL_TO are set. Certificates are
    # always verified (ALIWATCH_SMTP_CA_FILE for a private CA); `none` only to a loopback host.
    # The port defaults by security: 465 for ssl, 587 for starttls, 25 for none.
    smtp_host: str | None = None
    smtp_port: Annotated[int, Field(ge=1, le=65535)] | None = None
    smtp_security: Security = "starttls"
    smtp_ca_file: Path | None = None
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_password_file: Path | None = None
    smtp_password_command: str | None = None
    smtp_timeout: Annotated[float, Field(gt=0, le=3600)] = 30.0
    alert_email_to: str | None = None
    alert_email_from: str | None = None
    # Desktop notifications on the session bus: auto (on when a session bus is reachable), or
    # on/off in any of systemd's boolean words (parse_boolean).
    desktop_notify: Literal["auto", "on", "off"] = "auto"

    @field_validator("desktop_notify", mode="before")
    @classmethod
    def _auto_or_boolean(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() != "auto":
            return "on" if parse_boolean(value, "auto, on or off") else "off"
        return value.strip().lower() if isinstance(value, str) else value

    # Apprise URLs, comma-separated (ntfy://, tgram://, matrix://, pover://...): pip extra
    # aliwatch[apprise]. They hold secrets: never logged.
    apprise_urls: Annotated[tuple[SecretStr, ...], NoDecode] = ()
    # Quiet hours in local time, "22:00-08:00" read as (22:00, 08:00): ordinary alerts wait;
    # urgent ones break through.
    quiet_hours: Annotated[tuple[time, time] | None, NoDecode] = None
    # A daily digest at this local time ("08:00"); unset: no digest.
    digest_at: time | None = None
    # Alert when no mailbox check has succeeded for this long (once per outage).
    stale_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 6.0

    @field_validator("apprise_urls", mode="before")
    @classmethod
    def _urls(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(SecretStr(u.strip()) for u in value.split(",") if u.strip())
        return value

    @field_validator("alert_email_to", "alert_email_from")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        # One plain address: a CR, LF or comma here would let a setting add recipients or headers.
        if value is not None and (any(c in value for c in '\r\n,;<>"') or "@" not in value):
            raise ValueError(f"{value!r} is not one plain email address like you@example.org")
        return value

    def smtp_port_or_default(self) -> int:
        """The SMTP port: the one set, else 465 for ssl, 587 for starttls, 25 for none."""
        if self.smtp_port is not None:
            return self.smtp_port
        return {"ssl": 465, "starttls": 587, "none": 25}[self.smtp_security]

    # -- Views for the adapters (daemon/config/views.py) -------------------------------------

    def imap(self) -> ImapSettings:
        """The IMAP source's and sessions' view of these settings."""
        return ImapSettings(
            server=self._server("IMAP"),
            oauth2_token_command=self.imap_oauth2_token_command,
            folders=self.imap_folders,
            backfill_days=self.backfill_days,
            poll_seconds=self.poll_seconds,
            idle_seconds=self.idle_seconds,
        )

    def smtp(self) -> SmtpSettings:
        """The email channel's view of these settings."""
        return SmtpSettings(
            server=self._server("SMTP"), to=self.alert_email_to, sender=self.alert_email_from
        )

    def _server(self, service: Literal["IMAP", "SMTP"]) -> Server:
        """The server IMAP or SMTP settings describe: both name their settings alike."""
        imap = service == "IMAP"
        timeout = self.imap_timeout if imap else self.smtp_timeout
        return Server(
            host=self.imap_host if imap else self.smtp_host,
            port=self.imap_port_or_default() if imap else self.smtp_port_or_default(),
            security=self.imap_security if imap else self.smtp_security,
            ca_file=self.imap_ca_file if imap else self.smtp_ca_file,
            timeout=timeout,
            user=self.imap_user if imap else self.smtp_user,
            password=PasswordSource(
                service,
                value=self.imap_password if imap else self.smtp_password,
                file=self.imap_password_file if imap else self.smtp_password_file,
                command=self.imap_password_command if imap else self.smtp_password_command,
                credential=CREDENTIAL_NAME if imap else SMTP_CREDENTIAL_NAME,
                timeout=timeout,
            ),
        )

    # -- Text read into the fields above ------------------------------------------------------

    @field_validator(
        "imap_host",
        "imap_port",
        "imap_user",
        "imap_password_command",
        "imap_oauth2_token_command",
        "smtp_host",
        "smtp_user",
        "smtp_password_command",
        "alert_email_to",
        "alert_email_from",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return _unset_if_blank(value)

    @field_validator(
        "db_path",
        "imap_ca_file",
        "imap_password_file",
        "smtp_ca_file",
        "smtp_password_file",
        mode="before",
    )
    @classmethod
    def _path(cls, value: object) -> object:
        text = _unset_if_blank(value)
        return Path(text).expanduser() if isinstance(text, str) else text

    @field_validator("quiet_hours", "digest_at", mode="before")
    @classmethod
    def _local_time(cls, value: object, info: ValidationInfo) -> object:
        text = _unset_if_blank(value)
        if not isinstance(text, str):
            return text
        return parse_quiet_hours(text) if info.field_name == "quiet_hours" else parse_clock(text)

    @field_validator("imap_security", "smtp_security", mode="before")
    @classmethod
    def _lower_word(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


def _unset_if_blank(value: object) -> object:
    """Text without the white space around it, None when that leaves nothing (`VAR=` in the
    env file unsets a setting); any other value as it is."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def parse_clock(text: str) -> time:
    """ "08:00", "8:00" or "8" -> 08:00; ValueError naming the expected form otherwise."""
    try:
        hours, colon, minutes = text.strip().partition(":")
        if not hours.isdigit() or (colon and not minutes.isdigit()):
            raise ValueError(text)  # one message below for every malformed form
        return time(int(hours), int(minutes or 0))
    except ValueError as err:
        raise ValueError(f"{text.strip()!r} is not a time of day like 08:00") from err


def parse_quiet_hours(text: str) -> tuple[time, time]:
    """ "22:00-08:00" (or "22-8") -> (22:00, 08:00); the span may cross midnight, not be empty."""
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(f"{text.strip()!r} is not a span like 22:00-08:00")
    span = parse_clock(start), parse_clock(end)
    if span[0] == span[1]:
        raise ValueError(
            f"{text.strip()!r} starts and ends at the same time, so it is not clear whether "
            "quiet hours last all day or never; give a span like 22:00-08:00, or leave it "
            "empty for none"
        )
    return span


# systemd's boolean words (parse_boolean, src/basic/parse-util.c), in any case.
_TRUE = frozenset({"1", "yes", "y", "true", "t", "on"})
_FALSE = frozenset({"0", "no", "n", "false", "f", "off"})


def parse_boolean(text: str, expected: str = "on or off") -> bool:
    """ "yes", "1", "true", "on" (any case) -> True; "no", "0", "false", "off" -> False."""
    word = text.strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ValueError(f"{text.strip()!r} is not {expected} (or yes/no, true/false, 1/0)")


def zone_name(text: str) -> str:
    """The IANA name `text` spells in any case ("europe/berlin" -> "Europe/Berlin")."""
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    else:
        return text
    found = _zones().get(text.lower())
    if found is None:
        raise ValueError(f"{text!r} is not a time zone name like Europe/Berlin or UTC")
    return found


@cache
def _zones() -> dict[str, str]:
    """Every IANA zone name this system knows, by its lowercase spelling."""
    return {name.lower(): name for name in available_timezones()} | {"utc": "UTC"}


class _SystemdEnvFile(PydanticBaseSettingsSource):
    """The settings an env file sets, read as systemd's EnvironmentFile= reads it."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self.path = path

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: __call__ reads the whole file at once."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        found: dict[str, Any] = {}
        for name, value in envfile.read(self.path).items():
            # Case-insensitive, as pydantic-settings reads the environment.
            field = name[len(PREFIX) :].lower()
            if name.upper().startswith(PREFIX) and field in self.settings_cls.model_fields:
                found[field] = value
        return found
