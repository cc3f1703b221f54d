"""The FastAPI dependencies on a tiny app: 401s, role 403s and borough/ward scope."""

# No "from __future__ import annotations": the routes refer to the local ``auth``.

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from shared.api import add_error_handlers
from shared.auth import (
    Authenticator,
    Forbidden,
    MemoryTokenStore,
    Principal,
    Role,
    add_forbidden_handler,
    issue_token,
    revoke_token,
)

CAMDEN, WESTMINSTER = "E09000007", "E09000033"
CAMDEN_WARD, OTHER_CAMDEN_WARD, WESTMINSTER_WARD = "E05013652", "E05013653", "E05013800"
BOROUGH_OF = {CAMDEN_WARD: CAMDEN, OTHER_CAMDEN_WARD: CAMDEN, WESTMINSTER_WARD: WESTMINSTER}


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def make_app(auth: Authenticator) -> FastAPI:
    app = FastAPI()
    add_forbidden_handler(app)

    @app.get("/me")
    def me(principal: Annotated[Principal, Depends(auth.principal)]) -> dict[str, str]:
        return {"name": principal.name, "role": principal.role.value}

    @app.post("/events", dependencies=[Depends(auth.require_roles(Role.SYSTEM))])
    def ingest() -> dict[str, str]:
        return {"accepted": "1"}

    @app.get(
        "/boroughs/{borough_code}",
        dependencies=[Depends(auth.borough_in_path({CAMDEN, WESTMINSTER}))],
    )
    def borough(borough_code: str) -> dict[str, str]:
        return {"borough": borough_code}

    @app.get("/wards/{ward_code}", dependencies=[Depends(auth.ward_in_path(BOROUGH_OF.get))])
    def ward(ward_code: str) -> dict[str, str]:
        return {"ward": ward_code}

    @app.get("/mps")
    def mps(principal: Annotated[Principal, Depends(auth.principal)]) -> dict[str, str]:
        principal.require_mps()  # Forbidden -> 403 through add_forbidden_handler
        return {"scope": "mps"}

    return app


Issue = Callable[..., dict[str, str]]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def client(store: MemoryTokenStore, clock: FakeClock) -> TestClient:
    return TestClient(make_app(Authenticator(store, clock)))


@pytest.fixture
def issue(store: MemoryTokenStore, clock: FakeClock) -> Issue:
    """Factory: issue a token and return its Authorization header."""

    def make(role: Role, **fields: Any) -> dict[str, str]:
        issued = issue_token(store, name=f"{role} user", role=role, now=clock(), **fields)
        return {"Authorization": f"Bearer {issued.plain_token}"}

    return make


def test_no_header_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    response = client.get("/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "detail": "missing bearer token: send 'Authorization: Bearer <token>'"
    }


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Bearer snt_a snt_b", "Bearer not-a-token"],
)
def test_malformed_header_is_401(client: TestClient, header: str) -> None:
    response = client.get("/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"].startswith("malformed bearer token")


def test_unknown_token_is_401(client: TestClient) -> None:
    response = client.get("/me", headers={"Authorization": "Bearer snt_" + "A" * 43})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json() == {"detail": "unknown token"}


def test_revoked_token_is_401(
    client: TestClient, store: MemoryTokenStore, clock: FakeClock
) -> None:
    issued = issue_token(store, name="old dashboard", role=Role.CENTRAL, now=clock())
    headers = {"Authorization": f"bearer {issued.plain_token}"}
    assert client.get("/me", headers=headers).status_code == 200
    revoke_token(store, token_id=issued.public.id, now=clock())
    response = client.get("/me", headers=headers)
    assert (response.status_code, response.json()) == (401, {"detail": "token revoked"})


def test_expired_token_is_401(client: TestClient, issue: Issue, clock: FakeClock) -> None:
    headers = issue(Role.CENTRAL, expires_at=clock() + timedelta(days=30))
    clock.now += timedelta(days=29)
    assert client.get("/me", headers=headers).json() == {"name": "central user", "role": "central"}
    clock.now += timedelta(days=1)
    response = client.get("/me", headers=headers)
    assert (response.status_code, response.json()) == (401, {"detail": "token expired"})


def test_wrong_role_is_403(client: TestClient, issue: Issue) -> None:
    response = client.post("/events", headers=issue(Role.CENTRAL))
    assert response.status_code == 403
    assert response.json() == {
        "detail": "forbidden: role central may not do this (allowed: system)"
    }
    assert client.post("/events", headers=issue(Role.SYSTEM)).status_code == 200


