"""CONTRACT §2 at its edges: working age on the period's first day, protection, the ranking's
keys in order, and the contribution's arithmetic, each on hand-made residents (the pipeline
tests hold quality floors that let an off-by-one through)."""
from datetime import date

import polars as pl
import pytest

from pipelines import schema
from pipelines.candidates import assess, enrollment_candidates
from pipelines.dates import age_on
from pipelines.ingest import clean_penduduk
from pipelines.readers import read_extract
from pipelines.rules import load_rules
from tests.test_readers import _peserta, row, write_csv
from tests.test_rules import _with

PERIOD = "2026-11"


@pytest.mark.parametrize("born, age", [(date(2008, 11, 1), 18), (date(2008, 11, 2), 17), (date(2008, 10, 31), 18),
                                       (date(1960, 11, 1), 66), (date(1960, 11, 2), 65), (date(1961, 12, 31), 64)])
def test_age_on_counts_a_birthday_on_the_day_itself(born, age):
    """(beside test_parsing.py::test_age_on_matches_calendar_arithmetic, whose random dates
    rarely fall on the period's first day)"""
    assert pl.DataFrame({"d": [born]}).select(age_on("d", date(2026, 11, 1))).item() == age


def _assessed(tmp_path, rows, participants=None, links=None, welfare=None, welfare_links=None, rules=None):
    write_csv(tmp_path / "penduduk.csv", rows)
    residents = clean_penduduk(read_extract(tmp_path, "penduduk")).accepted
    return assess(residents,
                  welfare if welfare is not None else schema.empty(schema.WELFARE_RECORDS),
                  welfare_links if welfare_links is not None else schema.empty(schema.WELFARE_LINKS),
                  participants if participants is not None else schema.empty(schema.PARTICIPANTS),
                  links if links is not None else schema.empty(schema.PARTICIPANT_LINKS), rules or load_rules(), PERIOD)


def test_working_age_is_18_to_65_completed_years_on_the_period_s_first_day(tmp_path):
    """CONTRACT §2: 18..65 in completed years on the first day of the period, both ends in."""
    people = {  # NIK (its date agrees with the birth date) -> (birth date, age, candidate)
        "6474010111080001": ("01-11-2008", 18, True),   # 18 on the very day the period begins
        "6474010211080001": ("02-11-2008", 17, False),  # 18 a day later: not this period
        "6474010111600001": ("01-11-1960", 66, False),  # 66 on the day
        "6474010211600001": ("02-11-1960", 65, True),   # 65 all through the first day
    }
    assessed = _assessed(tmp_path, [row(nik=n, dob=d) for n, (d, _, _) in people.items()])
    assert dict(assessed.select("NIK", "umur").iter_rows()) == {n: a for n, (_, a, _) in people.items()}
    listed = set(enrollment_candidates(assessed, load_rules(), PERIOD)["NIK"])
    assert listed == {n for n, (_, _, ok) in people.items() if ok}


def test_protection_is_an_aktif_card_with_both_jkk_and_jkm(tmp_path):
    """CONTRACT §2: protected = a linked card AKTIF holding JKK and JKM; one programme alone, or a
    NONAKTIF card, protects no one; one active card among old inactive ones does."""
    niks = [f"647401150885000{i}" for i in range(1, 6)]
    participants = _peserta(tmp_path,
                            f'1,{niks[0]},AHMAD YANI,15-08-1985,BPU,AKTIF,"JKK,JKM",2026-10',
                            f'2,{niks[1]},AHMAD YANI,15-08-1985,BPU,AKTIF,JKK,2026-10',
                            f'3,{niks[2]},AHMAD YANI,15-08-1985,BPU,NONAKTIF,"JKK,JKM",2026-10',
                            f'4,{niks[3]},AHMAD YANI,15-08-1985,BPU,NONAKTIF,"JKK,JKM",2020-10',
                            f'5,{niks[3]},AHMAD YANI,15-08-1985,BPU,AKTIF,"JKK,JKM,JHT",2026-10').accepted
    links = pl.DataFrame({"KPJ": ["1", "2", "3", "4", "5"], "NIK": niks[:3] + [niks[3], niks[3]],
                          "method": "nik_exact", "score": 1.0, "evidence": ""})
    assessed = _assessed(tmp_path, [row(nik=n) for n in niks], participants, links)
    assert dict(assessed.select("NIK", "terlindungi").iter_rows()) == {
        niks[0]: True, niks[1]: False, niks[2]: False, niks[3]: True, niks[4]: False}
    assert set(enrollment_candidates(assessed, load_rules(), PERIOD)["NIK"]) == {niks[1], niks[2], niks[4]}


