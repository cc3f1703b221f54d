"""Alerts, subscriptions and silences to and from the JSON the database keeps."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from services.alerts.domain.lifecycle import Alert
from services.alerts.domain.routing import Silence, Subscription
from services.alerts.domain.rules import Source


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def dump_alert(alert: Alert) -> str:
    body = {k: _plain(v) for k, v in asdict(alert).items()}
    return json.dumps(body)


def load_alert(text: str) -> Alert:
    d = json.loads(text)
    for name in ("since", "notified_at"):
        if d[name] is not None:
            d[name] = datetime.fromisoformat(d[name])
    d["fired_by"] = tuple(Source(**s) for s in d["fired_by"])
    d["days"] = tuple(d.get("days") or ())
    return Alert(**d)


def dump_subscription(s: Subscription) -> str:
    return json.dumps(asdict(s))


def load_subscription(text: str) -> Subscription:
    d = json.loads(text)
    d["rules"] = tuple(d["rules"])
    return Subscription(**d)


def dump_silence(s: Silence) -> str:
    return json.dumps({k: _plain(v) for k, v in asdict(s).items()})


def load_silence(text: str) -> Silence:
    d = json.loads(text)
    d["starts"], d["ends"] = datetime.fromisoformat(d["starts"]), datetime.fromisoformat(d["ends"])
    return Silence(**d)
