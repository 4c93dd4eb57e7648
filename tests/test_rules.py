"""The rules file: every setting checked and named; nothing misspelt passes silently."""

import re

import pytest

from pipelines.rules import DEFAULT_RULES, load_rules

TEXT = DEFAULT_RULES.read_text(encoding="utf-8")


def _with(tmp_path, old: str, new: str):
    assert re.search(old, TEXT, flags=re.M), old
    path = tmp_path / "rules.toml"
    path.write_text(re.sub(old, new, TEXT, count=1, flags=re.M), encoding="utf-8")
    return path


def test_the_packaged_rules_are_the_contract_defaults():
    r = load_rules()
    assert (r.min_age, r.max_age, r.monthly_contribution, r.active_status, r.required_programs) == \
        (18, 65, 16_800, ("AKTIF",), ("JKK", "JKM"))


@pytest.mark.parametrize("old,new,said", [
    # nonsense a run used to take: a negative premium, a threshold no link can reach, a text age
    (r"^jkm = 6800", "jkm = -5", "contribution.jkm must be a whole number from 0 to 1,000,000,000, not -5"),
    (r"^link_threshold = 0.90", "link_threshold = 1.5",
     "linkage.link_threshold must be a number between 0 and 1, both excluded"),
    # found by fuzzing: at 1 every link went, exact NIKs too (a score is just under 1), exit 0;
    # at 0 every compared pair linked
    (r"^link_threshold = 0.90", "link_threshold = 1", "linkage.link_threshold must be a number between 0 and 1"),
    (r"^review_threshold = 0.50", "review_threshold = 0", "linkage.review_threshold must be a number between 0 and 1"),
    (r"^max_age = 65", 'max_age = "abc"', "eligibility.max_age must be a whole number from 0 to 120, not 'abc'"),
    (r"^max_age = 65", "max_age = 65.5", "eligibility.max_age must be a whole number from 0 to 120, not 65.5"),
    (r"^review_threshold = 0.50", "review_threshold = 0.95",
     "linkage.review_threshold must be <= linkage.link_threshold"),
    (r"^min_age = 18", "min_age = 70", "eligibility.min_age must be <= eligibility.max_age"),
    # a status or programme misspelt matched no roster record: everyone was a candidate
    (r'^required_programs = \["JKK", "JKM"\]', 'required_programs = ["JKK", "JMK"]',
     "protection.required_programs must be a list of JKK, JKM, JHT, JP, JKP, not ['JMK']"),
    (r'^active_status = \["AKTIF"\]', 'active_status = ["AKTIV"]',
     "protection.active_status must be a list of AKTIF, NONAKTIF, not ['AKTIV']"),
    (r'^active_status = \["AKTIF"\]', "active_status = []",
     "protection.active_status must be a list of texts (at least one), not []"),
    # an outside review: a quoted code was quoted twice, as not "'8'", and not said to be a text
    (r"^informal_codes = \[8, 9,", 'informal_codes = ["8", 9,',
     'eligibility.informal_codes must be a list of SIAK occupation codes (whole numbers 1 to 89), '
     'not "8" (a text: write 8, without quotes)'),
    # an outside review: none at all left every resident out (0 candidates, exit 0), and withdrew
    # a period's pending candidates as "pekerjaan bukan sektor informal", without a word
    (r"^informal_codes = \[8, 9,(.|\n)*?\]", "informal_codes = []",
     "eligibility.informal_codes must be a list of SIAK occupation codes (whole numbers 1 to 89, at least one), not []"),
    # a rules review: 99 (for 9) left every petani out without a word, and a wrong entry was
    # quoted as the whole list, starred as one long run of digits; SIAK's codes run 1 to 89
    (r"^informal_codes = \[8, 9,", "informal_codes = [8, 99, 0, 8.5,",
     "eligibility.informal_codes must be a list of SIAK occupation codes (whole numbers 1 to 89), not 99, 0, 8.5"),
    # a contribution the submission table cannot hold stopped the run at its end, naming nothing
    (r"^declared_income = .*\njkk_rate = .*$", "declared_income = 2147483647\njkk_rate = 1",
     "the monthly contribution these settings give (contribution.declared_income x jkk_rate + jkm: "
     "Rp2,147,490,447) must be at most Rp2,147,483,647"),
    # an outside review: an income the docs allowed (up to 10,000,000,000) but the submission
    # batch's declared_income (a PostgreSQL integer) cannot hold passed, and the run failed at its
    # very end ("integer out of range"), its candidates and coverage report written
    (r"^declared_income = .*$", "declared_income = 2147483648",
     "contribution.declared_income must be a whole number from 1 to 2,147,483,647 (what the submission "
     "tables hold), not 2147483648"),
    # a misspelt optional setting was left at its default without a word
    (r"^no_welfare_desil = 11", "no_welfar_desil = 12", "unknown setting ranking.no_welfar_desil"),
    (r"^\[ranking\]", "[rangking]", "unknown table [rangking]"),
    # a setting under another table than its own (a rules review's leftover): said whose it is
    (r"^no_welfare_desil = 11", "no_welfare_desil = 11\nmonths = 24", "months is a setting of [retention], not of "
     "[ranking]: move it below the line [retention]"),
    # an outside review: a table's name given a value, and a setting above every table header,
    # were each "unknown table [eligibility]" / "unknown table [min_age]"
    (r"^\[eligibility\]\n", "eligibility = 5\n",
     "eligibility must be a table (a line [eligibility] with its settings on the lines below it), not 5"),
    (r"^\[eligibility\]\n", "",
     "min_age stands above every table header, where no setting belongs: it is a setting of [eligibility], "
     "so put it on a line below [eligibility]"),
    (r"\A", "minimum_age = 18\n",
     "unknown setting minimum_age, above every table header, where no setting belongs (the tables are [eligibility], "),
    (r"^min_age = 18.*$", "", "missing setting eligibility.min_age"),
    # found by an audit: a NIK and a name pasted into the file were quoted back in full, on the
    # terminal and, in a scheduled run, in Dagster's event log: long digit runs starred, cut at 24 characters
    (r"^jkm = 6800", 'jkm = "6474014508850001 SITI AMINAH BINTI MUHAMMAD"',
     "contribution.jkm must be a whole number from 0 to 1,000,000,000, not '**************** SITI …"),
    (r'^active_status = \["AKTIF"\]', 'active_status = ["AKTIF 6474014508850001"]',
     "protection.active_status must be a list of AKTIF, NONAKTIF, not ['AKTIF ***************…"),
    (r"^no_welfare_desil = 11", 'no_welfare_desil = 11\n"6474014508850001" = 1',
     "unknown setting ranking.**************** (a misspelt"),
])
def test_a_wrong_setting_is_named(tmp_path, old, new, said):
    path = _with(tmp_path, old, new)
    with pytest.raises(ValueError) as caught:
        load_rules(path)
    assert str(caught.value).startswith(f"{path}: {said}")


