"""The report's sections: what each chapter notebook shows, one call per section.

A `Laporan` is opened once per notebook (setup cell); each method displays headings, prose, tables
and charts through `lakin.show`, and shows nothing when the unit has no data for that section.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import show
from .charts import kinerja as charts_kinerja
from .figures import Unit, open_unit
from .fmt import indeks, is_na
from .narrative import kinerja as narasi_kinerja
from .tables import history_table, level_table, scorecard_table

_NARASI_NAME = re.compile(r"[^A-Za-z0-9.-]+")


def narasi_name(kode: str) -> str:
    """File name of an indicator's analyst text: 'IKU 1' -> 'iku-IKU-1.md', '1a-N' -> 'iku-1a-N.md'."""
    return f"iku-{_NARASI_NAME.sub('-', str(kode)).strip('-')}.md"


class Laporan:
    """One unit's report for one period, as the chapter notebooks present it."""

    def __init__(self, satker: str, periode: str, data_dir: str | Path | None = None):
        self.unit: Unit = open_unit(satker, periode, data_dir)

    # ------------------------------------------------------------------ shared pieces
    @property
    def nama(self) -> str:
        return str(self.unit.info["nama"])

    @property
    def singkatan(self) -> str:
        s = self.unit.info.get("singkatan")
        return self.nama if is_na(s) or not s else str(s)

    @cached_property
    def sc(self):
        return self.unit.scorecard()

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        return self.unit.tables

    def narasi(self, name: str) -> str | None:
        """An analyst's text block from data/narasi/<satker>/<tahun>/<name>, if present."""
        path = self.unit.ds.narasi_dir(self.unit.satker, self.unit.period.tahun) / name
        if path.is_file():
            text = path.read_text(encoding="utf-8").strip()
            return text or None
        return None

    def _narasi_block(self, name: str, heading: str | None = None, level: int = 3) -> None:
        text = self.narasi(name)
        if text:
            if heading:
                show.heading(heading, level)
            show.markdown(text)

    # ------------------------------------------------------------------ executive summary
    def ringkasan(self) -> None:
        """The executive summary: overall score, bands, extremes, revenue and budget headlines."""
        show.markdown("\n\n".join(narasi_kinerja.ringkasan(self.sc, self.singkatan)))
        self._narasi_block("ringkasan.md")

    def ringkasan_tabel(self) -> None:
        """The top aggregate level with the overall score."""
        depth = len(self.sc.levels) - 1
        frame = level_table(self.sc, depth)
        total = {c: "" for c in frame.columns}
        total[frame.columns[1]] = self.sc.framework.skor_kode
        total["Indeks"] = indeks(self.sc.overall)
        frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
        show.table(frame, f"{frame.columns[1]} dan {self.sc.framework.skor_kode} {self.unit.period.nama}",
                   ident="tabel-ringkasan")

    # ------------------------------------------------------------------ introduction
    def profil(self) -> None:
        """Who the unit is: name, ministry, parent office, location, head; the framework it reports under."""
        info = self.unit.info
        parts = [f"{self.nama} ({self.singkatan}) adalah unit kerja"]
        if not is_na(info.get("unit_eselon1")):
            parts.append(f"di lingkungan {info['unit_eselon1']}")
        if not is_na(info.get("kementerian")):
            parts.append(f"{info['kementerian']}")
        text = " ".join(parts)
        if not is_na(info.get("induk")):
            text += f", di bawah koordinasi {info['induk']}"
        if not is_na(info.get("kota")):
            text += f", berkedudukan di {info['kota']}"
        text += "."
        if not is_na(info.get("kepala")):
            text += f" Unit ini dipimpin oleh {info['kepala']}."
        fw = self.sc.framework
        text += (f" Kinerja unit diukur dengan kerangka {fw.nama} ({fw.sumber.strip()}): "
                 f"capaian setiap {fw.istilah_indikator} dihitung dari target dan realisasinya, lalu "
                 f"dirata-ratakan per {fw.levels[0]['nama'].lower()} hingga menjadi {fw.skor_nama} ({fw.skor_kode}).")
        show.markdown(show.escape_md(text))
        self._narasi_block("pendahuluan.md")

    # ------------------------------------------------------------------ performance plan
    def perjanjian_kinerja(self) -> None:
        """The performance agreement: sasaran, indicators and annual targets of the year (and the next, if any)."""
        sc = self.sc
        term = sc.framework.istilah_indikator
        n_sasaran = sc.indicators["sasaran_kode"].nunique()
        show.markdown(show.escape_md(
            f"Perjanjian Kinerja {self.singkatan} tahun {sc.period.tahun} memuat {len(sc.indicators)} {term} "
            f"yang mengukur {n_sasaran} {sc.framework.levels[0]['nama'].lower()}. Target tahunan setiap {term} "
            f"disajikan pada tabel berikut."))
        show.table(self._pk_table(sc.period.tahun), f"Perjanjian Kinerja Tahun {sc.period.tahun}", ident="tabel-pk")
        nxt = sc.period.tahun + 1
        if (self.tables["iku"]["tahun"] == nxt).any():
            show.heading(f"Sasaran yang Ingin Dicapai Tahun {nxt}", 2)
            show.markdown(show.escape_md(
                f"Untuk tahun {nxt}, {self.singkatan} telah menetapkan target kinerja berikut dalam Perjanjian Kinerja {nxt}."))
            show.table(self._pk_table(nxt), f"Perjanjian Kinerja Tahun {nxt}", ident="tabel-pk-berikutnya")

    def _pk_table(self, tahun: int) -> pd.DataFrame:
        iku = self.tables["iku"]
        iku = iku[iku["tahun"] == tahun].sort_values("urutan", kind="stable", na_position="last")
        nilai = self.tables["iku_nilai"]
        target = nilai[(nilai["tahun"] == tahun) & (nilai["periode"] == "Y")].set_index("kode")["target"]
        rows = []
        for i, (_, r) in enumerate(iku.iterrows(), start=1):
            t = target.get(r["kode"])
            rows.append({"No": i, "Sasaran": r["sasaran_kode"], "Kode": r["kode"], "Indikator": r["nama"],
                         "Target": narasi_kinerja.nilai_satuan(t, r["satuan"])})
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ accountability
    def capaian_organisasi(self) -> None:
        """The overall score, every aggregate level, the scorecard table and its charts."""
        sc = self.sc
        show.markdown(show.escape_md(narasi_kinerja.kalimat_nilai_organisasi(sc, self.singkatan)))
        show.chart(charts_kinerja.nilai_organisasi(sc), f"{sc.framework.skor_kode} {sc.period.tahun} dibandingkan tahun sebelumnya",
                   ident="gambar-nilai-organisasi")
        for depth in reversed(range(len(sc.levels))):
            show.markdown(show.escape_md(" ".join(narasi_kinerja.kalimat_level(sc, depth))))
            level = sc.levels[depth].attrs["level"]
            show.table(level_table(sc, depth), f"Indeks Capaian per {level['nama']}", ident=f"tabel-{level['kolom']}")
        show.markdown(show.escape_md(narasi_kinerja.kalimat_status(sc) + " " + narasi_kinerja.kalimat_tertinggi_terendah(sc)))
        show.table(scorecard_table(sc), f"Capaian {sc.framework.istilah_indikator} {self.singkatan} {sc.period.nama}",
                   ident="tabel-papan-skor")
        show.chart(charts_kinerja.indeks_indikator(sc), f"Indeks capaian per {sc.framework.istilah_indikator}",
                   ident="gambar-indeks-indikator")

    def analisis_indikator(self) -> None:
        """Per indicator: definition, the sentence, the table of periods and years, a chart, the analysts' text."""
        sc = self.sc
        for _, row in sc.indicators.iterrows():
            kode = row["kode"]
            show.heading(f"{narasi_kinerja.label(sc, kode)} {row['nama']}", 3, ident=f"iku-{kode}")
            definisi = self.tables["iku"]
            definisi = definisi[(definisi["tahun"] == sc.period.tahun) & (definisi["kode"] == kode)]
            if "definisi" in definisi and not definisi.empty and not is_na(definisi["definisi"].iloc[0]):
                show.markdown(show.escape_md(definisi["definisi"].iloc[0]))
            show.markdown(show.escape_md(narasi_kinerja.kalimat_indikator(sc, row)))
            show.table(history_table(sc, kode), f"Target dan Realisasi {narasi_kinerja.label(sc, kode)}",
                       ident=f"tabel-iku-{kode}")
            chart = charts_kinerja.riwayat_indikator(sc, kode)
            if chart is not None:
                show.chart(chart, f"Target dan realisasi {narasi_kinerja.label(sc, kode)}", ident=f"gambar-iku-{kode}")
            self._narasi_block(narasi_name(kode))

    # ------------------------------------------------------------------ revenue
    @cached_property
    def _revenue(self):
        from . import revenue

        if not revenue.has_revenue(self.tables, self.unit.period.tahun):
            return None
        return revenue.summarize(self.tables, self.unit.satker, self.unit.period)

    def ringkasan_penerimaan(self) -> None:
        """The revenue headline of the executive summary (nothing without revenue data)."""
        from .narrative import revenue as narasi

        if self._revenue is not None:
            show.markdown(show.escape_md(narasi.paragraphs(self._revenue, self.singkatan)[0]))

    def penerimaan(self) -> None:
        """The revenue chapter: narrative, target decrees, performance and trajectory tables, charts."""
        from . import revenue
        from .charts import revenue as charts
        from .narrative import revenue as narasi

        summary = self._revenue
        if summary is None:
            return
        paragraphs = narasi.paragraphs(summary, self.singkatan)
        show.markdown("\n\n".join(show.escape_md(p) for p in paragraphs))
        show.table(revenue.table_targets(summary), f"Target Penerimaan Tahun {summary.tahun}", ident="tabel-target-penerimaan")
        show.table(revenue.table_kinerja(summary), f"Kinerja Penerimaan {self.unit.period.nama}", ident="tabel-kinerja-penerimaan")
        show.chart(charts.cumulative(summary), "Realisasi kumulatif dibandingkan trajektori target", ident="gambar-trajektori")
        show.heading("Capaian Trajektori Bulanan", 3)
        show.table(revenue.table_trajectory(summary), "Capaian Trajektori Bulanan dan Proyeksi s.d. Akhir Tahun",
                   ident="tabel-trajektori")
        show.chart(charts.monthly(summary), "Realisasi bulanan dibandingkan target bulanan", ident="gambar-bulanan")
        show.heading("Pertumbuhan Penerimaan (Year on Year)", 3)
        show.chart(charts.year_on_year(summary), "Penerimaan per jenis dibandingkan tahun sebelumnya", ident="gambar-yoy")
        if summary.iku_kode is not None and not summary.iku.empty:
            show.heading(f"Keterkaitan dengan {narasi_kinerja.label(self.sc, summary.iku_kode)}", 3)
            show.table(revenue.table_iku(summary), f"{narasi_kinerja.label(self.sc, summary.iku_kode)} dihitung dari data penerimaan",
                       ident="tabel-iku-penerimaan")
        if not summary.kontributor.empty:
            show.heading("Kontributor Penerimaan Terbesar", 3)
            show.table(revenue.table_kontributor(summary), "Kontributor Penerimaan Bea Masuk Terbesar per Bulan",
                       ident="tabel-kontributor")
            show.chart(charts.contributors(summary), "Kontributor penerimaan bea masuk per bulan", ident="gambar-kontributor")

    # ------------------------------------------------------------------ budget
    @cached_property
    def _budget(self):
        from . import budget

        if not budget.has_budget(self.tables, self.unit.period.tahun):
            return None
        return budget.summarize(self.tables, self.unit.period)

    def ringkasan_anggaran(self) -> None:
        """The budget headline of the executive summary (nothing without budget data)."""
        from .narrative import budget as narasi

        if self._budget is not None:
            show.markdown(show.escape_md(" ".join(narasi.paragraphs(self._budget, self.singkatan)[:2])))

    def anggaran(self) -> None:
        """The budget chapter: narrative, absorption per jenis belanja and per kegiatan, targets, RPD, IKPA."""
        from . import budget
        from .charts import budget as charts
        from .narrative import budget as narasi

        summary = self._budget
        if summary is None:
            return
        show.markdown("\n\n".join(show.escape_md(p) for p in narasi.paragraphs(summary, self.singkatan)))
        period = self.unit.period.nama
        _table(budget.table_per_jenis(summary), f"Penyerapan Anggaran per Jenis Belanja {period}", "tabel-jenis-belanja")
        _table(budget.table_per_kegiatan(summary), f"Penyerapan Anggaran per Kegiatan {period}", "tabel-kegiatan")
        if summary.target is not None and not summary.target.empty:
            _table(budget.table_target(summary), "Penyerapan Anggaran dibandingkan Target Triwulanan", "tabel-target-penyerapan")
            show.chart(charts.absorption_chart(summary), "Penyerapan per jenis belanja dan targetnya", ident="gambar-penyerapan")
        if summary.rpd is not None:
            show.heading("Rencana Penarikan Dana (Halaman III DIPA)", 3)
            _table(budget.table_rpd(summary.rpd), "Rencana Penarikan Dana dan Realisasi", "tabel-rpd")
            show.chart(charts.rpd_chart(summary), "Rencana penarikan dana kumulatif dan realisasi", ident="gambar-rpd")
        if summary.ikpa is not None and summary.ikpa.periode is not None:
            show.heading("Kualitas Pelaksanaan Anggaran (IKPA dan NKA)", 3)
            show.table(budget.table_ikpa(summary.ikpa, summary.total.get("realisasi")), "Komponen IKPA, SMART dan NKA",
                       ident="tabel-ikpa")

    # ------------------------------------------------------------------ data-quality annex
    def kualitas_data(self) -> None:
        """What `lakin check` finds for this unit and year: printed figures that disagree with the data."""
        from .check import annex, check

        result = check(self.unit.ds.data_dir, satker=self.unit.satker, tahun=self.unit.period.tahun)
        frame = annex(result.findings).drop(columns=["Satker"], errors="ignore")
        if frame.empty:
            show.markdown("Tidak ada temuan: setiap angka yang tercetak dalam data sesuai dengan hasil hitung ulang.")
            return
        errors = len(result.errors)
        warnings = len(result.warnings)
        show.markdown(show.escape_md(
            f"Pemeriksaan otomatis (lakin check) menghitung ulang setiap angka yang tercetak dalam dokumen sumber "
            f"{self.singkatan} tahun {self.unit.period.tahun}. Ditemukan {errors} galat (angka turunan yang tidak "
            f"sesuai dengan hasil hitung ulang) dan {warnings} peringatan (dua tabel sumber yang saling berbeda, "
            f"atau angka yang tidak dapat dihitung ulang dari data). Nilai dalam laporan ini adalah hasil hitung "
            f"ulang dari data; angka tercetak dicantumkan untuk reviu."))
        show.table(frame, f"Catatan Kualitas Data {self.singkatan} Tahun {self.unit.period.tahun}", ident="tabel-kualitas-data")

    # ------------------------------------------------------------------ closing
    def penutup(self) -> None:
        """The conclusion drawn from the figures, then the analysts' closing text if any."""
        sc = self.sc
        show.markdown(show.escape_md(
            f"Laporan ini menyajikan capaian kinerja {self.singkatan} {sc.period.nama}. "
            + narasi_kinerja.kalimat_nilai_organisasi(sc, self.singkatan) + " "
            + narasi_kinerja.kalimat_status(sc)))
        self._narasi_block("penutup.md")
        self._narasi_block("kendala.md", "Kendala", 2)
        self._narasi_block("rekomendasi.md", "Rekomendasi", 2)


def _table(frame: pd.DataFrame, caption: str, ident: str) -> None:
    """A table with the explanatory note its builder attached (attrs['catatan']), if any."""
    show.table(frame, caption, ident=ident, note=frame.attrs.get("catatan"))


def buka(satker: str, periode: str, data_dir: str | Path | None = None) -> Laporan:
    """Open a unit's report for a period (the notebooks' setup call)."""
    return Laporan(satker, periode, data_dir)
