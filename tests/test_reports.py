"""Gap lists and the coverage page, opened the way a coordinator's tools would."""

import hashlib
import hmac
import re
from datetime import date, datetime
from html.parser import HTMLParser

import polars as pl
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pipelines.nik import mask as mask_nik
from pipelines.reports import VERIFIKASI, write_coverage_report, write_gap_lists

NIK_MASKED = re.compile(r"^\d{6}\*{6}\d{4}$")


@pytest.fixture
def cands():
    kels = ["6474011001", "6474011001", "6474021003"]
    n = len(kels)
    return pl.DataFrame({
        "period": ["2026-11"] * n, "rank": [1, 2, 3],
        "NIK": ["6474015508850001", "6474011208900002", "6474020101800003"],
        "NAMA_LGKP": ["SITI AMINAH", "AHMAD", "BUDI"], "TGL_LHR": [date(1985, 8, 15), date(1990, 8, 12), date(1980, 1, 1)],
        "umur": [41, 36, 46], "JENIS_KLMIN": ["P", "L", "L"], "ALAMAT": ["JL. A", "GG. B", "JL. C"],
        "NO_RT": ["001", "002", "001"], "NO_RW": ["001", "001", "003"], "kode_kel": kels,
        "kode_kec": [k[:6] for k in kels], "kode_kab": ["6474"] * n, "JENIS_PKRJN": ["PEDAGANG", "SOPIR", "NELAYAN/PERIKANAN"],
        "pekerjaan_kode": [84, 81, 11], "desil": [1, None, 4], "disabilitas": [True, False, False],
        "iuran_bulanan": [16800] * n, "evidence": ["x"] * n,
    })


def all_cells(wb):
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_one_masked_workbook_per_kelurahan(cands, tmp_path):
    paths = write_gap_lists(cands, "2026-11", tmp_path, key=b"k" * 32)
    assert [p.name for p in paths] == ["6474011001.xlsx", "6474021003.xlsx"]
    assert paths[0].parent == tmp_path / "gap_lists" / "2026-11"
    total = 0
    for p in paths:
        wb = load_workbook(p)
        ws = wb["Daftar Calon Peserta"]
        header = [c.value for c in ws[6]]
        assert header[:4] == ["No", "Peringkat", "Nama Lengkap", "NIK"] and "Hasil Verifikasi" in header
        data = [r for r in ws.iter_rows(min_row=7, values_only=True) if r[0] is not None]
        total += len(data)
        assert all(NIK_MASKED.match(r[3]) for r in data)
        assert not any(isinstance(v, str) and v in set(cands["NIK"]) for v in all_cells(wb))
        dv = ws.data_validations.dataValidation[0]
        assert dv.formula1 == '"' + ",".join(VERIFIKASI) + '"' and "O7" in str(dv.sqref)
        assert "Rp" in ws.cell(7, 13).number_format and header[13] == "Tahun Lahir"
        assert ws.freeze_panes == "D7" and ws.auto_filter.ref is not None
        assert set(wb.sheetnames) == {"Daftar Calon Peserta", "Ringkasan", "Petunjuk"}
    assert total == cands.height
    first = load_workbook(paths[0])["Daftar Calon Peserta"]
    assert [first.cell(r, 3).value for r in (7, 8)] == ["SITI AMINAH", "AHMAD"]       # rank order
    assert first.cell(7, 12).value == "Ya" and first.cell(8, 11).value == "-"          # flag only; no desil
    assert first.cell(8, 12).value == "Tidak"                                          # said, not left empty
    # each list numbered from 1 and summed over its own kelurahan alone (the cells and counts
    # are computed for every kelurahan at once, then split)
    second = load_workbook(paths[1])
    assert [first.cell(r, 1).value for r in (7, 8)] == [1, 2]
    assert [second["Daftar Calon Peserta"].cell(7, c).value for c in (1, 2, 3)] == [1, 3, "BUDI"]
    counts = {r[0]: r[1] for r in second["Ringkasan"].iter_rows(values_only=True) if r[0]}
    assert counts["NELAYAN/PERIKANAN"] == 1 and "PEDAGANG" not in counts and "SOPIR" not in counts
    assert counts["RW 003 / RT 001"] == 1 and "RW 001 / RT 001" not in counts and counts["Desil 4"] == 1
    summary = {r[0]: r[1] for r in load_workbook(paths[0])["Ringkasan"].iter_rows(values_only=True) if r[0]}
    assert summary["Periode"] == "November 2026" and summary["Jumlah calon peserta"] == 2
    assert summary["Penyandang disabilitas"] == 1 and summary["Total iuran per bulan"] == 33600
    # Rupiah shown with dots whatever the Excel locale; only the two fill-in columns editable
    assert first.cell(7, 13).number_format == '"Rp"#\\.##0'
    assert first.protection.sheet and not first.cell(7, 15).protection.locked and first.cell(7, 3).protection.locked
    # the hidden row id is a keyed pseudonym: stable across runs and ranks, never the NIK
    ids = [first.cell(r, 17).value for r in (7, 8)]
    again = write_gap_lists(cands.with_columns(rank=pl.col("rank") + 10), "2026-11", tmp_path, key=b"k" * 32)
    moved = load_workbook(again[0])["Daftar Calon Peserta"]
    assert [moved.cell(r, 17).value for r in (7, 8)] == ids and len(set(ids)) == 2
    # and stable across versions: lists already out in the kelurahan come back with these ids
    # (HMAC-SHA256 of the NIK under the key, first 20 hex digits)
    assert ids[0] == hmac.new(b"k" * 32, cands["NIK"][0].encode(), hashlib.sha256).hexdigest()[:20]
    assert first.column_dimensions["Q"].hidden


def test_full_nik_only_when_asked_and_said_so(cands, tmp_path):
    p = write_gap_lists(cands, "2026-11", tmp_path, full_nik=True, key=b"k" * 32)[0]
    wb = load_workbook(p)
    cells = all_cells(wb)
    assert "6474015508850001" in cells and any("DITAMPILKAN LENGKAP" in str(v) for v in cells)
    # every sheet says so (the Ringkasan and the Petunjuk did not), and the file's title too
    for ws in wb.worksheets:
        assert any("DITAMPILKAN LENGKAP" in str(c.value) for row in ws.iter_rows() for c in row), ws.title
    assert "DITAMPILKAN LENGKAP" in wb.properties.title
    masked = load_workbook(write_gap_lists(cands, "2026-11", tmp_path / "m", key=b"k" * 32)[0])
    assert not any("DITAMPILKAN LENGKAP" in str(v) for v in all_cells(masked))


def test_a_masked_list_shows_the_birth_year_not_the_date(cands, tmp_path):
    """The six digits a masked NIK hides are the birth date (DDMMYY, the day +40 for a woman): the
    list's date and sex beside it gave 97% of a list's NIKs back whole (a privacy audit). Where the
    NIK is masked, the list and the sheet to fix show the year; in full, the date."""
    from pipelines.reports import TO_FIX_SHEET
    from pipelines.verification import read_returned

    fix = cands.head(1).with_columns(perbaikan=pl.lit("pekerjaan kosong"))
    masked = write_gap_lists(cands, "2026-11", tmp_path / "m", key=b"k" * 32, to_fix=fix)[0]
    wb = load_workbook(masked)
    for ws, col in ((wb["Daftar Calon Peserta"], 14), (wb[TO_FIX_SHEET], 4)):
        assert ws.cell(6, col).value == "Tahun Lahir" and ws.cell(7, col).value in (1985, 1990)
    assert not any(isinstance(v, datetime) for v in all_cells(wb))
    full = load_workbook(write_gap_lists(cands, "2026-11", tmp_path / "f", key=b"k" * 32, full_nik=True,
                                         to_fix=fix)[0])
    assert full["Daftar Calon Peserta"].cell(6, 14).value == full[TO_FIX_SHEET].cell(6, 4).value == "Tanggal Lahir"
    assert full["Daftar Calon Peserta"].cell(7, 14).value == datetime(1985, 8, 15)
    # both come back: the column is read by its place, whichever title it has
    for path in (masked, tmp_path / "f" / "gap_lists" / "2026-11" / masked.name):
        assert read_returned(path, "2026-11", cands, key=b"k" * 32).height == 0
    # a date written as no calendar has it, quoted on the sheet to fix, is not quoted beside the
    # masked NIK when it is the date the mask hides (a NIK issued from 30-02 encodes 30-02)
    nik = cands["NIK"][0]
    hidden = f"19{nik[10:12]}-{nik[8:10]}-{int(nik[6:8]) - 40 if int(nik[6:8]) > 40 else int(nik[6:8]):02d}"
    fix = fix.with_columns(tgl_lhr_raw=pl.lit(hidden),
                           perbaikan=pl.lit(f'tanggal lahir tidak valid (tertulis: "{hidden}")'))
    cells = {False: None, True: None}
    for full in cells:
        wb = load_workbook(write_gap_lists(cands, "2026-11", tmp_path / f"x{full}", key=b"k" * 32, full_nik=full,
                                           to_fix=fix)[0])
        cells[full] = wb[TO_FIX_SHEET].cell(7, len(wb[TO_FIX_SHEET][6])).value
    assert cells == {False: "tanggal lahir tidak valid (yang tertulis tidak terbaca sebagai tanggal, tidak ditampilkan karena memuat angka NIK yang disamarkan)",
                     True: f'tanggal lahir tidak valid (tertulis: "{hidden}")'}
    # nor when it holds two of the three parts: a date with one part mistyped (15-13-1990 beside
    # 647401******0201 gave the day and year back, 32-05-1990 beside a woman's the month and year),
    # the month by its name too; the year alone is quoted (the lists show it), as is a date that
    # shares no part with the NIK
    from pipelines.reports import UNQUOTED_DATE, _fix_words

    written = {"6474011505900201": ("15-13-1990", False), "6474015505900202": ("32-05-1990", False),
               "6474015505900203": ("55-13-1990", False), "6474011505900204": ("19901315", False),
               "6474011505900205": ("31 Mei 1990", False), "6474011508900206": ("AGT 1990", False),
               "6474011505900207": ("00-00-1990", True), "6474011505900208": ("1990", True), "6474011505900210": ("AGT 1990", True),
               "6474014508850001": ("30-02-1985", True), "6474011505900209": ("-", True)}
    fixes = pl.DataFrame({"NIK": list(written), "tgl_lhr_raw": [w for w, _ in written.values()]}).with_columns(
        perbaikan=pl.format('tanggal lahir tidak valid (tertulis: "{}")', "tgl_lhr_raw"))
    shown = fixes.select(_fix_words(fixes, full_nik=False)).to_series().to_list()
    assert {nik: UNQUOTED_DATE not in said for nik, said in zip(written, shown)} == {
        nik: quoted for nik, (_, quoted) in written.items()}
    assert fixes.select(_fix_words(fixes, full_nik=True)).to_series().to_list() == fixes["perbaikan"].to_list()

