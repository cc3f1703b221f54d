"""Ingest databases made before published cells were kept by release, brought up to date at
start-up (``create_schema``), once, in the one transaction that also drops the old table.

- ``ingest_cell`` (before releases): a cell's id, value and revision, nothing about what the
  cell is, and ward cells keyed ``mps-ward:<ward>:<YYYYMM>:<hash>``, without the borough
  label. A ward cell is re-keyed ``mps-ward:<ward>:<slug of label>:<YYYYMM>:<hash>`` (so the
  next import of its file finds it, instead of counting it again); borough cells keep their
  ids. What each cell is comes from its first count event (``...:r1``): the category
  (``offence``, checked against the id's hash), the ward and the borough or special unit it
  was counted for. The label is the reference's name for them as the MPS files publish it: a
  ward of a special unit (Heathrow Villages) under the unit's name, any other ward under its
  borough's name, and a borough cell under the reference label whose slug its id names.
- ``ingest_count_cell`` (releases, one wide row per cell): split into cells and rows.

A cell that cannot be described exactly, or whose new id is held already (the database would
count it twice), stops the start-up with ``LegacyCellsError``, naming the database and how to
rebuild it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from hashlib import sha256
from typing import Any

import orjson
from sqlalchemy import Connection, inspect, select, text

from services.ingest.domain.canonical import bounded_id
from services.ingest.domain.intake import Category
from services.ingest.importers.mps_wide import slug
from services.ingest.store import tables as t
from services.ingest.store.codec import ROW_COLUMNS, cell_row
from shared.db import BulkSql
from shared.reference import LondonReference

BEFORE_RELEASES = "ingest_cell"
WIDE_CELLS = "ingest_count_cell"
CHUNK = 500
REBUILD = (
    "stop the ingest service, move the database aside, import the published files again "
    "(snt import mps-ward-csv FILE, snt import mps-borough-csv FILE, oldest window first), "
    "then rebuild the KPI state from the new event store (snt kpi rebuild)"
)

Row = tuple[Any, ...]
"""A published row's ``ROW_COLUMNS`` values."""


class LegacyCellsError(RuntimeError):
    """An ingest database whose published cells cannot be brought up to date exactly."""


class _UnknownCellError(Exception):
    """What makes one legacy cell impossible to describe exactly."""


def upgrade(conn: Connection, reference: Callable[[], LondonReference]) -> None:
    """Bring the database's published cells to ``ingest_published_cell`` and
    ``ingest_published_row``, if they are still in a table of an earlier layout."""
    names = set(inspect(conn).get_table_names())
    if WIDE_CELLS in names:
        _from_wide(conn)
    if BEFORE_RELEASES in names:
        _from_before_releases(conn, reference())


def _from_wide(conn: Connection) -> None:
    columns = ", ".join(f'"{c}"' for c in ("cell_id", "value", "revision", *ROW_COLUMNS))
    found = conn.execute(text(f'SELECT {columns} FROM "{WIDE_CELLS}"')).all()
    rows = {cell_row(r[0])[0]: tuple(r[3:]) for r in found}
    _store(conn, [(r[0], r[1], r[2]) for r in found], rows, WIDE_CELLS)
    conn.execute(text(f'DROP TABLE "{WIDE_CELLS}"'))


def _from_before_releases(conn: Connection, reference: LondonReference) -> None:
    found = conn.execute(text(f'SELECT cell_id, value, revision FROM "{BEFORE_RELEASES}"')).all()
    payloads = _first_payloads(conn, [r.cell_id for r in found])
    names = _Names(reference)
    cells: list[tuple[str, int, int]] = []
    rows: dict[str, Row] = {}
    for r in found:
        try:
            new_id, row = names.describe(r.cell_id, payloads.get(r.cell_id))
        except _UnknownCellError as exc:
            raise _refused(conn, f"cell {r.cell_id} of {BEFORE_RELEASES}: {exc}") from None
        cells.append((new_id, r.value, r.revision))
        rows[cell_row(new_id)[0]] = row
    _store(conn, cells, rows, BEFORE_RELEASES)
    conn.execute(text(f'DROP TABLE "{BEFORE_RELEASES}"'))