def test_optional_settings_take_their_defaults(tmp_path):
    path = _with(tmp_path, r"^no_welfare_desil = 11.*$", "")
    path.write_text(re.sub(r'^informal_label_prefixes = .*$', "", path.read_text(), flags=re.M))
    r = load_rules(path)
    assert r.no_welfare_desil == 11 and r.informal_label_prefixes == ()
    assert load_rules(_with(tmp_path, r"^jkm = 6800", "jkm = 0")).monthly_contribution == 10_000


def test_label_prefixes_are_read_as_the_ingest_writes_labels(tmp_path):
    """A rules review: "OJEK  ONLINE" (two spaces) matched no label OJEK ONLINE, as the ingest
    writes it (one space between words, none around '/', upper case)."""
    from pipelines.siak import OCCUPATIONS

    path = _with(tmp_path, r'^informal_label_prefixes = .*$', 'informal_label_prefixes = ["ojek  online", " TUKANG / PIJAT "]')
    assert load_rules(path).informal_label_prefixes == ("OJEK ONLINE", "TUKANG/PIJAT")
    assert sorted(OCCUPATIONS) == list(range(1, 90))   # the codes the rules accept


def test_a_rules_path_that_is_a_folder_is_named(tmp_path):
    """It stopped the command with Python's IsADirectoryError."""
    with pytest.raises(ValueError, match=r"is a folder, expected a rules file \(TOML\)$"):
        load_rules(tmp_path)


