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

import calendar
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final

from services.alerts.domain.words import (
    Names,
    day_words,
    days_words,
    kpi_words,
    month_words,
    number,
    percent,
    plural,
    shortfall,
    shortfall_words,
)

SEVERITIES: Final = ("info", "warning", "critical")
FLEX_KINDS: Final = {"abstraction_over_threshold": "abstraction_over_threshold",
                     "below_minimum_staffing": "below_minimum_staffing",
                     "unauthorised_flex": "unauthorised_flex",
                     "late_authorisation": "unauthorised_flex",
                     "flexed_while_breaching": "flexed_while_breaching"}  # fmt: skip
MONTHLY: Final = ("abstraction_over_threshold", "flexed_while_breaching")
"""Flex rules judged per ward-month (the others per ward-day)."""
RULE_WORDS: Final = {"abstraction_over_threshold": "abstraction over the threshold",
                     "below_minimum_staffing": "below minimum staffing",
                     "unauthorised_flex": "unauthorised flex",
                     "flexed_while_breaching": "officers flexed out while breaching"}  # fmt: skip
PLAIN: Final = Names()
WORST_BY: Final = {"unauthorised_flex": "duties", "abstraction_over_threshold": "share",
                   "flexed_while_breaching": "days_flexed_out"}  # fmt: skip


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
    critical_days: int | None = None
    """Critical (instead of ``severity``) while the alert is current and its last day is no
    more than this many days before its source's newest date (None: never critical)."""
    clear_days: int = 7
    """Rules raised only by exceptions (flex): the episode resolves once its source's data
    have run this many days past its last day without the exception; a new exception within
    them joins the episode."""
    grace_days: int = 0
    """Days before its source's newest date that are still current (not history)."""

    def severity_of(self, current: bool, near: bool) -> str:
        """The severity of a signal: critical only when current (and, with
        ``critical_days``, near its source's newest date); never about history."""
        if self.critical_days is not None and current and near:
            return "critical"
        urgent = current and self.critical_days is None
        return "warning" if self.severity == "critical" and not urgent else self.severity


@dataclass(frozen=True, slots=True)
class RuleSet:
    version: str
    rules: Mapping[str, Rule]
    stale_days: int = 35
    """An event whose period ended this long before the newest data of any source is
    history (see :mod:`clock`)."""

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
    data: str = "crime:fytd"
    """The data whose clock judges it: crime or survey and the period kind (a week and a
    year to date end on different days), or roster."""
    period_end: date | None = None
    """The last day of the period the signal is about."""
    day: date | None = None
    """A daily exception's day (its episode lists them)."""


def evaluate(rules: RuleSet, event: Mapping[str, Any], source: Source,
             names: Names = PLAIN) -> Iterator[Signal]:  # fmt: skip
    """The signals of one kpi.updated or flex.exception event (rules not configured are
    skipped)."""
    kind = event.get("event_type")
    payload = event.get("payload") or {}
    found = _kpi(payload, names) if kind == "kpi.updated" else (
        _flex(payload, names) if kind == "flex.exception" else iter(()))  # fmt: skip
    for signal in found:
        if rules.rule(signal.rule_id) is not None:
            yield replace(signal, source=source)


def _kpi(p: Mapping[str, Any], names: Names) -> Iterator[Signal]:
    kpi, level, period = p.get("kpi"), p.get("level"), p.get("period")
    if level not in ("ward", "borough", "mps"):
        return
    area, borough = p["area_code"], p.get("borough_code") if level == "ward" else (
        p["area_code"] if level == "borough" else None)  # fmt: skip
    where = names.area(level, area, borough)
    what = f"{kpi_words(kpi)}, {_period(p)}{_simulated(p)}"
    figures = _numbers(p)
    verdict = (p.get("significance") or {}).get("verdict")
    target = (p.get("target_significance") or {}).get("verdict")
    crime = kpi in (1, 4, 5) and period == "fytd"
    survey = kpi in (6, 7) and level in ("borough", "mps")
    common = {"level": level, "area_code": area, "borough_code": borough, "kpi": kpi,
              "figures": figures, "data": f"{'survey' if kpi in (6, 7) else 'crime'}:{period}",
              "period_end": _day(p.get("period_end")) if _counted(p) else None}  # fmt: skip
    if kpi in (1, 4) and period == "fytd":
        holds = (p.get("gap_to_trajectory") or 0) > 0 and target == "significant_worse"
        yield Signal("trajectory_breach", f"trajectory_breach:{area}:{kpi}", holds,
                     title=f"{where}: {kpi_words(kpi)} above its trajectory",
                     summary=f"{what}: {number(p.get('value'))} against a trajectory of "
                     f"{number(p.get('trajectory'))}, significantly worse than the target "
                     f"({_p(figures.get('target_p_value'))})", **common)  # fmt: skip
    if crime:
        spc = p.get("spc") or {}
        yield Signal("spc_concern", f"spc_concern:{area}:{kpi}", spc.get("signal") == "concern",
                     title=f"{where}: {kpi_words(kpi)} special cause of concern",
                     summary=f"{what}: the {spc.get('interval') or 'monthly'} chart shows a "
                     f"special cause of concern ({_spc_rules(spc)})", **common)  # fmt: skip
    if survey:
        yield Signal("survey_deterioration", f"survey_deterioration:{area}:{kpi}",
                     verdict == "significant_worse",
                     title=f"{where}: {kpi_words(kpi)} significantly down on last year",
                     summary=f"{what}: {percent(p.get('value'))} against "
                     f"{percent(p.get('last_year'))} last year, a significant fall",
                     **common)  # fmt: skip
    if crime or survey:
        show = percent if survey else number
        yield Signal("significant_improvement", f"significant_improvement:{area}:{kpi}",
                     verdict == "significant_better",
                     title=f"{where}: {kpi_words(kpi)} significantly better than last year",
                     summary=f"{what}: {show(p.get('value'))} against "
                     f"{show(p.get('last_year'))} last year, a significant improvement to "
                     "recognise", **common)  # fmt: skip


