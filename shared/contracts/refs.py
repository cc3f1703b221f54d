"""References to messages on Kafka topics, for explaining where a figure or alert came from."""

from __future__ import annotations

from pydantic import Field, StrictInt

from shared.contracts.base import Contract
from shared.contracts.codes import RecordId, ShortText


class TopicOffset(Contract):
    """A position on a topic partition."""

    topic: ShortText = Field(description="Kafka topic name")
    partition: StrictInt = Field(ge=0, description="Partition number")
    offset: StrictInt = Field(ge=0, description="Offset within the partition")


class EventRef(TopicOffset):
    """One event, by its position and its id."""

    event_id: RecordId = Field(description="The event's envelope event_id")
