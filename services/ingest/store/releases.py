"""The SQL store's releases: their records, the applied cells of a window (read in one scan
of the dataset's ids per import) and the cells of held releases."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, delete, select

from services.ingest.domain.intake import CountIntake
from services.ingest.domain.releases import AreaMonth, ReleaseRecord, ReleaseWindow
from services.ingest.store import tables as t
from services.ingest.store.codec import (
    cell_row,
    dump_findings,
    id_month,
    load_cell,
    load_findings,
    month_text,
    text_month,
)


def _aware(at: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes (stored as UTC)."""
    return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)


def _record(r: Any) -> ReleaseRecord:
    window = ReleaseWindow(r.dataset, text_month(r.first_month), text_month(r.last_month))
    return ReleaseRecord(
        window, r.digest, r.status, r.source, _aware(r.imported_at) or datetime.now(UTC),
        load_findings(r.findings), r.rule, _aware(r.decided_at), r.decided_by, r.note,
    )  # fmt: skip


def _row(record: ReleaseRecord) -> dict[str, Any]:
    w = record.window
    return {
        "release_id": record.release_id, "dataset": w.dataset,
        "first_month": month_text(w.first), "last_month": month_text(w.last),
        "digest": record.digest, "status": record.status, "source": record.source,
        "imported_at": record.imported_at, "rule": record.rule,
        "findings": dump_findings(record.findings), "decided_at": record.decided_at,
        "decided_by": record.decided_by, "note": record.note,
    }  # fmt: skip


class SqlReleases:
    """Release bookkeeping; each call is its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def releases(self, dataset: str | None = None) -> list[ReleaseRecord]:
        query = select(t.releases)
        if dataset is not None:
            query = query.where(t.releases.c.dataset == dataset)
        with self._engine.connect() as conn:
            found = [_record(r) for r in conn.execute(query)]
        return sorted(found, key=lambda r: (r.window.dataset, r.window.order))

    def release(self, release_id: str) -> ReleaseRecord | None:
        query = select(t.releases).where(t.releases.c.release_id == release_id)
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _record(row)

    def save_release(self, record: ReleaseRecord) -> None:
        """Insert or replace the release's row (one row: typed values through the table)."""
        with self._engine.begin() as conn:
            conn.execute(delete(t.releases).where(t.releases.c.release_id == record.release_id))
            conn.execute(t.releases.insert().values(**_row(record)))

    def live_cells(self, dataset: str, months: Sequence[date]) -> set[str]:
        return {cell_id for cell_id, _row, _month, _value in self._window(dataset, months)}

    def area_totals(self, dataset: str, months: Sequence[date]) -> dict[AreaMonth, int]:
        totals: Counter[tuple[str, str]] = Counter()
        for _cell_id, row_id, month, value in self._window(dataset, months):
            totals[(row_id, month)] += value
        if not totals:
            return {}
        areas = self._areas(dataset)
        found: Counter[AreaMonth] = Counter()
        for (row_id, month), value in totals.items():
            found[(areas[row_id], id_month(month))] += value
        return {key: value for key, value in found.items() if value}

    def _window(self, dataset: str, months: Sequence[date]) -> Iterator[tuple[str, str, str, int]]:
        """The dataset's non-zero cells in ``months``: (cell id, row id, ``YYYYMM``, value),
        read in one scan (its ids begin ``<dataset>:``; no collation-dependent range)."""
        wanted = {f"{m:%Y%m}" for m in months}
        if not wanted:
            return
        c = t.cells.c
        prefix = c.cell_id.startswith(f"{dataset}:", autoescape=True)
        query = select(c.cell_id, c.value).where(prefix, c.value != 0)
        with self._engine.connect() as conn:
            for r in conn.execute(query):
                row_id, month = cell_row(r.cell_id)
                if month in wanted:
                    yield r.cell_id, row_id, month, r.value

    def _areas(self, dataset: str) -> dict[str, str]:
        query = select(t.rows.c.row_id, t.rows.c.area).where(t.rows.c.dataset == dataset)
        with self._engine.connect() as conn:
            return {r.row_id: r.area for r in conn.execute(query)}

    def held_cells(self, release_id: str, after: str, limit: int) -> list[CountIntake]:
        h = t.held_cells.c
        query = (select(t.held_cells).where(h.release_id == release_id, h.cell_id > after)
                 .order_by(h.cell_id).limit(limit))  # fmt: skip
        with self._engine.connect() as conn:
            return [load_cell(r.cell_id, r, text_month(r.month), r.value, r.source, r.line)
                    for r in conn.execute(query)]  # fmt: skip

    def drop_held(self, release_id: str) -> int:
        with self._engine.begin() as conn:
            done = conn.execute(delete(t.held_cells).where(t.held_cells.c.release_id == release_id))
        return int(done.rowcount)
