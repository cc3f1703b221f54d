"""The product's documents, read from each service the way a client reads them: its
``/openapi.json`` and ``/asyncapi.json``, from an application composed with throw-away
SQLite files (nothing is started: no broker connection, no server)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx
from fastapi import FastAPI

from shared import __version__
from shared.asyncapi import product_document
from shared.settings import ServiceSettings, load_settings

Document = dict[str, Any]
SETTINGS = {
    "ingest": "IngestSettings",
    "kpi": "KpiSettings",
    "flex": "FlexSettings",
    "alerts": "AlertsSettings",
    "dashboard": "DashboardSettings",
}
"""Each service, in the stack's order, and the name of its settings class."""


@dataclass(frozen=True, slots=True)
class Documents:
    openapi: Mapping[str, Document]
    """Service name -> its OpenAPI document."""
    asyncapi: Mapping[str, Document]
    """Service name -> its AsyncAPI document."""

    def product_asyncapi(self) -> Document:
        return product_document(self.asyncapi.values(), version=__version__)

    def files(self, asyncapi_out: Path, openapi_dir: Path) -> dict[Path, str]:
        """Each file to write and its text: the product's AsyncAPI document, and each
        service's OpenAPI document as ``<service>.json`` in ``openapi_dir``."""
        files = {asyncapi_out: render(self.product_asyncapi())}
        for name, document in self.openapi.items():
            files[openapi_dir / f"{name}.json"] = render(document)
        return files


def render(document: Document) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def read_documents() -> Documents:
    """Every service's documents, as its HTTP surface serves them."""
    with TemporaryDirectory(prefix="snt-docs-") as work:
        return asyncio.run(_read_all(Path(work)))


async def _read_all(work: Path) -> Documents:
    # composed inside the event loop: a composition root may create asyncio clients
    openapi, asyncapi = {}, {}
    for name in SETTINGS:
        openapi[name], asyncapi[name] = await _fetch(_compose(name, work))
    return Documents(openapi, asyncapi)


def _compose(name: str, work: Path) -> FastAPI:
    settings_cls, create_app = _service(name)
    prefix = f"SNT_{name.upper()}_"
    env = {
        prefix + "DATABASE_URL": f"sqlite:///{work}/{name}.db",
        prefix + "AUTH_DATABASE_URL": f"sqlite:///{work}/auth.db",
    }
    settings = load_settings(
        settings_cls, {k: v for k, v in env.items() if _has(settings_cls, k, prefix)}
    )
    return create_app(settings)


def _has(settings_cls: type[ServiceSettings], key: str, prefix: str) -> bool:
    return key.removeprefix(prefix).lower() in settings_cls.model_fields


def _service(name: str) -> tuple[type[ServiceSettings], Callable[[Any], FastAPI]]:
    """The service's settings class and composition root (``services.<name>.app``)."""
    config = import_module(f"services.{name}.config")
    app = import_module(f"services.{name}.app")
    return getattr(config, SETTINGS[name]), app.create_app


async def _fetch(app: FastAPI) -> tuple[Document, Document]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://snt") as client:
        found = []
        for path in ("/openapi.json", "/asyncapi.json"):
            response = await client.get(path)
            response.raise_for_status()
            found.append(response.json())
    return found[0], found[1]
