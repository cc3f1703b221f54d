"""Where tokens live: a Protocol, implemented in memory (memory.py) and in SQL (sql.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from shared.auth.models import TokenPublic


class TokenNotFoundError(LookupError):
    """No token has this id."""

    def __init__(self, token_id: str) -> None:
        super().__init__(f"no token with id {token_id!r}")
        self.token_id = token_id


class TokenStore(Protocol):
    """Token records keyed by id and by the SHA-256 hash of the plain token."""

    def add(self, token: TokenPublic, *, token_hash: str) -> None:
        """Store a new token; the plain token is never passed in."""
        ...

    def find_by_hash(self, token_hash: str) -> TokenPublic | None: ...

    def list(self) -> Sequence[TokenPublic]:
        """Every token, oldest first."""
        ...

    def revoke(self, token_id: str, *, at: datetime) -> TokenPublic:
        """Mark revoked (an earlier revocation time is kept); TokenNotFoundError if unknown."""
        ...
