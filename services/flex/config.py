"""Settings of the flex service (environment prefix `SNT_FLEX_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ReadApiSettings


class FlexSettings(ReadApiSettings):
    model_config = SettingsConfigDict(env_prefix="SNT_FLEX_", frozen=True, extra="forbid")
    service_name: ClassVar[str] = "flex"

    http_port: int = Field(default=8103, ge=1, le=65535, description="HTTP listen port")
    database_url: str = Field(
        default="sqlite:///var/flex.db", description="SQLAlchemy URL of the flex state database"
    )
    consumer_group: str = Field(
        default="snt-flex", min_length=1,
        description="Kafka consumer group of the duty and KPI update topics",
    )  # fmt: skip
    update_interval_s: float = Field(
        default=5.0, gt=0, le=3600,
        description="Seconds between publishing flex updates, exceptions and KPI 9",
    )  # fmt: skip
    abstraction_threshold: float = Field(
        default=0.15, gt=0, lt=1,
        description="Share of a ward's planned SN hours abstracted in a month that raises an "
        "exception",
    )  # fmt: skip
    repeated_flex_days: int = Field(
        default=3, ge=1, le=31,
        description="Days in a month with officers flexed out, while the ward's crime KPIs "
        "breach, that raise an exception",
    )  # fmt: skip
