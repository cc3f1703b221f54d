"""docker-compose.yml as data, for the deployment tests: services, settings, interpolation."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from shared.settings import ServiceSettings
from tests.unit.deploy.yaml_subset import load

ROOT = Path(__file__).resolve().parents[3]
# ${NAME}, ${NAME:?message}, ${NAME:-default}; the operator is optional only in this regex.
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_]\w*)(?:(?P<op>:\?|:-)(?P<arg>[^}]*))?\}")


@cache
def compose() -> dict[str, Any]:
    return load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def service(name: str) -> dict[str, Any]:
    services = compose()["services"]
    assert name in services, f"docker-compose.yml has no service {name!r}"
    return services[name]


def environment(name: str) -> dict[str, Any]:
    env = service(name).get("environment")
    assert isinstance(env, dict), f"{name}: environment must be a mapping VAR: value"
    return env


def settings_class(name: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"services.{name}.config")
    found = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, ServiceSettings)
        and obj.__module__ == module.__name__
    ]
    assert len(found) == 1, f"services.{name}.config defines {len(found)} settings classes, not 1"
    return found[0]


def setting(name: str, field: str) -> str:
    var = settings_class(name).env_prefix() + field
    value = environment(name).get(var)
    assert value is not None, f"{name}: {var} is not set in docker-compose.yml"
    return str(value)


def required_name(value: Any) -> str | None:
    """NAME when ``value`` is exactly ``${NAME:?message}``, else None."""
    match = INTERPOLATION.fullmatch(value) if isinstance(value, str) else None
    return match["name"] if match and match["op"] == ":?" and match["arg"] else None


def resolve(value: str) -> str:
    """Interpolate as compose would, with a strong dummy for every required variable."""

    def substitute(match: re.Match[str]) -> str:
        if match["op"] == ":?":
            return f"strong-dummy-{match['name'].lower()}-0123456789"
        return match["arg"] if match["op"] == ":-" else f"<unset {match['name']}>"

    return INTERPOLATION.sub(substitute, value)


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)
