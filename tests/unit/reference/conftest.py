"""Fixtures for the London reference data tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from shared.reference import LondonReference, load_reference
from shared.reference.loader import DEFAULT_DATA_DIR
from shared.reference.sources import DATA_FILES
from tests.support.services import unavailable

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The published source data beside the repository (read-only)."""
    if not SHARED_DATA.is_dir():
        unavailable("shared data", f"{SHARED_DATA} does not exist")
    return SHARED_DATA


@pytest.fixture(scope="session")
def reference() -> LondonReference:
    return load_reference()


DataCopy = Callable[[Mapping[str, str | None]], Path]


@pytest.fixture
def data_copy(tmp_path: Path) -> DataCopy:
    """A data directory linking to the packaged files, with chosen files replaced.

    Maps a file name to its new text, or to None to leave the file out.
    """

    def make(replacements: Mapping[str, str | None]) -> Path:
        for name in DATA_FILES:
            target = tmp_path / name
            if name not in replacements:
                target.symlink_to(DEFAULT_DATA_DIR / name)
            elif (text := replacements[name]) is not None:
                target.write_text(text, encoding="utf-8")
        return tmp_path

    return make
