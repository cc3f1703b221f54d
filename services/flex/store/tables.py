"""The flex database: the latest version of every duty (its fields as JSON, none when
cancelled), the wards' crime KPI breach status, the ids of the events applied and the next
offset per topic partition."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, Text

metadata = MetaData()

duties = Table(
    "flex_duty", metadata,
    Column("duty_id", String(128), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("body", Text, nullable=True),
)  # fmt: skip

statuses = Table(
    "flex_kpi_status", metadata,
    Column("ward", String(16), primary_key=True),
    Column("kpi", Integer, primary_key=True),
    Column("breaching", Integer, nullable=False),
)  # fmt: skip

applied = Table(
    "flex_applied", metadata,
    Column("event_id", String(128), primary_key=True),
)  # fmt: skip

offsets = Table(
    "flex_offset", metadata,
    Column("topic", String(64), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("next_offset", BigInteger, nullable=False),
    Column("epoch", String(64), nullable=True),  # the broker log the offset belongs to
)  # fmt: skip
