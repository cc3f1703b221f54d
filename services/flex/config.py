"""Settings of the flex service (environment prefix `SNT_FLEX_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class FlexSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SNT_FLEX_", frozen=True, extra="forbid")
    service_name: ClassVar[str] = "flex"

    http_port: int = Field(default=8103, ge=1, le=65535, description="HTTP listen port")
    database_url: str = Field(
        default="sqlite:///var/flex.db", description="SQLAlchemy URL of the flex state database"
    )
