"""Authentication and authorisation for every HTTP API: roles, scoped principals, opaque
bearer tokens stored as hashes, and the audit of personal-level reads. See README.md."""

from shared.auth.audit import (
    AccessLog,
    AccessOutcome,
    AccessRecord,
    MissingPurposeError,
    record_access,
)
from shared.auth.clock import Clock, utc_now
from shared.auth.http import Authenticator, add_forbidden_handler, forbidden_as_403
from shared.auth.memory import MemoryAccessLog, MemoryTokenStore
from shared.auth.models import IssuedToken, TokenCreate, TokenPublic
from shared.auth.principal import Forbidden, Principal, Role
from shared.auth.problems import AuthenticationError, AuthProblem
from shared.auth.scopes import ScopeError, check_scopes
from shared.auth.sql import SqlAccessLog, SqlTokenStore, open_engine
from shared.auth.store import TokenNotFoundError, TokenStore
from shared.auth.tables import AccessLogRow, ApiToken, create_schema
from shared.auth.tokens import (
    TokenRequestError,
    authenticate,
    hash_token,
    issue_token,
    revoke_token,
)

__all__ = [
    "AccessLog",
    "AccessLogRow",
    "AccessOutcome",
    "AccessRecord",
    "ApiToken",
    "AuthProblem",
    "AuthenticationError",
    "Authenticator",
    "Clock",
    "Forbidden",
    "IssuedToken",
    "MemoryAccessLog",
    "MemoryTokenStore",
    "MissingPurposeError",
    "Principal",
    "Role",
    "ScopeError",
    "SqlAccessLog",
    "SqlTokenStore",
    "TokenCreate",
    "TokenNotFoundError",
    "TokenPublic",
    "TokenRequestError",
    "TokenStore",
    "add_forbidden_handler",
    "authenticate",
    "check_scopes",
    "create_schema",
    "forbidden_as_403",
    "hash_token",
    "issue_token",
    "open_engine",
    "record_access",
    "revoke_token",
    "utc_now",
]
