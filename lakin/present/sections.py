"""The report's sections: what each chapter notebook shows, one call per section.

A `Laporan` is opened once per notebook (setup cell); each method displays headings, prose, tables
and charts through `lakin.present.show`, and shows nothing when the unit has no data for that section.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import pandas as pd

from lakin.data.periods import parse_period
from lakin.errors import ParameterError
from lakin.model.report_model import ReportModel, build_model
from lakin.model.report_model import load as load_model
from lakin.present import profil as bab
from lakin.present import show
from lakin.present.charts import budget as budget_charts
from lakin.present.charts import caption as chart_caption
from lakin.present.charts import spec_dict
from lakin.present.charts import kinerja as kinerja_charts
from lakin.present.charts import revenue as revenue_charts
from lakin.values import indeks
from lakin.present.narrative import budget as budget_narrative
from lakin.present.narrative import kinerja as narasi_kinerja
from lakin.present.narrative import revenue as revenue_narrative
from lakin.present.outlines import element_block, has_element, narasi_name, outline_for
from lakin.rules.requirements import available_data
from lakin.present.tables import budget as budget_tables
from lakin.present.tables import level_table, scorecard_table
from lakin.present.tables import revenue as revenue_tables
from lakin.values import is_na

__all__ = ["SECTIONS", "Laporan", "bab_ident", "buka", "narasi_name"]

class Laporan:
    """One unit's report for one period, as the chapter notebooks present it."""

    def __init__(self, satker: str, periode: str, data_dir: str | Path | None = None,
                 model: str | Path | ReportModel | None = None):
        if model is None:
            self.model: ReportModel = build_model(satker, periode, data_dir)
        else:
            self.model = model if isinstance(model, ReportModel) else load_model(model)
            wanted = parse_period(periode).label
            if (self.model.satker, self.model.period.label) != (satker, wanted):
                raise ParameterError(f"model laporan {model} berisi {self.model.satker} {self.model.period.label}, "
                                     f"bukan {satker} {wanted}", "model", str(model))

    # ------------------------------------------------------------------ shared pieces
    @property
    def nama(self) -> str:
        return str(self.model.info["nama"])

    @property
    def singkatan(self) -> str:
        s = self.model.info.get("singkatan")
        return self.nama if is_na(s) or not s else str(s)

    @cached_property
    def sc(self):
        return self.model.scorecard

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return self.model.tables

    def narasi(self, name: str) -> str | None:
        """The analysts' block for this period (data/README.md, *Analysts' text*), references resolved. Its text
        goes only into `show.narasi` outputs; the chapter may ask whether it has text (`ReportModel.narasi_shown`:
        an incremental build then puts an edited text into those outputs without executing the chapter)."""
        return self.model.narasi_shown(name)

    def _narasi_block(self, name: str, heading: str | None = None, level: int = 3) -> bool:
        """Show the block (under `heading`) if it has text; whether it did."""
        text = self.narasi(name)
        if text:
            if heading:
                show.heading(heading, level)
            show.narasi(name, text)
        return bool(text)

    # ------------------------------------------------------------------ the outline (lakin/outlines)
    @cached_property
    def outline(self):
        """The outline of this report type: PermenPANRB 53/2014 (annual) or seed 003's LKj (quarterly)."""
        return outline_for(self.model.period)

    @cached_property
    def _headings(self) -> dict[str, tuple[int, str]]:
        return self.outline.headings(available_data(self.tables))

    def _level(self, key: str, default: int = 2) -> int:
        """The heading level of a section in this report type (sub-headings go one deeper)."""
        return self._headings.get(key, (default, ""))[0]

    def bagian(self, key: str) -> None:
        """One section of the outline: its heading, labelled as the report type numbers it ("A. ...",
        "2.1 ..."), then its content; nothing when the report type has no such section or the unit no data."""
        if key not in self._headings:
            return
        level, text = self._headings[key]
        show.heading(text, level, ident=f"bagian-{key}")
        method = SECTIONS.get(key)
        if method:
            getattr(self, method)()

    @staticmethod
    def _gap(what: str) -> None:
        """A visible mark in a draft where the outline requires something the data or the analysts lack."""
        show.markdown(f"> **Belum diisi (draf):** {show.escape_md(what)}")

    # ------------------------------------------------------------------ Bab I from data
    def _tugas_fungsi(self) -> None:
        tahun = self.model.period.tahun
        tugas = bab.profil_items(self.tables, tahun, "tugas")
        fungsi = bab.profil_items(self.tables, tahun, "fungsi")
        if not tugas and not fungsi:
            self._gap("Tugas dan fungsi unit belum tersedia dalam data.")
            return
        sumber = bab.profil_sumber(self.tables, tahun, "tugas") or bab.profil_sumber(self.tables, tahun, "fungsi")
        head = f"Berdasarkan {sumber}, " if sumber else ""
        text = f"{head}{self.singkatan} mempunyai tugas {'; '.join(tugas)}" if tugas else f"{head}{self.singkatan}"
        text += ", dan menyelenggarakan fungsi:" if fungsi else "."
        lines = [show.escape_md(text)]
        if fungsi:
            lines.append("")
            lines += [f"{chr(ord('a') + i)}. {show.escape_md(f)}{';' if i < len(fungsi) - 1 else '.'}"
                      for i, f in enumerate(fungsi[:26])]
        show.markdown("\n".join(lines))

    def _struktur(self) -> None:
        frame = bab.struktur_table(self.tables, self.model.period.tahun)
        if frame.empty:
            self._gap("Struktur organisasi belum tersedia dalam data.")
            return
        show.markdown(show.escape_md(f"Struktur organisasi {self.singkatan} terdiri atas {len(frame)} unit/jabatan "
                                     "berikut beserta atasannya."))
        show.table(frame, f"Struktur Organisasi {self.singkatan}", ident="tabel-struktur-organisasi")

    def _peran_strategis(self) -> None:
        tahun = self.model.period.tahun
        peran = bab.profil_items(self.tables, tahun, "peran")
        isu = bab.profil_items(self.tables, tahun, "isu")
        if peran:
            show.markdown("\n".join([show.escape_md(f"Peran strategis {self.singkatan}:"), ""]
                                    + [f"- {show.escape_md(p)}" for p in peran]))
        if isu:
            show.markdown("\n".join([show.escape_md("Isu strategis yang dihadapi:"), ""]
                                    + [f"- {show.escape_md(p)}" for p in isu]))
        shown = self._narasi_block("peran-strategis.md")
        if not (peran or isu or shown):
            self._gap("Peran strategis dan isu strategis unit.")

    def _sumber_daya(self) -> None:
        tahun = self.model.period.tahun
        total = bab.pegawai_total(self.tables, tahun)
        if total is None:
            self._gap("Data sumber daya manusia unit belum tersedia.")
            return
        jumlah, per = total
        show.markdown(show.escape_md(
            f"Dalam melaksanakan tugas dan fungsinya, {self.singkatan} didukung oleh {jumlah} pegawai"
            + (f" (keadaan per {per})" if per else "") + ", dengan rincian sebagai berikut."))
        for kelompok, frame in bab.pegawai_tables(self.tables, tahun):
            show.table(frame, f"Pegawai {self.singkatan} menurut {kelompok}",
                       ident=f"tabel-pegawai-{bab_ident(kelompok)}")

    def _sistematika(self) -> None:
        show.markdown(show.escape_md(f"{self.model.period.jenis_laporan} ini disusun dengan sistematika sebagai berikut:")
                      + "\n\n" + bab.sistematika_markdown(self.outline, available_data(self.tables)))

    # ------------------------------------------------------------------ Bab II from data
    def _renstra(self) -> None:
        frame = bab.renstra_table(self.tables, self.sc)
        if frame.empty:
            self._gap("Target jangka menengah (Rencana Strategis) per indikator belum tersedia dalam data.")
            return
        periode = frame["Periode Renstra"].iloc[0]
        show.markdown(show.escape_md(
            f"Rencana Strategis {periode} menetapkan target jangka menengah bagi {len(frame)} "
            f"{self.sc.framework.istilah_indikator} {self.singkatan}; capaian terhadap target ini disajikan per "
            f"indikator pada bab akuntabilitas kinerja."))
        show.table(frame, f"Target Rencana Strategis {periode}", ident="tabel-renstra")

    def _metode_pengukuran(self) -> None:
        used = [p for p in ("max", "min", "stabilize") if (self.sc.indicators["polaritas"] == p).any()]
        paragraphs = bab.metode_pengukuran(self.sc.framework, self.sc, used)
        show.markdown("\n\n".join("\n".join(
            (f"- {show.escape_md(line[2:])}" if line.startswith("- ") else show.escape_md(line))
            for line in p.splitlines()) for p in paragraphs))

    def _lampiran_pk(self) -> None:
        tahun = self.sc.period.tahun
        nxt = tahun + 1
        if self.outline.perjanjian_berikutnya and (self.tables["iku"]["tahun"] == nxt).any():
            show.markdown(show.escape_md(
                f"Untuk tahun {nxt}, {self.singkatan} telah menetapkan target kinerja berikut dalam Perjanjian "
                f"Kinerja {nxt}."))
            show.table(self._pk_table(nxt), f"Perjanjian Kinerja Tahun {nxt}", ident="tabel-pk-berikutnya")
        else:
            show.table(self._pk_table(tahun), f"Perjanjian Kinerja Tahun {tahun}", ident="tabel-pk-lampiran")

    def _rekomendasi(self) -> None:
        level = self._level("rekomendasi") + 1
        self._narasi_block("kendala.md", "Kendala", level)
        if not self._narasi_block("rekomendasi.md"):
            self._gap("Rekomendasi dan langkah perbaikan ke depan.")

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
        show.table(frame, f"{frame.columns[1]} dan {self.sc.framework.skor_kode} {self.model.period.nama}",
                   ident="tabel-ringkasan")

    # ------------------------------------------------------------------ introduction
    def profil(self) -> None:
        """Who the unit is: name, ministry, parent office, location, head; the framework it reports under."""
        info = self.model.info
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
        text += (f" Kinerja unit diukur dengan kerangka {fw.nama}: "  # fw.sumber is internal, never printed
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
        _chart(kinerja_charts.overall_score_chart(sc), "gambar-nilai-organisasi")
        for depth in reversed(range(len(sc.levels))):
            show.markdown(" ".join(narasi_kinerja.kalimat_level(sc, depth, markdown=True)))  # escaped inside
            level = sc.levels[depth].attrs["level"]
            show.table(level_table(sc, depth), f"Indeks Capaian per {level['nama']}", ident=f"tabel-{level['kolom']}")
        show.markdown(show.escape_md(narasi_kinerja.kalimat_status(sc) + " " + narasi_kinerja.kalimat_tertinggi_terendah(sc)))
        show.table(scorecard_table(sc), f"Capaian {sc.framework.istilah_indikator} {self.singkatan} {sc.period.nama}",
                   ident="tabel-papan-skor")
        _chart(kinerja_charts.indicator_index_chart(sc), "gambar-indeks-indikator")

    def analisis_indikator(self) -> None:
        """Per indicator (PermenPANRB 53/2014, Bab III A): definition, the sentence, target and realisation this
        period and earlier years (with their targets), the Renstra target and progress toward it, a chart, the
        analysts' text, and each analysis block the outline requires, or a visible gap in a draft."""
        sc = self.sc
        level = self._level("analisis-indikator") + 1
        renstra = bab.renstra_frame(self.tables, sc)
        targets = bab.annual_targets(self.tables, sc.period.tahun)
        for _, row in sc.indicators.iterrows():
            kode = row["kode"]
            label = narasi_kinerja.label(sc, kode)
            show.heading(f"{label} {row['nama']}", level, ident=f"iku-{kode}")
            definisi = self.tables["iku"]
            definisi = definisi[(definisi["tahun"] == sc.period.tahun) & (definisi["kode"] == kode)]
            if "definisi" in definisi and not definisi.empty and not is_na(definisi["definisi"].iloc[0]):
                show.markdown(show.escape_md(definisi["definisi"].iloc[0]))
            show.markdown(show.escape_md(narasi_kinerja.kalimat_indikator(sc, row)))
            sentence = bab.renstra_kalimat(sc, kode, renstra, label)
            if sentence:
                show.markdown(show.escape_md(sentence))
            show.table(bab.perbandingan_table(sc, kode, renstra, targets.get(kode)), f"Target dan Realisasi {label}",
                       ident=f"tabel-iku-{kode}")
            _chart(kinerja_charts.indicator_history_chart(sc, kode), f"gambar-iku-{kode}")
            self._narasi_block(narasi_name(kode))
            for element in self.outline.indikator:
                if element.jenis != "narasi":
                    continue
                block = element_block(element, kode)
                shown = bool(block) and self._narasi_block(block, element.judul, level + 1)
                if not shown and element.wajib and not has_element(element, kode, self.model.narasi):
                    self._gap(f"{element.judul} ({label}).")

    # ------------------------------------------------------------------ revenue
    def ringkasan_penerimaan(self) -> None:
        """The revenue headline of the executive summary (nothing without revenue data)."""
        if self.model.revenue is not None:
            show.markdown(show.escape_md(revenue_narrative.paragraphs(self.model.revenue, self.singkatan)[0]))

    def penerimaan(self) -> None:
        """The revenue chapter: narrative, target decrees, performance and trajectory tables, charts."""
        summary = self.model.revenue
        if summary is None:
            return
        paragraphs = revenue_narrative.paragraphs(summary, self.singkatan)
        show.markdown("\n\n".join(show.escape_md(p) for p in paragraphs))
        show.table(revenue_tables.table_targets(summary), f"Target Penerimaan Tahun {summary.tahun}",
                   ident="tabel-target-penerimaan")
        show.table(revenue_tables.table_kinerja(summary), f"Kinerja Penerimaan {self.model.period.nama}",
                   ident="tabel-kinerja-penerimaan")
        _chart(revenue_charts.cumulative_chart(summary), "gambar-trajektori")
        sub = self._level("penerimaan") + 1
        show.heading("Capaian Trajektori Bulanan", sub)
        show.table(revenue_tables.table_trajectory(summary), "Capaian Trajektori Bulanan dan Proyeksi s.d. Akhir Tahun",
                   ident="tabel-trajektori")
        _chart(revenue_charts.monthly_chart(summary), "gambar-bulanan")
        growth = revenue_charts.year_on_year_chart(summary)
        if growth is not None:  # no section without its chart: the opening paragraphs say why it cannot be drawn
            show.heading("Pertumbuhan Penerimaan (Year on Year)", sub)
            _chart(growth, "gambar-yoy")
        if summary.iku_kode is not None and not summary.iku.empty:
            label = narasi_kinerja.label(self.sc, summary.iku_kode)
            show.heading(f"Keterkaitan dengan {label}", sub)
            show.table(revenue_tables.table_iku(summary), f"{label} dihitung dari data penerimaan",
                       ident="tabel-iku-penerimaan")
        if not summary.kontributor.empty:
            show.heading("Kontributor Penerimaan Terbesar", sub)
            _table(revenue_tables.table_kontributor(summary), "Kontributor Penerimaan Bea Masuk Terbesar per Bulan",
                   "tabel-kontributor")
            _chart(revenue_charts.contributors_chart(summary), "gambar-kontributor")

    # ------------------------------------------------------------------ budget
    def ringkasan_anggaran(self) -> None:
        """The budget headline of the executive summary (nothing without budget data)."""
        if self.model.budget is not None:
            show.markdown(show.escape_md(" ".join(budget_narrative.paragraphs(self.model.budget, self.singkatan)[:2])))

    def anggaran(self) -> None:
        """The budget chapter: narrative, absorption per jenis belanja and per kegiatan, targets, RPD, IKPA."""
        summary = self.model.budget
        if summary is None:
            return
        show.markdown("\n\n".join(show.escape_md(p) for p in budget_narrative.paragraphs(summary, self.singkatan)))
        period = self.model.period.nama
        _table(budget_tables.table_per_jenis(summary), f"Penyerapan Anggaran per Jenis Belanja {period}",
               "tabel-jenis-belanja")
        _table(budget_tables.table_per_kegiatan(summary), f"Penyerapan Anggaran per Kegiatan {period}", "tabel-kegiatan")
        if summary.target is not None and not summary.target.empty:
            _table(budget_tables.table_target(summary), "Penyerapan Anggaran dibandingkan Target Triwulanan",
                   "tabel-target-penyerapan")
            _chart(budget_charts.absorption_chart(summary), "gambar-penyerapan")
        if summary.rpd is not None:
            show.heading("Rencana Penarikan Dana (Halaman III DIPA)", 3)
            rpd = budget_tables.table_rpd(summary.rpd)
            _table(rpd, rpd.attrs["judul"], "tabel-rpd")
            _chart(budget_charts.rpd_chart(summary), "gambar-rpd")
        if summary.ikpa is not None and summary.ikpa.periode is not None:
            show.heading("Kualitas Pelaksanaan Anggaran (IKPA dan NKA)", 3)
            show.table(budget_tables.table_ikpa(summary.ikpa, summary.total.get("realisasi")),
                       "Komponen IKPA, SMART dan NKA", ident="tabel-ikpa")

    # ------------------------------------------------------------------ closing
    def penutup(self) -> None:
        """The conclusion drawn from the figures, then the analysts' closing text if any."""
        sc = self.sc
        show.markdown(show.escape_md(
            f"Laporan ini menyajikan capaian kinerja {self.singkatan} {sc.period.nama}. "
            + narasi_kinerja.kalimat_nilai_organisasi(sc, self.singkatan) + " "
            + narasi_kinerja.kalimat_status(sc)))
        self._narasi_block("penutup.md")


# Outline section key (lakin/outlines/*.yaml) -> the Laporan method that shows its content.
SECTIONS: dict[str, str] = {
    "tugas-fungsi": "profil", "tugas": "_tugas_fungsi", "struktur": "_struktur",
    "peran-strategis": "_peran_strategis", "sumber-daya": "_sumber_daya", "sistematika": "_sistematika",
    "renstra": "_renstra", "perjanjian-kinerja": "perjanjian_kinerja", "metode-pengukuran": "_metode_pengukuran",
    "capaian-organisasi": "capaian_organisasi", "analisis-indikator": "analisis_indikator",
    "penerimaan": "penerimaan", "realisasi-anggaran": "anggaran", "kesimpulan": "penutup",
    "rekomendasi": "_rekomendasi", "lampiran-pk": "_lampiran_pk",
}


def bab_ident(text: str) -> str:
    """A table id part from a label: 'Jenis Kelamin' -> 'jenis-kelamin'."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


def _chart(chart, ident: str) -> None:
    """A figure captioned with its chart's own title (what is drawn); nothing for a chart that would compare
    nothing (the chart builders return None for one bar or no data)."""
    if chart is not None:
        spec = spec_dict(chart)  # Altair's to_dict once (10 ms a chart), for the caption and the figure
        show.chart(spec, chart_caption(spec), ident=ident)


def _table(frame: pd.DataFrame, caption: str, ident: str) -> None:
    """A table with the explanatory note its builder attached (attrs['catatan']), if any, and the unit of its
    amounts in the caption (attrs['satuan']: "rupiah", "juta rupiah")."""
    if frame.attrs.get("satuan"):
        caption = f"{caption} (dalam {frame.attrs['satuan']})"
    show.table(frame, caption, ident=ident, note=frame.attrs.get("catatan"))


def buka(satker: str, periode: str, data_dir: str | Path | None = None,
         model: str | Path | None = None) -> Laporan:
    """Open a unit's report for a period (the notebooks' setup call); `model` is the file of a saved
    report model (the build computes it once), None to compute it here."""
    return Laporan(satker, periode, data_dir, model)
