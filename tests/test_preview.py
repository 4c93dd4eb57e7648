"""The previews in the assets' Dagster metadata: no NIK or name, even one typed in another column."""

import polars as pl

from assets._common import preview

NIK, NAME = "6474012102820001", "HAJI BADARUDDIN RAHMAN FADHILLAH"


def test_a_nik_or_a_name_in_another_column_is_not_shown():
    """A shifted row puts a name or a NIK in JENIS_PKRJN, SEGMEN or STATUS (flagged as not
    understood, the raw text kept), or a NIK in ID_DTSEN or KPJ: the previews of residents,
    welfare_records and participants showed them in full in the event log and the UI."""
    residents = pl.DataFrame({
        "NIK": [NIK, "6474012508040001"], "NAMA_LGKP": [NAME, "SAIFUL SAHABUDDIN"],
        "JENIS_PKRJN": [NAME, "6474012508040002"],
        "flags": [["occupation_unknown"], ["occupation_unknown"]]})
    participants = pl.DataFrame({
        "KPJ": [NIK, "10171986057"], "NIK": [None, NIK], "NAMA": ["SITI AMINAH", NAME],
        "SEGMEN": ["SITI AMINAH", "PU"], "STATUS": ["AKTIF", "AKTIF"],
        "flags": [["segmen_unknown"], []]})
    welfare = pl.DataFrame({"ID_DTSEN": [NIK, "DTSEN-2363598520"], "NIK": [None, None],
                            "NAMA": ["SITI AMINAH", None], "flags": [[], []]})
    text = "\n".join(str(preview(df, list(df.columns)).value) for df in (residents, participants, welfare))
    for secret in (NIK, "6474012508040001", "6474012508040002", NAME, "SAIFUL SAHABUDDIN", "SITI AMINAH"):
        assert secret not in text
    assert "647401******0001" in text and "(tidak dikenal)" in text
    # a KPJ or a welfare record's id by its ends (each names a person as a NIK does); the rest as it was
    assert "10171986057" not in text and "10*******57" in text
    assert "DTSEN-2363598520" not in text and "DT************20" in text and "| PU |" in text


def test_a_nik_written_with_separators_or_a_name_as_a_record_id_is_not_shown():
    """ID_DTSEN is the one raw text of the previews: a NIK typed in groups ("6474 0121 0282
    0001", with dashes or dots, also after a prefix) is no run of 12 digits and was shown in
    full, and so was a name in ID_DTSEN (a row shifted by one column) in welfare_records'
    preview in the event log."""
    welfare = pl.DataFrame({
        "ID_DTSEN": ["6474 0121 0282 0001", "647401-210282-0001", "DTSEN-64740121.02820001", NAME,
                     "DTSEN-2363598520"],
        "NIK": [None] * 5, "NAMA": ["SITI AMINAH"] * 5, "flags": [[]] * 5})
    participants = pl.DataFrame({"KPJ": ["64740121-02820001", "10171986057"], "flags": [[], []]})
    text = "\n".join(str(preview(df, list(df.columns)).value) for df in (welfare, participants))
    assert "6474" not in text.replace("647401******0001", "") and "0282" not in text
    assert NAME not in text and "BADARUDDIN" not in text and "(tidak dikenal)" in text
    assert "DT************20" in text and "10*******57" in text


def test_a_name_beside_a_digit_or_a_nik_with_a_letter_for_a_digit_is_not_shown():
    """A privacy audit: an ID_DTSEN holding a digit was shown whole, so a name typed beside one
    ("DTSEN 2 SRI AMELIA ...") was in the event log; and a NIK typed with the letter O for a 0
    ("6474O11505110001") was two runs of digits, too short to be starred, and shown but one digit."""
    welfare = pl.DataFrame({"ID_DTSEN": ["DTSEN 2 SRI AMELIA ERIKA JIHAN", "6474O11505110001", "647401I505110001"],
                            "NIK": [None] * 3, "flags": [[]] * 3})
    residents = pl.DataFrame({"NIK": ["6474011505110002"], "JENIS_PKRJN": ["OJEK 6402O54904180001"], "flags": [[]]})
    text = "\n".join(str(preview(df, list(df.columns)).value) for df in (welfare, residents))
    assert "AMELIA" not in text and "SRI" not in text and "DT**************************AN" in text
    assert "1505110001" not in text and "54904180001" not in text and "OJEK ****************" in text


