"""The headline figures of one unit and report period, as plain data (for JSON, tests and notebooks).

Read from the report model (`lakin.model.report_model`): the figures are computed once, here only arranged as JSON.
Each block of the JSON is an entry of `BLOCKS` (`Registry("figure block")`), added where it is defined below, in
the order the JSON lists them; a block returns None when the unit has no data for it.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd

from lakin.model.report_model import ReportModel, iku_counts, model_from_dataset
from lakin.model.unit import Unit
from lakin.registry import Registry
from lakin.rules import budget as budget_rules
from lakin.rules import revenue as revenue_rules
from lakin.rules.revenue.realisation import percent_of
from lakin.values import is_na, json_int, json_number, json_safe, json_text, round_half_up, terbilang_rupiah

__all__ = ["BLOCKS", "budget_block", "figures", "revenue_block", "scoring_block"]

BLOCKS: Registry[Callable[[Unit | ReportModel], dict | None]] = Registry("figure block")


@BLOCKS.add("kinerja")
def scoring_block(unit: Unit | ReportModel) -> dict:
    """Overall score, every level, every indicator, the previous year and the change."""
    sc = unit.scorecard() if callable(unit.scorecard) else unit.scorecard
    fw = sc.framework
    levels = {}
    for depth, frame in enumerate(sc.levels):
        level = frame.attrs["level"]
        counts, scored = iku_counts(sc, depth)
        levels[level["kolom"]] = [
            {"kode": r["kode"], "nama": r["nama"], "indeks": json_number(r["indeks"]),
             "jumlah_indikator": int(counts.get(r["kode"], 0)), "jumlah_dinilai": int(scored.get(r["kode"], 0))}
            for _, r in frame.iterrows()
        ]
    indicators = [
        {
            "kode": r["kode"], "nama": r["nama"], "sasaran_kode": r["sasaran_kode"], "perspektif": r["perspektif"],
            "satuan": r["satuan"], "polaritas": r["polaritas"],
            "target": json_number(r["target"], 4), "realisasi": json_number(r["realisasi"], 4),
            "capaian": json_number(r["capaian"]), "status": r["status"], "keterangan": json_text(r["alasan_na"]),
        }
        for _, r in sc.indicators.iterrows()
    ]
    return {
        "nilai_organisasi": {"kode": fw.skor_kode, "nama": fw.skor_nama, "nilai": json_number(sc.overall),
                             "kategori": None if is_na(sc.overall) else fw.kategori_for(sc.overall)},
        "kelompok": levels,
        "indikator": indicators,
        "status": sc.status_counts(),
        "sebelumnya": {"tahun": sc.period.tahun - 1, "nilai": json_number(sc.previous), "sumber": sc.previous_source},
        "perubahan": json_number(sc.change),
    }


def _absorption_json(frame: pd.DataFrame) -> list[dict]:
    return [{"kode": r["kode"], "nama": r["nama"], "pagu": json_int(r["pagu"]), "realisasi": json_int(r["realisasi"]),
             "sisa": json_int(r["sisa"]), "persen": json_number(r["persen"]),
             "keterangan": r["keterangan"] if r["keterangan"] else None} for _, r in frame.iterrows()]


@BLOCKS.add("anggaran")
def budget_block(unit: Unit | ReportModel) -> dict | None:
    """The budget block of `lakin figures`: pagu (and in words), realisation, sisa and % per jenis belanja,
    per kegiatan and in total; targets; RPD per month; IKPA, SMART, NKA and the IKU index where given."""
    tables = unit.tables
    if not budget_rules.has_budget(tables, unit.period.tahun):
        return None
    s = getattr(unit, "budget", None) or budget_rules.summarize(tables, unit.period)  # the report model's, computed once
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
            "baris": [{"kode": r["kode"], "persen": json_number(r["persen"]), "target": json_number(r["target"]),
                       "selisih": json_number(r["selisih"])} for _, r in s.target.iterrows()],
        },
        "rpd": None,
        "ikpa": None,
    }
    if s.rpd is not None:
        block["rpd"] = {
            "bulanan": s.rpd.bulanan,
            "keterangan": s.rpd.keterangan,
            "bulan": [{"bulan": int(r["bulan"]), "rencana": json_int(r["rencana"]),
                       "rencana_kumulatif": json_int(r["rencana_kumulatif"]), "realisasi": json_int(r["realisasi"]),
                       "realisasi_kumulatif": json_int(r["realisasi_kumulatif"]), "deviasi": json_int(r["deviasi"]),
                       "deviasi_persen": json_number(r["deviasi_persen"])} for _, r in s.rpd.tabel.iterrows()],
            "jumlah": json_int(s.rpd.tabel["rencana"].sum(min_count=1)),
        }
    if s.ikpa is not None:
        block["ikpa"] = {
            "periode": s.ikpa.periode, "ikpa": json_number(s.ikpa.ikpa), "smart": json_number(s.ikpa.smart),
            "nka": json_number(s.ikpa.nka),
            "kode_iku": s.ikpa.kode_iku, "indeks_iku": json_number(s.ikpa.indeks),
            "komponen": [{"kelompok": r["kelompok"], "komponen": r["komponen"], "nilai": json_number(r["nilai"]),
                          "bobot": json_number(r["bobot"]), "pengurang": bool(r["pengurang"]),
                          "nilai_tertimbang": json_number(r["nilai_tertimbang"])}
                         for _, r in s.ikpa.komponen.iterrows()],
            "keterangan": s.ikpa.keterangan or None,
        }
    return block



@BLOCKS.add("penerimaan")
def revenue_block(unit: Unit | ReportModel) -> dict | None:
    """Revenue headline figures for `lakin figures` (money as integers, percentages to 2 decimals)."""
    if not revenue_rules.has_revenue(unit.tables, unit.period.tahun):
        return None
    # the report model's summary, computed once (a Unit has none: computed here)
    s = getattr(unit, "revenue", None) or revenue_rules.summarize(unit.tables, unit.satker, unit.period)
    tif = s.target

    def decree(dasar, tgl, nilai):
        return {"dasar_hukum": dasar, "tanggal": tgl.isoformat() if tgl else None, "nilai": json_int(nilai)}

    per_jenis = {}
    for _, r in s.per_jenis.iterrows():
        if r["jenis"] == revenue_rules.TOTAL:
            continue
        per_jenis[r["jenis"]] = {
            "target": json_int(r["target"]), "realisasi_bulan": json_int(r["realisasi_bulan"]),
            "realisasi": json_int(r["realisasi"]), "realisasi_sebelumnya": json_int(r["realisasi_sebelumnya"]),
            "yoy": json_number(r["yoy"]), "yoy_keterangan": json_text(r["yoy_alasan"]),
            "capaian": json_number(r["capaian"]), "capaian_keterangan": json_text(r["capaian_alasan"]),
        }
    bulanan = [{
        "bulan": int(r["bulan"]), "nama": r["nama_bulan"], "status": r["status"] or None,
        "proyeksi": bool(r["proyeksi"]),
        "target_persen": json_number(r["persen"]), "target_kumulatif_persen": json_number(r["persen_kumulatif"]),
        "target": json_int(r["target"]), "target_kumulatif": json_int(r["target_kumulatif"]),
        "realisasi": json_int(r["realisasi"]), "realisasi_kumulatif": json_int(r["realisasi_kumulatif"]),
        "capaian": json_number(r["capaian"]), "capaian_kumulatif": json_number(r["capaian_kumulatif"]),
    } for _, r in s.bulanan.iterrows()]
    iku = [{
        "periode": r["periode"], "dasar_hukum": json_text(r["dasar_hukum"]),
        "target_tahunan": json_int(r["target_tahunan"]),
        "realisasi_kumulatif": json_int(r["realisasi_kumulatif"]), "nilai": json_number(r["nilai"]),
        "keterangan": json_text(r["alasan"]), "kode": json_text(r["kode"]),
        "nilai_indikator": json_number(r["realisasi_indikator"]),
        "selisih": json_number(r["selisih"]), "cocok": None if is_na(r["cocok"]) else bool(r["cocok"]),
    } for _, r in s.iku.iterrows()]
    top = s.kontributor_total[~s.kontributor_total["lainnya"].astype(bool)] if not s.kontributor_total.empty else None
    terbesar = None
    if top is not None and not top.empty:
        best = top.sort_values("nilai", ascending=False, kind="stable").iloc[0]
        terbesar = {"jenis": best["jenis"], "wajib_bayar": best["wajib_bayar"], "nilai": json_int(best["nilai"]),
                    "porsi": json_number(best["porsi"])}
    return {
        "tahun": s.tahun,
        "bulan_akhir": s.end_month,
        "realisasi_kumulatif": json_int(s.realisasi),
        "target": decree(tif.dasar_hukum, tif.tanggal, tif.total) if tif else None,
        "target_awal": decree(tif.awal_dasar_hukum, tif.awal_tanggal, tif.awal_total) if tif else None,
        "target_direvisi": bool(tif.direvisi) if tif else False,
        "capaian": json_number(s.capaian),
        "capaian_keterangan": s.capaian_alasan,
        "yoy": {"persen": json_number(s.yoy), "realisasi_sebelumnya": json_int(s.realisasi_sebelumnya),
                "keterangan": s.yoy_alasan},
        "per_jenis": per_jenis,
        "bulanan": bulanan,
        "bulan_tanpa_data": s.bulan_tanpa_data,
        "proyeksi": None if s.proyeksi_metode is None else {
            "metode": s.proyeksi_metode, "rasio": round_half_up(s.proyeksi_rasio, 6),
            "realisasi_akhir_tahun": json_int(s.proyeksi_akhir_tahun),
            "capaian_akhir_tahun": json_number(percent_of(s.proyeksi_akhir_tahun, s.target_total)[0]),
        },
        "iku": iku,
        "kontributor_terbesar": terbesar,
    }


def figures(unit: Unit | ReportModel) -> dict:
    """All headline figures of a unit and period as a JSON-ready dict (read from the report model)."""
    if isinstance(unit, Unit):
        unit = model_from_dataset(unit.ds, unit.satker, unit.period, unit.framework)
    info = unit.info
    out = {
        "satker": unit.satker,
        "nama": info["nama"],
        "periode": unit.period.label,
        "periode_data": unit.period.data_period(unit.framework.periode),
        "kerangka": unit.framework.id,
    }
    for name, block in BLOCKS.items():
        found = block(unit)
        if found is not None:
            if name == "kinerja":
                out.update(found)
            else:
                out[name] = found
    return json_safe(out)
