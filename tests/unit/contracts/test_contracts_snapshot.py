"""The committed JSON Schemas: no breaking change, and up to date with the code."""

from __future__ import annotations

import json
from pathlib import Path

from shared.contracts import CrimeRecorded
from shared.contracts.compat import breaking_changes
from shared.contracts.registry import ContractRegistry
from shared.contracts.snapshot import (
    REGENERATE,
    SCHEMA_DIR,
    current_schemas,
    read_snapshot,
    render,
    stale_files,
    write_schema_snapshot,
)


def test_current_contracts_make_no_breaking_change_to_the_snapshot() -> None:
    committed = read_snapshot(SCHEMA_DIR)
    broken = {
        name: changes
        for name, schema in current_schemas().items()
        if name in committed and (changes := breaking_changes(committed[name], schema))
    }
    assert broken == {}, (
        "Breaking changes to a published schema version. Keep the old version and add a new "
        f"schema_version with an upcaster instead (docs/contracts.md): {broken}"
    )


def test_the_snapshot_is_up_to_date() -> None:
    stale = stale_files(SCHEMA_DIR)
    assert stale == [], f"Schema snapshot out of date for {stale}; run: {REGENERATE}"


def test_every_committed_schema_is_valid_json_named_by_type_and_version() -> None:
    for path in SCHEMA_DIR.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        event_type, version = path.name.removesuffix(".json").rsplit(".v", 1)
        assert schema["properties"]["event_type"]["const"] == event_type
        assert schema["properties"]["schema_version"]["const"] == int(version)


def test_write_and_compare_in_a_scratch_directory(tmp_path: Path) -> None:
    registry = ContractRegistry([CrimeRecorded])
    written = write_schema_snapshot(tmp_path, registry)
    assert [p.name for p in written] == ["crime.recorded.v1.json"]
    assert stale_files(tmp_path, registry) == []

    (tmp_path / "crime.recorded.v1.json").write_text(render({"title": "old"}), encoding="utf-8")
    assert stale_files(tmp_path, registry) == ["crime.recorded.v1.json"]
    (tmp_path / "crime.recorded.v1.json").unlink()
    assert stale_files(tmp_path, registry) == ["crime.recorded.v1.json"]


def test_a_breaking_edit_is_caught() -> None:
    schema = current_schemas()["crime.recorded.v1.json"]
    edited = json.loads(json.dumps(schema))
    edited["$defs"]["EthnicityGroup"]["enum"].remove("not_stated")
    edited["$defs"]["CrimeRecordedV1"]["required"].append("victim_id")
    assert breaking_changes(schema, edited) == [
        "payload.victim_id: became required",
        "payload.victim_ethnicity: enum narrowed, removed ['not_stated']",
    ]


def test_the_regenerate_command(tmp_path: Path, capsys: object) -> None:
    from shared.contracts.snapshot import main

    assert main(["--dir", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(current_schemas())