def _first_payloads(conn: Connection, cell_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each cell's first count event's payload, by cell id."""
    by_event = {bounded_id("cell", cell_id, "r1"): cell_id for cell_id in cell_ids}
    found: dict[str, dict[str, Any]] = {}
    for part in _chunks(sorted(by_event)):
        query = select(t.events.c.event_id, t.events.c.envelope)
        for r in conn.execute(query.where(t.events.c.event_id.in_(part))):
            found[by_event[r.event_id]] = orjson.loads(r.envelope)["payload"]
    return found


class _Names:
    """The borough labels of legacy cells, from the reference data, as MPS files spell them."""

    def __init__(self, reference: LondonReference) -> None:
        self._units = {u.code: (u.name, *u.labels) for u in reference.special_units}
        self._boroughs = {b.code: b.name for b in reference.boroughs()}

    def describe(self, cell_id: str, payload: dict[str, Any] | None) -> tuple[str, Row]:
        """The cell's id in the current format and its row's ``ROW_COLUMNS`` values."""
        if payload is None:
            raise _UnknownCellError("its first count event is not in the event store")
        category = _category(cell_id, payload)
        dataset, *area, month, digest = cell_id.split(":")
        if dataset == "mps-ward" and len(area) == 1:
            return self._ward(area[0], month, digest, category, payload)
        if dataset == "mps-borough" and len(area) == 1:
            return cell_id, self._borough(area[0], category, payload)
        raise _UnknownCellError("its id is not a ward or borough cell id of an MPS monthly file")

    def _ward(
        self, code: str, month: str, digest: str, category: Category, payload: dict[str, Any]
    ) -> tuple[str, Row]:
        if payload.get("ward_code") != code:
            raise _UnknownCellError(f"its count event names ward {payload.get('ward_code')}")
        label = self._ward_label(payload)
        row = ("mps-ward", code, "ward", *_what(category), code, label)
        return f"mps-ward:{code}:{slug(label)}:{month}:{digest}", row

    def _ward_label(self, payload: dict[str, Any]) -> str:
        unit = payload.get("reporting_unit")
        if unit is not None:
            if unit not in self._units:
                raise _UnknownCellError(f"the reference data have no special unit {unit}")
            return self._units[unit][0]  # ward files publish a unit's wards under its name
        borough = self._boroughs.get(payload.get("borough_code") or "")
        if borough is None:
            raise _UnknownCellError(
                f"the reference data have no borough {payload.get('borough_code')}"
            )
        return borough

    def _borough(self, area: str, category: Category, payload: dict[str, Any]) -> Row:
        matching = {label for label in self._labels(payload) if slug(label) == area}
        if len(matching) != 1:
            raise _UnknownCellError(f"no single reference label of its borough or unit is {area!r}")
        label = matching.pop()
        return ("mps-borough", label, "borough_total", *_what(category), None, label)

    def _labels(self, payload: dict[str, Any]) -> tuple[str, ...]:
        """The reference's labels of the borough or special unit a cell was counted for."""
        unit = payload.get("reporting_unit")
        if unit:
            return self._units.get(unit, ())
        borough = self._boroughs.get(payload.get("borough_code") or "")
        return (borough,) if borough else ()


def _category(cell_id: str, payload: dict[str, Any]) -> Category:
    """The cell's category from its count event, checked against the hash its id ends with."""
    offence = payload.get("offence")
    if not offence:
        raise _UnknownCellError("its count event names no offence")
    category = Category(offence["taxonomy"], offence["major"], offence["minor"])
    digest = sha256(f"{category.taxonomy}|{category.major}|{category.minor}".encode())
    if not cell_id.endswith(f":{digest.hexdigest()[:16]}"):
        raise _UnknownCellError("its count event's offence is not the category its id names")
    return category


def _what(category: Category) -> tuple[str, str, str | None]:
    return category.taxonomy, category.major, category.minor


def _store(
    conn: Connection, cells: list[tuple[str, int, int]], rows: dict[str, Row], table: str
) -> None:
    """Write the cells and their rows; a cell held already would be counted twice: refused."""
    ids = [c[0] for c in cells]
    if len(set(ids)) != len(ids):
        raise _refused(conn, f"two cells of {table} are one cell in the current format")
    for part in _chunks(sorted(ids)):
        held = conn.execute(select(t.cells.c.cell_id).where(t.cells.c.cell_id.in_(part))).first()
        if held is not None:
            raise _refused(conn, f"cell {held.cell_id} is held in {table} and in {t.cells.name}")
    sql = BulkSql(conn)
    sql.insert(t.rows.name, ("row_id", *ROW_COLUMNS), [(k, *v) for k, v in rows.items()],
               conflict=("row_id",))  # fmt: skip
    sql.insert(t.cells.name, ("cell_id", "value", "revision"), sorted(cells))


def _refused(conn: Connection, why: str) -> LegacyCellsError:
    database = conn.engine.url.render_as_string(hide_password=True)
    return LegacyCellsError(
        f"the ingest database {database} keeps published cells from before releases that "
        f"cannot be brought up to date exactly ({why}); they were left as they were. To "
        f"rebuild it: {REBUILD}."
    )


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]
