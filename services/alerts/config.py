"""Settings of the alerts service (environment prefix `SNT_ALERTS_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from services.alerts.domain.routing import Budget
from services.alerts.targets import Origin, TargetPolicy
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
        default=300.0, ge=0, le=86_400,
        description="Pushed notices to one recipient, borough and rule: at most one message "
        "this often (0: sent at once)",
    )  # fmt: skip
    group_wait_s: float | None = Field(
        default=None, ge=0, le=3600,
        description="A new push group waits this long to gather its notices (none: the group "
        "interval, at most 30 s)",
    )  # fmt: skip
    digest_hour: int = Field(
        default=7, ge=0, le=23,
        description="Hour (Europe/London) of each recipient's daily digest of notices below "
        "their push severity",
    )  # fmt: skip
    daily_cap: int = Field(
        default=10, ge=1, le=1000,
        description="Notices a recipient gets a day at most (critical ones always); the rest "
        "are counted as 'N more on the dashboard'",
    )  # fmt: skip
    history_wait_s: float = Field(
        default=60.0, ge=0, le=86_400,
        description="A load of history is summed up once no more has arrived for this long",
    )  # fmt: skip
    page_size: int = Field(
        default=12, ge=1, le=500,
        description="Alerts a dashboard page shows at most (the rest as 'and N more')",
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

    def budget(self) -> Budget:
        wait = min(self.group_interval_s, 30.0) if self.group_wait_s is None else self.group_wait_s
        return Budget(wait, self.group_interval_s, self.digest_hour, self.daily_cap,
                      self.history_wait_s)  # fmt: skip

    webhook_origins: tuple[str, ...] = Field(
        default=(),
        description="Where webhook subscriptions may post, as a JSON list of origins "
        "scheme://host[:port] (e.g. [\"https://hooks.met.police.uk\"]; a host *.example.org "
        "allows its subdomains); none: webhooks only to this machine, if allowed below",
    )  # fmt: skip
    webhook_loopback: bool = Field(
        default=False,
        description="Also allow webhooks to this machine (localhost, 127.0.0.0/8, ::1) on any "
        "port: for single-machine stacks and tests; never in production",
    )  # fmt: skip
    email_domains: tuple[str, ...] = Field(
        default=(),
        description="Domains e-mail subscriptions may send to, as a JSON list (e.g. "
        "[\"met.police.uk\"]; *.example.org allows its subdomains); none: no e-mail "
        "subscription",
    )  # fmt: skip

    @field_validator("webhook_origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            Origin.parse(origin)  # ValueError: refused at start-up, with the origin named
        return value

    def targets(self) -> TargetPolicy:
        """The allow-list that subscriptions' targets are checked against."""
        return TargetPolicy.of(self.webhook_origins, self.email_domains, self.webhook_loopback)

    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for email notices")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP port")
    smtp_from: str = Field(
        default="snt-alerts@localhost", description="Sender address of email notices"
    )
