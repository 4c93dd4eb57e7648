"""Tests for the synthetic world generator (pipelines/generate.py).

Small worlds (a few thousand residents) keep this file to a few seconds. Each test checks a
property the rest of the project relies on: the files follow the contract, the truth files
agree with the files, damage happens at the configured rates and nowhere else, and the
world looks like a real Indonesian city.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from pipelines import schema
from pipelines.generate import (
    ALL_ORIGIN_PREFIXES,
    DEFAULT_INFORMAL_CODES,
    DTSEN_COLUMNS,
    PENDUDUK_COLUMNS,
    PESERTA_COLUMNS,
    SIAK_PEKERJAAN,
    Damage,
    generate_regions,
    generate_world,
    truth_candidates,
)
from pipelines.regions import BONTANG_KELURAHAN

PERIOD = "2026-11"
SOURCES = ("penduduk", "dtsen", "peserta_bpjstk")
TRUTH = ("persons", "welfare_truth", "participant_truth", "penduduk_damage")


def _read_csv(path: str | Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def _digits(col: str) -> pl.Expr:
    return pl.col(col).str.replace_all(r"\D", "")


def _valid_nik(col: str = "NIK") -> pl.Expr:
    """The contract's NIK rule: 16 digits, day 01-31 or 41-71, month 01-12, serial not 0000."""
    d = _digits(col)
    day = d.str.slice(6, 2).cast(pl.Int32, strict=False)
    month = d.str.slice(8, 2).cast(pl.Int32, strict=False)
    return ((d.str.len_chars() == 16) & (day.is_between(1, 31) | day.is_between(41, 71))
            & month.is_between(1, 12) & (d.str.slice(12, 4) != "0000")).fill_null(False)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("world")
    summary = generate_world(out, residents=3000, seed=7)
    return out, summary


@pytest.fixture(scope="module")
def truth(world):
    out, _ = world
    return {name: pl.read_parquet(out / "truth" / f"{name}.parquet") for name in TRUTH}


@pytest.fixture(scope="module")
def files(world):
    out, _ = world
    return {name: _read_csv(out / f"{name}.csv") for name in SOURCES}


# --- reproducibility ---------------------------------------------------------------------

