"""Synthetic units for scale tests and demos: a deterministic, plausible dataset under the data contract.

`generate(out, units=N, years=K)` writes, atomically and byte-for-byte reproducibly for the same arguments:

- `satker.csv`: every unit, each marked `sintetis=true`. Odd-numbered units are customs offices
  (`sintetis-kppbc-0001`, framework `kemenkeu-bsc`: 20 IKU in 13 sasaran and 4 perspectives, modelled on
  KPPBC TMP B Balikpapan's 2024 IKU); even-numbered units are fish-quarantine offices
  (`sintetis-bkipm-0002`, framework `kkp-npss`: 16 IKU/IKM in 3 sasaran kegiatan, modelled on Balai KIPM
  Banjarmasin). Names carry "(Sintetis NNNN)" so a rendered report never passes for a real office's.
- one file per unit and table: `<table>/<slug>.csv`, so that `lakin.data.load.load(out, satker=slug)` reads
  only that unit's files however many units there are.
- indicators for K years ending with `latest_year`: every data period (Q1, Q2, S1, Q3, SDQ3, Q4, Y) of the
  last year, consolidated periods consistent with each indicator's `konsolidasi`, some realisations N/A and,
  for KKP, quarter targets of 0 (left out of that period's score); earlier years as annual (Y) rows;
  `nilai_organisasi` (the published NKO/NPSS) for the year before the first.
- revenue for customs offices, every year: `penerimaan` monthly per account (refunds as negative rows),
  `target_penerimaan` (a KEP decree in January, sometimes revised by a later decree),
  `trajektori_penerimaan` (twelve multiples of 0.25 summing exactly to 100) and `kontributor_penerimaan`
  (five importers and `Lainnya`, adding up to the month's bea masuk). IKU 3a-CP is computed from them.
- budget for every unit and year: `pagu` per KRO x jenis belanja, `rpd` per kegiatan x jenis belanja and
  month summing exactly to the pagu, `realisasi_anggaran` monthly; for Kemenkeu units `ikpa` (IKPA and
  SMART components) from which IKU 13a-N (NKA = 50% IKPA + 50% SMART) is computed.
- with `params=True`, `params/<slug>/<period>.yaml` (keys `satker`, `periode`, `data_dir`) for every unit
  and report period of the last year (`2024Q1`, `2024Q2`, `2024Q3`, `2024`), `data_dir` being the absolute
  path of `out`, so a batch can be pointed at `out/params`.
- `SINTETIS.md`: what the directory is and the arguments that made it. A directory without this marker is
  never overwritten (so `--out data` cannot replace real data).

Each unit draws from its own random stream (`numpy.random.default_rng([seed, number])`), so unit 7 is the
same whether 10 or 1,000 units are generated.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from lakin.atomic import atomic_dir
from lakin.errors import LakinError, SynthError
from lakin.data.periods import QUARTERS

SYNTH_VERSION = 1
MARKER = "SINTETIS.md"
LATEST_YEAR = 2024
MONTHS = tuple(range(1, 13))
REPORT_PERIODS = ("Q1", "Q2", "Q3", "")  # suffixes of the report periods written to params/

COLUMNS: dict[str, tuple[str, ...]] = {
    "satker": ("satker", "kode_satker", "nama", "singkatan", "kementerian", "unit_eselon1", "induk", "kerangka",
               "kota", "kepala", "jabatan_kepala", "alamat", "sintetis"),
    "iku": ("satker", "tahun", "kode", "nama", "sasaran_kode", "sasaran_nama", "perspektif", "satuan", "polaritas",
            "konsolidasi", "aturan_capaian", "urutan"),
    "iku_nilai": ("satker", "tahun", "kode", "periode", "target", "realisasi"),
    "nilai_organisasi": ("satker", "tahun", "periode", "nilai", "sumber"),
    "penerimaan": ("satker", "tahun", "bulan", "jenis", "akun", "uraian", "nilai"),
    "target_penerimaan": ("satker", "tahun", "jenis", "dasar_hukum", "tanggal", "target"),
    "trajektori_penerimaan": ("satker", "tahun", "bulan", "persen"),
    "kontributor_penerimaan": ("satker", "tahun", "bulan", "jenis", "wajib_bayar", "nilai"),
    "pagu": ("satker", "tahun", "program_kode", "program", "kegiatan_kode", "kegiatan", "kro_kode", "kro",
             "jenis_belanja", "sumber_dana", "pagu"),
    "rpd": ("satker", "tahun", "bulan", "kegiatan_kode", "jenis_belanja", "rencana"),
    "realisasi_anggaran": ("satker", "tahun", "bulan", "kegiatan_kode", "jenis_belanja", "realisasi"),
    "ikpa": ("satker", "tahun", "periode", "komponen", "nilai", "bobot", "kelompok", "pengurang"),
}


# --------------------------------------------------------------------------- templates (data, not code)
@dataclass(frozen=True)
class IndicatorTemplate:
    """One indicator of a framework template and how its values are drawn."""

    kode: str
    nama: str
    sasaran_kode: str
    perspektif: str
    satuan: str
    profil: str  # naik | tetap | hari | skala4 | penerimaan | nka | jumlah | nilai
    polaritas: str = "max"
    konsolidasi: str = "tlkv"
    aturan: str = ""
    dasar: float = 0.0  # typical annual target
    irama: str = "triwulan"  # triwulan | semester | tahunan: which quarters carry a target
    jangkar: bool = False  # never N/A, never a zero target: keeps its sasaran scored in every period


BSC_SASARAN = {
    "SS-1": "Insentif Fiskal yang Tepat Sasaran",
    "SS-2": "Dukungan Terhadap Perekonomian yang Optimal",
    "SS-3": "Penerimaan Negara dari Sektor Kepabeanan dan Cukai yang Optimal",
    "SS-4": "Sinergi Pengawasan dan Penegakan Hukum yang Efektif",
    "SS-5": "Kepuasan Pengguna Layanan Kepabeanan dan Cukai yang Tinggi",
    "SS-6": "Kepatuhan Pengguna Layanan yang Tinggi atas Peraturan Kepabeanan dan Cukai",
    "SS-7": "Perencanaan dan Analisis Formulasi Kebijakan yang Efektif dan Efisien",
    "SS-8": "Pelayanan dan Komunikasi Publik yang Optimal",
    "SS-9": "Pemeriksaan dan Pengawasan Kepabeanan dan Cukai yang Efektif",
    "SS-10": "Pemantauan dan Pengendalian Internal yang Efektif",
    "SS-11": "Organisasi dan SDM yang Berkinerja Tinggi",
    "SS-12": "Sistem Informasi yang Andal dan Terintegrasi",
    "SS-13": "Pengelolaan Keuangan, BMN, dan Umum yang Efisien, Efektif, dan Akuntabel",
}

_T = IndicatorTemplate
BSC_INDICATORS = (
    _T("1a-N", "Persentase keberhasilan pemberian fasilitas kepabeanan", "SS-1", "stakeholder", "%", "naik", jangkar=True),
    _T("2a-CP", "Persentase efektivitas asistensi UMKM berorientasi ekspor", "SS-2", "stakeholder", "%", "naik", jangkar=True),
    _T("2b-CP", "Waktu penyelesaian proses kepabeanan", "SS-2", "stakeholder", "hari", "hari", polaritas="min"),
    _T("3a-CP", "Persentase realisasi penerimaan bea dan cukai", "SS-3", "stakeholder", "%", "penerimaan", jangkar=True),
    _T("4a-CP", "Tingkat efektivitas pengawasan dan penegakan hukum kepabeanan dan cukai", "SS-4", "stakeholder", "%",
       "naik", jangkar=True),
    _T("5a-CP", "Indeks kepuasan pengguna jasa", "SS-5", "customer", "skala 4", "skala4", jangkar=True),
    _T("6a-CP", "Persentase kepatuhan importir", "SS-6", "customer", "%", "tetap", jangkar=True),
    _T("6b-N", "Tingkat penyelesaian piutang bea dan cukai", "SS-6", "customer", "%", "naik"),
    _T("7a-N", "Persentase kualitas perencanaan dan penyelesaian program PRKC berkelanjutan", "SS-7", "internal", "%",
       "naik", jangkar=True),
    _T("8a-N", "Indeks efektivitas komunikasi dan edukasi", "SS-8", "internal", "skala 100", "tetap", jangkar=True),
    _T("8b-N", "Persentase kualitas pelayanan kepabeanan dan cukai", "SS-8", "internal", "%", "tetap"),
    _T("9a-CP", "Persentase efektivitas kegiatan patroli dan operasi kepabeanan dan cukai", "SS-9", "internal", "%",
       "naik", jangkar=True),
    _T("9b-CP", "Persentase efektivitas patroli laut", "SS-9", "internal", "%", "naik"),
    _T("10a-CP", "Persentase tindak lanjut rekomendasi Aparat Pengawas Fungsional", "SS-10", "internal", "%", "naik",
       jangkar=True),
    _T("10b-N", "Rata-rata persentase tingkat efektivitas monitoring dan pengawasan kepatuhan internal", "SS-10",
       "internal", "%", "naik"),
    _T("11a-N", "Persentase peningkatan kompetensi pegawai", "SS-11", "learning", "%", "tetap", jangkar=True),
    _T("11b-N", "Persentase efektivitas manajemen organisasi", "SS-11", "learning", "%", "naik"),
    _T("11c-N", "Tingkat kualitas tata kelola unit kerja", "SS-11", "learning", "%", "naik"),
    _T("12a-N", "Persentase pengelolaan layanan TIK", "SS-12", "learning", "%", "naik", jangkar=True),
    _T("13a-N", "Indeks Kualitas Kinerja Anggaran", "SS-13", "learning", "indeks", "nka", aturan="nka-kemenkeu",
       jangkar=True),
)

NPSS_SASARAN = {
    "SK1.1": (("Terselenggaranya pengendalian dan pengawasan mutu dan keamanan hasil perikanan secara profesional "
               "dan partisipatif"), "Pengendalian Mutu"),
    "SK2.1": (("Terselenggaranya pengendalian dan pengawasan sistem perkarantinaan, mutu dan keamanan hasil "
               "perikanan secara profesional dan partisipatif"), "Standardisasi Sistem dan Kepatuhan"),
    "SK3.1": ("Tata kelola pemerintahan yang baik lingkup BPPMHKP", "Dukungan Manajemen Internal Lingkup BPPMHKP"),
}

NPSS_INDICATORS = (
    _T("IKU 1", "Jumlah sertifikat CPIB suplier yang diterbitkan lingkup {unit}", "SK1.1", "", "sertifikat", "jumlah",
       konsolidasi="sum", dasar=10),
    _T("IKU 2", "Pengawasan mutu hasil perikanan domestik lingkup {unit}", "SK1.1", "", "lokasi", "jumlah",
       konsolidasi="sum", dasar=3),
    _T("IKU 3", "Unit Penanganan dan/atau Pengolahan Ikan yang menerapkan sistem traceability lingkup {unit}",
       "SK1.1", "", "UPI", "jumlah", konsolidasi="sum", dasar=5),
    _T("IKU 4", "Sertifikasi Hazard Analysis Critical Control Point (HACCP) ruang lingkup produk pada UPI lingkup "
       "{unit}", "SK1.1", "", "produk", "jumlah", konsolidasi="sum", dasar=17, jangkar=True),
    _T("IKU 5", "UPI yang konsisten menerapkan Sistem Jaminan Mutu dan Keamanan Hasil Perikanan lingkup {unit}",
       "SK1.1", "", "UPI", "jumlah", konsolidasi="sum", dasar=12),
    _T("IKU 6", "Nilai survei kepuasan masyarakat layanan publik di {unit}", "SK2.1", "", "nilai", "nilai", dasar=84,
       jangkar=True),
    _T("IKU 7", "Lokasi usaha perikanan yang menerapkan quality assurance sesuai standar sistem dan regulasi "
       "lingkup {unit}", "SK2.1", "", "lokasi", "jumlah", konsolidasi="sum", dasar=3),
    _T("IKM 8", "Nilai minimal yang dipersyaratkan untuk pembangunan unit kerja berpredikat menuju Wilayah Bebas "
       "Korupsi (WBK) lingkup {unit}", "SK3.1", "", "nilai", "nilai", dasar=75, irama="tahunan"),
    _T("IKM 9", "Indeks Profesionalitas ASN lingkup {unit}", "SK3.1", "", "indeks", "nilai", dasar=86, irama="tahunan"),
    _T("IKM 10", "Penilaian Mandiri SAKIP lingkup {unit}", "SK3.1", "", "nilai", "nilai", dasar=80, irama="semester"),
    _T("IKM 11", "Persentase penyelesaian temuan BPK lingkup {unit}", "SK3.1", "", "%", "nilai", dasar=100,
       irama="semester"),
    _T("IKM 12", "Persentase rekomendasi hasil pengawasan yang dimanfaatkan untuk perbaikan kinerja lingkup {unit}",
       "SK3.1", "", "%", "nilai", dasar=80, jangkar=True),
    _T("IKM 13", "Indikator Kinerja Pelaksanaan Anggaran lingkup {unit}", "SK3.1", "", "nilai", "nilai", dasar=93),
    _T("IKM 14", "Nilai Kinerja Anggaran lingkup {unit}", "SK3.1", "", "nilai", "nilai", dasar=90, irama="semester"),
    _T("IKM 15", "Tingkat kepatuhan pengadaan barang/jasa lingkup {unit}", "SK3.1", "", "%", "nilai", dasar=80,
       irama="semester"),
    _T("IKM 16", "Tingkat kepatuhan pengelolaan BMN lingkup {unit}", "SK3.1", "", "%", "nilai", dasar=80,
       irama="semester"),
)

# Budget structure: (program_kode, program, kegiatan_kode, kegiatan, kro_kode, kro, jenis_belanja, typical pagu).
BSC_BUDGET = (
    ("015.05.CC", "Program Pengelolaan Penerimaan Negara", "4787", "Pelayanan, Komunikasi, dan Edukasi",
     "4787.AEF", "Sosialisasi dan Diseminasi", "52", 150e6),
    ("015.05.CC", "Program Pengelolaan Penerimaan Negara", "4787", "Pelayanan, Komunikasi, dan Edukasi",
     "4787.BIG", "Pemeriksaan dan Audit Penerimaan", "52", 1.3e9),
    ("015.05.CC", "Program Pengelolaan Penerimaan Negara", "4787", "Pelayanan, Komunikasi, dan Edukasi",
     "4787.BMB", "Komunikasi Publik", "52", 40e6),
    ("015.05.CC", "Program Pengelolaan Penerimaan Negara", "4789", "Pengawasan dan Penegakan Hukum",
     "4789.BHB", "Operasi Bidang Keamanan", "52", 260e6),
    ("015.05.CC", "Program Pengelolaan Penerimaan Negara", "4789", "Pengawasan dan Penegakan Hukum",
     "4789.BIG", "Pemeriksaan dan Audit Penerimaan", "52", 400e6),
    ("015.05.WA", "Program Dukungan Manajemen", "4695", "Pengelolaan Keuangan, BMN, dan Umum",
     "4695.CCF", "OM Sarana Bidang Pertahanan dan Keamanan", "52", 75e6),
    ("015.05.WA", "Program Dukungan Manajemen", "4695", "Pengelolaan Keuangan, BMN, dan Umum",
     "4695.EBA", "Layanan Dukungan Manajemen Internal", "52", 3.2e9),
    ("015.05.WA", "Program Dukungan Manajemen", "4695", "Pengelolaan Keuangan, BMN, dan Umum",
     "4695.EBB", "Layanan Sarana dan Prasarana Internal", "53", 1.3e9),
)
NPSS_PROGRAM = "Program Nilai Tambah dan Daya Saing Industri"
NPSS_BUDGET = (
    ("", NPSS_PROGRAM, "3989", "Pengendalian Mutu", "3989.BDB", "Fasilitasi dan Pembinaan Pelaku Usaha", "52", 260e6),
    ("", NPSS_PROGRAM, "3990", "Standardisasi Sistem dan Kepatuhan", "3990.QAH", "Layanan Standardisasi dan Kepatuhan",
     "52", 200e6),
    ("", NPSS_PROGRAM, "3987", "Dukungan Manajemen Internal", "3987.EBA", "Layanan Dukungan Manajemen Internal", "51",
     3.5e9),
    ("", NPSS_PROGRAM, "3987", "Dukungan Manajemen Internal", "3987.EBA", "Layanan Dukungan Manajemen Internal", "52",
     2.2e9),
    ("", NPSS_PROGRAM, "3987", "Dukungan Manajemen Internal", "3987.EBB", "Layanan Sarana dan Prasarana Internal", "53",
     300e6),
)

# IKPA and SMART components (DJPb / DJA), weights as published for 2024: (komponen, bobot, kelompok, pengurang).
IKPA_KOMPONEN = (
    ("Revisi DIPA", 10, "ikpa", False),
    ("Deviasi Halaman III DIPA", 15, "ikpa", False),
    ("Penyerapan Anggaran", 20, "ikpa", False),
    ("Belanja Kontraktual", 10, "ikpa", False),
    ("Penyelesaian Tagihan", 10, "ikpa", False),
    ("Pengelolaan UP dan TUP", 10, "ikpa", False),
    ("Dispensasi SPM", 0, "ikpa", True),
    ("Capaian Output", 25, "ikpa", False),
    ("Capaian Rincian Output", 75, "smart", False),
    ("Penggunaan SBK", 10, "smart", False),
    ("Efisiensi SBK", 15, "smart", False),
)

# Revenue accounts per jenis: (akun, uraian, share of the jenis' monthly amount).
AKUN = {
    "bea_masuk": (("412111", "PENDAPATAN BEA MASUK", 0.975), ("412113", "PENDAPATAN DENDA ADMINISTRASI PABEAN", 0.02),
                  ("412119", "PENDAPATAN PABEAN LAINNYA", 0.001), ("412121", "PENDAPATAN BEA MASUK ANTIDUMPING", 0.004)),
    "bea_keluar": (("412211", "PENDAPATAN BEA KELUAR", 0.99), ("412212", "PENDAPATAN DENDA ADMINISTRASI BEA KELUAR",
                                                              0.01)),
    "cukai": (("411511", "PENDAPATAN CUKAI HASIL TEMBAKAU", 0.97), ("411514", "PENDAPATAN DENDA ADMINISTRASI CUKAI",
                                                                   0.03)),
}
JENIS_NAMA = {"bea_masuk": "BEA MASUK", "bea_keluar": "BEA KELUAR", "cukai": "CUKAI"}

KOTA = (
    ("Banda Aceh", "Aceh"), ("Medan", "Sumatera Utara"), ("Belawan", "Sumatera Utara"), ("Padang", "Sumatera Barat"),
    ("Pekanbaru", "Riau"), ("Dumai", "Riau"), ("Jambi", "Jambi"), ("Palembang", "Sumatera Selatan"),
    ("Bengkulu", "Bengkulu"), ("Bandar Lampung", "Lampung"), ("Pangkalpinang", "Kepulauan Bangka Belitung"),
    ("Batam", "Kepulauan Riau"), ("Tanjung Pinang", "Kepulauan Riau"), ("Merak", "Banten"), ("Bogor", "Jawa Barat"),
    ("Bandung", "Jawa Barat"), ("Cirebon", "Jawa Barat"), ("Semarang", "Jawa Tengah"), ("Kudus", "Jawa Tengah"),
    ("Surakarta", "Jawa Tengah"), ("Yogyakarta", "DI Yogyakarta"), ("Surabaya", "Jawa Timur"), ("Malang", "Jawa Timur"),
    ("Kediri", "Jawa Timur"), ("Banyuwangi", "Jawa Timur"), ("Denpasar", "Bali"), ("Mataram", "Nusa Tenggara Barat"),
    ("Kupang", "Nusa Tenggara Timur"), ("Pontianak", "Kalimantan Barat"), ("Sampit", "Kalimantan Tengah"),
    ("Banjarmasin", "Kalimantan Selatan"), ("Samarinda", "Kalimantan Timur"), ("Bontang", "Kalimantan Timur"),
    ("Tarakan", "Kalimantan Utara"), ("Manado", "Sulawesi Utara"), ("Bitung", "Sulawesi Utara"),
    ("Palu", "Sulawesi Tengah"), ("Makassar", "Sulawesi Selatan"), ("Parepare", "Sulawesi Selatan"),
    ("Kendari", "Sulawesi Tenggara"), ("Gorontalo", "Gorontalo"), ("Mamuju", "Sulawesi Barat"), ("Ambon", "Maluku"),
    ("Ternate", "Maluku Utara"), ("Sorong", "Papua Barat Daya"), ("Manokwari", "Papua Barat"), ("Jayapura", "Papua"),
    ("Merauke", "Papua Selatan"),
)
NAMA_DEPAN = ("Agus", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gunawan", "Hendra", "Indah", "Joko", "Kartika",
              "Lestari", "Made", "Nur", "Putu", "Rina", "Sari", "Teguh", "Wahyu", "Yuliana")
NAMA_BELAKANG = ("Pratama", "Santoso", "Wibowo", "Hidayat", "Saputra", "Rahmawati", "Kusuma", "Siregar", "Nasution",
                 "Simanjuntak", "Wijaya", "Setiawan", "Permana", "Utami", "Harahap", "Lubis")
PERUSAHAAN_A = ("Samudra", "Nusantara", "Mitra", "Cakrawala", "Bumi", "Sentosa", "Mandala", "Karya", "Prima", "Surya",
                "Citra", "Buana")
PERUSAHAAN_B = ("Energi", "Logistik", "Niaga", "Teknik", "Alat Berat", "Kimia", "Pangan", "Baja", "Mesin", "Agro",
                "Tambang", "Elektrik")
PERUSAHAAN_C = ("Abadi", "Jaya", "Makmur", "Perkasa", "Sejahtera", "Utama", "Lestari", "Mandiri")


# --------------------------------------------------------------------------- small helpers
def slug(number: int, width: int = 4) -> str:
    """The slug of synthetic unit `number` (1-based): odd numbers are customs offices, even ones KKP offices."""
    kind = "kppbc" if number % 2 else "bkipm"
    return f"sintetis-{kind}-{number:0{width}d}"


def _width(units: int) -> int:
    return max(4, len(str(units)))


def _num(value: float, digits: int = 2) -> str:
    """A plain CSV number: fixed decimals, trailing zeros dropped (97.5, 84, 0.3969)."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _split_exact(total: int, weights: np.ndarray) -> list[int]:
    """Integers proportional to `weights` that add up exactly to `total` (largest remainders, stable order)."""
    w = np.asarray(weights, dtype="float64")
    w = w / w.sum()
    raw = w * total
    base = np.floor(raw).astype("int64")
    rest = int(total - int(base.sum()))
    order = sorted(range(len(w)), key=lambda i: (-(raw[i] - base[i]), i))
    for i in order[:rest]:
        base[i] += 1
    return [int(x) for x in base]


