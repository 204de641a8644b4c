"""Budget (anggaran): DIPA pagu, realisation, absorption, Halaman III deviation, IKPA and NKA.

Pure functions over one satker's loaded tables (`Unit.tables`: `pagu`, `rpd`, `realisasi_anggaran`, `ikpa`,
`iku`); `validate_budget` and `total_mismatches` also take every satker's tables at once. The grain
convention of the data contract is resolved in one place (`_resolve`): an empty key column means "total over
that key"; a total row is authoritative for its total, detail rows for the detail, and a total is only built
from detail rows where no total row exists. Where two cross-cutting grains both cover an amount (per jenis
belanja and per kegiatan, as in seed 003) one of them is used, never their sum; `total_mismatches` lists where
a total and its parts disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from lakin.data.load import FILE_COL, LINE_COL
from lakin.errors import DataIssue
from lakin.model.figures import register_block
from lakin.present.fmt import (
    angka,
    is_na,
    nama_bulan,
    poin,
    ribuan,
    round_half_up,
    rupiah,
    terbilang_rupiah,
)
from lakin.rules.frameworks import load_framework
from lakin.data.periods import DATA_PERIODS, PERIOD_END_MONTH, ReportPeriod, parse_period
from lakin.data.schemas import JENIS_BELANJA, JENIS_BELANJA_NAMA
from lakin.rules.scoring import indicator_index

CONFIG_DIR = Path(__file__).parent / "config"
TARGET_FILE = CONFIG_DIR / "target_penyerapan.yaml"

PAGU_DIMS = ("program_kode", "kegiatan_kode", "kro_kode", "jenis_belanja", "sumber_dana")
FLOW_DIMS = ("kegiatan_kode", "jenis_belanja")  # rpd and realisasi_anggaran
DIM_LABEL = {"program_kode": "program", "kegiatan_kode": "kegiatan", "kro_kode": "KRO",
             "jenis_belanja": "jenis belanja", "sumber_dana": "sumber dana"}
# realisasi_anggaran.periode holding the cumulative realisation at the end of each report quarter.
CUMULATIVE_PERIOD = {1: "Q1", 2: "S1", 3: "SDQ3", 4: "Y"}
# NKA = 50% SMART + 50% IKPA (seed 000, IKU 13a-N "Indeks Kualitas Kinerja Anggaran"); its conversion into the
# IKU index is the framework's piecewise rule, never a copy here.
NKA_BOBOT = {"smart": 50.0, "ikpa": 50.0}
NKA_FRAMEWORK = "kemenkeu-bsc"
NKA_RULE = "nka-kemenkeu"
# RPD printed in thousands (Halaman III): a 12-month sum may miss the pagu by up to 500 rupiah per month.
ROUNDING_PER_CELL = 500

# How "cumulative through the end of" each data period reads in a sentence ("realisasi s.d. Triwulan I").
SD_LABEL = {"Q1": "Triwulan I", "Q2": "Triwulan II", "S1": "Semester I", "Q3": "Triwulan III",
            "SDQ3": "Triwulan III", "Q4": "Triwulan IV", "Y": "akhir tahun"}
REASON_PAGU_NOL = "pagu Rp0, persentase tidak dapat dihitung"


# --------------------------------------------------------------------------- small helpers
def _period(period: ReportPeriod | str) -> ReportPeriod:
    return period if isinstance(period, ReportPeriod) else parse_period(period)


def _table(tables, name: str) -> pd.DataFrame:
    df = tables.get(name) if hasattr(tables, "get") else getattr(tables, name, None)
    return df if df is not None else pd.DataFrame()


def _year(df: pd.DataFrame, tahun: int) -> pd.DataFrame:
    if df.empty:
        return df
    return df[df["tahun"] == tahun]


def _dims_present(df: pd.DataFrame, dims) -> list[str]:
    return [d for d in dims if d in df.columns]


def _num(value, digits: int = 2):
    """A float rounded half away from zero for JSON, or None."""
    return None if is_na(value) else round_half_up(float(value), digits)


def _int(value):
    """Whole rupiah as int for JSON, or None."""
    return None if is_na(value) else int(round_half_up(float(value), 0))


def _persen(part: float, whole: float) -> tuple[float, str | None]:
    """part / whole x 100, or NaN with the reason."""
    if is_na(whole):
        return math.nan, "pagu tidak tersedia"
    if is_na(part):
        return math.nan, None
    if float(whole) == 0.0:
        return math.nan, REASON_PAGU_NOL
    return float(part) / float(whole) * 100.0, None


def _where(row) -> tuple[str, int | None]:
    line = row.get(LINE_COL) if hasattr(row, "get") else None
    return str(row.get(FILE_COL, "")), (None if is_na(line) else int(line))


def _last_row(used: pd.DataFrame):
    """The row an issue about an amount made of `used` rows points at (the last one in its file)."""
    if LINE_COL in used.columns:
        return used.sort_values(LINE_COL).iloc[-1]
    return used.iloc[-1]


def _label_key(fixed: dict) -> str:
    if not fixed:
        return "total"
    return ";".join(f"{k}={v}" for k, v in fixed.items())


# --------------------------------------------------------------------------- the grain convention
def _resolve(rows: pd.DataFrame, dims, fixed: dict) -> pd.DataFrame:
    """The rows that together make the amount at `fixed` (other key columns totalled), without double counting.

    A row whose free key columns are all empty is the total itself. Otherwise rows covered by a coarser row
    (one whose filled keys are a subset of theirs, with equal values) are dropped; of cross-cutting grains
    (e.g. per jenis belanja and per kegiatan) the first in `dims` order is kept.
    """
    dims = _dims_present(rows, dims)
    mask = np.ones(len(rows), dtype=bool)
    for d, v in fixed.items():
        mask &= rows[d].to_numpy(dtype=object) == str(v)  # key columns are text: 52 and "52" are one code
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return rows.iloc[idx]
    free = [d for d in dims if d not in fixed]
    columns = [rows[d].to_numpy(dtype=object)[idx] for d in free]
    values = list(zip(*columns)) if columns else [()] * len(idx)
    patterns = [frozenset(d for d, v in zip(free, row) if not is_na(v)) for row in values]
    exact = [i for i, p in enumerate(patterns) if not p]
    if exact:
        return rows.iloc[idx[exact]]
    position = {d: k for k, d in enumerate(free)}

    def key(i, p):
        return p, tuple(values[i][position[d]] for d in sorted(p))

    keys = {key(i, p) for i, p in enumerate(patterns)}
    distinct = set(patterns)
    uncovered = [i for i, p in enumerate(patterns)
                 if not any(key(i, q) in keys for q in distinct if q < p)]
    pats = {patterns[i] for i in uncovered}
    first = min(pats, key=lambda p: (len(p), sorted(position[d] for d in p)))
    keep = [i for i in uncovered if patterns[i] <= first or patterns[i] >= first]
    return rows.iloc[idx[keep]]


def _by_month(rows: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """Rows with a month, split by month (1..12)."""
    if rows.empty:
        return {}
    part = rows[rows["bulan"].notna()]
    return {int(m): g for m, g in part.groupby("bulan", sort=True)}


def _grain_has(rows: pd.DataFrame, fixed: dict) -> bool:
    """Whether `rows` are itemised by every key in `fixed` (so a value missing from them means nothing)."""
    if rows.empty or not fixed:
        return False
    mask = pd.Series(True, index=rows.index)
    for d in fixed:
        mask &= rows[d].notna()
    return bool(mask.any())


def _amount(rows: pd.DataFrame, dims, fixed: dict, col: str) -> tuple[float, pd.DataFrame]:
    used = _resolve(rows, dims, fixed)
    return (float(used[col].sum()) if not used.empty else math.nan), used


# --------------------------------------------------------------------------- pagu
def pagu_amount(tables, tahun: int, **fixed) -> float:
    """The DIPA pagu of a year at a key (e.g. jenis_belanja='52', kegiatan_kode='4695'); NaN if not given."""
    return _amount(_year(_table(tables, "pagu"), tahun), PAGU_DIMS, fixed, "pagu")[0]


def _pagu_rows(tables, tahun):
    return _year(_table(tables, "pagu"), tahun)


# --------------------------------------------------------------------------- realisation
def _cumulative_periods(end_month: int, canonical: str | None) -> list[str]:
    others = [p for p in DATA_PERIODS if PERIOD_END_MONTH[p] == end_month and p != canonical]
    return ([canonical] if canonical else []) + others


def _grain_text(fixed: dict) -> str:
    return " dan ".join(DIM_LABEL.get(d, d) for d in fixed)


def _realisasi_at(rows: pd.DataFrame, tahun: int, end_month: int, canonical: str | None,
                  fixed: dict) -> tuple[float, str | None, pd.DataFrame]:
    """(cumulative realisation to end_month, reason if N/A, rows used) at a key, for one satker-year."""
    empty = rows.iloc[0:0]
    if rows.empty:
        return math.nan, "realisasi anggaran tidak tersedia", empty
    cumulative = rows[rows["bulan"].isna()] if "bulan" in rows else rows
    monthly = rows[rows["bulan"].notna()] if "bulan" in rows else rows.iloc[0:0]
    label = SD_LABEL.get(canonical, canonical) if canonical else nama_bulan(end_month)
    not_itemised = None
    if "periode" in cumulative.columns:
        for p in _cumulative_periods(end_month, canonical):
            part = cumulative[cumulative["periode"] == p]
            if part.empty:
                continue
            value, used = _amount(part, FLOW_DIMS, fixed, "realisasi")
            if not used.empty:
                return value, None, used
            if _grain_has(part, fixed):
                return 0.0, None, empty
            not_itemised = f"realisasi s.d. {SD_LABEL.get(p, p)} tidak dirinci per {_grain_text(fixed)}"
    if not monthly.empty:
        months = {int(m) for m in monthly["bulan"]}
        missing = [m for m in range(1, end_month + 1) if m not in months]
        if missing:
            shown = ", ".join(nama_bulan(m) for m in missing)
            return math.nan, not_itemised or f"realisasi bulan {shown} {tahun} tidak tersedia", empty
        total, parts = 0.0, []
        months_rows = _by_month(monthly)
        for m in range(1, end_month + 1):
            month = months_rows[m]
            value, used = _amount(month, FLOW_DIMS, fixed, "realisasi")
            if used.empty:
                if _grain_has(month, fixed):
                    continue
                return math.nan, not_itemised or f"realisasi bulanan tidak dirinci per {_grain_text(fixed)}", empty
            total += value
            parts.append(used)
        return total, None, (pd.concat(parts) if parts else empty)
    if not_itemised:
        return math.nan, not_itemised, empty
    given = set(cumulative["periode"].dropna()) if "periode" in cumulative else set()
    have = [f"s.d. {SD_LABEL[p]}" for p in DATA_PERIODS if p in given]
    extra = f" (data memuat realisasi {', '.join(have)})" if have else ""
    return math.nan, f"realisasi s.d. {label} {tahun} tidak tersedia{extra}", empty


def realisasi_amount(tables, period: ReportPeriod | str, **fixed) -> tuple[float, str | None]:
    """Cumulative realisation to the end of a report period at a key, and why it is N/A if it is."""
    rp = _period(period)
    rows = _year(_table(tables, "realisasi_anggaran"), rp.tahun)
    value, reason, _ = _realisasi_at(rows, rp.tahun, rp.end_month, CUMULATIVE_PERIOD[rp.kuartal], fixed)
    return value, reason


# --------------------------------------------------------------------------- absorption
ABSORPTION_COLUMNS = ["kode", "nama", "pagu", "realisasi", "sisa", "persen", "keterangan"]


def _jenis_codes(*frames) -> list[str]:
    seen = set()
    for df in frames:
        if not df.empty and "jenis_belanja" in df:
            seen |= set(df["jenis_belanja"].dropna())
    return [j for j in JENIS_BELANJA if j in seen] + sorted(seen - set(JENIS_BELANJA))


def _kegiatan(pagu: pd.DataFrame, *others) -> list[tuple[str, str | None]]:
    """Kegiatan codes in order of first appearance in the pagu, with their names."""
    out: dict[str, str | None] = {}
    for df in (pagu, *others):
        if df.empty or "kegiatan_kode" not in df:
            continue
        for _, r in df[df["kegiatan_kode"].notna()].iterrows():
            name = r.get("kegiatan") if "kegiatan" in df else None
            if r["kegiatan_kode"] not in out or (out[r["kegiatan_kode"]] is None and not is_na(name)):
                out[r["kegiatan_kode"]] = None if is_na(name) else str(name)
    return list(out.items())


def _absorption_row(tables, rp: ReportPeriod, kode: str, nama: str, fixed: dict) -> dict:
    pagu = pagu_amount(tables, rp.tahun, **fixed)
    realisasi, reason = realisasi_amount(tables, rp, **fixed)
    persen, why = _persen(realisasi, pagu)
    sisa = pagu - realisasi if not (is_na(pagu) or is_na(realisasi)) else math.nan
    if is_na(pagu):
        reason = f"pagu per {_grain_text(fixed)} tidak tersedia" if fixed else "pagu tidak tersedia"
    return {"kode": kode, "nama": nama, "pagu": pagu, "realisasi": realisasi, "sisa": sisa, "persen": persen,
            "keterangan": reason or why}


def absorption(tables, period: ReportPeriod | str, by: str | None = None) -> pd.DataFrame:
    """Pagu, realisasi, sisa anggaran and absorption % per jenis belanja (by='jenis_belanja'), per kegiatan
    (by='kegiatan_kode') or in total (by=None), cumulative to the end of the report period."""
    rp = _period(period)
    pagu = _pagu_rows(tables, rp.tahun)
    real = _year(_table(tables, "realisasi_anggaran"), rp.tahun)
    rows = []
    if by is None:
        rows.append(_absorption_row(tables, rp, "total", "Total", {}))
    elif by == "jenis_belanja":
        for j in _jenis_codes(pagu, real):
            rows.append(_absorption_row(tables, rp, j, JENIS_BELANJA_NAMA.get(j, j), {"jenis_belanja": j}))
    elif by == "kegiatan_kode":
        for k, name in _kegiatan(pagu, real):
            rows.append(_absorption_row(tables, rp, k, name or k, {"kegiatan_kode": k}))
    else:
        raise ValueError(f"by harus None, 'jenis_belanja' atau 'kegiatan_kode', bukan {by!r}")
    out = pd.DataFrame(rows, columns=ABSORPTION_COLUMNS)
    out["keterangan"] = out["keterangan"].astype(object).where(out["keterangan"].notna(), None)
    return out


# --------------------------------------------------------------------------- quarterly targets
@cache
def _target_config(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def target_table(tahun: int, path: str | Path | None = None) -> dict:
    """The quarterly absorption targets in force for a budget year: {'jenis_belanja': {'52': {'Q1': 15, ...}},
    'sumber': ..., ...} from lakin/config/target_penyerapan.yaml (the latest entry with berlaku_mulai <= tahun)."""
    config = _target_config(str(path or TARGET_FILE))
    entries = [e for e in config["tabel"] if int(e["berlaku_mulai"]) <= tahun]
    if not entries:
        return {"jenis_belanja": {}, "sumber": None}
    entry = max(entries, key=lambda e: int(e["berlaku_mulai"]))
    return {**entry, "jenis_belanja": {str(k): {q: float(v) for q, v in t.items()}
                                       for k, t in entry["jenis_belanja"].items()}}


def absorption_vs_target(tables, period: ReportPeriod | str, path: str | Path | None = None) -> pd.DataFrame:
    """Absorption per jenis belanja against its quarterly target (and the pagu-weighted target in total).

    Columns: kode, nama, pagu, realisasi, persen, target, selisih (persen - target, points), keterangan.
    """
    rp = _period(period)
    config = target_table(rp.tahun, path)
    targets = config["jenis_belanja"]
    frame = absorption(tables, rp, by="jenis_belanja")
    rows = []
    weighted, weight = 0.0, 0.0
    for _, r in frame.iterrows():
        target = targets.get(r["kode"], {}).get(rp.quarter_key, math.nan)
        reason = r["keterangan"]
        if is_na(target):
            reason = reason or "tidak ada target penyerapan untuk jenis belanja ini"
        elif not is_na(r["pagu"]) and r["pagu"] > 0:
            weighted += target * r["pagu"]
            weight += r["pagu"]
        selisih = r["persen"] - target if not (is_na(r["persen"]) or is_na(target)) else math.nan
        rows.append({"kode": r["kode"], "nama": r["nama"], "pagu": r["pagu"], "realisasi": r["realisasi"],
                     "persen": r["persen"], "target": target, "selisih": selisih, "keterangan": reason})
    total = absorption(tables, rp).iloc[0]
    target_total = weighted / weight if weight else math.nan
    rows.append({"kode": "total", "nama": "Total", "pagu": total["pagu"], "realisasi": total["realisasi"],
                 "persen": total["persen"], "target": target_total,
                 "selisih": total["persen"] - target_total if not (is_na(total["persen"]) or is_na(target_total)) else math.nan,
                 "keterangan": total["keterangan"] or ("target total = rata-rata target per jenis belanja "
                                                       "tertimbang pagu" if weight else None)})
    out = pd.DataFrame(rows)
    out.attrs["sumber"] = config.get("sumber")
    out.attrs["triwulan"] = rp.quarter_key
    return out


# --------------------------------------------------------------------------- RPD (Halaman III) against realisation
@dataclass
class RpdComparison:
    """Monthly RPD (Halaman III DIPA), cumulative, against realisation where monthly realisation exists."""

    tabel: pd.DataFrame  # bulan, rencana, rencana_kumulatif, realisasi, realisasi_kumulatif, deviasi, deviasi_persen
    bulanan: bool  # whether monthly realisation exists (else realisation columns are N/A)
    keterangan: str | None  # what is missing, in Indonesian
    pagu: float
    deviasi_rata_rata: float = math.nan  # mean monthly |realisasi - rencana| / rencana x 100


def rpd_vs_realisasi(tables, period: ReportPeriod | str, **fixed) -> RpdComparison | None:
    """Cumulative RPD against cumulative realisation per month, with the monthly deviation; None without RPD."""
    rp = _period(period)
    rpd = _year(_table(tables, "rpd"), rp.tahun)
    if rpd.empty:
        return None
    real = _year(_table(tables, "realisasi_anggaran"), rp.tahun)
    monthly = real[real["bulan"].notna()] if not real.empty else real
    months_real = {int(m) for m in monthly["bulan"]} if not monthly.empty else set()
    rows = []
    plan, spent = _by_month(rpd), _by_month(monthly)
    for m in range(1, 13):
        rencana = _amount(plan[m], FLOW_DIMS, fixed, "rencana")[0] if m in plan else math.nan
        realisasi = math.nan
        if m <= rp.end_month and m in months_real:
            month = spent[m]
            value, used = _amount(month, FLOW_DIMS, fixed, "realisasi")
            realisasi = value if not used.empty else (0.0 if _grain_has(month, fixed) else math.nan)
        rows.append({"bulan": m, "nama_bulan": nama_bulan(m), "rencana": rencana, "realisasi": realisasi})
    tabel = pd.DataFrame(rows)
    tabel["rencana_kumulatif"] = tabel["rencana"].cumsum(skipna=False)
    tabel["realisasi_kumulatif"] = tabel["realisasi"].cumsum(skipna=False)
    tabel["deviasi"] = tabel["realisasi"] - tabel["rencana"]
    tabel["deviasi_persen"] = [
        abs(d) / r * 100.0 if not (is_na(d) or is_na(r) or r == 0) else math.nan
        for d, r in zip(tabel["deviasi"], tabel["rencana"])
    ]
    tabel["deviasi_kumulatif"] = tabel["realisasi_kumulatif"] - tabel["rencana_kumulatif"]
    bulanan = tabel["realisasi"].notna().any()
    keterangan = None
    if not bulanan:
        total, reason = realisasi_amount(tables, rp, **fixed)
        if is_na(total):
            keterangan = (f"Realisasi bulanan tidak tersedia; {reason}. Deviasi Halaman III DIPA per bulan "
                          f"tidak dapat dihitung.")
        else:
            keterangan = (f"Realisasi bulanan tidak tersedia: data hanya memuat realisasi kumulatif s.d. "
                          f"{SD_LABEL[CUMULATIVE_PERIOD[rp.kuartal]]} {rp.tahun} sebesar {rupiah(total)}; "
                          f"deviasi Halaman III DIPA per bulan tidak dapat dihitung.")
    elif tabel.loc[tabel["bulan"] <= rp.end_month, "realisasi"].isna().any():
        gaps = tabel.loc[(tabel["bulan"] <= rp.end_month) & tabel["realisasi"].isna(), "nama_bulan"]
        keterangan = f"Realisasi bulan {', '.join(gaps)} tidak tersedia."
    dev = tabel["deviasi_persen"].dropna()
    pagu = pagu_amount(tables, rp.tahun, **fixed)
    return RpdComparison(tabel, bool(bulanan), keterangan, pagu, float(dev.mean()) if len(dev) else math.nan)


# --------------------------------------------------------------------------- IKPA, SMART, NKA
@dataclass
class IkpaResult:
    """IKPA and SMART from their weighted components, NKA and its conversion into the IKU index."""

    tahun: int
    periode: str | None  # the ikpa.periode used
    komponen: pd.DataFrame  # kelompok, komponen, nilai, bobot, pengurang, nilai_tertimbang
    ikpa: float
    smart: float
    nka: float
    indeks: float  # NKA converted by the framework's piecewise rule (IKU "Indeks Kualitas Kinerja Anggaran")
    kode_iku: str | None = None
    keterangan: list[str] = field(default_factory=list)


def _flag(value) -> bool:
    return False if is_na(value) else bool(value)


def weighted_score(komponen: pd.DataFrame) -> float:
    """Sum of nilai x bobot / sum of bobot over scored components, minus the deductions (pengurang rows:
    their `nilai` is the number of points deducted, as Dispensasi SPM is in IKPA); NaN without weights."""
    if komponen.empty:
        return math.nan
    pengurang = komponen["pengurang"].map(_flag) if "pengurang" in komponen else pd.Series(False, index=komponen.index)
    scored = komponen[~pengurang]
    weight = float(scored["bobot"].sum())
    if weight == 0:
        return math.nan
    deduction = float(komponen.loc[pengurang, "nilai"].fillna(0).sum())
    return float((scored["nilai"] * scored["bobot"]).sum()) / weight - deduction


def nka(smart: float, ikpa: float) -> float:
    """Nilai Kinerja Anggaran: 50% SMART + 50% IKPA (NaN if either is N/A)."""
    if is_na(smart) or is_na(ikpa):
        return math.nan
    return (NKA_BOBOT["smart"] * float(smart) + NKA_BOBOT["ikpa"] * float(ikpa)) / sum(NKA_BOBOT.values())


def nka_index(value: float, periode: str, framework_id: str = NKA_FRAMEWORK) -> float:
    """NKA converted into the IKU index by the framework's piecewise rule for that data period (clamped)."""
    if is_na(value):
        return math.nan
    framework = load_framework(framework_id)
    index, _ = indicator_index(None, float(value), "max", framework, periode, NKA_RULE)
    return index


