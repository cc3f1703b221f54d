"""The committed JSON Schema of every (event_type, schema_version), and its regeneration.

Regenerate after changing a contract::

    .venv/bin/python -m shared.contracts.snapshot

Files of versions no longer defined in code are kept: they are the record of what old
producers may still send.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from shared.contracts.registry import ContractRegistry, default_registry, event_key

SCHEMA_DIR: Final = Path(__file__).resolve().parent / "schemas"
REGENERATE: Final = ".venv/bin/python -m shared.contracts.snapshot"

Schema = dict[str, Any]


def schema_filename(event_type: str, schema_version: int) -> str:
    return f"{event_type}.v{schema_version}.json"


def current_schemas(registry: ContractRegistry | None = None) -> dict[str, Schema]:
    """File name → JSON Schema of every class in the registry, as the code defines it now."""
    classes = (registry or default_registry()).classes()
    return {schema_filename(*event_key(cls)): cls.model_json_schema() for cls in classes}


def render(schema: Schema) -> str:
    """A schema as it is committed: indented, in the models' field order, newline-terminated."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def read_snapshot(directory: Path = SCHEMA_DIR) -> dict[str, Schema]:
    """File name → committed JSON Schema."""
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
    }


def stale_files(
    directory: Path = SCHEMA_DIR, registry: ContractRegistry | None = None
) -> list[str]:
    """Names of committed files that are missing or differ from the current code."""
    return [
        name
        for name, schema in current_schemas(registry).items()
        if not (directory / name).is_file()
        or (directory / name).read_text(encoding="utf-8") != render(schema)
    ]


def write_schema_snapshot(
    directory: Path = SCHEMA_DIR, registry: ContractRegistry | None = None
) -> list[Path]:
    """Write the current schema of every registered class; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in current_schemas(registry).items():
        path = directory / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the contract JSON Schema snapshot.")
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR, help="snapshot directory")
    args = parser.parse_args(argv)
    for path in write_schema_snapshot(args.dir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
