"""The rule of the dashboard's pass-through: which kpi, flex and alerts API paths it opens.

The path is taken as the client sent it (the raw, still-encoded form), decoded until it no
longer changes, checked for what could make the upstream read a different path than the
one matched (an encoded ``/`` or ``\\``, a backslash, control characters, a ``?`` or ``#``, a
stray ``%``), its dot segments resolved, and only then matched against the allow-list. So
``/api/kpi/v1/%2e%2e/metrics`` is ``/metrics`` when matched, and refused, as the upstream
would have read it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote

MAX_DECODES: Final = 4
ALLOWED: Final = {
    "kpi": (("v1", "kpi"),),
    "flex": (("v1", "flex"),),
    "alerts": (("v1", "alerts"), ("v1", "silences"), ("v1", "subscriptions"), ("v1", "deliveries")),
}
"""Per service, the first two path segments a read may start with: the service's own `v1`
API, which applies the caller's scope (nothing operational such as ``/metrics``)."""
ENCODED_SEPARATOR: Final = re.compile(r"%(2f|5c)", re.IGNORECASE)
FORBIDDEN_CHARACTERS: Final = {"\\": "a backslash", "?": "a '?'", "#": "a '#'", "%": "a '%'"}


class PathRefusedError(ValueError):
    """A pass-through path that is not opened; ``status`` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Passage:
    """A path the pass-through may call: ``path`` is normalised, with its leading ``/``."""

    service: str
    path: str
    segments: tuple[str, ...]


def raw_tail(raw_path: str, fallback: str) -> str:
    """The still-encoded part of ``/api/{service}/{path}`` after the service."""
    parts = raw_path.split("/", 3)
    if len(parts) < 4 or parts[1] != "api":
        return fallback
    return parts[3]


def passage(service: str, raw: str, method: str) -> Passage:
    """The normalised path for ``service``, or PathRefusedError (400 or 404, or 405 for a
    write the dashboard does not open)."""
    segments = resolve_dots(decoded(raw))
    path = "/" + "/".join(segments)
    if segments[:2] not in ALLOWED[service]:
        raise PathRefusedError(404, f"no {service} API path {path} through the dashboard")
    if method == "POST" and not is_write(service, segments):
        raise PathRefusedError(405, f"POST {path} is not open through the dashboard")
    return Passage(service, path, segments)


def is_write(service: str, segments: tuple[str, ...]) -> bool:
    """Creating a silence, and acknowledging an alert, are the only writes passed through."""
    if service != "alerts":
        return False
    if segments == ("v1", "silences"):
        return True
    return len(segments) == 4 and segments[:2] == ("v1", "alerts") and segments[3] == "acknowledge"


def decoded(raw: str) -> str:
    """Percent-decode until stable; refuse encoded separators and what should not be there."""
    text = raw
    for _ in range(MAX_DECODES + 1):
        if ENCODED_SEPARATOR.search(text):
            raise PathRefusedError(400, "the path has an encoded '/' or '\\'")
        try:
            once = unquote(text, errors="strict")
        except UnicodeDecodeError as exc:
            raise PathRefusedError(400, "the path does not decode as UTF-8") from exc
        if once == text:
            _check_characters(text)
            return text
        text = once
    raise PathRefusedError(400, f"the path is percent-encoded more than {MAX_DECODES} times")


def _check_characters(text: str) -> None:
    for character, name in FORBIDDEN_CHARACTERS.items():
        if character in text:
            raise PathRefusedError(400, f"the path has {name} once decoded")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text):
        raise PathRefusedError(400, "the path has a control character once decoded")


def resolve_dots(text: str) -> tuple[str, ...]:
    """RFC 3986 dot-segment removal (empty segments dropped); refuse climbing above the root."""
    out: list[str] = []
    for segment in text.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not out:
                raise PathRefusedError(400, "the path climbs above the API's root")
            out.pop()
            continue
        out.append(segment)
    return tuple(out)
