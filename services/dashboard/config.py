"""Settings of the dashboard service (environment prefix `SNT_DASHBOARD_`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ReadApiSettings


class DashboardSettings(ReadApiSettings):
    model_config = SettingsConfigDict(env_prefix="SNT_DASHBOARD_", frozen=True, extra="forbid")
    service_name: ClassVar[str] = "dashboard"

    database_url: str = Field(
        default="sqlite:///var/dashboard.db",
        description="Not used: the dashboard keeps no state of its own (it reads the kpi, flex "
        "and alerts APIs and the token database)",
    )  # fmt: skip
    http_port: int = Field(default=8105, ge=1, le=65535, description="HTTP listen port")
    kpi_url: str = Field(default="http://127.0.0.1:8102", description="Base URL of the kpi API")
    flex_url: str = Field(default="http://127.0.0.1:8103", description="Base URL of the flex API")
    alerts_url: str = Field(
        default="http://127.0.0.1:8104", description="Base URL of the alerts API"
    )
    upstream_timeout_s: float = Field(
        default=30.0, gt=0, le=300, description="Timeout of one call to a kpi, flex or alerts API"
    )
    live_queue_size: int = Field(
        default=500, ge=10, le=100_000,
        description="Live updates held per open page before it is told to reload its figures",
    )  # fmt: skip
    attention_limit: int = Field(
        default=10, ge=1, le=1_000,
        description="Areas an attention panel lists (most significant first) before \"and N "
        "more\"",
    )  # fmt: skip
    clusters_file: str | None = Field(
        default=None,
        description="TOML file of ward clusters (shared/reference/clusters.example.toml) for "
        "the borough → cluster → ward drill-down; unset = no cluster level",
    )  # fmt: skip
