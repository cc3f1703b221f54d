"""Loading the versioned alert rules (TOML) into a :class:`RuleSet`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from services.alerts.domain.rules import SEVERITIES, Rule, RuleSet

DEFAULT_PATH = Path(__file__).with_name("rules.toml")
KNOWN = ("trajectory_breach", "spc_concern", "survey_deterioration", "significant_improvement",
         "abstraction_over_threshold", "below_minimum_staffing", "unauthorised_flex",
         "flexed_while_breaching")  # fmt: skip


class RuleConfigError(ValueError):
    pass


def load_rules(path: Path = DEFAULT_PATH) -> RuleSet:
    """The rules in ``path``; a clear error naming the entry and the problem otherwise."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise RuleConfigError(f"{path}: 'version' must be a non-empty string")
    rules = [_rule(path, i, entry) for i, entry in enumerate(data.get("rule", []))]
    by_id = {r.rule_id: r for r in rules}
    if len(by_id) != len(rules):
        raise RuleConfigError(f"{path}: a rule id appears twice")
    stale = data.get("stale_days", 35)
    if not isinstance(stale, int) or stale < 0:
        raise RuleConfigError(f"{path}: 'stale_days' must be a whole number of days >= 0")
    return RuleSet(version, by_id, stale)


def _rule(path: Path, index: int, entry: dict[str, Any]) -> Rule:
    where = f"{path}: rule[{index}]"
    rule_id = entry.get("id")
    if rule_id not in KNOWN:
        raise RuleConfigError(f"{where}: id must be one of {', '.join(KNOWN)}")
    if entry.get("severity", "warning") not in SEVERITIES:
        raise RuleConfigError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    numbers = {k: entry[k] for k in ("pending_s", "repeat_s", "escalate_s") if k in entry}
    if any(not isinstance(v, int | float) or v < 0 for v in numbers.values()):
        raise RuleConfigError(f"{where}: pending_s, repeat_s and escalate_s are seconds >= 0")
    clear = entry.get("clear_after", 2)
    if not isinstance(clear, int) or clear < 1:
        raise RuleConfigError(f"{where}: clear_after must be a whole number from 1")
    days = {k: entry[k] for k in ("critical_days", "clear_days", "grace_days") if k in entry}
    if any(not isinstance(v, int) or v < 0 for v in days.values()):
        raise RuleConfigError(f"{where}: critical_days, clear_days and grace_days are whole "
                              "days >= 0")  # fmt: skip
    return Rule(rule_id, entry.get("severity", "warning"), bool(entry.get("recognition", False)),
                float(numbers.get("pending_s", 0)), clear,
                float(numbers.get("repeat_s", 604_800)), float(numbers.get("escalate_s", 259_200)),
                bool(entry.get("inhibit", True)), days.get("critical_days"),
                days.get("clear_days", 7), days.get("grace_days", 0))  # fmt: skip
