"""FastAPI dependencies: bearer authentication, role checks and borough/ward scope checks.

Nothing here is built at import time: the app's composition root creates one
``Authenticator(store, clock)`` and uses its methods as dependencies.
"""

# No "from __future__ import annotations": FastAPI reads these signatures at run time, and
# the dependencies refer to local variables (closures) that string annotations cannot reach.

import re
from collections.abc import Awaitable, Callable, Container, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.api.errors import ApiError, error_response
from shared.auth.clock import Clock
from shared.auth.principal import Forbidden, Principal, Role
from shared.auth.problems import MESSAGES, AuthenticationError, AuthProblem
from shared.auth.scopes import BOROUGH_CODE, WARD_CODE
from shared.auth.store import TokenStore
from shared.auth.tokens import authenticate

PrincipalDependency = Callable[..., Awaitable[Principal]]
BoroughLookup = Callable[[str], str | None]


class Authenticator:
    """Turns ``Authorization: Bearer <token>`` into a Principal, or a 401/403 response.

    ``principal`` is the dependency for "any valid token"; the other methods build
    dependencies that also check the role, or the borough/ward named in the path.
    """

    def __init__(self, store: TokenStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self.principal: PrincipalDependency = self._principal_dependency()

    def authenticate_header(self, authorization: str | None) -> Principal:
        """The principal for a raw Authorization header value, or HTTP 401."""
        try:
            token = bearer_token(authorization)
            return authenticate(self._store, token, now=self._clock())
        except AuthenticationError as exc:
            raise unauthorized(exc.problem) from exc

    def require_roles(self, *roles: Role) -> PrincipalDependency:
        """A dependency that answers 403 unless the principal has one of ``roles``."""
        if not roles:
            raise ValueError("require_roles needs at least one role")
        return self._then(lambda principal, _request: principal.require_role(*roles))

    def borough_in_path(
        self, boroughs: Container[str], param: str = "borough_code"
    ) -> PrincipalDependency:
        """A dependency for the borough in path ``param``: 422 unless it is a borough code,
        404 unless it is one of ``boroughs`` (the service's), 403 unless it is in scope."""

        def check(principal: Principal, request: Request) -> None:
            code = known_code(path_param(request, param), BOROUGH_CODE, "borough")
            if code not in boroughs:
                raise ApiError(404, "unknown_area", f"{code} is not an MPS borough code")
            principal.require_borough(code)

        return self._then(check)

    def ward_in_path(
        self, borough_of: BoroughLookup, param: str = "ward_code"
    ) -> PrincipalDependency:
        """A dependency for the ward in path ``param``: 422 unless it is a ward code, 404
        unless ``borough_of`` (the service's ward → borough lookup) knows it, 403 unless it
        is in scope."""

        def check(principal: Principal, request: Request) -> None:
            code = known_code(path_param(request, param), WARD_CODE, "ward")
            borough = borough_of(code)
            if borough is None:
                raise ApiError(404, "unknown_area", f"{code} is not a London ward code")
            principal.require_ward(code, borough)

        return self._then(check)

    def _then(self, check: Callable[[Principal, Request], None]) -> PrincipalDependency:
        """A dependency: authenticate, then run ``check`` (its Forbidden becomes HTTP 403)."""
        authenticated = self.principal

        async def dependency(
            request: Request, principal: Annotated[Principal, Depends(authenticated)]
        ) -> Principal:
            with forbidden_as_403():
                check(principal, request)
            return principal

        return dependency

    def _principal_dependency(self) -> PrincipalDependency:
        scheme = HTTPBearer(auto_error=False, bearerFormat="snt_…", scheme_name="bearer")

        async def principal(
            request: Request,
            _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(scheme)],
        ) -> Principal:
            # HTTPBearer only documents the scheme in OpenAPI; the raw header is read here so
            # that a missing header and a malformed one get different answers.
            # The token is one indexed row read by its hash (about 0.3 ms): done on the event
            # loop, it costs less than handing it to a worker thread and back, which took
            # ~1 ms a request here; the scope checks after it read no store at all.
            return self.authenticate_header(request.headers.get("Authorization"))

        return principal


@contextmanager
def forbidden_as_403() -> Iterator[None]:
    """Inside an endpoint: turn ``Forbidden`` (e.g. from ``principal.require_ward``) into 403."""
    try:
        yield
    except Forbidden as exc:
        raise ApiError(status.HTTP_403_FORBIDDEN, exc.reason, str(exc)) from exc


def known_code(code: str, pattern: re.Pattern[str], kind: str) -> str:
    """``code`` if it has the form of a ``kind`` code (E05… ward, E09… borough), else 422."""
    if not pattern.fullmatch(code):
        expected = f"{pattern.pattern[:3]} + 6 digits"
        raise ApiError(422, "malformed_code", f"not a {kind} code ({expected}): {code[:40]!r}")
    return code


def add_forbidden_handler(app: FastAPI) -> None:
    """Answer 403 with the error model whenever an endpoint lets ``Forbidden`` escape."""

    async def handler(_request: Request, exc: Exception) -> JSONResponse:
        reason = exc.reason if isinstance(exc, Forbidden) else "out_of_scope"
        return error_response(status.HTTP_403_FORBIDDEN, reason, str(exc))

    app.add_exception_handler(Forbidden, handler)


def unauthorized(problem: AuthProblem) -> HTTPException:
    """HTTP 401 with a Bearer challenge (RFC 6750 error code when a token was presented)."""
    challenge = "Bearer"
    if problem is AuthProblem.MALFORMED:
        challenge = 'Bearer error="invalid_request"'
    elif problem is not AuthProblem.MISSING:
        challenge = 'Bearer error="invalid_token"'
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=MESSAGES[problem],
        headers={"WWW-Authenticate": challenge},
    )


def bearer_token(authorization: str | None) -> str:
    """The token from an ``Authorization: Bearer <token>`` value, or AuthenticationError."""
    if authorization is None or not authorization.strip():
        raise AuthenticationError(AuthProblem.MISSING)
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise AuthenticationError(AuthProblem.MALFORMED)
    return token


def path_param(request: Request, param: str) -> str:
    try:
        return str(request.path_params[param])
    except KeyError:
        raise LookupError(f"the route has no path parameter {param!r} to check") from None
