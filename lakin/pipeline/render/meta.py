"""The report's identity: what the cover, the footer, the signature block and the file names say."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from lakin.data.params import validate_period, validate_satker
from lakin.data.periods import ReportPeriod
from lakin.errors import ParameterError
from lakin.pipeline.render.base import TOC_TITLE
from lakin.present.outlines import outline_for
from lakin.model.refs import escape_md
from lakin.values import is_na

__all__ = ["STATUS_CLASSES", "ReportMeta"]

STATUS_CLASSES = {"Hijau": "hijau", "Kuning": "kuning", "Merah": "merah"}  # chips in the HTML (lakin.css)


@dataclass(frozen=True)
class ReportMeta:
    """The report's identity: cover, footer, signature block and file names (`<satker>-<periode>.*`)."""

    satker: str  # slug, e.g. "kppbc-balikpapan" (validated: safe as a file name)
    nama: str  # unit name as printed on the cover
    periode: str  # period label, "2024" or "2024Q1" (validated, canonical)
    periode_nama: str  # "Tahun 2024", "Triwulan I Tahun 2024"
    jenis_laporan: str = "Laporan Kinerja"  # "Laporan Kinerja Tahunan", "Laporan Kinerja Triwulan I"
    singkatan: str = ""
    kementerian: str = ""
    unit_eselon1: str = ""
    induk: str = ""
    kota: str = ""
    tanggal: str = ""  # signing date as text, "31 Januari 2025"
    kepala: str = ""  # name of the head of the unit (signs the report)
    jabatan_kepala: str = ""  # "Kepala Kantor"
    kata_pengantar: str | None = None  # foreword (Markdown); chapter notebooks may supply it instead
    skor: str | None = None  # optional cover line, e.g. "Nilai Kinerja Organisasi: 118,32"
    outline: str | None = None  # lakin/present/outlines/<id>.yaml: chapters as the official outline; None = one per notebook
    # HTML first page (pandoc engine): tiles (label, value, note) and status counts (name, count), `with_model`
    ikhtisar: tuple[tuple[str, str, str], ...] = ()
    status: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        validate_satker(self.satker)
        object.__setattr__(self, "periode", validate_period(self.periode).label)
        for name in ("nama", "periode_nama", "jenis_laporan"):
            if not str(getattr(self, name) or "").strip():
                raise ParameterError(f"ReportMeta.{name} wajib diisi", key=name)

    @property
    def stem(self) -> str:
        """File name without extension: `<satker>-<periode>`."""
        return f"{self.satker}-{self.periode}"

    @property
    def tahun(self) -> str:
        return self.periode[:4]

    @classmethod
    def from_unit(cls, info: Mapping, period: ReportPeriod | str, tanggal: str = "",
                  kata_pengantar: str | None = None, skor: str | None = None) -> ReportMeta:
        """From a satker.csv row (`Dataset.unit(satker)`) and the report period (outline of its report type)."""
        rp = period if isinstance(period, ReportPeriod) else validate_period(period)

        def get(key: str) -> str:
            value = info.get(key, "") if hasattr(info, "get") else ""
            return "" if value is None or is_na(value) else str(value)

        return cls(
            satker=get("satker"), nama=get("nama"), periode=rp.label, periode_nama=rp.nama,
            jenis_laporan=rp.jenis_laporan, singkatan=get("singkatan"), kementerian=get("kementerian"),
            unit_eselon1=get("unit_eselon1"), induk=get("induk"), kota=get("kota"), tanggal=tanggal,
            kepala=get("kepala"), jabatan_kepala=get("jabatan_kepala"), kata_pengantar=kata_pengantar, skor=skor,
            outline=outline_for(rp).id,
        )

    @property
    def judul(self) -> str:
        """The report's title with its period said once: "Laporan Kinerja Triwulan III Tahun 2024"."""
        jenis, periode = self.jenis_laporan.split(), self.periode_nama.split()
        for k in range(min(len(jenis), len(periode)), 0, -1):
            if jenis[-k:] == periode[:k]:
                return " ".join(jenis + periode[k:])
        if jenis and periode and jenis[-1].startswith(periode[0]):  # "... Tahunan" + "Tahun 2024"
            jenis = jenis[:-1]
        return " ".join(jenis + periode)

    def cover_fields(self) -> dict[str, str]:
        """Plain-text cover fields (Typst `sys.inputs`; templates escape them themselves)."""
        return {
            "nama": self.nama, "singkatan": self.singkatan, "jenis": self.jenis_laporan, "judul": self.judul,
            "periode": self.periode_nama, "kementerian": self.kementerian, "eselon1": self.unit_eselon1,
            "induk": self.induk, "kota": self.kota, "tahun": self.tahun, "skor": self.skor or "",
            "tanggal": self.tanggal,
        }

    def pandoc_metadata(self) -> dict:
        """Document metadata for pandoc/Quarto; values are Markdown, so every data text is escaped."""
        e = escape_md
        authors = [e(v) for v in (self.unit_eselon1, self.kementerian) if v]
        if self.skor:
            authors.append(e(self.skor))
        return {
            "title": e(self.jenis_laporan),
            "subtitle": e(self.nama),
            "author": authors,
            "date": e(self.periode_nama),
            "pagetitle": e(f"{self.jenis_laporan} {self.singkatan or self.nama} {self.periode_nama}"),
            "lang": "id",
            "toc-title": TOC_TITLE,
            "lakin": {k: e(v) for k, v in self.cover_fields().items() if v},
            "lakin-ikhtisar": [{"label": e(label), "nilai": e(value), "catatan": e(note)}
                               for label, value, note in self.ikhtisar],
            "lakin-status": [{"nama": e(name), "jumlah": e(count), "kelas": STATUS_CLASSES.get(name, "lain")}
                             for name, count in self.status],
            "lakin-status-label": "Status capaian indikator",
        }

    def with_model(self, model) -> ReportMeta:
        """This meta with the HTML first page's tiles taken from a report model (`lakin.model.report_model.ReportModel`):
        the overall score and its change, the status counts, revenue achievement and budget absorption."""
        fw = model.framework
        figures = model.figures

        def text(name: str) -> str:
            return model.text(name) if name in figures else "N/A"

        tiles = []
        change = figures.get("nko.perubahan")
        note = ""
        if change is not None and not change.na:
            sign = "+" if change.value > 0 else ""
            note = f"{sign}{change.text()} poin dari {text('nko.sebelumnya')} tahun lalu"
        tiles.append((fw.skor_nama, f"{text('nko')}{fw.skor_satuan or ''}", note))
        if "penerimaan.total.capaian" in figures:
            yoy = figures.get("penerimaan.total.yoy")
            note = "" if yoy is None or yoy.na else f"{'+' if yoy.value > 0 else ''}{yoy.text()} dibanding tahun lalu"
            tiles.append(("Capaian penerimaan", text("penerimaan.total.capaian"), note))
        if "anggaran.penyerapan" in figures:
            absorbed = figures.get("anggaran.realisasi")
            note = (f"realisasi {model.period.nama} belum tersedia dalam data; pagu {text('anggaran.pagu')}"
                    if absorbed is None or absorbed.na else f"{absorbed.text()} dari pagu {text('anggaran.pagu')}")
            tiles.append(("Penyerapan anggaran", text("anggaran.penyerapan"), note))
        counts = model.scorecard.status_counts()
        status = tuple((str(name), str(n)) for name, n in counts.items() if n or name in STATUS_CLASSES)
        return replace(self, ikhtisar=tuple(tiles), status=status)
