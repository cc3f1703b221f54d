"""A permanent reason an input cannot be accepted: the reason code and each field's problem."""

from __future__ import annotations

from shared.contracts import FieldProblem, RejectReason


class RejectionError(Exception):
    """Raised by domain rules; carries the dead-letter reason and the field problems."""

    def __init__(self, reason: RejectReason, field: str, problem: str) -> None:
        super().__init__(f"{field} {problem}")
        self.reason = reason
        self.problems = (FieldProblem(field=field, problem=problem),)