def _thousands(rng: np.random.Generator, typical: float, spread: float = 0.3) -> int:
    """A rupiah amount in whole thousands around `typical`."""
    return round(typical * rng.lognormal(0.0, spread) / 1000.0) * 1000


# --------------------------------------------------------------------------- one unit
@dataclass
class SynthUnit:
    """One synthetic unit: its satker.csv row and its rows per table (values already formatted for CSV)."""

    number: int
    slug: str
    kerangka: str
    satker_row: tuple
    tables: dict[str, list[tuple]]


def _identity(number: int, slug_: str, rng: np.random.Generator) -> tuple[tuple, str, str]:
    kota, provinsi = KOTA[int(rng.integers(len(KOTA)))]
    kepala = f"{NAMA_DEPAN[int(rng.integers(len(NAMA_DEPAN)))]} {NAMA_BELAKANG[int(rng.integers(len(NAMA_BELAKANG)))]}"
    alamat = f"Jl. Sintetis No. {int(rng.integers(1, 200))}, {kota}, {provinsi}"
    tag = f"(Sintetis {number:04d})"
    if number % 2:
        kerangka = "kemenkeu-bsc"
        singkatan = f"KPPBC TMP C {kota}"
        row = (slug_, str(400000 + number), f"Kantor Pengawasan dan Pelayanan Bea dan Cukai Tipe Madya Pabean C {kota} {tag}",
               singkatan, "Kementerian Keuangan", "Direktorat Jenderal Bea dan Cukai",
               f"Kantor Wilayah DJBC {provinsi}", kerangka, kota, kepala, "Kepala Kantor", alamat, True)
    else:
        kerangka = "kkp-npss"
        singkatan = f"Balai KIPM {kota}"
        row = (slug_, str(630000 + number),
               f"Balai Karantina Ikan, Pengendalian Mutu dan Keamanan Hasil Perikanan {kota} {tag}", singkatan,
               "Kementerian Kelautan dan Perikanan",
               "Badan Pengendalian dan Pengawasan Mutu Hasil Kelautan dan Perikanan (BPPMHKP)", "BPPMHKP", kerangka,
               kota, kepala, f"Kepala {singkatan}", alamat, True)
    return row, kerangka, singkatan


