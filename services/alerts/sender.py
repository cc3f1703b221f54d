"""Sending from the delivery log: group → send with retry and backoff → record.

Every ``group_s`` (0: at once) the pending deliveries that are due are grouped into one
message per recipient and borough and sent on the recipient's channel. A message carries a
key derived from the idempotency keys of its notices (and each notice its own key), so a
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
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Final, Protocol

import httpx
import orjson

from services.alerts.domain.routing import TOPIC_SUBSCRIPTION, Subscription
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
        channels: Mapping[str, Channel], now: Callable[[], datetime], *, group_s: float,
        observe: Callable[[str, bool, float], None] = lambda c, ok, s: None,
    ) -> None:  # fmt: skip
        self._store, self._subscriptions, self._channels = store, subscriptions, channels
        self._now, self._group_s, self._observe = now, group_s, observe

    async def run(self) -> None:
        while True:
            try:
                await self.send_due()
            except Exception:
                log.exception("sending alert notices failed; retrying")
            await asyncio.sleep(max(self._group_s, 0.05))

    async def send_due(self) -> int:
        """Send every due delivery, grouped; returns the deliveries sent."""
        now = self._now()
        rows = await asyncio.to_thread(self._store.due, now, BATCH)
        subs = {s.subscription_id: s for s in [*self._subscriptions(), TOPIC_SUBSCRIPTION]}
        groups: dict[tuple[str, str], list[DeliveryRow]] = {}
        for row in rows:
            groups.setdefault((row.subscription_id, row.borough), []).append(row)
        sent = 0
        for (sub_id, borough), found in groups.items():
            keys = [r.key for r in found]
            sub = subs.get(sub_id)
            if sub is None:
                await asyncio.to_thread(self._store.failed, keys, "subscription removed",
                                        now + timedelta(days=3650))  # fmt: skip
                continue
            message = {"idempotency_key": _group_key(keys), "recipient": sub.name,
                       "borough": borough, "sent_at": now.isoformat(),
                       "notifications": [r.body for r in found]}  # fmt: skip
            started = asyncio.get_running_loop().time()
            try:
                await self._channels[sub.channel].send(sub, message)
            except Exception as exc:
                wait = BACKOFF_S[min(max(r.attempts for r in found), len(BACKOFF_S) - 1)]
                await asyncio.to_thread(self._store.failed, keys, f"{type(exc).__name__}: {exc}",
                                        now + timedelta(seconds=wait))  # fmt: skip
                self._observe(sub.channel, False, 0.0)
                continue
            await asyncio.to_thread(self._store.delivered, keys, self._now())
            self._observe(sub.channel, True, asyncio.get_running_loop().time() - started)
            sent += len(found)
        return sent


def _group_key(keys: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:32]