def test_protection_is_decided_by_the_rules_of_the_assessment_not_of_the_ingest(tmp_path):
    """An outside review: protection was decided at the ingest with the ingest's rules, and the
    period's assets materialized alone after a rules change (the documented route) kept the old
    protection (860 protected instead of 1,008 with NONAKTIF protecting). The roster is cleaned
    rule-free (STATUS and the programmes held); the assessment decides with its own rules."""
    from dataclasses import replace

    niks = [f"647401150885000{i}" for i in range(1, 5)]
    participants = _peserta(tmp_path,
                            f'1,{niks[0]},AHMAD YANI,15-08-1985,BPU,AKTIF,"JKK,JKM",2026-10',
                            f'2,{niks[1]},AHMAD YANI,15-08-1985,BPU,NONAKTIF,"JKK,JKM",2026-10',
                            f'3,{niks[2]},AHMAD YANI,15-08-1985,BPU,AKTIF,"JKK,JKM,JHT",2026-10',
                            f'4,{niks[3]},AHMAD YANI,15-08-1985,BPU,,"JKK,JKM",2026-10').accepted
    assert not {"jkk_jkm_aktif", "protects", "terlindungi"} & set(participants.columns)
    links = pl.DataFrame({"KPJ": ["1", "2", "3", "4"], "NIK": niks, "method": "nik_exact", "score": 1.0, "evidence": ""})
    rows = [row(nik=n) for n in niks]
    default = load_rules()

    def protected(rules):
        return {n for n, p in _assessed(tmp_path, rows, participants, links, rules=rules)
                .select("NIK", "terlindungi").iter_rows() if p}

    assert protected(default) == {niks[0], niks[2]}
    assert protected(replace(default, active_status=("AKTIF", "NONAKTIF"))) == {niks[0], niks[1], niks[2]}
    assert protected(replace(default, required_programs=("JKK", "JKM", "JHT"), jht_rate=0.02)) == {niks[2]}


def test_ranking_is_disability_then_desil_then_no_record_then_kelurahan_then_name(tmp_path):
    """CONTRACT §2's order, each key deciding where the ones before it tie; the lowest desil of
    a resident's welfare records counts."""
    #          NIK                   name      kec  disability
    people = [("6474011508850001", "ZAINAL", "1", "CACAT FISIK"),   # disabled, no welfare record
              ("6474011508850002", "BUDI", "1", ""),                # desil 1 (and desil 7 on another record)
              ("6474011508850003", "ANDI", "2", ""),                # desil 2
              ("6474011508850004", "CICI", "1", ""),                # no welfare record, kelurahan 647401
              ("6474011508850005", "ADI", "2", ""),                 # no welfare record, kelurahan 647402
              ("6474011508850006", "BAMBANG", "1", "")]             # no welfare record, kelurahan 647401: before CICI by name
    rows = []
    for nik, name, kec, dis in people:
        r = row(nik=nik, name=name, kec=kec)
        r[8] = dis
        rows.append(r)
    (tmp_path / "dtsen.csv").write_text(
        "ID_DTSEN,NIK,NO_KK,NAMA,TGL_LHR,JENIS_KLMIN,ALAMAT,KODE_KEL,DESIL\n"
        "D1,6474011508850002,,BUDI,15-08-1985,L,,6474011001,7\n"
        "D2,6474011508850002,,BUDI,15-08-1985,L,,6474011001,1\n"
        "D3,6474011508850003,,ANDI,15-08-1985,L,,6474021001,2\n")
    from pipelines.ingest import clean_dtsen
    welfare = clean_dtsen(read_extract(tmp_path, "dtsen")).accepted
    wl = pl.DataFrame({"ID_DTSEN": ["D1", "D2", "D3"],
                       "NIK": ["6474011508850002", "6474011508850002", "6474011508850003"],
                       "method": "nik_exact", "score": 1.0, "evidence": ""})
    assessed = _assessed(tmp_path, rows, welfare=welfare, welfare_links=wl)
    ranked = enrollment_candidates(assessed, load_rules(), PERIOD).sort("rank")
    assert ranked["NAMA_LGKP"].to_list() == ["ZAINAL", "BUDI", "ANDI", "BAMBANG", "CICI", "ADI"]
    assert ranked.filter(pl.col("NAMA_LGKP") == "BUDI")["desil"].item() == 1


@pytest.mark.parametrize("income, rate, monthly", [
    ("500000", "0.01", 10_000 + 6_800),     # 1% is Rp5,000: the minimum Rp10,000 applies
    ("1000000", "0.01", 10_000 + 6_800),    # the defaults: 1% is exactly the minimum
    ("2500000", "0.01", 25_000 + 6_800),    # above the minimum: 1% of the income
    ("1000000", "0.0174", 17_400 + 6_800),  # another rate, read as a fraction
    # money is rounded half up (Excel's and SQL's ROUND), not half to even (Python's round): an
    # outside review had Rp10,008 of 10,008.5 and Rp25,000 of 25,000.5, but Rp31,112 of 31,111.5
    ("1000850", "0.01", 10_009 + 6_800),
    ("2500050", "0.01", 25_001 + 6_800),
    ("3111150", "0.01", 31_112 + 6_800),
    # an exact half whose float product falls just under it (26,578.4999…): a float trick
    # (floor(x + 0.5)) rounds it down
    ("1527500", "0.0174", 26_579 + 6_800),
])
def test_jkk_is_the_rate_of_the_income_with_its_minimum_plus_jkm(tmp_path, income, rate, monthly):
    """(beside test_rules.py::test_the_packaged_rules_are_the_contract_defaults, where 1% of the
    default income is the minimum itself: max/min/no minimum all give Rp16,800)"""
    path = _with(tmp_path, r"^declared_income = .*\njkk_rate = .*$", f"declared_income = {income}\njkk_rate = {rate}")
    assert load_rules(path).monthly_contribution == monthly
