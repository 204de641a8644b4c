"""Budget absorption: pagu, realisation, sisa and % per jenis belanja, per kegiatan and in total, against the
quarterly targets (rules/config/target_penyerapan.yaml), and the Halaman III RPD against realisation."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from lakin.data.params import YAML_LOADER
from lakin.data.periods import CUMULATIVE_LABELS, CUMULATIVE_PERIOD, ReportPeriod
from lakin.data.schemas import JENIS_BELANJA, JENIS_BELANJA_NAMA
from lakin.rules.budget.amounts import (
    FLOW_DIMS,
    amount_value,
    as_period,
    by_month,
    grain_text,
    itemised_by,
    of_year,
    pagu_amount,
    pagu_rows,
    percent_of_pagu,
    positions,
    realisasi_amount,
    total_at,
)
from lakin.rules.grain import table
from lakin.values import is_na, nama_bulan, rupiah

__all__ = ["ABSORPTION_COLUMNS", "TARGET_FILE", "RpdComparison", "absorption", "absorption_vs_target",
           "rpd_vs_realisasi", "target_table"]

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
TARGET_FILE = CONFIG_DIR / "target_penyerapan.yaml"


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
    persen, why = percent_of_pagu(realisasi, pagu)
    sisa = pagu - realisasi if not (is_na(pagu) or is_na(realisasi)) else math.nan
    if is_na(pagu):
        reason = f"pagu per {grain_text(fixed)} tidak tersedia" if fixed else "pagu tidak tersedia"
    return {"kode": kode, "nama": nama, "pagu": pagu, "realisasi": realisasi, "sisa": sisa, "persen": persen,
            "keterangan": reason or why}


def absorption(tables, period: ReportPeriod | str, by: str | None = None) -> pd.DataFrame:
    """Pagu, realisasi, sisa anggaran and absorption % per jenis belanja (by='jenis_belanja'), per kegiatan
    (by='kegiatan_kode') or in total (by=None), cumulative to the end of the report period."""
    rp = as_period(period)
    pagu = pagu_rows(tables, rp.tahun)
    real = of_year(table(tables, "realisasi_anggaran"), rp.tahun)
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
        return yaml.load(fh, Loader=YAML_LOADER)


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
    rp = as_period(period)
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
    pagu: float
    deviasi_rata_rata: float = math.nan  # mean monthly |realisasi - rencana| / rencana x 100
    period: ReportPeriod | None = None
    # without monthly realisation: the cumulative realisation to the period's end (N/A with its reason)
    realisasi_total: float = math.nan
    alasan: str | None = None
    bulan_kosong: tuple[str, ...] = ()  # months up to the period's end without realisation

    @property
    def keterangan(self) -> str | None:
        """What is missing, in Indonesian, written from the figures this object holds (never re-read)."""
        if not self.bulanan:
            if is_na(self.realisasi_total):
                return (f"Realisasi bulanan tidak tersedia; {self.alasan}. Deviasi Halaman III DIPA per bulan "
                        f"tidak dapat dihitung.")
            rp = self.period
            return (f"Realisasi bulanan tidak tersedia: data hanya memuat realisasi kumulatif s.d. "
                    f"{CUMULATIVE_LABELS[CUMULATIVE_PERIOD[rp.kuartal]]} {rp.tahun} sebesar "
                    f"{rupiah(self.realisasi_total)}; deviasi Halaman III DIPA per bulan tidak dapat dihitung.")
        if self.bulan_kosong:
            return f"Realisasi bulan {', '.join(self.bulan_kosong)} tidak tersedia."
        return None


def rpd_vs_realisasi(tables, period: ReportPeriod | str, **fixed) -> RpdComparison | None:
    """Cumulative RPD against cumulative realisation per month, with the monthly deviation; None without RPD."""
    rp = as_period(period)
    rpd = of_year(table(tables, "rpd"), rp.tahun)
    if rpd.empty:
        return None
    real = of_year(table(tables, "realisasi_anggaran"), rp.tahun)
    monthly = real[real["bulan"].notna()] if not real.empty else real
    months_real = {int(m) for m in monthly["bulan"]} if not monthly.empty else set()
    rows = []
    plan, spent = by_month(rpd), by_month(monthly)
    for m in range(1, 13):
        rencana = amount_value(plan[m], FLOW_DIMS, fixed, "rencana") if m in plan else math.nan
        realisasi = math.nan
        if m <= rp.end_month and m in months_real:
            month = spent[m]
            at = positions(month, FLOW_DIMS, fixed)
            if len(at):
                realisasi = total_at(month, "realisasi", at)
            else:
                realisasi = 0.0 if itemised_by(month, fixed) else math.nan
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
    bulanan = bool(tabel["realisasi"].notna().any())
    total, reason, gaps = math.nan, None, ()
    if not bulanan:
        total, reason = realisasi_amount(tables, rp, **fixed)
    else:
        gaps = tuple(tabel.loc[(tabel["bulan"] <= rp.end_month) & tabel["realisasi"].isna(), "nama_bulan"])
    dev = tabel["deviasi_persen"].dropna()
    pagu = pagu_amount(tables, rp.tahun, **fixed)
    return RpdComparison(tabel, bulanan, pagu, float(dev.mean()) if len(dev) else math.nan, rp,
                         float(total) if not is_na(total) else math.nan, reason, gaps)