def test_mask_nik():
    assert mask_nik("6474011508850001") == "647401******0001"
    assert mask_nik("") == "" and mask_nik(None) == ""


def test_the_coverage_page_explains_the_contribution_the_rules_make(tmp_path):
    """The budget note said "JKK (1%) + JKM (Rp6.800)" whatever the rules file said."""
    from dataclasses import replace

    from pipelines.rules import load_rules

    cov = pl.DataFrame({
        "period": ["2026-11"], "kode_kab": ["6474"], "kode_kec": ["647401"], "nama_kec": ["Bontang Utara"],
        "kode_kel": ["6474011001"], "nama_kel": ["Bontang Kuala"], "pekerja": [10], "terlindungi": [5],
        "kandidat": [5], "iuran_bulanan": [5 * 27_200], "iuran_tahunan": [12 * 5 * 27_200]})
    page = write_coverage_report(cov, "2026-11", tmp_path).read_text(encoding="utf-8")
    assert "iuran JKK (1% dari penghasilan yang dilaporkan Rp1.000.000, paling sedikit Rp10.000) + JKM " \
           "(Rp6.800) = Rp16.800" in page
    rules = replace(load_rules(), declared_income=2_000_000, jkk_rate=0.0054, jkm=6_800)
    page = write_coverage_report(cov, "2026-11", tmp_path, rules=rules).read_text(encoding="utf-8")
    assert "iuran JKK (0,54% dari penghasilan yang dilaporkan Rp2.000.000, paling sedikit Rp10.000) + JKM " \
           "(Rp6.800) = Rp17.600" in page


def test_coverage_page_names_every_kelurahan(tmp_path):
    cov = pl.DataFrame({
        "period": ["2026-11"] * 2, "kode_kab": ["6474"] * 2, "kode_kec": ["647401", "647402"],
        "nama_kec": ["Bontang Utara", "Bontang Selatan"], "kode_kel": ["6474011001", "6474021003"],
        "nama_kel": ["Bontang Kuala", "Berbas Pantai"], "pekerja": [1000, 500], "terlindungi": [950, 100],
        "kandidat": [50, 400], "cakupan_pct": [95.0, 20.0], "iuran_bulanan": [840000, 6720000],
        "iuran_tahunan": [10080000, 80640000],
    })
    path = write_coverage_report(cov, "2026-11", tmp_path, history=cov.with_columns(period=pl.lit("2026-10")))
    page = path.read_text(encoding="utf-8")
    assert path == tmp_path / "coverage" / "2026-11.html"
    HTMLParser().feed(page)
    assert 'lang="id"' in page and "<svg" in page and "November 2026" in page
    assert "Bontang Kuala" in page and "Berbas Pantai" in page and "Rp7.560.000" in page
    assert not re.search(r"(src|href)=\"?https?:", page)            # nothing fetched from outside
    # each table names itself and each row's name heads its row (screen readers read them out)
    assert "<caption>Cakupan per kelurahan, November 2026</caption>" in page
    assert '<th scope="row">Bontang Kuala</th>' in page and '<th scope="row">Total</th>' in page


def test_the_trend_reads_the_months_an_earlier_version_stored(tmp_path):
    """A month stored before a column was added (perlu_perbaikan, dikecualikan) and one after it
    could not be stacked: the page of the next month was not written, and the run failed."""
    from pipelines.reports import coverage_history

    folder = tmp_path / "coverage_by_kelurahan"
    folder.mkdir()
    cov = pl.DataFrame({
        "period": ["2026-11"], "kode_kab": ["6474"], "kode_kec": ["647401"], "nama_kec": ["Bontang Utara"],
        "kode_kel": ["6474011001"], "nama_kel": ["Bontang Kuala"], "pekerja": [10], "terlindungi": [5],
        "kandidat": [5], "didaftarkan": [0], "dikecualikan": [0], "terverifikasi": [0], "perlu_perbaikan": [2],
        "cakupan_pct": [50.0], "iuran_bulanan": [5 * 16_800], "iuran_tahunan": [12 * 5 * 16_800]})
    cov.drop("perlu_perbaikan", "dikecualikan", "didaftarkan").with_columns(
        period=pl.lit("2026-09"), terlindungi=pl.lit(2)).write_parquet(folder / "2026-09.parquet")
    cov.with_columns(period=pl.lit("2026-10"), terlindungi=pl.lit(4)).write_parquet(folder / "2026-10.parquet")
    cov.write_parquet(folder / "2026-11.parquet")                     # this month's: not history
    cov.write_parquet(folder / "2026-10 (1).parquet")                 # a copy: no month
    history = coverage_history(folder, "2026-11")
    assert sorted(history["period"]) == ["2026-09", "2026-10"]
    page = write_coverage_report(cov, "2026-11", tmp_path, history=history).read_text(encoding="utf-8")
    trend = page.split('aria-label="Tren cakupan"')[1].split("</svg>")[0]
    assert trend.count("<circle") == 3 and all(p in trend for p in (">20,0%<", ">40,0%<", ">50,0%<"))
    assert coverage_history(folder, "2026-09") is None


def test_coverage_percent_is_rounded_once(tmp_path):
    """462 of 1,867 protected is 24.7455 %: shown 24,7 %. The city figure was rounded to two
    decimals first (24.75) and then to one (24,8 %), as was each kelurahan's in the UI table."""
    from pipelines.reports import coverage_md

    cov = pl.DataFrame({
        "period": ["2026-11"], "kode_kab": ["6474"], "kode_kec": ["647401"], "nama_kec": ["Bontang Utara"],
        "kode_kel": ["6474011001"], "nama_kel": ["Bontang Kuala"], "pekerja": [1867], "terlindungi": [462],
        "kandidat": [1405], "cakupan_pct": [24.75], "iuran_bulanan": [23604000], "iuran_tahunan": [283248000],
    })
    page = write_coverage_report(cov, "2026-11", tmp_path).read_text(encoding="utf-8")
    assert "24,7%" in page and "24,8%" not in page
    md = coverage_md(cov)
    assert "24,7%" in md and "24,8%" not in md


def test_a_coverage_page_of_several_kab_kota_gives_each_its_figures(tmp_path):
    cov = pl.DataFrame({
        "period": ["2026-11"] * 3, "kode_kab": ["6474", "6474", "6409"], "kode_kec": ["647401", "647402", "640901"],
        "nama_kec": ["Bontang Utara", "Bontang Selatan", "X"], "kode_kel": ["6474011001", "6474021003", "6409011001"],
        "nama_kel": ["Bontang Kuala", "Berbas Pantai", "Y"], "pekerja": [1000, 500, 200], "terlindungi": [950, 100, 20],
        "kandidat": [50, 400, 180], "cakupan_pct": [95.0, 20.0, 10.0], "iuran_bulanan": [840000, 6720000, 3024000],
        "iuran_tahunan": [10080000, 80640000, 36288000],
    })
    page = write_coverage_report(cov, "2026-11", tmp_path).read_text(encoding="utf-8")
    # (it said "Semua wilayah": which province, how many kab/kota)
    assert "— Provinsi Kalimantan Timur, 2 kabupaten/kota, periode" in page and "<h2>Per kabupaten/kota</h2>" in page
    # the bars under a heading per kab/kota, in code order
    bars = page.split('class="bars"')[1].split("<h2>")[0]
    assert bars.index("Kab. Penajam Paser Utara (6409)") < bars.index(">Y<") < bars.index("Kota Bontang (6474)") \
        < bars.index(">Bontang Kuala<")
    table = page.split("<h2>Per kabupaten/kota</h2>")[1].split("</table>")[0]
    assert "Bontang" in table and "Rp7.560.000" in table and "Rp3.024.000" in table
    one = write_coverage_report(cov.filter(pl.col("kode_kab") == "6474"), "2026-11", tmp_path / "one")
    assert "Per kabupaten/kota" not in one.read_text(encoding="utf-8")      # one kab/kota: its title says it


def test_workbooks_written_by_several_threads_equal_one_thread(cands, tmp_path, monkeypatch):
    """The lists are written by a few threads (one workbook per kelurahan); the files hold
    exactly what one thread writes."""
    import pipelines.reports as reports

    monkeypatch.setenv("LINDUNGI_REPORT_WORKERS", "2")
    assert reports._workers(2) == 2
    parallel = write_gap_lists(cands, "2026-11", tmp_path / "p", key=b"k" * 32)
    monkeypatch.setenv("LINDUNGI_REPORT_WORKERS", "1")
    assert reports._workers(2) == 1
    serial = write_gap_lists(cands, "2026-11", tmp_path / "s", key=b"k" * 32)
    assert [p.name for p in parallel] == [p.name for p in serial] == ["6474011001.xlsx", "6474021003.xlsx"]
    for a, b in zip(parallel, serial):
        assert all_cells(load_workbook(a)) == all_cells(load_workbook(b))
    assert not list((tmp_path / "p").rglob("*.tmp"))


def test_cells_keep_their_type_and_format(cands, tmp_path):
    """Text that looks like a formula stays text; each amount gets the Rupiah format of its own
    digit-group count; dates are real dates shown dd-mm-yyyy; unknown numbers are a dash."""
    odd = cands.with_columns(NAMA_LGKP=pl.Series(["=HYPERLINK(\"x\")", "+62 SITI", "BUDI"]),
                             iuran_bulanan=pl.Series([16800, 1_250_000, 900]),
                             umur=pl.Series([41, None, 46]))
    p = write_gap_lists(odd, "2026-11", tmp_path, key=b"k" * 32)[0]
    ws = load_workbook(p)["Daftar Calon Peserta"]
    assert ws.cell(7, 3).value == "=HYPERLINK(\"x\")" and ws.cell(7, 3).data_type == "s"
    assert [ws.cell(r, 13).value for r in (7, 8)] == [16800, 1_250_000]
    assert [ws.cell(r, 13).number_format for r in (7, 8)] == ['"Rp"#\\.##0', '"Rp"#\\.###\\.##0']
    assert ws.cell(7, 14).value == 1985      # the year where the NIK is masked (see below)
    full = load_workbook(write_gap_lists(odd, "2026-11", tmp_path / "f", key=b"k" * 32, full_nik=True)[0])
    cell = full["Daftar Calon Peserta"].cell(7, 14)
    assert cell.value == datetime(1985, 8, 15) and cell.number_format == "dd-mm-yyyy"
    assert ws.cell(8, 5).value == "-" and ws.cell(7, 5).value == 41


