"""The versioned target configuration: the packaged file, and clear errors for bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.kpi.target_config import TargetConfigError, load_targets


def test_the_packaged_targets() -> None:
    targets = load_targets()
    assert targets.version == "2026.1"
    ratios = {g: (t.kpi, t.ratio) for g, t in targets.by_group.items()}
    assert ratios == {"violence": (1, 0.98), "property": (4, 0.99), "asb": (5, None)}


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
