"""The alerts database: alerts (current state of each), subscriptions, silences, the
delivery log (each notice for each recipient once, by idempotency key, with its attempts),
the data's clock (newest date per source), the ids of the events applied and the next offset
per topic partition."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()

alerts = Table(
    "alert_alert", metadata,
    Column("alert_id", String(160), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("body", Text, nullable=False),
)  # fmt: skip

subscriptions = Table(
    "alert_subscription", metadata,
    Column("subscription_id", String(64), primary_key=True),
    Column("body", Text, nullable=False),
)  # fmt: skip

silences = Table(
    "alert_silence", metadata,
    Column("silence_id", String(64), primary_key=True),
    Column("body", Text, nullable=False),
)  # fmt: skip

deliveries = Table(
    "alert_delivery", metadata,
    Column("key", String(300), primary_key=True),
    Column("subscription_id", String(64), nullable=False, index=True),
    Column("alert_id", String(160), nullable=False, index=True),
    Column("sequence", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("borough", String(16), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("held_reason", String(200), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("last_error", String(500), nullable=True),
    Column("body", Text, nullable=False),
)  # fmt: skip

clock = Table(
    "alert_clock", metadata,
    Column("source", String(16), primary_key=True),
    Column("newest", Date, nullable=False),  # the newest data date the source has reached
)  # fmt: skip

applied = Table(
    "alert_applied", metadata,
    Column("event_id", String(128), primary_key=True),
)  # fmt: skip

offsets = Table(
    "alert_offset", metadata,
    Column("topic", String(64), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("next_offset", BigInteger, nullable=False),
    Column("epoch", String(64), nullable=True),  # the broker log the offset belongs to
)  # fmt: skip
