"""Shared fixtures: the shipped seed data and a CLI runner that never hides a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `lakin ARGS` in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "lakin.cli", *args], capture_output=True, text=True,
                          cwd=str(cwd or ROOT))


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
