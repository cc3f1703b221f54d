"""The house's import rules, checked on the source tree (see STYLE: import rule)."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SERVICES = ("ingest", "kpi", "flex", "alerts", "dashboard")
STATISTICS = {"numpy", "scipy", "statsmodels"}
"""Numerical libraries the domain's statistics use: pure computation, no I/O."""
DOMAIN_THIRD_PARTY = {"pydantic", "pydantic_core", "annotated_types", *STATISTICS}
IO_MODULES = {
    "io", "os", "pathlib", "shutil", "socket", "subprocess", "sqlite3", "tempfile", "urllib",
    "http", "asyncio", "logging", "glob", "ssl", "smtplib", "select", "selectors", "signal",
}  # fmt: skip
IO_BUILTINS = {"open", "print", "input"}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.problem}"


def module_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, module: str) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, _absolute(node, module)


def _absolute(node: ast.ImportFrom, module: str) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")[: -node.level] if node.level else []
    return ".".join([*base, node.module] if node.module else base)


def check_source(source: str, module: str, path: str) -> list[Violation]:
    tree = ast.parse(source)
    found = [Violation(path, line, p) for line, name in imported(tree, module)
             if (p := _import_problem(module, name))]  # fmt: skip
    return found + _io_calls(tree, module, path)


def _import_problem(module: str, name: str) -> str | None:
    top = name.split(".")[0]
    if module.startswith("shared") and top in {"services", "snt"}:
        return f"shared imports {name}: shared must import no service or tool"
    if module.startswith("services."):
        own = module.split(".")[1]
        if top == "snt" or (top == "services" and name.split(".")[1:2] != [own]):
            return f"service {own} imports {name}: services talk only through topics and HTTP"
        if _is_domain(module):
            return _domain_import_problem(own, name)
    return None


def _is_domain(module: str) -> bool:
    parts = module.split(".")
    return len(parts) >= 3 and parts[0] == "services" and parts[2] == "domain"


def _domain_import_problem(own: str, name: str) -> str | None:
    top = name.split(".")[0]
    if top in IO_MODULES:
        return f"domain code imports {name}: domain logic does no I/O"
    if top == "__future__" or top == "shared" or top in DOMAIN_THIRD_PARTY:
        return None
    if name.startswith(f"services.{own}.domain"):
        return None
    if top in sys.stdlib_module_names:
        return None
    allowed = "the standard library, pydantic, numpy, scipy, statsmodels and shared"
    return f"domain code imports {name}: only {allowed}"


def _io_calls(tree: ast.AST, module: str, path: str) -> list[Violation]:
    if not _is_domain(module):
        return []
    return [
        Violation(path, node.lineno, f"domain code calls {node.func.id}(): no I/O in domain")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in IO_BUILTINS
    ]


def check_tree(root: Path) -> list[Violation]:
    violations: list[Violation] = []
    for package in ("shared", "services"):
        for path in sorted((root / package).rglob("*.py")):
            module = module_of(path, root)
            rel = str(path.relative_to(root))
            violations += check_source(path.read_text(), module, rel)
    return violations
