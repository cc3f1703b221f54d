"""Alert rules (versioned configuration) and their evaluation on KPI updates and flex
exceptions.

Evaluating an input gives *signals*: for each rule that applies to it, whether its condition
holds now, with the figures and the event that showed it. A signal whose condition is false
is as important as a true one: it is what resolves an alert (with hysteresis, see
:mod:`lifecycle`). Judgement is statistical, never raw % change:

- ``trajectory_breach`` (KPI 1, 4; FYTD): above trajectory and significantly worse than the
  target ratio (exact Poisson test);
- ``spc_concern`` (KPI 1, 4, 5; FYTD's monthly chart): a special cause in the worse direction;
- ``survey_deterioration`` (KPI 6, 7): significantly worse than last year;
- ``significant_improvement`` (KPI 1, 4, 5 FYTD; KPI 6, 7): significantly better than last
  year — a positive exception, routed as recognition;
- ``abstraction_over_threshold``, ``below_minimum_staffing``, ``unauthorised_flex``,
  ``flexed_while_breaching``: a flex exception of that kind (late authorisation counts as
  unauthorised flex).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

SEVERITIES: Final = ("info", "warning", "critical")
FLEX_KINDS: Final = {"abstraction_over_threshold": "abstraction_over_threshold",
                     "below_minimum_staffing": "below_minimum_staffing",
                     "unauthorised_flex": "unauthorised_flex",
                     "late_authorisation": "unauthorised_flex",
                     "flexed_while_breaching": "flexed_while_breaching"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Rule:
    rule_id: str
    severity: str = "warning"
    recognition: bool = False
    pending_s: float = 0.0
    """The condition must hold this long before the alert fires."""
    clear_after: int = 2
    """Consecutive clear evaluations that resolve a firing alert (hysteresis)."""
    repeat_s: float = 7 * 86_400.0
    """An unacknowledged firing alert is sent again after this long."""
    escalate_s: float = 3 * 86_400.0
    """An unacknowledged firing alert goes to the next level after this long."""
    inhibit: bool = True
    """A borough-level alert of this rule holds back its ward alerts in that borough."""


@dataclass(frozen=True, slots=True)
class RuleSet:
    version: str
    rules: Mapping[str, Rule]

    def rule(self, rule_id: str) -> Rule | None:
        return self.rules.get(rule_id)


@dataclass(frozen=True, slots=True)
class Source:
    """The event behind a signal: where it was read and its id."""

    topic: str
    partition: int
    offset: int
    event_id: str


@dataclass(frozen=True, slots=True)
class Signal:
    rule_id: str
    alert_key: str
    """What the alert is about: the same key, the same alert."""
    holds: bool
    level: str
    area_code: str
    borough_code: str | None
    kpi: int | None
    title: str
    summary: str
    figures: dict[str, float] = field(default_factory=dict)
    source: Source | None = None


def evaluate(rules: RuleSet, event: Mapping[str, Any], source: Source) -> Iterator[Signal]:
    """The signals of one kpi.updated or flex.exception event (rules not configured are
    skipped)."""
    kind = event.get("event_type")
    payload = event.get("payload") or {}
    found = _kpi(payload) if kind == "kpi.updated" else (
        _flex(payload) if kind == "flex.exception" else iter(()))  # fmt: skip
    for signal in found:
        if rules.rule(signal.rule_id) is not None:
            yield Signal(**{**_fields(signal), "source": source})


def _fields(s: Signal) -> dict[str, Any]:
    return {name: getattr(s, name) for name in Signal.__slots__}


def _kpi(p: Mapping[str, Any]) -> Iterator[Signal]:
    kpi, level, period = p.get("kpi"), p.get("level"), p.get("period")
    if level not in ("ward", "borough", "mps"):
        return
    area, borough = p["area_code"], p.get("borough_code") if level == "ward" else (
        p["area_code"] if level == "borough" else None)  # fmt: skip
    name = {"ward": "Ward", "borough": "Borough", "mps": "MPS"}[level]
    figures = _numbers(p)
    verdict = (p.get("significance") or {}).get("verdict")
    target = (p.get("target_significance") or {}).get("verdict")
    crime = kpi in (1, 4, 5) and period == "fytd"
    if kpi in (1, 4) and period == "fytd":
        holds = (p.get("gap_to_trajectory") or 0) > 0 and target == "significant_worse"
        yield Signal("trajectory_breach", f"trajectory_breach:{area}:{kpi}", holds, level, area,
                     borough, kpi, f"{name} {area}: KPI {kpi} breaching its trajectory",
                     f"KPI {kpi} is {p.get('value')} against a trajectory of "
                     f"{_round(p.get('trajectory'))}, significantly worse than the target "
                     f"(p = {_round(figures.get('target_p_value'), 4)})", figures)  # fmt: skip
    if crime:
        spc = p.get("spc") or {}
        yield Signal("spc_concern", f"spc_concern:{area}:{kpi}", spc.get("signal") == "concern",
                     level, area, borough, kpi, f"{name} {area}: KPI {kpi} special cause",
                     f"The {spc.get('interval') or 'monthly'} chart of KPI {kpi} shows a special "
                     f"cause of concern ({', '.join(spc.get('rules_fired') or ()) or 'rules'})",
                     figures)  # fmt: skip
    if kpi in (6, 7) and level in ("borough", "mps"):
        yield Signal("survey_deterioration", f"survey_deterioration:{area}:{kpi}",
                     verdict == "significant_worse", level, area, borough, kpi,
                     f"{name} {area}: KPI {kpi} significantly down on last year",
                     f"KPI {kpi} is {_pct(p.get('value'))} against {_pct(p.get('last_year'))} "
                     "last year, a significant fall", figures)  # fmt: skip
    if crime or (kpi in (6, 7) and level in ("borough", "mps")):
        yield Signal("significant_improvement", f"significant_improvement:{area}:{kpi}",
                     verdict == "significant_better", level, area, borough, kpi,
                     f"{name} {area}: KPI {kpi} significantly better than last year",
                     f"KPI {kpi} is {p.get('value')} against {p.get('last_year')} last year, a "
                     "significant improvement to recognise", figures)  # fmt: skip


def _flex(p: Mapping[str, Any]) -> Iterator[Signal]:
    rule = FLEX_KINDS.get(p.get("kind", ""))
    if rule is None:
        return
    ward = p["ward_code"]
    figures = {k: float(v) for k, v in (p.get("figures") or {}).items()}
    figures["duties"] = float(len(p.get("duty_ids") or ()))
    yield Signal(rule, f"{rule}:{ward}:{p['date']}", True, "ward", ward, p.get("borough_code"),
                 9 if rule == "abstraction_over_threshold" else None,
                 f"Ward {ward}: {rule.replace('_', ' ')} on {p['date']}",
                 str(p.get("detail") or rule), figures)  # fmt: skip


def _numbers(p: Mapping[str, Any]) -> dict[str, float]:
    out = {k: float(p[k]) for k in ("value", "last_year", "trajectory", "gap_to_trajectory")
           if isinstance(p.get(k), int | float)}  # fmt: skip
    for name, key in (("significance", "p_value"), ("target_significance", "target_p_value")):
        value = (p.get(name) or {}).get("p_value")
        if isinstance(value, int | float):
            out[key] = float(value)
    return out


def _round(value: Any, digits: int = 1) -> str:
    return "n/a" if not isinstance(value, int | float) else f"{value:.{digits}f}"


def _pct(value: Any) -> str:
    return "n/a" if not isinstance(value, int | float) else f"{100 * value:.1f}%"
