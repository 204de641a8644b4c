"""Where a batch report's CPU goes, by process, and what the engines alone cost on one report.

    .venv/bin/python benchmarks/parts.py                      # 6 synthetic units, 2024, html,docx,pdf
    .venv/bin/python benchmarks/parts.py --units 8 --repeat 5
    .venv/bin/python benchmarks/parts.py --machinery 0          # sections 1 and 2 only

1. **By process.** Synthetic units (`lakin synth`) are built one after another in this process, as a batch worker
   builds them (`lakin.pipeline.batch.worker.build_report` on the warm kernel, `--force`, the worker's garbage
   collection frozen after its first report), with an empty chart cache of their own. For each report: the CPU of
   this process (the papermill client, the charts' SVGs and PNGs, the render's Python, the DOCX styling, the
   workbook, the check), of the warm kernel (the chapters' cells) and of the children that ended (pandoc and
   Typst). The first report also pays imports and the Vega bundle, once per process or machine: the means leave
   it out. With both cores busy the whole time, a batch of two workers makes at most 120 / (CPU-s a report)
   reports a minute: the bound the printed table gives.
2. **The engines alone.** The last unit's executed chapters are rendered once more into a folder that is kept
   (`<out>/render`), and each engine's run of that render is repeated from it: pandoc's one read of the Markdown,
   each pandoc writer, Typst's compile (its child), and every chart's PNG rasterised from its SVG (vl-convert, for
   the DOCX). These are programs lakin drives and does not change: their sum bounds what a report costs however
   lakin's own Python is arranged. (The charts' SVGs: `benchmarks/charts.py`.)
3. **The notebook machinery.** The chapters of each unit's report are executed twice, alternately: on the warm
   kernel through papermill, as a build executes them (`lakin.pipeline.execute.execute_chapters`: this process and
   the kernel), and in this process with no kernel and no papermill, as the floor of `benchmarks/run.py` runs
   them (the same cells on the same report model, their displays taken as outputs). Both ways read the unit's data,
   compute its model and write each chapter's notebook. The difference is what executing the chapters as
   notebooks costs a report: the kernel's reset and the report model read again for every chapter, IPython running
   each cell, every output sent as a message, received and checked against the notebook schema.
   `--machinery 0` leaves the section out.

The median of `--repeat` runs counts for each engine. Results also in <out>/parts.json. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def by_process(data: Path, reports: Path, units: list[str], period: str, formats: tuple[str, ...]) -> list[dict]:
    """Each unit's report built as a batch worker builds it; the CPU-s of this process, its kernel and its
    children that ended, and the wall time."""
    import psutil

    from lakin.pipeline import engine as warm_kernel
    from lakin.pipeline.batch import worker

    warm_kernel.warm_up()
    kernel = psutil.Process(warm_kernel.status()["kernel_pid"])

    def now() -> dict:
        own, k = os.times(), kernel.cpu_times()
        return {"process": own.user + own.system, "kernel": k.user + k.system, "children": children_cpu(),
                "wall": time.perf_counter()}

    rows = []
    try:
        for unit in units:
            before = now()
            outcome = worker.build_report(unit, period, formats, str(data), str(reports), force=True)
            after = now()
            if outcome.error:
                raise SystemExit(f"{unit} {period}: {outcome.error}")
            worker._freeze_once()  # as run_job does after a worker's first report
            row = {key: round(after[key] - before[key], 3) for key in before}
            row["unit"] = unit
            rows.append(row)
            print(f"  {unit}: process {row['process']:.2f}, kernel {row['kernel']:.2f}, "
                  f"children {row['children']:.2f} CPU-s; {row['wall']:.2f} s", flush=True)
    finally:
        warm_kernel.shutdown()
    return rows


def kept_render(data: Path, reports: Path, unit: str, period: str, formats: tuple[str, ...], work: Path) -> tuple:
    """The unit's executed chapters rendered again by the pandoc engine into `work` (kept); the engine programs it
    ran: pandoc's commands as (command, folder, what), Typst's compiles as their arguments."""
    import lakin.pipeline.render.pandoc as pandoc_engine
    from lakin.model.report_model import build_model
    from run import report_meta  # benchmarks/run.py: the cover data the build gives the render

    notebooks = sorted((reports / unit / period / "notebooks").glob("*.ipynb"))
    meta = report_meta(build_model(unit, period, str(data)))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    commands, compiles = [], []
    real_run, real_compile = pandoc_engine.run, pandoc_engine.compile_pdf

    def run(cmd, cwd, what, *args, **kwargs):
        commands.append((list(cmd), Path(cwd), what))
        return real_run(cmd, cwd, what, *args, **kwargs)

    def compile_pdf(*args):
        compiles.append(args)
        return real_compile(*args)

    pandoc_engine.run, pandoc_engine.compile_pdf = run, compile_pdf
    try:
        pandoc_engine.PandocEngine().render(notebooks, meta, work, formats)
    finally:
        pandoc_engine.run, pandoc_engine.compile_pdf = real_run, real_compile
    return commands, compiles


def child_seconds(call, repeat: int) -> list[float]:
    """CPU-s of the children `call()` waits for, per run."""
    runs = []
    for _ in range(repeat):
        before = children_cpu()
        call()
        runs.append(children_cpu() - before)
    return runs


def engines(work: Path, commands: list, compiles: list, repeat: int) -> dict[str, list[float]]:
    """CPU-s per run of each engine program of the kept render, and of the charts' PNGs."""
    from lakin.pipeline.render.engines import run
    from lakin.pipeline.render.pdf import compile_pdf
    from lakin.present.charts.fonts import vl_convert

    measured: dict[str, list[float]] = {}
    for cmd, cwd, what in commands:
        measured[what] = child_seconds(lambda cmd=cmd, cwd=cwd, what=what: run(cmd, cwd, what), repeat)
    for args in compiles:
        measured["Typst (compile, its child)"] = child_seconds(lambda args=args: compile_pdf(*args), repeat)
    svgs = [path.read_text(encoding="utf-8") for path in sorted((work / "media").glob("*.svg"))]
    if svgs:
        vlc = vl_convert()
        runs = []
        for _ in range(repeat):
            started = time.process_time()
            for svg in svgs:
                vlc.svg_to_png(svg, scale=2.0)
            runs.append(time.process_time() - started)
        measured[f"{len(svgs)} PNGs from their SVGs (vl-convert, scale 2)"] = runs
    return measured


