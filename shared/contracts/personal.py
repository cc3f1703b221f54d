"""Which fields of a contract hold personal identifiers, found from the field markers.

The ingest service uses :func:`personal_data_fields` to know what to pseudonymise; tests use
it to prove no canonical or output contract carries a raw identifier.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

from pydantic import BaseModel

from shared.contracts.base import PERSONAL_DATA_KEY, PSEUDONYM_KEY


def personal_data_fields(model: type[BaseModel]) -> list[str]:
    """Dotted paths of the raw personal identifiers in ``model``, nested models included."""
    return list(_marked(model, PERSONAL_DATA_KEY, ""))


def pseudonym_fields(model: type[BaseModel]) -> list[str]:
    """Dotted paths of the keyed-hash pseudonyms in ``model``, nested models included."""
    return list(_marked(model, PSEUDONYM_KEY, ""))


def _marked(model: type[BaseModel], marker: str, prefix: str) -> Iterator[str]:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get(marker):
            yield path
        for nested in nested_models(info.annotation):
            yield from _marked(nested, marker, f"{path}.")


def nested_models(annotation: Any) -> Iterator[type[BaseModel]]:
    """Models appearing in a field annotation (inside Optional, tuples, lists, dicts...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in get_args(annotation):
        yield from nested_models(arg)
