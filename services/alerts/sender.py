"""Sending from the delivery log: group → cap → send with retry and backoff → record.

The pending deliveries that are due are grouped (:class:`~services.alerts.domain.routing.
Budget`): pushed notices one message per recipient, borough and rule (a group sends again
no sooner than ``group_interval_s`` after its last message); a recipient's digest notices one
daily message; history one summary per recipient. Past the recipient's cap for the day,
notices that are not critical are held ("N more on the dashboard" in the message). A message
carries a key derived from the idempotency keys of its notices (and each notice its own key), so a
receiver that saw it before can drop it. Success marks the deliveries delivered; failure
records the error and retries after an exponential backoff (capped). The log is in the
database: a restart resumes exactly where sending stopped — delivered notices are never sent
again, pending ones are never lost (at least once; the keys make it once for the receiver).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import smtplib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any, Final, Protocol

import httpx
import orjson

from services.alerts.domain.routing import TOPIC_SUBSCRIPTION, Budget, Subscription, day_start
from services.alerts.domain.words import plural
from services.alerts.store.base import AlertsStore, DeliveryRow

log = logging.getLogger(__name__)

BACKOFF_S: Final = (1.0, 5.0, 30.0, 120.0, 600.0)
SIGNATURE_HEADER: Final = "X-SNT-Signature"
BATCH: Final = 500


class Channel(Protocol):
    async def send(self, subscription: Subscription, message: dict[str, Any]) -> None:
        """Deliver or raise."""
        ...


def signature(key: bytes, body: bytes) -> str:
    """The webhook signature header value: HMAC-SHA256 of the exact body."""
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


class WebhookChannel:
    def __init__(self, key: bytes, timeout_s: float = 5.0) -> None:
        self._key = key
        self._client = httpx.AsyncClient(timeout=timeout_s)

    async def send(self, subscription: Subscription, message: dict[str, Any]) -> None:
        body = orjson.dumps(message)
        reply = await self._client.post(subscription.target, content=body, headers={
            "Content-Type": "application/json", SIGNATURE_HEADER: signature(self._key, body),
            "Idempotency-Key": message["idempotency_key"]})  # fmt: skip
        if reply.status_code >= 300:
            raise RuntimeError(f"webhook answered {reply.status_code}")

    async def close(self) -> None:
        await self._client.aclose()


class EmailChannel:
    """Plain-text email over SMTP (one message per recipient and borough)."""

    def __init__(self, host: str, port: int, sender: str) -> None:
        self._host, self._port, self._sender = host, port, sender

    async def send(self, subscription: Subscription, message: dict[str, Any]) -> None:
        await asyncio.to_thread(self._send, subscription.target, message)

    def _send(self, to: str, message: dict[str, Any]) -> None:
        email = EmailMessage()
        notes = message["notifications"]
        email["Subject"] = f"[SNT] {len(notes)} alert notice(s) for {message['borough']}"
        email["From"], email["To"] = self._sender, to
        email["Message-ID"] = f"<{message['idempotency_key']}@snt>"
        email.set_content("\n\n".join(
            f"{n['title']} ({n['notice']}, {n['severity']})\n{n['summary']}\n"
            f"alert {n['alert_id']}, rule {n['rule_id']} v{n['rule_version']}"
            for n in notes))  # fmt: skip
        with smtplib.SMTP(self._host, self._port, timeout=10) as smtp:
            smtp.send_message(email)


class KafkaChannel:
    """Each notice as an alert.updated event on the subscription's topic (keyed by area)."""

    def __init__(self, publish: Callable[[str, bytes, bytes], Awaitable[None]]) -> None:
        self._publish = publish

    async def send(self, subscription: Subscription, message: dict[str, Any]) -> None:
        for n in message["notifications"]:
            await self._publish(subscription.target, n["area_code"].encode(),
                                orjson.dumps(alert_event(n, message["sent_at"])))  # fmt: skip


def alert_event(n: Mapping[str, Any], at: str) -> dict[str, Any]:
    """An alert.updated envelope for one notice (its id is the notice's key)."""
    state = "resolved" if n["notice"] == "resolved" else n["state"]
    payload = {k: n[k] for k in ("alert_id", "rule_id", "rule_version", "severity",
                                 "recognition", "level", "area_code", "kpi", "title",
                                 "summary", "figures", "fired_by")}  # fmt: skip
    payload |= {"state": state,
                "borough_code": n["borough_code"] if n["level"] == "ward" else None}  # fmt: skip
    digest = hashlib.blake2b(n["idempotency_key"].encode(), digest_size=12).hexdigest()
    return {"event_id": f"alert:{digest}",
            "event_type": "alert.updated", "schema_version": 1, "version": n["sequence"],
            "occurred_at": at, "recorded_at": at, "source": "alerts", "correlation_id": None,
            "payload": payload}  # fmt: skip


