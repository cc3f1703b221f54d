"""Settings of the kpi service (environment prefix `SNT_KPI_`)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ReadApiSettings


class KpiSettings(ReadApiSettings):
    model_config = SettingsConfigDict(env_prefix="SNT_KPI_", frozen=True, extra="forbid")
    service_name: ClassVar[str] = "kpi"

    http_port: int = Field(default=8102, ge=1, le=65535, description="HTTP listen port")
    database_url: str = Field(
        default="sqlite:///var/kpi.db", description="SQLAlchemy URL of the kpi state database"
    )
    consumer_group: str = Field(
        default="snt-kpi", min_length=1, description="Kafka consumer group of the count topics"
    )
    update_periods: tuple[
        Literal["fytd", "rolling_12m", "month", "rolling_28d", "week", "fortnight", "quarter"], ...
    ] = Field(
        default=("fytd", "rolling_12m", "month", "week"), min_length=1,
        description="Periods published as KPI updates (JSON list)",
    )  # fmt: skip
    update_interval_s: float = Field(
        default=5.0, gt=0, le=3600,
        description="Seconds between KPI update flushes (changes are coalesced between them)",
    )  # fmt: skip
    repeat_owner: Literal["most_recent", "first", "most_frequent"] = Field(
        default="most_recent",
        description="Which ward a repeat victim or caller belongs to: the ward of their most "
        "recent contact, their first, or their most frequent (ties: the most recent)",
    )
    repeat_victim_threshold: int = Field(
        default=2, ge=2, le=100, description="Crimes in 12 months that make a repeat victim"
    )
    repeat_caller_threshold: int = Field(
        default=3, ge=2, le=100, description="ASB calls in 12 months that make a repeat caller"
    )
