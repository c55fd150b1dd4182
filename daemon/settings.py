"""Settings from ALIWATCH_* environment variables and the env file (pydantic-settings)."""

from __future__ import annotations

from typing import Annotated

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


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
