"""The official AsyncAPI parser (npm ``@asyncapi/parser``, pinned in tests/support/asyncapi/),
installed once into ``.npm-tools/`` at the repository root (ignored by git).

``make test`` installs it before the suite (``python -m tests.support.asyncapi_parser``), and
:func:`parser_dir` installs it on first use; without node and npm the tests that need it
skip, and fail under CI.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).resolve().parent / "asyncapi"
TOOLS = SOURCE.parents[2] / ".npm-tools"
FILES = ("package.json", "package-lock.json", "validate.mjs")
ERROR, WARNING = 0, 1
"""Diagnostic severities (spectral's): 2 and 3 are information and hints."""


class ParserUnavailableError(RuntimeError):
    """node or npm is missing, or the install failed."""


@dataclass(frozen=True, slots=True)
class Result:
    parsed: bool
    diagnostics: list[dict[str, Any]]
    version: str | None = None

    def problems(self) -> list[dict[str, Any]]:
        """Errors and warnings (information and hints left out)."""
        return [d for d in self.diagnostics if d["severity"] in (ERROR, WARNING)]


def parser_dir() -> Path:
    """The installed parser's directory, installing it when missing or out of date."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        raise ParserUnavailableError(f"{' and '.join(missing)} not found on PATH")
    TOOLS.mkdir(exist_ok=True)
    wanted = hashlib.sha256(b"".join((SOURCE / f).read_bytes() for f in FILES)).hexdigest()
    stamp = TOOLS / ".installed"
    with (TOOLS / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one install however many test workers ask
        if not stamp.is_file() or stamp.read_text() != wanted:
            _install()
            stamp.write_text(wanted)
    return TOOLS


def _install() -> None:
    for name in FILES:
        shutil.copyfile(SOURCE / name, TOOLS / name)
    command = ["npm", "ci", "--prefix", str(TOOLS), "--ignore-scripts", "--no-audit", "--no-fund"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise ParserUnavailableError(f"npm ci failed: {done.stderr.strip()[-2000:]}")


def parse(documents: dict[str, dict[str, Any]]) -> dict[str, Result]:
    """Each named document as the parser reads it."""
    tools = parser_dir()
    with tempfile.TemporaryDirectory(prefix="asyncapi-") as work:
        paths = {}
        for name, document in documents.items():
            path = paths[name] = Path(work) / f"{name}.json"
            path.write_text(json.dumps(document), encoding="utf-8")
        done = subprocess.run(
            ["node", str(tools / "validate.mjs"), *map(str, paths.values())],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the AsyncAPI parser failed: {done.stderr.strip()[-2000:]}")
        found = json.loads(done.stdout)
    return {name: Result(**found[str(path)]) for name, path in paths.items()}


if __name__ == "__main__":
    try:
        print(f"AsyncAPI parser in {parser_dir()}")
    except ParserUnavailableError as exc:
        print(f"AsyncAPI parser not installed ({exc}): its tests will skip", file=sys.stderr)
