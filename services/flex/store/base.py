"""What the flex service needs from its database: the latest duty versions, KPI statuses,
applied event ids and offsets, written together in one transaction per consumed batch."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from services.flex.domain.ledger import Duty
from shared.consumer import Event as T
from shared.consumer import Position, Resume

StoredDuty = tuple[str, int, Duty | None]
"""(duty id, version, the duty or None when cancelled)."""


class FlexUnit(Protocol):
    def claim(self, items: Sequence[T]) -> list[T]:
        """``items`` whose event ids were never applied (the first of each id in the batch),
        their ids recorded as applied."""
        ...

    def put(self, duties: Sequence[StoredDuty], statuses: Mapping[tuple[str, int], bool],
            offsets: Mapping[Position, int], epoch: str | None = None) -> None:  # fmt: skip
        """Store the newer duty versions and statuses and the next offsets (in the broker
        log of ``epoch``)."""
        ...


class FlexStore(Protocol):
    def unit(self) -> AbstractContextManager[FlexUnit]:
        """One transaction: committed on a clean exit, rolled back on an exception."""
        ...

    def load(self) -> Iterator[StoredDuty]:
        """Every stored duty version."""
        ...

    def statuses(self) -> dict[tuple[str, int], bool]: ...

    def offsets(self) -> dict[Position, int]: ...

    def resume_points(self) -> dict[Position, Resume]: ...

    def applied(self) -> int: ...