def _ikpa_kode(tables, tahun: int) -> str | None:
    iku = _year(_table(tables, "iku"), tahun)
    if iku.empty or "aturan_capaian" not in iku:
        return None
    hit = iku[iku["aturan_capaian"] == NKA_RULE]
    return None if hit.empty else str(hit["kode"].iloc[0])


def ikpa_scores(tables, period: ReportPeriod | str, framework_id: str = NKA_FRAMEWORK) -> IkpaResult | None:
    """IKPA, SMART, NKA and the 13a-N index for a report period; None when the year has no ikpa rows."""
    rp = _period(period)
    rows = _year(_table(tables, "ikpa"), rp.tahun)
    if rows.empty:
        return None
    chosen = None
    for p in _cumulative_periods(rp.end_month, CUMULATIVE_PERIOD[rp.kuartal]):
        if (rows["periode"] == p).any():
            chosen = p
            break
    notes = []
    if chosen is None:
        have = ", ".join(f"s.d. {SD_LABEL[p]}" for p in DATA_PERIODS if (rows["periode"] == p).any())
        notes.append(f"komponen IKPA s.d. {SD_LABEL[CUMULATIVE_PERIOD[rp.kuartal]]} {rp.tahun} tidak tersedia "
                     f"(data memuat komponen {have})")
        empty = pd.DataFrame(columns=["kelompok", "komponen", "nilai", "bobot", "pengurang", "nilai_tertimbang"])
        return IkpaResult(rp.tahun, None, empty, math.nan, math.nan, math.nan, math.nan,
                          _ikpa_kode(tables, rp.tahun), notes)
    part = rows[rows["periode"] == chosen].copy()
    part["kelompok"] = part["kelompok"].fillna("ikpa") if "kelompok" in part else "ikpa"
    part["pengurang"] = part["pengurang"].map(_flag) if "pengurang" in part else False
    part["nilai_tertimbang"] = [math.nan if p else n * b / 100.0
                                for n, b, p in zip(part["nilai"], part["bobot"], part["pengurang"])]
    cols = ["kelompok", "komponen", "nilai", "bobot", "pengurang", "nilai_tertimbang", FILE_COL, LINE_COL]
    komponen = part[[c for c in cols if c in part.columns]].reset_index(drop=True)
    ikpa = weighted_score(komponen[komponen["kelompok"] == "ikpa"])
    smart = weighted_score(komponen[komponen["kelompok"] == "smart"])
    for name, value in (("IKPA", ikpa), ("SMART", smart)):
        if is_na(value):
            notes.append(f"komponen {name} s.d. {SD_LABEL[chosen]} {rp.tahun} tidak tersedia")
    value = nka(smart, ikpa)
    return IkpaResult(rp.tahun, chosen, komponen, ikpa, smart, value, float(nka_index(value, chosen, framework_id)),
                      _ikpa_kode(tables, rp.tahun), notes)