def _consolidated(values: dict[str, float | None], rule: str) -> dict[str, float | None]:
    """Q1..Q4 plus S1, SDQ3 and Y from the quarters, as lakin.rules.scoring consolidates them."""
    out = dict(values)
    for period, quarters in (("S1", QUARTERS[:2]), ("SDQ3", QUARTERS[:3]), ("Y", QUARTERS)):
        parts = [values[q] for q in quarters]
        if any(p is None for p in parts):
            out[period] = None
        elif rule == "sum":
            out[period] = float(sum(parts))
        elif rule == "average":
            out[period] = float(sum(parts) / len(parts))
        else:
            out[period] = parts[-1]
    return out


_ORDER = ("Q1", "Q2", "S1", "Q3", "SDQ3", "Q4", "Y")
_DIGITS = {"hari": 4}


class _UnitBuilder:
    """Draws one unit's tables from its own random stream, in a fixed order."""

    def __init__(self, number: int, years: tuple[int, ...], seed: int, width: int):
        self.number = number
        self.years = years
        self.latest = years[-1]
        self.rng = np.random.default_rng([seed, number])
        self.slug = slug(number, width)
        self.tables: dict[str, list[tuple]] = {name: [] for name in COLUMNS if name != "satker"}
        self.satker_row, self.kerangka, self.singkatan = _identity(number, self.slug, self.rng)
        self.customs = self.kerangka == "kemenkeu-bsc"
        self.performance = float(self.rng.uniform(0.92, 1.12))  # how well this unit does, overall

    # ---------------------------------------------------------------- indicators
    def _quarters(self, tpl: IndicatorTemplate, tahun: int) -> tuple[dict, dict]:
        """Quarter targets and realisations of one indicator (None = N/A)."""
        rng, perf = self.rng, self.performance
        if tpl.profil == "naik":
            annual = round(float(rng.uniform(78, 86)) * 2) / 2
            shares = np.sort(rng.uniform(0.1, 0.9, 3))
            targets = [float(round(annual * s)) for s in shares] + [annual]
            real = [min(100.0, t * rng.uniform(0.95, 1.5) * perf) for t in targets]
            real = list(np.maximum.accumulate(np.round(real, 2)))  # progress does not go backwards
        elif tpl.profil == "tetap":
            t = float(rng.integers(78, 88))
            targets = [t] * 4
            real = [min(100.0, round(t * rng.uniform(0.97, 1.22) * perf, 2)) for _ in range(4)]
        elif tpl.profil == "hari":
            t = round(float(rng.uniform(0.6, 0.9)), 2)
            targets = [t] * 4
            real = [round(t * rng.uniform(0.3, 1.1) / perf, 4) for _ in range(4)]
        elif tpl.profil == "skala4":
            t = float(rng.choice([3.0, 3.1, 3.2]))
            targets = [None, t, t, t]
            real = [None] + [round(min(4.0, t * rng.uniform(1.05, 1.3)), 2) for _ in range(3)]
        elif tpl.profil == "jumlah":
            annual = max(2, round(tpl.dasar * rng.uniform(0.6, 1.5)))
            if tpl.jangkar:
                targets = [float(x) for x in _split_exact(annual - 4, rng.dirichlet(np.ones(4)))] if annual > 4 else [0.0] * 4
                targets = [t + 1.0 for t in targets]
            else:
                targets = [float(x) for x in _split_exact(annual, rng.dirichlet(np.full(4, 0.7)))]
            real = [float(rng.poisson(t * perf)) if t > 0 else float(rng.poisson(0.3)) for t in targets]
        elif tpl.profil == "nilai":
            t = float(round(tpl.dasar * rng.uniform(0.97, 1.03))) if tpl.dasar < 100 else 100.0
            cap = 100.0
            r = [round(min(cap, t * rng.uniform(0.93, 1.2) * perf), 2) for _ in range(4)]
            active = {"triwulan": (1, 1, 1, 1), "semester": (0, 1, 1, 1), "tahunan": (0, 0, 0, 1)}[tpl.irama]
            targets = [t if a else 0.0 for a in active]
            real = [x if a else 0.0 for x, a in zip(r, active)]
        else:  # penerimaan, nka: filled in from revenue and IKPA
            targets, real = [None] * 4, [None] * 4
        return dict(zip(QUARTERS, targets)), dict(zip(QUARTERS, real))

    def indicators(self, ikpa_nka: dict[tuple[int, str], float], revenue_ratio: dict[tuple[int, str], tuple]) -> None:
        templates = BSC_INDICATORS if self.customs else NPSS_INDICATORS
        for tahun in self.years:
            for urutan, tpl in enumerate(templates, start=1):
                if self.customs:
                    sasaran_nama, perspektif = BSC_SASARAN[tpl.sasaran_kode], tpl.perspektif
                else:
                    sasaran_nama, perspektif = NPSS_SASARAN[tpl.sasaran_kode]
                self.tables["iku"].append((
                    self.slug, tahun, tpl.kode, tpl.nama.format(unit=self.singkatan), tpl.sasaran_kode, sasaran_nama,
                    perspektif, tpl.satuan, tpl.polaritas, tpl.konsolidasi, tpl.aturan, urutan,
                ))
                targets, real = self._quarters(tpl, tahun)
                if tpl.profil == "penerimaan":
                    for q, rp in zip(QUARTERS, ("Q1", "S1", "SDQ3", "Y")):
                        targets[q], real[q] = revenue_ratio[(tahun, rp)]
                if tpl.profil == "nka":
                    t = round(float(self.rng.uniform(93, 96)), 2)
                    targets = dict.fromkeys(QUARTERS, t)
                    real = {"Q1": ikpa_nka.get((tahun, "Q1")), "Q2": ikpa_nka.get((tahun, "S1")), "Q3": ikpa_nka.get((tahun, "SDQ3")),
                            "Q4": ikpa_nka.get((tahun, "Y"))}
                # occasional N/A: a realisation not (yet) reported
                if not tpl.jangkar:
                    for q in QUARTERS:
                        if real[q] is not None and self.rng.random() < 0.04:
                            real[q] = None
                if tpl.profil in ("penerimaan", "nka"):  # given per data period, not consolidated
                    t_all = {**targets, "S1": targets["Q2"], "SDQ3": targets["Q3"], "Y": targets["Q4"]}
                    r_all = {**real, "S1": real["Q2"], "SDQ3": real["Q3"], "Y": real["Q4"]}
                else:
                    t_all = _consolidated(targets, tpl.konsolidasi)
                    r_all = _consolidated(real, tpl.konsolidasi)
                digits = _DIGITS.get(tpl.profil, 2)
                periods = _ORDER if tahun == self.latest else ("Y",)
                for periode in periods:
                    t, r = t_all[periode], r_all[periode]
                    self.tables["iku_nilai"].append((
                        self.slug, tahun, tpl.kode, periode,
                        None if t is None else _num(t, digits), None if r is None else _num(r, digits),
                    ))
        nilai = round(float(self.rng.uniform(98, 116)) * self.performance / 1.02, 2)
        sumber = "NKO tahunan (sintetis)" if self.customs else "NPSS tahunan (sintetis)"
        self.tables["nilai_organisasi"].append((self.slug, self.years[0] - 1, "Y", _num(min(nilai, 120.0)), sumber))

    # ---------------------------------------------------------------- revenue
    def revenue(self) -> dict[tuple[int, str], tuple]:
        """Revenue tables for every year; returns (target %, realisation %) of IKU 3a-CP per data period."""
        rng, perf = self.rng, self.performance
        scale = 10 ** rng.uniform(10.6, 12.2)  # annual bea masuk target, rupiah
        share = {"bea_masuk": 1.0,
                 "bea_keluar": float(rng.uniform(0.1, 0.8)) if rng.random() < 0.5 else 0.0,
                 "cukai": float(rng.uniform(0.01, 0.15)) if rng.random() < 0.4 else 0.0}
        importers = []
        while len(importers) < 5:
            name = (f"PT {PERUSAHAAN_A[int(rng.integers(len(PERUSAHAAN_A)))]} "
                    f"{PERUSAHAAN_B[int(rng.integers(len(PERUSAHAAN_B)))]} "
                    f"{PERUSAHAAN_C[int(rng.integers(len(PERUSAHAAN_C)))]}")
            if name not in importers:
                importers.append(name)
        weights_importers = rng.dirichlet(np.linspace(3, 1, 5))
        ratios: dict[tuple[int, str], tuple] = {}
        for tahun in self.years:
            growth = (1.0 + float(rng.uniform(-0.03, 0.08))) ** (tahun - self.years[0])
            targets = {j: _thousands(rng, scale * s * growth, 0.05) if s else 0 for j, s in share.items()}
            kep = int(rng.integers(10, 40))
            decrees = [(f"KEP-{kep}/BC/{tahun}", f"{tahun}-01-{int(rng.integers(10, 21)):02d}", targets)]
            if rng.random() < 0.35:
                factor = float(rng.uniform(0.85, 1.08))
                revised = {j: round(t * factor / 1000.0) * 1000 for j, t in targets.items()}
                month = int(rng.integers(10, 13))
                decrees.append((f"KEP-{int(rng.integers(200, 300))}/BC/{tahun}", f"{tahun}-{month:02d}-{int(rng.integers(1, 29)):02d}",
                                revised))
            for dasar, tanggal, tgt in decrees:
                for jenis, amount in tgt.items():
                    self.tables["target_penerimaan"].append((self.slug, tahun, jenis, dasar, tanggal, amount))
            # trajectory: 400 quarter-percents over twelve months (exact binary fractions: sums are exact)
            season = np.ones(12) + np.array([0, 0, 0.1, 0, 0, 0.35, 0.1, 0, 0, 0, 0.1, 0.5]) * rng.uniform(0.5, 1.5)
            quarters = _split_exact(400, season * rng.uniform(0.85, 1.15, 12))
            persen = [q / 4 for q in quarters]
            for bulan, p in zip(MONTHS, persen):
                self.tables["trajektori_penerimaan"].append((self.slug, tahun, bulan, _num(p)))
            # monthly revenue follows the trajectory of the final target, with the unit's own luck
            final = decrees[-1][2]
            luck = float(rng.uniform(0.85, 1.18)) * perf
            net = {}
            bea_masuk = {}
            for bulan, p in zip(MONTHS, persen):
                net[bulan] = 0
                for jenis, target in final.items():
                    accounts = AKUN[jenis]
                    if target:
                        base = target * p / 100.0 * luck * float(rng.uniform(0.75, 1.25))
                    elif jenis == "cukai":  # no excise target: administrative fines only, now and then
                        base, accounts = float(rng.uniform(0, 2e7)) * (rng.random() < 0.3), accounts[1:]
                    else:
                        continue
                    amount_jenis = 0
                    for akun, uraian, frac in accounts:
                        amount = round(base * frac * float(rng.uniform(0.5, 1.5)) / 1000.0) * 1000
                        if akun == "412121" and rng.random() < 0.7:
                            amount = 0
                        self.tables["penerimaan"].append((self.slug, tahun, bulan, jenis, akun, uraian, amount))
                        amount_jenis += amount
                    if target and rng.random() < 0.12:
                        akun, uraian, _ = accounts[0]
                        refund = -round(base * float(rng.uniform(0.001, 0.02)) / 1000.0) * 1000
                        self.tables["penerimaan"].append((
                            self.slug, tahun, bulan, jenis, akun,
                            f"Pengembalian/pengurangan/restitusi {uraian.removeprefix('PENDAPATAN ')}", refund))
                        amount_jenis += refund
                    if jenis == "bea_masuk":
                        bea_masuk[bulan] = amount_jenis
                    net[bulan] += amount_jenis
            # top five importers of bea masuk and "Lainnya", adding up to the month's bea masuk
            for bulan in MONTHS:
                bm = bea_masuk[bulan]
                top = int(max(bm, 0) * float(rng.uniform(0.45, 0.8))) // 1000
                parts = [x * 1000 for x in _split_exact(top, weights_importers * rng.uniform(0.6, 1.4, 5))]
                for name, amount in zip(importers, parts):
                    self.tables["kontributor_penerimaan"].append((self.slug, tahun, bulan, "bea_masuk", name, amount))
                self.tables["kontributor_penerimaan"].append((self.slug, tahun, bulan, "bea_masuk", "Lainnya",
                                                              bm - sum(parts)))
            # IKU 3a-CP per data period: cumulative trajectory (target) and cumulative revenue / target in force
            for rp, end in (("Q1", 3), ("S1", 6), ("SDQ3", 9), ("Y", 12)):
                in_force = [d for d in decrees if int(d[1][5:7]) <= end] or decrees[:1]
                annual_target = sum(in_force[-1][2].values())
                cum = sum(net[m] for m in MONTHS[:end])
                ratios[(tahun, rp)] = (round(sum(persen[:end]), 2), round(cum / annual_target * 100.0, 2))
        return ratios

    # ---------------------------------------------------------------- budget
    def budget(self) -> dict[tuple[int, str], float]:
        """Budget tables for every year; returns the NKA (for IKU 13a-N) per (year, data period)."""
        rng, perf = self.rng, self.performance
        template = BSC_BUDGET if self.customs else NPSS_BUDGET
        size = float(rng.lognormal(0.0, 0.25))
        pnbp = (not self.customs) and rng.random() < 0.5
        nka: dict[tuple[int, str], float] = {}
        for tahun in self.years:
            growth = (1.0 + float(rng.uniform(-0.05, 0.06))) ** (tahun - self.years[0])
            per_kegiatan_jenis: dict[tuple[str, str], int] = {}
            for program_kode, program, keg, keg_nama, kro, kro_nama, jenis, typical in template:
                amount = _thousands(rng, typical * size * growth)
                if jenis == "53" and not self.customs and rng.random() < 0.25:
                    amount = 0  # no capital budget this year
                self.tables["pagu"].append((self.slug, tahun, program_kode or None, program, keg, keg_nama, kro,
                                            kro_nama, jenis, "RM", amount))
                per_kegiatan_jenis[(keg, jenis)] = per_kegiatan_jenis.get((keg, jenis), 0) + amount
            if pnbp:
                amount = _thousands(rng, 25e6)
                self.tables["pagu"].append((self.slug, tahun, None, NPSS_PROGRAM, "3989", "Pengendalian Mutu", "3989.BDB",
                                            "Fasilitasi dan Pembinaan Pelaku Usaha", "52", "PNBP", amount))
                per_kegiatan_jenis[("3989", "52")] += amount
            absorption = min(0.995, float(rng.uniform(0.88, 0.99)) * min(perf, 1.02))
            for (keg, jenis), pagu in per_kegiatan_jenis.items():
                shape = {"51": np.array([1, 1, 1.6, 1, 1, 1.3, 1, 1, 1, 1, 1, 1.1]),
                         "52": np.array([0.5, 0.7, 0.9, 1, 1, 1.1, 1, 1, 1.1, 1.1, 1.2, 1.8]),
                         "53": np.array([0.05, 0.1, 0.2, 0.5, 0.9, 1.2, 1.3, 1.4, 1.4, 1.3, 1.2, 1.5])}[jenis]
                plan = _split_exact(pagu // 1000, shape * rng.uniform(0.85, 1.15, 12))
                plan = [p * 1000 for p in plan]
                for bulan, rencana in zip(MONTHS, plan):
                    self.tables["rpd"].append((self.slug, tahun, bulan, keg, jenis, rencana))
                spent = round(pagu * absorption * rng.uniform(0.97, 1.0))
                actual = _split_exact(spent, np.array(plan, dtype="float64") * rng.uniform(0.7, 1.3, 12) + 1e-9) if pagu else [0] * 12
                for bulan, realisasi in zip(MONTHS, actual):
                    self.tables["realisasi_anggaran"].append((self.slug, tahun, bulan, keg, jenis, realisasi))
            if self.customs:
                periods = ("Q1", "S1", "SDQ3", "Y") if tahun == self.latest else ("Y",)
                for periode in periods:
                    totals = {"ikpa": 0.0, "smart": 0.0}
                    for komponen, bobot, kelompok, pengurang in IKPA_KOMPONEN:
                        if pengurang:
                            nilai = 0.0 if rng.random() < 0.9 else round(float(rng.uniform(0.1, 1.0)), 2)
                            totals[kelompok] -= nilai
                        else:
                            nilai = round(min(100.0, float(rng.uniform(82, 101)) * min(perf, 1.0) + 4), 2)
                            totals[kelompok] += nilai * bobot / 100.0
                        self.tables["ikpa"].append((self.slug, tahun, periode, komponen, _num(nilai), bobot, kelompok,
                                                    pengurang))
                    nka[(tahun, periode)] = round(0.5 * totals["ikpa"] + 0.5 * totals["smart"], 2)
        return nka

    def build(self) -> SynthUnit:
        ratios = self.revenue() if self.customs else {}
        nka = self.budget()
        self.indicators(nka, ratios)
        tables = {name: rows for name, rows in self.tables.items() if rows}
        return SynthUnit(self.number, self.slug, self.kerangka, self.satker_row, tables)


def synth_unit(number: int, years: tuple[int, ...], seed: int = 0, width: int = 4) -> SynthUnit:
    """One synthetic unit (1-based `number`), for the given years (ascending, the last is the report year)."""
    if number < 1:
        raise SynthError(f"Nomor unit sintetis harus >= 1, bukan {number}")
    return _UnitBuilder(number, tuple(years), seed, width).build()


# --------------------------------------------------------------------------- writing
def _csv_bytes(header: tuple[str, ...], rows: list[tuple]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


def _marker_text(units: int, years: tuple[int, ...], seed: int) -> str:
    return (
        "# Data sintetis (lakin synth)\n\n"
        "Semua satker di direktori ini buatan (`sintetis=true` di satker.csv): angka acak yang masuk akal,\n"
        "untuk uji skala dan demo. Jangan dipakai sebagai data kinerja sungguhan.\n\n"
        f"- unit: {units}\n"
        f"- tahun: {years[0]}-{years[-1]}\n"
        f"- seed: {seed}\n"
        f"- versi pembangkit: {SYNTH_VERSION}\n\n"
        "Dibuat ulang, byte demi byte, dengan:\n\n"
        f"    lakin synth --units {units} --years {len(years)} --tahun-akhir {years[-1]} --seed {seed} --out <dir>\n"
    )


def _check_target(out: Path) -> None:
    """Refuse to replace a directory that is not an earlier synthetic dataset."""
    if out.exists() and not out.is_dir():
        raise SynthError(f"'{out}' sudah ada dan bukan direktori")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise SynthError(
            f"'{out}' sudah berisi berkas dan bukan keluaran lakin synth (tidak ada {MARKER}); "
            "pilih direktori lain atau kosongkan dulu"
        )


@dataclass(frozen=True)
class SynthSummary:
    """What `generate` wrote."""

    out: Path
    units: int
    years: tuple[int, ...]
    files: int
    params: int


def generate(out: str | os.PathLike, units: int, years: int = 1, seed: int = 0, latest_year: int = LATEST_YEAR,
             params: bool = False) -> SynthSummary:
    """Write a synthetic dataset of `units` units and `years` years ending with `latest_year` to `out`, atomically."""
    if units < 1:
        raise SynthError(f"--units harus >= 1, bukan {units}")
    if years < 1:
        raise SynthError(f"--years harus >= 1, bukan {years}")
    if not 2001 <= latest_year - years + 1 or latest_year > 2100:
        raise SynthError(f"Tahun {latest_year - years + 1}-{latest_year} di luar 2001-2100")
    out = Path(out)
    _check_target(out)
    year_list = tuple(range(latest_year - years + 1, latest_year + 1))
    width = _width(units)
    final_dir = out.resolve()
    files = 0
    n_params = 0
    with atomic_dir(out) as tmp:
        satker_rows = []
        made_dirs: set[str] = set()
        for number in range(1, units + 1):
            unit = synth_unit(number, year_list, seed, width)
            satker_rows.append(unit.satker_row)
            for table, rows in unit.tables.items():
                if table not in made_dirs:
                    (tmp / table).mkdir()
                    made_dirs.add(table)
                (tmp / table / f"{unit.slug}.csv").write_bytes(_csv_bytes(COLUMNS[table], rows))
                files += 1
            if params:
                folder = tmp / "params" / unit.slug
                folder.mkdir(parents=True)
                for suffix in REPORT_PERIODS:
                    periode = f"{latest_year}{suffix}"
                    text = yaml.safe_dump({"satker": unit.slug, "periode": periode, "data_dir": str(final_dir)},
                                          sort_keys=False, allow_unicode=True)
                    (folder / f"{periode}.yaml").write_text(text, encoding="utf-8")
                    n_params += 1
        (tmp / "satker.csv").write_bytes(_csv_bytes(COLUMNS["satker"], satker_rows))
        (tmp / MARKER).write_text(_marker_text(units, year_list, seed), encoding="utf-8")
        files += 2
    return SynthSummary(out, units, year_list, files, n_params)


__all__ = ["COLUMNS", "SynthError", "SynthSummary", "SynthUnit", "generate", "slug", "synth_unit"]
