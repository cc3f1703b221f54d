"""Settings base shared by every service: frozen, env-prefixed, strict, fail-fast.

Each service declares ``<Name>Settings(ServiceSettings)`` with its own ``env_prefix``
(``SNT_INGEST_``, ``SNT_KPI_`` ...). ``load_settings`` is the only way to build one: it
rejects unknown variables carrying the service's prefix (a typo never silently falls back
to a default) and refuses placeholder secrets outside the ``dev`` environment.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder", "insecure", "dev-only", "example")


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class SettingsError(RuntimeError):
    """Raised at start-up when the configuration cannot be used; the message says why."""


class StrictSettings(BaseSettings):
    """Frozen settings read only from an explicit environment mapping (see load_settings)."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid", env_prefix="SNT_")

    service_name: ClassVar[str] = "snt"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment is read explicitly by ``load_settings`` (so it can be checked
        # for unknown keys and passed in by tests); no hidden sources.
        return (init_settings,)

    @classmethod
    def env_prefix(cls) -> str:
        return str(cls.model_config.get("env_prefix", ""))

    def secret_fields(self) -> dict[str, SecretStr]:
        return {
            name: value
            for name in type(self).model_fields
            if isinstance(value := getattr(self, name), SecretStr)
        }


class ServiceSettings(StrictSettings):
    """Settings every service has. Subclasses set ``model_config`` with their env prefix."""

    service_name: ClassVar[str] = "service"

    environment: Environment = Field(
        default=Environment.DEV, description="dev, test or prod; placeholder secrets only in dev"
    )
    kafka_bootstrap: str = Field(
        default="127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated"
    )
    kafka_fetch_max_wait_ms: int = Field(
        default=500, ge=1, le=10_000, description="Consumer fetch long-poll wait (ms)"
    )
    database_url: str = Field(
        default="sqlite:///var/snt.db", description="SQLAlchemy URL of the service's own database"
    )
    auth_database_url: str = Field(
        default="sqlite:///var/auth.db", description="SQLAlchemy URL of the API token database"
    )
    redis_url: str | None = Field(
        default=None, description="Redis URL for the hot read model (distributed mode); unset = off"
    )
    http_host: str = Field(default="127.0.0.1", description="HTTP listen address")
    http_port: int = Field(default=8000, ge=1, le=65535, description="HTTP listen port")
    log_level: str = Field(
        default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$", description="Log level"
    )
    log_json: bool = Field(default=True, description="Structured JSON logs (false: plain text)")


class ReadApiSettings(ServiceSettings):
    """Settings of a service whose read API takes dates (``as_of``, ``day``, ``month``...)."""

    earliest_date: date = Field(
        default=date(2000, 1, 1), ge=date(2000, 1, 1),
        description="Earliest date a query may name (not before 2000-01-01, the first day "
        "figures are kept for); earlier: 422 date_out_of_range",
    )  # fmt: skip
    days_ahead: int = Field(
        default=366, ge=0, le=3660,
        description="How many days past today a query date may be; later: 422 "
        "date_out_of_range",
    )  # fmt: skip


def _unknown_keys(cls: type[StrictSettings], environ: Mapping[str, str]) -> list[str]:
    prefix = cls.env_prefix().upper()
    known = {prefix + name.upper() for name in cls.model_fields}
    return sorted(k for k in environ if k.upper().startswith(prefix) and k.upper() not in known)


def _placeholder_secrets(settings: StrictSettings) -> list[str]:
    bad = []
    for name, secret in settings.secret_fields().items():
        value = secret.get_secret_value().lower()
        if len(value) < 16 or any(marker in value for marker in PLACEHOLDER_MARKERS):
            bad.append(type(settings).env_prefix() + name.upper())
    return bad


S = TypeVar("S", bound=StrictSettings)


def load_settings(cls: type[S], environ: Mapping[str, str] | None = None, **overrides: Any) -> S:
    """Build ``cls`` from the environment (and explicit overrides), or raise SettingsError."""
    env = os.environ if environ is None else environ
    unknown = _unknown_keys(cls, env)
    if unknown:
        raise SettingsError(f"{cls.service_name}: unknown setting(s) {', '.join(unknown)}")
    try:
        settings = cls(**{**_from_env(cls, env), **overrides})
    except ValidationError as exc:
        problems = "; ".join(_describe(cls, err) for err in exc.errors())
        raise SettingsError(f"{cls.service_name}: invalid settings: {problems}") from exc
    weak = _placeholder_secrets(settings)
    environment = getattr(settings, "environment", Environment.DEV)
    if weak and environment is not Environment.DEV:
        raise SettingsError(
            f"{cls.service_name}: placeholder or short secret in {', '.join(weak)} "
            f"(environment={environment.value}); set a real secret of 16+ characters"
        )
    return settings


def _from_env(cls: type[StrictSettings], environ: Mapping[str, str]) -> dict[str, Any]:
    upper = {k.upper(): v for k, v in environ.items()}
    values: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        raw = upper.get(cls.env_prefix().upper() + name.upper())
        if raw is None:
            continue
        complex_type = getattr(field.annotation, "__origin__", None) in (dict, list, tuple)
        values[name] = json.loads(raw) if complex_type else raw
    return values


def _describe(cls: type[StrictSettings], err: Any) -> str:
    field = ".".join(str(p) for p in err.get("loc", ())) or "?"
    return f"{cls.env_prefix()}{field.upper()}: {err.get('msg', 'invalid')}"


__all__ = [
    "Environment",
    "ReadApiSettings",
    "ServiceSettings",
    "SettingsError",
    "StrictSettings",
    "load_settings",
]
