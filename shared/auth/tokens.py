"""Token lifecycle: issue, revoke, and authenticate a presented bearer token.

Tokens are opaque: ``snt_`` + 43 URL-safe characters (256 random bits). Only the SHA-256 hash
is stored; the plain token is returned once by ``issue_token`` and never stored or logged.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import datetime

from pydantic import ValidationError

from shared.auth.models import IssuedToken, TokenCreate, TokenPublic
from shared.auth.principal import Principal, Role
from shared.auth.problems import AuthenticationError, AuthProblem
from shared.auth.store import TokenStore

TOKEN_PREFIX = "snt_"
TOKEN_SHAPE = re.compile(r"snt_[A-Za-z0-9_-]{43}")


class TokenRequestError(ValueError):
    """A token cannot be issued as asked; the message lists each problem."""


def new_plain_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(plain_token: str) -> str:
    return hashlib.sha256(plain_token.encode()).hexdigest()


def issue_token(
    store: TokenStore,
    *,
    name: str,
    role: Role | str,
    boroughs: Iterable[str] = (),
    wards: Iterable[str] = (),
    expires_at: datetime | None = None,
    now: datetime,
) -> IssuedToken:
    """Create and store a token; the returned plain token is the only copy that exists."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    request = _validated(
        name, role, _codes(boroughs, "boroughs"), _codes(wards, "wards"), expires_at
    )
    if request.expires_at is not None and request.expires_at <= now:
        raise TokenRequestError("expires_at: must be later than now")
    plain_token = new_plain_token()
    public = TokenPublic(
        id=secrets.token_hex(8),
        created_at=now,
        **request.model_dump(),
    )
    store.add(public, token_hash=hash_token(plain_token))
    return IssuedToken(plain_token=plain_token, public=public)


def revoke_token(store: TokenStore, *, token_id: str, now: datetime) -> TokenPublic:
    """Revoke at once; a token already revoked keeps its first revocation time."""
    return store.revoke(token_id, at=now)


def authenticate(store: TokenStore, plain_token: str, *, now: datetime) -> Principal:
    """The principal for a presented token, or AuthenticationError saying what is wrong."""
    if not TOKEN_SHAPE.fullmatch(plain_token):
        raise AuthenticationError(AuthProblem.MALFORMED)
    # Looked up by hash, so no constant-time compare is needed: the secret is never compared
    # with a stored secret. The database compares SHA-256 digests, and timing could at most
    # reveal how much of a digest matched, which does not help to construct a token with that
    # digest (tokens carry 256 random bits; hashes cannot be steered).
    token = store.find_by_hash(hash_token(plain_token))
    if token is None:
        raise AuthenticationError(AuthProblem.UNKNOWN)
    if token.revoked_at is not None:
        raise AuthenticationError(AuthProblem.REVOKED)
    if token.is_expired(now):
        raise AuthenticationError(AuthProblem.EXPIRED)
    return token.principal()


def _validated(
    name: str,
    role: Role | str,
    boroughs: tuple[str, ...],
    wards: tuple[str, ...],
    expires_at: datetime | None,
) -> TokenCreate:
    try:
        return TokenCreate(
            name=name, role=role, boroughs=boroughs, wards=wards, expires_at=expires_at
        )
    except ValidationError as exc:
        raise TokenRequestError(_describe(exc)) from exc


def _codes(codes: Iterable[str], field: str) -> tuple[str, ...]:
    if isinstance(codes, str):
        raise TokenRequestError(f"{field}: give a list of codes, not a single string")
    return tuple(codes)


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"])
        message = str(error.get("ctx", {}).get("error", error["msg"]))
        problems.append(f"{field}: {message}" if field else message)
    return "; ".join(problems)
