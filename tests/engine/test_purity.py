"""The engine is a pure library: no web, ORM, CLI, distributed or progress-bar modules."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import warmline

FORBIDDEN = frozenset(
    {
        "fastapi",
        "starlette",
        "sqlalchemy",
        "alembic",
        "click",
        "typer",
        "dask",
        "distributed",
        "flask",
        "django",
        "requests",
        "httpx",
        "tqdm",
    }
)
# warmline.engine may be a namespace package (no __init__), so locate it from warmline itself.
ENGINE_DIR = Path(warmline.__file__).parent / "engine"


def engine_modules() -> list[str]:
    """Every module under warmline.engine, by dotted name, found from the source files."""
    names = []
    for path in sorted(ENGINE_DIR.rglob("*.py")):
        parts = path.relative_to(ENGINE_DIR.parent.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def test_there_are_engine_modules_to_check() -> None:
    modules = engine_modules()
    assert "warmline.engine.pipeline" in modules
    assert len(modules) > 5


def test_importing_the_engine_loads_no_forbidden_module() -> None:
    script = (
        "import importlib, json, sys\n"
        f"for name in {engine_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert loaded & FORBIDDEN == set()


def test_engine_source_imports_no_forbidden_module() -> None:
    offenders = []
    for path in sorted(ENGINE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            offenders += [f"{path.name}:{node.lineno} {r}" for r in roots if r in FORBIDDEN]
    assert offenders == []
