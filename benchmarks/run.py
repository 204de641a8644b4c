"""Benchmark of `lakin batch` against the naive way and against the floor, on the same synthetic units.

    .venv/bin/python benchmarks/run.py --units 40                 # (a)-(e) side by side, html,docx,pdf
    .venv/bin/python benchmarks/run.py --only c,d,e --units 4     # the floor and the command line only
    .venv/bin/python benchmarks/run.py --load-test                # 1,000 units: load time, batch of 200

(a) naive: the `papermill` command (a new kernel) per chapter notebook, then a separate Python process per
    report that renders the executed notebooks (lakin.pipeline.render) and writes the tables workbook; one at a time.
    Slow, so measured on the first --naive-units units and extrapolated per report (said in the output).
(b) `lakin batch` with --workers processes (lakin.pipeline.batch.run_batch, the call the command makes): cluster
    start, kernel warm-up, execution on warm kernels, renders, workbooks.
(c) floor: one Python process, no notebook machinery: the report model computed once, each chapter's cells
    (the same one-line lakin calls) run in-process on it with their displayed outputs captured into notebook
    cells, then the same render and workbook as (a) and (b).
(d) `lakin build kppbc-balikpapan 2024` from the command line (a new process), cold: a new reports folder and
    an empty cache (a machine's first build, which also makes the Vega bundle the HTML's charts embed); then a
    new reports folder with only that bundle kept (the cold build of a report on a machine that built one
    before: every chart drawn); then the same build again with the chart cache of the first (every chapter
    executed again, no chart drawn again); then a rebuild with nothing changed.
(e) the incremental rebuild: one analysts' block of that report edited, `lakin build` again from the command line
    (no chapter executed when only the block's text changed; the charts and the year's check come from the
    cache).

Every report of (a)-(c) is built from scratch (--force) in its own output tree under --out, each variant with
its own empty chart cache. Results go to stdout and to <out>/results.json. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PAPERMILL = str(Path(PYTHON).with_name("papermill"))


# --------------------------------------------------------------------------- shared pieces
def machine() -> dict:
    import psutil

    model = ""
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(), "loadavg": os.getloadavg()}


def generate(out: Path, units: int) -> Path:
    from lakin.tools.synth import generate as synth

    started = time.perf_counter()
    summary = synth(out, units=units, years=2, params=True)
    print(f"synth: {summary.units} units, {summary.files} files in {time.perf_counter() - started:.1f} s -> {out}")
    return out


def report_meta(model):
    """The cover data lakin.pipeline.build gives the render, from a report model."""
    from lakin.pipeline.build import foreword
    from lakin.pipeline.render import ReportMeta
    from lakin.values import angka, tanggal

    sc = model.scorecard
    return ReportMeta.from_unit(model.info, model.period, tanggal=tanggal(date.today()),
                                kata_pengantar=foreword(model),
                                skor=f"{sc.framework.skor_nama}: {angka(sc.overall)}{sc.framework.skor_satuan}",
                                ).with_model(model)


def _workbook(notebooks: list[Path], meta, out_dir: Path) -> Path:
    from lakin.pipeline.report_tables import notebook_tables
    from lakin.tools.excel import write_report_workbook

    return write_report_workbook(notebook_tables(notebooks, meta), out_dir / f"{meta.stem}-tabel.xlsx")


def render_and_workbook(notebooks: list[Path], satker: str, period: str, data_dir: str, out_dir: Path,
                        formats: tuple[str, ...], model=None) -> dict:
    """What lakin.pipeline.build does after executing the chapters: cover data, then the render with the tables
    workbook written beside it (lakin.pipeline.aside: a forked child where the process has no other thread)."""
    from lakin.model.report_model import build_model
    from lakin.pipeline.aside import Aside
    from lakin.pipeline.render import render_report

    model = model or build_model(satker, period, data_dir)
    meta = report_meta(model)
    out_dir.mkdir(parents=True, exist_ok=True)
    with Aside(_workbook, notebooks, meta, out_dir) as beside:
        files = render_report(notebooks, meta, out_dir, formats)
        files["xlsx"] = beside.result()
    return files


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def self_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- (a) naive
def naive(jobs, formats: tuple[str, ...], out: Path) -> dict:
    """papermill CLI per chapter (a new kernel each), then one render process per report; one at a time."""
    from lakin.data.load import load
    from lakin.pipeline.execute import chapters_for
    from lakin.data.periods import parse_period

    started = time.perf_counter()
    per_report = []
    for job in jobs:
        t0 = time.perf_counter()
        tables = load(job.data_dir, satker=job.satker).for_satker(job.satker)
        report = out / job.satker / job.period
        nb_dir = report / "notebooks"
        nb_dir.mkdir(parents=True, exist_ok=True)
        executed = []
        for chapter in chapters_for(tables, period=parse_period(job.period)):
            target = nb_dir / f"{chapter.name}.ipynb"
            subprocess.run([PAPERMILL, str(chapter.path), str(target), "-r", "satker", job.satker,
                            "-r", "periode", job.period, "-r", "data_dir", job.data_dir, "--cwd",
                            str(chapter.path.parent), "-k", "python3", "--no-progress-bar"],
                           check=True, capture_output=True, text=True)
            executed.append(target)
        subprocess.run([PYTHON, __file__, "_render", str(report), job.satker, job.period, job.data_dir,
                        ",".join(formats), *map(str, executed)], check=True, capture_output=True, text=True)
        per_report.append(time.perf_counter() - t0)
        print(f"  (a) {job.name}: {per_report[-1]:.1f} s", flush=True)
    seconds = time.perf_counter() - started
    return {"reports": len(jobs), "seconds": seconds, "per_report": per_report,
            "peak_mb_largest_process": children_peak_mb()}


def _render_main(argv: list[str]) -> None:
    report, satker, period, data_dir, formats, *notebooks = argv
    render_and_workbook([Path(n) for n in notebooks], satker, period, data_dir, Path(report),
                        tuple(formats.split(",")))


# --------------------------------------------------------------------------- (b) lakin batch
def batch(jobs, formats: tuple[str, ...], out: Path, workers: int) -> dict:
    from lakin.pipeline.batch import Reporter, run_batch

    class Dots(Reporter):
        def result(self, outcome):
            print(f"  (b) {outcome.name}: {outcome.status} {outcome.seconds:.1f} s {outcome.error[:200]}", flush=True)

    started = time.perf_counter()
    result = run_batch(jobs, formats, out, workers=workers, force=True, reporter=Dots())
    seconds = time.perf_counter() - started
    failed = [(o.name, o.error) for o in result.failed]
    return {"reports": len(result.ok), "failed": failed, "seconds": seconds, "workers": result.workers,
            "per_report": [o.seconds for o in result.ok], "peak_mb_per_worker": result.peak_memory()}


# --------------------------------------------------------------------------- (c) floor
def run_chapters_here(satker: str, period: str, data_dir: str, model, on_cell=None) -> list:
    """The report's chapter notebooks, their code cells run in this process on `model` (a ReportModel: the unit's
    tables, which decide the chapters, are its own; no kernel, no papermill), as (chapter, notebook) in order;
    `on_cell(cell, count)` after each cell. What the cells display goes through lakin.present.show (point
    `show.display` where it should go)."""
    import nbformat

    from lakin.pipeline.execute import chapters_for

    done = []
    for chapter in chapters_for(model.tables, period=model.period):
        nb = nbformat.read(chapter.path, as_version=4)
        namespace = {"satker": satker, "periode": period, "data_dir": data_dir, "model": model}
        count = 0
        for cell in nb.cells:
            if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
                continue
            exec(compile(cell.source, f"{chapter.name}", "exec"), namespace)  # noqa: S102 - the project's notebooks
            count += 1
            if on_cell is not None:
                on_cell(cell, count)
        done.append((chapter, nb))
    return done


class Captured:
    """What lakin.present.show displays, taken as notebook outputs instead of being sent to a kernel's client: while
    the `with` block runs, each displayed object becomes a `display_data` output, and `keep(cell, count)` (the
    `on_cell` of `run_chapters_here`) makes those the cell's outputs."""

    def __init__(self):
        self.outputs: list = []

    def display(self, *objs, raw=False, metadata=None, **kwargs):
        from nbformat.v4 import new_output

        for obj in objs:
            self.outputs.append(new_output("display_data", data=obj, metadata=metadata or {}))

    def keep(self, cell, count) -> None:
        cell.outputs, cell.execution_count = list(self.outputs), count
        self.outputs.clear()

    def __enter__(self):
        from lakin.present import show

        self.before, show.display = show.display, self.display  # what every chapter displays goes through it
        self.outputs.clear()
        return self

    def __exit__(self, *exc):
        from lakin.present import show

        show.display = self.before