class Sender:
    def __init__(
        self, store: AlertsStore, subscriptions: Callable[[], list[Subscription]],
        channels: Mapping[str, Channel], now: Callable[[], datetime], *, budget: Budget,
        observe: Callable[[str, bool, float], None] = lambda c, ok, s: None,
    ) -> None:  # fmt: skip
        self._store, self._subscriptions, self._channels = store, subscriptions, channels
        self._now, self._budget, self._observe = now, budget, observe
        self._last: dict[tuple[str, str, str], datetime] = {}
        """When each push group last sent (in memory: a restart may send one more sooner)."""

    async def run(self) -> None:
        while True:
            try:
                await self.send_due()
            except Exception:
                log.exception("sending alert notices failed; retrying")
            await asyncio.sleep(0.05 if self._budget.group_interval_s == 0 else 1.0)

    async def send_due(self) -> int:
        """Send every due delivery, grouped; returns the deliveries sent."""
        now = self._now()
        rows = await asyncio.to_thread(self._store.due, now, BATCH)
        subs = {s.subscription_id: s for s in [*self._subscriptions(), TOPIC_SUBSCRIPTION]}
        groups: dict[tuple[str, str, str], list[DeliveryRow]] = {}
        for row in rows:
            groups.setdefault(_group_of(row), []).append(row)
        sent = 0
        for key, found in groups.items():
            sub = subs.get(key[0])
            if sub is None:
                await asyncio.to_thread(self._store.failed, [r.key for r in found],
                                        "subscription removed",
                                        now + timedelta(days=3650))  # fmt: skip
                continue
            if key[1] == "push" and now - self._last.get(key, _NEVER) < timedelta(
                    seconds=self._budget.group_interval_s):  # fmt: skip
                continue
            sent += await self._send(sub, key, found, now)
        return sent

    async def _send(self, sub: Subscription, key: tuple[str, str, str],
                    found: list[DeliveryRow], now: datetime) -> int:  # fmt: skip
        found, over = await self._capped(sub, key, found, now)
        if not found:
            return 0
        keys = [r.key for r in found]
        message = _message(sub, key, found, len(over), now)
        started = asyncio.get_running_loop().time()
        try:
            await self._channels[sub.channel].send(sub, message)
        except Exception as exc:
            wait = BACKOFF_S[min(max(r.attempts for r in found), len(BACKOFF_S) - 1)]
            await asyncio.to_thread(self._store.failed, keys, f"{type(exc).__name__}: {exc}",
                                    now + timedelta(seconds=wait))  # fmt: skip
            self._observe(sub.channel, False, 0.0)
            return 0
        await asyncio.to_thread(self._store.delivered, keys, self._now())
        if over:
            await asyncio.to_thread(self._store.hold, [r.key for r in over],
                                    f"over the daily cap of {self._budget.daily_cap}: "
                                    "on the dashboard")  # fmt: skip
        self._last[key] = now
        self._observe(sub.channel, True, asyncio.get_running_loop().time() - started)
        return len(found)

    async def _capped(self, sub: Subscription, key: tuple[str, str, str],
                      found: list[DeliveryRow], now: datetime
                      ) -> tuple[list[DeliveryRow], list[DeliveryRow]]:  # fmt: skip
        """The rows within the recipient's cap for the day, and those over it (critical and
        resolution notices, history summaries and the alerts topic are never capped)."""
        if sub is TOPIC_SUBSCRIPTION or key[1] == "history":
            return found, []
        told = await asyncio.to_thread(self._store.delivered_since, sub.subscription_id,
                                       day_start(now))  # fmt: skip
        room = max(self._budget.daily_cap - told, 0)
        keep: list[DeliveryRow] = []
        over: list[DeliveryRow] = []
        for row in sorted(found, key=_urgency):
            exempt = row.body.get("severity") == "critical" or row.kind == "resolved"
            if exempt or len(keep) < room:
                keep.append(row)
            else:
                over.append(row)
        return keep, over


_NEVER: Final = datetime.min.replace(tzinfo=UTC)


def _group_of(row: DeliveryRow) -> tuple[str, str, str]:
    """(recipient, mode, borough and rule): pushed notices by borough and rule, a digest and
    a history summary per recipient."""
    if row.kind == "history":
        return (row.subscription_id, "history", "")
    if row.body.get("mode") == "digest":
        return (row.subscription_id, "digest", "")
    return (row.subscription_id, "push", f"{row.borough}:{row.body.get('rule_id')}")


def _urgency(row: DeliveryRow) -> tuple[int, str, str]:
    order = {"critical": 0, "warning": 1, "info": 2}
    return (order.get(str(row.body.get("severity")), 3), row.borough, row.key)


def _message(sub: Subscription, key: tuple[str, str, str], found: list[DeliveryRow],
             more: int, now: datetime) -> dict[str, Any]:  # fmt: skip
    boroughs = sorted({r.borough for r in found})
    message: dict[str, Any] = {
        "idempotency_key": _group_key([r.key for r in found]), "recipient": sub.name,
        "borough": boroughs[0] if len(boroughs) == 1 else "several", "kind": key[1],
        "sent_at": now.isoformat(), "notifications": [r.body for r in found],
        "more": more, "more_text": f"{more} more on the dashboard" if more else None,
    }  # fmt: skip
    if key[1] == "history":
        message["notifications"] = [history_summary(found)]
    return message


def history_summary(found: Sequence[DeliveryRow]) -> dict[str, Any]:
    """One notice for a load of history: what it shows, rule by rule; the alerts themselves
    are on the dashboard (recorded, not news)."""
    alerts = {r.alert_id: r.body for r in found}
    by_rule: dict[str, int] = {}
    for body in alerts.values():
        by_rule[body["rule_id"]] = by_rule.get(body["rule_id"], 0) + 1
    lines = [f"{rule.replace('_', ' ')}: {plural(n, 'alert')}" for rule, n in
             sorted(by_rule.items(), key=lambda kv: -kv[1])]  # fmt: skip
    first = sorted(found, key=lambda r: r.key)[0]
    return {"idempotency_key": f"history:{_group_key([r.key for r in found])}",
            "notice": "history", "severity": "info", "borough_code": first.borough,
            "title": f"Newly loaded history: {plural(len(alerts), 'alert')} about past periods",
            "summary": "; ".join(lines) + ". Recorded on the dashboard; nothing to act on now.",
            "by_rule": by_rule, "alerts": len(alerts)}  # fmt: skip


def _group_key(keys: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:32]