def test_same_seed_gives_identical_bytes(world, tmp_path):
    out, _ = world
    generate_world(tmp_path, residents=3000, seed=7)
    for rel in [f"{s}.csv" for s in SOURCES] + [f"truth/{t}.parquet" for t in TRUTH]:
        assert (out / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel


def test_other_seed_gives_another_world(world, tmp_path):
    out, _ = world
    generate_world(tmp_path, residents=3000, seed=8)
    for s in SOURCES:
        assert (out / f"{s}.csv").read_bytes() != (tmp_path / f"{s}.csv").read_bytes()


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_other_formats_are_reproducible_and_complete(tmp_path, fmt):
    a, b = tmp_path / "a", tmp_path / "b"
    sa = generate_world(a, residents=400, seed=3, fmt=fmt)
    generate_world(b, residents=400, seed=3, fmt=fmt)
    for s in SOURCES:
        assert Path(sa.files[s]).suffix == f".{fmt}"
        assert (a / f"{s}.{fmt}").read_bytes() == (b / f"{s}.{fmt}").read_bytes(), s
    if fmt == "parquet":
        pen = pl.read_parquet(a / "penduduk.parquet")
        assert all(t == pl.String for t in pen.schema.values())
    else:
        import openpyxl

        wb = openpyxl.load_workbook(a / "penduduk.xlsx", read_only=True)
        rows = list(wb.active.iter_rows(values_only=True))
        assert rows[0] == PENDUDUK_COLUMNS
        assert len(rows) - 1 == sa.penduduk_rows
        i = PENDUDUK_COLUMNS.index("NIK")
        assert all(isinstance(r[i], str) for r in rows[1:] if r[i] is not None)
        birth = [r[PENDUDUK_COLUMNS.index("TGL_LHR")] for r in rows[1:]]
        assert any(isinstance(v, dt.datetime) for v in birth)   # real date cells
        assert any(isinstance(v, str) for v in birth)           # and some text dates


# --- contract shape ------------------------------------------------------------------------

def test_column_names_follow_the_contract(files):
    assert tuple(files["penduduk"].columns) == PENDUDUK_COLUMNS
    assert tuple(files["dtsen"].columns) == DTSEN_COLUMNS
    assert tuple(files["peserta_bpjstk"].columns) == PESERTA_COLUMNS
    for source, (required, _optional) in schema.SOURCES.items():
        cols = set(files[source].columns)
        assert set(required) <= cols, source
        assert all(c == c.upper().strip() for c in cols)
    # extra SIAK columns, to be kept and ignored by the reader
    assert {"AGAMA", "GOL_DRH"} <= set(files["penduduk"].columns)


def test_summary_counts_match_the_files(world, files, truth):
    _, s = world
    residents = truth["persons"].filter("is_resident")
    assert s.residents == 3000 == residents.height
    assert s.households == residents["household"].n_unique() == residents["NO_KK"].n_unique()
    assert s.penduduk_rows == files["penduduk"].height
    assert s.welfare_records == files["dtsen"].height
    assert s.participants == files["peserta_bpjstk"].height


def test_ids_unique_and_shaped(files):
    dtsen, peserta = files["dtsen"], files["peserta_bpjstk"]
    assert dtsen["ID_DTSEN"].n_unique() == dtsen.height
    assert dtsen["ID_DTSEN"].str.contains(r"^DTSEN-\d{10}$").all()
    assert peserta["KPJ"].n_unique() == peserta.height
    assert peserta["KPJ"].str.contains(r"^\d{11}$").all()
    assert dtsen["KODE_KEL"].is_in(list(BONTANG_KELURAHAN)).all()
    assert dtsen["DESIL"].cast(pl.Int32).is_between(1, 10).all()
    assert set(peserta["SEGMEN"].unique()) <= {"PU", "BPU", "JAKON", "PMI"}
    assert set(peserta["STATUS"].unique()) == {"AKTIF", "NONAKTIF"}
    assert peserta["BLTH_AKHIR_IURAN"].str.contains(r"^\d{4}-\d{2}$").all()
    programs = peserta["PROGRAM"].str.replace_all(" ", "").str.split(",").explode()
    assert set(programs.unique()) <= {"JKK", "JKM", "JHT", "JP", "JKP"}


# --- NIK structure -----------------------------------------------------------------------

def test_valid_residents_have_well_formed_unique_niks(truth):
    p = truth["persons"]
    valid = p.filter(pl.col("is_resident") & pl.col("in_penduduk_valid"))
    assert valid.height > 2900
    assert valid.select(_valid_nik().all()).item()
    assert p["NIK"].n_unique() == p.height                 # residents and non-residents
    assert valid["NIK"].str.slice(0, 6).is_in(list(ALL_ORIGIN_PREFIXES) + [
        "647401", "647402", "647403", "640501", "640502", "647301"]).all()
    # the date part is the birth date (+40 for women) except for the ~2% legit mismatches
    d = valid.with_columns(
        day=pl.col("NIK").str.slice(6, 2).cast(pl.Int32),
        born=pl.col("TGL_LHR").dt.strftime("%d%m%y"))
    expected = pl.format("{}{}", (pl.col("TGL_LHR").dt.day().cast(pl.Int32)
                                  + pl.when(pl.col("sex") == "P").then(40).otherwise(0))
                         .cast(pl.String).str.zfill(2), pl.col("born").str.slice(2, 4))
    agree = d.select((pl.col("NIK").str.slice(6, 6) == expected).mean()).item()
    assert 0.95 < agree < 0.995
    assert d.filter(~pl.col("nik_mismatch")).select(
        (pl.col("NIK").str.slice(6, 6) == expected).all()).item()
    # ~13% issued outside the current kecamatan
    elsewhere = valid.select((pl.col("NIK").str.slice(0, 6)
                              != pl.col("kode_kel").str.slice(0, 6)).mean()).item()
    assert 0.07 < elsewhere < 0.2


def test_origin_prefixes_exist_in_the_kemendagri_table():
    from pipelines.regions import kecamatan_table

    table = kecamatan_table()
    assert [p for p in ALL_ORIGIN_PREFIXES if p not in table] == []


def test_penduduk_region_codes_are_bontang_kelurahan(files, truth):
    pen = files["penduduk"]
    code = pl.concat_str(
        pl.col("NO_PROP").str.zfill(2), pl.col("NO_KAB").str.zfill(2),
        pl.col("NO_KEC").str.zfill(2), pl.col("NO_KEL").str.zfill(4))
    assert pen.select(code.is_in(list(BONTANG_KELURAHAN)).all()).item()
    assert (pen["NO_KEC"].str.len_chars() == 1).any()        # leading zero lost sometimes
    assert (pen["NO_KEC"].str.len_chars() == 2).any()
    kk = pen["NO_KK"].drop_nulls().str.replace_all(r"\D", "")
    assert (kk.str.len_chars() == 16).all()


# --- damage ------------------------------------------------------------------------------

def test_penduduk_damage_log_points_at_the_right_lines(world, files, truth):
    pen = files["penduduk"].with_row_index("i")
    log = truth["penduduk_damage"]
    at = log.join(pen.select(line=pl.col("i").cast(pl.Int64) + 2, NIK_file="NIK"), on="line")
    assert at.height == log.height
    assert (at["NIK"] == at["NIK_file"]).all()
    for kind, quarantined in (("bad_nik", True), ("dup_row", True), ("dup_nik", True),
                              ("nik_cosmetic", False), ("bad_date", False)):
        rows = log.filter(pl.col("damage") == kind)
        assert rows["quarantined"].eq(quarantined).all(), kind
    bad = log.filter(pl.col("damage") == "bad_nik")
    assert not bad.select(_valid_nik().any()).item()
    cosmetic = log.filter(pl.col("damage") == "nik_cosmetic")
    assert cosmetic.select(_valid_nik().all()).item()
    assert (cosmetic["NIK"] != cosmetic["NIK"].str.replace_all(r"\D", "")).all()
    # every row not logged as damaged has a clean, valid NIK
    clean = pen.filter(~(pl.col("i") + 2).is_in(log["line"].to_list()))
    assert clean.select(_valid_nik().all()).item()
    assert clean["NIK"].str.contains(r"^\d{16}$").all()
    # rows with a valid NIK used twice are exactly the duplicate rows
    digits = pen.with_columns(d=_digits("NIK"))
    shared = digits.filter(pl.col("d").is_duplicated() & _valid_nik())
    logged = log.filter(pl.col("damage").is_in(["dup_row", "dup_nik"]))["line"].to_list()
    originals_of_copies = shared.filter(~(pl.col("i") + 2).is_in(logged))
    assert originals_of_copies["d"].is_in(
        digits.filter((pl.col("i") + 2).is_in(log.filter(pl.col("damage") == "dup_row")
                                              ["line"].to_list()))["d"].to_list()).all()


def test_damage_rates_roughly_as_configured(tmp_path):
    d = Damage(welfare_nik_missing=0.2, welfare_nik_typo=0.1, welfare_nik_excel=0.05,
               roster_nik_missing=0.15, name_variant=0.4, date_error=0.1,
               penduduk_bad_nik=0.02, penduduk_dup_row=0.02, penduduk_bad_date=0.02)
    generate_world(tmp_path, residents=6000, seed=11, damage=d)
    wt = pl.read_parquet(tmp_path / "truth" / "welfare_truth.parquet")
    pt = pl.read_parquet(tmp_path / "truth" / "participant_truth.parquet")
    dtsen = _read_csv(tmp_path / "dtsen.csv")
    peserta = _read_csv(tmp_path / "peserta_bpjstk.csv")

    def rate(t: pl.DataFrame, kind: str) -> float:
        return t.select(pl.col("damage").str.split(",").list.contains(kind).mean()).item()

    assert rate(wt, "nik_missing") == pytest.approx(0.2, abs=0.03)
    assert rate(wt, "nik_typo") == pytest.approx(0.1, abs=0.025)
    assert rate(wt, "nik_excel") == pytest.approx(0.05, abs=0.02)
    assert rate(pt, "nik_missing") == pytest.approx(0.15, abs=0.03)
    assert wt.select(pl.col("damage").str.contains("name_").mean()).item() == pytest.approx(
        0.4, abs=0.04)
    assert pt.select(pl.col("damage").str.contains("date_").mean()).item() == pytest.approx(
        0.1, abs=0.03)
    # what the file says agrees with the truth labels
    missing = dtsen.select((pl.col("NIK").is_null() | (pl.col("NIK") == "-")).mean()).item()
    assert missing == pytest.approx(rate(wt, "nik_missing"), abs=0.002)
    sci = dtsen["NIK"].drop_nulls().str.contains("E+", literal=True).mean()
    assert 0.02 < sci < 0.07
    assert peserta.select((pl.col("NIK").is_null() | pl.col("NIK").is_in(["-", "0"])).mean()
                          ).item() == pytest.approx(rate(pt, "nik_missing"), abs=0.002)
    log = pl.read_parquet(tmp_path / "truth" / "penduduk_damage.parquet")
    assert log.filter(pl.col("damage") == "bad_nik").height / 6000 == pytest.approx(0.02,
                                                                                   abs=0.008)
    assert log.filter(pl.col("damage") == "dup_row").height / 6000 == pytest.approx(0.02,
                                                                                   abs=0.008)


def test_a_clean_world_has_no_damage(tmp_path):
    generate_world(tmp_path, residents=1500, seed=5, damage=Damage().scaled(0))
    persons = pl.read_parquet(tmp_path / "truth" / "persons.parquet")
    assert pl.read_parquet(tmp_path / "truth" / "penduduk_damage.parquet").height == 0
    assert persons.filter("is_resident")["in_penduduk_valid"].all()
    for src, key, truth_name in (("dtsen", "ID_DTSEN", "welfare_truth"),
                                 ("peserta_bpjstk", "KPJ", "participant_truth")):
        f = _read_csv(tmp_path / f"{src}.csv")
        t = pl.read_parquet(tmp_path / "truth" / f"{truth_name}.parquet")
        assert (t["damage"].str.contains("nik_|name_|date_").not_()).all()
        j = f.join(t.select(key, "person_id"), on=key).join(
            persons.select(person_id="person_id", NIK_true="NIK", name="name"), on="person_id")
        assert (j["NIK"] == j["NIK_true"]).all()
        assert (j["NAMA"] == j["name"]).all()
    pen = _read_csv(tmp_path / "penduduk.csv")
    assert pen.height == 1500
    assert pen["NIK"].str.contains(r"^\d{16}$").all()


def test_damage_scaled():
    d = Damage().scaled(2)
    assert d.welfare_nik_missing == pytest.approx(0.16)
    assert d.penduduk_bad_nik == pytest.approx(0.006)
    assert all(v == 0 for v in vars(Damage().scaled(0)).values())
    assert Damage().scaled(1000).welfare_nik_missing == 1.0


def test_name_and_date_variants_look_like_register_variants(truth, files, world):
    out, _ = world
    wt = truth["welfare_truth"]
    j = (files["dtsen"].join(wt.select("ID_DTSEN", "person_id", "damage"), on="ID_DTSEN")
         .join(truth["persons"].select(person_id="person_id", name="name", born="TGL_LHR"),
               on="person_id"))
    varied = j.filter(pl.col("damage").str.contains("name_"))
    assert varied.height > 0 and (varied["NAMA"] != varied["name"]).all()
    same = j.filter(~pl.col("damage").str.contains("name_"))
    assert (same["NAMA"] == same["name"]).all()
    titles = j.filter(pl.col("damage").str.contains("name_title"))["NAMA"]
    assert titles.str.strip_chars().str.contains(
        r"(?i)^(H|HJ|HAJI|HAJJAH|DRS|DRA|IR|DR)\.? |,\s?[A-Z.]+$|\sS\.PD$").all()
    # dates: correct unless a date error was applied
    parsed = j.with_columns(b=pl.coalesce(
        pl.col("TGL_LHR").str.to_date("%Y-%m-%d", strict=False),
        pl.col("TGL_LHR").str.to_date("%d-%m-%Y", strict=False),
        pl.col("TGL_LHR").str.to_date("%d/%m/%Y", strict=False)))
    assert parsed["b"].null_count() == 0
    ok = parsed.filter(~pl.col("damage").str.contains("date_"))
    assert (ok["b"] == ok["born"]).all()
    bad = parsed.filter(pl.col("damage").str.contains("date_"))
    assert (bad["b"] != bad["born"]).all()


# --- truth consistency -------------------------------------------------------------------

def test_truth_files_are_consistent(truth, files):
    p, wt, pt = truth["persons"], truth["welfare_truth"], truth["participant_truth"]
    valid = set(p.filter(pl.col("is_resident") & pl.col("in_penduduk_valid"))["NIK"])
    assert set(wt["NIK"].drop_nulls()) <= valid
    assert set(pt["NIK"].drop_nulls()) <= valid
    assert set(wt["ID_DTSEN"]) == set(files["dtsen"]["ID_DTSEN"])
    assert set(pt["KPJ"]) == set(files["peserta_bpjstk"]["KPJ"])
    # NIK is null exactly for records of people who are not valid residents
    wj = wt.join(p.select("person_id", "is_resident", "in_penduduk_valid"), on="person_id",
                 suffix="_p")
    assert (wj["NIK"].is_null() == ~(wj["is_resident_p"] & wj["in_penduduk_valid"])).all()
    # non-residents: ~3% of welfare records, ~10% of roster records
    assert 0.015 < (~wt["is_resident"]).mean() < 0.05
    assert 0.06 < (~pt["is_resident"]).mean() < 0.14
    # protected <=> an AKTIF record holding JKK and JKM
    prot = set(pt.filter("jkk_jkm_aktif")["person_id"])
    assert prot == set(p.filter("protected")["person_id"])
    # desil only for people with a welfare record
    assert set(p.filter(pl.col("desil").is_not_null())["person_id"]) == set(wt["person_id"])
    # every resident whose penduduk row is invalid is logged as damaged
    invalid = p.filter(pl.col("is_resident") & ~pl.col("in_penduduk_valid"))
    assert invalid["penduduk_damage"].str.contains("bad_nik|dup_nik").all()


def test_truth_candidates(world, truth):
    out, _ = world
    cand = truth_candidates(out / "truth", PERIOD)
    assert cand.columns == ["NIK"] and cand.height > 100
    assert cand["NIK"].n_unique() == cand.height
    p = truth["persons"].filter(pl.col("NIK").is_in(cand["NIK"].to_list()))
    assert p.height == cand.height
    ref = dt.date(2026, 11, 1)
    ages = [ref.year - b.year - ((b.month, b.day) > (ref.month, ref.day))
            for b in p["TGL_LHR"].to_list()]
    assert min(ages) >= 18 and max(ages) <= 65
    assert p["is_resident"].all() and p["in_penduduk_valid"].all()
    assert p["informal"].all() and not p["protected"].any()
    assert not p["penduduk_damage"].str.contains("bad_date|unknown_occupation").any()
    # options narrow the list
    assert truth_candidates(out / "truth", PERIOD, min_age=30, max_age=40).height < cand.height
    only88 = truth_candidates(out / "truth", PERIOD, informal_codes={88})
    assert 0 < only88.height < cand.height
    codes = truth["persons"].filter(pl.col("NIK").is_in(only88["NIK"].to_list()))
    assert ((codes["pekerjaan_kode"] == 88)
            | codes["pekerjaan_label"].str.starts_with("TUKANG")).all()
    # the informal flag in persons follows the contract default list
    flag = truth["persons"].filter("is_resident").select(
        ok=pl.col("informal") == (pl.col("pekerjaan_kode").is_in(sorted(DEFAULT_INFORMAL_CODES))
                                  .fill_null(False)
                                  | pl.col("pekerjaan_label").str.starts_with("TUKANG")))
    assert flag["ok"].all()


# --- realism -----------------------------------------------------------------------------

def test_households_and_people_look_real(truth):
    r = truth["persons"].filter("is_resident")
    ref = dt.date(2026, 11, 1)
    r = r.with_columns(age=((pl.lit(ref) - pl.col("TGL_LHR")).dt.total_days() / 365.25))
    size = r.group_by("household").len()["len"]
    assert 3.2 < size.mean() < 3.9 and size.min() >= 1 and size.max() <= 8
    assert 0.45 < (r["sex"] == "P").mean() < 0.56
    assert r["age"].min() >= 0 and r["age"].max() < 100
    assert 0.2 < (r["age"] < 15).mean() < 0.33
    assert 0.03 < (r["age"] >= 65).mean() < 0.1
    # every KK has exactly one head, and no two members share a name
    assert (r.group_by("household").agg((pl.col("role") == "head").sum())["role"] == 1).all()
    assert r.select(pl.struct("household", "name").is_unique().all()).item()
    # twins: same KK, same birth date, different names
    twins = r.filter(pl.col("role") == "child").group_by("household", "TGL_LHR").len()
    assert (twins["len"] >= 2).any()
    # namesakes with different birth dates exist, but most names are not shared
    by_name = r.group_by("name").agg(pl.col("TGL_LHR").n_unique().alias("dates"), pl.len())
    assert (by_name["dates"] > 1).any()
    assert r.join(by_name, on="name").select((pl.col("len") > 1).mean()).item() < 0.5
    mononym = (~r["name"].str.contains(" ")).mean()
    assert 0.03 < mononym < 0.14
    for pattern in (r"^MUHAMMAD ", r"^SITI ", r"^ANDI ", r"^(SRI|EKO|DWI|TRI) ",
                    r"(SIMANJUNTAK|SITORUS|PASARIBU|SIAHAAN|TAMBUNAN)$",
                    r"^(YOHANES|PETRUS|MARIA|FRANSISKUS) "):
        assert r["name"].str.contains(pattern).any(), pattern
    adults = r.filter(pl.col("age").is_between(18, 65))
    assert 0.28 < adults["informal"].mean() < 0.46
    children = r.filter(pl.col("age").is_between(7, 15))
    assert (children["pekerjaan_label"] == "PELAJAR/MAHASISWA").mean() > 0.85
    assert 0.003 < r["disabilitas"].mean() < 0.03


def test_penduduk_text_has_real_format_variety(files):
    pen = files["penduduk"]
    job = pen["JENIS_PKRJN"].drop_nulls()
    numeric = job.str.contains(r"^\d+$").mean()
    assert 0.15 < numeric < 0.35
    assert job.str.contains(" / ").any() and job.str.contains("[a-z]").any()
    assert job.str.starts_with("TUKANG OJEK").any() or job.str.starts_with("TUKANG PIJAT").any()
    labels = {v for v in SIAK_PEKERJAAN.values()}
    canon = job.str.to_uppercase().str.replace_all(r"\s*/\s*", "/").str.strip_chars()
    known = canon.is_in(list(labels)) | job.str.contains(r"^\d+$") | canon.str.starts_with(
        "TUKANG") | canon.is_in(["OJEK ONLINE", "KURIR", "PENJUAL KUE", "BURUH BANGUNAN"])
    assert known.mean() > 0.99
    sex = set(pen["JENIS_KLMIN"].drop_nulls().unique())
    assert {"LAKI-LAKI", "PEREMPUAN", "L", "P", "1", "2"} <= sex
    tgl = pen["TGL_LHR"].drop_nulls()
    assert tgl.str.contains(r"^\d{2}-\d{2}-\d{4}$").mean() > 0.75
    assert tgl.str.contains(r"^\d{4}-\d{2}-\d{2}$").any()
    assert tgl.str.contains(r"^\d{2}/\d{2}/\d{4}$").any()
    cct = pen["PNYDNG_CCT"].fill_null("")
    assert cct.is_in(["", "0", "TIDAK"]).mean() > 0.97
    assert pen["NIK"].str.contains(r"^\d{16}$").mean() > 0.97
    assert pen["ALAMAT"].str.contains(r"^(JL\.|JALAN|GG\.)").mean() > 0.8


def test_roster_composition(truth):
    p, pt = truth["persons"], truth["participant_truth"]
    ref = dt.date(2026, 11, 1)
    informal_adults = p.filter(pl.col("is_resident") & pl.col("informal")).filter(
        ((pl.lit(ref) - pl.col("TGL_LHR")).dt.total_days() / 365.25).is_between(18, 65))
    bpu = set(pt.filter(pl.col("SEGMEN") == "BPU")["person_id"])
    share = informal_adults["person_id"].is_in(list(bpu)).mean()
    assert 0.2 < share < 0.4
    bpu_rec = pt.filter((pl.col("SEGMEN") == "BPU") & pl.col("is_resident"))
    assert 0.55 < bpu_rec["jkk_jkm_aktif"].mean() < 0.85
    assert (bpu_rec.filter(pl.col("STATUS") == "AKTIF")["PROGRAM"] == "JKK").any()
    pu = pt.filter(pl.col("SEGMEN") == "PU")
    assert pu.height > bpu_rec.height and pu["PROGRAM"].str.contains("JP").mean() > 0.8


# --- several kab/kota ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def regions(tmp_path_factory):
    out = tmp_path_factory.mktemp("regions")
    generate_regions(out, [("6474", 5000), ("6409", 5000)], seed=11)
    return (out, {name: _read_csv(out / f"{name}.csv") for name in SOURCES},
            {name: pl.read_parquet(out / "truth" / f"{name}.parquet") for name in TRUTH})


def test_regions_truth_says_where_each_nik_was_issued(regions):
    """persons.nik_origin is the NIK's region (its first 6 digits), in a moved part too."""
    _, _, truth = regions
    p = truth["persons"].filter(pl.col("NIK").is_not_null())
    assert (p["nik_origin"] == p["NIK"].str.slice(0, 6)).all()
    assert p.filter(pl.col("kode_kel").str.starts_with("6409"))["nik_origin"].str.starts_with("6409").mean() > 0.8


def _damaged_copy(written: str, nik: str) -> bool:
    """A typo or two digits swapped (16 digits, 1-2 edits), or digits lost (deletions only)."""
    from rapidfuzz.distance import Levenshtein

    d = Levenshtein.distance(written, nik)
    return 0 < d <= 2 if len(written) == 16 else d == 16 - len(written) > 0


def test_regions_hold_residents_whose_nik_was_issued_in_the_other_kab_kota(regions, tmp_path):
    """A share of each part's migrants hold a NIK issued in the other part (a real kecamatan of
    it, their birth date, a serial of its own): unique, valid, the same in every file and in the
    truth, and damaged as before where it was damaged."""
    from pipelines.nik import nik_date_matches, nik_problems
    from pipelines.regions import kecamatan_table

    out, files, truth = regions
    p = truth["persons"]
    res = p.filter("is_resident").with_columns(live=pl.col("kode_kel").str.slice(0, 4),
                                               issued=pl.col("NIK").str.slice(0, 4))
    migrants = res.filter(~pl.col("issued").is_in(["6474", "6409"]) | (pl.col("issued") != pl.col("live")))
    cross = migrants.filter(pl.col("issued").is_in(["6474", "6409"]))
    assert dict(cross.group_by("live", "issued").len().select("live", "issued").iter_rows()) \
        == {"6474": "6409", "6409": "6474"}
    assert 0.25 < cross.height / migrants.height < 0.42
    assert cross["NIK"].str.slice(0, 6).is_in(list(kecamatan_table())).all()
    assert cross.select(nik_date_matches("NIK", "TGL_LHR") | pl.col("nik_mismatch")).to_series().all()
    # unique among everyone, valid for the valid residents, one penduduk row each
    assert p["NIK"].drop_nulls().is_unique().all()
    valid = p.filter(pl.col("is_resident") & pl.col("in_penduduk_valid"))
    assert set(nik_problems(valid["NIK"].to_list())) == {None}
    rows = files["penduduk"].select(_digits("NIK")).group_by("NIK").len()
    once = valid.join(rows, on="NIK", how="left").select(pl.col("len") == 1 + pl.col("penduduk_damage")
                                                         .str.contains("dup_row").cast(pl.UInt32))
    assert once.to_series().all()
    # the truth agrees with the files
    pd = truth["penduduk_damage"].join(files["penduduk"].with_row_index("line", offset=2)
                                       .select(pl.col("line").cast(pl.Int64), written="NIK"), on="line")
    assert pd["NIK"].eq_missing(pd["written"]).all()
    for name, tr, key in (("dtsen", "welfare_truth", "ID_DTSEN"), ("peserta_bpjstk", "participant_truth", "KPJ")):
        t = truth[tr].join(files[name].select(key, written="NIK"), on=key).join(
            p.select("person_id", true="NIK"), on="person_id")
        assert t.filter(pl.col("NIK").is_not_null()).select(pl.col("NIK") == pl.col("true")).to_series().all()
        mine = t.filter(pl.col("person_id").is_in(cross["person_id"].implode()))
        exact = mine.filter(~pl.col("damage").str.contains("nik_"))
        assert (exact["written"] == exact["true"]).all()
        typos = mine.filter(pl.col("damage").str.contains("nik_typo|nik_transposed|nik_truncated"))
        assert [(w, n) for w, n in typos.select("written", "true").iter_rows() if not _damaged_copy(w, n)] == []
        assert mine.height > 50 and (name == "peserta_bpjstk" or typos.height > 0)
    # the same seed, the same world
    generate_regions(tmp_path, [("6474", 5000), ("6409", 5000)], seed=11)
    for f in sorted(out.rglob("*.*")):
        assert f.read_bytes() == (tmp_path / f.relative_to(out)).read_bytes(), f


def test_bad_arguments():
    with pytest.raises(ValueError):
        generate_world("/nonexistent/never", residents=100, fmt="json")
    with pytest.raises(ValueError):
        truth_candidates("/nonexistent", "2026/11")
    # eleven kab/kota: the eleventh part's migrants would get 17-digit NIKs (the serial takes the
    # part's number); refused before anything is generated
    kabs = ["6474", "6409", "6471", "6472", "6401", "6402", "6403", "6405", "6411", "6301", "6302"]
    with pytest.raises(ValueError, match="at most 10 kab/kota"):
        generate_regions("/nonexistent/never", [(k, 100) for k in kabs])
