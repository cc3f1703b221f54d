"""Loading the versioned target configuration (TOML) into :class:`Targets`: the KPI targets
and the SPC setting."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from services.kpi.domain.spc_view import WINDOW
from services.kpi.domain.stats import MIN_POINTS
from services.kpi.domain.targets import KPI_OF_GROUP, Target, Targets

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
    return Targets(version, by_group, _spc_min_points(path, data.get("spc", {})))


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