def test_borough_lead_sees_own_borough_and_its_wards_only(client: TestClient, issue: Issue) -> None:
    headers = issue(Role.BOROUGH_LEAD, boroughs=[WESTMINSTER])
    assert client.get(f"/boroughs/{WESTMINSTER}", headers=headers).status_code == 200
    assert client.get(f"/wards/{WESTMINSTER_WARD}", headers=headers).status_code == 200
    response = client.get(f"/boroughs/{CAMDEN}", headers=headers)
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "out of scope: borough E09000007 is not in your scope"},
    )
    assert client.get(f"/wards/{CAMDEN_WARD}", headers=headers).status_code == 403
    assert client.get("/mps", headers=headers).status_code == 403


def test_cluster_inspector_sees_own_wards_only(client: TestClient, issue: Issue) -> None:
    headers = issue(Role.CLUSTER_INSPECTOR, wards=[CAMDEN_WARD])
    assert client.get(f"/wards/{CAMDEN_WARD}", headers=headers).status_code == 200
    response = client.get(f"/wards/{OTHER_CAMDEN_WARD}", headers=headers)
    assert (response.status_code, response.json()) == (
        403,
        {"detail": f"out of scope: ward {OTHER_CAMDEN_WARD} is not in your scope"},
    )
    assert client.get(f"/boroughs/{CAMDEN}", headers=headers).status_code == 403
    response = client.get("/mps", headers=headers)
    assert response.json() == {
        "reason": "out_of_scope",
        "detail": "out of scope: the MPS-wide view needs the system or central role",
    }


@pytest.mark.parametrize("role", [Role.CENTRAL, Role.SYSTEM])
def test_mps_wide_roles_see_everything(client: TestClient, issue: Issue, role: Role) -> None:
    headers = issue(role)
    for path in [f"/boroughs/{CAMDEN}", f"/wards/{WESTMINSTER_WARD}", "/mps"]:
        assert client.get(path, headers=headers).status_code == 200, path


UNKNOWN_OR_MALFORMED = [
    ("/wards/E05999999", 404, "unknown_area"),
    ("/boroughs/E09999999", 404, "unknown_area"),
    ("/boroughs/E09000001", 404, "unknown_area"),  # a borough, but not one of this service's
    ("/boroughs/0", 422, "malformed_code"),
    ("/boroughs/e09000007", 422, "malformed_code"),
    ("/wards/E05013652%09", 422, "malformed_code"),
    ("/wards/E0501365", 422, "malformed_code"),
    ("/wards/MPS", 422, "malformed_code"),
]


@pytest.mark.parametrize(("path", "status", "reason"), UNKNOWN_OR_MALFORMED)
@pytest.mark.parametrize("role", [Role.CENTRAL, Role.BOROUGH_LEAD, Role.CLUSTER_INSPECTOR])
def test_an_unknown_area_is_404_and_a_malformed_code_422_for_every_role(
    store: MemoryTokenStore, clock: FakeClock, issue: Issue, role: Role,
    path: str, status: int, reason: str,
) -> None:  # fmt: skip
    """Whether an area exists is checked before whether it is in scope: a lead asking for a
    borough that does not exist is told so (404), not that it is someone else's (403)."""
    app = make_app(Authenticator(store, clock))
    add_error_handlers(app)
    scopes = {Role.BOROUGH_LEAD: {"boroughs": [CAMDEN]},
              Role.CLUSTER_INSPECTOR: {"wards": [CAMDEN_WARD]}}.get(role, {})  # fmt: skip
    response = TestClient(app).get(path, headers=issue(role, **scopes))
    assert (response.status_code, response.json()["reason"]) == (status, reason)
    assert response.json()["detail"]


def test_openapi_documents_the_bearer_scheme(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_forbidden_escaping_an_endpoint_is_403(store: MemoryTokenStore, clock: FakeClock) -> None:
    app = FastAPI()
    add_forbidden_handler(app)

    @app.get("/x")
    def x() -> None:
        raise Forbidden("out of scope: borough E09000001 is not in your scope")

    response = TestClient(app).get("/x")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("out of scope")


def test_require_roles_needs_a_role(store: MemoryTokenStore, clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="at least one role"):
        Authenticator(store, clock).require_roles()
