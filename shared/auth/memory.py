"""In-memory token store and access log: for tests and the single-process pilot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from threading import Lock

from shared.auth.audit import AccessRecord
from shared.auth.clock import as_utc
from shared.auth.models import TokenPublic
from shared.auth.store import TokenNotFoundError


class MemoryTokenStore:
    def __init__(self) -> None:
        self._tokens: dict[str, TokenPublic] = {}
        self._ids_by_hash: dict[str, str] = {}
        self._lock = Lock()

    def add(self, token: TokenPublic, *, token_hash: str) -> None:
        with self._lock:
            if token.id in self._tokens or token_hash in self._ids_by_hash:
                raise ValueError(f"token {token.id!r} is already stored")
            self._tokens[token.id] = token
            self._ids_by_hash[token_hash] = token.id

    def find_by_hash(self, token_hash: str) -> TokenPublic | None:
        token_id = self._ids_by_hash.get(token_hash)
        return None if token_id is None else self._tokens[token_id]

    def list(self) -> Sequence[TokenPublic]:
        return sorted(self._tokens.values(), key=lambda token: (token.created_at, token.id))

    def revoke(self, token_id: str, *, at: datetime) -> TokenPublic:
        with self._lock:
            token = self._tokens.get(token_id)
            if token is None:
                raise TokenNotFoundError(token_id)
            if token.revoked_at is None:
                token = token.model_copy(update={"revoked_at": as_utc(at)})
                self._tokens[token_id] = token
            return token


class MemoryAccessLog:
    def __init__(self) -> None:
        self._records: list[AccessRecord] = []
        self._lock = Lock()

    def append(self, record: AccessRecord) -> None:
        with self._lock:
            self._records.append(record)

    def list(self) -> Sequence[AccessRecord]:
        return list(self._records)
