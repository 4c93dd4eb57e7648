"""NIK, date and name parsing: exact outcomes, plus properties (hypothesis)."""

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.dates import age_on, with_parsed_date
from pipelines.names import normalize_name
from pipelines.nik import mask, nik_date_matches, with_nik_columns


def _one(expr, value):
    return pl.DataFrame({"x": [value]}, schema={"x": pl.String}).select(expr).item()


@pytest.mark.parametrize("raw,problem,digits", [
    ("6474011508850001", None, "6474011508850001"),
    ("'6474011508850001", None, "6474011508850001"),
    ("6474011508850001\u200b", None, "6474011508850001"),
    (" 6474 0115 0885 0001 ", None, "6474011508850001"),
    ("6474015508850001", None, "6474015508850001"),      # woman: day + 40
    ("6.47401E+15", "nik_excel_damaged", None),
    ("6474011508850001A", "nik_characters", "6474011508850001"),      # every non-digit used to be dropped
    ("NIK 6474011508850001", "nik_characters", "6474011508850001"),
    ("6474-0115-0885-0001", None, "6474011508850001"),               # separators typed between groups
    ("6474.0115.0885.0001", None, "6474011508850001"),
    ("6,47401E+15", "nik_excel_damaged", None),
    ("647401150885000", "nik_length", "647401150885000"),
    ("0074011508850001", None, "0074011508850001"),       # no such province: valid, flagged in the ingest
    ("6474013508850001", "nik_day", "6474013508850001"),  # day 35: neither man nor woman
    ("6474011513850001", "nik_month", "6474011513850001"),
    ("6474011508850000", "nik_serial", "6474011508850000"),
    ("", "nik_missing", None),
    (None, "nik_missing", None),
    ("647401150885000\u0661", "nik_length", "647401150885000"),   # an Arabic-Indic digit is no NIK digit
    ("647401\u0661508850001", "nik_length", "647401508850001"),   # (it passed as valid in the day)
    # all in full-width digits: too few ASCII ones, as above, not "empty" (an input review)
    ("\uff16\uff14\uff17\uff14\uff10\uff11\uff11\uff15\uff10\uff18\uff18\uff15\uff10\uff10\uff10\uff11", "nik_length", None),
    ("-", "nik_missing", None), ("NIK", "nik_missing", None),
    ('="6474011508850001"', None, "6474011508850001"),   # Excel's text formula keeping 16 digits
    (' = "6474011508850001" ', None, "6474011508850001"),
])
def test_nik_problem_and_digits(raw, problem, digits):
    df = with_nik_columns(pl.DataFrame({"x": [raw]}, schema={"x": pl.String}), "x", problem="p", digits="d")
    assert df.columns == ["x", "p", "d"] and df.row(0) == (raw, problem, digits)
    # either column alone is the same value
    assert with_nik_columns(df.select("x"), "x", problem="p").row(0) == (raw, problem)
    assert with_nik_columns(df.select("x"), "x", digits="d").row(0) == (raw, digits)


def test_nik_date_matches_uses_day_plus_40_for_women():
    df = pl.DataFrame({"nik": ["6474015508850001", "6474011508850001", "6474011608850001"],
                       "dob": [date(1985, 8, 15)] * 3})
    assert df.select(nik_date_matches("nik", "dob")).to_series().to_list() == [True, True, False]


def test_mask_keeps_first_six_and_last_four():
    assert mask("6474011508850001") == "647401******0001"
    assert mask(None) == ""
    # anything but 16 digits in full stars: first 6 and last 4 of a truncated NIK were 10 of its 12
    assert mask("647401150885") == "*" * 12 and mask("6474011508850001A") == "*" * 17


