"""Every public name of the provider's public modules says what it is: the API pages are built from these
docstrings (``docs/api.rst``), and a name without one would be a blank entry there."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "airflow_provider_peerclick"


def public_names(path: Path) -> Iterator[tuple[str, ast.AST]]:
    def visit(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, ast.AST]]:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if node.name.startswith("_"):
                    continue
                yield prefix + node.name, node
                if isinstance(node, ast.ClassDef):
                    yield from visit(node.body, f"{prefix}{node.name}.")

    yield from visit(ast.parse(path.read_text()).body, "")


def test_every_public_name_has_a_docstring():
    modules = [
        path
        for path in PACKAGE.rglob("*.py")
        if not any(part.startswith("_") and part != "__init__.py" for part in path.relative_to(PACKAGE).parts)
    ]
    names = [(path, name, node) for path in modules for name, node in public_names(path)]
    assert len(names) > 250  # the walk found the package
    undocumented = [
        f"{path.relative_to(PACKAGE)}: {name}"
        for path, name, node in names
        if ast.get_docstring(node) is None  # type: ignore[arg-type]
    ]
    assert undocumented == []
