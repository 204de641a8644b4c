"""Budget (anggaran): DIPA pagu, realisation, absorption, Halaman III deviation, IKPA and NKA."""
