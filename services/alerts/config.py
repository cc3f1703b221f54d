"""Settings of the alerts service (environment prefix `SNT_ALERTS_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class AlertsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SNT_ALERTS_", frozen=True, extra="forbid")
    service_name: ClassVar[str] = "alerts"

    http_port: int = Field(default=8104, ge=1, le=65535, description="HTTP listen port")
    database_url: str = Field(
        default="sqlite:///var/alerts.db", description="SQLAlchemy URL of the alerts state database"
    )
    webhook_signing_key: SecretStr = Field(
        default=SecretStr("dev-only-webhook-signing-key"),
        description="HMAC key that signs outgoing webhook notifications",
    )