@pytest.mark.parametrize("raw,expected", [
    ("15-08-1985", date(1985, 8, 15)), ("1985-08-15", date(1985, 8, 15)), ("15/08/1985", date(1985, 8, 15)),
    ("31274", date(1985, 8, 15)), ("1985-08-15 00:00:00", date(1985, 8, 15)),
    # a year typed alone is no date (it was Excel's day 1985: 1905-06-07), a serial next to it is
    ("1985", None), ("1985.0", None), ("2001", None), ("1899", date(1905, 3, 13)), ("2101", date(1905, 10, 1)),
    ("31-02-1990", None), ("", None), ("kemarin", None), ("99999999", None),
    # a two-digit year is no accepted form (strptime read it as the year 8 or 90: 2018 years old)
    ("01-11-08", None), ("05-05-90", None), ("05/05/90", None), ("0090-05-05", None),
    ("31-12-1899", None), ("01-01-1900", date(1900, 1, 1)),
    # a timestamp with its zone (Spark, pyarrow): the date as written, in its own zone
    ("1985-08-15 00:00:00.000000+08:00", date(1985, 8, 15)), ("1985-08-15T00:00:00Z", date(1985, 8, 15)),
    ("1985-08-15T23:30:00-0500", date(1985, 8, 15)), ("1985-08-15 00:00 UTC", date(1985, 8, 15)),
    # but a time in UTC is read at UTC+9 (an input review: Spark keeps every timestamp in UTC, and
    # a Bontang midnight, 16:00 UTC the day before, was a day early): from 15:00 it is the next day
    ("1985-08-14T16:00:00Z", date(1985, 8, 15)), ("1985-08-14T17:00:00.000Z", date(1985, 8, 15)),
    ("1985-08-14 15:00 UTC", date(1985, 8, 15)), ("1985-08-14T16:00:00+00:00", date(1985, 8, 15)),
    ("1985-08-14T14:59:59Z", date(1985, 8, 14)), ("1985-08-14T16:00:00+08:00", date(1985, 8, 14)),
    # an Excel serial with a time is its day
    ("31274.5", date(1985, 8, 15)), ("31274.99", date(1985, 8, 15)),
    # with a decimal comma (an Indonesian locale), and after Excel's text marker
    ("31274,5", date(1985, 8, 15)), ("'15-08-1985", date(1985, 8, 15)), (" '1985-08-15", date(1985, 8, 15)),
    # a month as a word, Indonesian or English, full or short, old spellings; four-digit years only
    ("15 Agustus 1985", date(1985, 8, 15)), ("15-Agu-1985", date(1985, 8, 15)), ("15 agt. 1985", date(1985, 8, 15)),
    ("15-Aug-1985", date(1985, 8, 15)), ("29 Pebruari 2000", date(2000, 2, 29)), ("7/Nop/1977", date(1977, 11, 7)),
    ("1 Mei 1990", date(1990, 5, 1)), ("31 Februari 1990", None), ("15 Agustus 85", None), ("15 Bulan 1985", None),
])
def test_parse_date_forms(raw, expected):
    parsed = with_parsed_date(pl.DataFrame({"x": [raw]}, schema={"x": pl.String}), "x", "d")
    assert parsed.columns == ["x", "d"]  # (its steps' columns dropped)
    assert parsed.item(0, "d") == expected


