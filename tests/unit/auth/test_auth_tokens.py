"""Issuing tokens: their shape, the hash, and the scope rules for each role."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.auth import (
    AuthenticationError,
    AuthProblem,
    MemoryTokenStore,
    Role,
    TokenRequestError,
    authenticate,
    hash_token,
    issue_token,
)
from shared.auth.tokens import TOKEN_SHAPE

NOW = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
CAMDEN, WESTMINSTER, WARD = "E09000007", "E09000033", "E05013652"


def test_tokens_are_prefixed_random_and_hashed_with_sha256() -> None:
    store = MemoryTokenStore()
    first = issue_token(store, name="a", role=Role.SYSTEM, now=NOW)
    second = issue_token(store, name="b", role=Role.SYSTEM, now=NOW)
    assert first.plain_token.startswith("snt_")
    assert len(first.plain_token) == 47
    assert TOKEN_SHAPE.fullmatch(first.plain_token)
    assert first.plain_token != second.plain_token
    assert first.public.id != second.public.id
    assert hash_token(first.plain_token) == hashlib.sha256(first.plain_token.encode()).hexdigest()


def test_the_plain_token_stays_out_of_reprs_and_records() -> None:
    issued = issue_token(MemoryTokenStore(), name="kpi", role=Role.SYSTEM, now=NOW)
    assert issued.plain_token not in repr(issued)
    assert issued.plain_token not in issued.public.model_dump_json()


def test_codes_are_deduplicated_and_sorted_and_role_may_be_text() -> None:
    issued = issue_token(
        MemoryTokenStore(),
        name="  Westminster & Camden lead ",
        role="borough_lead",
        boroughs=[WESTMINSTER, CAMDEN, WESTMINSTER],
        now=NOW,
    )
    assert issued.public.boroughs == (CAMDEN, WESTMINSTER)
    assert issued.public.name == "Westminster & Camden lead"
    assert issued.public.role is Role.BOROUGH_LEAD


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": "borough_lead"}, "borough_lead token needs at least one borough scope"),
        (
            {"role": "borough_lead", "boroughs": [CAMDEN], "wards": [WARD]},
            "borough_lead token takes borough scopes only",
        ),
        ({"role": "cluster_inspector"}, "cluster_inspector token needs at least one ward scope"),
        (
            {"role": "cluster_inspector", "wards": [WARD], "boroughs": [CAMDEN]},
            "cluster_inspector token takes ward scopes only",
        ),
        ({"role": "central", "boroughs": [CAMDEN]}, "central token sees everything"),
        ({"role": "system", "wards": [WARD]}, "system token sees everything and takes no scopes"),
        (
            {"role": "borough_lead", "boroughs": ["E0900007", WARD]},
            "not a borough code (E09 + 6 digits): 'E05013652', 'E0900007'",
        ),
        ({"role": "cluster_inspector", "wards": ["e05013652"]}, "not a ward code"),
        ({"role": "borough_lead", "boroughs": CAMDEN}, "boroughs: give a list of codes"),
        ({"role": "superuser"}, "role: Input should be 'system', 'central'"),
        ({"role": "central", "name": "  "}, "name: String should have at least 1 character"),
        ({"role": "central", "expires_at": datetime(2026, 1, 1)}, "expires_at: Input should"),
        ({"role": "central", "expires_at": NOW}, "expires_at: must be later than now"),
    ],
)
def test_invalid_requests_are_refused_with_a_clear_reason(
    fields: dict[str, Any], message: str
) -> None:
    store = MemoryTokenStore()
    with pytest.raises(TokenRequestError, match=re.escape(message)) as caught:
        issue_token(store, **{"name": "someone", **fields}, now=NOW)
    assert "\n" not in str(caught.value)
    assert store.list() == []


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        issue_token(MemoryTokenStore(), name="x", role=Role.CENTRAL, now=datetime(2025, 4, 1))


@pytest.mark.parametrize("presented", ["", "snt_short", "abc_" + "A" * 43, "snt_" + "A" * 42 + "!"])
def test_tokens_of_the_wrong_shape_are_malformed(presented: str) -> None:
    with pytest.raises(AuthenticationError) as caught:
        authenticate(MemoryTokenStore(), presented, now=NOW)
    assert caught.value.problem is AuthProblem.MALFORMED


def test_expiry_is_exclusive() -> None:
    store = MemoryTokenStore()
    issued = issue_token(
        store, name="x", role=Role.CENTRAL, expires_at=NOW + timedelta(hours=1), now=NOW
    )
    authenticate(store, issued.plain_token, now=NOW + timedelta(minutes=59, seconds=59))
    with pytest.raises(AuthenticationError, match="token expired"):
        authenticate(store, issued.plain_token, now=NOW + timedelta(hours=1))
