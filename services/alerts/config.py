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
    consumer_group: str = Field(
        default="snt-alerts", min_length=1,
        description="Kafka consumer group of the KPI update and flex exception topics",
    )  # fmt: skip
    group_interval_s: float = Field(
        default=60.0, ge=0, le=86_400,
        description="Notices to one recipient and borough are bundled over this many seconds "
        "(0: sent at once)",
    )  # fmt: skip
    tick_interval_s: float = Field(
        default=30.0, gt=0, le=3600,
        description="Seconds between clock ticks (pending alerts fire, repeats, escalation)",
    )  # fmt: skip
    clusters_file: str | None = Field(
        default=None,
        description="TOML file of ward clusters (shared/reference/clusters.example.toml) for "
        "routing ward alerts to cluster inspectors; none: no cluster routing",
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for email notices")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP port")
    smtp_from: str = Field(
        default="snt-alerts@localhost", description="Sender address of email notices"
    )
