"""The hot read model in Redis (distributed mode): the latest published figure of every area,
KPI group and period, for other systems to read without asking the kpi service.

One hash per area, ``snt:kpi:v1:area:<area code>``, field ``<group>:<period>`` → the
kpi.updated event (JSON) last published for it. Each flush is written in one MULTI/EXEC
transaction, so a reader never sees half a flush.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Final, cast

import redis.asyncio as aioredis

PREFIX: Final = "snt:kpi:v1:area:"


def area_key(area_code: str) -> str:
    return PREFIX + area_code


class RedisReadModel:
    def __init__(self, url: str) -> None:
        self._client = aioredis.Redis.from_url(url, socket_connect_timeout=2)

    async def put(self, figures: Sequence[tuple[str, str, bytes]]) -> None:
        """Store (area code, field, event JSON) triples, replacing older values."""
        async with self._client.pipeline(transaction=True) as pipe:
            for area, field, body in figures:
                pipe.hset(area_key(area), mapping={field: body})
            await pipe.execute()

    async def get(self, area_code: str) -> dict[str, bytes]:
        """Every field held for ``area_code``."""
        held = await cast(Awaitable[dict[bytes, bytes]], self._client.hgetall(area_key(area_code)))
        return {k.decode(): v for k, v in held.items()}

    async def close(self) -> None:
        await self._client.aclose()