def floor(jobs, formats: tuple[str, ...], out: Path) -> dict:
    """The chapters' cells run in this process (no kernel, no papermill), outputs captured as notebook cells."""
    import nbformat

    from lakin.model.report_model import build_model

    started = time.perf_counter()
    per_report = []
    with Captured() as captured:
        for job in jobs:
            t0 = time.perf_counter()
            report = out / job.satker / job.period
            (report / "notebooks").mkdir(parents=True, exist_ok=True)
            model = build_model(job.satker, job.period, job.data_dir)  # once, as `lakin build` does
            captured.outputs.clear()
            executed = []
            for chapter, nb in run_chapters_here(job.satker, job.period, job.data_dir, model, captured.keep):
                target = report / "notebooks" / f"{chapter.name}.ipynb"
                nbformat.write(nb, target)
                executed.append(target)
            if not any(cell.get("outputs") for path in executed for cell in nbformat.read(path, as_version=4).cells):
                raise SystemExit("(c) captured no output: the floor would render empty chapters")
            render_and_workbook(executed, job.satker, job.period, job.data_dir, report, formats, model)
            per_report.append(time.perf_counter() - t0)
            print(f"  (c) {job.name}: {per_report[-1]:.1f} s", flush=True)
    seconds = time.perf_counter() - started
    return {"reports": len(jobs), "seconds": seconds, "per_report": per_report, "peak_mb_process": self_peak_mb()}


