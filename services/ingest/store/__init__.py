"""Ingest's state: received keys, record states, published cells, parked amendments and the
event store / outbox. A Protocol with memory and SQL implementations."""
