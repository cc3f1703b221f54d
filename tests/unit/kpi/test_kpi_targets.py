"""The versioned target configuration: the packaged file, and clear errors for bad ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.kpi.domain.targets import Significance
from services.kpi.target_config import TargetConfigError, load_targets


def test_the_packaged_targets() -> None:
    targets = load_targets()
    assert targets.version == "2026.3"
    ratios = {g: (t.kpi, t.ratio) for g, t in targets.by_group.items()}
    assert ratios == {"violence": (1, 0.98), "property": (4, 0.99), "asb": (5, None)}
    assert targets.spc_min_points == 12
    assert targets.significance == Significance(fdr=0.05, winsor=0.10, min_units=10)


TARGETS = """
[[target]]
kpi = 1
group = "violence"
[[target]]
kpi = 4
group = "property"
[[target]]
kpi = 5
group = "asb"
"""


@pytest.mark.parametrize(("spc", "min_points"), [("", 12), ("[spc]\nmin_points = 15\n", 15),
                                                 ("[spc]\nmin_points = 2\n", 2)])  # fmt: skip
def test_the_spc_minimum_points(tmp_path: Path, spc: str, min_points: int) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(f'version = "x"\n{spc}{TARGETS}')
    assert load_targets(path).spc_min_points == min_points


@pytest.mark.parametrize("value", ["1", "25", "12.5", "true", '"12"'])
def test_a_bad_spc_minimum_is_refused(tmp_path: Path, value: str) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(f'version = "x"\n[spc]\nmin_points = {value}\n{TARGETS}')
    with pytest.raises(
        TargetConfigError, match=r"spc\.min_points must be a whole number from 2 to 24"
    ):
        load_targets(path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[target]]\nkpi = 1\ngroup = "violence"\n', "'version' must be a non-empty string"),
        ('version = "x"\n[[target]]\nkpi = 4\ngroup = "violence"\nchange = -0.02\n',
         "target[0]: kpi 4 does not match group 'violence'"),
        ('version = "x"\n[[target]]\nkpi = 1\ngroup = "violence"\nchange = -2\n',
         "target[0]: change must be a fraction such as -0.02"),
        ('version = "x"\n[[target]]\nkpi = 1\ngroup = "violence"\nchange = -0.02\n',
         "targets must cover exactly ['asb', 'property', 'violence']"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_naming_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(text)
    with pytest.raises(TargetConfigError) as raised:
        load_targets(path)
    assert problem in str(raised.value)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ("[significance]\nfdr = 0.7\n", "significance.fdr must be a fraction such as 0.05"),
        ("[significance]\nfdr = 5\n", "significance.fdr must be a fraction such as 0.05"),
        ("[significance]\nwinsor = 0.5\n", "significance.winsor must be a fraction"),
        ("[significance]\nmin_units = 2\n", "significance.min_units must be a whole number"),
        ("[significance]\nalpha = 0.05\n", "significance: unknown keys ['alpha']"),
    ],
)
def test_bad_significance_rules_are_refused(tmp_path: Path, section: str, problem: str) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(f'version = "x"\n{section}{TARGETS}')
    with pytest.raises(TargetConfigError, match=re.escape(problem)):
        load_targets(path)


def test_significance_rules_default_and_override(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(f'version = "x"\n{TARGETS}')
    assert load_targets(path).significance == Significance()
    path.write_text(f'version = "x"\n[significance]\nfdr = 0.01\nwinsor = 0\n{TARGETS}')
    assert load_targets(path).significance == Significance(fdr=0.01, winsor=0, min_units=10)
