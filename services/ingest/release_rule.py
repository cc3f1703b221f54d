"""Loading the versioned hold rule for releases (TOML) into a :class:`PlausibilityRule`."""

from __future__ import annotations

import tomllib
from pathlib import Path

from services.ingest.domain.releases import PlausibilityRule

DEFAULT_PATH = Path(__file__).with_name("release_rule.toml")


class ReleaseRuleError(ValueError):
    pass


def load_release_rule(path: Path = DEFAULT_PATH) -> PlausibilityRule:
    """The rule in ``path``; a clear error naming the field and the problem otherwise."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = sorted(set(data) - {"version", "max_fall", "min_area_count"})
    if unknown:
        raise ReleaseRuleError(f"{path}: unknown keys {unknown}")
    version, fall, base = data.get("version"), data.get("max_fall"), data.get("min_area_count")
    if not isinstance(version, str) or not version:
        raise ReleaseRuleError(f"{path}: 'version' must be a non-empty string")
    if not isinstance(fall, int | float) or not 0 < fall <= 1:
        raise ReleaseRuleError(f"{path}: 'max_fall' must be a share above 0 and at most 1")
    if not isinstance(base, int) or base < 0:
        raise ReleaseRuleError(f"{path}: 'min_area_count' must be a whole number from 0")
    return PlausibilityRule(float(fall), base, version)
