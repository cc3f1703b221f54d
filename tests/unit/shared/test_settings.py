from __future__ import annotations

import pytest

from services.alerts.config import AlertsSettings
from services.flex.config import FlexSettings
from services.ingest.config import IngestSettings
from services.kpi.config import KpiSettings
from shared.settings import Environment, ServiceSettings, SettingsError, load_settings

STRONG = "k3y-" + "x" * 40
ALL = [IngestSettings, KpiSettings, FlexSettings, AlertsSettings]


@pytest.mark.parametrize("cls", ALL)
def test_defaults_load_in_dev(cls: type[ServiceSettings]) -> None:
    settings = load_settings(cls, {})
    assert settings.environment is Environment.DEV
    assert settings.env_prefix() == f"SNT_{settings.service_name.upper()}_"


def test_values_come_from_the_prefixed_environment() -> None:
    settings = load_settings(
        KpiSettings,
        {"SNT_KPI_HTTP_PORT": "9000", "SNT_KPI_LOG_JSON": "false", "SNT_INGEST_HTTP_PORT": "1"},
    )
    assert settings.http_port == 9000
    assert settings.log_json is False


def test_settings_are_frozen() -> None:
    settings = load_settings(KpiSettings, {})
    with pytest.raises(Exception, match="frozen"):
        settings.http_port = 1  # type: ignore[misc]


def test_unknown_prefixed_variable_is_refused() -> None:
    with pytest.raises(SettingsError, match=r"unknown setting.*SNT_KPI_HTTP_PROT"):
        load_settings(KpiSettings, {"SNT_KPI_HTTP_PROT": "9000"})


def test_invalid_value_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="SNT_FLEX_HTTP_PORT: Input should be a valid integer"):
        load_settings(FlexSettings, {"SNT_FLEX_HTTP_PORT": "eighty"})


def test_out_of_range_value_is_refused() -> None:
    with pytest.raises(SettingsError, match="SNT_FLEX_HTTP_PORT"):
        load_settings(FlexSettings, {"SNT_FLEX_HTTP_PORT": "70000"})


@pytest.mark.parametrize(
    ("cls", "secret"),
    [
        (IngestSettings, "SNT_INGEST_PSEUDONYMISATION_KEY"),
        (AlertsSettings, "SNT_ALERTS_WEBHOOK_SIGNING_KEY"),
    ],
)
@pytest.mark.parametrize("environment", ["test", "prod"])
def test_placeholder_secret_refused_outside_dev(
    cls: type[ServiceSettings], secret: str, environment: str
) -> None:
    prefix = cls.env_prefix()
    with pytest.raises(SettingsError, match=f"placeholder or short secret in {secret}"):
        load_settings(cls, {prefix + "ENVIRONMENT": environment})
    with pytest.raises(SettingsError, match=secret):
        load_settings(cls, {prefix + "ENVIRONMENT": environment, secret: "short"})
    settings = load_settings(cls, {prefix + "ENVIRONMENT": environment, secret: STRONG})
    assert settings.environment.value == environment


def test_secret_is_not_shown_in_repr() -> None:
    settings = load_settings(
        IngestSettings,
        {"SNT_INGEST_ENVIRONMENT": "prod", "SNT_INGEST_PSEUDONYMISATION_KEY": STRONG},
    )
    assert STRONG not in repr(settings)
    assert STRONG not in str(settings.model_dump())
