"""Alerts API: list and filter alerts, acknowledge, silence, manage subscriptions, read the
delivery log. Auth-scoped (:mod:`services.alerts.scope`): a borough lead sees, acknowledges
and silences their boroughs' alerts, a cluster inspector their wards'; central and system
everything; subscriptions and the delivery log are for central and system. Out of scope is
403 with the reason; an alert id that exists nowhere is 404."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from services.alerts.domain.lifecycle import Alert
from services.alerts.domain.routing import Silence, Subscription
from services.alerts.domain.rules import SEVERITIES
from services.alerts.engine import Engine
from services.alerts.scope import AlertScope, SilenceConflictError
from services.alerts.store.base import AlertsStore, DeliveryRow
from services.alerts.targets import TargetPolicy
from shared.api import ApiError
from shared.auth import Authenticator, Principal, Role, forbidden_as_403

AREA = r"^(E05\d{6}|E09\d{6}|MPS)$"


class Acknowledgement(BaseModel):
    note: str = Field(min_length=1, max_length=500, description="What is being done about it")


class SilenceIn(BaseModel):
    reason: str = Field(min_length=1, max_length=300, description="Why, e.g. a planned event")
    hours: float = Field(gt=0, le=24 * 31, description="How long from now (time-boxed)")
    rule_id: str | None = Field(default=None, description="Only this rule")
    area_code: str | None = Field(
        default=None, pattern=AREA, description="Only this ward or borough (E05…, E09…, MPS)"
    )
    borough_code: str | None = Field(
        default=None, pattern=AREA,
        description="Only this borough's alerts (E09…; a ward code is taken as the area)",
    )  # fmt: skip


class SubscriptionIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    scope: Literal["cluster", "borough", "mps"]
    scope_code: str = Field(min_length=1, max_length=32)
    channel: Literal["webhook", "email", "kafka"]
    target: str = Field(min_length=1, max_length=500, description="URL, address or topic")
    rules: tuple[str, ...] = ()
    min_severity: Literal["info", "warning", "critical"] = "info"
    recognition: bool = False
    push_severity: Literal["info", "warning", "critical"] = Field(
        default="critical",
        description="Pushed at once from this severity; the rest in the daily digest",
    )


def build_router(engine: Engine, store: AlertsStore, auth: Authenticator,
                 now: Callable[[], datetime], scope: AlertScope, targets: TargetPolicy,
                 page_size: int = 12) -> APIRouter:  # fmt: skip
    router = APIRouter(prefix="/v1", tags=["alerts"])
    anyone = Depends(auth.principal)
    managers = Depends(auth.require_roles(Role.CENTRAL, Role.SYSTEM))

    @router.get("/alerts")
    def list_alerts(
        principal: Principal = anyone, state: str | None = None,
        rule_id: str | None = None, borough_code: str | None = None,
        recognition: bool | None = None, open_only: bool = False, paged: bool = False,
    ) -> Any:  # fmt: skip
        """Alerts in your scope, newest first, filtered by state, rule, borough, kind (a
        borough outside your scope is 403); ``open_only``: not resolved; ``paged``: a page's
        worth, most severe first, with ``more`` left out ("and N more")."""
        if borough_code is not None:
            if not scope.known(borough_code):
                raise ApiError(404, "unknown_area", f"{borough_code[:40]!r} is not an MPS area")
            with forbidden_as_403():
                scope.require_borough_filter(principal, borough_code)
        with engine.lock:
            found = [a for a in engine.alerts.values() if scope.sees_alert(principal, a)
                     and a.state != "pending" and state in (None, a.state)
                     and rule_id in (None, a.rule_id)
                     and borough_code in (None, a.borough_code, a.area_code)
                     and recognition in (None, a.recognition)
                     and not (open_only and a.state == "resolved")]  # fmt: skip
        found.sort(key=lambda a: (a.since, a.alert_id), reverse=True)
        total = len(found)
        if paged:
            found = sorted(found, key=_attention)[:page_size]
        return {"alerts": [_alert(a) for a in found], "rules_version": engine.rules.version,
                "total": total, "more": total - len(found), "page_size": page_size}  # fmt: skip

    @router.post("/alerts/{alert_id}/acknowledge")
    def acknowledge(alert_id: str, body: Acknowledgement,
                    principal: Principal = anyone) -> Any:  # fmt: skip
        """Acknowledge a firing alert: no more repeats or escalation (404: no such alert;
        403: another area's alert)."""
        with engine.lock:
            alert = engine.alerts.get(alert_id)
        if alert is None:
            raise ApiError(404, "not_found", f"no alert {alert_id}")
        with forbidden_as_403():
            scope.require_alert(principal, alert)
        try:
            return _alert(engine.acknowledge(alert_id, principal.name, body.note))
        except KeyError as exc:
            raise ApiError(404, "not_found", f"no alert {alert_id}") from exc
        except ValueError as exc:
            raise ApiError(409, "conflict", str(exc)) from exc

    @router.post("/silences", status_code=201)
    def silence(body: SilenceIn, principal: Principal = anyone) -> Any:
        """Silence matching alerts for a time, with a reason (you are the author). Without
        the MPS-wide view, the silence must name a borough or ward in your scope."""
        if body.rule_id is not None and body.rule_id not in engine.rules.rules:
            raise ApiError(422, "unknown_rule", f"no rule {body.rule_id!r}")
        for code in (body.area_code, body.borough_code):
            if code is not None and not scope.known(code):
                raise ApiError(422, "unknown_area", f"{code} is not an MPS ward or borough")
        try:
            with forbidden_as_403():
                where = scope.silence_matchers(principal, body.area_code, body.borough_code)
        except SilenceConflictError as exc:
            raise ApiError(
                422, "matches_nothing", f"the silence would match nothing: {exc}"
            ) from exc
        start = now()
        ends = start + timedelta(hours=body.hours)
        made = Silence(f"silence-{uuid.uuid4().hex[:12]}", start, ends, principal.name,
                       body.reason, body.rule_id, where.area_code, where.borough_code)  # fmt: skip
        engine.add_silence(made)
        return _plain(asdict(made))

    @router.get("/silences")
    def silences(principal: Principal = anyone) -> Any:
        """Silences in force now, those in your scope."""
        at = now()
        with engine.lock:
            found = [s for s in engine.silences
                     if s.active(at) and scope.sees_silence(principal, s)]  # fmt: skip
        return {"silences": [_plain(asdict(s)) for s in found]}

    @router.get("/subscriptions", dependencies=[managers])
    def subscriptions() -> Any:
        with engine.lock:
            return {"subscriptions": [asdict(s) for s in engine.subscriptions]}

    @router.put("/subscriptions/{subscription_id}", dependencies=[managers])
    def put_subscription(subscription_id: str, body: SubscriptionIn) -> Any:
        """Create or replace a subscription (who hears about what, on which channel)."""
        if subscription_id == "topic":
            raise ApiError(409, "reserved", "'topic' is reserved for the alerts topic")
        problem = targets.problem(body.channel, body.target)
        if problem is not None:
            raise ApiError(422, "target_not_allowed", problem)
        made = Subscription(subscription_id, body.name, body.scope, body.scope_code,
                            body.channel, body.target, tuple(body.rules), body.min_severity,
                            body.recognition, body.push_severity)  # fmt: skip
        engine.put_subscription(made)
        return asdict(made)

    @router.delete("/subscriptions/{subscription_id}", dependencies=[managers],
                   status_code=204)  # fmt: skip
    def delete_subscription(subscription_id: str) -> None:
        if not engine.delete_subscription(subscription_id):
            raise ApiError(404, "not_found", f"no subscription {subscription_id}")

    @router.get("/deliveries", dependencies=[managers])
    def deliveries(
        alert_id: str | None = None,
        status: Literal["pending", "delivered", "held"] | None = None,
    ) -> Any:  # fmt: skip
        """The delivery log: every notice for every recipient, with attempts and errors."""
        return {"deliveries": [_delivery(r) for r in store.log(alert_id=alert_id,
                                                               status=status)]}  # fmt: skip

    return router


def _attention(a: Alert) -> tuple[int, int, int]:
    """Most severe first, current before history, firing before acknowledged (stable)."""
    return (-SEVERITIES.index(a.severity), a.history, a.state != "firing")


def _alert(a: Alert) -> dict[str, Any]:
    body = _plain(asdict(a))
    body["fired_by"] = [asdict(s) for s in a.fired_by]
    return body


def _delivery(r: DeliveryRow) -> dict[str, Any]:
    return _plain(asdict(r))


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in d.items()}