def test_dates_before_march_1900_keep_excels_serials(cands, tmp_path):
    """Excel's serials count a 29 February 1900 that never was: 1 January 1900 is serial 1."""
    old = cands.with_columns(TGL_LHR=pl.Series([date(1900, 1, 1), date(1900, 3, 1), date(1985, 8, 15)]))
    ws = load_workbook(write_gap_lists(old, "2026-11", tmp_path, key=b"k" * 32, full_nik=True)[0])["Daftar Calon Peserta"]
    assert [ws.cell(r, 14).value for r in (7, 8)] == [datetime(1900, 1, 1), datetime(1900, 3, 1)]


def test_two_writers_of_the_same_lists_at_once_leave_whole_workbooks(cands, tmp_path):
    """Two runs of one period write the same gap lists and coverage page at the same moment
    (the lists are written beside the submission): each file ends whole, as one writer left it,
    and no temporary file stays behind."""
    from concurrent.futures import ThreadPoolExecutor

    cov = pl.DataFrame({
        "period": ["2026-11"], "kode_kab": ["6474"], "kode_kec": ["647401"], "nama_kec": ["Bontang Utara"],
        "kode_kel": ["6474011001"], "nama_kel": ["Bontang Kuala"], "pekerja": [10], "terlindungi": [4],
        "kandidat": [2], "cakupan_pct": [40.0], "iuran_bulanan": [33600], "iuran_tahunan": [403200],
    })
    for _ in range(5):
        with ThreadPoolExecutor(4) as pool:
            lists = [pool.submit(write_gap_lists, cands, "2026-11", tmp_path, key=b"k" * 32) for _ in range(2)]
            pages = [pool.submit(write_coverage_report, cov, "2026-11", tmp_path) for _ in range(2)]
            paths = [f.result() for f in lists]
            [f.result() for f in pages]
        assert paths[0] == paths[1]
        cells = [all_cells(load_workbook(p)) for p in paths[0]]
        assert all(cells) and not list(tmp_path.rglob("*.tmp"))
    single = write_gap_lists(cands, "2026-11", tmp_path / "one", key=b"k" * 32)
    assert [all_cells(load_workbook(p)) for p in single] == cells


def test_files_left_aside_by_a_killed_writer_are_swept(cands, tmp_path):
    """A run killed between writing a workbook aside and renaming it left the aside file next to
    the workbooks coordinators open, for good. The next writer removes those of writers that are
    gone, for kelurahan no longer listed too, and keeps a live writer's."""
    import os

    from pipelines.files import aside

    folder = tmp_path / "gap_lists" / "2026-11"
    folder.mkdir(parents=True)
    dead = 4194999  # above Linux's largest pid: no such process
    stale = [folder / f"6474011001.xlsx.{dead}-7.tmp", folder / f"6474099999.xlsx.{dead}-8.tmp"]
    live = folder / f"6474011001.xlsx.{os.getpid()}-1.tmp"
    for f in [*stale, live]:
        f.write_bytes(b"half a workbook")
    write_gap_lists(cands, "2026-11", tmp_path, key=b"k" * 32)
    assert not any(f.exists() for f in stale) and live.exists()
    assert sorted(p.name for p in folder.glob("*.xlsx")) == ["6474011001.xlsx", "6474021003.xlsx"]
    # every writer that renames into place does the same for its own file
    target = tmp_path / "residents.parquet"
    left = tmp_path / f"residents.parquet.{dead}-3.tmp"
    other = tmp_path / f"residents_x.parquet.{dead}-3.tmp"
    left.write_bytes(b"x")
    other.write_bytes(b"x")
    assert aside(target).name.startswith(f"residents.parquet.{os.getpid()}-")
    assert not left.exists() and other.exists()


def test_the_pseudonym_key_is_made_once_even_when_asked_at_once(tmp_path, monkeypatch):
    """The first runs in a fresh state directory may ask for the key together: one key is made,
    every caller gets it, and it is readable by its owner only."""
    from concurrent.futures import ThreadPoolExecutor

    from pipelines.pseudonym import load_key

    monkeypatch.delenv("LINDUNGI_PSEUDONYM_KEY", raising=False)
    for i in range(10):
        state = tmp_path / str(i)
        with ThreadPoolExecutor(8) as pool:
            keys = set(pool.map(lambda _: load_key(state), range(8)))
        assert keys == {bytes.fromhex((state / "pseudonym.key").read_text())}
        assert (state / "pseudonym.key").stat().st_mode & 0o777 == 0o600
        assert [p.name for p in state.iterdir()] == ["pseudonym.key"]


def test_the_pseudonym_key_is_made_where_files_cannot_be_hard_linked(tmp_path, monkeypatch):
    import os

    from pipelines.pseudonym import load_key

    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.delenv("LINDUNGI_PSEUDONYM_KEY", raising=False)
    monkeypatch.setattr(os, "link", no_links)
    key = load_key(tmp_path)
    assert key == load_key(tmp_path) == bytes.fromhex((tmp_path / "pseudonym.key").read_text())
    assert [p.name for p in tmp_path.iterdir()] == ["pseudonym.key"]


@pytest.mark.parametrize("value, said", [("mysecret", "must be hexadecimal digits"),
                                          ("ab" * 8, "at least 32 hexadecimal digits, not 16"),
                                          # an odd count said "64 of them", where 32 serve
                                          ("a" * 33, "an even number of them (two per byte), at least 32")])
