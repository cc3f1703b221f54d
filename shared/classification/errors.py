"""Errors raised by the KPI classification."""

from __future__ import annotations


class ClassificationError(Exception):
    """The classification file is missing or invalid; the message names the entry and problem.

    Raised at start-up, so a service refuses to count on a mapping it cannot trust.
    """


class _ReadableLookupError(LookupError):
    def __str__(self) -> str:
        # LookupError would quote the message like a dict key; keep it readable.
        return str(self.args[0]) if self.args else ""


class UnknownTaxonomyError(_ReadableLookupError):
    """A taxonomy name that the classification does not define."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        super().__init__(f"unknown taxonomy {name!r}; known taxonomies: {', '.join(known)}")
        self.name = name
        self.known = known

    def __reduce__(self) -> tuple[type[UnknownTaxonomyError], tuple[str, tuple[str, ...]]]:
        return type(self), (self.name, self.known)


class UnmappedCategory(_ReadableLookupError):  # noqa: N818 (named for the reject reason)
    """A category with no entry in the mapping: it is rejected, never given a default group."""

    def __init__(self, taxonomy: str, major: str, minor: str | None = None) -> None:
        super().__init__(
            f"unmapped {taxonomy} category {describe(major, minor)}: no KPI group is defined "
            "for it; add an entry to the classification file and bump its version"
        )
        self.taxonomy = taxonomy
        self.major = major
        self.minor = minor

    def __reduce__(self) -> tuple[type[UnmappedCategory], tuple[str, str, str | None]]:
        return type(self), (self.taxonomy, self.major, self.minor)


class TaxonomyNotDetectedError(_ReadableLookupError):
    """A set of categories that no single candidate taxonomy maps completely."""


def describe(major: str, minor: str | None) -> str:
    """A category as written in messages: ``'MAJOR' / 'MINOR'`` or ``'TYPE'``."""
    return repr(major) if minor is None else f"{major!r} / {minor!r}"
