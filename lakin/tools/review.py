"""The reviewer's document: completeness against the outline, reconciliation and prose-figure findings.

It is not part of the published report: `write_review` writes `<satker>-<period>-reviu.html` and `.xlsx`
next to it. `completeness` lists every element the report type's outline requires (lakin/outlines), present
or missing; `require_complete` is what `--strict` calls before a final report is built.

Status of an element: "Ada" (present), "Belum diisi" (an analysts' block the outline requires is missing:
a gap, marked in the draft and refused by `require_complete`), "Tidak ada data" (the data holds nothing to
show; listed for the reviewer, not a gap an analyst can fill in text).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from lakin.atomic import atomic_path
from lakin.errors import IncompleteReportError
from lakin.present.outlines import Outline, element_block, has_element, outline_for
from lakin.present.profil import annual_targets, pegawai_tables, profil_items, renstra_frame, struktur_table
from lakin.tools.check import annex, check_model_data
from lakin.tools.check.prose import check_model
from lakin.values import is_na

__all__ = ["ADA", "BELUM", "TANPA_DATA", "completeness", "completeness_for", "gaps", "require_complete",
           "review_frames", "write_review"]

ADA = "Ada"
BELUM = "Belum diisi"
TANPA_DATA = "Tidak ada data"
COLUMNS = ["No", "Bagian", "Unsur", "Wajib", "Status", "Keterangan"]


def _row(rows: list, bagian: str, unsur: str, wajib: bool, status: str, keterangan: str = "") -> None:
    rows.append({"No": len(rows) + 1, "Bagian": bagian, "Unsur": unsur, "Wajib": "Ya" if wajib else "Tidak",
                 "Status": status, "Keterangan": keterangan})


def _where(satker: str, tahun: int, period_label: str, annual: bool, block: str) -> str:
    folder = f"narasi/{satker}/{tahun}" + ("" if annual else f"/Q{period_label[-1]}")
    return f"tulis di {folder}/{block}"


def completeness(outline: Outline, sc, tables: Mapping[str, pd.DataFrame], narasi: Mapping[str, str],
                 satker: str) -> pd.DataFrame:
    """Every element the outline requires, present or missing, in report order (one row each)."""
    period = sc.period
    tahun = period.tahun
    rows: list[dict] = []
    where = lambda block: _where(satker, tahun, period.label, period.is_annual, block)  # noqa: E731
    for element in outline.bagian_wajib:
        block = element_block(element) or ""
        present = bool(str(narasi.get(block) or "").strip())
        if element.key == "peran-strategis" and profil_items(tables, tahun, "peran"):
            present = True
        _row(rows, "Laporan", element.judul, element.wajib, ADA if present else BELUM,
             "" if present else where(block))
    bab1 = "Bab I Pendahuluan"
    for bagian, unsur in (("tugas", "Tugas"), ("fungsi", "Fungsi")):
        ok = bool(profil_items(tables, tahun, bagian))
        _row(rows, bab1, unsur, True, ADA if ok else TANPA_DATA, "" if ok else "tabel profil_organisasi")
    ok = not struktur_table(tables, tahun).empty
    _row(rows, bab1, "Struktur organisasi", True, ADA if ok else TANPA_DATA, "" if ok else "tabel struktur_organisasi")
    ok = bool(pegawai_tables(tables, tahun))
    _row(rows, bab1, "Sumber daya manusia", True, ADA if ok else TANPA_DATA, "" if ok else "tabel pegawai")
    renstra = renstra_frame(dict(tables), sc)
    _row(rows, "Perencanaan Kinerja", "Target Renstra", True, ADA if not renstra.empty else TANPA_DATA,
         "" if not renstra.empty else "tabel renstra")
    targets = annual_targets(dict(tables), tahun)
    renstra_codes = set(renstra["kode"]) if not renstra.empty else set()
    earlier = sc.history[sc.history["tahun"] < tahun]
    with_history = set(earlier.loc[earlier["realisasi"].notna() | earlier["target"].notna(), "kode"])
    for ind in sc.indicators.to_dict("records"):
        kode = ind["kode"]
        bagian = f"Bab III A, indikator {kode}" if period.is_annual else f"Bab II, indikator {kode}"
        for element in outline.indikator:
            if element.jenis == "data":
                ok = (kode in targets if element.key == "target-tahunan"
                      else _data_present(element.key, ind, kode in with_history, kode in renstra_codes))
                status = ADA if ok is True else (TANPA_DATA if ok is False else None)
                if status is None:
                    continue
                _row(rows, bagian, element.judul, element.wajib, status)
            else:
                ok = has_element(element, kode, narasi)
                _row(rows, bagian, element.judul, element.wajib, ADA if ok else BELUM,
                     "" if ok else where(element_block(element, kode) or ""))
    return pd.DataFrame(rows, columns=COLUMNS)


def _data_present(key: str, ind: Mapping, history: bool, renstra: bool) -> bool | None:
    """Whether a data element of one indicator (its scorecard row `ind`; whether an earlier year has its target or
    realisation, whether the Renstra names it) has data (None: the element does not apply)."""
    if key == "target-realisasi":
        return not (is_na(ind["target"]) and is_na(ind["realisasi"]))
    if key == "riwayat":
        return history
    if key == "renstra":
        return renstra
    if key == "standar-nasional":
        return False  # the data contract holds no national standards yet
    return None


def completeness_for(model) -> pd.DataFrame:
    """`completeness` of a report model (lakin.model.report_model.ReportModel) under its report type's outline."""
    return completeness(outline_for(model.period), model.scorecard, model.tables, model.narasi, model.satker)


def gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """The required elements that are missing: what a final report may not have."""
    return frame[(frame["Wajib"] == "Ya") & (frame["Status"] == BELUM)]


def require_complete(model) -> pd.DataFrame:
    """The completeness list, or IncompleteReportError naming every gap (`lakin build --strict`)."""
    frame = completeness_for(model)
    missing = gaps(frame)
    if not missing.empty:
        raise IncompleteReportError(model.satker, model.period.label,
                                    [f"{r.Bagian}: {r.Unsur} ({r.Keterangan})" for r in missing.itertuples()])
    return frame


# --------------------------------------------------------------------------------------------------
# The document


def review_frames(model, prose: list | None = None) -> dict[str, pd.DataFrame]:
    """The reviewer's tables: completeness, reconciliation (lakin check) and prose-figure findings (`prose`: the
    findings `lakin build` already computed for this model; None computes them)."""
    frames = {"Kelengkapan": completeness_for(model)}
    result = check_model_data(model)  # lakin check of the unit's year, on the model's own data
    frames["Rekonsiliasi"] = annex(result.findings).drop(columns=["Satker"], errors="ignore")
    rows = []
    for i, f in enumerate(check_model(model) if prose is None else prose, start=1):
        rows.append({"No": i, "Tingkat": "Bertentangan" if f.severity == "error" else "Tidak dikenal",
                     "Berkas": f.file, "Baris": f.line, "Angka": f.literal, "Angka model": f.figure or "-",
                     "Nilai model": f.figure_text or "-", "Keterangan": f.message})
    frames["Angka dalam Narasi"] = pd.DataFrame(rows, columns=["No", "Tingkat", "Berkas", "Baris", "Angka",
                                                              "Angka model", "Nilai model", "Keterangan"])
    return frames


_INTRO = {
    "Kelengkapan": ("Setiap unsur yang diwajibkan kerangka laporan, ada atau belum. \"Belum diisi\" adalah "
                    "kekosongan yang ditandai dalam draf dan menolak laporan final (--strict)."),
    "Rekonsiliasi": ("Angka yang tercetak dalam dokumen sumber dibandingkan dengan hasil hitung ulang dari data "
                     "(lakin check)."),
    "Angka dalam Narasi": ("Angka harfiah dalam teks analis yang bertentangan dengan model laporan atau tidak "
                           "ditemukan di dalamnya, dengan berkas dan barisnya."),
}


def _html(model, frames: dict[str, pd.DataFrame]) -> str:
    e = html.escape
    title = f"Reviu {model.period.jenis_laporan} {model.info.get('nama', model.satker)} {model.period.nama}"
    parts = [f"<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>{e(title)}</title>",
             "<style>body{font-family:sans-serif;margin:2em;max-width:75em}table{border-collapse:collapse;"
             "margin:1em 0}td,th{border:1px solid #999;padding:.25em .5em;vertical-align:top;font-size:90%}"
             "th{background:#eee}.kosong{background:#fdecea}</style></head><body>",
             f"<h1>{e(title)}</h1>",
             "<p>Dokumen untuk pereviu; bukan bagian dari laporan yang dipublikasikan.</p>"]
    for name, frame in frames.items():
        parts.append(f"<h2>{e(name)}</h2><p>{e(_INTRO.get(name, ''))}</p>")
        if frame.empty:
            parts.append("<p>Tidak ada temuan.</p>")
            continue
        head = "".join(f"<th>{e(str(c))}</th>" for c in frame.columns)
        body = []
        for row in frame.itertuples(index=False):
            cls = ' class="kosong"' if name == "Kelengkapan" and BELUM in row else ""
            body.append(f"<tr{cls}>" + "".join(f"<td>{e('' if is_na(v) else str(v))}</td>" for v in row) + "</tr>")
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_review(model, out_dir: str | Path, prose: list | None = None) -> dict[str, Path]:
    """Write `<satker>-<period>-reviu.html` and `.xlsx` into `out_dir`; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = review_frames(model, prose)
    stem = f"{model.satker}-{model.period.label}-reviu"
    files = {"html": out_dir / f"{stem}.html", "xlsx": out_dir / f"{stem}.xlsx"}
    with atomic_path(files["html"]) as tmp:
        Path(tmp).write_text(_html(model, frames), encoding="utf-8")
    with atomic_path(files["xlsx"]) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, frame in frames.items():
                frame.to_excel(writer, sheet_name=name[:31], index=False)
    return files
