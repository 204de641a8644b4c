"""Chapter notebooks executed with papermill (issue 5): content, thinness, failures, reproducibility."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import DATA, ROOT, run_cli
from lakin.pipeline.execute import chapters, chapters_for
from lakin.data.load import load

pytestmark = pytest.mark.slow


def _texts(nb_path: Path, mime: str = "text/markdown") -> list[str]:
    nb = nbformat.read(nb_path, as_version=4)
    return [str(o["data"][mime]) for c in nb.cells for o in c.get("outputs", []) if mime in o.get("data", {})]


def _tables(nb_path: Path) -> dict[str, dict]:
    nb = nbformat.read(nb_path, as_version=4)
    out = {}
    for c in nb.cells:
        for o in c.get("outputs", []):
            meta = o.get("metadata", {}).get("lakin", {})
            if meta.get("kind") == "table":
                out[meta["id"]] = meta
    return out


def _figures(nb_path: Path) -> list[str]:
    nb = nbformat.read(nb_path, as_version=4)
    return [o["metadata"]["lakin"]["id"] for c in nb.cells for o in c.get("outputs", [])
            if o.get("metadata", {}).get("lakin", {}).get("kind") == "figure"]


def test_customs_report_runs(executed):
    out = executed("kppbc-balikpapan", "2024")
    names = [p.stem for p in out]
    assert names == ["00-ringkasan", "01-pendahuluan", "02-perencanaan", "03-akuntabilitas", "04-penerimaan",
                     "05-anggaran", "06-penutup", "07-lampiran"]
    nb = dict(zip(names, out))
    summary = " ".join(_texts(nb["00-ringkasan"]))
    assert "118,32" in summary and "114,65" in summary and "meningkat 3,67 poin" in summary
    scorecard = _tables(nb["03-akuntabilitas"])["tabel-papan-skor"]
    assert scorecard["rows"] == 20
    assert [row[2] for row in scorecard["data"]][:3] == ["1a-N", "2a-CP", "2b-CP"]
    revenue = _tables(nb["04-penerimaan"])
    assert "tabel-kinerja-penerimaan" in revenue and "tabel-trajektori" in revenue
    assert "Rp2.035.400.114.000" in json.dumps(revenue["tabel-kinerja-penerimaan"]["data"])
    assert "gambar-trajektori" in _figures(nb["04-penerimaan"])
    budget = _tables(nb["05-anggaran"])
    assert {"tabel-jenis-belanja", "tabel-kegiatan", "tabel-rpd", "tabel-ikpa"} <= set(budget)


def test_fisheries_report_runs_without_revenue_chapter(executed):
    out = executed("bkipm-banjarmasin", "2024Q1")
    names = [p.stem for p in out]
    assert "04-penerimaan" not in names  # no revenue data: the chapter is left out, no empty heading
    nb = dict(zip(names, out))
    assert "112,48%" in " ".join(_texts(nb["00-ringkasan"]))
    assert _tables(nb["03-akuntabilitas"])["tabel-papan-skor"]["rows"] == 16
    budget = _tables(nb["05-anggaran"])
    per_jenis = json.dumps(budget["tabel-jenis-belanja"]["data"])
    assert "951.228.192" in per_jenis and "27,26" in per_jenis and "23,65" in per_jenis
    assert "33,67" in json.dumps(budget["tabel-kegiatan"]["data"])


@pytest.mark.parametrize("kode", [f"IKU {i}" for i in range(1, 8)] + [f"IKM {i}" for i in range(8, 17)])
def test_fisheries_history_tables_match_seed_layout(executed, kode):
    """Seed 003 Tabel 2-17: 2019-2023, then the TW I target, realisation, % and the Renstra 2020-2024 target
    (one row per period since issue 12: earlier years keep their targets; lakin.present.profil.perbandingan_table)."""
    nb = dict((p.stem, p) for p in executed("bkipm-banjarmasin", "2024Q1"))
    table = _tables(nb["03-akuntabilitas"])[f"tabel-iku-{kode}"]
    assert table["columns"] == ["Uraian", "Target", "Realisasi", "Capaian", "% dari Target Tahunan"]
    assert [row[0] for row in table["data"]][:6] == [f"Tahun {y}" for y in range(2019, 2024)] + ["Triwulan I 2024"]
    assert table["data"][-1][0].startswith("Target Renstra 2020-2024")


def test_fisheries_iku6_history_values(executed):
    nb = dict((p.stem, p) for p in executed("bkipm-banjarmasin", "2024Q1"))
    table = _tables(nb["03-akuntabilitas"])["tabel-iku-IKU 6"]
    rows = {row[0]: dict(zip(table["columns"], row)) for row in table["data"]}
    # the seed prints 84 and 98,65; one column shows one number of decimals (fmt.same_decimals, issue 16)
    assert rows["Tahun 2022"]["Realisasi"] == "84,00" and rows["Triwulan I 2024"]["Realisasi"] == "98,65"
    assert rows["Triwulan I 2024"]["Capaian"] == "117,44"


def test_chapters_left_out_without_data():
    tables = load(DATA, satker="bkipm-banjarmasin").for_satker("bkipm-banjarmasin")
    assert "04-penerimaan" not in [c.name for c in chapters_for(tables)]


FORBIDDEN_PATH = re.compile(r"""["'](\.{0,2}/|[A-Za-z]:\\|~/)|\.csv|\.ipynb|data/|reports/""")


@pytest.mark.parametrize("nb_path", sorted((ROOT / "notebooks").rglob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_are_thin(nb_path):
    """House style: no def, class, loop or file path in any cell; logic lives in lakin."""
    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)), cell.source
            assert not isinstance(node, (ast.For, ast.While)), cell.source
        assert not FORBIDDEN_PATH.search(cell.source), cell.source
        assert "os.chdir" not in cell.source


def test_each_chapter_has_parameters_and_setup_cells():
    for ch in chapters():
        nb = nbformat.read(ch.path, as_version=4)
        tags = [c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code"]
        assert tags[0] == ["parameters"] and tags[1] == ["setup"], ch.name
        params = nb.cells[1].source
        # `model`: the saved report model the build passes (None: the chapter computes it)
        assert set(re.findall(r"^(\w+) =", params, re.M)) == {"satker", "periode", "data_dir", "model"}


def test_corrupt_input_names_chapter_and_keeps_error_notebook(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    target = data / "iku_nilai" / "kppbc-balikpapan.csv"
    text = target.read_text(encoding="utf-8")
    assert ",84.5," in text
    target.write_text(text.replace(",84.5,", ',"84,5",', 1), encoding="utf-8")  # a decimal comma
    proc = run_cli("run", "kppbc-balikpapan", "2024", "--data", str(data), "--reports", str(tmp_path / "reports"))
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "Bab '00-ringkasan' gagal di sel" in proc.stderr
    assert "iku_nilai/kppbc-balikpapan.csv" in proc.stderr and "84,5" in proc.stderr
    kept = tmp_path / "reports" / "kppbc-balikpapan" / "2024" / "gagal" / "00-ringkasan.ipynb"
    assert kept.is_file()
    nb = nbformat.read(kept, as_version=4)
    assert any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))
    assert not (tmp_path / "reports" / "kppbc-balikpapan" / "2024" / "notebooks").exists()
