"""The data contract's tables declared as data, and a vectorised check of their values (`passes_checks`).

Each table is one `Table` declaration; the same declaration drives the text parser (decimal commas,
thousands separators and the like get a precise message), the pandera schema (value checks, collected lazily:
lakin.data.parse.pandera_schema) and its vectorised reading here, so a column is described exactly once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from lakin.data.periods import DATA_PERIODS
from lakin.registry import Registry

__all__ = ["Col", "JENIS_BELANJA", "JENIS_BELANJA_NAMA", "KONSOLIDASI", "MAX_NILAI", "MAX_RUPIAH", "POLARITAS",
           "REPORTED_PERIOD_PATTERN", "SATKER_PATTERN", "TABLES", "TABLE_ORDER", "Table", "passes_checks"]

SATKER_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
JENIS_BELANJA = ("51", "52", "53", "57", "58")
JENIS_BELANJA_NAMA = {"51": "Belanja Pegawai", "52": "Belanja Barang", "53": "Belanja Modal",
                      "57": "Belanja Bantuan Sosial", "58": "Belanja Lain-lain"}
POLARITAS = ("max", "min", "stabilize")
KONSOLIDASI = ("tlkv", "sum", "average")
MAX_RUPIAH = 10**15
MAX_NILAI = 1e15  # a target or realisation beyond +/- 10^15 is a typing error (and would lose precision)
_MONTH = r"M(0[1-9]|1[0-2])"
REPORTED_PERIOD_PATTERN = rf"^(Q1|Q2|S1|Q3|SDQ3|Q4|Y|{_MONTH}(-{_MONTH})?)$"  # Rp1.000 triliun: larger amounts are typing errors, not budgets


@dataclass(frozen=True)
class Col:
    """One column: its kind, whether the header must exist, whether cells may be empty, and checks."""

    kind: str = "text"  # text | slug | code | int | float | money | date | bool
    required: bool = True
    nullable: bool = False
    isin: tuple | None = None
    ge: float | None = None
    le: float | None = None
    pattern: str | None = None
    negative: bool = False  # money only: negative amounts allowed (refunds)
    doc: str = ""


@dataclass(frozen=True)
class Table:
    """One table of the data contract."""

    name: str
    columns: dict[str, Col]
    key: tuple[str, ...]
    required: bool = False
    per_satker: bool = True
    doc: str = ""
    examples: tuple = field(default_factory=tuple)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def required_columns(self) -> list[str]:
        return [c for c, spec in self.columns.items() if spec.required]

    def numeric_columns(self) -> list[str]:
        return [c for c, spec in self.columns.items() if spec.kind in ("int", "float", "money")]


def _satker() -> Col:
    return Col("slug", pattern=SATKER_PATTERN, doc="slug satker, lihat satker.csv")


def _tahun() -> Col:
    return Col("int", ge=2000, le=2100, doc="tahun anggaran")


# Every table of the contract, by name, in declaration order (the order tables are read and documented in).
TABLES: Registry[Table] = Registry("table")


def _register(table: Table) -> Table:
    """Add a table declaration to TABLES under its own name."""
    return TABLES.add(table.name, table)


_register(Table(
    "satker",
    {
        "satker": _satker(),
        "kode_satker": Col(nullable=True, doc="kode satker (DIPA)"),
        "nama": Col(doc="nama lengkap unit"),
        "singkatan": Col(nullable=True),
        "kementerian": Col(nullable=True),
        "unit_eselon1": Col(nullable=True),
        "induk": Col(nullable=True, doc="kantor induk (mis. Kanwil)"),
        "kerangka": Col(pattern=SATKER_PATTERN, doc="id kerangka kinerja (berkas YAML)"),
        "kota": Col(nullable=True),
        "kepala": Col(required=False, nullable=True),
        "nip_kepala": Col(required=False, nullable=True),
        "jabatan_kepala": Col(required=False, nullable=True),
        "alamat": Col(required=False, nullable=True),
        "sintetis": Col("bool", required=False, nullable=True, doc="true untuk data buatan (lakin synth)"),
    },
    key=("satker",), required=True, per_satker=False,
    doc="Unit kerja dan kerangka kinerjanya.",
))

_register(Table(
    "iku",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "kode": Col(doc="kode seperti tercetak: 1a-N, IKU 6"),
        "nama": Col(),
        "sasaran_kode": Col(),
        "sasaran_nama": Col(nullable=True),
        "perspektif": Col(doc="kemenkeu-bsc: stakeholder|customer|internal|learning; kkp-npss: nama kegiatan"),
        "satuan": Col(nullable=True),
        "polaritas": Col("code", isin=POLARITAS),
        "konsolidasi": Col("code", isin=KONSOLIDASI),
        "aturan_capaian": Col(required=False, nullable=True, doc="id aturan piecewise di berkas kerangka"),
        "bobot": Col("float", required=False, nullable=True, ge=0, le=MAX_NILAI,
                     doc="bobot indikator; hanya bila kerangka membacanya (levels[0].bobot_indikator)"),
        "kelas_validitas": Col(required=False, nullable=True,
                               doc="kelas validitas indikator (mis. lead_input, lag_outcome) bila kerangka membobot per kelas"),
        "urutan": Col("int", required=False, nullable=True, ge=0),
        "definisi": Col(required=False, nullable=True),
    },
    key=("satker", "tahun", "kode"), required=True,
    doc="Indikator kinerja per satker dan tahun.",
))

_register(Table(
    "iku_nilai",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "kode": Col(),
        "periode": Col("code", isin=DATA_PERIODS),
        "target": Col("float", nullable=True, ge=-MAX_NILAI, le=MAX_NILAI),
        "target_bawah": Col("float", required=False, nullable=True, ge=-MAX_NILAI, le=MAX_NILAI,
                            doc="batas bawah target rentang (70 pada '70-80'); target dikosongkan"),
        "target_atas": Col("float", required=False, nullable=True, ge=-MAX_NILAI, le=MAX_NILAI,
                           doc="batas atas target rentang (80 pada '70-80')"),
        "realisasi": Col("float", nullable=True, ge=-MAX_NILAI, le=MAX_NILAI),
        "capaian_dilaporkan": Col("float", required=False, nullable=True, ge=-MAX_NILAI, le=MAX_NILAI),
        "realisasi_teks": Col(required=False, nullable=True, doc="realisasi seperti tercetak bila bukan angka biasa"),
        "target_teks": Col(required=False, nullable=True),
        "sumber": Col(required=False, nullable=True, doc="tabel sumber"),
    },
    key=("satker", "tahun", "kode", "periode"), required=True,
    doc="Target dan realisasi indikator per periode.",
))

_register(Table(
    "nilai_organisasi",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "periode": Col("code", isin=DATA_PERIODS),
        "nilai": Col("float", ge=0, le=1000),
        "sumber": Col(required=False, nullable=True),
    },
    key=("satker", "tahun", "periode"),
    doc="Nilai organisasi (NKO/NPSS) yang pernah dipublikasikan.",
))

_register(Table(
    "bobot_kerangka",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "tingkat": Col(pattern=r"^[a-z0-9_]+$", doc="kolom tingkat kerangka (mis. perspektif) atau nilai_organisasi"),
        "kunci": Col(doc="kunci butir yang dibobot (mis. stakeholder)"),
        "bobot": Col("float", ge=0, le=MAX_NILAI),
        "sumber": Col(doc="dasar bobot unit ini (mis. nomor KMK/KEP, Perjanjian Kinerja)"),
    },
    key=("satker", "tahun", "tingkat", "kunci"),
    doc="Bobot tingkat milik satker sendiri yang menggantikan bobot kerangka untuk tahun itu.",
))

_register(Table(
    "angka_dilaporkan",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "periode": Col(pattern=REPORTED_PERIOD_PATTERN, doc="Q1|Q2|S1|Q3|SDQ3|Q4|Y, bulan M01..M12 atau rentang M01-M11"),
        "tabel": Col(pattern=r"^[a-z0-9_]+$", doc="besaran yang dihitung ulang, mis. indeks_perspektif"),
        "kunci": Col(doc="kunci 'kolom=nilai[,kolom=nilai]' atau 'total'"),
        "nilai": Col("float"),
        "sumber": Col(doc="tabel laporan tempat angka tercetak"),
    },
    key=("satker", "tahun", "periode", "tabel", "kunci", "sumber"),
    doc="Angka lain yang tercetak di laporan, untuk rekonsiliasi (lakin check).",
))

_register(Table(
    "penerimaan",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "bulan": Col("int", nullable=True, ge=1, le=12, doc="kosong = total setahun"),
        "jenis": Col(nullable=True, pattern=r"^[a-z_]+$", doc="bea_masuk|bea_keluar|cukai; kosong = semua jenis"),
        "akun": Col(nullable=True, doc="kode akun; kosong = total semua akun"),
        "uraian": Col(nullable=True),
        "nilai": Col("money", negative=True, doc="rupiah; negatif = pengembalian"),
    },
    key=("satker", "tahun", "bulan", "jenis", "akun", "uraian"),
    doc="Realisasi penerimaan. Kolom kunci kosong berarti total atas kolom itu.",
))

_register(Table(
    "target_penerimaan",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "jenis": Col(pattern=r"^[a-z_]+$"),
        "dasar_hukum": Col(),
        "tanggal": Col("date"),
        "target": Col("money"),
    },
    key=("satker", "tahun", "jenis", "dasar_hukum"),
    doc="Target penerimaan per keputusan; tanggal yang lebih akhir merevisi target.",
))

_register(Table(
    "trajektori_penerimaan",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "bulan": Col("int", ge=1, le=12),
        "persen": Col("float", ge=0, le=100),
    },
    key=("satker", "tahun", "bulan"),
    doc="Porsi bulanan target tahunan (persen, jumlah 100).",
))

_register(Table(
    "kontributor_penerimaan",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "bulan": Col("int", ge=1, le=12),
        "jenis": Col(pattern=r"^[a-z_]+$"),
        "wajib_bayar": Col(),
        "nilai": Col("money", negative=True),
    },
    key=("satker", "tahun", "bulan", "jenis", "wajib_bayar"),
    doc="Kontributor penerimaan terbesar per bulan ('Lainnya' = sisanya).",
))

_register(Table(
    "pagu",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "program_kode": Col(nullable=True),
        "program": Col(nullable=True),
        "kegiatan_kode": Col(nullable=True, doc="kosong = total semua kegiatan"),
        "kegiatan": Col(nullable=True),
        "kro_kode": Col(nullable=True),
        "kro": Col(nullable=True),
        "jenis_belanja": Col("code", nullable=True, isin=JENIS_BELANJA, doc="51|52|53|57|58; kosong = total"),
        "sumber_dana": Col(nullable=True),
        "pagu": Col("money"),
    },
    key=("satker", "tahun", "program_kode", "kegiatan_kode", "kro_kode", "jenis_belanja", "sumber_dana"),
    doc="Alokasi DIPA. Kolom kunci kosong berarti total atas kolom itu.",
))

_register(Table(
    "rpd",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "bulan": Col("int", ge=1, le=12),
        "kegiatan_kode": Col(nullable=True),
        "jenis_belanja": Col("code", nullable=True, isin=JENIS_BELANJA),
        "rencana": Col("money"),
    },
    key=("satker", "tahun", "bulan", "kegiatan_kode", "jenis_belanja"),
    doc="Rencana penarikan dana (Halaman III DIPA).",
))

_register(Table(
    "realisasi_anggaran",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "bulan": Col("int", nullable=True, ge=1, le=12, doc="kosong: lihat periode"),
        "periode": Col("code", required=False, nullable=True, isin=DATA_PERIODS,
                       doc="bila bulan kosong: total kumulatif s.d. akhir periode ini"),
        "kegiatan_kode": Col(nullable=True),
        "jenis_belanja": Col("code", nullable=True, isin=JENIS_BELANJA),
        "realisasi": Col("money"),
    },
    key=("satker", "tahun", "bulan", "periode", "kegiatan_kode", "jenis_belanja"),
    doc="Realisasi belanja, bulanan atau kumulatif per periode.",
))

_register(Table(
    "ikpa",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "periode": Col("code", isin=DATA_PERIODS),
        "komponen": Col(),
        "nilai": Col("float", ge=0, le=120),
        "bobot": Col("float", ge=0, le=100),
        "kelompok": Col("code", required=False, nullable=True, isin=("ikpa", "smart")),
        "pengurang": Col("bool", required=False, nullable=True),
    },
    key=("satker", "tahun", "periode", "kelompok", "komponen"),
    doc="Komponen IKPA dan SMART seperti dipublikasikan.",
))

# Tables of the report's Bab I and II (lakin.present.sections; documented in data/README.md), all optional.
_register(Table(
    "profil_organisasi",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "bagian": Col("code", isin=("tugas", "fungsi", "peran", "isu")),
        "urutan": Col("int", ge=0),
        "uraian": Col(),
        "sumber": Col(required=False, nullable=True, doc="dasar hukum atau bagian laporan sumber"),
    },
    key=("satker", "tahun", "bagian", "urutan"),
    doc="Tugas, fungsi, peran strategis dan isu strategis unit (Bab I).",
))

_register(Table(
    "struktur_organisasi",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "urutan": Col("int", ge=0),
        "unit": Col(doc="nama unit atau jabatan"),
        "induk": Col(nullable=True, doc="unit atasan; kosong = pimpinan"),
        "sumber": Col(required=False, nullable=True),
    },
    key=("satker", "tahun", "unit"),
    doc="Struktur organisasi: unit dan atasannya (Bab I).",
))

_register(Table(
    "pegawai",
    {
        "satker": _satker(),
        "tahun": _tahun(),
        "tanggal": Col("date", required=False, nullable=True, doc="keadaan per tanggal"),
        "kelompok": Col(doc="pengelompokan seperti dicetak: Jabatan, Jenis Kelamin, Tingkat Pendidikan, Usia"),
        "urutan": Col("int", required=False, nullable=True, ge=0),
        "kategori": Col(),
        "jumlah": Col("int", ge=0),
        "sumber": Col(required=False, nullable=True),
    },
    key=("satker", "tahun", "kelompok", "kategori"),
    doc="Sumber daya manusia: jumlah pegawai per kategori (Bab I).",
))

_register(Table(
    "renstra",
    {
        "satker": _satker(),
        "kode": Col(doc="kode indikator seperti di tabel iku"),
        "tahun_awal": _tahun(),
        "tahun_akhir": _tahun(),
        "target": Col("float", nullable=True, doc="target jangka menengah (akhir periode Renstra)"),
        "target_teks": Col(required=False, nullable=True, doc="target seperti tercetak bila bukan angka biasa"),
        "sumber": Col(required=False, nullable=True),
    },
    key=("satker", "kode", "tahun_akhir"),
    doc="Target jangka menengah (Renstra) per indikator.",
))

TABLE_ORDER = tuple(TABLES)


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def passes_checks(frame, table: Table) -> bool:
    """A vectorised reading of the same declarations as pandera's schema (lakin.data.parse.pandera_schema): True
    when pandera would find nothing.

    Loading one unit of a thousand must stay under 100 ms, and pandera's machinery costs about 10 ms per
    table even on clean data; so clean tables are recognised here and pandera runs (lazily, collecting
    every failure) only when something is wrong. tests/test_schemas.py holds the two readings together.
    """
    for name, col in table.columns.items():
        if name not in frame.columns:
            if col.required:
                return False
            continue
        s = frame[name]
        present = s.notna()
        if not col.nullable and not bool(present.all()):
            return False
        values = s[present]
        if values.empty:
            continue
        if col.isin is not None or col.pattern is not None:
            distinct = values.unique()  # codes and slugs repeat: check each distinct value once
            if col.isin is not None and not set(distinct) <= set(col.isin):
                return False
            if col.pattern is not None:
                rx = _compiled(col.pattern)
                if not all(isinstance(v, str) and rx.match(v) for v in distinct):
                    return False
        if col.kind in ("int", "float", "money"):
            numbers = values.astype("float64")
            if col.ge is not None and not bool((numbers >= col.ge).all()):
                return False
            if col.le is not None and not bool((numbers <= col.le).all()):
                return False
            if col.kind == "money":
                if not col.negative and not bool((numbers >= 0).all()):
                    return False
                if not bool((numbers.abs() <= MAX_RUPIAH).all()):
                    return False
    return True