# --------------------------------------------------------------------------- the whole summary
@dataclass
class BudgetSummary:
    """Everything the budget chapter shows for one unit and report period."""

    periode: ReportPeriod
    per_jenis: pd.DataFrame
    per_kegiatan: pd.DataFrame
    total: dict
    target: pd.DataFrame
    rpd: RpdComparison | None
    ikpa: IkpaResult | None

    @property
    def tahun(self) -> int:
        return self.periode.tahun

    @property
    def periode_realisasi(self) -> str:
        """The realisasi_anggaran.periode the report period reads (Q1, S1, SDQ3, Y)."""
        return CUMULATIVE_PERIOD[self.periode.kuartal]


def has_budget(tables, tahun: int | None = None) -> bool:
    """Whether the data holds a budget (pagu or realisation rows), for a year if given."""
    for name in ("pagu", "realisasi_anggaran"):
        df = _table(tables, name)
        if not df.empty and (tahun is None or (df["tahun"] == tahun).any()):
            return True
    return False


def summarize(tables, period: ReportPeriod | str) -> BudgetSummary:
    """Pagu, realisation, absorption (per jenis, per kegiatan, total), targets, RPD and IKPA of a period."""
    rp = _period(period)
    total = absorption(tables, rp).iloc[0].to_dict()
    return BudgetSummary(rp, absorption(tables, rp, "jenis_belanja"), absorption(tables, rp, "kegiatan_kode"),
                         total, absorption_vs_target(tables, rp), rpd_vs_realisasi(tables, rp),
                         ikpa_scores(tables, rp))


