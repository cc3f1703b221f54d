"""Why a presented token was not accepted (each becomes an HTTP 401 with this message)."""

from __future__ import annotations

from enum import StrEnum


class AuthProblem(StrEnum):
    MISSING = "missing"
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    EXPIRED = "expired"


MESSAGES = {
    AuthProblem.MISSING: "missing bearer token: send 'Authorization: Bearer <token>'",
    AuthProblem.MALFORMED: "malformed bearer token: expected 'Authorization: Bearer snt_…'",
    AuthProblem.UNKNOWN: "unknown token",
    AuthProblem.REVOKED: "token revoked",
    AuthProblem.EXPIRED: "token expired",
}


class AuthenticationError(Exception):
    """The caller is not authenticated; ``problem`` says why."""

    def __init__(self, problem: AuthProblem) -> None:
        super().__init__(MESSAGES[problem])
        self.problem = problem
