"""Errors raised by the London reference data."""

from __future__ import annotations


class ReferenceDataError(Exception):
    """The reference data (or a configuration built on it) is missing or invalid.

    Raised at start-up, so a service refuses to run on data it cannot trust.
    """


class UnknownCodeError(LookupError):
    """A code, name or date has no entry in the loaded reference data."""

    def __str__(self) -> str:
        # LookupError would quote the message like a dict key; keep it readable.
        return str(self.args[0]) if self.args else ""