def test_a_pseudonym_key_that_cannot_serve_stops_the_run_before_any_work(tmp_path, monkeypatch, capsys, value,
                                                                       said):
    """A key like "mysecret" failed in the run's last step (``fromhex``), after the submission
    was committed and before any gap list was written; a short key is guessable. Refused first,
    naming the variable and not its value."""
    from dagster_project.cli import main

    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINDUNGI_PSEUDONYM_KEY", value)
    (tmp_path / "in").mkdir()
    for name in ("penduduk", "dtsen", "peserta_bpjstk"):
        (tmp_path / "in" / f"{name}.csv").write_text("NIK\n")
    assert main(["run", "--input", str(tmp_path / "in"), "--period", "2026-11", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("lindungi: error: LINDUNGI_PSEUDONYM_KEY: the pseudonym key") and said in err
    assert value not in err and not (tmp_path / "home" / "dagster_home").exists()


def test_the_pseudonym_column_is_each_nik_s_hmac():
    """The column sets the key up once and copies it per NIK: each id is the NIK's HMAC by the
    book (RFC 2104 with SHA-256), keyed afresh; a missing NIK has none."""
    from pipelines.pseudonym import pseudonym_column

    key = bytes(range(32))
    niks = ["6474011508850001", None, "6474015508900002", "", "6474011508850001"]
    got = pseudonym_column(pl.Series(niks, dtype=pl.String), key).to_list()
    assert got == [hmac.new(key, n.encode(), hashlib.sha256).hexdigest()[:20] if n else None for n in niks]
    assert got[1] is None and got[3] is None and got[0] == got[4] != got[2]


def test_a_field_longer_than_a_cell_holds_is_cut_there_and_reads_back(cands, tmp_path):
    """A 200,000-character ALAMAT (or name) failed the whole run at the gap lists, after the
    submission: Excel holds 32,767 characters a cell. The returned list still matches its rows."""
    from pipelines.reports import EXCEL_TEXT_MAX
    from pipelines.verification import read_returned

    long = cands.with_columns(ALAMAT=pl.Series(["JL. " + "A" * 200_000, "GG. B", "JL. C"]),
                              NAMA_LGKP=pl.Series(["SITI " + "B" * 40_000, "AHMAD", "BUDI"]))
    path = write_gap_lists(long, "2026-11", tmp_path, key=b"k" * 32)[0]
    ws = load_workbook(path)["Daftar Calon Peserta"]
    assert len(ws.cell(7, 7).value) == EXCEL_TEXT_MAX == len(ws.cell(7, 3).value)
    assert read_returned(path, "2026-11", long, b"k" * 32).height == 0   # nothing chosen, nothing refused


def test_a_nik_typed_into_a_name_or_address_is_masked_unless_niks_are_shown_in_full(cands, tmp_path):
    """A NIK (or KK) written into NAMA_LGKP or ALAMAT reached the masked list whole. It is
    masked there, also typed in groups, and the returned list's row still matches its person."""
    from pipelines.reports import COL, HEADER_ROW
    from pipelines.verification import read_returned

    typed = cands.with_columns(NAMA_LGKP=pl.Series(["SITI 6474015508850001", "AHMAD", "BUDI"]),
                               ALAMAT=pl.Series(["JL. A NO. 12 KK 6474-0155-0885-0009", "GG. B", "JL. C"]),
                               # found by fuzzing: after a label the rules take, whatever was typed
                               # (grouped with underscores, in full-width digits) was shown whole,
                               # in the list and in Ringkasan's count by occupation
                               JENIS_PKRJN=pl.Series(["TUKANG OJEK 6474_0155_0885_0001",
                                                      "TUKANG ６４７４０１５５０８８５０００２", "NELAYAN"]))
    path = write_gap_lists(typed, "2026-11", tmp_path, key=b"k" * 32)[0]
    wb = load_workbook(path)
    ws = wb["Daftar Calon Peserta"]
    row = HEADER_ROW + 2   # the first person's
    assert ws.cell(row, COL["Nama Lengkap"] + 1).value == "SITI ****************"
    assert ws.cell(row, COL["Alamat"] + 1).value == "JL. A NO. 12 KK ****************"   # short numbers stay
    assert ws.cell(row, COL["Pekerjaan"] + 1).value == "TUKANG OJEK ****************"
    assert not any("550885" in re.sub("[-_]", "", str(v)) or "５５０８８５" in str(v)
                   for v in all_cells(wb))   # a NIK's hidden digits, on every sheet
    ws.cell(row, COL["Hasil Verifikasi"] + 1).value = "Valid"
    wb.save(path)
    assert read_returned(path, "2026-11", typed, b"k" * 32)["hasil"].to_list() == ["Valid"]
    full = load_workbook(write_gap_lists(typed, "2026-11", tmp_path / "f", full_nik=True, key=b"k" * 32)[0])
    assert full["Daftar Calon Peserta"].cell(row, COL["Nama Lengkap"] + 1).value == "SITI 6474015508850001"


def test_a_list_sent_out_before_the_bpjs_note_column_still_reads_back(cands, tmp_path):
    """Keterangan BPJS came after the columns a returned list is read by: a list written before
    it (17 columns) is still matched back, and so is a new one."""
    from pipelines.reports import COL, HEADER_ROW
    from pipelines.verification import read_returned

    note = "ditolak BPJS pada periode 2026-10: NIK 6474015508850001 tidak ditemukan"
    # a NIK BPJS typed in groups was shown in full (found by fuzzing)
    grouped = "ditolak BPJS pada periode 2026-10: NIK 6474 0317 1187 0001 milik orang lain"
    path = write_gap_lists(cands.with_columns(catatan_bpjs=pl.Series([note, grouped, None])), "2026-11", tmp_path,
                           key=b"k" * 32)[0]
    wb = load_workbook(path)
    ws = wb["Daftar Calon Peserta"]
    assert ws.cell(HEADER_ROW + 2, COL["Keterangan BPJS"] + 1).value == \
        "Ditolak BPJS pada periode Oktober 2026: NIK 647401******0001 tidak ditemukan"   # BPJS's words, NIK masked
    assert ws.cell(HEADER_ROW + 3, COL["Keterangan BPJS"] + 1).value == \
        "Ditolak BPJS pada periode Oktober 2026: NIK **************** milik orang lain"
    ws.cell(HEADER_ROW + 2, COL["Hasil Verifikasi"] + 1).value = "Valid"
    wb.save(path)
    assert read_returned(path, "2026-11", cands, b"k" * 32)["hasil"].to_list() == ["Valid"]
    ws.delete_cols(COL["Keterangan BPJS"] + 1)   # as the lists already out were
    wb.save(path)
    assert read_returned(path, "2026-11", cands, b"k" * 32)["hasil"].to_list() == ["Valid"]


def test_dates_are_the_citys_and_the_sheet_says_which_digits_are_shown(cands, tmp_path, monkeypatch):
    """"dibuat" is the date in WITA: the monthly run starts at 02:00 WITA on the 1st, still the
    previous day on a UTC host (it used to print 30-11 on a list made on 01-12). The masking note
    says the 6 first and 4 last digits are the ones shown (it read as if they were hidden), and
    the instructions say what each choice means and what it does to the next list."""
    import pipelines.dates as dates
    from datetime import timezone

    monkeypatch.setattr(dates, "_now", lambda: datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc))
    dec = cands.with_columns(period=pl.lit("2026-12"))
    wb = load_workbook(write_gap_lists(dec, "2026-12", tmp_path, key=b"k" * 32)[0])
    ws = wb["Daftar Calon Peserta"]
    assert ws["A3"].value == "Periode Desember 2026; dibuat 01-12-2026"
    assert "hanya 6 digit awal dan 4 digit akhir yang ditampilkan" in ws["A4"].value
    guide = " ".join(r[0] for r in wb["Petunjuk"].iter_rows(values_only=True) if r[0])
    for choice in VERIFIKASI:
        assert f"'{choice}'" in guide
    assert "tidak dicantumkan lagi" in guide
    # the Peringkat is the contract's whatever a visit found; a Valid is sent to BPJS first (the
    # guide said the verified came first in it, at the top of the list)
    said = " ".join(guide.split())
    assert "penyandang disabilitas lebih dahulu" in said and "Hasil verifikasi tidak mengubah urutan ini, tetapi angka Peringkat dapat bergeser" in said
    assert "'Valid' dikirim ke BPJS lebih dahulu" in said and "teratas" not in said
    cov = pl.DataFrame({
        "period": ["2026-12"], "kode_kab": ["6474"], "kode_kec": ["647401"], "nama_kec": ["Bontang Utara"],
        "kode_kel": ["6474011001"], "nama_kel": ["Bontang Kuala"], "pekerja": [10], "terlindungi": [5],
        "kandidat": [5], "cakupan_pct": [50.0], "iuran_bulanan": [84000], "iuran_tahunan": [1008000],
    })
    assert "Dibuat 01-12-2026." in write_coverage_report(cov, "2026-12", tmp_path).read_text(encoding="utf-8")


def test_the_list_prints_legibly_keeps_its_order_and_says_who_was_verified_before(cands, tmp_path):
    """From the coordinators' outputs probe: the printed list came out at ~47% (Calibri 11 at
    ~5 pt), the protection allowed a sort Excel then refused (and the order is the visiting
    order), the Ringkasan interleaved RWs ("RT 001 / RW 003" before "RT 002 / RW 001"), and a
    person verified Valid last month came back first with nothing to say so."""
    from pipelines.reports import COL, COLUMNS, HEADER_ROW, SHEET

    rows = pl.concat([cands.head(2), cands.head(2).with_columns(
        NIK=pl.Series(["6474015508850011", "6474015508850012"]), rank=pl.Series([4, 5]),
        NO_RT=pl.Series(["004", "001"]), NO_RW=pl.Series(["010", "002"]))]).with_columns(
        terverifikasi=pl.Series([True, False, False, False]), tidak_ditemukan=pl.Series([False, True, False, False]))
    path = write_gap_lists(rows, "2026-11", tmp_path, key=b"k" * 32)[0]
    wb = load_workbook(path)
    ws = wb[SHEET]
    printed = sum(w for name, w in COLUMNS if name != "ID Baris")
    assert printed <= 230 and ws.page_margins.left <= 0.25 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1 by default
    assert ws.cell(HEADER_ROW + 2, COL["Nama Lengkap"] + 1).alignment.wrap_text
    assert ws.protection.sheet and ws.protection.sort  # openpyxl: True means sorting is NOT allowed
    assert ws.cell(HEADER_ROW + 1, COL["Verifikasi Sebelumnya"] + 1).value == "Verifikasi Sebelumnya"
    # and one the last visit did not find (it was blank: visited again without knowing)
    assert [ws.cell(HEADER_ROW + 2 + i, COL["Verifikasi Sebelumnya"] + 1).value for i in range(4)] == \
        ["Valid", "Tidak ditemukan", None, None]
    summary = [r for r in wb["Ringkasan"].iter_rows(values_only=True) if r[0] and str(r[0]).startswith("RW ")]
    assert [r[0] for r in summary] == ["RW 001 / RT 001", "RW 001 / RT 002", "RW 002 / RT 001", "RW 010 / RT 004"]


def test_a_wrapped_name_or_address_gets_the_rows_height_it_needs(cands, tmp_path):
    """Excel fits a row to its wrapped text, LibreOffice Calc does not: a long name or address
    overlapped the row below, on screen and on paper (a list rendered by LibreOffice). A row
    that needs more lines is given their height; the others are left to fit themselves. Every
    cell of a row stands at its foot (the wrapped ones stood at the top, a line or two above the
    number and NIK of their row)."""
    from pipelines.reports import COL, HEADER_ROW, LINE_POINTS, SHEET, TO_FIX_COL, TO_FIX_SHEET

    rows = cands.with_columns(
        NAMA_LGKP=pl.Series(["SITI AMINAH", "MUHAMMAD ABDUL MUIS ALVIN ALIF", "BUDI"]),
        ALAMAT=pl.Series(["JL. A", "PERUMAHAN GRIYA TELIHAN INDAH BLOK H NOMOR 27 RT 003", "JL. C\nRT 1"]),
        JENIS_PKRJN=pl.lit("SOPIR"), kode_kel=pl.lit("6474011001"))
    fix = rows.head(1).with_columns(JENIS_PKRJN=pl.lit("PENJAGA LANGIT"), perbaikan=pl.lit("pekerjaan"),
                                    ALAMAT=pl.lit("KOMPLEKS PERUMAHAN PUPUK KALTIM BLOK C NOMOR 12"))
    path = write_gap_lists(rows, "2026-11", tmp_path, key=b"k" * 32, to_fix=fix)[0]
    wb = load_workbook(path)
    ws = wb[SHEET]
    first = HEADER_ROW + 2  # (1-based)
    assert ws.row_dimensions[first].height is None  # one line: Excel's own height
    assert ws.row_dimensions[first + 1].height == 3 * LINE_POINTS  # the address: three lines of width 20
    assert ws.row_dimensions[first + 2].height == 2 * LINE_POINTS  # a short address of two lines (Alt+Enter)
    assert ws.row_dimensions[HEADER_ROW + 1].height == 2 * LINE_POINTS  # "Penyandang / Disabilitas"
    for name in ("Nama Lengkap", "Alamat", "Pekerjaan", "Hasil Verifikasi", "Catatan"):
        assert ws.cell(first + 1, COL[name] + 1).alignment.vertical in (None, "bottom"), name
    to_fix = wb[TO_FIX_SHEET]
    assert to_fix.row_dimensions[first].height == 3 * LINE_POINTS  # the address, at width 22
    assert to_fix.cell(first, TO_FIX_COL["Alamat"] + 1).alignment.vertical in (None, "bottom")


def test_wrapped_lines_breaks_between_words_as_excel_does():
    from pipelines.reports import wrapped_lines

    assert wrapped_lines(None, 20) == wrapped_lines("", 20) == wrapped_lines("JL. A", 20) == 1
    assert wrapped_lines("ALYA NURAINI SEPTIANI", 22) == 1  # 143 of 153 pixels
    assert wrapped_lines("ALYA NURAINI SEPTIANI", 20) == 2
    assert wrapped_lines("JL. JEND. SUDIRMAN GG. PERMATA II NO. 29", 20) == 3  # a word never split
    assert wrapped_lines("W" * 40, 10) == 8  # a word wider than the cell is cut: 13 px a W, 69 a line
    assert wrapped_lines("JL. A\nRT 001", 20) == 2  # a line break in the cell
    assert wrapped_lines("Penyandang Disabilitas", 11, bold=True) == 2


def test_what_a_coordinator_types_stays_as_typed_and_the_paper_list_can_be_followed(cands, tmp_path):
    """From a coordinator's review of the lists: a NIK or KPJ typed into Catatan (as the Petunjuk
    asks) was a number to Excel (a NIK kept 15 digits, 6,47401E+15; a telephone number lost its
    leading 0); a printed row could not be followed across 18 columns without lines; the choices
    were on no printed page; the BPJS note and an earlier Valid could not be filtered; the
    Petunjuk printed two pages wide."""
    from pipelines.reports import COL, COLUMNS, HEADER_ROW, SHEET, VERIFIKASI

    path = write_gap_lists(cands, "2026-11", tmp_path, key=b"k" * 32)[0]
    wb = load_workbook(path)
    ws = wb[SHEET]
    for name in ("Hasil Verifikasi", "Catatan"):
        cell = ws.cell(HEADER_ROW + 2, COL[name] + 1)
        assert cell.number_format == "@" and cell.alignment.wrap_text and not cell.protection.locked
    assert ws.print_options.gridLines
    assert all(v in ws["A5"].value for v in VERIFIKASI)
    rows = cands.filter(pl.col("kode_kel") == cands["kode_kel"].sort()[0]).height
    assert ws.auto_filter.ref == f"A{HEADER_ROW + 1}:{get_column_letter(len(COLUMNS))}{HEADER_ROW + 1 + rows}"
    assert ws.protection.sheet and ws.protection.formatCells  # openpyxl: True means NOT allowed
    guide = wb["Petunjuk"]
    assert guide.sheet_properties.pageSetUpPr.fitToPage and guide.page_setup.paperSize == 9
    # every printed page says whose and when (the Ringkasan and the Petunjuk had no footer)
    for sheet in wb.worksheets:
        assert sheet.oddFooter.left.text.startswith("Kelurahan Bontang Kuala — November 2026"), sheet.title
    # RT and RW as text (their zeros) had Excel's green triangle on every row
    import zipfile

    with zipfile.ZipFile(path) as z:
        assert b'numberStoredAsText="1"' in z.read("xl/worksheets/sheet1.xml")
    # counts with the dots as literals, as the money: "#,##0" showed 1,234 in an English Excel
    from pipelines.reports import _rupiah_num_format

    assert wb["Ringkasan"]["B4"].number_format == "0" and _rupiah_num_format(12_345, "") == "#\\.##0"
    assert _rupiah_num_format(12_345) == '"Rp"#\\.##0' and _rupiah_num_format(5) == '"Rp"0'


def test_a_city_outside_the_name_table_gets_its_kelurahan_names_from_the_extract(cands, tmp_path):
    """KEL_NAME was accepted and dropped: outside Bontang the lists' titles, footers and the
    coverage page showed "Kelurahan 6409011001 (6409011001)"."""
    from pipelines import schema
    from pipelines.candidates import coverage, kelurahan_of
    from pipelines.reports import SHEET
    from pipelines.rules import load_rules

    other = cands.with_columns(kode_kel=pl.lit("6409011001"), kode_kec=pl.lit("640901"), kode_kab=pl.lit("6409"),
                               nama_kel=pl.Series(["Penajam", "Penajam", None]))
    wb = load_workbook(write_gap_lists(other, "2026-11", tmp_path, key=b"k" * 32, kelurahan=kelurahan_of(other))[0])
    assert wb[SHEET]["A2"].value.startswith("Kelurahan Penajam (6409011001)")
    assessed = other.with_columns(informal=pl.lit(True), working_age=pl.lit(True), judgeable=pl.lit(True),
                                  terlindungi=pl.lit(False), flags=pl.lit([], pl.List(pl.String)))
    cov = coverage(assessed, other, load_rules(), "2026-11")
    assert cov["nama_kel"].to_list() == ["Penajam"] and schema.COVERAGE.keys() <= set(cov.columns)
    bontang = coverage(assessed.with_columns(kode_kel=pl.lit("6474011001"), nama_kel=pl.lit("Lain")),
                       other.with_columns(kode_kel=pl.lit("6474011001")), load_rules(), "2026-11")
    assert bontang["nama_kel"].to_list() == ["Bontang Kuala"]  # the packaged table first
    # a spelling one resident carries names no kelurahan (a privacy audit: a name typed there)
    one = other.with_columns(nama_kel=pl.Series(["Penajam", "Sepaku", "Sepaku"]),
                             kode_kel=pl.Series(["6409011001", "6409011001", "6409011002"]))
    assert kelurahan_of(one).sort("kode_kel").rows() == [("6409011001", None), ("6409011002", None)]
    assert kelurahan_of(one.with_columns(kode_kel=pl.lit("6409011002"))).rows() == [("6409011002", "Sepaku")]
    # nor one that is a resident's name, as written or normalised (its re-check: ten residents
    # under a code the table lacks, KEL_NAME a person's name from a shifted column)
    for name in ("Siti Aminah", "SITI  AMINAH", "Hj. Budi"):
        named = one.with_columns(kode_kel=pl.lit("6409011002"), nama_kel=pl.lit(name),
                                 NAMA_LGKP=pl.Series(["SITI AMINAH", "AHMAD", "HJ. BUDI"]),
                                 nama_norm=pl.Series(["SITI AMINAH", "AHMAD", "BUDI"]))
        assert kelurahan_of(named).rows() == [("6409011002", None)], name


def test_a_kelurahan_without_candidates_gets_a_list_that_says_so(cands, tmp_path):
    """It got no file at all (and any earlier one of the period was deleted): "nobody to visit"
    looked like "file not sent". The list says so and reads back as no result."""
    from pipelines.pseudonym import pseudonym_column
    from pipelines.reports import SHEET
    from pipelines.verification import read_returned

    kel = pl.DataFrame({"kode_kel": ["6474011001", "6474021003", "6474031003", None],
                        "kode_kec": ["647401", "647402", "647403", None]})
    paths = write_gap_lists(cands, "2026-11", tmp_path, key=b"k" * 32, kelurahan=kel)
    assert [p.name for p in paths] == ["6474011001.xlsx", "6474021003.xlsx", "6474031003.xlsx"]
    wb = load_workbook(paths[2])
    ws = wb[SHEET]
    assert ws["A2"].value == "Kelurahan Kanaan (6474031003), Kecamatan Bontang Barat (647403)"
    assert ws["A7"].value == "Tidak ada calon peserta yang perlu dikunjungi di kelurahan ini pada periode November 2026."
    assert ws["A8"].value.startswith("Pekerja rentan di kelurahan ini (bila ada) sudah terlindungi") and ws["A5"].value is None
    assert not ws.data_validations.dataValidation  # nothing to fill in on that line
    assert wb["Ringkasan"]["B4"].value == 0
    assert read_returned(paths[2], "2026-11", cands.with_columns(pseudonym_column(cands["NIK"], b"k" * 32)),
                         b"k" * 32).height == 0
    # no candidate at all in the period: every kelurahan still gets its list
    assert len(write_gap_lists(cands.clear(), "2026-11", tmp_path, key=b"k" * 32, kelurahan=kel)) == 3



def test_a_desa_is_called_a_desa_and_a_kabupaten_s_coordinator_is_the_kabupaten_s(cands, tmp_path):
    """An outside review: every desa of a kabupaten was called "Kelurahan" on its list (title,
    footer, Ringkasan, the texts of a list without candidates), and told to return the list to
    the "koordinator kota"; the coverage page spoke of kelurahan alone. The code says which: the
    first digit of its last four is 1 for a kelurahan, 2 for a desa."""
    from pipelines.reports import SHEET

    desa = cands.with_columns(kode_kel=pl.lit("6402012002"), kode_kec=pl.lit("640201"), kode_kab=pl.lit("6402"),
                              nama_kel=pl.lit("Muara Leka"), NO_RW=pl.lit(None, pl.String))
    kel = pl.DataFrame({"kode_kel": ["6402012002", "6402012003"], "kode_kec": ["640201", "640201"],
                        "nama_kel": ["Muara Leka", "Batuq"]})
    first, empty = write_gap_lists(desa, "2026-11", tmp_path, key=b"k" * 32, kelurahan=kel)
    wb = load_workbook(first)
    assert wb[SHEET]["A2"].value.startswith("Desa Muara Leka (6402012002), Kecamatan ")
    assert wb[SHEET].oddFooter.left.text.startswith("Desa Muara Leka — November 2026")
    assert wb["Ringkasan"]["A1"].value == "Ringkasan Desa Muara Leka (6402012002)"
    # a desa without RWs: "RT 001 (tanpa RW)", where it read "RW - / RT 001"
    summary = [c.value for c in wb["Ringkasan"]["A"] if isinstance(c.value, str)]
    assert any(v.endswith(" (tanpa RW)") for v in summary) and not any(v.startswith("RW -") for v in summary)
    guide = "\n".join(c.value or "" for c in wb["Petunjuk"]["A"])
    assert "tidak tinggal di desa ini" in guide and "koordinator kabupaten." in guide and "{" not in guide
    assert "koordinator kota" not in guide and "di kelurahan ini" not in guide
    assert load_workbook(empty)[SHEET]["A7"].value.startswith("Tidak ada calon peserta yang perlu dikunjungi di desa ini")
    guide = "\n".join(c.value or "" for c in load_workbook(write_gap_lists(
        cands, "2026-11", tmp_path / "kota", key=b"k" * 32)[0])["Petunjuk"]["A"])
    assert "tidak tinggal di kelurahan ini" in guide and "koordinator kota." in guide
    cov = pl.DataFrame({"period": ["2026-11"] * 2, "kode_kab": ["6402"] * 2, "kode_kec": ["640201"] * 2,
                        "nama_kec": ["K"] * 2, "kode_kel": ["6402011001", "6402012002"], "nama_kel": ["A", "B"],
                        "pekerja": [10, 10], "terlindungi": [5, 5], "kandidat": [5, 5], "cakupan_pct": [50.0, 50.0],
                        "iuran_bulanan": [84000, 84000], "iuran_tahunan": [1008000, 1008000]})
    page = write_coverage_report(cov, "2026-11", tmp_path).read_text(encoding="utf-8")
    assert "<h2>Cakupan per kelurahan/desa</h2>" in page and "<h2>Per kelurahan/desa</h2>" in page
    assert "Terverifikasi kelurahan/desa (Valid)" in page


def test_an_informal_occupation_s_words_fit_the_list_s_column():
    """PETANI/PEKEBUN, NELAYAN/PERIKANAN and BURUH TANI/PERKEBUNAN were cut mid-word onto three
    lines in a column 14 wide (a fifth of a rural list's rows; an outside review): Excel breaks
    between words, and a word wider than the cell within it."""
    from pipelines.reports import COLUMNS, wrapped_lines
    from pipelines.rules import load_rules
    from pipelines.siak import OCCUPATIONS

    width = dict(COLUMNS)["Pekerjaan"]
    for code in load_rules().informal_codes:
        for word in OCCUPATIONS[code].split(" "):
            assert wrapped_lines(word, width) == 1, word


def test_a_kelurahan_known_by_its_code_alone_is_titled_by_it(cands, tmp_path):
    """A kelurahan with no name anywhere, in a kecamatan the Kemendagri table lacks (the
    residents' region_code_unknown), was titled "Kelurahan 6474091001 (6474091001), Kecamatan
    647409 (647409)": the code twice, and nothing said the kecamatan is unknown."""
    from pipelines.reports import SHEET

    kel = pl.DataFrame({"kode_kel": ["6474091001"], "kode_kec": ["647409"]})
    (path,) = write_gap_lists(cands.clear(), "2026-11", tmp_path, key=b"k" * 32, kelurahan=kel)
    wb = load_workbook(path)
    assert wb[SHEET]["A2"].value == ("Kelurahan 6474091001, "
                                     "Kecamatan 647409 (kode tidak ada di tabel wilayah Kemendagri)")
    assert wb["Ringkasan"]["A1"].value == "Ringkasan Kelurahan 6474091001"
    assert wb[SHEET].oddFooter.left.text.startswith("Kelurahan 6474091001 — November 2026")
    # and the coverage page says so too: it showed "647409 | 647409" (a coordinators' review)
    cov = pl.DataFrame({
        "period": ["2026-11"] * 2, "kode_kab": ["6474"] * 2, "kode_kec": ["647401", "647409"],
        "nama_kec": [None, None], "kode_kel": ["6474011001", "6474091001"], "nama_kel": [None, None],
        "pekerja": [10, 4], "terlindungi": [5, 0], "kandidat": [5, 4], "iuran_bulanan": [0, 0], "iuran_tahunan": [0, 0]})
    page = write_coverage_report(cov, "2026-11", tmp_path).read_text(encoding="utf-8")
    assert '<td>647409</td><th scope="row">(kode tidak ada di tabel wilayah Kemendagri)</th>' in page
    assert "6474091001 (kecamatan tidak dikenal)" in page and "Bontang Kuala (kecamatan" not in page
    assert '<td>647401</td><th scope="row">Bontang Utara</th>' in page and "<td>647409</td><th scope=\"row\">647409" not in page

def test_residents_whose_record_must_be_fixed_are_listed_for_their_kelurahan_and_counted(cands, tmp_path):
    """Residents not judged (an unknown occupation, an invalid birth date, no region code) were
    only flags in residents.parquet: never candidates, and never shown to a person who could
    have them fixed (UU PDP Art. 34). Those a fix could make candidates are listed on their
    kelurahan's sheet with what to fix, and counted on the coverage page; children, the
    elderly, the formally employed and the protected are not."""
    from pipelines.candidates import NO_KELURAHAN, TO_FIX, coverage, to_fix
    from pipelines.reports import TO_FIX_SHEET, coverage_md

    OCCUPATION_FIX = TO_FIX["occupation_unknown"]
    from pipelines.rules import load_rules

    kel = "6474011001"
    people = [  # name, umur, informal, protected, flags, occupation, kode_kel, listed with
        ("A OJEK", 40, False, False, ["occupation_unknown"], "OJEK ONLINE",
         kel, OCCUPATION_FIX),
        ("B OJEK TERLINDUNGI", 40, False, True, ["occupation_unknown"], "OJEK ONLINE", kel, None),
        ("C OJEK TUA", 80, False, False, ["occupation_unknown"], "OJEK ONLINE", kel, None),
        ("D PEDAGANG", None, True, False, ["tgl_lhr_invalid"], "PEDAGANG", kel, "tanggal lahir tidak valid"),
        ("E PNS", None, False, False, ["tgl_lhr_invalid"], "PEGAWAI NEGERI SIPIL", kel, None),
        # a label the rules judge is no fault: only the date is to fix
        ("F PIJAT", None, True, False, ["occupation_unknown", "tgl_lhr_missing"], "TUKANG PIJAT", kel,
         "tanggal lahir kosong"),
        ("G BAYI", -1, False, False, [], None, kel, None),  # born after the period began: nothing to fix
        ("H TANPA KODE", 30, True, False, ["region_code_missing"], "PEDAGANG", None,
         "kode wilayah (kecamatan/kelurahan) kosong"),
        ("I CALON", 30, True, False, [], "PEDAGANG", kel, None),
        # whatever was typed, a NIK too: starred, as in a name or an address
        ("J NIK DI PEKERJAAN", 30, False, False, ["occupation_unknown"], "6474011208900099", kel,
         OCCUPATION_FIX),
        # a birth date in the future tells no age: listed, its age a dash (it was shown as -5)
        ("K MASA DEPAN", -5, True, False, ["tgl_lhr_future"], "PEDAGANG", kel, "tanggal lahir sesudah hari ini"),
    ]
    assessed = pl.DataFrame({
        "NIK": [f"64740112089000{i:02d}" for i in range(len(people))],
        "NAMA_LGKP": [p[0] for p in people], "umur": [p[1] for p in people],
        "TGL_LHR": [date(1986, 8, 12) if p[1] is not None else None for p in people],
        "JENIS_KLMIN": ["L"] * len(people), "ALAMAT": ["JL. A"] * len(people), "NO_RT": ["001"] * len(people),
        "NO_RW": ["002"] * len(people),
        "informal": [p[2] for p in people], "terlindungi": [p[3] for p in people],
        "flags": [p[4] for p in people], "JENIS_PKRJN": [p[5] for p in people],
        "pekerjaan_kode": [84 if p[5] == "PEDAGANG" else None for p in people],
        "kode_kel": [p[6] for p in people], "kode_kab": [p[6] and p[6][:4] for p in people],
        "tgl_lhr_raw": [None] * len(people), "jenis_klmin_raw": [None] * len(people),
    }, schema_overrides={"umur": pl.Int16, "tgl_lhr_raw": pl.String, "jenis_klmin_raw": pl.String}).with_columns(
        working_age=pl.col("umur").is_between(18, 64).fill_null(False),
        judgeable=(pl.col("flags").list.len() == 0) & (pl.col("umur") >= 0))
    fix = to_fix(assessed, load_rules())
    expected = {p[0]: p[7] for p in people if p[7]}
    assert dict(zip(fix["NAMA_LGKP"], fix["perbaikan"])) == expected
    # NO_KEL alone blank, its kecamatan known: said with the kecamatan as the Kemendagri table
    # writes it (a title-casing made "Bathin III" "Bathin Iii")
    known_kec = to_fix(assessed.with_columns(kode_kec=pl.when(pl.col("kode_kel").is_null()).then(pl.lit("150811"))),
                       load_rules())
    assert known_kec.filter(pl.col("NAMA_LGKP") == "H TANPA KODE")["perbaikan"].to_list() == [
        "kode kelurahan (NO_KEL) kosong; kecamatan Bathin III"]

    candidates = cands.filter(pl.col("NAMA_LGKP") == "SITI AMINAH").with_columns(NAMA_LGKP=pl.lit("I CALON"))
    cov = coverage(assessed, candidates, load_rules(), "2026-11")
    listed = cov.filter(pl.col("kode_kel") == kel)
    assert listed["perlu_perbaikan"].to_list() == [5] and listed["pekerja"].to_list() == [1]
    # the one without a kelurahan code: a row of its kab/kota, so that none is left out
    nowhere = cov.filter(pl.col("kode_kel").is_null())
    assert nowhere.select("kode_kab", "nama_kel", "perlu_perbaikan", "pekerja").rows() == [
        ("6474", f"{NO_KELURAHAN}, Kota Bontang", 1, 0)]   # named with its kab/kota: two read alike
    page = write_coverage_report(cov, "2026-11", tmp_path).read_text(encoding="utf-8")
    HTMLParser().feed(page)
    assert "Data perlu diperbaiki, belum dapat dinilai<b>6</b>" in page
    # and where their names are: said only where there are such residents
    assert "yang tanpa kode kelurahan ada di file perbaikan_data/2026-11/" in page
    other = write_coverage_report(cov.filter(pl.col("kode_kel").is_not_null()), "2026-11", tmp_path / "o")
    assert "perbaikan_data" not in other.read_text(encoding="utf-8")
    assert f'<th scope="row">{NO_KELURAHAN}, Kota Bontang</th>' in page
    assert page.count(f'<span class="bar-name">{NO_KELURAHAN}') == 0      # no bar for it: it has no workers
    assert coverage_md(cov).splitlines()[-1].endswith("| | 6 |")

    [path] = write_gap_lists(candidates, "2026-11", tmp_path, key=b"k" * 32, to_fix=fix)
    wb = load_workbook(path)
    ws = wb[TO_FIX_SHEET]
    header = [c.value for c in ws[6]]
    assert header[:3] == ["No", "Nama Lengkap", "NIK"] and header[-1] == "Yang Perlu Diperbaiki"
    rows = [r for r in ws.iter_rows(min_row=7, values_only=True) if r[0] is not None]
    assert [(r[1], r[-1]) for r in rows] == [(n, w) for n, w in expected.items() if n != "H TANPA KODE"]
    assert all(NIK_MASKED.match(r[2]) for r in rows)
    assert [r[3] for r in rows] == [1986, "-", "-", 1986, 1986]   # the year beside a masked NIK
    assert [r[4] for r in rows] == [40, "-", "-", 30, "-"]                  # unknown: a dash
    assert "6474011208900099" not in rows[3][9] and "6474011208900099" not in all_cells(wb)
    assert dict(wb["Ringkasan"].iter_rows(min_row=3, max_col=2, values_only=True))[
        f"Data perlu diperbaiki (lembar '{TO_FIX_SHEET}')"] == 5
    assert wb.sheetnames == ["Daftar Calon Peserta", "Ringkasan", TO_FIX_SHEET, "Petunjuk"]
    # a kelurahan with residents to fix but no candidate: its list said "no visit needed" alone
    [path] = write_gap_lists(candidates.clear(), "2026-11", tmp_path / "none", key=b"k" * 32, to_fix=fix)
    assert load_workbook(path)["Daftar Calon Peserta"]["A9"].value == \
        f"5 penduduk perlu diperbaiki datanya: lihat lembar '{TO_FIX_SHEET}'."
    # those a fix would still not list (verified as not to enroll, held by BPJS) are left out
    assert "A OJEK" not in to_fix(assessed, load_rules(), exclude=[assessed["NIK"][0]])["NAMA_LGKP"].to_list()
    # the one without a kelurahan code was on no list (a count on the page, flags in a parquet no
    # city staff opens): its kab/kota's staff get a list of their own, outside gap_lists/
    from pipelines.candidates import without_kelurahan
    from pipelines.reports import write_lists_without_kelurahan

    [own] = write_lists_without_kelurahan(without_kelurahan(fix, assessed), "2026-11", tmp_path)
    assert own == tmp_path / "perbaikan_data" / "2026-11" / "6474.xlsx"
    wb = load_workbook(own)
    assert wb.sheetnames == [TO_FIX_SHEET, "Petunjuk"]
    ws = wb[TO_FIX_SHEET]
    assert ws["A2"].value == "Kota Bontang (6474): penduduk tanpa kode kelurahan" and "Periode November 2026" in ws["A3"].value
    assert [(r[1], r[-1]) for r in ws.iter_rows(min_row=7, values_only=True) if r[0] is not None] == [
        ("H TANPA KODE", expected["H TANPA KODE"])]
    assert NIK_MASKED.match(ws["C7"].value) and "Kota Bontang (6474)" in ws.oddFooter.left.text
    # notes typed into one were lost to the next run too: a list changed since it was written is
    # kept beside, renamed, and a file of another name left alone
    wb.active["A1"] = "sudah dikirim ke Dukcapil"
    wb.save(own)
    (own.parent / "catatan.xlsx").write_bytes(b"not ours")
    assert write_lists_without_kelurahan(without_kelurahan(fix, assessed), "2026-11", tmp_path) == [own]
    assert sorted(p.name for p in own.parent.glob("*.xlsx")) == ["6474 (diubah).xlsx", "6474.xlsx", "catatan.xlsx"]
    assert load_workbook(own.parent / "6474 (diubah).xlsx").active["A1"].value == "sudah dikirim ke Dukcapil"
    # none left next month: the stale list goes, and the half-written file of a killed writer
    killed = own.parent / "6474.xlsx.999999-1.tmp"
    killed.write_bytes(b"PK")
    assert write_lists_without_kelurahan(without_kelurahan(fix.clear(), assessed), "2026-11", tmp_path) == []
    assert not own.exists() and not killed.exists()
    assert sorted(p.name for p in own.parent.glob("*.xlsx")) == ["6474 (diubah).xlsx", "catatan.xlsx"]
    # a list written without the residents to fix has no such sheet, and its guide does not speak of one
    [path] = write_gap_lists(candidates, "2026-11", tmp_path / "without", key=b"k" * 32)
    wb = load_workbook(path)
    assert TO_FIX_SHEET not in wb.sheetnames
    assert not any(TO_FIX_SHEET in (c or "") for c in all_cells(wb) if isinstance(c, str))


def test_the_sheet_to_fix_shows_a_damaged_value_as_it_was_written(cands, tmp_path):
    """"tanggal lahir tidak valid" alone sent the kelurahan to the registry to find out what was
    wrong, and the extract's line it came from is replaced next month: the ingest keeps a birth
    date or a sex it could not read as written, and the sheet shows it (a NIK typed there
    starred, as in any free text of the list)."""
    from pipelines.candidates import to_fix
    from pipelines.ingest import clean_penduduk
    from pipelines.readers import read_extract
    from pipelines.reports import TO_FIX_SHEET
    from pipelines.rules import load_rules

    header = "NIK,NAMA_LGKP,TGL_LHR,JENIS_KLMIN,JENIS_PKRJN,NO_PROP,NO_KAB,NO_KEC,NO_KEL\n"
    lines = ["6474014508850001,A TANGGAL,30-02-1985,PEREMPUAN,PEDAGANG,64,74,01,1001",
             "6474011208900002,B KELAMIN,12-08-1990,X,PEDAGANG,64,74,01,1001",
             "6474011208900003,C NIK DI TANGGAL,6474011208900099,LAKI-LAKI,PEDAGANG,64,74,01,1001",
             # found by fuzzing: cut to 40 characters before the starring, the NIK's first 11 digits showed
             "6474011208900005,E PANJANG,xxxxxxxxxxxxxxxxxxxxxxxxxxxxx6474011208900099,LAKI-LAKI,PEDAGANG,64,74,01,1001",
             "6474011208900004,D BAIK,12-08-1990,LAKI-LAKI,PEDAGANG,64,74,01,1001"]
    (tmp_path / "penduduk.csv").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    residents = clean_penduduk(read_extract(tmp_path, "penduduk")).accepted
    raw = {r["NAMA_LGKP"]: (r["tgl_lhr_raw"], r["jenis_klmin_raw"]) for r in residents.iter_rows(named=True)}
    assert raw == {"A TANGGAL": ("30-02-1985", None), "B KELAMIN": (None, "X"),
                   "C NIK DI TANGGAL": ("6474011208900099", None), "D BAIK": (None, None),
                   "E PANJANG": ("x" * 29 + "6474011208900099", None)}
    assessed = residents.with_columns(
        umur=pl.lit(None, pl.Int16), informal=pl.lit(True), terlindungi=pl.lit(False),
        working_age=pl.lit(True), judgeable=pl.col("flags").list.len() == 0)
    fix = to_fix(assessed, load_rules())
    assert dict(zip(fix["NAMA_LGKP"], fix["perbaikan"])) == {
        "A TANGGAL": 'tanggal lahir tidak valid (tertulis: "30-02-1985")',
        "B KELAMIN": 'jenis kelamin tidak dikenal (tertulis: "X")',
        "C NIK DI TANGGAL": 'tanggal lahir tidak valid (tertulis: "****************")',
        "E PANJANG": f'tanggal lahir tidak valid (tertulis: "{"x" * 29 + "*" * 10}…")'}
    [path] = write_gap_lists(cands.with_columns(kode_kel=pl.lit("6474011001")), "2026-11", tmp_path, key=b"k" * 32,
                             to_fix=fix)
    wb = load_workbook(path)
    shown = {r[1]: r[-1] for r in wb[TO_FIX_SHEET].iter_rows(min_row=7, values_only=True) if r[0] is not None}
    assert shown["A TANGGAL"] == 'tanggal lahir tidak valid (tertulis: "30-02-1985")'
    assert shown["C NIK DI TANGGAL"] == 'tanggal lahir tidak valid (tertulis: "****************")'
    assert not any(re.search("[0-9]{5}", str(c)) for c in shown.values())


def test_a_number_typed_into_a_cell_is_starred_alike_when_written_and_when_read_back(cands, tmp_path):
    """Found by fuzzing: LONG_DIGITS was \\d, which polars' regex (writing the lists) and Python's
    (reading them back) take from different Unicode versions: a name with Kawi digits was
    starred in the list and then refused as changed. The digits are named now, the same for
    both; and a telephone number typed with spaced dashes is starred too."""
    from pipelines.nik import LONG_DIGITS, mask_long_digits
    from pipelines.pseudonym import pseudonym_column
    from pipelines.reports import COL, HEADER_ROW
    from pipelines.verification import read_returned

    kawi = "".join(chr(0x11F50 + i % 10) for i in range(12))
    texts = ["SITI " + kawi, "TELP 0812 - 3456 - 7890", "OJEK ６４７４０１１５０８９０００１", "A ٦٤٧٤٠١١٥٠٨٩٠٠٠١",
             "KURIR 6474_0115_0890_0001", "JL. A NO. 12 RT 001/RW 002", "MUHAMMAD 64740115089",
             # a letter typed for a digit (a privacy audit: "6402O54904180001" was shown but one digit)
             "OJEK 6402O54904180001", "BURUH 64 02 O5 49 O4 18 00 01", "l474011505110001"]
    assert pl.Series(texts).str.replace_all(LONG_DIGITS, "*" * 16).to_list() == [mask_long_digits(t) for t in texts]
    assert [mask_long_digits(t) for t in texts[1:5]] == ["TELP ****************", "OJEK ****************",
                                                         "A ****************", "KURIR ****************"]
    assert mask_long_digits(texts[5]) == texts[5] and mask_long_digits(texts[6]) == texts[6]   # short: kept
    assert [mask_long_digits(t) for t in texts[7:]] == ["OJEK ****************", "BURUH ****************",
                                                      "l****************"]
    typed = cands.with_columns(NAMA_LGKP=pl.Series(["SITI " + kawi, "AHMAD 0812 - 3456 - 7890", "BUDI"]))
    path = write_gap_lists(typed, "2026-11", tmp_path, key=b"k" * 32)[0]
    wb = load_workbook(path)
    ws = wb["Daftar Calon Peserta"]
    for row in (HEADER_ROW + 2, HEADER_ROW + 3):
        ws.cell(row, COL["Hasil Verifikasi"] + 1).value = "Valid"
    wb.save(path)
    keyed = typed.with_columns(pseudonym_column(typed["NIK"], b"k" * 32))
    assert read_returned(path, "2026-11", keyed, b"k" * 32)["hasil"].to_list() == ["Valid", "Valid"]


def test_a_list_filled_in_where_it_lay_is_moved_to_the_inbox_not_lost(cands, tmp_path):
    """A coordinators' review: a coordinator who filled in a list in the output folder and saved
    it under the same name (as its guide says), or saved a copy beside it, lost it to the next
    run of the period, which emptied the folder without a word. Lists as written are still
    replaced (a kelurahan with no candidates left keeps no stale one); any other workbook goes to
    the verification inbox, whence a returned list is applied; Excel's owner file is left alone."""
    from pipelines.files import WRITTEN
    from pipelines.reports import COL, HEADER_ROW, clear_gap_lists

    folder, inbox = tmp_path / "gap_lists" / "2026-11", tmp_path / "inbox" / "verifikasi" / "2026-11"
    first = write_gap_lists(cands, "2026-11", tmp_path, key=b"k" * 32)
    assert [p.name for p in first] == ["6474011001.xlsx", "6474021003.xlsx"] and (folder / WRITTEN).exists()
    wb = load_workbook(first[0])
    wb["Daftar Calon Peserta"].cell(HEADER_ROW + 2, COL["Hasil Verifikasi"] + 1).value = "Meninggal"
    wb.save(first[0])
    wb.save(folder / "6474011001 terisi Bu Rina.xlsx")
    (folder / "~$6474011001.xlsx").write_bytes(b"owner")
    # and a list saved beside itself as LibreOffice's .ods (the inbox's sensor says what to do)
    (folder / "6474021003.ods").write_bytes(b"ods")
    again = write_gap_lists(cands, "2026-11", tmp_path, key=b"k" * 32)
    assert again == first and sorted(p.name for p in inbox.iterdir()) == ["6474011001 terisi Bu Rina.xlsx",
                                                                           "6474011001.xlsx", "6474021003.ods"]
    filled = load_workbook(inbox / "6474011001.xlsx")["Daftar Calon Peserta"]
    assert filled.cell(HEADER_ROW + 2, COL["Hasil Verifikasi"] + 1).value == "Meninggal"
    fresh = load_workbook(folder / "6474011001.xlsx")["Daftar Calon Peserta"]
    assert fresh.cell(HEADER_ROW + 2, COL["Hasil Verifikasi"] + 1).value is None
    assert (folder / "~$6474011001.xlsx").exists()
    # the lists as written are replaced, not moved; so are those written before records were
    # kept (no record), which say themselves that nobody edited them
    assert clear_gap_lists(tmp_path, "2026-11") == [] and not list(folder.glob("[0-9]*.xlsx"))
    write_gap_lists(cands, "2026-11", tmp_path, key=b"k" * 32)
    (folder / WRITTEN).unlink()
    assert clear_gap_lists(tmp_path, "2026-11") == [] and not list(folder.glob("[0-9]*.xlsx"))
    # and one the record does not name, saved by an editor, goes to the inbox beside the first,
    # under a name of its own
    write_gap_lists(cands, "2026-11", tmp_path, key=b"k" * 32)
    (folder / WRITTEN).unlink()
    wb = load_workbook(folder / "6474021003.xlsx")
    wb.properties.lastModifiedBy = "Bu Rina"
    wb.save(folder / "6474021003.xlsx")
    wb.save(folder / "6474011001.xlsx")
    assert clear_gap_lists(tmp_path, "2026-11") == [inbox / "6474011001.2.xlsx", inbox / "6474021003.xlsx"]
    assert sorted(p.name for p in inbox.iterdir()) == ["6474011001 terisi Bu Rina.xlsx", "6474011001.2.xlsx",
                                                         "6474011001.xlsx", "6474021003.ods", "6474021003.xlsx"]


def test_the_guide_says_where_those_without_a_desil_rank_as_the_rules_have_it(cands, tmp_path):
    """An outside review: with `[ranking] no_welfare_desil = 5` those without a welfare record
    rank alongside desil 5, and the Petunjuk still said "sesudah desil 10"; at the defaults it
    says what it said, to the byte."""
    from pipelines.rules import load_rules
    from tests.test_rules import _with

    def guide(rules, where):
        wb = load_workbook(write_gap_lists(cands, "2026-11", tmp_path / where, key=b"k" * 32, rules=rules)[0])
        return [c.value or "" for c in wb["Petunjuk"]["A"]]

    default = "   disabilitas lebih dahulu, lalu desil DTSEN terendah (tanpa desil: sesudah desil 10), lalu kelurahan/desa"
    assert default in guide(load_rules(), "default") and default in guide(None, "none")
    five = "\n".join(guide(load_rules(_with(tmp_path, r"^no_welfare_desil = 11", "no_welfare_desil = 5")), "five"))
    assert "terendah (tanpa desil: setara desil 5), lalu kelurahan/desa" in five and "sesudah desil 10" not in five
    above = "\n".join(guide(load_rules(_with(tmp_path, r"^no_welfare_desil = 11", "no_welfare_desil = 12")), "twelve"))
    assert default in above.split("\n")


def _jht_rules(tmp_path):
    from pipelines.rules import DEFAULT_RULES, load_rules

    path = tmp_path / "jht.toml"
    path.write_text(DEFAULT_RULES.read_text(encoding="utf-8").replace(
        'required_programs = ["JKK", "JKM"]', 'required_programs = ["JKK", "JKM", "JHT"]'), encoding="utf-8")
    return load_rules(path)


def test_the_lists_and_the_page_name_the_programmes_required(cands, tmp_path):
    """An outside review: with JHT required as well the list's title said "(JKK + JKM)" and its
    Petunjuk "'Sudah terdaftar': sudah menjadi peserta JKK + JKM", so a coordinator would mark off
    someone holding JKK + JKM without JHT; the coverage page said "Terlindungi JKK + JKM" of the
    count holding all three, and its budget left JHT out. They name the programmes the rules
    require; at the defaults every text is as it was."""
    from pipelines.reports import COL, SHEET, TO_FIX_SHEET, write_lists_without_kelurahan
    from pipelines.rules import load_rules

    jht = _jht_rules(tmp_path)
    fix = cands.head(1).with_columns(perbaikan=pl.lit("pekerjaan kosong"))
    nowhere_fix = fix.with_columns(kode_kel=pl.lit(None, pl.String), region=pl.lit("6474"))
    listed = cands.with_columns(mungkin_terdaftar=pl.Series([0.89, None, None]))
    kel = pl.DataFrame({"kode_kel": ["6474011001", "6474021003", "6474031001"]})
    said = {}
    for name, rules in (("default", load_rules()), ("jht", jht)):
        out = tmp_path / name
        paths = write_gap_lists(listed, "2026-11", out, key=b"k" * 32, to_fix=fix, kelurahan=kel, rules=rules)
        wb, empty = load_workbook(paths[0]), load_workbook(paths[-1])
        [own] = write_lists_without_kelurahan(nowhere_fix, "2026-11", out, rules=rules)
        unplaced = load_workbook(own)
        guide = "\n".join(c.value or "" for c in wb["Petunjuk"]["A"])
        note = [r[COL["Keterangan BPJS"]] for r in wb[SHEET].iter_rows(min_row=7, values_only=True) if r[0] == 1][0]
        said[name] = (wb[SHEET]["A1"].value, wb.properties.title.split(" — ")[0], wb[TO_FIX_SHEET]["A1"].value,
                      wb[TO_FIX_SHEET]["A5"].value, guide, note, empty[SHEET]["A8"].value,
                      "\n".join(c.value or "" for c in unplaced["Petunjuk"]["A"]), unplaced[TO_FIX_SHEET]["A5"].value)
    title, props, fix_title, fix_note, guide, note, nobody, unplaced_guide, unplaced_note = said["default"]
    assert title == props == "Daftar Calon Peserta BPJS Ketenagakerjaan (JKK + JKM)"
    assert "3. Pilih 'Valid' bila orangnya ada, bekerja di sektor informal dan belum terdaftar JKK + JKM." in guide
    assert "   'Sudah terdaftar': sudah menjadi peserta JKK + JKM (tulis nomor KPJ di 'Catatan' bila ada)." in guide
    assert fix_note == unplaced_note == ("Belum dapat dinilai sebagai calon peserta JKK + JKM karena data "
                                         "kependudukannya kosong atau tidak sesuai; setelah diperbaiki di Disdukcapil, "
                                         "dinilai lagi pada periode berikutnya.")
    assert note.startswith("Mungkin sudah terdaftar: ada kartu BPJS TK aktif (JKK + JKM) dengan NIK atau data mirip")
    assert nobody.startswith("Pekerja rentan di kelurahan ini (bila ada) sudah terlindungi JKK + JKM, sudah dikirim")
    assert "dapat dinilai sebagai calon peserta JKK + JKM dan tidak tercantum" in unplaced_guide
    assert "{" not in guide + unplaced_guide
    # with JHT required: the same texts, naming it
    expected = [t.replace("JKK + JKM", "JKK + JKM + JHT") for t in said["default"]]
    assert list(said["jht"]) == expected and "JKK + JKM + JHT" in said["jht"][4]

    cov = pl.DataFrame({
        "period": ["2026-11"], "kode_kab": ["6474"], "kode_kec": ["647401"], "nama_kec": ["Bontang Utara"],
        "kode_kel": ["6474011001"], "nama_kel": ["Bontang Kuala"], "pekerja": [10], "terlindungi": [5],
        "kandidat": [5], "iuran_bulanan": [5 * 36_800], "iuran_tahunan": [12 * 5 * 36_800]})
    page = write_coverage_report(cov, "2026-11", tmp_path / "page", rules=jht).read_text(encoding="utf-8")
    assert "JKK + JKM Pekerja" not in page and "Terlindungi JKK + JKM<" not in page
    assert "<h1>Cakupan JKK + JKM + JHT Pekerja Rentan" in page and "Terlindungi JKK + JKM + JHT<b>5</b>" in page
    assert "Cakupan = terlindungi JKK + JKM + JHT aktif dibagi pekerja rentan" in page
    assert ("iuran JKK (1% dari penghasilan yang dilaporkan Rp1.000.000, paling sedikit Rp10.000) + JKM (Rp6.800) "
            "+ JHT (2% dari penghasilan yang dilaporkan, Rp20.000) = Rp36.800") in page
    page = write_coverage_report(cov, "2026-11", tmp_path / "page0", rules=load_rules()).read_text(encoding="utf-8")
    assert "<h1>Cakupan JKK + JKM Pekerja Rentan" in page and "Terlindungi JKK + JKM<b>5</b>" in page
    assert "JHT" not in page



def test_the_coverage_page_gives_the_coverage_with_those_bpjs_accepted(tmp_path):
    """A coordinators' review: after 2,457 people were sent and 1,197 accepted, the page read
    26,2% → 26,2%: the roster had not caught up. Beside the coverage (protected in the roster),
    the page gives it with those BPJS accepted and the roster does not show yet; not with those
    awaiting BPJS's answer, and not at all when BPJS has accepted no one."""
    cov = pl.DataFrame({
        "period": ["2026-11"], "kode_kab": ["6474"], "kode_kec": ["647401"], "nama_kec": ["Bontang Utara"],
        "kode_kel": ["6474011001"], "nama_kel": ["Bontang Kuala"], "pekerja": [20], "terlindungi": [5],
        "didaftarkan": [4], "menunggu_bpjs": [1], "kandidat": [11], "dikecualikan": [0],
        "iuran_bulanan": [0], "iuran_tahunan": [0]})
    page = write_coverage_report(cov, "2026-11", tmp_path).read_text(encoding="utf-8")
    assert "Cakupan termasuk yang sudah diterima BPJS<b>40,0%</b>" in page and "Cakupan<b>25,0%</b>" in page
    page = write_coverage_report(cov.with_columns(menunggu_bpjs=pl.lit(4)), "2026-11", tmp_path).read_text(
        encoding="utf-8")
    assert "Cakupan termasuk yang sudah diterima BPJS<b>" not in page
