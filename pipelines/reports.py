"""Coordinator outputs: a gap list per kelurahan (XLSX) and the coverage report (HTML).

What coordinators read is in Bahasa Indonesia. Gap lists mask NIKs (``647401******0001``)
unless a full list is explicitly asked for, and then say so on the sheet; disability is a flag,
never its kind. The coverage page is self-contained (inline CSS and SVG) so it opens offline.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.regions import kecamatan_name, kelurahan_name

BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember"]
VERIFIKASI = ["Valid", "Sudah terdaftar", "Pindah domisili", "Meninggal", "Tidak ditemukan", "Menolak"]
COLUMNS = [  # (header, width)
    ("No", 5), ("Peringkat", 10), ("Nama Lengkap", 32), ("NIK", 19), ("Umur", 6), ("Jenis Kelamin", 13),
    ("Alamat", 30), ("RT", 5), ("RW", 5), ("Pekerjaan", 22), ("Desil", 6), ("Penyandang Disabilitas", 12),
    ("Iuran per Bulan", 15), ("Tanggal Lahir", 13), ("Hasil Verifikasi", 18), ("Catatan", 30), ("ID Baris", 22),
]


def mask_nik(nik: str | None) -> str:
    if not nik:
        return ""
    return nik[:6] + "*" * 6 + nik[-4:] if len(nik) == 16 else "*" * len(nik)


def mask_nik_expr(col: str = "NIK") -> pl.Expr:
    c = pl.col(col)
    return pl.when(c.str.len_chars() == 16).then(c.str.slice(0, 6) + "******" + c.str.slice(12, 4)).otherwise(None)


def periode_label(period: str) -> str:
    year, month = period.split("-")
    return f"{BULAN[int(month) - 1]} {year}"


def rupiah(n: float | int | None) -> str:
    return "-" if n is None else "Rp" + f"{int(round(n)):,}".replace(",", ".")


def write_gap_lists(candidates: pl.DataFrame, period: str, out_dir: Path, *, full_nik: bool = False,
                    kelurahan_names: dict[str, str] | None = None, key: bytes | None = None) -> list[Path]:
    """One workbook per kelurahan at ``out_dir/gap_lists/<period>/<kode_kel>.xlsx``. The hidden
    ``ID Baris`` column is a keyed pseudonym of the NIK (stable across runs, not reversible
    without the key), so a returned file can be matched back to its candidates."""
    from pipelines.pseudonym import load_key, pseudonym_column

    candidates = candidates.with_columns(pseudonym_column(candidates["NIK"], key or load_key()))
    folder = Path(out_dir) / "gap_lists" / period
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.xlsx"):  # a kelurahan with no candidates left keeps no stale list
        old.unlink()
    names = kelurahan_names or {}
    paths = []
    for (kode_kel,), rows in candidates.sort("rank").group_by("kode_kel", maintain_order=True):
        nama_kel = names.get(kode_kel) or kelurahan_name(kode_kel) or kode_kel
        path = folder / f"{kode_kel}.xlsx"
        _write_workbook(path, rows, period, kode_kel, nama_kel, full_nik)
        paths.append(path)
    return sorted(paths)


def _write_workbook(path: Path, rows: pl.DataFrame, period: str, kode_kel: str, nama_kel: str,
                    full_nik: bool) -> None:
    import xlsxwriter

    tmp = path.with_suffix(".xlsx.tmp")
    wb = xlsxwriter.Workbook(str(tmp), {"remove_timezone": True})
    title = wb.add_format({"bold": True, "font_size": 14})
    bold = wb.add_format({"bold": True})
    warn = wb.add_format({"bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE"})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    money = wb.add_format({"num_format": '"Rp"#,##0'})
    dmy = wb.add_format({"num_format": "dd-mm-yyyy"})
    fill = wb.add_format({"bg_color": "#FFF2CC", "border": 1})

    ws = wb.add_worksheet("Daftar Calon Peserta")
    kec = kecamatan_name(kode_kel[:6]) or kode_kel[:6]
    ws.write(0, 0, "Daftar Calon Peserta BPJS Ketenagakerjaan (JKK + JKM)", title)
    ws.write(1, 0, f"Kelurahan {nama_kel} ({kode_kel}), Kecamatan {kec}", bold)
    ws.write(2, 0, f"Periode {periode_label(period)}; dibuat {date.today().strftime('%d-%m-%Y')}")
    if full_nik:
        ws.write(3, 0, "NIK DITAMPILKAN LENGKAP — DATA PRIBADI, JANGAN DISEBARLUASKAN", warn)
    else:
        ws.write(3, 0, "NIK disamarkan sesuai UU 27/2022 tentang Pelindungan Data Pribadi.")
    header_row = 5
    for c, (name, width) in enumerate(COLUMNS):
        ws.write(header_row, c, name, head)
        ws.set_column(c, c, width)
    ws.set_column(len(COLUMNS) - 1, len(COLUMNS) - 1, 22, None, {"hidden": True})  # ID Baris: for matching back
    for i, r in enumerate(rows.iter_rows(named=True)):
        row = header_row + 1 + i
        nik = r["NIK"] if full_nik else mask_nik(r["NIK"])
        values = [i + 1, r["rank"], r["NAMA_LGKP"], nik, r["umur"],
                  {"L": "Laki-laki", "P": "Perempuan"}.get(r["JENIS_KLMIN"] or "", "-"),
                  r["ALAMAT"] or "", r["NO_RT"] or "", r["NO_RW"] or "", r["JENIS_PKRJN"] or "",
                  "-" if r["desil"] is None else r["desil"], "Ya" if r["disabilitas"] else ""]
        for c, v in enumerate(values):
            ws.write(row, c, v)
        ws.write_number(row, 12, r["iuran_bulanan"], money)
        if r["TGL_LHR"] is not None:
            ws.write_datetime(row, 13, r["TGL_LHR"], dmy)
        ws.write_blank(row, 14, None, fill)
        ws.write_blank(row, 15, None, fill)
        ws.write_string(row, 16, r["pseudonym"])
    last = header_row + max(rows.height, 1)
    ws.data_validation(header_row + 1, 14, last, 14, {
        "validate": "list", "source": VERIFIKASI, "error_title": "Hasil Verifikasi",
        "error_message": "Pilih salah satu: " + ", ".join(VERIFIKASI)})
    ws.autofilter(header_row, 0, last, len(COLUMNS) - 2)
    ws.freeze_panes(header_row + 1, 3)

    _summary_sheet(wb, rows, period, nama_kel, bold, money)
    guide = wb.add_worksheet("Petunjuk")
    for i, line in enumerate([
        "Petunjuk pengisian",
        "1. Kunjungi setiap calon peserta sesuai urutan pada lembar 'Daftar Calon Peserta'.",
        "2. Isi kolom 'Hasil Verifikasi' dengan memilih salah satu pilihan pada daftar.",
        "3. Gunakan kolom 'Catatan' untuk keterangan tambahan (misalnya alamat baru).",
        "4. Jangan mengubah kolom lain, jangan menghapus atau menambah baris.",
        "5. Simpan file dengan nama yang sama dan kirim kembali ke koordinator kota.",
        "6. Jaga kerahasiaan data: jangan membagikan file ini di luar petugas verifikasi.",
    ]):
        guide.write(i, 0, line, bold if i == 0 else None)
    guide.set_column(0, 0, 90)
    wb.close()
    tmp.replace(path)


def _summary_sheet(wb, rows: pl.DataFrame, period: str, nama_kel: str, bold, money) -> None:
    ws = wb.add_worksheet("Ringkasan")
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 16)
    ws.write(0, 0, f"Ringkasan Kelurahan {nama_kel}, periode {periode_label(period)}", bold)
    ws.write(2, 0, "Jumlah calon peserta", bold)
    ws.write_number(2, 1, rows.height)
    ws.write(3, 0, "Total iuran per bulan", bold)
    ws.write_number(3, 1, int(rows["iuran_bulanan"].sum()), money)
    ws.write(4, 0, "Total iuran per tahun", bold)
    ws.write_number(4, 1, int(rows["iuran_bulanan"].sum()) * 12, money)
    r = 6
    for title, col in (("Menurut pekerjaan", "JENIS_PKRJN"), ("Menurut RT", "NO_RT"), ("Menurut desil", "desil")):
        ws.write(r, 0, title, bold)
        ws.write(r, 1, "Jumlah", bold)
        r += 1
        counts = rows.group_by(col).len().sort(["len", col], descending=[True, False], nulls_last=True)
        for key, n in counts.iter_rows():
            ws.write(r, 0, "tanpa DTSEN" if (key is None and col == "desil") else ("-" if key is None else str(key)))
            ws.write_number(r, 1, n)
            r += 1
        r += 1


# --- coverage report ----------------------------------------------------------------------------

def coverage_summary(coverage: pl.DataFrame) -> dict:
    workers, protected = int(coverage["pekerja"].sum()), int(coverage["terlindungi"].sum())
    return {
        "pekerja": workers, "terlindungi": protected, "kandidat": int(coverage["kandidat"].sum()),
        "cakupan_pct": round(100.0 * protected / workers, 2) if workers else None,
        "iuran_bulanan": int(coverage["iuran_bulanan"].sum()), "iuran_tahunan": int(coverage["iuran_tahunan"].sum()),
    }


def _n(v: int) -> str:
    """Indonesian thousands separator: 44.015."""
    return f"{int(v):,}".replace(",", ".")


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}".replace(".", ",") + "%"


def _bar_chart(coverage: pl.DataFrame) -> str:
    rows = coverage.sort("kode_kel").iter_rows(named=True)
    items = [(r["nama_kel"] or r["kode_kel"], r["cakupan_pct"] or 0.0) for r in rows]
    h, label_w, bar_w = 24, 190, 420
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_w + 70}" '
             f'height="{h * len(items) + 30}" aria-label="Cakupan per kelurahan">']
    for i, (name, pct) in enumerate(items):
        y = 10 + i * h
        w = bar_w * min(max(pct, 0.0), 100.0) / 100.0
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">{html.escape(name)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{h - 8}" fill="#eee"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{h - 8}" fill="#2e7d32"/>')
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 15}" font-size="12">{_pct(pct)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _trend_chart(history: pl.DataFrame) -> str:
    per = (history.group_by("period").agg(pl.col("pekerja").sum(), pl.col("terlindungi").sum()).sort("period")
           .with_columns(pct=100.0 * pl.col("terlindungi") / pl.col("pekerja")))
    pts = list(per.select("period", "pct").iter_rows())
    w, h, pad = 520, 200, 40
    step = (w - 2 * pad) / max(len(pts) - 1, 1)
    coords = [(pad + i * step, h - pad - (h - 2 * pad) * (p or 0) / 100.0) for i, (_, p) in enumerate(pts)]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{w}" height="{h}" aria-label="Tren cakupan">',
             f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>',
             '<polyline fill="none" stroke="#1565c0" stroke-width="2" points="'
             + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>']
    for (x, y), (period, pct) in zip(coords, pts):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1565c0"/>')
        parts.append(f'<text x="{x:.1f}" y="{h - pad + 16}" font-size="11" text-anchor="middle">{html.escape(period)}</text>')
        parts.append(f'<text x="{x:.1f}" y="{y - 6:.1f}" font-size="11" text-anchor="middle">{_pct(pct)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def write_coverage_report(coverage: pl.DataFrame, period: str, out_dir: Path,
                          history: pl.DataFrame | None = None) -> Path:
    """A self-contained HTML page at ``out_dir/coverage/<period>.html``."""
    path = Path(out_dir) / "coverage" / f"{period}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    s = coverage_summary(coverage)
    esc = html.escape
    kec = (coverage.group_by("kode_kec", "nama_kec").agg(pl.col("pekerja", "terlindungi", "kandidat", "iuran_bulanan").sum())
           .sort("kode_kec").with_columns(cakupan_pct=100.0 * pl.col("terlindungi") / pl.col("pekerja")))

    def table(df: pl.DataFrame, code: str, name: str) -> str:
        out = ["<table><thead><tr><th>Kode</th><th>Nama</th><th>Pekerja rentan</th><th>Terlindungi</th>"
               "<th>Calon peserta</th><th>Cakupan</th><th>Iuran per bulan</th></tr></thead><tbody>"]
        for r in df.iter_rows(named=True):
            out.append(f"<tr><td>{esc(r[code])}</td><td>{esc(r[name] or '-')}</td><td>{_n(r['pekerja'])}</td>"
                       f"<td>{_n(r['terlindungi'])}</td><td>{_n(r['kandidat'])}</td><td>{_pct(r['cakupan_pct'])}</td>"
                       f"<td>{rupiah(r['iuran_bulanan'])}</td></tr>")
        return "".join(out) + "</tbody></table>"

    trend = (_trend_chart(pl.concat([history.select(coverage.columns), coverage]))
             if history is not None and history.height else
             "<p>Belum ada riwayat periode sebelumnya.</p>")
    cards = [("Pekerja rentan usia kerja", _n(s["pekerja"])),
             ("Terlindungi JKK + JKM", _n(s["terlindungi"])),
             ("Calon peserta", _n(s["kandidat"])),
             ("Cakupan", _pct(s["cakupan_pct"])),
             ("Anggaran iuran per bulan", rupiah(s["iuran_bulanan"])),
             ("Anggaran iuran per tahun", rupiah(s["iuran_tahunan"]))]
    page = f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8">
<title>Cakupan Jaminan Sosial Ketenagakerjaan — {esc(periode_label(period))}</title>
<style>
body{{font-family:system-ui,Arial,sans-serif;margin:2em;color:#222}} h1{{font-size:1.5em}}
.cards{{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0}} .card{{border:1px solid #ccc;border-radius:6px;padding:.8em 1.2em;min-width:12em}}
.card b{{display:block;font-size:1.4em}} table{{border-collapse:collapse;margin:1em 0}}
th,td{{border:1px solid #ccc;padding:.3em .6em;text-align:right}} td:nth-child(2),th:nth-child(2){{text-align:left}}
th{{background:#f0f4f8}}
</style></head><body>
<h1>Cakupan JKK + JKM Pekerja Rentan — periode {esc(periode_label(period))}</h1>
<div class="cards">{"".join(f'<div class="card">{esc(k)}<b>{esc(v)}</b></div>' for k, v in cards)}</div>
<h2>Cakupan per kelurahan</h2>
{_bar_chart(coverage)}
<h2>Tren cakupan</h2>
{trend}
<h2>Per kecamatan</h2>
{table(kec, "kode_kec", "nama_kec")}
<h2>Per kelurahan</h2>
{table(coverage.sort("kode_kel"), "kode_kel", "nama_kel")}
<p>Iuran per peserta per bulan: JKK 1% dari penghasilan yang dilaporkan + JKM Rp6.800. Halaman ini tidak memuat data pribadi.</p>
</body></html>
"""
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
