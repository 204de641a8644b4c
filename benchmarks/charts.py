"""Where a report's chart time goes: each chart drawn as the report draws it, and again with its text left out.

    .venv/bin/python benchmarks/charts.py                                  # kppbc-balikpapan 2024, shipped data
    .venv/bin/python benchmarks/charts.py --report "bkipm-banjarmasin 2024Q1" --repeat 5

The charts are the ones the report shows: the report model is computed once and each chapter's cells run in this
process (as benchmarks/run.py's floor does), their Vega-Lite outputs collected. Each chart is then converted the
way lakin.present.charts converts it (the same spec text, theme and Indonesian locales), with no chart cache:

- `svg`: Vega-Lite to SVG (vl-convert: Vega-Lite compiled, the Vega view run in its JavaScript engine);
- `svg, no text`: the same chart with its axis labels and titles, legends, chart title and text marks left out;
- `compile`: Vega-Lite to Vega alone (no drawing);
- `png`: the SVG rasterised at the scale the DOCX uses (2), and at scale 1; and the `no text` SVG at scale 2.

The difference between `svg` and `svg, no text` is the time vl-convert spends on text: Vega measures every
label (its bounds, its truncation to the label limit) and vl-convert measures each by laying the text out
alone in a new SVG tree, with nothing kept between measurements. The median of `--repeat` runs per chart counts.
Not part of `make test`; results also in <out>/charts.json.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def report_specs(satker: str, period: str, data_dir: Path) -> list[dict]:
    """The Vega-Lite specs a report shows, in order: its chapters run in this process on one report model."""
    from lakin.model.report_model import build_model
    from lakin.present import show
    from run import run_chapters_here  # benchmarks/run.py: the floor's way of running the chapters

    specs: list[dict] = []

    def display(*objs, raw=False, metadata=None, **kwargs):
        specs.extend(obj[show.VEGALITE] for obj in objs if isinstance(obj, dict) and show.VEGALITE in obj)

    show.display = display
    run_chapters_here(satker, period, str(data_dir), build_model(satker, period, str(data_dir)))
    return specs


def without_text(spec: dict) -> dict:
    """The chart with no text drawn: axis labels and titles, legends, the title and text marks left out."""
    spec = copy.deepcopy(spec)
    config = spec.setdefault("config", {})
    config["axis"] = {**config.get("axis", {}), "labels": False, "title": None}
    config["legend"] = {**config.get("legend", {}), "disable": True}
    spec.pop("title", None)

    def visit(node: dict) -> None:
        node.pop("title", None)
        if "layer" in node:
            node["layer"] = [layer for layer in node["layer"] if _mark(layer) != "text"]
            if not node["layer"]:
                node.pop("layer")
        for key in ("vconcat", "hconcat", "concat"):
            for child in node.get(key) or []:
                visit(child)
        for channel in (node.get("encoding") or {}).values():
            if isinstance(channel, dict):
                channel.pop("title", None)
                if "axis" in channel and isinstance(channel["axis"], dict):
                    channel["axis"] = {**channel["axis"], "labels": False, "title": None}

    visit(spec)
    return spec


def _mark(node: dict) -> str | None:
    mark = node.get("mark")
    return mark.get("type") if isinstance(mark, dict) else mark


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(specs: list[dict], repeat: int) -> list[dict]:
    from lakin.present.charts import FORMAT_LOCALE, TIME_LOCALE, _spec
    from lakin.present.charts.fonts import vl_convert

    vlc = vl_convert()  # with the fonts lakin draws with (vl-convert's own)

    locales = {"format_locale": FORMAT_LOCALE, "time_format_locale": TIME_LOCALE}
    vlc.vegalite_to_svg(_spec(specs[0]), **locales)  # the JavaScript engine started once, outside the timings
    rows = []
    for number, spec in enumerate(specs, start=1):
        text, bare = _spec(spec), _spec(without_text(spec))
        svg, bare_svg = vlc.vegalite_to_svg(text, **locales), vlc.vegalite_to_svg(bare, **locales)
        rows.append({
            "chart": number,
            "mark": _mark(spec) or "+".join(str(_mark(layer)) for layer in spec.get("layer", [])),
            "text_elements": svg.count("<text"),
            "text_elements_no_text": bare_svg.count("<text"),
            "svg_ms": _median_ms(lambda: vlc.vegalite_to_svg(text, **locales), repeat),
            "svg_no_text_ms": _median_ms(lambda: vlc.vegalite_to_svg(bare, **locales), repeat),
            "compile_ms": _median_ms(lambda: vlc.vegalite_to_vega(text), repeat),
            "png2_ms": _median_ms(lambda: vlc.svg_to_png(svg, scale=2.0), repeat),
            "png1_ms": _median_ms(lambda: vlc.svg_to_png(svg, scale=1.0), repeat),
            "png2_no_text_ms": _median_ms(lambda: vlc.svg_to_png(bare_svg, scale=2.0), repeat),
        })
        print(f"  {number:3d} {rows[-1]['mark']:<12} {rows[-1]['text_elements']:3d} text  "
              f"svg {rows[-1]['svg_ms']:6.1f} ms  no text {rows[-1]['svg_no_text_ms']:6.1f} ms  "
              f"png {rows[-1]['png2_ms']:6.1f} ms  no text {rows[-1]['png2_no_text_ms']:6.1f} ms", flush=True)
    return rows


def summary(rows: list[dict]) -> dict:
    total = {key: sum(row[key] for row in rows) for key in
             ("svg_ms", "svg_no_text_ms", "compile_ms", "png2_ms", "png1_ms", "png2_no_text_ms", "text_elements",
              "text_elements_no_text")}
    text_ms = total["svg_ms"] - total["svg_no_text_ms"]
    return {"charts": len(rows), **total, "text_ms": text_ms,
            "text_share": text_ms / total["svg_ms"] if total["svg_ms"] else 0.0,
            "ms_per_text_element": text_ms / total["text_elements"] if total["text_elements"] else 0.0}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", default="kppbc-balikpapan 2024", help="SATKER PERIOD")
    parser.add_argument("--data", default=str(ROOT / "data"), help="data directory")
    parser.add_argument("--repeat", type=int, default=3, help="runs per chart and variant (the median counts)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "out"), help="working directory (git-ignored)")
    args = parser.parse_args(argv)
    satker, period = args.report.split()
    specs = report_specs(satker, period, Path(args.data))
    if not specs:
        raise SystemExit(f"{satker} {period}: the report shows no chart")
    print(f"{satker} {period}: {len(specs)} charts, median of {args.repeat} runs each")
    rows = measure(specs, args.repeat)
    total = summary(rows)
    print(f"all {total['charts']} charts: svg {total['svg_ms'] / 1000:.2f} s, of which text "
          f"{total['text_ms'] / 1000:.2f} s ({total['text_share']:.0%}; {total['text_elements']} text elements, "
          f"{total['ms_per_text_element']:.1f} ms each); Vega-Lite compile {total['compile_ms'] / 1000:.2f} s; "
          f"png at scale 2 {total['png2_ms'] / 1000:.2f} s (no text {total['png2_no_text_ms'] / 1000:.2f} s), "
          f"at scale 1 {total['png1_ms'] / 1000:.2f} s; "
          f"text elements left in `no text`: {total['text_elements_no_text']}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    import vl_convert as vlc

    (out / "charts.json").write_text(json.dumps({
        "report": args.report, "vl_convert": vlc.__version__, "repeat": args.repeat, "summary": total,
        "charts": rows, "finished": datetime.now().isoformat(timespec="seconds")}, indent=2) + "\n")
    print(f"results: {out / 'charts.json'}")


if __name__ == "__main__":
    main()
