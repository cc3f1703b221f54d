"""JSON response bodies written by orjson in one step: dates as ISO 8601, floats as JSON
numbers (a NaN or infinity as null), without FastAPI's walk of the body to make it
JSON-ready first (most of a small request's time once the answer is computed)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Response


def json_response(body: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json")
