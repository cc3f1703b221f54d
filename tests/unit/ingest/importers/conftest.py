"""Fixtures for the bulk-file parser tests: the real published files beside the repository."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from shared.reference import LondonReference, load_reference
from tests.support.services import unavailable

SHARED_DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """``/work/shared/data``: the real files (read-only)."""
    if not SHARED_DATA.is_dir():
        unavailable("shared data", f"{SHARED_DATA} does not exist")
    return SHARED_DATA


@pytest.fixture(scope="session")
def reference() -> LondonReference:
    return load_reference()


CsvRows = Callable[[Path], list[dict[str, str]]]


@pytest.fixture(scope="session")
def csv_rows() -> CsvRows:
    """A file's data rows read with the csv module alone (the independent computation)."""

    def read(path: Path) -> list[dict[str, str]]:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    return read


Write = Callable[[str, str | bytes], Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write a small file (text as UTF-8, or raw bytes) under tmp_path and return its path."""

    def make(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return make