# --------------------------------------------------------------------------- (d) and (e): the command line
EXECUTED = re.compile(r"^\s+selesai dalam", re.M)  # the line `lakin build` prints under each executed chapter


def cli(out: Path, satker: str, period: str, formats: tuple[str, ...], block: str, repeat: int = 3) -> dict:
    """`lakin build` in a new process: (d) cold on a new machine (empty cache: the Vega bundle of the HTML's
    charts, made once per machine, is made), cold with that bundle kept (no chart drawn before), cold again with
    the first build's chart cache, then an unchanged rebuild; (e) after editing the analysts' block `block` of the
    report. A copy of the shipped data. Each is run `repeat` times, its state made again before each run; the
    median is the result (this machine's timings vary by a third from one minute to the next)."""
    data, reports, cache = out / "d-data", out / "d-reports", out / "d-cache"
    for folder in (data, reports, cache):
        shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(ROOT / "data", data)
    env = {**os.environ, "LAKIN_CACHE_DIR": str(cache)}
    cmd = [PYTHON, "-m", "lakin.cli", "build", satker, period, "--data", str(data), "--reports", str(reports),
           "--to", ",".join(formats)]
    path = data / "narasi" / satker / period[:4] / block

    def timed(what: str, prepare=None) -> dict:
        runs, executed = [], set()
        for _ in range(repeat):
            if prepare is not None:
                prepare()
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(ROOT))
            runs.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                raise SystemExit(f"{what}: lakin build failed\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
            executed.add(len(EXECUTED.findall(proc.stdout + proc.stderr)))  # progress lines go to stderr
        seconds = statistics.median(runs)
        print(f"  {what}: {seconds:.1f} s (median of {', '.join(f'{r:.1f}' for r in runs)}), "
              f"{'/'.join(map(str, sorted(executed)))} chapters executed", flush=True)
        return {"seconds": seconds, "runs": runs, "chapters_executed": max(executed)}

    def new_machine() -> None:
        shutil.rmtree(reports, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)

    def bundle_only() -> None:  # the kept charts and check go; the Vega bundle, made once per machine, stays
        shutil.rmtree(reports, ignore_errors=True)
        shutil.rmtree(cache / "charts", ignore_errors=True)

    def edit() -> None:
        path.write_text(path.read_text(encoding="utf-8") + "\n\nKalimat tambahan untuk uji kecepatan.\n",
                        encoding="utf-8")

    result = {"report": f"{satker} {period}", "formats": list(formats), "repeat": repeat}
    result["d_cold"] = timed("(d) cold: new reports folder, empty cache (a machine's first build: Vega bundle made)",
                             new_machine)
    result["d_cold_bundle"] = timed("(d) cold: new reports folder, no chart drawn before, the Vega bundle kept",
                                    bundle_only)
    result["d_cold_chart_cache"] = timed("(d) cold again, with the chart cache of the first build",
                                         lambda: shutil.rmtree(reports, ignore_errors=True))
    result["d_unchanged"] = timed("(d) rebuild, nothing changed")
    result["e_after_edit"] = timed(f"(e) rebuild after editing {block}", edit)
    result["e_watch"] = watched(cmd, env, edit, block, repeat)
    return result


def watched(cmd: list[str], env: dict, edit, block: str, repeat: int) -> dict:
    """(e) with `lakin build --watch`: the command built the report and waits; `block` is edited and saved
    `repeat` times, each time timed from the save to the line saying the report was rebuilt (the watch looks
    twice a second, and builds once a change held still for 0.2 s)."""
    log = Path(tempfile.mkdtemp(prefix="lakin-watch-")) / "stderr.txt"

    def lines() -> list[str]:
        return log.read_text(encoding="utf-8", errors="replace").splitlines()

    def wait_for(text: str, after: int) -> None:
        deadline = time.monotonic() + 300
        while not [line for line in lines()[after:] if text in line]:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"lakin build --watch: no {text!r}\n" + "\n".join(lines()[-20:]))
            time.sleep(0.02)

    with log.open("w") as stderr:
        proc = subprocess.Popen([*cmd, "--watch"], stdout=subprocess.DEVNULL, stderr=stderr, env=env,
                                cwd=str(ROOT))
        try:
            wait_for("Memantau", 0)
            runs, built = [], []
            for _ in range(repeat):
                time.sleep(1.5)  # the watch has taken its first look since the last build
                seen = len(lines())
                edit()
                t0 = time.perf_counter()
                wait_for("Laporan diperbarui dalam", seen)
                runs.append(time.perf_counter() - t0)
                built.append([line for line in lines()[seen:] if "Laporan diperbarui" in line][-1])
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
    seconds = statistics.median(runs)
    print(f"  (e) with --watch, from saving {block} to the rebuilt report: {seconds:.1f} s (median of "
          f"{', '.join(f'{r:.1f}' for r in runs)}; {'; '.join(built)})", flush=True)
    return {"seconds": seconds, "runs": runs, "said": built}


