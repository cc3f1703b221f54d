"""Read and validate a classification file; the only module here that does I/O."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from shared.classification.classifier import Classifier
from shared.classification.errors import ClassificationError
from shared.classification.index import build_index
from shared.classification.schema import ClassificationFile

PACKAGED_FILE = "kpi_groups.toml"


def load_classification(path: Path | None = None) -> Classifier:
    """The classifier defined by ``path`` (default: the file packaged with this module).

    Raises ``ClassificationError`` naming the file, the entry and the problem.
    """
    source = str(path) if path is not None else f"{__package__}/{PACKAGED_FILE}"
    raw = _parse(_read(path, source), source)
    try:
        file = ClassificationFile.model_validate(raw)
    except ValidationError as exc:
        raise ClassificationError(_explain(source, raw, exc)) from None
    try:
        return Classifier(file.version, build_index(file))
    except ClassificationError as exc:
        raise ClassificationError(f"{source}: {exc}") from None


def _read(path: Path | None, source: str) -> bytes:
    try:
        if path is None:
            return resources.files(__package__).joinpath(PACKAGED_FILE).read_bytes()
        return path.read_bytes()
    except OSError as exc:
        raise ClassificationError(f"{source}: cannot read the classification file: {exc}") from None


def _parse(data: bytes, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ClassificationError(f"{source}: not a valid TOML file: {exc}") from None


def _explain(source: str, raw: dict[str, Any], exc: ValidationError) -> str:
    problems = [_problem(raw, error) for error in exc.errors()]
    return f"{source}: invalid classification file: " + "; ".join(problems)


def _problem(raw: dict[str, Any], error: ErrorDetails) -> str:
    loc = error["loc"]
    if len(loc) >= 2 and isinstance(loc[1], int):
        entry = f"{loc[0]}[{loc[1]}] {_entry_label(raw[str(loc[0])][loc[1]])}"
        field = ".".join(map(str, loc[2:])) or "entry"
        return f"{entry}: {field}: {error['msg']}"
    return f"{'.'.join(map(str, loc)) or 'file'}: {error['msg']}"


def _entry_label(entry: object) -> str:
    if not isinstance(entry, dict):
        return "(not a table)"
    names = [f"{key}={entry[key]!r}" for key in ("major", "minor", "name", "slug") if key in entry]
    return f"({', '.join(names)})"