def machinery(data: Path, units: list[str], period: str, work: Path) -> list[dict]:
    """For each unit, the CPU-s of its chapters executed on the warm kernel (this process and the kernel) and in this
    process; the two ways alternate in order from one unit to the next, and the first unit warms both up. Both must
    display as many outputs in every chapter (else the comparison would measure different work)."""
    from dataclasses import replace

    import nbformat
    import psutil

    from lakin.model.report_model import model_from_dataset, save
    from lakin.pipeline import engine as warm_kernel
    from lakin.pipeline.execute import KERNELS, execute_chapters, prepare
    from run import Captured, run_chapters_here  # benchmarks/run.py: the floor's way of running the cells

    warm_kernel.warm_up()
    kernel = psutil.Process(warm_kernel.status()["kernel_pid"])

    def cpu() -> float:
        own, k = os.times(), kernel.cpu_times()
        return own.user + own.system + k.user + k.system

    def planned(unit: str):
        """The unit's plan and report model, as a build makes them (the same data work for both ways)."""
        plan = prepare(unit, period, str(data))
        return plan, model_from_dataset(plan.dataset, plan.params.satker, plan.params.period, plan.framework)

    def on_kernel(unit: str, folder: Path) -> None:
        plan, model = planned(unit)
        model_file = str(save(model, folder / "model.pickle"))  # as a build hands the model to its chapters
        plan = replace(plan, params=replace(plan.params, model=model_file))
        (folder / "notebooks").mkdir()
        execute_chapters(plan, folder / "notebooks", folder / "gagal", KERNELS["warm"])

    def here(unit: str, folder: Path) -> None:
        _, model = planned(unit)
        with Captured() as captured:
            for chapter, nb in run_chapters_here(unit, period, str(data), model, captured.keep):
                nbformat.write(nb, folder / f"{chapter.name}.ipynb")

    rows = []
    try:
        for i, unit in enumerate(units):
            row = {"unit": unit}
            ways = (("kernel", on_kernel), ("here", here))
            for name, way in ways if i % 2 == 0 else ways[::-1]:
                folder = work / f"{unit}-{name}"
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
                before = cpu()
                way(unit, folder)
                row[name] = round(cpu() - before, 3)
            shown = {name: [sum(len(cell.get("outputs", [])) for cell in nbformat.read(path, as_version=4).cells)
                            for path in sorted((work / f"{unit}-{name}").rglob("*.ipynb"))] for name, _ in ways}
            if shown["kernel"] != shown["here"] or not any(shown["here"]):
                raise SystemExit(f"{unit}: the two ways did not display as many outputs in every chapter: {shown}")
            rows.append(row)
            print(f"  {unit}: on the warm kernel {row['kernel']:.2f}, in this process {row['here']:.2f} CPU-s",
                  flush=True)
    finally:
        warm_kernel.shutdown()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=6, help="synthetic units, built one after another")
    parser.add_argument("--period", default="2024")
    parser.add_argument("--to", default="html,docx,pdf", help="formats")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each engine program (the median counts)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out" / "parts"), help="working directory")
    parser.add_argument("--machinery", type=int, default=None,
                        help="units whose chapters section 3 executes both ways (default: all; 0 leaves it out)")
    args = parser.parse_args(argv)
    if args.units < 2:
        parser.error("--units must be at least 2: the first report, which pays imports, is left out of the means")
    formats = tuple(f.strip() for f in args.to.split(",") if f.strip())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for made in ("reports", "cache", "machinery"):  # this script's own folders (data: lakin synth replaces its own)
        shutil.rmtree(out / made, ignore_errors=True)
    os.environ["LAKIN_CACHE_DIR"] = str(out / "cache")  # an empty chart cache: every chart drawn

    from run import generate  # benchmarks/run.py: the synthetic units, as its variants get them

    data = generate(out / "data", args.units)
    units = sorted(path.name for path in (data / "params").iterdir())
    print(f"1. {len(units)} synthetic reports ({args.period}, {', '.join(formats)}) built one after another, "
          "as a batch worker builds them")
    rows = by_process(data, out / "reports", units, args.period, formats)
    later = rows[1:]
    means = {key: statistics.mean(row[key] for row in later) for key in ("process", "kernel", "children", "wall")}
    total = means["process"] + means["kernel"] + means["children"]
    print(f"\n   mean of reports 2-{len(rows)}, CPU-s:")
    for key, label in (("process", "build's process (client, charts, render's Python, DOCX, workbook)"),
                       ("kernel", "warm kernel (the chapters' cells)"), ("children", "pandoc and Typst children")):
        print(f"   {means[key]:6.2f}  {label}")
    print(f"   {total:6.2f}  a report; at most {120 / total:.1f} reports a minute from two fully used cores")

    print(f"\n2. the engines alone on {units[-1]} {args.period}'s render, kept in {out / 'render'}; "
          f"CPU-s, median of {args.repeat}")
    commands, compiles = kept_render(data, out / "reports", units[-1], args.period, formats, out / "render")
    measured = engines(out / "render", commands, compiles, args.repeat)
    medians = {what: statistics.median(runs) for what, runs in measured.items()}
    for what, seconds in medians.items():
        print(f"   {seconds:6.2f}  {what}")
    print(f"   {sum(medians.values()):6.2f}  the engines together (without the charts' SVGs: benchmarks/charts.py)")

    results = {"finished": datetime.now().isoformat(timespec="seconds"), "units": units, "period": args.period,
               "formats": list(formats), "reports": rows, "mean_after_first": means, "cpu_per_report": total,
               "engines_runs": measured, "engines_median": medians}
    chosen = units[:args.machinery] if args.machinery is not None else units
    if len(chosen) >= 2:
        print(f"\n3. the chapters of {len(chosen)} reports executed on the warm kernel and in this process")
        ways = machinery(data, chosen, args.period, out / "machinery")
        kernel_way = statistics.mean(row["kernel"] for row in ways[1:])
        here_way = statistics.mean(row["here"] for row in ways[1:])
        print(f"\n   mean of reports 2-{len(ways)}, CPU-s:"
              f"\n   {kernel_way:6.2f}  on the warm kernel (this process and the kernel)"
              f"\n   {here_way:6.2f}  in this process"
              f"\n   {kernel_way - here_way:6.2f}  the notebook machinery, a report")
        results["machinery"] = {"reports": ways, "kernel_mean": kernel_way, "here_mean": here_way}
    (out / "parts.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults: {out / 'parts.json'}")


if __name__ == "__main__":
    main()
