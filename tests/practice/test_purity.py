"""The practice package is a pure library, like the engine: no web, ORM, CLI or HTTP client."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = {"fastapi", "starlette", "sqlalchemy", "alembic", "click", "requests", "httpx", "tqdm"}


def test_importing_practice_loads_no_forbidden_module() -> None:
    script = (
        "import json, sys, warmline.practice, warmline.practice.debrief, warmline.practice.voice\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert not FORBIDDEN & set(json.loads(done.stdout))
