"""Subscription targets against the allow-list an administrator configures: a webhook's
scheme, host and port must match an allowed origin, loopback only when explicitly allowed;
an e-mail address must be at an allowed domain; a Kafka target must be an alerts topic."""

from __future__ import annotations

import pytest

from services.alerts.config import AlertsSettings
from services.alerts.targets import Origin, TargetPolicy
from shared.settings import SettingsError, load_settings

POLICY = TargetPolicy.of(["https://hooks.example.org", "https://*.police.example:8443",
                          "http://relay.example.org:8080"], ["example.org", "*.police.example"],
                         loopback=False)  # fmt: skip
LOOPBACK = TargetPolicy.of([], [], loopback=True)

CASES = [
    (POLICY, "webhook", "https://hooks.example.org/snt?x=1", None),
    (POLICY, "webhook", "https://HOOKS.example.org:443/snt", None),
    (POLICY, "webhook", "https://a.police.example:8443/", None),
    (POLICY, "webhook", "http://relay.example.org:8080/x", None),
    (POLICY, "webhook", "http://hooks.example.org/snt", "not an allowed webhook origin"),
    (POLICY, "webhook", "https://hooks.example.org:8443/", "not an allowed webhook origin"),
    (POLICY, "webhook", "https://police.example:8443/", "not an allowed webhook origin"),
    (POLICY, "webhook", "https://evil-police.example:8443/", "not an allowed webhook origin"),
    (POLICY, "webhook", "https://hooks.example.org.evil.example/", "not an allowed webhook"),
    (POLICY, "webhook", "https://hooks.example.org@evil.example/", "user name or password"),
    (POLICY, "webhook", "https://u:p@hooks.example.org/", "user name or password"),
    (POLICY, "webhook", "http://169.254.169.254/latest/", "not an allowed webhook origin"),
    (POLICY, "webhook", "http://2130706433/", "not an allowed webhook origin"),
    (POLICY, "webhook", "ftp://hooks.example.org/", "http or https"),
    (POLICY, "webhook", "hooks.example.org", "http or https"),
    (POLICY, "webhook", "https://hooks.example.org:99999/", "not a URL"),
    (POLICY, "webhook", "http://127.0.0.1:8104/", "this machine"),
    (POLICY, "webhook", "http://localhost/", "this machine"),
    (POLICY, "webhook", "http://[::1]:80/", "this machine"),
    (POLICY, "webhook", "http://0.0.0.0:8101/", "this machine"),
    (POLICY, "webhook", "http://[::ffff:127.0.0.1]/", "this machine"),
    (LOOPBACK, "webhook", "http://127.0.0.1:41234/hook", None),
    (LOOPBACK, "webhook", "http://localhost:8080/", None),
    (LOOPBACK, "webhook", "https://hooks.example.org/", "not an allowed webhook origin"),
    (POLICY, "email", "lead@example.org", None),
    (POLICY, "email", "Lead.Name@a.police.example", None),
    (POLICY, "email", "lead@evil.example", "not allowed"),
    (POLICY, "email", "lead@example.org.evil.example", "not allowed"),
    (POLICY, "email", "lead@police.example", "not allowed"),
    (POLICY, "email", "lead@example.org\nBcc: x@evil.example", "not an address"),
    (POLICY, "email", "not an address", "not an address"),
    (POLICY, "kafka", "snt.alerts.v1", None),
    (POLICY, "kafka", "snt.alerts.westminster.v2", None),
    (POLICY, "kafka", "snt.crime.v1", "alerts topic"),
    (POLICY, "kafka", "snt.alerts", "alerts topic"),
]


@pytest.mark.parametrize(("policy", "channel", "target", "problem"), CASES)
def test_targets_are_checked_against_the_allow_list(
    policy: TargetPolicy, channel: str, target: str, problem: str | None
) -> None:
    found = policy.problem(channel, target)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


@pytest.mark.parametrize("origin", ["hooks.example.org", "https://h.example/path",
                                    "gopher://h.example", "https://u@h.example"])  # fmt: skip
def test_a_bad_origin_is_refused(origin: str) -> None:
    with pytest.raises(ValueError, match="origin"):
        Origin.parse(origin)


def test_the_allow_list_is_read_from_settings_and_checked_at_start_up() -> None:
    env = {"SNT_ALERTS_WEBHOOK_ORIGINS": '["https://hooks.example.org"]',
           "SNT_ALERTS_EMAIL_DOMAINS": '["example.org"]'}  # fmt: skip
    policy = load_settings(AlertsSettings, env).targets()
    assert policy.problem("webhook", "https://hooks.example.org/x") is None
    assert policy.problem("webhook", "http://127.0.0.1/") is not None  # loopback off by default
    with pytest.raises(SettingsError, match="WEBHOOK_ORIGINS"):
        load_settings(AlertsSettings, {"SNT_ALERTS_WEBHOOK_ORIGINS": '["hooks.example.org"]'})
