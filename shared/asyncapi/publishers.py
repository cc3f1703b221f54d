"""Publishers declared on a service's broker: the topics it writes, as its document says."""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from faststream.kafka.publisher.usecase import DefaultPublisher

from shared.contracts import default_registry
from shared.topics import topic

CONTENT_TYPE = "application/json"


def declare_publisher(broker: KafkaBroker, name: str) -> DefaultPublisher:
    """The publisher of topic ``name`` on ``broker`` (every message it sends is JSON, with a
    ``content-type`` header); the topic must be in :mod:`shared.topics`."""
    spec = topic(name)
    classes = [default_registry().current(event_type) for event_type in spec.event_types]
    return broker.publisher(
        spec.name,
        batch=False,
        title=spec.name,
        description=spec.description,
        schema=classes[0] if len(classes) == 1 else None,
        headers={"content-type": CONTENT_TYPE},
    )