# --------------------------------------------------------------------------- consistency and validation
def _slices(df: pd.DataFrame, time_cols: tuple[str, ...]):
    cols = ["satker", "tahun", *[c for c in time_cols if c in df.columns]]
    if df.empty:
        return
    for key, part in df.groupby(cols, dropna=False, sort=False):
        yield dict(zip(cols, key if isinstance(key, tuple) else (key,))), part


def _parts_sum(part: pd.DataFrame, dims, fixed: dict, d: str, col: str) -> tuple[float, int] | None:
    """Sum over the values of key `d` of the amounts at fixed + {d: value}; None if nothing is itemised by d."""
    mask = np.ones(len(part), dtype=bool)
    for k, v in fixed.items():
        mask &= part[k].to_numpy(dtype=object) == v
    values = [v for v in dict.fromkeys(part[d].to_numpy(dtype=object)[mask]) if not is_na(v)]
    if not values:
        return None
    total = 0.0
    for v in values:
        total += _amount(part, dims, {**fixed, d: v}, col)[0]
    return total, len(values)


MISMATCH_COLUMNS = ["tabel", "file", "baris", "satker", "tahun", "waktu", "kunci", "dirinci_per", "total",
                    "jumlah_rincian", "selisih"]


def total_mismatches(tables) -> pd.DataFrame:
    """Where a total (a row with empty key columns, or one grain's sum) differs from the sum of its parts.

    One row per total and key it is itemised by: table, file and line of the total row, its key, the total,
    the sum of the parts and the difference. For `lakin check` (the seed's Halaman III differs by Rp1.000
    in December, a rounding of a table printed in thousands).
    """
    out = []
    specs = (("pagu", PAGU_DIMS, (), "pagu"), ("rpd", FLOW_DIMS, ("bulan",), "rencana"),
             ("realisasi_anggaran", FLOW_DIMS, ("bulan", "periode"), "realisasi"))
    for name, dims, time_cols, col in specs:
        df = _table(tables, name)
        if df.empty:
            continue
        dims = _dims_present(df, dims)
        for where, part in _slices(df, time_cols):
            waktu = ";".join(f"{c}={'' if is_na(where[c]) else where[c]}" for c in time_cols if c in where)
            totals = [(r, {d: r[d] for d in dims if not is_na(r[d])}) for _, r in part.iterrows()
                      if any(is_na(r[d]) for d in dims)]
            if not any(not f for _, f in totals):
                totals.append((None, {}))  # the implied grand total: every grain must agree on it
            for row, fixed in totals:
                reference = float(row[col]) if row is not None else None
                for d in dims:
                    if d in fixed:
                        continue
                    got = _parts_sum(part, dims, fixed, d, col)
                    if got is None:
                        continue
                    parts, _ = got
                    if reference is None:
                        reference, ref_dim = parts, d
                        continue
                    if round(parts - reference, 6) != 0:
                        src = row if row is not None else _last_row(part)
                        file, line = _where(src)
                        out.append({"tabel": name, "file": file, "baris": line, "satker": where["satker"],
                                    "tahun": int(where["tahun"]), "waktu": waktu, "kunci": _label_key(fixed),
                                    "dirinci_per": d if row is not None else f"{d} (vs {ref_dim})",
                                    "total": reference, "jumlah_rincian": parts, "selisih": parts - reference})
    return pd.DataFrame(out, columns=MISMATCH_COLUMNS)


