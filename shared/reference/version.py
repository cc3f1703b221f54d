"""The reference version: a short fingerprint of the data files and of this code."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

REFERENCE_CODE_VERSION = "1"
"""Bump when a rule that shapes the reference (population, boundary dates, units) changes."""


def fingerprint(files: Mapping[str, bytes], code_version: str = REFERENCE_CODE_VERSION) -> str:
    """``ref<code version>-<12 hex digits>`` over the code version and each file's name and bytes.

    Files are hashed in the mapping's order, which the loader keeps fixed.
    """
    digest = hashlib.sha256(f"london-reference {code_version}\n".encode())
    for name, data in files.items():
        digest.update(f"{name}\n{len(data)}\n".encode())
        digest.update(data)
    return f"ref{code_version}-{digest.hexdigest()[:12]}"
