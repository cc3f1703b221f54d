from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.architecture.import_rules import check_source, check_tree

ROOT = Path(__file__).resolve().parents[3]


def test_the_tree_follows_the_import_rules() -> None:
    violations = check_tree(ROOT)
    assert not violations, "\n".join(map(str, violations))


def test_every_service_package_is_checked() -> None:
    for name in ("ingest", "kpi", "flex", "alerts", "dashboard"):
        assert (ROOT / "services" / name / "app.py").is_file(), f"services/{name}/app.py missing"


@pytest.mark.parametrize(
    ("module", "source", "problem"),
    [
        ("shared.topics", "import services.kpi.app", "shared imports services.kpi.app"),
        ("shared.x", "from snt.cli import app", "shared imports snt.cli"),
        ("services.kpi.app", "from services.ingest import config", "service kpi imports"),
        ("services.kpi.handlers", "import snt.stack", "service kpi imports snt.stack"),
        ("services.kpi.domain.periods", "import sqlite3", "domain code imports sqlite3"),
        ("services.kpi.domain.periods", "from pathlib import Path", "domain code imports"),
        ("services.kpi.domain.periods", "import redis", "only the standard library"),
        ("services.kpi.domain.periods", "import fastapi", "only the standard library"),
        ("services.kpi.domain.periods", "from ..store import x", "domain code imports"),
        ("services.kpi.domain.periods", "x = open('f')", "calls open()"),
        ("services.kpi.domain.periods", "print(1)", "calls print()"),
    ],
)
def test_violations_are_reported(module: str, source: str, problem: str) -> None:
    violations = check_source(source, module, "x.py")
    assert any(problem in v.problem for v in violations), violations


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("services.kpi.app", "from services.kpi.domain import periods"),
        ("services.kpi.domain.periods", "from services.kpi.domain.stats import x"),
        ("services.kpi.domain.periods", "from .stats import x"),
        ("services.kpi.domain.periods", "import math, datetime\nfrom pydantic import BaseModel"),
        ("services.kpi.domain.periods", "from shared.contracts import KpiUpdateV1"),
        ("services.kpi.domain.stats.x", "from scipy.special import betainc"),
        ("services.kpi.domain.stats.x", "from statsmodels.stats.multitest import multipletests"),
        ("shared.topics", "from shared.contracts import registry"),
    ],
)
def test_allowed_imports_pass(module: str, source: str) -> None:
    assert check_source(source, module, "x.py") == []