def _jenis_issues(tables) -> list[DataIssue]:
    issues = []
    for name in ("pagu", "rpd", "realisasi_anggaran"):
        df = _table(tables, name)
        if df.empty or "jenis_belanja" not in df:
            continue
        bad = df[df["jenis_belanja"].notna() & ~df["jenis_belanja"].astype(str).isin(JENIS_BELANJA)]
        for _, r in bad.iterrows():
            file, line = _where(r)
            issues.append(DataIssue(file, line, "jenis_belanja", r["jenis_belanja"],
                                    f"kode jenis belanja salah satu dari: {', '.join(JENIS_BELANJA)}"))
    return issues


def _targets_for(*frames, dims=FLOW_DIMS) -> list[dict]:
    """The keys to check: total, each jenis, each kegiatan, and each (kegiatan, jenis) pair present."""
    keys: dict[tuple, dict] = {(): {}}
    for df in frames:
        if df.empty:
            continue
        for _, r in df.iterrows():
            filled = {d: r[d] for d in dims if d in df.columns and not is_na(r[d])}
            for d, v in filled.items():
                keys.setdefault(((d, v),), {d: v})
            if len(filled) == len(dims):
                keys.setdefault(tuple(filled.items()), filled)
    return list(keys.values())


def _over_pagu_issues(tables) -> list[DataIssue]:
    issues = []
    real_all = _table(tables, "realisasi_anggaran")
    if real_all.empty:
        return issues
    for where, real in _slices(real_all, ()):
        pagu = _pagu_rows({"pagu": _table(tables, "pagu")}, where["tahun"])
        pagu = pagu[pagu["satker"] == where["satker"]] if not pagu.empty else pagu
        if pagu.empty:
            continue
        points = []  # (end month, canonical periode or None)
        cumulative = real[real["bulan"].isna()]
        for p in dict.fromkeys(cumulative["periode"].dropna()) if "periode" in cumulative else []:
            points.append((PERIOD_END_MONTH[p], p))
        for m in sorted({int(b) for b in real["bulan"].dropna()}):
            points.append((m, None))
        for fixed in _targets_for(real):
            limit = _amount(pagu, PAGU_DIMS, fixed, "pagu")[0]
            if is_na(limit):
                continue
            for end, canonical in points:
                rows = real if canonical else real[real["bulan"].notna()]
                value, _, used = _realisasi_at(rows, int(where["tahun"]), end, canonical, fixed)
                if is_na(value) or value <= limit or used.empty:
                    continue
                file, line = _where(_last_row(used))
                when = "s.d. " + SD_LABEL[canonical] if canonical else f"s.d. {nama_bulan(end)}"
                issues.append(DataIssue(file, line, "realisasi", _int(value),
                                        f"realisasi ({when}, {_label_key(fixed)}) tidak melebihi pagu "
                                        f"{ribuan(limit)}; lebih {ribuan(value - limit)}"))
                break
    return issues


