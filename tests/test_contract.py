"""The project's own data-contract document is the one the loader enforces (generated from lakin.data.schemas)."""

from __future__ import annotations

from conftest import ROOT

from lakin.data import contract
from lakin.data.schemas import TABLES

DOC = ROOT / "docs" / "data-contract.md"


def test_committed_document_matches_the_declarations():
    assert DOC.read_text(encoding="utf-8") == contract.markdown(), (
        "docs/data-contract.md is stale: run `python -m lakin.data.contract > docs/data-contract.md`")


def test_every_table_and_column_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for name, table in TABLES.items():
        assert f"### `{name}`" in text
        for column in table.columns:
            assert f"| `{column}` |" in text


def test_readmes_point_to_the_projects_own_contract():
    for readme in (ROOT / "data" / "README.md", ROOT / "README.md"):
        text = readme.read_text(encoding="utf-8")
        assert "shared/DATA-CONTRACT" not in text and "docs/data-contract.md" in text
