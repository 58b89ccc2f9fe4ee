"""The documentation's code is true to the current API: its Python compiles, its imports and its API links
resolve, and every file it includes exists (``mkdocs build --strict`` checks the rest in CI)."""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(path for path in DOCS.rglob("*.md") if "_griffe" not in path.parts)

_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_INCLUDE = re.compile(r'^--8<-- "([^"]+)"$', re.MULTILINE)
_API_LINK = re.compile(r"\]\[(jde_zoho_sdk(?:\.\w+)+)\]")


def python_blocks() -> Iterator[tuple[str, str]]:
    for page in [*PAGES, ROOT / "README.md"]:
        for number, match in enumerate(_PYTHON_BLOCK.finditer(page.read_text(encoding="utf-8")), 1):
            source = match.group(1)
            if not _INCLUDE.fullmatch(source.strip()):
                yield f"{page.relative_to(ROOT)}#{number}", source


BLOCKS = dict(python_blocks())


def resolve(path: str) -> object:
    """Import the longest module prefix of a dotted path, then follow the attributes."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise ModuleNotFoundError(path)


def test_the_docs_have_python_examples() -> None:
    assert len(BLOCKS) > 20


@pytest.mark.parametrize("where", sorted(BLOCKS))
def test_python_block_compiles_and_its_sdk_imports_exist(where: str) -> None:
    tree = ast.parse(BLOCKS[where], filename=where)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("jde_zoho_sdk"):
            module = importlib.import_module(node.module or "")
            for alias in node.names:
                if not hasattr(module, alias.name):  # a submodule: `from jde_zoho_sdk.testing import seed`
                    importlib.import_module(f"{node.module}.{alias.name}")
                elif hasattr(module, "__all__"):
                    assert alias.name in module.__all__, (
                        f"{where}: {alias.name} is not public in {node.module}"
                    )


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(DOCS)))
def test_api_links_name_real_objects(page: Path) -> None:
    for path in _API_LINK.findall(page.read_text(encoding="utf-8")):
        resolve(path)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(DOCS)))
def test_included_files_and_sections_exist(page: Path) -> None:
    for target in _INCLUDE.findall(page.read_text(encoding="utf-8")):
        name, _, section = target.partition(":")
        included = ROOT / name
        assert included.is_file(), f"{page.name} includes {name}, which does not exist"
        if section:
            text = included.read_text(encoding="utf-8")
            assert f"--8<-- [start:{section}]" in text, f"{name} has no section {section}"
            assert f"--8<-- [end:{section}]" in text, f"{name} has no end of section {section}"


def test_readme_keeps_the_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 -m venv .venv && .venv/bin/pip install -e '.[cli]' && .venv/bin/jde-zoho demo" in readme
    assert (
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest" in readme
    )
