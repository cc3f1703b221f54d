"""Keyed-hash pseudonyms: the only form in which victim, caller, officer and respondent
identifiers leave the ingest service."""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

Kind = Literal["victim", "caller", "officer", "respondent"]
PSEUDONYM_HEX = 32


class Pseudonymiser:
    """HMAC-SHA256 of ``kind`` and the raw identifier under a secret key.

    The same person gets the same pseudonym (repeat victims and callers stay linkable), kinds
    never collide, and without the key a pseudonym cannot be reversed or recomputed.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonymisation key must be at least 16 bytes")
        self._key = key

    def __call__(self, kind: Kind, raw: str) -> str:
        message = f"{kind}\x1f{raw.strip()}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]

    def optional(self, kind: Kind, raw: str | None) -> str | None:
        return None if raw is None or not raw.strip() else self(kind, raw)

    def __repr__(self) -> str:
        return "Pseudonymiser(key=<hidden>)"
