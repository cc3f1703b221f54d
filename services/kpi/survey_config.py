"""Loading the versioned survey configuration (TOML) into :class:`SurveyConfig`."""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from services.kpi.domain.survey import LEVELS, DesignEffects, Level
from services.kpi.domain.survey_figures import MeasureSpec, SurveyConfig

DEFAULT_PATH = Path(__file__).with_name("surveys.toml")
SURVEYS: tuple[str, ...] = ("pas", "uss")


class SurveyConfigError(ValueError):
    pass


def load_survey_config(boroughs: Collection[str], path: Path = DEFAULT_PATH) -> SurveyConfig:
    """The configuration in ``path``, checked against the MPS ``boroughs``; a clear error
    naming the entry and the problem otherwise."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise SurveyConfigError(f"{path}: 'version' must be a non-empty string")
    deff = _design_effects(path, data.get("design_effect"))
    assumed = data.get("assumed_n", {})
    if not all(isinstance(v, int | float) and v > 0 for v in assumed.values()):
        raise SurveyConfigError(f"{path}: every assumed_n must be a positive number")
    measures = tuple(_measure(path, i, m) for i, m in enumerate(data.get("measure", [])))
    kpis = sorted(m.kpi for m in measures if m.kpi is not None)
    if kpis != [6, 7]:
        raise SurveyConfigError(f"{path}: measures must include KPI 6 and KPI 7 once each")
    peers_table = data.get("peers", {})
    return SurveyConfig(version, deff, {k: float(v) for k, v in assumed.items()},
                        measures, _peers(path, peers_table.get("groups", {}), boroughs),
                        str(peers_table.get("rule", "configured")))  # fmt: skip


def _design_effects(path: Path, table: Any) -> DesignEffects:
    """``[design_effect.<survey>]`` with ``force`` and ``borough``, each at least 1, and a
    force's at least its boroughs' (the MPS figure is never more precise than its boroughs'
    samples together)."""
    out: dict[tuple[str, Level], float] = {}
    for survey in SURVEYS:
        levels = table.get(survey) if isinstance(table, dict) else None
        for level in LEVELS:
            value = levels.get(level) if isinstance(levels, dict) else None
            if not isinstance(value, int | float) or value < 1:
                raise SurveyConfigError(
                    f"{path}: design_effect.{survey}.{level} must be a number of at least 1"
                )
            out[(survey, level)] = float(value)
        if out[(survey, "force")] < out[(survey, "borough")]:
            raise SurveyConfigError(
                f"{path}: design_effect.{survey}.force must be at least its borough value"
            )
    return DesignEffects(out)


def _measure(path: Path, index: int, entry: Any) -> MeasureSpec:
    where = f"{path}: measure[{index}]"
    survey, measure, label = entry.get("survey"), entry.get("measure"), entry.get("label")
    if survey not in ("pas", "uss") or not measure or not label:
        raise SurveyConfigError(f"{where}: needs survey (pas or uss), measure and label")
    kpi, points = entry.get("kpi"), entry.get("target_points")
    if kpi not in (None, 6, 7):
        raise SurveyConfigError(f"{where}: kpi must be 6 or 7 when given")
    if points is not None and not (isinstance(points, int | float) and 0 <= points < 100):
        raise SurveyConfigError(f"{where}: target_points must be percentage points, e.g. 1.0")
    return MeasureSpec(survey, measure, label, kpi, None if points is None else float(points))


def _peers(path: Path, groups: dict[str, list[str]],
           boroughs: Collection[str]) -> dict[str, tuple[str, ...]]:  # fmt: skip
    seen: dict[str, str] = {}
    for name, members in groups.items():
        for code in members:
            if code not in boroughs:
                raise SurveyConfigError(
                    f"{path}: peers.groups.{name}: {code} is not an MPS borough"
                )
            if code in seen:
                raise SurveyConfigError(
                    f"{path}: {code} is in peer groups {seen[code]!r} and {name!r}"
                )
            seen[code] = name
    missing = sorted(set(boroughs) - set(seen))
    if groups and missing:
        raise SurveyConfigError(f"{path}: boroughs in no peer group: {missing}")
    return {code: tuple(c for c in groups[seen[code]] if c != code) for code in seen}
