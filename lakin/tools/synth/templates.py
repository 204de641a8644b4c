"""The synthetic units' templates, as data: table columns, the two frameworks' indicators and sasaran, budget
structures, IKPA components, revenue accounts, and the names units, heads and importers are drawn from."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AKUN", "BSC_BUDGET", "BSC_INDICATORS", "BSC_SASARAN", "COLUMNS", "IKPA_KOMPONEN", "KOTA", "NAMA_BELAKANG",
    "NAMA_DEPAN", "NPSS_BUDGET", "NPSS_INDICATORS", "NPSS_PROGRAM", "NPSS_SASARAN", "PERUSAHAAN_A", "PERUSAHAAN_B",
    "PERUSAHAAN_C", "IndicatorTemplate",
]

# The columns of every table synth writes, in file order.
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