def test_parse_date_roundtrips_every_accepted_form():
    """Every accepted form of 3,000 dates from 1900-03-01 to 2099-12-31 (seeded, with the range's
    ends and every leap day) reads back as the date, all in one frame: as a property test of 200
    one-row frames per form it took 9-14 s for 200 dates."""
    import calendar
    import random
    from datetime import timedelta

    first, last = date(1900, 3, 1), date(2099, 12, 31)
    rng = random.Random(2027)
    days = {first + timedelta(days=rng.randrange((last - first).days + 1)) for _ in range(3000)}
    days |= {first, last} | {date(y, 2, 29) for y in range(1904, 2100) if calendar.isleap(y)}
    bulan = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember"]
    texts, want = [], []
    for d in sorted(days):
        serial = str((d - date(1899, 12, 30)).days)
        # (serials 1900-2100, days of 1905, read as a year typed alone: not a date; nor those of
        # two or three digits, days of 1900-1902: an age typed in the date's column)
        forms = (d.strftime("%d-%m-%Y"), d.isoformat(), d.strftime("%d/%m/%Y"),
                 *([serial] if not 1900 <= int(serial) <= 2100 and int(serial) >= 1000 else []),
                 f"{d.day} {bulan[d.month - 1]} {d.year}", f"{d.day:02d}-{d.strftime('%b')}-{d.year}")
        texts += forms
        want += [d] * len(forms)
    got = with_parsed_date(pl.DataFrame({"x": texts}, schema={"x": pl.String}), "x", "d").get_column("d").to_list()
    wrong = [(t, w, g) for t, w, g in zip(texts, want, got) if g != w]
    assert len(texts) > 15_000 and not wrong, wrong[:5]


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31)))
@settings(max_examples=200, deadline=None)
def test_age_on_matches_calendar_arithmetic(d):
    on = date(2026, 11, 1)
    expected = on.year - d.year - ((on.month, on.day) < (d.month, d.day))
    got = pl.DataFrame({"d": [d]}).select(age_on("d", on)).item()
    assert got == expected


@given(st.text(alphabet="0123456789", min_size=16, max_size=16))
@settings(max_examples=300, deadline=None)
def test_nik_validity_property(s):
    day, month, serial = int(s[6:8]), int(s[8:10]), s[12:]
    prob = with_nik_columns(pl.DataFrame({"x": [s]}), "x", problem="p").item(0, "p")
    structurally_ok = (1 <= day <= 31 or 41 <= day <= 71) and 1 <= month <= 12 and serial != "0000"
    assert (prob is None) == structurally_ok               # CONTRACT §1's definition, and only it


