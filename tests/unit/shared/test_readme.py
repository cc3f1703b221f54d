from __future__ import annotations

from pathlib import Path

from snt.commands.config import settings_classes, with_table

ROOT = Path(__file__).resolve().parents[3]


def test_readme_configuration_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text()
    assert with_table(readme) == readme, (
        "README configuration table is stale: run `.venv/bin/snt config --readme README.md`"
    )


def test_readme_names_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    for cls in settings_classes():
        for field in cls.model_fields:
            own = f"{cls.env_prefix()}{field.upper()}"
            common = f"SNT_<SVC>_{field.upper()}"
            assert own in readme or common in readme, f"{own} is not documented in README.md"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme
    assert "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci
