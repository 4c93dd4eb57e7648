"""The coverage page as a person sees it: rendered by a real headless Chromium (Debian's
``chromium`` package, which ``.ci/run`` installs), offline, with its figures and its bars."""

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import polars as pl
import pytest

from pipelines.regions import BONTANG_KELURAHAN
from pipelines.reports import write_coverage_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI: chromium is missing (.ci/run installs Debian's chromium package)")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--blink-settings=imagesEnabled=true"]


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


def _png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB(A) rows of an 8-bit PNG (what Chromium writes), stdlib only."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, rows, prev = zlib.decompress(idat), [], bytearray(width * bpp)
    stride = width * bpp
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([bytes(line[k:k + 3]) for k in range(0, stride, bpp)])
        prev = line
    return width, height, rows


@pytest.fixture
def page(tmp_path) -> tuple[Path, pl.DataFrame]:
    kels = sorted(BONTANG_KELURAHAN)
    n = len(kels)
    workers = [1000 + 37 * i for i in range(n)]
    protected = [w * (40 + 4 * i) // 100 for i, w in enumerate(workers)]
    cov = pl.DataFrame({
        "period": ["2026-11"] * n, "kode_kab": [k[:4] for k in kels], "kode_kec": [k[:6] for k in kels],
        "nama_kec": [None] * n, "kode_kel": kels, "nama_kel": [BONTANG_KELURAHAN[k] for k in kels],
        "pekerja": workers, "terlindungi": protected, "kandidat": [w - p for w, p in zip(workers, protected)],
        "terverifikasi": [i % 3 for i in range(n)], "cakupan_pct": [None] * n,
        "iuran_bulanan": [(w - p) * 16800 for w, p in zip(workers, protected)],
        "iuran_tahunan": [(w - p) * 16800 * 12 for w, p in zip(workers, protected)],
    }, schema_overrides={"nama_kec": pl.String, "cakupan_pct": pl.Float64})
    history = cov.with_columns(period=pl.lit("2026-10"), terlindungi=pl.col("terlindungi") // 2)
    return write_coverage_report(cov, "2026-11", tmp_path / "out", history=history), cov


def test_rendered_page_shows_every_kelurahan_and_the_figures(page, tmp_path):
    path, cov = page
    out = _chromium(tmp_path, "--dump-dom", path.as_uri())
    assert out.returncode == 0, out.stderr[-2000:]
    dom = out.stdout
    text = re.sub(r"<[^>]+>", " ", dom)
    assert "Cakupan JKK + JKM Pekerja Rentan" in text and "November 2026" in text
    for name in cov["nama_kel"]:
        assert name in text, f"kelurahan {name} not on the rendered page"
    total_workers = int(cov["pekerja"].sum())
    assert f"{total_workers:,}".replace(",", ".") in text                  # Indonesian thousands
    assert re.search(r"\d+,\d%", text)                                        # Indonesian decimals
    assert "Terverifikasi" in text and "Rp" in text
    bars = [float(w) for w in re.findall(r'<span class="bar" style="width:\s*([\d.]+)%', dom)]
    assert len(bars) == cov.height and all(w > 0 for w in bars)
    assert not re.search(r'(src|href)="?https?:', dom)                      # nothing fetched from outside


def test_screenshot_shows_the_bars(page, tmp_path):
    path, _ = page
    shot = tmp_path / "page.png"
    out = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1100,1400", path.as_uri())
    assert out.returncode == 0 and shot.exists(), out.stderr[-2000:]
    width, height, rows = _png_pixels(shot)
    assert (width, height) == (1100, 1400)
    pixels = [px for row in rows[::4] for px in row[::4]]
    green = sum(1 for r, g, b in pixels if abs(r - 0x2E) < 25 and abs(g - 0x7D) < 25 and abs(b - 0x32) < 25)
    dark = sum(1 for r, g, b in pixels if r + g + b < 200)                   # text
    assert green > 200, "no coverage bars painted"
    assert dark > 500, "no text painted"


@pytest.mark.parametrize("width", [1300, 800, 500])
def test_the_page_fits_the_window_and_its_tables_scroll_in_their_box(page, tmp_path, width):
    """At 1300 px the kelurahan table (eleven columns) was wider than the page: the whole page
    scrolled sideways, the yearly budget out of sight. A table now scrolls in its own box. On a
    phone (500 px, headless Chromium's narrowest) the charts, of a fixed size, made the page
    scroll: they scale down now."""
    path, _ = page
    probe = tmp_path / "probe.html"
    probe.write_text(path.read_text(encoding="utf-8").replace(
        "</body>", '<script>document.title = document.documentElement.scrollWidth + "/" + window.innerWidth'
                   '</script></body>'), encoding="utf-8")
    out = _chromium(tmp_path, "--dump-dom", f"--window-size={width},900", probe.as_uri())
    scroll, inner = map(int, re.search(r"<title>([0-9]+)/([0-9]+)</title>", out.stdout).groups())
    assert inner == width and scroll <= inner


def test_on_a_laptop_screen_every_table_is_seen_whole(page, tmp_path):
    """At 1366 px, a common laptop width, the tables scrolled in boxes the page's text width
    (72em) held to, with room beside them: the yearly budget and the residents to fix were out
    of sight in every table. Only the text keeps that width now."""
    path, _ = page
    probe = tmp_path / "probe.html"
    probe.write_text(path.read_text(encoding="utf-8").replace(
        "</body>", "<script>document.title = 'over ' + Math.max(0, ...Array.from("
                   "document.querySelectorAll('.scroll'), e => e.scrollWidth - e.clientWidth))</script></body>"),
        encoding="utf-8")
    out = _chromium(tmp_path, "--dump-dom", "--window-size=1366,900", probe.as_uri())
    assert re.search(r"<title>over ([0-9]+)</title>", out.stdout).group(1) == "0"