@pytest.mark.parametrize("programs,said", [
    # an outside review: JP was taken, and nobody could ever count as protected (a BPU worker
    # holds no JP: DOMAIN.md), so every protected informal worker was listed and submitted
    ('["JKK", "JKM", "JP"]', "protection.required_programs may name only programmes a BPU (non-wage) enrolment "
                             "provides, JKK, JKM, JHT, not JP (JP and JKP are for wage earners"),
    ('["JKK", "JKM", "JKP", "JP"]', "protection.required_programs may name only programmes a BPU (non-wage) "
                                    "enrolment provides, JKK, JKM, JHT, not JP, JKP"),
    # the mission is JKK + JKM: without JKM required, someone holding JKK alone counted as protected
    ('["JKK"]', "protection.required_programs must include JKK and JKM, not leave out JKM (Lindungi enrolls "
                "informal workers in JKK + JKM"),
    ('["JHT"]', "protection.required_programs must include JKK and JKM, not leave out JKK, JKM"),
])
def test_required_programmes_are_what_a_bpu_enrolment_provides(tmp_path, programs, said):
    path = _with(tmp_path, r'^required_programs = \["JKK", "JKM"\]', f"required_programs = {programs}")
    with pytest.raises(ValueError) as caught:
        load_rules(path)
    assert str(caught.value).startswith(f"{path}: {said}")


def test_jht_required_is_enrolled_and_paid(tmp_path):
    """An outside review: with JHT required, the premium was JKK + JKM's and the export's PROGRAM
    'JKK,JKM', so the city would register again for what people hold and never get them JHT. The
    package is the programmes required, in the roster's order, and JHT is paid at jht_rate."""
    rules = load_rules(_with(tmp_path, r'^required_programs = \["JKK", "JKM"\]', 'required_programs = ["jht", "JKM", "JKK", "JHT"]'))
    assert rules.required_programs == ("JKK", "JKM", "JHT")
    assert (rules.program_codes, rules.program_words) == ("JKK,JKM,JHT", "JKK + JKM + JHT")
    assert (rules.jht, rules.monthly_contribution) == (20_000, 36_800)   # + 2% of Rp1,000,000
    default = load_rules()
    assert (default.program_codes, default.program_words, default.jht, default.monthly_contribution) == \
        ("JKK,JKM", "JKK + JKM", 0, 16_800)
    # the rate is the file's: required with JHT, and checked as every setting is
    bare = _with(tmp_path, r'^required_programs = \["JKK", "JKM"\]', 'required_programs = ["JKK", "JKM", "JHT"]')
    bare.write_text(re.sub(r"^jht_rate = .*$", "", bare.read_text(), flags=re.M))
    with pytest.raises(ValueError, match=r"missing setting contribution\.jht_rate \(protection\.required_programs "
                                         r"includes JHT.*jht_rate = 0\.02\)"):
        load_rules(bare)
    assert load_rules(_with(tmp_path, r"^jht_rate = .*$", "")).jht_rate is None   # not required without JHT
    with pytest.raises(ValueError, match=r"contribution\.jht_rate must be a number from 0 to 1"):
        load_rules(_with(tmp_path, r"^jht_rate = 0.02", "jht_rate = 2"))


def test_the_programmes_protection_requires_are_named_as_the_rules_have_them(tmp_path):
    """A rules review: with JHT required as well, someone holding an active JKK+JKM was listed as
    "terdaftar di BPJS TK tetapi JKK+JKM tidak aktif", and a withdrawal said "sudah terlindungi
    JKK+JKM": the texts name the programmes the rules require."""
    import polars as pl

    from pipelines.candidates import protection_words, withdrawal_reasons

    rules = load_rules(_with(tmp_path, r'^required_programs = \["JKK", "JKM"\]', 'required_programs = ["JKK", "JKM", "JHT"]'))
    assert protection_words(load_rules()) == "JKK+JKM" and protection_words(rules) == "JKK+JKM+JHT"
    nik = "6474011508850001"
    assessed = pl.DataFrame({"NIK": [nik], "terlindungi": [True], "judgeable": [True], "umur": [40], "informal": [True]})
    assert withdrawal_reasons(assessed, rules, [nik]) == {nik: "sudah terlindungi JKK+JKM+JHT"}
