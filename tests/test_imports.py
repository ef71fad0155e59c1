"""Every module of the library imports on its own, in a fresh interpreter: a developer may `import` any of them first
(an import cycle shows only when the module that closes it is imported first; importing rag.generation.composer or
compare first used to fail)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import rag

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_every_rag_module_imports_first():
    modules = [m.name for m in pkgutil.walk_packages(rag.__path__, "rag.")]
    assert len(modules) > 40

    def imports(name: str) -> tuple[str, str]:
        run = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=ROOT, capture_output=True, text=True)
        return name, (run.stderr.strip().splitlines() or [""])[-1] if run.returncode else ""

    with ThreadPoolExecutor(4) as pool:
        failures = [(name, error) for name, error in pool.map(imports, modules) if error]
    assert not failures, failures
