"""``GET /asyncapi.json``: the service's AsyncAPI document, built once on first request (every
subscriber and publisher is declared when the application is composed)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from faststream.kafka import KafkaBroker

from shared.asyncapi.document import service_document

router = APIRouter(tags=["documents"])


class ServiceDocument:
    def __init__(self, service: str, broker: KafkaBroker, version: str) -> None:
        self._service, self._broker, self._version = service, broker, version

    @cached_property
    def document(self) -> dict[str, Any]:
        return service_document(self._service, self._broker, version=self._version)


@router.get(
    "/asyncapi.json",
    summary="AsyncAPI 3.0 document of the Kafka topics this service reads and writes",
    response_description="An AsyncAPI 3.0.0 document",
)
def asyncapi(request: Request) -> dict[str, Any]:
    held: ServiceDocument = request.app.state.asyncapi
    return held.document


def mount_asyncapi(app: FastAPI, broker: KafkaBroker, service: str, *, version: str) -> None:
    """Serve the document of ``broker``'s subscribers and publishers at ``/asyncapi.json``."""
    app.state.asyncapi = ServiceDocument(service, broker, version)
    app.include_router(router)