def _simulated(p: Mapping[str, Any]) -> str:
    """', on simulated records' when the figure rests on simulated records (the simulated
    live feed), so no one takes the alert for real police data."""
    now = (p.get("sources") or {}).get("this_year") or {}
    return ", on simulated records" if now.get("simulated") else ""


def _flex(p: Mapping[str, Any], names: Names) -> Iterator[Signal]:
    rule = FLEX_KINDS.get(p.get("kind", ""))
    day = _day(p.get("date"))
    if rule is None or day is None:
        return
    ward, borough = p["ward_code"], p.get("borough_code")
    figures = {k: float(v) for k, v in (p.get("figures") or {}).items()}
    figures["duties"] = float(len(p.get("duty_ids") or ()))
    end = _month_end(day) if rule in MONTHLY else day
    yield Signal(rule, f"{rule}:{ward}", True, "ward", ward, borough,
                 9 if rule == "abstraction_over_threshold" else None,
                 f"{names.area('ward', ward, borough)}: {RULE_WORDS[rule]}",
                 flex_summary(rule, (day,), figures), figures, None, "roster", end,
                 day)  # fmt: skip


def flex_summary(rule: str, days: tuple[date, ...], worst: Mapping[str, float]) -> str:
    """An episode of a flex rule in words: 'below minimum staffing on 6 of 31 days in March
    2025, worst: 1 PCSO of 3'."""
    if rule in MONTHLY:
        months = sorted({(d.year, d.month) for d in days})
        when = f"in {month_words(max(days))}" + (
            f" ({len(months)} months running)" if len(months) > 1 else "")  # fmt: skip
    else:
        when = days_words(days)
    head = f"{RULE_WORDS[rule]} {when}"
    if rule == "below_minimum_staffing":
        return f"{head}, worst: {shortfall_words(dict(worst))} available"
    if rule == "unauthorised_flex":
        late = " (some authorised late)" if "max_minutes_late" in worst else ""
        return f"{head}, worst: {plural(worst.get('duties', 0), 'duty', 'duties')} in a day{late}"
    if rule == "abstraction_over_threshold":
        return (f"{head}: {percent(worst.get('share'))} of planned SN hours abstracted "
                f"(threshold {percent(worst.get('threshold'))})")  # fmt: skip
    flexed = plural(worst.get("days_flexed_out", 0), "day")
    return f"{head}: officers flexed out on {flexed} while the ward's crime KPIs breach"


def worse(rule: str, held: Mapping[str, float], new: Mapping[str, float]) -> bool:
    """Whether ``new`` figures are a worse day (or month) of the rule than ``held``."""
    if not held:
        return True
    if rule == "below_minimum_staffing":
        return shortfall(dict(new)) < shortfall(dict(held))
    key = WORST_BY[rule]
    return new.get(key, 0) > held.get(key, 0)


def _period(p: Mapping[str, Any]) -> str:
    label = p.get("period_label")
    if isinstance(label, str) and label:
        return label
    end = _day(p.get("period_end"))
    kind = str(p.get("period") or "period").replace("_", " ")
    return (
        kind if end is None else f"{kind.upper() if kind == 'fytd' else kind} to {day_words(end)}"
    )


def _counted(p: Mapping[str, Any]) -> bool:
    """Whether the figure rests on any data: one with nothing this year or last (published
    for an area before its data arrive) says nothing of how far the data reach."""
    return any(isinstance(p.get(k), int | float) and p[k] != 0 for k in ("value", "last_year"))


def _spc_rules(spc: Mapping[str, Any]) -> str:
    return ", ".join(str(r).replace("_", " ") for r in spc.get("rules_fired") or ()) or "rules"


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _numbers(p: Mapping[str, Any]) -> dict[str, float]:
    out = {k: float(p[k]) for k in ("value", "last_year", "trajectory", "gap_to_trajectory")
           if isinstance(p.get(k), int | float)}  # fmt: skip
    for name, key in (("significance", "p_value"), ("target_significance", "target_p_value")):
        value = (p.get(name) or {}).get("p_value")
        if isinstance(value, int | float):
            out[key] = float(value)
    return out


def _p(value: Any) -> str:
    """A p-value in words a reader can take in: "p < 0.0001" rather than "p = 0.0000"."""
    if isinstance(value, int | float) and value < 0.0001:
        return "p < 0.0001"
    return f"p = {_round(value, 4)}"


def _round(value: Any, digits: int = 1) -> str:
    return "n/a" if not isinstance(value, int | float) else f"{value:.{digits}f}"
