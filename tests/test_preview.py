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
    # a KPJ by its ends (it names a participant as a NIK does); the rest as it was
    assert "10171986057" not in text and "10*******57" in text
    assert "DTSEN-2363598520" in text and "| PU |" in text
