"""`lakin build --watch` (issue 15): after its build, the command keeps the process (imports, warm kernel) and
builds the report again whenever the unit's data, its analysts' texts or the chapter notebooks change."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import DATA, ROOT
from lakin.errors import LakinError
from lakin.pipeline.watch import report_inputs, watch


def test_a_change_is_built_once_it_holds_still_and_a_failed_build_is_reported_and_watched_on():
    state = {"inputs": "a", "fail": False}
    builds, said = [], []

    def inputs():
        if state["inputs"] is None:
            raise OSError("a file half-written")
        return state["inputs"]

    def build():
        builds.append(state["inputs"])
        if state["fail"]:
            raise LakinError("kolom 'realisasi' harus angka")

    # what changes while the watch sleeps: its n-th sleep applies script[n]; it is interrupted after the last
    script = [
        {},                            # nothing changed
        {"inputs": "b"},               # a change ...
        {},                            # ... that holds still: built
        {"inputs": "c"},               # a change ...
        {"inputs": "d"},               # ... still moving: not built yet
        {"fail": True},                # "d" holds still: built, and the build fails
        {},
        {"inputs": None},              # the inputs cannot be read a moment: nothing happens
        {"inputs": "d"},               # read again, unchanged since the failed build: not built again
    ]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        if len(slept) > len(script):
            raise KeyboardInterrupt
        state.update(script[len(slept) - 1])

    watch(build, inputs, said.append, interval=0.25, settle=0.1, sleep=sleep)
    assert builds == ["b", "d"]
    assert slept == [0.25, 0.25, 0.1, 0.25, 0.1, 0.25, 0.1, 0.25, 0.25, 0.25]  # looks, and a settle after a change
    assert said[0].startswith("Laporan diperbarui dalam ") and said[0].endswith(" detik.")
    assert said[1:] == ["Galat: kolom 'realisasi' harus angka",
                        "Laporan sebelumnya tetap; menunggu perubahan berikutnya.", "Berhenti memantau."]


def test_a_save_made_while_the_first_build_ran_is_built():
    """The command takes the inputs' digest before its first build and hands it to the watch: a save while that
    build ran (or just after it, before the watch's first look) differs from it and is built."""
    builds, said = [], []
    sleeps = iter([None, None])

    def sleep(seconds):
        if next(sleeps, "stop") == "stop":
            raise KeyboardInterrupt

    watch(lambda: builds.append(1), lambda: "saved during the build", said.append, seen="before the build",
          sleep=sleep)
    assert builds == [1] and said[-1] == "Berhenti memantau."


def test_what_is_watched_is_the_units_data_its_texts_and_not_another_units(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    inputs = report_inputs(data, "kppbc-balikpapan")
    first = inputs()
    other = data / "narasi" / "bkipm-banjarmasin" / "2024" / "Q1" / "penutup.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nKalimat satker lain.\n", encoding="utf-8")
    assert inputs() == first
    own = data / "narasi" / "kppbc-balikpapan" / "2024" / "iku-1a-N.md"
    own.write_text(own.read_text(encoding="utf-8") + "\nKalimat baru.\n", encoding="utf-8")
    second = inputs()
    assert second != first
    nilai = data / "iku_nilai" / "kppbc-balikpapan.csv"
    nilai.write_text(nilai.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    third = inputs()
    assert third not in (first, second)
    framework = data / "frameworks" / "kemenkeu-bsc.yaml"  # a framework beside the data, read before lakin's own
    framework.parent.mkdir()
    framework.write_text("# salinan kerangka\n", encoding="utf-8")
    assert inputs() not in (first, second, third)


def _wait_for(path, text: str, timeout: float = 180) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = path.read_text(encoding="utf-8", errors="replace")
        if text in seen:
            return seen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not in the output after {timeout} s:\n{seen}")


@pytest.mark.slow  # builds a report twice
def test_build_watch_rebuilds_the_report_after_an_analyst_saves_a_text(tmp_path):
    """`lakin build --watch` as an analyst uses it: the report, then an edit of a text block saved, then the
    report rebuilt with the new sentence (no chapter executed: the text is put into the kept notebook), then
    Ctrl-C ends the command with exit code 0."""
    data, reports = tmp_path / "data", tmp_path / "reports"
    shutil.copytree(DATA, data)
    out, err, tmp = tmp_path / "out.txt", tmp_path / "err.txt", tmp_path / "tmp"
    tmp.mkdir()
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "lakin.cli", "build", "bkipm-banjarmasin", "2024Q1", "--to",
                                 "html", "--data", str(data), "--reports", str(reports), "--watch"],
                                cwd=str(ROOT), stdout=stdout, stderr=stderr, env={**os.environ, "TMPDIR": str(tmp)})
        try:
            _wait_for(err, "Memantau data")
            html = reports / "bkipm-banjarmasin" / "2024Q1" / "bkipm-banjarmasin-2024Q1.html"
            assert "Kalimat yang baru disimpan." not in html.read_text(encoding="utf-8")
            block = data / "narasi" / "bkipm-banjarmasin" / "2024" / "Q1" / "iku-IKU-1.md"
            block.write_text(block.read_text(encoding="utf-8") + "\n\nKalimat yang baru disimpan.\n",
                             encoding="utf-8")
            log = _wait_for(err, "Laporan diperbarui dalam")
            assert "Kalimat yang baru disimpan." in html.read_text(encoding="utf-8")
            rebuild = log.split("Memantau data")[1].splitlines()
            assert "      hanya teks analis yang berubah: teks baru dimasukkan ke hasil eksekusi sebelumnya" in rebuild
            assert not [line for line in rebuild if line.startswith("      selesai dalam")]  # no chapter executed
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=60) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert _wait_for(err, "Berhenti memantau.")
    # the kernel stopped with the command leaves no connection file (jupyter_client's mkstemp, its key included)
    assert list(tmp.glob("*.json")) == []
