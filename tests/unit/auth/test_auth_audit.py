"""The access audit refuses a personal-level read that does not say why."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.auth import (
    AccessOutcome,
    MemoryAccessLog,
    MissingPurposeError,
    Principal,
    Role,
    record_access,
)

NOW = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
INSPECTOR = Principal("t-insp", "Cluster 2 inspector", Role.CLUSTER_INSPECTOR, wards=frozenset())


@pytest.mark.parametrize("purpose", ["", "   ", "\n\t"])
def test_empty_purpose_is_refused_with_a_clear_error(purpose: str) -> None:
    log = MemoryAccessLog()
    with pytest.raises(MissingPurposeError) as caught:
        record_access(
            log,
            principal=INSPECTOR,
            resource="repeat-callers/E05013652",
            record_ids=["c:1"],
            purpose=purpose,
            now=NOW,
        )
    assert str(caught.value) == (
        "a purpose is required to read personal-level records (repeat-callers/E05013652): "
        "say why they are needed"
    )
    assert log.list() == []


def test_a_read_records_who_what_when_and_why() -> None:
    log = MemoryAccessLog()
    record = record_access(
        log,
        principal=INSPECTOR,
        resource="repeat-callers/E05013652",
        record_ids=("c:1", "c:2"),
        purpose="ward panel: vulnerable repeat callers",
        now=NOW,
    )
    assert log.list() == [record]
    assert record.model_dump() == {
        "at": NOW,
        "token_id": "t-insp",
        "principal_name": "Cluster 2 inspector",
        "role": Role.CLUSTER_INSPECTOR,
        "resource": "repeat-callers/E05013652",
        "record_ids": ("c:1", "c:2"),
        "purpose": "ward panel: vulnerable repeat callers",
        "outcome": AccessOutcome.GRANTED,
    }