def _rpd_issues(tables) -> list[DataIssue]:
    issues = []
    rpd_all = _table(tables, "rpd")
    if rpd_all.empty:
        return issues
    for where, rpd in _slices(rpd_all, ()):
        pagu = _table(tables, "pagu")
        pagu = pagu[(pagu["satker"] == where["satker"]) & (pagu["tahun"] == where["tahun"])] if not pagu.empty else pagu
        if pagu.empty:
            continue
        plan = _by_month(rpd)
        for fixed in _targets_for(rpd):
            limit, pagu_used = _amount(pagu, PAGU_DIMS, fixed, "pagu")
            if is_na(limit):
                continue
            total, parts, months = 0.0, [], []
            for m, month in plan.items():
                value, used = _amount(month, FLOW_DIMS, fixed, "rencana")
                if used.empty:
                    continue
                total += value
                parts.append(used)
                months.append(m)
            if not parts or round(total - limit, 6) == 0:
                continue
            used = pd.concat(parts)
            file, line = _where(_last_row(used))
            diff = total - limit
            in_thousands = bool((used["rencana"] % 1000 == 0).all())
            rounding = in_thousands and abs(diff) <= ROUNDING_PER_CELL * len(used) and len(months) == 12
            pfile, pline = _where(_last_row(pagu_used))
            missing = [nama_bulan(m) for m in range(1, 13) if m not in months]
            expected = (f"jumlah RPD bulan Januari-Desember ({_label_key(fixed)}) sama dengan pagu {ribuan(limit)} "
                        f"({pfile} baris {pline}); selisih {ribuan(diff)}")
            if missing:
                expected += f"; bulan tanpa RPD: {', '.join(missing)}"
            if rounding:
                expected += " (dalam batas pembulatan tabel ribuan rupiah)"
            issues.append(DataIssue(file, line, "rencana", _int(total), expected,
                                    severity="warning" if rounding else "error"))
    return issues


def _weight_issues(tables) -> list[DataIssue]:
    issues = []
    ikpa = _table(tables, "ikpa")
    if ikpa.empty:
        return issues
    ikpa = ikpa.assign(kelompok=ikpa["kelompok"].fillna("ikpa") if "kelompok" in ikpa else "ikpa",
                       pengurang=ikpa["pengurang"].map(_flag) if "pengurang" in ikpa else False)
    for key, group in ikpa.groupby(["satker", "tahun", "periode", "kelompok"], sort=False):
        scored = group[~group["pengurang"]]
        total = float(scored["bobot"].sum())
        if round(total, 6) == 100:
            continue
        file, line = _where(_last_row(group))
        issues.append(DataIssue(file, line, "bobot", round_half_up(total, 4),
                                f"jumlah bobot komponen {key[3].upper()} ({key[0]} {key[1]} {key[2]}) = 100"))
    return issues


def _first_per_cell(issues: list[DataIssue]) -> list[DataIssue]:
    """One issue per file, row and column (the same row can break a rule at several keys)."""
    seen, out = set(), []
    for issue in issues:
        key = (issue.file, issue.row, issue.column)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out


