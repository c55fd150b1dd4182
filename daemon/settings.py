"""Settings from ALIWATCH_* environment variables and the env file (pydantic-settings)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from daemon.durations import parse_durations
from rules.policy import Policy


class Settings(BaseSettings):
    """All of aliwatch's settings; built once at start and passed down."""

    model_config = SettingsConfigDict(env_prefix="ALIWATCH_", extra="ignore")

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
            remind_before=self.remind_before,
        )

    # The state database (daemon/store); None: daemon.paths.default_db_path().
    db_path: Path | None = None

    @field_validator("db_path", mode="before")
    @classmethod
    def _path(cls, value: object) -> object:
        if isinstance(value, str):
            return Path(value.strip()).expanduser() if value.strip() else None
        return value

    # Deadlines are shown in this zone (IANA name, e.g. Europe/Berlin); None: the system's.
    timezone: str | None = None

    @field_validator("timezone", mode="before")
    @classmethod
    def _zone_name(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                ZoneInfo(value.strip())
            except (ZoneInfoNotFoundError, ValueError) as err:
                raise ValueError(f"{value!r} is not a time zone name like Europe/Berlin") from err
            return value.strip()
        return value

    def zone(self) -> tzinfo:
        """The zone deadlines are shown in."""
        if self.timezone:
            return ZoneInfo(self.timezone)
        return datetime.now().astimezone().tzinfo or UTC