# --------------------------------------------------------------------------- the runs
def unit_jobs(data: Path, period: str):
    """One report per unit, in unit order (customs and quarantine units alternate, so any prefix is a fair mix)."""
    from lakin.pipeline.batch import discover

    jobs, _ = discover(data / "params", periods=period)
    return sorted(jobs, key=lambda job: job.satker.rsplit("-", 1)[-1])


def rate(result: dict) -> float:
    return result["reports"] / result["seconds"] * 60 if result["seconds"] else 0.0


def _own_cache(out: Path, name: str) -> None:
    """Each variant starts with an empty chart cache of its own (lakin.present.charts.cache)."""
    cache = out / f"{name}-cache"
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["LAKIN_CACHE_DIR"] = str(cache)


def compare(args, formats: tuple[str, ...]) -> dict:
    out = Path(args.out)
    only = set(args.only.split(","))
    results = {"machine_start": machine(), "units": args.units, "period": args.period, "formats": list(formats)}
    if only & {"a", "b", "c"}:
        data = generate(out / "data", args.units)
        jobs = unit_jobs(data, args.period)
        naive_jobs = jobs[: args.naive_units]
        print(f"{len(jobs)} reports ({args.units} units x period {args.period}), formats {','.join(formats)}")
    if "a" in only:
        shutil.rmtree(out / "a", ignore_errors=True)
        _own_cache(out, "a")
        print(f"(a) naive on the first {len(naive_jobs)} of {len(jobs)} reports (extrapolated per report)")
        results["a"] = naive(naive_jobs, formats, out / "a")
    if "b" in only:
        shutil.rmtree(out / "b", ignore_errors=True)
        _own_cache(out, "b")
        print(f"(b) lakin batch, {args.workers} workers, {len(jobs)} reports")
        results["b"] = batch(jobs, formats, out / "b", args.workers)
    if "c" in only:
        shutil.rmtree(out / "c", ignore_errors=True)
        _own_cache(out, "c")
        print(f"(c) floor: one process, no notebooks, {len(jobs)} reports")
        results["c"] = floor(jobs, formats, out / "c")
    if only & {"d", "e"}:
        print(f"(d), (e): lakin build {args.cli_report} from the command line")
        satker, period = args.cli_report.split()
        results["d_e"] = cli(out, satker, period, formats, args.edit_block, args.repeat)
    results["machine_end"] = machine()
    rates = {name: rate(results[name]) for name in ("a", "b", "c") if name in results}
    results["rates_per_minute"] = rates
    if "a" in rates and "b" in rates:
        results["b_over_a"] = rates["b"] / rates["a"]
    print()
    print(f"machine: {results['machine_start']}")
    print(f"{'':4}{'reports':>8}{'seconds':>10}{'reports/min':>13}{'s/report':>10}  note")
    notes = {"a": lambda r: f"naive, rate extrapolated per report; largest process {r['peak_mb_largest_process']:.0f} MB",
             "b": lambda r: (f"lakin batch, {r['workers']} workers, with cluster start and kernel warm-up (target >= 30/min)"
                             + (f"; FAILED {r['failed']}" if r["failed"] else "")),
             "c": lambda r: f"floor, one process, peak {r['peak_mb_process']:.0f} MB (target <= 3 s per report)"}
    for name, value in rates.items():
        r = results[name]
        print(f"({name}) {r['reports']:>8}{r['seconds']:>10.1f}{value:>13.2f}{60 / value if value else 0:>10.1f}  "
              f"{notes[name](r)}")
    if "b_over_a" in results:
        print(f"b/a = {results['b_over_a']:.1f} (target >= 50)")
    for worker, peak in sorted(results.get("b", {}).get("peak_mb_per_worker", {}).items()):
        print(f"(b) peak memory {worker}: worker {peak.get('worker', 0):.0f} MB + kernel {peak.get('kernel', 0):.0f} MB"
              f" = {peak['total']:.0f} MB")
    if "d_e" in results:
        r = results["d_e"]
        print(f"(d) cold {r['d_cold_bundle']['seconds']:.1f} s (target <= 10 s; a machine's first build "
              f"{r['d_cold']['seconds']:.1f} s); cold with the chart cache {r['d_cold_chart_cache']['seconds']:.1f} s; "
              f"unchanged rebuild {r['d_unchanged']['seconds']:.1f} s")
        print(f"(e) after editing {args.edit_block}: {r['e_after_edit']['seconds']:.1f} s, "
              f"{r['e_after_edit']['chapters_executed']} chapters executed (target <= 4 s); with --watch, from "
              f"the save to the rebuilt report {r['e_watch']['seconds']:.1f} s")
    print(f"load average start {results['machine_start']['loadavg']}, end {results['machine_end']['loadavg']}")
    return results


