"""Settings of the ingest service (environment prefix `SNT_INGEST_`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from pydantic import AwareDatetime, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SNT_INGEST_", frozen=True, extra="forbid")
    service_name: ClassVar[str] = "ingest"

    http_port: int = Field(default=8101, ge=1, le=65535, description="HTTP listen port")
    database_url: str = Field(
        default="sqlite:///var/ingest.db", description="SQLAlchemy URL of the ingest state database"
    )
    pseudonymisation_key: SecretStr = Field(
        default=SecretStr("dev-only-pseudonymisation-key"),
        description="Key of the keyed hash that replaces victim, caller and officer ids",
    )
    max_event_bytes: int = Field(
        default=65_536,
        ge=1024,
        le=16_777_216,
        description="Largest accepted event (bytes); larger ones are rejected as oversized",
    )
    earliest_event_time: AwareDatetime = Field(
        default=datetime(2000, 1, 1, tzinfo=UTC),
        description="Earliest occurred_at / recorded_at a live event may carry (with offset)",
    )
    hours_ahead: float = Field(
        default=24, ge=0, le=24 * 31,
        description="How far past the receiving clock a live event's occurred_at / recorded_at "
        "may be (hours)",
    )  # fmt: skip
    outbox_batch: int = Field(
        default=1000, ge=1, le=50_000, description="Events the outbox relay publishes per round"
    )
    consumer_group: str = Field(
        default="snt-ingest", min_length=1, description="Kafka consumer group of the raw topics"
    )