@pytest.mark.parametrize("raw,expected", [
    ("H. MUHAMMAD RIZKY, S.PD", "MUHAMMAD RIZKY"),
    ("m. rizky", "MUHAMMAD RIZKY"),
    ("MOH RIZKY", "MUHAMMAD RIZKY"),
    ("SITTI AMINAH BINTI ABDULLAH", "SITI AMINAH"),
    ("SOETRISNO", "SUTRISNO"),
    ("DJOKO TJAHJONO", "JOKO CAHYONO"),
    ("JOKO", "JOKO"),                      # a modern J stays J
    ("JAYA JAYA", "JAYA"),
    ("DRS. BAMBANG SUPRIYADI M.SI", "BAMBANG SUPRIYADI"),
    ("Hj. Siti Nurhaliza", "SITI NURHALIZA"),
    ("ABD RAHMAN", "ABDUL RAHMAN"),
    ("R. ANDI", "ANDI"),
    ("SITI\u00a0AMINAH", "SITI AMINAH"),           # non-breaking and zero-width spaces split words
    ("\ufeffMUHAMMAD\u200bALI  BIN\u00a0ABU", "MUHAMMAD ALI"),
    ("  ANDI -- 2  ", "ANDI"),
    ("HAJJAH SITI AMINAH", "SITI AMINAH"),          # the generator's own title, and HJH
    ("HJH. SITI AMINAH", "SITI AMINAH"),
    ("H.M. YUSUF", "MUHAMMAD YUSUF"),                 # Haji Muhammad
    ("MUCH. YUSUF", "MUHAMMAD YUSUF"),
    ("MUKHAMMAD YUSUF", "MUHAMMAD YUSUF"),
    ("MOEH. YUSUF", "MUHAMMAD YUSUF"),                # old spelling of MUH.
    ("MA'RUF AMIN", "MARUF AMIN"),                   # an apostrophe inside a word joins it
    ("Ma\u2019ruf Amin", "MARUF AMIN"),
    ("ST. AMINAH", "SITI AMINAH"),                   # ST. for SITI (a degree only after the name)
    ("ST AISYAH RAHMAN", "SITI AISYAH RAHMAN"),
    ("BUDI SANTOSO S.SOS", "BUDI SANTOSO"),           # degrees common in legacy names, without a comma
    ("DEWI KARTIKA SARI S.SI", "DEWI KARTIKA SARI"),
    ("ANDI BASO AMIR A.MA", "ANDI BASO AMIR"),
    ("RINA WATI LESTARI AMK", "RINA WATI LESTARI"),
    ("HENDRA GUNAWAN S.TP M.KES", "HENDRA GUNAWAN"),
    ("ASRUL SANI S.PT", "ASRUL SANI"),
    ("BRIPDA ANDI PRATAMA", "ANDI PRATAMA"),          # ranks missing from the list
    ("SERDA BUDI HARTONO", "BUDI HARTONO"),
    ("H.", None),                                     # titles alone are no name
    ("IR. H.", None),
    ("DRS. H. R.", None),
    ("H. M.", "MUHAMMAD"),                            # Haji Muhammad
    ("DRS. H. EKO", "EKO"),                           # H./R. after titles alone is still a title
    ("IR. H. JOKO WIDODO", "JOKO WIDODO"),
    ("HJ. R. AYU", "AYU"),
    ("BUDI R SANTOSO", "BUDI R SANTOSO"),             # ... inside a name, an initial
    ("ING", "ING"),                                   # a Dayak name (it was a title anywhere: no name)
    ("HANG ING", "HANG ING"),
    ("ING. SUKARNO", "SUKARNO"),                      # the engineer's degree, before the name
    ("DR.-ING. BUDI SANTOSO", "BUDI SANTOSO"),           # ... also after another title
    ("PROF. DR.-ING. B.J. HABIBIE", "BJ HABIBIE"),
    ("JOSÉ MARÍA DA COSTA", "JOSE MARIA DA COSTA"),  # accents folded: it was JOS MAR A DA COSTA
    ("Ignácio Ximenes", "IGNACIO XIMENES"),
    # Balinese: the clerks' abbreviations of birth-order names and caste titles written out (the
    # gender marker I/NI stays: on a roster card it is the only word of the sex)
    ("I WAYAN SUDIRTA", "I WAYAN SUDIRTA"),
    ("I KDK SUJANA", "I KADEK SUJANA"),
    ("NGH JUNIARI", "NENGAH JUNIARI"),
    ("NI NYM DWI KASIH", "NI NYOMAN DWI KASIH"),
    ("I GST NGURAH RAI", "I GUSTI NGURAH RAI"),
    ("COK ISTRI RATNADI", "COKORDA ISTRI RATNADI"),
    ("IA KURNIASIH", "IA KURNIASIH"),                 # two letters: initials, or a name (Sundanese IA)
    ("IG. SUKARDI", "IG SUKARDI"),
    # HI. is Haji in Gorontalo, North Maluku and parts of Sulawesi: a title before the name only
    ("HI. ABDULLAH", "ABDULLAH"), ("DRS. HI. ABDULLAH", "ABDULLAH"), ("ABDULLAH HI", "ABDULLAH HI"), ("HI", "HI"),
    # a padded name with its space dropped is the padded name
    ("KARTINIKARTINI", "KARTINI"), ("JAYAJAYA", "JAYA"), ("NANA", "NANA"),
    # MUHAMMAD mistyped, one edit from a long spelling of it; other names of M are left
    ("MOHAMD HUNTA", "MUHAMMAD HUNTA"), ("MOHLMAD USMAN", "MUHAMMAD USMAN"), ("MUHAMAT", "MUHAMMAD"),
    ("MAHMUD", "MAHMUD"), ("MUHARAM", "MUHARAM"), ("MARIAM", "MARIAM"), ("MUHTAR", "MUHTAR"),
])
def test_normalize_name(raw, expected):
    assert _one(normalize_name("x"), raw) == expected


