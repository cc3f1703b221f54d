"""What the alerts service needs from its database (one transaction per consumed batch or
tick: alerts, new deliveries, applied ids and offsets together)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from services.alerts.domain.clock import DataClock
from services.alerts.domain.lifecycle import Alert
from services.alerts.domain.routing import Silence, Subscription
from shared.consumer import Position, Resume

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    key: str
    subscription_id: str
    alert_id: str
    sequence: int
    kind: str
    borough: str
    status: str
    """pending, delivered or held (inhibited / silenced)."""
    held_reason: str | None
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    body: dict[str, Any]


class AlertsUnit(Protocol):
    def claim(self, events: Sequence[T], event_id: Callable[[T], str]) -> list[T]:
        """``events`` whose ids were never applied (the first of each id in the batch), their
        ids recorded as applied."""
        ...

    def put_alerts(self, alerts: Sequence[Alert]) -> None: ...

    def add_deliveries(self, rows: Sequence[DeliveryRow]) -> None:
        """Insert the rows whose key is new (a key already logged is never added again)."""
        ...

    def mark(self, offsets: Mapping[Position, int], epoch: str | None = None) -> None: ...

    def put_clock(self, clock: DataClock) -> None: ...

    def defer_history(self, until: datetime) -> None:
        """Every pending history delivery waits until ``until`` (a load still running)."""
        ...


class AlertsStore(Protocol):
    def unit(self) -> AbstractContextManager[AlertsUnit]: ...

    def alerts(self) -> list[Alert]: ...

    def subscriptions(self) -> list[Subscription]: ...

    def put_subscription(self, s: Subscription) -> None: ...

    def delete_subscription(self, subscription_id: str) -> bool: ...

    def silences(self) -> list[Silence]: ...

    def put_silence(self, s: Silence) -> None: ...

    def due(self, now: datetime, limit: int) -> list[DeliveryRow]: ...

    def delivered(self, keys: Sequence[str], at: datetime) -> None: ...

    def failed(self, keys: Sequence[str], error: str, retry_at: datetime) -> None: ...

    def hold(self, keys: Sequence[str], reason: str) -> None:
        """Pending deliveries not sent (e.g. over the daily cap), with the reason."""
        ...

    def delivered_since(self, subscription_id: str, since: datetime) -> int:
        """Notices delivered to the recipient since ``since`` (not history summaries)."""
        ...

    def unsent(self, now: datetime) -> tuple[int, datetime | None]:
        """Pending deliveries due by ``now`` or tried already (not a digest or a history
        summary waiting for its time): how many, and when the oldest was made."""
        ...

    def clock(self) -> DataClock: ...

    def log(self, *, alert_id: str | None = None, status: str | None = None,
            limit: int = 200) -> list[DeliveryRow]: ...  # fmt: skip

    def offsets(self) -> dict[Position, int]: ...

    def resume_points(self) -> dict[Position, Resume]: ...
