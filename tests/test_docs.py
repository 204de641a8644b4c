"""The code in docs/api.md runs as written: a renamed or moved function shows up here, not in a user's notebook."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

API = ROOT / "docs" / "api.md"
BLOCKS = re.findall(r"```python\n(.*?)```", API.read_text(encoding="utf-8"), re.S)
# blocks that write files (Excel template and import) are exercised by tests/test_excel.py instead
WRITES = ("import_workbook", "write_template")


def test_api_doc_has_code():
    assert len(BLOCKS) >= 8


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_api_doc_blocks_run_in_order(monkeypatch):
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    for i, block in enumerate(BLOCKS):
        if any(w in block for w in WRITES):
            continue
        try:
            exec(compile(block, f"docs/api.md block {i}", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 - the failing block is the message
            pytest.fail(f"docs/api.md block {i} fails: {type(exc).__name__}: {exc}\n{block}")