def validate_budget(tables) -> list[DataIssue]:
    """Budget checks beyond the schema: unknown jenis belanja, realisation above pagu, RPD months not summing
    to the pagu, IKPA/SMART weights not summing to 100, and totals that differ from their parts (warnings)."""
    issues = (_jenis_issues(tables) + _first_per_cell(_over_pagu_issues(tables)) + _first_per_cell(_rpd_issues(tables))
              + _weight_issues(tables))
    for _, m in total_mismatches(tables).iterrows():
        issues.append(DataIssue(m["file"], m["baris"], {"pagu": "pagu", "rpd": "rencana"}.get(m["tabel"], "realisasi"),
                                _int(m["total"]),
                                f"total ({m['kunci']}{'; ' + m['waktu'] if m['waktu'] else ''}) sama dengan "
                                f"jumlah rinciannya per {m['dirinci_per']} {ribuan(m['jumlah_rincian'])}; "
                                f"selisih {ribuan(m['selisih'])}", severity="warning"))
    return issues


# --------------------------------------------------------------------------- display tables (strings)
SATUAN_UANG = "rupiah"  # amounts in the budget tables: whole rupiah without "Rp" (attrs['satuan'] says so)


def _uang(value) -> str:
    """Whole rupiah with thousands separators, as the seeds' tables print them; N/A when not available."""
    return ribuan(value, na="N/A")


def _short_jenis(nama: str) -> str:
    return nama.removeprefix("Belanja ")


def _persen_cell(value) -> str:
    return angka(value, 2)


def _absorption_table(frame: pd.DataFrame, total: dict, label_col: str, label) -> pd.DataFrame:
    rows = []
    for i, (_, r) in enumerate(frame.iterrows(), start=1):
        rows.append({"No": str(i), label_col: label(r), "Pagu": _uang(r["pagu"]), "Realisasi": _uang(r["realisasi"]),
                     "Sisa Anggaran": _uang(r["sisa"]), "%": _persen_cell(r["persen"])})
    rows.append({"No": "", label_col: "TOTAL", "Pagu": _uang(total["pagu"]), "Realisasi": _uang(total["realisasi"]),
                 "Sisa Anggaran": _uang(total["sisa"]), "%": _persen_cell(total["persen"])})
    out = pd.DataFrame(rows)
    notes = [f"{label(r)}: {r['keterangan']}" for _, r in frame.iterrows() if not is_na(r["keterangan"])]
    if total.get("keterangan"):
        notes.append(f"TOTAL: {total['keterangan']}")
    out.attrs["catatan"] = "N/A = tidak tersedia. " + "; ".join(notes) + "." if notes else None
    out.attrs["satuan"] = SATUAN_UANG
    return out


def table_per_jenis(summary: BudgetSummary) -> pd.DataFrame:
    """Penyerapan anggaran per jenis belanja (seed 003 Tabel 18): No, Jenis Belanja, Pagu, Realisasi,
    Sisa Anggaran, %, with a TOTAL row; notes on N/A cells in attrs['catatan']."""
    return _absorption_table(summary.per_jenis, summary.total, "Jenis Belanja", lambda r: _short_jenis(r["nama"]))


def table_per_kegiatan(summary: BudgetSummary) -> pd.DataFrame:
    """Penyerapan anggaran per kegiatan (seed 003 Tabel 19): No, Kode/Nama Kegiatan, Pagu, Realisasi,
    Sisa Anggaran, %, with a TOTAL row."""
    return _absorption_table(summary.per_kegiatan, summary.total, "Kode/Nama Kegiatan",
                             lambda r: f"{r['kode']} / {r['nama']}" if r["nama"] != r["kode"] else str(r["kode"]))


def table_target(summary: BudgetSummary) -> pd.DataFrame:
    """Absorption per jenis belanja against the quarterly target: Jenis Belanja, Pagu, Realisasi,
    Penyerapan (%), Target (%), Selisih (poin)."""
    rows = []
    for _, r in summary.target.iterrows():
        label = "TOTAL" if r["kode"] == "total" else _short_jenis(r["nama"])
        rows.append({"Jenis Belanja": label, "Pagu": _uang(r["pagu"]), "Realisasi": _uang(r["realisasi"]),
                     "Penyerapan (%)": _persen_cell(r["persen"]), "Target (%)": angka(r["target"], 2),
                     "Selisih (poin)": poin(r["selisih"])})
    out = pd.DataFrame(rows)
    out.attrs["catatan"] = f"Target penyerapan: {summary.target.attrs.get('sumber')}"
    out.attrs["satuan"] = SATUAN_UANG
    return out


def table_ikpa(ikpa: IkpaResult, realisasi: float | None = None, realisasi_label: str | None = None) -> pd.DataFrame:
    """The IKPA/SMART component table of seed 000: Unsur, Capaian, Bobot, Nilai (weighted), group headers,
    Dispensasi SPM as 'Pengurang', the NKA and the IKU index."""
    cols = ["Unsur Kualitas Pelaksanaan Anggaran", "Capaian", "Bobot", "Nilai"]
    rows = []

    def add(a, b="", c="", d=""):
        rows.append(dict(zip(cols, (a, b, c, d))))

    groups = (("ikpa", f"1. NILAI IKPA ({angka(NKA_BOBOT['ikpa'], 0)}%)", "Nilai IKPA", ikpa.ikpa),
              ("smart", f"2. NILAI SMART ({angka(NKA_BOBOT['smart'], 0)}%)", "Nilai SMART", ikpa.smart))
    for kelompok, header, name, score in groups:
        add(header)
        if kelompok == "ikpa" and realisasi is not None and not is_na(realisasi):
            add(realisasi_label or "Realisasi Anggaran", rupiah(realisasi))
        add(name, angka(score, 2))
        part = ikpa.komponen[ikpa.komponen["kelompok"] == kelompok]
        for _, r in part.iterrows():
            add(r["komponen"], angka(r["nilai"], 2), f"{angka(r['bobot'], 2, trim=True)}%",
                "Pengurang" if r["pengurang"] else angka(r["nilai_tertimbang"], 2))
    add("Nilai Kinerja Anggaran (NKA = 50% SMART + 50% IKPA)", angka(ikpa.nka, 2))
    add(f"Indeks capaian IKU {ikpa.kode_iku}" if ikpa.kode_iku else "Indeks capaian IKU Kualitas Kinerja Anggaran",
        angka(ikpa.indeks, 2))
    return pd.DataFrame(rows, columns=cols)


