"""Shared fixtures and helpers: the project's paths (ROOT, DATA), the one CLI runner (`run_cli`), the shipped
seed data and session builds. Test modules import the helpers: `from conftest import DATA, ROOT, run_cli`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


def run_cli(*args: str, cwd: Path | None = None, columns: int | None = None, timeout: float = 600,
            env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `lakin ARGS` in a subprocess, as a user would (the one CLI runner of the suite; tests import it).

    `columns` sets the terminal width rich tables wrap at (e.g. 250: no wrapping inside a summary table).
    """
    environ = {**os.environ, **(env or {})}
    if columns:
        environ["COLUMNS"] = str(columns)
    return subprocess.run([sys.executable, "-m", "lakin.cli", *args], capture_output=True, text=True,
                          cwd=str(cwd or ROOT), env=environ, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def figures_json():
    """`lakin figures SATKER PERIOD --json`, parsed, cached per (satker, period)."""
    cache: dict[tuple[str, str], dict] = {}

    def get(satker: str, period: str) -> dict:
        key = (satker, period)
        if key not in cache:
            proc = run_cli("figures", satker, period, "--json", "--data", str(DATA))
            assert proc.returncode == 0, proc.stderr
            cache[key] = json.loads(proc.stdout)
        return cache[key]

    return get


@pytest.fixture(scope="session")
def reports_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="session")
def built(reports_root):
    """`lakin build` of a seed report (executed once per session), returning its BuildResult."""
    from lakin.pipeline.build import build

    cache = {}

    def get(satker: str, period: str):
        if (satker, period) not in cache:
            cache[(satker, period)] = build(satker, period, DATA, reports_root)
        return cache[(satker, period)]

    return get


@pytest.fixture(scope="session")
def executed(built):
    """The executed chapter notebooks of a seed report (from the session's build)."""
    return lambda satker, period: built(satker, period).run.notebooks
