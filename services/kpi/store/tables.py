"""The kpi database: day counts per stored unit × KPI group, the months whose counts are
known only to their month, category drill-down counts,
contacts of the persons records name (pseudonyms only), survey response sums and published
survey figures, the ids of the events applied and
the next offset per topic partition.

On SQLite the tables are WITHOUT ROWID: each is kept by its primary key alone, one B-tree
instead of a table and a separate key index, so an upsert writes one tree, not two (the
embedded fold writes a few rows per event). A database made before keeps its layout and
works the same.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Float, Integer, MetaData, String, Table

metadata = MetaData()

counts = Table(
    "kpi_count", metadata,
    Column("unit_kind", String(16), primary_key=True),
    Column("unit_code", String(16), primary_key=True),
    Column("kpi_group", String(16), primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("borough", String(16), nullable=True),
    Column("month", Integer, nullable=False),
    Column("count", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)  # fmt: skip

monthly = Table(
    "kpi_monthly", metadata,
    Column("unit_kind", String(16), primary_key=True),
    Column("unit_code", String(16), primary_key=True),
    Column("kpi_group", String(16), primary_key=True),
    Column("month", Integer, primary_key=True),
    Column("borough", String(16), nullable=True),
    sqlite_with_rowid=False,
)  # fmt: skip
"""The months of a stored unit × group holding counts known only to their month."""

simulated = Table(
    "kpi_simulated", metadata,
    Column("unit_kind", String(16), primary_key=True),
    Column("unit_code", String(16), primary_key=True),
    Column("kpi_group", String(16), primary_key=True),
    Column("month", Integer, primary_key=True),
    Column("borough", String(16), nullable=True),
    sqlite_with_rowid=False,
)  # fmt: skip
"""The months of a stored unit × group holding counts of simulated records."""

categories = Table(
    "kpi_category", metadata,
    Column("unit_kind", String(16), primary_key=True),
    Column("unit_code", String(16), primary_key=True),
    Column("kpi_group", String(16), primary_key=True),
    Column("day", Integer, primary_key=True),
    Column("category", String(300), primary_key=True),
    Column("count", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)  # fmt: skip

contacts = Table(
    "kpi_contact", metadata,
    Column("person_kind", String(8), primary_key=True),
    Column("person", String(128), primary_key=True),
    Column("record_id", String(128), primary_key=True),
    Column("unit_kind", String(16), primary_key=True),
    Column("unit_code", String(16), primary_key=True),
    Column("borough", String(16), nullable=True),
    Column("day", Integer, nullable=False),
    Column("count", Integer, nullable=False),
    # net count of the changes that flagged the person vulnerable (> 0: vulnerable)
    Column("vulnerable", Integer, nullable=False),
    sqlite_with_rowid=False,
)  # fmt: skip

survey_sums = Table(
    "kpi_survey_sum", metadata,
    Column("survey", String(8), primary_key=True),
    Column("measure", String(64), primary_key=True),
    Column("borough", String(16), primary_key=True),
    Column("ethnicity", String(16), primary_key=True),
    Column("month", Integer, primary_key=True),
    Column("respondents", BigInteger, nullable=False),
    Column("sum_w", Float, nullable=False),
    Column("sum_w2", Float, nullable=False),
    Column("sum_w_positive", Float, nullable=False),
    sqlite_with_rowid=False,
)  # fmt: skip

survey_published = Table(
    "kpi_survey_published", metadata,
    Column("survey", String(8), primary_key=True),
    Column("measure", String(64), primary_key=True),
    Column("area", String(16), primary_key=True),
    Column("respondent_group", String(16), primary_key=True),
    Column("period_end", Date, primary_key=True),
    Column("proportion", Float, nullable=False),
    Column("n", Integer, nullable=True),
    sqlite_with_rowid=False,
)  # fmt: skip

applied = Table(
    "kpi_applied", metadata,
    Column("event_id", String(128), primary_key=True),
    sqlite_with_rowid=False,
)  # fmt: skip

offsets = Table(
    "kpi_offset", metadata,
    Column("topic", String(64), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("next_offset", BigInteger, nullable=False),
    Column("epoch", String(64), nullable=True),  # the broker log the offset belongs to
    sqlite_with_rowid=False,
)  # fmt: skip
