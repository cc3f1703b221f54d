"""police.uk API ``crimes-street`` JSON (one array per file, or a folder of them) → intakes.

A crime's id is its ``persistent_id`` (the bulk CSV's Crime ID, so the two formats agree); a
``persistent_id`` shared by several records (several offences) gives ``<id>``, ``<id>:2`` … by
record, in sorted file order. A record repeated in a neighbouring polygon's file keeps the id
it was first given. ASB records become incidents ``police-uk-api-<id>``; British Transport
Police records (``location_type`` BTP) are rejected as ``out_of_area``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from services.ingest.importers.errors import ImportFormatError
from services.ingest.importers.police_uk_records import Records
from services.ingest.importers.rejects import Item, Rejector, source_name
from shared.contracts import RejectReason

FORMAT: Final = "police-uk-json"
SOURCE: Final = "import:police-uk-json"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def parse(path: Path, *, source: str | None = None) -> Iterator[Item]:
    """Each record of each file (a folder: its ``*.json`` in name order), numbered from 1."""
    rejector = Rejector(source_name(source, SOURCE), "police-uk")
    records = Records(rejector)
    for file in json_files(path):
        loaded = _load(file, rejector)
        if isinstance(loaded, list):
            yield from map(records.item, loaded)
        else:
            yield loaded


def count_rows(path: Path) -> int:
    """Records in the file or folder (a file that cannot be read counts 0)."""
    total = 0
    for file in json_files(path):
        try:
            data = json.loads(file.read_bytes().decode("utf-8-sig"))
        except ValueError:
            continue
        total += len(data) if isinstance(data, list) else 0
    return total


def json_files(path: Path) -> list[Path]:
    """The file itself, or a folder's ``*.json`` files in name order."""
    if not path.is_dir():
        return [path]
    files = sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file())
    if not files:
        raise ImportFormatError(f"{path} holds no .json files")
    return files


def _load(file: Path, rejector: Rejector) -> list[object] | Item:
    raw = file.read_bytes()
    ref = f"police-uk:file:{_UNSAFE.sub('-', file.name)}"[:128]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = f"{file.name} is not valid UTF-8 (byte {exc.start + 1})"
        original = raw.decode("utf-8", "replace")
        return rejector.reject(None, RejectReason.BAD_ENCODING, "(file)", problem, original, ref)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problem = (
            f"{file.name} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        )
        return rejector.reject(None, RejectReason.INVALID_JSON, "(file)", problem, text, ref)
    if not isinstance(data, list):
        raise ImportFormatError(
            f"{file.name} is not a police.uk API crimes file: expected a JSON array of crime "
            f"records, found a JSON {type(data).__name__}"
        )
    return data
