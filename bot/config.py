"""Settings, read once at start from the environment (prefix ``LINLI_``) or a ``.env`` file."""

from __future__ import annotations

from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Transport(StrEnum):
    AIOGRAM = "aiogram"
    PTB = "ptb"


class Settings(BaseSettings):
    """Everything an operator can set. Nothing else reads the environment."""

    model_config = SettingsConfigDict(env_prefix="LINLI_", env_file=".env", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, description="Token from @BotFather")
    database_url: str = Field(
        default="sqlite+aiosqlite:///linli.db",
        description="SQLAlchemy async URL; SQLite file by default, postgresql+asyncpg://… in production",
    )
    # PTB by default: a bare aiogram bot alone idles above 150 MB of RSS (pydantic models of every Bot API type).
    transport: Transport = Field(default=Transport.PTB, description="Which door drives the handlers")
    bot_api_url: str | None = Field(
        default=None, description="Base URL of a local Bot API server, e.g. http://127.0.0.1:8081"
    )
    timezone: str = Field(default="Asia/Shanghai", description="The community's time zone")
    default_language: str = Field(default="zh-Hans", description="Language for users Telegram gives none")
    community_name: str = Field(default="碧波路居民区", description="Name of the community created on first run")
    topic_answer_days: int = Field(default=3, ge=1, le=60, description="Days the committee has to answer")
    agenda_threshold: int = Field(default=20, ge=1, description="Supports that put a topic on the agenda")
    code_tries_per_hour: int = Field(default=5, ge=1, description="Wrong invite codes allowed per user per hour")
    flood_per_second: float = Field(default=30, gt=0, description="Messages per second overall (Telegram: ~30)")
    flood_chat_burst: int = Field(default=3, ge=1, description="Messages to one private chat per window")
    flood_chat_seconds: float = Field(default=3, gt=0, description="The window for flood_chat_burst (~1/s)")
    flood_group_per_minute: int = Field(default=20, ge=1, description="Messages to one group per minute")
    inbound_per_minute: int = Field(default=20, ge=1, description="Updates one user may send per minute")
    inbound_cooldown_seconds: float = Field(default=60, gt=0,
                                            description="How long a user over inbound_per_minute is ignored")
    inbox_retry_seconds: float = Field(default=5, gt=0,
                                       description="How often unhandled updates (e.g. after an outage) are retried")
    event_reminder_hours: str = Field(default="24,2",
                                      description="Reminders to those going, hours before an event starts")

    @field_validator("event_reminder_hours")
    @classmethod
    def _reminder_hours(cls, value: str) -> str:
        from core.events import parse_reminders

        parse_reminders(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """Accept plain ``postgresql://`` and ``sqlite://`` URLs and pick the async driver."""
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.split(":///", 1)[1]
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