def test_the_blocking_keys_skip_the_balinese_gender_marker():
    """NI KETUT SUARNI and KETUT SUARNI (records drop the marker as often as not) share their
    initial and first word for blocking; I or NI before another word is a word."""
    from pipelines.names import without_balinese_prefix

    names = ["NI KETUT SUARNI", "I WAYAN SUDIRTA", "I GUSTI NGURAH RAI", "NI", "I SUDIRTA", "I MADE",
             "ANDI NI WAYAN", "NI WAYANI"]
    got = pl.DataFrame({"n": names}).select(without_balinese_prefix(pl.col("n")))["n"].to_list()
    assert got == ["KETUT SUARNI", "WAYAN SUDIRTA", "GUSTI NGURAH RAI", "NI", "I SUDIRTA", "MADE",
                   "ANDI NI WAYAN", "NI WAYANI"]


@pytest.mark.parametrize("raw,expected", [
    ("LAKI-LAKI", "L"), ("laki laki", "L"), ("Laki - Laki", "L"), ("LAKI2", "L"), ("L.", "L"), ("lk.", "L"),
    ("01", "L"), ("1.0", "L"), ("Male", "L"), ("PEREMPUAN.", "P"), ("P.", "P"), ("02", "P"), ("Wanita", "P"),
    ("F", "P"), ("X", None), ("", None), ("AHMAD YANI", None),
])
def test_sex_forms(raw, expected):
    """A sex none of these forms leaves the resident unjudged (CONTRACT §5), so the forms people
    type for one (a trailing dot, spaces around the hyphen, LAKI2, a zero-padded code) are read."""
    from pipelines.ingest import _sex

    assert pl.DataFrame({"JENIS_KLMIN": [raw]}).select(_sex("JENIS_KLMIN")).item() == expected


@pytest.mark.parametrize("name,shown", [
    ("6474011002_2026-10.xlsx", "6474011002_2026-10.xlsx"),          # a kelurahan code and a period: no one's
    ("out/gap_lists/2026-10/6474011002.xlsx", "out/gap_lists/2026-10/6474011002.xlsx"),
    ("jawaban 6474011508850001.csv", "jawaban ****************.csv"),
    ("hasil_6474011508850001_2026-10.csv", "hasil_****************.csv"),
    ("daftar 6474 0121 0282 0001.xlsx", "daftar ****************.xlsx"),
    ("6474-2010-08-850001.csv", "****************.csv"),             # a NIK whose groups look like a period
    ("6474011002202610.xlsx", "****************.xlsx"),
    ("1971-01_1508900001.csv", "****************.csv"),             # province 19's NIK shaped like a period
    ("647401150_1900-01.csv", "****************.csv"),
])
def test_a_file_name_is_shown_with_its_nik_starred_and_its_kelurahan_and_period_kept(name, shown):
    """Starred whole, two kelurahan's returned lists (6474011002_2026-10.xlsx,
    6474021003_2026-10.xlsx) read alike in every message and in the processing log (an upgrade
    probe)."""
    from pipelines.nik import mask_file_name

    assert mask_file_name(name) == shown


def _problem(nik: str):
    return with_nik_columns(pl.DataFrame({"x": [nik]}), "x", problem="p").item(0, "p")


@pytest.mark.parametrize("day, problem", [("00", "nik_day"), ("01", None), ("31", None), ("32", "nik_day"),
                                          ("40", "nik_day"), ("41", None), ("71", None), ("72", "nik_day")])
def test_the_nik_day_is_01_to_31_or_41_to_71(day, problem):
    """(beside test_parsing.py::test_nik_problem_and_digits: the property test draws random
    digits and rarely lands on 71 or 41; a day-71 woman quarantined went unnoticed)"""
    assert _problem(f"647401{day}08850001") == problem


@pytest.mark.parametrize("month, problem", [("00", "nik_month"), ("01", None), ("12", None), ("13", "nik_month")])
def test_the_nik_month_is_01_to_12(month, problem):
    assert _problem(f"64740115{month}850001") == problem


@pytest.mark.parametrize("raw", ["6.47401e+15", "6.47401E15", "6,47401e15", "6474011508850001E+0", "6.474011508850E+15"])
def test_every_spelling_of_excel_s_notation_is_excel_damage(raw):
    assert _problem(raw) == "nik_excel_damaged"
