"""Report parameters (params/<satker>/<period>.yaml) are validated before execution."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from lakin.errors import ParameterError, PeriodError
from lakin.data.params import load_params_file, report_dir

KNOWN = ["kppbc-balikpapan", "bkipm-banjarmasin", "spkt-polda-jateng"]


@pytest.mark.parametrize("path", sorted((ROOT / "params").rglob("*.yaml")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_params_file_is_valid(path):
    params = load_params_file(path, KNOWN)
    assert params.satker == path.parent.name
    assert params.period.label == path.stem


def test_shipped_reports_cover_the_data():
    found = {(p.parent.name, p.stem) for p in (ROOT / "params").rglob("*.yaml")}
    assert found == ({("kppbc-balikpapan", q) for q in ("2024Q1", "2024Q2", "2024Q3", "2024")}
                     | {("bkipm-banjarmasin", "2024Q1"), ("spkt-polda-jateng", "2018")})


@pytest.mark.parametrize("text, error, fragment", [
    ("satker: kppbc-balikpapan\nperiode: '2024'\nwarna: merah\n", ParameterError, "kunci tidak dikenal ['warna']"),
    ("satker: kppbc-jakarta\nperiode: '2024'\n", ParameterError, "tidak dikenal"),
    ("satker: kppbc-balikpapan\nperiode: 2024Q7\n", PeriodError, "2024Q7"),
    ("satker: ../etc\nperiode: '2024'\n", ParameterError, "tidak sah"),
    ("satker: kppbc-balikpapan\nperiode: [2024]\n", ParameterError, "skalar"),
    ("satker: kppbc-balikpapan\n", ParameterError, "wajib"),
    ("- a\n- b\n", ParameterError, "pemetaan"),
])
def test_bad_params_refused_with_clear_message(tmp_path: Path, text, error, fragment):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error) as info:
        load_params_file(path, KNOWN)
    assert fragment in str(info.value)


def test_report_dir_uses_canonical_period(tmp_path):
    assert report_dir(tmp_path, "kppbc-balikpapan", "2024Q4") == (tmp_path / "kppbc-balikpapan" / "2024").resolve()


def test_yaml_files_are_read_by_libyaml_as_the_pure_python_parser_reads_them(tmp_path):
    """lakin's YAML (params, frameworks, outlines, configuration) goes through libyaml's parser (YAML_LOADER, issue
    15: ten times faster): on every YAML file shipped, the same values as PyYAML's own parser; a key given twice is
    still refused, naming both lines."""
    import yaml

    from lakin.data.params import YAML_LOADER

    assert YAML_LOADER is yaml.CSafeLoader  # PyYAML's wheels carry libyaml
    files = sorted((ROOT / "lakin").rglob("*.yaml")) + sorted((ROOT / "params").rglob("*.yaml"))
    assert len(files) >= 12
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=YAML_LOADER) == yaml.safe_load(text), path
    path = tmp_path / "kppbc-balikpapan" / "2024.yaml"
    path.parent.mkdir()
    path.write_text("satker: kppbc-balikpapan\nperiode: 2024\nperiode: 2023\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"kunci 'periode' ditulis dua kali \(baris 2 dan 3\)"):
        load_params_file(path, KNOWN)
