"""Loading the versioned target configuration (TOML) into :class:`Targets`: the KPI targets,
the SPC setting and the significance rules across many areas."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from services.kpi.domain.spc_view import WINDOW
from services.kpi.domain.stats import MIN_POINTS
from services.kpi.domain.targets import KPI_OF_GROUP, Significance, Target, Targets

DEFAULT_PATH = Path(__file__).with_name("targets.toml")


class TargetConfigError(ValueError):
    pass


def load_targets(path: Path = DEFAULT_PATH) -> Targets:
    """The targets in ``path``; a clear error naming the entry and the problem otherwise."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise TargetConfigError(f"{path}: 'version' must be a non-empty string")
    targets = [_target(path, i, entry) for i, entry in enumerate(data.get("target", []))]
    by_group = {t.group: t for t in targets}
    if set(by_group) != set(KPI_OF_GROUP):
        raise TargetConfigError(f"{path}: targets must cover exactly {sorted(KPI_OF_GROUP)}")
    return Targets(version, by_group, _spc_min_points(path, data.get("spc", {})),
                   _significance(path, data.get("significance", {})))  # fmt: skip


def _significance(path: Path, entry: Any) -> Significance:
    """The significance rules; each missing key keeps its default."""
    if not isinstance(entry, dict):
        raise TargetConfigError(f"{path}: [significance] must be a table")
    unknown = set(entry) - {"fdr", "winsor", "min_units"}
    if unknown:
        raise TargetConfigError(f"{path}: significance: unknown keys {sorted(unknown)}")
    found = Significance(**entry)
    if not (isinstance(found.fdr, float) and 0.0 < found.fdr < 0.5):
        raise TargetConfigError(f"{path}: significance.fdr must be a fraction such as 0.05")
    if not (isinstance(found.winsor, float | int) and 0.0 <= found.winsor < 0.5):
        raise TargetConfigError(f"{path}: significance.winsor must be a fraction from 0 to "
                                "below 0.5, such as 0.10")  # fmt: skip
    if type(found.min_units) is not int or found.min_units < 3:
        raise TargetConfigError(f"{path}: significance.min_units must be a whole number of "
                                "at least 3")  # fmt: skip
    return found


def _spc_min_points(path: Path, entry: Any) -> int:
    found = entry.get("min_points", MIN_POINTS) if isinstance(entry, dict) else None
    most = WINDOW["month"]
    if type(found) is not int or not 2 <= found <= most:
        raise TargetConfigError(f"{path}: spc.min_points must be a whole number from 2 to "
                                f"{most} (the points of a monthly chart)")  # fmt: skip
    return found


def _target(path: Path, index: int, entry: Any) -> Target:
    where = f"{path}: target[{index}]"
    group, kpi, change = entry.get("group"), entry.get("kpi"), entry.get("change")
    if KPI_OF_GROUP.get(group) != kpi:
        raise TargetConfigError(f"{where}: kpi {kpi!r} does not match group {group!r}")
    if change is not None and not (isinstance(change, float | int) and -1 < change < 1):
        raise TargetConfigError(f"{where}: change must be a fraction such as -0.02")
    return Target(kpi, group, None if change is None else float(change))