def table_rpd(rpd: RpdComparison) -> pd.DataFrame:
    """RPD (Halaman III DIPA) per month and cumulative, against realisation and its deviation where monthly
    realisation exists; otherwise the plan with its cumulative share of the pagu (attrs['catatan'] says why)."""
    rows = []
    for _, r in rpd.tabel.iterrows():
        row = {"Bulan": r["nama_bulan"], "Rencana (RPD)": _uang(r["rencana"]),
               "RPD Kumulatif": _uang(r["rencana_kumulatif"])}
        if rpd.bulanan:
            row.update({"Realisasi": _uang(r["realisasi"]),
                        "Realisasi Kumulatif": _uang(r["realisasi_kumulatif"]),
                        "Deviasi": _uang(r["deviasi"]),
                        "Deviasi (%)": angka(r["deviasi_persen"], 2)})
        else:
            share, _ = _persen(r["rencana_kumulatif"], rpd.pagu)
            row["% Pagu Kumulatif"] = angka(share, 2)
        rows.append(row)
    total = {"Bulan": "JUMLAH", "Rencana (RPD)": _uang(rpd.tabel["rencana"].sum(min_count=1)), "RPD Kumulatif": ""}
    if rpd.bulanan:
        total.update({"Realisasi": _uang(rpd.tabel["realisasi"].sum(min_count=1)),
                      "Realisasi Kumulatif": "", "Deviasi": "", "Deviasi (%)": angka(rpd.deviasi_rata_rata, 2)})
    else:
        total["% Pagu Kumulatif"] = ""
    rows.append(total)
    out = pd.DataFrame(rows)
    out.attrs["catatan"] = rpd.keterangan
    out.attrs["satuan"] = SATUAN_UANG
    # the caption says what the columns hold: realisation only where monthly realisation exists
    out.attrs["judul"] = ("Rencana Penarikan Dana dan Realisasi per Bulan" if rpd.bulanan
                          else "Rencana Penarikan Dana per Bulan")
    return out


# --------------------------------------------------------------------------- figures (JSON)
def _absorption_json(frame: pd.DataFrame) -> list[dict]:
    return [{"kode": r["kode"], "nama": r["nama"], "pagu": _int(r["pagu"]), "realisasi": _int(r["realisasi"]),
             "sisa": _int(r["sisa"]), "persen": _num(r["persen"]),
             "keterangan": r["keterangan"] if r["keterangan"] else None} for _, r in frame.iterrows()]


def figures_block(unit) -> dict | None:
    """The budget block of `lakin figures`: pagu (and in words), realisation, sisa and % per jenis belanja,
    per kegiatan and in total; targets; RPD per month; IKPA, SMART, NKA and the IKU index where given."""
    tables = unit.tables
    if not has_budget(tables, unit.period.tahun):
        return None
    s = getattr(unit, "budget", None) or summarize(tables, unit.period)  # the report model's, computed once
    total = _absorption_json(pd.DataFrame([s.total]))[0]
    total["pagu_terbilang"] = None if total["pagu"] is None else terbilang_rupiah(total["pagu"])
    block = {
        "periode_realisasi": s.periode_realisasi,
        "total": total,
        "per_jenis_belanja": _absorption_json(s.per_jenis),
        "per_kegiatan": _absorption_json(s.per_kegiatan),
        "target_penyerapan": {
            "triwulan": s.target.attrs.get("triwulan"),
            "sumber": s.target.attrs.get("sumber"),
            "baris": [{"kode": r["kode"], "persen": _num(r["persen"]), "target": _num(r["target"]),
                       "selisih": _num(r["selisih"])} for _, r in s.target.iterrows()],
        },
        "rpd": None,
        "ikpa": None,
    }
    if s.rpd is not None:
        block["rpd"] = {
            "bulanan": s.rpd.bulanan,
            "keterangan": s.rpd.keterangan,
            "bulan": [{"bulan": int(r["bulan"]), "rencana": _int(r["rencana"]),
                       "rencana_kumulatif": _int(r["rencana_kumulatif"]), "realisasi": _int(r["realisasi"]),
                       "realisasi_kumulatif": _int(r["realisasi_kumulatif"]), "deviasi": _int(r["deviasi"]),
                       "deviasi_persen": _num(r["deviasi_persen"])} for _, r in s.rpd.tabel.iterrows()],
            "jumlah": _int(s.rpd.tabel["rencana"].sum(min_count=1)),
        }
    if s.ikpa is not None:
        block["ikpa"] = {
            "periode": s.ikpa.periode, "ikpa": _num(s.ikpa.ikpa), "smart": _num(s.ikpa.smart), "nka": _num(s.ikpa.nka),
            "kode_iku": s.ikpa.kode_iku, "indeks_iku": _num(s.ikpa.indeks),
            "komponen": [{"kelompok": r["kelompok"], "komponen": r["komponen"], "nilai": _num(r["nilai"]),
                          "bobot": _num(r["bobot"]), "pengurang": bool(r["pengurang"]),
                          "nilai_tertimbang": _num(r["nilai_tertimbang"])} for _, r in s.ikpa.komponen.iterrows()],
            "keterangan": s.ikpa.keterangan or None,
        }
    return block


__all__ = [
    "ABSORPTION_COLUMNS",
    "CUMULATIVE_PERIOD",
    "NKA_BOBOT",
    "BudgetSummary",
    "IkpaResult",
    "RpdComparison",
    "absorption",
    "absorption_vs_target",
    "figures_block",
    "has_budget",
    "ikpa_scores",
    "nka",
    "nka_index",
    "pagu_amount",
    "realisasi_amount",
    "rpd_vs_realisasi",
    "summarize",
    "table_ikpa",
    "table_per_jenis",
    "table_per_kegiatan",
    "table_rpd",
    "table_target",
    "target_table",
    "total_mismatches",
    "validate_budget",
    "weighted_score",
]


register_block("anggaran", figures_block)
