"""What `snt status` says about lag: read from each service's /metrics.

Per service and consumer group, each topic's lag (records past the applied position, summed
over partitions, and the largest lag in seconds); ingest's outbox (events stored and not yet
published, and the oldest one's age); alerts' notices due and not yet sent. A line is
"behind" past the stack's thresholds (``SNT_STACK_BEHIND_EVENTS``, ``SNT_STACK_BEHIND_S``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families

from snt.claim import read_state
from snt.config import StackSettings

Samples = dict[str, list[tuple[dict[str, str], float]]]
"""Metric name → (labels, value) of each sample."""


@dataclass(frozen=True)
class LagLine:
    service: str
    what: str
    events: int
    seconds: float
    behind: bool
    detail: str


def stack_lag(settings: StackSettings) -> list[LagLine]:
    """The lag lines of the running embedded stack's services."""
    state = read_state(settings) or {}
    urls = {name: info["url"] for name, info in state.get("services", {}).items() if info["url"]}
    return lag_lines(urls, settings.behind_events, settings.behind_s)


def read_metrics(url: str, timeout_s: float = 5.0) -> Samples:
    reply = httpx.get(f"{url}/metrics", timeout=timeout_s)
    reply.raise_for_status()
    samples: Samples = {}
    for family in text_string_to_metric_families(reply.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return samples


def lag_lines(urls: Mapping[str, str], behind_events: int, behind_s: float) -> list[LagLine]:
    """The lag lines of every service in ``urls`` (name → base URL) that answers."""
    lines: list[LagLine] = []
    for name, url in urls.items():
        try:
            samples = read_metrics(url)
        except httpx.HTTPError:
            continue  # the health rows already say the service does not answer
        lines += service_lines(name, samples, behind_events, behind_s)
    return lines


def service_lines(
    service: str, samples: Samples, behind_events: int, behind_s: float
) -> list[LagLine]:
    def line(what: str, events: float, seconds: float, detail: str) -> LagLine:
        late = events > behind_events or seconds > behind_s
        return LagLine(service, what, int(events), seconds, late, detail)

    out = [
        line(f"{group} {topic}", n, s, f"{int(n):,} events, {s:,.1f} s behind the log")
        for (group, topic), (n, s) in _topics(service, samples).items()
    ]
    backlog = _value(samples, f"snt_{service}_outbox_backlog")
    if backlog is not None:
        age = _value(samples, f"snt_{service}_outbox_oldest_age_seconds") or 0.0
        text = f"{int(backlog):,} events unpublished, oldest {age:,.1f} s"
        out.append(line("outbox", backlog, age, text))
    unsent = _value(samples, f"snt_{service}_unsent_notifications")
    if unsent is not None:
        age = _value(samples, f"snt_{service}_oldest_unsent_age_seconds") or 0.0
        out.append(line("notifications", 0, age, f"{int(unsent):,} unsent, oldest {age:,.1f} s"))
    return out


def _topics(service: str, samples: Samples) -> dict[tuple[str, str], tuple[float, float]]:
    """(group, topic) → (lag in events summed over partitions, the largest lag in seconds)."""
    found: dict[tuple[str, str], tuple[float, float]] = {}
    seconds = {
        _at(labels): v for labels, v in samples.get(f"snt_{service}_consumer_lag_seconds", [])
    }
    for labels, events in samples.get(f"snt_{service}_consumer_lag_events", []):
        key = (labels["group"], labels["topic"])
        total, worst = found.get(key, (0.0, 0.0))
        found[key] = (total + events, max(worst, seconds.get(_at(labels), 0.0)))
    return found


def _at(labels: Mapping[str, str]) -> tuple[str, str, str]:
    return labels["group"], labels["topic"], labels["partition"]


def _value(samples: Samples, name: str) -> float | None:
    found: Iterable[tuple[dict[str, str], float]] = samples.get(name, [])
    values = [v for _, v in found]
    return max(values) if values else None
