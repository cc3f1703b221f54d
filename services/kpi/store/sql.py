"""The kpi store on SQLAlchemy Core: SQLite (embedded) and PostgreSQL (distributed)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select

from services.kpi.domain.state import DayKey, Unit
from services.kpi.domain.survey import Published, SumKey, SumNet
from services.kpi.store import tables as t
from services.kpi.store.base import CategoryKey, ContactKey, ContactNet, MonthKey, StoredContact
from shared.consumer import Event as T
from shared.consumer import Position, Resume, event_id_of
from shared.db import BulkSql, claim, serialise_writers, writer
from shared.epoch import add_epoch_column

WRITER_LOCK = 0x534E_544B  # PostgreSQL advisory lock id of kpi's units of work ("SNTK")


def create_schema(engine: Engine) -> None:
    t.metadata.create_all(engine)
    add_epoch_column(engine, t.offsets.name)


class SqlKpiUnit:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def claim(self, changes: Sequence[T]) -> list[T]:
        return claim(self._conn, t.applied.c.event_id, changes, event_id_of)

    def add(self, net: Mapping[DayKey, int], categories: Mapping[CategoryKey, int],
            offsets: Mapping[Position, int], epoch: str | None = None) -> None:  # fmt: skip
        sql = BulkSql(self._conn)
        sql.add("kpi_count", _COUNT_KEYS, ("count",), [
            (u.kind, u.code, group, day, u.borough, month, delta)
            for (u, group, day, month), delta in net.items()
        ], fixed=("borough", "month"))  # fmt: skip
        sql.add("kpi_category", _CATEGORY_KEYS, ("count",), [
            (u.kind, u.code, group, day, category, delta)
            for (u, group, category, day), delta in categories.items()
        ])  # fmt: skip
        positions = [(topic, part, offset, epoch) for (topic, part), offset in offsets.items()]
        sql.upsert("kpi_offset", ("topic", "partition"), ("next_offset", "epoch"), positions)

    def add_monthly(self, keys: Iterable[MonthKey]) -> None:
        self._months("kpi_monthly", keys)

    def add_simulated(self, keys: Iterable[MonthKey]) -> None:
        self._months("kpi_simulated", keys)

    def _months(self, table: str, keys: Iterable[MonthKey]) -> None:
        BulkSql(self._conn).upsert(table, _MONTHLY_KEYS, ("borough",), [
            (u.kind, u.code, group, month, u.borough) for u, group, month in keys
        ])  # fmt: skip

    def add_contacts(self, contacts: Mapping[ContactKey, ContactNet]) -> None:
        BulkSql(self._conn).add("kpi_contact", _CONTACT_KEYS, ("count", "vulnerable"), [
            (kind, person, record, u.kind, u.code, u.borough, day, count, vulnerable)
            for (kind, person, record, u), (day, count, vulnerable) in contacts.items()
        ], fixed=("borough", "day"))  # fmt: skip

    def add_survey(self, sums: Mapping[SumKey, SumNet], published: Sequence[Published]) -> None:
        sql = BulkSql(self._conn)
        sql.add("kpi_survey_sum", _SURVEY_KEYS,
                ("respondents", "sum_w", "sum_w2", "sum_w_positive"),
                [(*key, *net) for key, net in sums.items()])  # fmt: skip
        latest = {p.key: p for p in published}  # the last of a key in the batch wins
        sql.upsert("kpi_survey_published", _PUBLISHED_KEYS, ("proportion", "n"),
                   [(*p.key, p.proportion, p.n) for p in latest.values()])  # fmt: skip


_SURVEY_KEYS = ("survey", "measure", "borough", "ethnicity", "month")
_PUBLISHED_KEYS = ("survey", "measure", "area", "respondent_group", "period_end")
_CONTACT_KEYS = ("person_kind", "person", "record_id", "unit_kind", "unit_code")
_MONTHLY_KEYS = ("unit_kind", "unit_code", "kpi_group", "month")
_COUNT_KEYS = ("unit_kind", "unit_code", "kpi_group", "day")
_CATEGORY_KEYS = ("unit_kind", "unit_code", "kpi_group", "day", "category")


class SqlKpiStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = writer(engine)

    @contextmanager
    def unit(self) -> Iterator[SqlKpiUnit]:
        with self._writer.begin() as conn:
            serialise_writers(conn, WRITER_LOCK)
            yield SqlKpiUnit(conn)

    def load(self) -> Iterator[tuple[DayKey, int]]:
        c = t.counts.c
        query = select(c.unit_kind, c.unit_code, c.borough, c.kpi_group, c.day, c.month, c.count)
        with self._engine.connect() as conn:
            rows: Any = conn.execute(query.where(c.count != 0))
            for kind, code, borough, group, day, month, count in rows:
                yield (Unit(kind, code, borough), group, day, month), count

    def load_monthly(self) -> Iterator[MonthKey]:
        return self._load_months(t.monthly)

    def load_simulated(self) -> Iterator[MonthKey]:
        return self._load_months(t.simulated)

    def _load_months(self, table: Table) -> Iterator[MonthKey]:
        c = table.c
        query = select(c.unit_kind, c.unit_code, c.borough, c.kpi_group, c.month)
        with self._engine.connect() as conn:
            rows: Any = conn.execute(query)
            for kind, code, borough, group, month in rows:
                yield Unit(kind, code, borough), group, month

    def load_contacts(self) -> Iterator[StoredContact]:
        c = t.contacts.c
        query = select(c.person_kind, c.person, c.record_id, c.unit_kind, c.unit_code,
                       c.borough, c.day, c.count, c.vulnerable)  # fmt: skip
        with self._engine.connect() as conn:
            rows: Any = conn.execute(query.where((c.count != 0) | (c.vulnerable != 0)))
            for kind, person, record, unit_kind, code, borough, day, count, vulnerable in rows:
                unit = Unit(unit_kind, code, borough)
                yield (kind, person, record, unit), (day, count, vulnerable)

    def held_contacts(self) -> dict[tuple[str, ...], int]:
        """Every non-zero stored contact count and vulnerable flag count, keyed as
        :mod:`services.kpi.verify` keys them."""
        return {key: n for (kind, person, record, unit), (_, count, vulnerable)
                in self.load_contacts()
                for key, n in (((kind, person, record, unit.kind, unit.code, "count"), count),
                               ((kind, person, record, unit.kind, unit.code, "vulnerable"),
                                vulnerable)) if n}  # fmt: skip

    def load_survey(self) -> tuple[dict[SumKey, SumNet], list[Published]]:
        with self._engine.connect() as conn:
            sums: Any = conn.execute(select(t.survey_sums))
            held = {(r.survey, r.measure, r.borough, r.ethnicity, r.month):
                    (r.respondents, r.sum_w, r.sum_w2, r.sum_w_positive) for r in sums}  # fmt: skip
            rows: Any = conn.execute(select(t.survey_published))
            published = [
                Published("", (r.survey, r.measure, r.area, r.respondent_group, r.period_end),
                          r.proportion, r.n)
                for r in rows
            ]  # fmt: skip
        return held, published

    def offsets(self) -> dict[Position, int]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(t.offsets))
            return {(r.topic, r.partition): r.next_offset for r in rows}

    def resume_points(self) -> dict[Position, Resume]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(t.offsets))
            return {(r.topic, r.partition): (r.next_offset, r.epoch) for r in rows}

    def categories(self, unit: Unit, group: str, first: int, last: int) -> dict[str, int]:
        c = t.categories.c
        query = (
            select(c.category, func.sum(c.count))
            .where(
                c.unit_kind == unit.kind,
                c.unit_code == unit.code,
                c.kpi_group == group,
                c.day >= first,
                c.day <= last,
            )
            .group_by(c.category)
        )
        with self._engine.connect() as conn:
            rows: Any = conn.execute(query)
            return {cat: int(n) for cat, n in rows if n}

    def held_counts(self) -> dict[tuple[str, str, str, int], int]:
        """Every non-zero stored day count, keyed as :mod:`services.kpi.verify` keys them."""
        c = t.counts.c
        query = select(c.unit_kind, c.unit_code, c.kpi_group, c.day, c.count).where(c.count != 0)
        with self._engine.connect() as conn:
            rows: Any = conn.execute(query)
            return {(kind, code, group, day): count for kind, code, group, day, count in rows}

    def applied_ids(self) -> set[str]:
        with self._engine.connect() as conn:
            return set(conn.execute(select(t.applied.c.event_id)).scalars())

    def clear(self) -> None:
        """Forget everything: counts, contacts, applied ids and offsets (before a rebuild)."""
        with self._writer.begin() as conn:
            serialise_writers(conn, WRITER_LOCK)
            tables = (t.counts, t.monthly, t.simulated, t.categories, t.contacts, t.survey_sums,
                      t.survey_published, t.applied, t.offsets)  # fmt: skip
            for table in tables:
                conn.execute(table.delete())

    def applied(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.applied)).scalar_one())
