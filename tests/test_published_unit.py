"""The third shipped framework (permenpanrb-rata) on a unit transcribed from a published report.

Source: the performance report of SPKT Polda Jawa Tengah for 2018, section "Presentase Tingkat Kepuasan
Masyarakat", published at https://spktpoldajateng.blogspot.com (13 February 2019), found with the search tool.
Its indicator table prints one IKU: Tingkat kepuasan masyarakat terhadap Polri, target 65 %, realisasi
90,83 %, capaian 139,73 %. The realisation follows from its counts table (31.991 satisfied, 3.230 not:
31.991 / 35.221 = 90,829 %). The unit's average achievement (the framework's score) is that one indicator's.

Worked by hand: 90,83 / 65 x 100 = 139,7385 -> 139,74 (no cap in PermenPANRB 53/2014). The report prints
139,73: the realisation it held was not more than 90,8299 (139,7383 still rounds up), so the printed index is
139,7385 truncated, or came from a realisation below 90,83 printed as 90,83 (90,825 gives 139,7308). lakin
prints 139,74 and `lakin check` accepts 139,73 as consistent within the rounding of the printed inputs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SATKER, PERIOD = "spkt-polda-jateng", "2018"


def _figures() -> dict:
    proc = subprocess.run([sys.executable, "-m", "lakin.cli", "figures", SATKER, PERIOD, "--json", "--data", str(DATA)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
def test_published_unit_scores_as_the_source_prints_within_its_rounding():
    fig = _figures()
    assert fig["kerangka"] == "permenpanrb-rata"
    (iku,) = fig["indikator"]
    assert (iku["target"], iku["realisasi"], iku["capaian"]) == (65.0, 90.83, 139.74)
    assert fig["nilai_organisasi"]["kode"] == "RCK"
    assert fig["nilai_organisasi"]["nilai"] == 139.74  # uncapped plain average of the one indicator
    assert fig["nilai_organisasi"]["kategori"] == "Sangat Baik"


def test_check_accepts_the_published_figures_within_input_rounding():
    from lakin.tools.check import check

    result = check(DATA, satker=SATKER)
    printed = [f for f in result.findings if f.table in ("capaian_dilaporkan", "nilai_organisasi")]
    assert sorted((f.table, f.printed, f.rule) for f in printed) == [
        ("capaian_dilaporkan", 139.73, "cocok_pembulatan"), ("nilai_organisasi", 139.73, "cocok_pembulatan")]
    assert not [f for f in result.findings if f.severity == "error"]


@pytest.mark.slow
def test_build_renders_the_published_unit(tmp_path):
    from lakin.pipeline.build import build

    result = build(SATKER, PERIOD, DATA, tmp_path, formats=("html",))
    html = result.files["html"].read_text(encoding="utf-8")
    assert "SPKT Polda Jateng" in html or "Sentra Pelayanan Kepolisian Terpadu" in html
    assert "139,74" in html and "Rata-rata Capaian Kinerja" in html
    assert "Tingkat kepuasan masyarakat terhadap Polri" in html
    # one indicator: named, not "Seluruh IKU yang dinilai memperoleh indeks capaian yang sama"
    assert "Satu-satunya IKU yang dinilai adalah IKU 1 Tingkat kepuasan masyarakat terhadap Polri, dengan indeks " \
           "capaian 139,74 (Sangat Baik)." in " ".join(html.split())
    assert "yang sama, yaitu" not in html