def load_test(args, formats: tuple[str, ...]) -> dict:
    from lakin.data.load import load

    out = Path(args.out)
    data = generate(out / "data1000", args.load_units)
    jobs = unit_jobs(data, args.period)
    results = {"machine_start": machine(), "units": args.load_units, "formats": list(formats)}
    load(data, satker=jobs[0].satker)  # imports and first-call caches out of the timing
    timings = {}
    for job in (jobs[0], jobs[len(jobs) // 2], jobs[-1]):
        samples = []
        for _ in range(7):
            t0 = time.perf_counter()
            load(data, satker=job.satker)
            samples.append(time.perf_counter() - t0)
        timings[job.satker] = {"median_ms": statistics.median(samples) * 1000, "min_ms": min(samples) * 1000}
    median = statistics.median(t["median_ms"] for t in timings.values())
    results["load_ms"] = timings
    results["load_median_ms"] = median
    print(f"load one unit's tables of {args.load_units} units: median {median:.0f} ms (target < 100 ms) {timings}")
    subset = jobs[: args.load_batch]
    shutil.rmtree(out / "load-b", ignore_errors=True)
    print(f"lakin batch of {len(subset)} reports, {args.workers} workers, {','.join(formats)}")
    results["batch"] = batch(subset, formats, out / "load-b", args.workers)
    worst = max((p["total"] for p in results["batch"]["peak_mb_per_worker"].values()), default=0)
    results["batch"]["worst_worker_mb"] = worst
    results["machine_end"] = machine()
    print(f"batch: {results['batch']['reports']} ok in {results['batch']['seconds']:.0f} s "
          f"({rate(results['batch']):.2f} reports/min); failed {results['batch']['failed']}")
    for worker, peak in sorted(results["batch"]["peak_mb_per_worker"].items()):
        print(f"peak memory {worker}: worker {peak.get('worker', 0):.0f} MB + kernel {peak.get('kernel', 0):.0f} MB = "
              f"{peak['total']:.0f} MB (target <= 1024 MB, kernel included)")
    print(f"load average start {results['machine_start']['loadavg']}, end {results['machine_end']['loadavg']}")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=40, help="synthetic units (one report each)")
    parser.add_argument("--to", default="html,docx,pdf", help="formats")
    parser.add_argument("--period", default="2024", help="report period of every unit")
    parser.add_argument("--workers", type=int, default=2, help="workers of (b)")
    parser.add_argument("--naive-units", type=int, default=6, help="reports measured the naive way (a)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out"), help="working directory (git-ignored)")
    parser.add_argument("--load-test", action="store_true", help="1,000 units: load time and a batch of 200")
    parser.add_argument("--load-units", type=int, default=1000)
    parser.add_argument("--load-batch", type=int, default=200)
    parser.add_argument("--only", default="a,b,c,d,e", help="the variants to run, e.g. c,d,e")
    parser.add_argument("--cli-report", default="kppbc-balikpapan 2024", help="the report of (d) and (e)")
    parser.add_argument("--edit-block", default="iku-1a-N.md", help="the analysts' block (e) edits")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (d) and (e) variant (the median counts)")
    args = parser.parse_args(argv)
    # Started in the background by a non-interactive shell (`run.py ... &`, nohup), this process inherits SIGINT
    # ignored, and so would every child: (e) stops `lakin build --watch` with a terminal's Ctrl-C, which the watch
    # would then never see (it waited out its 60 s and the benchmark failed, seen in the eighteenth session). As the
    # suite does (tests/conftest.py): SIGINT raises KeyboardInterrupt here and is the default in every child.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    formats = tuple(f.strip() for f in args.to.split(",") if f.strip())
    Path(args.out).mkdir(parents=True, exist_ok=True)
    results = load_test(args, formats) if args.load_test else compare(args, formats)
    results["finished"] = datetime.now().isoformat(timespec="seconds")
    name = "results-load.json" if args.load_test else "results.json"
    (Path(args.out) / name).write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"results: {Path(args.out) / name}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_render":
        _render_main(sys.argv[2:])
    else:
        main()
