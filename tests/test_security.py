"""Parameters are validated before they become paths; outputs are written atomically."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lakin.atomic import TMP_PREFIX, clean_stale
from lakin.errors import LakinError, ParameterError, PeriodError
from lakin.data.params import (
    load_params_file,
    make_params,
    report_dir,
    validate_period,
    validate_satker,
)
from conftest import DATA, ROOT


BAD_SATKER = ["../etc", "/abs", "/etc/passwd", "a/b", "..", ".", "", "a", "A-b", "a\\b", "a\x00b", "kppbc/../x",
              " ab", "ab ", "-ab", "ab.csv", "~root", "a" * 64, "%2e%2e", "..%2f"]
BAD_PERIOD = ["2024Q7", "2024Q0", "2024Q5", "2024Q", "2024q1", "24", "1999", "2101", "../2024", "2024/Q1",
              "2024Q1/..", "", "Q1", "2024-Q1", "2024Q1 ; rm -rf /"]


@pytest.mark.parametrize("satker", BAD_SATKER)
def test_bad_satker_rejected(satker):
    with pytest.raises(ParameterError):
        validate_satker(satker)


def test_trailing_newline_satker_rejected():
    with pytest.raises(ParameterError):
        validate_satker("ab\n")


@pytest.mark.parametrize("satker", [None, 5, ["ab"], {"a": 1}, b"ab"])
def test_non_text_satker_rejected(satker):
    with pytest.raises(ParameterError):
        validate_satker(satker)


@pytest.mark.parametrize("satker", ["kppbc-balikpapan", "bkipm-banjarmasin", "ab", "0a", "a" * 63])
def test_good_satker_accepted(satker):
    assert validate_satker(satker) == satker


@pytest.mark.parametrize("period", BAD_PERIOD)
def test_bad_period_rejected(period):
    with pytest.raises(LakinError):
        validate_period(period)


@pytest.mark.parametrize("period, label", [("2024", "2024"), ("2024Q1", "2024Q1"), ("2024Q4", "2024"), (2024, "2024")])
def test_good_period_accepted(period, label):
    assert validate_period(period).label == label


def test_unknown_period_names_the_value():
    with pytest.raises(PeriodError) as info:
        validate_period("2024Q7")
    assert "2024Q7" in str(info.value)


@pytest.mark.parametrize("satker", BAD_SATKER)
def test_report_dir_refuses_bad_satker_before_touching_disk(tmp_path, satker):
    root = tmp_path / "reports"
    with pytest.raises(ParameterError):
        report_dir(root, satker, "2024")
    assert not root.exists()


@pytest.mark.parametrize("period", BAD_PERIOD)
def test_report_dir_refuses_bad_period(tmp_path, period):
    with pytest.raises(LakinError):
        report_dir(tmp_path / "reports", "kppbc-balikpapan", period)
    assert not (tmp_path / "reports").exists()


@settings(max_examples=25, deadline=None)
@given(satker=st.text(max_size=20), period=st.text(max_size=8))
def test_property_report_dir_never_escapes_root(tmp_path_factory, satker, period):
    root = (tmp_path_factory.getbasetemp() / "reports").resolve()
    try:
        target = report_dir(root, satker, period)
    except LakinError:
        return
    assert root in target.parents
    assert target == root / satker / validate_period(period).label


@settings(max_examples=25, deadline=None)
@given(st.from_regex(r"\A[a-z0-9][a-z0-9-]{1,20}\Z"), st.sampled_from(["2024", "2024Q1", "2024Q2", "2024Q3"]))
def test_property_valid_parameters_stay_under_root(tmp_path_factory, satker, period):
    root = (tmp_path_factory.getbasetemp() / "reports").resolve()
    target = report_dir(root, satker, period)
    assert target.parent.parent == root and target.parent.name == satker


def test_params_file_rejects_path_and_non_scalars(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("satker: ../../etc\nperiode: 2024\n", encoding="utf-8")
    with pytest.raises(ParameterError):
        load_params_file(bad)
    nested = tmp_path / "nested.yaml"
    nested.write_text("satker: [kppbc-balikpapan]\nperiode: 2024\n", encoding="utf-8")
    with pytest.raises(ParameterError):
        load_params_file(nested)
    with pytest.raises(ParameterError):
        make_params("kppbc-balikpapan", "2024", data_dir={"x": 1})


def test_data_load_refuses_bad_satker_before_reading():
    from lakin.data.load import load

    with pytest.raises(ParameterError):
        load(DATA, satker="../data")


def _main(args: list[str], capsys) -> tuple[int, str]:
    from lakin.cli import main

    argv = sys.argv
    sys.argv = ["lakin", *args]
    try:
        with pytest.raises(SystemExit) as info:
            main()
    finally:
        sys.argv = argv
    out = capsys.readouterr()
    return int(info.value.code or 0), out.out + out.err


@pytest.mark.parametrize("args, words", [
    (["figures", "../etc", "2024"], ["../etc", "tidak sah"]),
    (["figures", "/abs", "2024"], ["/abs", "tidak sah"]),
    (["figures", "kppbc-balikpapan", "2024Q7"], ["2024Q7"]),
    (["score", "a/b", "2024"], ["a/b"]),
    (["check", "--satker", ".."], [".."]),
])
def test_cli_rejects_bad_parameters(capsys, args, words):
    code, output = _main([*args, "--data", str(DATA)], capsys)
    assert code == 2
    assert "Traceback" not in output
    for word in words:
        assert word in output


# --------------------------------------------------------------------------- atomic writes
WRITER = r"""
import importlib.util, sys, time
spec = importlib.util.spec_from_file_location("lakin_atomic", sys.argv[1])
atomic = importlib.util.module_from_spec(spec)
spec.loader.exec_module(atomic)
with atomic.atomic_path(sys.argv[2]) as tmp:
    with open(tmp, "wb") as fh:
        for i in range(100000):
            fh.write(b"NEW " * 16384)
            fh.flush()
            if i == 3:
                print("writing", flush=True)
            time.sleep(0.005)
"""


@pytest.mark.slow  # more than 1 s (pytest --durations): not in the inner loop
@pytest.mark.parametrize("previous", [b"old report\n", None])
def test_killed_writer_leaves_no_half_written_file(tmp_path, previous):
    target = tmp_path / "reports" / "laporan.html"
    target.parent.mkdir()
    if previous is not None:
        target.write_bytes(previous)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(ROOT / "lakin" / "atomic.py"), str(target)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        leftovers = list(target.parent.glob(f"{TMP_PREFIX}*"))
        assert leftovers and leftovers[0].stat().st_size > 0  # the new version is being written beside it
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    if previous is None:
        assert not target.exists()
    else:
        assert target.read_bytes() == previous  # only the previous version, never a half-written one
    assert list(target.parent.glob(f"{TMP_PREFIX}*"))  # the killed writer's temporary is left behind
    assert clean_stale(target.parent) >= 1
    assert not list(target.parent.glob(f"{TMP_PREFIX}*"))
    assert sorted(p.name for p in target.parent.iterdir()) == ([] if previous is None else ["laporan.html"])


def test_failed_writer_cleans_up_and_keeps_previous(tmp_path):
    from lakin.atomic import atomic_path, write_text

    target = write_text(tmp_path / "a.txt", "v1")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert target.read_text() == "v1"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    write_text(target, "v2")
    assert target.read_text() == "v2"


def test_clean_stale_on_missing_directory(tmp_path):
    assert clean_stale(tmp_path / "nope") == 0