def test_a_birth_date_beside_a_masked_nik_is_shown_by_its_year():
    """The six digits a masked NIK hides are the birth date (DDMMYY, the day +40 for a woman):
    the residents' preview showed the date and the sex beside it, and every row's NIK could be
    rebuilt from the event log (a privacy audit)."""
    from datetime import date

    residents = pl.DataFrame({"NIK": ["6474014808810001"], "TGL_LHR": [date(1981, 8, 8)], "JENIS_KLMIN": ["P"],
                              "flags": [[]]})
    text = str(preview(residents, list(residents.columns)).value)
    assert "647401******0001" in text and "| 1981-**-** |" in text and "08" not in text.replace("0001", "")


def test_a_record_id_holding_a_nik_beside_a_name_and_a_date_shows_its_ends_only():
    """A privacy audit: a KPJ or an ID_DTSEN holding a long digit run (a row shifted into it:
    a name, the NIK and the birth date) was shown with the run starred and the rest whole, the
    name and the date beside it, which give the NIK back."""
    participants = pl.DataFrame({"KPJ": ["KANARI SUGENG 6474015508850001 LAHIR 15-08-1985"], "flags": [[]]})
    welfare = pl.DataFrame({"ID_DTSEN": ["DT SRIWATI 6474015508850032"], "flags": [[]]})
    text = "\n".join(str(preview(df, list(df.columns)).value) for df in (participants, welfare))
    for secret in ("SUGENG", "SRIWATI", "15-08", "647401", "0001", "0032"):
        assert secret not in text
    assert "| KA" + "*" * 43 + "85 |" in text and "| DT" + "*" * 23 + "32 |" in text


def test_a_nik_written_with_other_separators_is_starred():
    """A privacy audit: a NIK typed into a free-text field with colons, an en dash (Word's and
    Excel's autocorrect of a hyphen), two dashes, a plus, a star, a semicolon, a backslash, a tab,
    a no-break space or a zero-width space between its groups was left whole, in a masked gap
    list's occupation column and the run's summary. Python's regex and polars' agree."""
    from pipelines.nik import mask_long_digits, mask_long_digits_expr

    for sep in (":", "\u2013", "\u2014", "--", "+", "*", ";", "\\", "\t", "\u00a0", "\u200b", " - ",
                # (its re-check)
                " | ", "\u2212", "\u00b7", "~", "...", '" "', "' '"):
        typed = f"OJEK {sep.join(['6474', '0155', '0688', '0060'])} X"
        assert mask_long_digits(typed) == "OJEK **************** X", repr(sep)
        assert pl.select(mask_long_digits_expr(pl.lit(typed))).item() == mask_long_digits(typed)
    assert mask_long_digits("OJEK 6474O155O688OO17") == "OJEK ****************"        # O for each 0
    # a masked NIK, an address and a short number stay as they are
    for kept in ("647401******0001", "JL. MERDEKA NO. 12 RT 003 RW 004", "KPJ 10171986"):
        assert mask_long_digits(kept) == kept


def test_an_occupation_typed_without_a_siak_code_shows_its_first_word():
    """A privacy audit: a label the rules take as informal work by its prefix ("TUKANG PIJAT"
    followed by a name) was shown whole in the candidates' preview; a label of a SIAK code is
    SIAK's own, shown as it is."""
    cands = pl.DataFrame({"JENIS_PKRJN": ["TUKANG PIJAT SURYANI WIDODO", "PEDAGANG KAKI LIMA", "TUKANG",
                                          "TUKANG_PIJAT_RAHMAH", "TUKANG/RAHMAH"],
                          "pekerjaan_kode": [None, 84, None, None, None]})
    text = str(preview(cands, ["JENIS_PKRJN"]).value)
    assert "SURYANI" not in text and "PIJAT" not in text and "RAHMAH" not in text and text.count("| TUKANG … |") == 3
    assert "| PEDAGANG KAKI LIMA |" in text and "| TUKANG |" in text


def test_an_occupation_not_understood_is_not_shown_by_its_first_word():
    """A privacy audit: the residents' preview showed a SIAK occupation typed as "<a NIK>
    PEDAGANG" or "<a name> …" by its first word, the NIK or the name, in the event log and the
    UI: the first-word rule for labels without a SIAK code came before the flag's. A flagged field
    is "(tidak dikenal)"; an unflagged label's first word has a long digit run starred."""
    residents = pl.DataFrame({
        "NIK": ["6474012508040001"] * 4,
        "JENIS_PKRJN": [f"{NIK} PEDAGANG", "SUKMAWATI RAHMAN", f"{NIK}-TUKANG", "TUKANG PIJAT"],
        "pekerjaan_kode": [None] * 4,
        "flags": [["occupation_unknown"], ["occupation_unknown"], [], []]})
    text = str(preview(residents, list(residents.columns)).value)
    assert NIK not in text and "SUKMAWATI" not in text and "64740121" not in text
    assert text.count("(tidak dikenal)") == 2 and "| 647401******0001 … |" in text and "| TUKANG … |" in text
