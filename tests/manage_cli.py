"""Run `manage.py` in a child process, with this process's environment minus what a test must not pass on."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE in this process; a child must start as production would.
ALWAYS_DROPPED = frozenset({"DJANGO_ALLOW_ASYNC_UNSAFE"})


def run_manage(
    *args: str, env: dict[str, str], drop: frozenset[str] = frozenset()
) -> subprocess.CompletedProcess:
    """`python manage.py *args` with os.environ, less `drop`, overlaid by `env`; output captured as text."""
    base = {k: v for k, v in os.environ.items() if k not in ALWAYS_DROPPED | drop}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
