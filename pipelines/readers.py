"""Reading source extracts (CSV, Parquet, XLSX) into all-text polars frames.

Every column is read as text (CONTRACT §1); parsing and validation happen in ``ingest``.
Column names are matched case-insensitively with surrounding spaces stripped. Each row carries
``file`` and ``line``: the physical line where a CSV record starts (header = its own line), the
sheet row of an XLSX, the 1-based row of a Parquet file.

A file that cannot be used at all raises :class:`InputError` with one line naming the file and
the column or line and what was expected. A row that cannot be split into the header's fields
is not fatal: it comes back in ``RawExtract.bad_rows`` for the quarantine.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import polars as pl

from pipelines.schema import SOURCES
from pipelines.siak import INVISIBLE

FORMATS = (".csv", ".parquet", ".xlsx")
DELIMITERS = (",", ";", "\t", "|")
HEADER_SEARCH_LINES = 30
ID_COLUMNS = ("NIK", "NO_KK")  # read as text, never as numbers


class InputError(Exception):
    """A source file that cannot be used at all. The message is one line, without personal data."""


@dataclass
class RawExtract:
    source: str
    path: Path
    format: str
    sha256: str
    frame: pl.DataFrame                 # canonical upper-case text columns + file, line
    bad_rows: pl.DataFrame              # rows that could not be split: file, line, reason_code, reason
    rows_checksum: Future[str] | None = None  # rows_sha256 of the above, computed beside the cleaning

    @property
    def rows_read(self) -> int:
        return self.frame.height + self.bad_rows.height

    @property
    def rows_sha256(self) -> str:
        """:func:`rows_sha256` of the rows read."""
        return self.rows_checksum.result() if self.rows_checksum else rows_sha256(self.frame, self.bad_rows)


def find_extract(input_dir: str | Path, source: str) -> Path:
    d = Path(input_dir)
    if not d.is_dir():
        raise InputError(f"{d}: " + ("is a file, not an input directory" if d.exists() else "input directory does not exist"))
    found = [p for p in sorted(d.iterdir()) if p.stem.lower() == source and p.suffix.lower() in FORMATS]
    if not found:
        # an old Excel workbook (.xls, .xlsb) or a .txt is named as such: "no extract" beside the
        # file sent the data engineer looking for a missing file
        other = [p.name for p in sorted(d.iterdir()) if p.stem.lower() == source and p.suffix.lower() not in FORMATS]
        said = f" ({', '.join(other)} is not one of these: save it as CSV or XLSX)" if other else ""
        raise InputError(f"{d}: no {source} extract, expected {source}.csv, {source}.parquet or {source}.xlsx{said}")
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise InputError(f"{d}: several {source} extracts ({names}), expected exactly one")
    if found[0].is_dir():  # a Parquet dataset as Spark or Hive writes it: "[Errno 21] Is a directory"
        raise InputError(f"{d}: {found[0].name} is a folder, expected one file "
                         f"({source}.csv, {source}.parquet or {source}.xlsx)")
    if not found[0].is_file():
        # a named pipe waited for a writer for ever (a SIGTERM did not end the run), a link to
        # /dev/zero read until memory ran out, a broken link failed inside the ingest
        what = "a link to nothing" if found[0].is_symlink() and not found[0].exists() else "not a regular file"
        raise InputError(f"{d}: {found[0].name} is {what}, expected a file "
                         f"({source}.csv, {source}.parquet or {source}.xlsx)")
    return found[0]


# sha256 of the files this process read, by (path, size, mtime): the processing log records the
# checksum of the bytes that were ingested, and a 200 MB extract is not hashed twice per run
_SHA256: dict[tuple[str, int, int], str] = {}


def _stat_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path.resolve()), st.st_size, st.st_mtime_ns


# rows_sha256 of the extracts this process read, by (path, size, mtime), computed in a thread
# beside the cleaning (0.2-0.3 s for 200k residents, 0.9 s for 1M)
_ROWS_SHA256: dict[tuple[str, int, int], Future[str]] = {}
_ROWS_HASHING = ThreadPoolExecutor(1, thread_name_prefix="rows_sha256")


def rows_sha256(frame: pl.DataFrame, bad_rows: pl.DataFrame) -> str:
    """The SHA-256 of an extract's rows as read: every column the pipeline reads (extra ones are
    not read), the rows in any order, and how many rows could not be split (quarantined whole,
    their text is not used).

    What makes two files the same extract. A copy saved again with other line endings (CRLF),
    a byte-order mark, another delimiter or quoting, its rows sorted otherwise, or an extra
    column has another file sha256 but these rows: counted as the newer extract, a month run
    again from such a copy of its own files made the export send 403 people a later month's
    run knew protected or gone (an outside review). Computed from text with a fixed layout
    (fields joined by U+001F, each row ended by U+001E, nulls as U+0000, rows sorted by their
    bytes), so a later polars gives the same checksum; not a polars row hash, which may not."""
    columns = [c for c in frame.columns if c not in ("file", "line")]
    h = hashlib.sha256(("\x1f".join(columns) + f"\x1e{frame.height}\x1e{bad_rows.height}\x1e").encode())
    if frame.height:
        rows = frame.select(pl.concat_str([pl.col(c).fill_null("\x00") for c in columns] + [pl.lit("\x1e")],
                                          separator="\x1f")).to_series()
        h.update(_text_bytes(rows.sort()))
    return h.hexdigest()


def _text_bytes(s: pl.Series) -> memoryview:
    """The values of a text series without nulls, one after the other, as UTF-8 bytes: the
    value buffer of an Arrow string array, without a copy into Python strings (joining them
    took 0.3 s for 200k residents)."""
    import pyarrow as pa

    arrow = s.to_arrow()
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    arrow = arrow.cast(pa.large_string())
    _, offsets, values = arrow.buffers()
    offsets = memoryview(offsets).cast("q")                       # int64, native order as Arrow's
    return memoryview(values)[offsets[arrow.offset]:offsets[arrow.offset + len(arrow)]]


def input_rows_checksums(input_dir: str | Path, recorded: Callable[[], dict[str, str]] | None = None
                         ) -> dict[str, str]:
    """{file name: rows_sha256} of the three extracts, for the processing log: as this process
    computed it when it read the file, else as ``recorded()`` has it ({file sha256: rows_sha256},
    what the ingest recorded in another process), else read again."""
    out, known = {}, None
    files = input_checksums(input_dir)
    for source in SOURCES:
        path = find_extract(input_dir, source)
        key = _stat_key(path)
        if key in _ROWS_SHA256:
            out[path.name] = _ROWS_SHA256[key].result()
            continue
        if known is None:
            known = recorded() if recorded else {}
        sha = files[path.name]
        out[path.name] = known[sha] if sha in known else read_extract(input_dir, source).rows_sha256
    return out


def input_checksums(input_dir: str | Path) -> dict[str, str]:
    """{file name: sha256} of the three extracts, for the processing log."""
    out = {}
    for source in SOURCES:
        path = find_extract(input_dir, source)
        key = _stat_key(path)
        if key not in _SHA256:
            h = hashlib.sha256()
            with path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            _SHA256[key] = h.hexdigest()
        out[path.name] = _SHA256[key]
    return out


def read_extract(input_dir: str | Path, source: str) -> RawExtract:
    path = find_extract(input_dir, source)
    key = _stat_key(path)
    data = path.read_bytes()
    if not data or data.isspace():  # (strip() would copy the whole file)
        raise InputError(f"{path.name}: the file is empty, expected a header row and data rows")
    # hashlib releases the GIL on large buffers: the checksum runs beside the parsing
    hashing = ThreadPoolExecutor(1, thread_name_prefix="sha256")
    sha256 = hashing.submit(lambda: hashlib.sha256(data).hexdigest())
    hashing.shutdown(wait=False)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame, bad = _read_csv(path, data, source)
    elif suffix == ".parquet":
        frame, bad = _read_parquet(path, data, source), None
    else:
        frame, bad = _read_xlsx(path, data, source), None
    if bad is None:
        bad = _bad_rows_frame([], path.name)
    frame, bad = _headers_repeated(frame, bad, source, path.name)
    if frame.height + bad.height == 0:
        raise InputError(f"{path.name}: header only, no data rows")
    _SHA256[key] = sha256.result()
    _ROWS_SHA256[key] = _ROWS_HASHING.submit(rows_sha256, frame, bad)
    return RawExtract(
        source=source,
        path=path,
        format=suffix.lstrip("."),
        sha256=_SHA256[key],
        frame=frame,
        bad_rows=bad,
        rows_checksum=_ROWS_SHA256[key],
    )


# --- column names -----------------------------------------------------------------------------

# characters of no width in a header's name (siak.INVISIBLE): a zero-width space after NIK failed a
# header that showed NIK (an outside review)
_INVISIBLE_IN_NAME = re.compile(INVISIBLE)


def _norm_name(name: object) -> str:
    return _INVISIBLE_IN_NAME.sub("", str(name if name is not None else "")).strip().strip('"').strip().upper()


def _check_columns(fname: str, source: str, names: list[str]) -> None:
    required, _ = SOURCES[source]
    seen: set[str] = set()
    for n in names:
        if n and n in seen and n in required + SOURCES[source][1]:
            raise InputError(f"{fname}: column {n} appears twice in the header, expected once")
        seen.add(n)
    missing = [c for c in required if c not in seen]
    if missing:
        near = _near_names(missing, [n for n in names if n and n not in required + SOURCES[source][1]])
        raise InputError(
            f"{fname}: missing required column {', '.join(missing)} "
            f"(expected columns {', '.join(required)})"
            + "".join(f"; found {found}, is it {want}?" for want, found in near.items())
        )


# a header's name taken for a misspelt required one (TGL_LAHIR for TGL_LHR: 87.5): names of
# column form only, so a data row read as the header (a name, a NIK) is never quoted
_COLUMN_FORM = re.compile(r"[A-Z][A-Z_ ]{1,29}")
NEAR_NAME_SCORE = 75


def _near_names(missing: list[str], unknown: list[str]) -> dict[str, str]:
    """Each missing column's closest unknown header name, when close (rapidfuzz ratio ≥
    ``NEAR_NAME_SCORE``): the data engineer reads which column to rename (a data engineer's
    review: "missing required column TGL_LHR" beside a header holding TGL_LAHIR)."""
    from rapidfuzz import fuzz, process

    names = [n for n in unknown if _COLUMN_FORM.fullmatch(n)]
    near = {}
    for want in missing:
        best = process.extractOne(want, names, scorer=fuzz.ratio, score_cutoff=NEAR_NAME_SCORE) if names else None
        if best is not None:
            near[want] = best[0]
    return near


def _header_score(names: list[str], source: str) -> int:
    required, optional = SOURCES[source]
    return sum(1 for n in names if n in required or n in optional)


def _nulled_blanks(columns: list[str]) -> list[pl.Expr]:
    """An empty or blank cell is missing, whatever the format."""
    return [pl.when(t.str.strip_chars() == "").then(None).otherwise(t).alias(c)
            for c, t in ((c, pl.col(c).cast(pl.String)) for c in columns)]


def _canonical(frame: pl.DataFrame, names: list[str], source: str, blanks_nulled: bool = False) -> pl.DataFrame:
    """Rename to normalised names, keep the known columns (extra ones are read and ignored:
    minimisation, UU PDP), add absent optional columns as nulls."""
    required, optional = SOURCES[source]
    known = set(required + optional)
    # Positional: the i-th column of the frame carries the i-th header name.
    picks = {n: c for c, n in zip(frame.columns, names) if n in known}
    kept = frame.select(*picks.values(), "file", "line")
    if not blanks_nulled:
        kept = kept.with_columns(_nulled_blanks(list(picks.values())))
    out = kept.rename(dict(zip(picks.values(), picks)))
    absent = [c for c in optional if c not in names]
    if absent:
        out = out.with_columns([pl.lit(None, pl.String).alias(c) for c in absent])
    return out.select(list(required) + list(optional) + ["file", "line"])


def _bad_rows_frame(rows: list[tuple[int, str, str]], fname: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "file": [fname] * len(rows),
            "line": [r[0] for r in rows],
            "raw": [r[1] for r in rows],
            "reason_code": ["row_malformed"] * len(rows),
            "reason": [r[2] for r in rows],
        },
        schema={"file": pl.String, "line": pl.Int64, "raw": pl.String, "reason_code": pl.String,
                "reason": pl.String},
    )


def _headers_repeated(frame: pl.DataFrame, bad: pl.DataFrame, source: str,
                      fname: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows that are the header again (extracts pasted together, a report printed in pages)
    set aside as malformed: one was accepted as a welfare record with the id "ID_DTSEN". Files
    saved as "CSV UTF-8" and pasted together repeat the header behind a byte-order mark, and
    that one was still accepted (the mark is stripped as ``_norm_name`` strips it)."""
    required = SOURCES[source][0]

    def named(c: str) -> pl.Expr:
        return pl.col(c).str.strip_chars_start("\ufeff").str.strip_chars().str.to_uppercase() == c
    if not frame.select(named(required[0]).any()).item():
        return frame, bad  # one column's test first: 6-9 ms at 200k residents, every required one's 50-57 ms
    again = pl.all_horizontal([named(c) for c in required]).fill_null(False)
    repeated = frame.filter(again)
    if not repeated.height:
        return frame, bad
    rows = [(line, ",".join(required), "the header row repeated, expected a data row")
            for line in repeated["line"].to_list()]
    return frame.filter(~again), pl.concat([bad, _bad_rows_frame(rows, fname)]).sort("line")


# --- CSV --------------------------------------------------------------------------------------

# Signatures of files that are no text at all: ZIP (an XLSX renamed .csv), gzip, Parquet, PDF,
# the old binary Excel format, PNG.
BINARY_SIGNATURES = (b"PK\x03\x04", b"\x1f\x8b", b"PAR1", b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG")


def looks_binary(data: bytes) -> bool:
    """Whether a file is no text: a known binary signature, a NUL byte in its first line (where
    the header or a title is), or NUL bytes in more than 1 % of its first 64 KB, and more than 8
    (UTF-16 without its byte-order mark is about half NULs). A NUL or two in an
    otherwise textual file is damage to those rows, not a binary file: the row is read, and the
    cleaning treats control characters as spaces (``pipelines.ingest``), so none reaches
    PostgreSQL, which refuses a NUL in text."""
    head = data[:65536]
    if head.startswith(BINARY_SIGNATURES):
        return True
    nul = head.find(b"\x00")
    return nul >= 0 and (b"\n" not in head[:nul]  # a NUL in the first line
                         or head.count(b"\x00") > max(8, len(head) // 100))


def decode_text(fname: str, data: bytes) -> tuple[str, int | None]:
    """The text, and where its UTF-8 bytes start in ``data`` (after a BOM), or None when the
    file is Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{fname}: unreadable encoding (UTF-16), expected UTF-8 or Windows-1252")
    if looks_binary(data):
        raise InputError(f"{fname}: not a valid CSV file (binary content), expected UTF-8 or Windows-1252 text")
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return str(data[start:], "utf-8"), start
    except UnicodeDecodeError:
        pass
    data = data[start:]  # the error's position below counts from here
    if _has_utf8_character(data):
        return _decode_lines(fname, data), None
    try:
        return data.decode("cp1252"), None
    except UnicodeDecodeError as exc:
        raise _undecodable(fname, data[: exc.start].count(b"\n") + 1, data[exc.start]) from None


UTF8_CHECK_CHUNK = 8 << 20  # bytes of a file decoded at once by _has_utf8_character


def _has_utf8_character(data: bytes) -> bool:
    """Whether ``data``, which is not UTF-8 as a whole, holds a character UTF-8 writes in two to
    four bytes: Windows-1252 text has rarely such a sequence, a UTF-8 line pasted among its
    lines has. Decoded as UTF-8 with replacements, each such character adds one to three bytes
    over its one character when encoded again, and each replacement (U+FFFD) two: the test is
    C code all through, where a bytes regex over the file took 0.8 s for 29 MB. Decoded a
    chunk at a time (cut after a newline, which no multibyte character holds)."""
    at = 0
    while at < len(data):
        end = data.find(b"\n", at + UTF8_CHECK_CHUNK) + 1 or len(data)
        text = data[at:end].decode("utf-8", "replace")
        if len(text.encode("utf-8")) - len(text) > 2 * text.count("\ufffd"):
            return True
        at = end
    return False


def _decode_lines(fname: str, data: bytes) -> str:
    """A UTF-8 file with lines in Windows-1252 (rows pasted in from an older export), decoded line
    by line: as a whole in Windows-1252 every UTF-8 name of it read wrong (JOSÉ as JOSÃ‰)."""
    out = []
    for i, line in enumerate(data.split(b"\n"), start=1):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                out.append(line.decode("cp1252"))
            except UnicodeDecodeError as exc:
                raise _undecodable(fname, i, line[exc.start]) from None
    return "\n".join(out)


def _undecodable(fname: str, line: int, byte: int) -> InputError:
    return InputError(f"{fname}: line {line}: unreadable encoding (byte 0x{byte:02x}), "
                      "expected UTF-8 or Windows-1252")


def _find_csv_header(fname: str, lines: list[str], source: str) -> tuple[int, str, list[str], tuple[int, int] | None]:
    """(0-based line index, delimiter, normalised names) of the best header among the first
    lines, and where in its line the header is when a CR alone ends it (or a title before it):
    (start, end), else None."""
    best = (0, -1, ",", [], None)
    for i, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        if not line.strip():
            continue
        # a CR alone ends the header where the part it ends (or the part after it) is the best
        # header and what follows it, up to the LF, is nothing or holds a row's delimiters: a
        # header line ended by CR above LF-ended rows (two exports pasted, an editor's) took the
        # first row's fields for column names, and every row was set aside as malformed. Else a
        # CR inside a line is no line end (lines end at "\n"): for the csv module it was one,
        # and a stray CR in a name or a title row stopped the run without the file or line (a
        # header's name with a CR in it, `KETE\rRANGAN`, is read whole so).
        parts, at = [], 0
        if "\r" in line:
            for part in line.split("\r"):
                parts.append((part, (at, at + len(part))))
                at += len(part) + 1
        for text, cut in [*parts, (line.replace("\r", " "), None)]:
            after = line[cut[1] + 1:].strip("\r") if cut else ""  # what follows a CR that would end it
            for delim in DELIMITERS:
                names = [_norm_name(n) for n in next(csv.reader([text], delimiter=delim))]
                score = _header_score(names, source)
                if after and after.count(delim) < len(names) - 1:
                    continue  # no row after it: a CR inside the header's text
                if score > best[0]:
                    best = (score, i, delim, names, cut)
    score, idx, delim, names, cut = best
    if score == 0:
        required = ", ".join(SOURCES[source][0])
        raise InputError(
            f"{fname}: no header row found in the first {HEADER_SEARCH_LINES} lines, "
            f"expected a row with the columns {required}"
        )
    # the lines above the header are titles, not read: a line there holding a NIK is a row that
    # would be lost. Two exports pasted into one file, the later with two more columns: its
    # header won, and the 18 rows above it went as titles, the counts balanced, nothing said (a
    # privacy and bad-input audit). (By a NIK, not by how many fields are filled: a report's
    # heading, "Kantor Cabang:,BONTANG,Periode:,NOVEMBER 2026" above a roster of 8 columns, fills
    # half a row; its re-check.)
    for j in range(idx):
        if lines[j].strip() and any(_nik_like(v) for v in next(csv.reader([lines[j].replace("\r", " ")],
                                                                          delimiter=delim))):
            raise InputError(
                f"{fname}: line {j + 1}: a NIK above the header row (line {idx + 1}), as in a row: the lines above "
                "the header are not read; expected the header first, titles alone above it (two extracts pasted "
                "into one file?)")
    return idx, delim, names, cut


HEAD_BYTES = 256 * 1024  # where a CSV's header is looked for (HEADER_SEARCH_LINES lines at most)


def _utf8_head(data: bytes) -> tuple[str, int] | None:
    """The start of ``data`` decoded, and where its UTF-8 starts (after a BOM), when it reads as
    UTF-8 text; None when the whole file has to be decoded to tell (see ``decode_text``)."""
    if looks_binary(data):
        return None
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:  # a character cut at the end of the head is left out, not an error
        return codecs.getincrementaldecoder("utf-8")().decode(data[start:start + HEAD_BYTES]), start
    except UnicodeDecodeError:
        return None


def _read_csv(path: Path, data: bytes, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A CSV extract: polars reads the file's own bytes after the header when every record has
    the header's fields and the bytes are UTF-8 (polars checks the encoding as it reads; records
    may run over several lines); otherwise the whole text is decoded (UTF-8 or Windows-1252) and
    read again, by polars, whole or in pieces, the csv module reading the pieces it cannot. Only the head is
    decoded first: decoding all of it cost a text copy of the file (40 MB at 200k residents,
    ~1.2 GB at 5.8M) and 0.1 s at 200k before polars read a byte."""
    fname = path.name
    # a field of any length is read, in the header search and the slow path (the csv module's
    # default limit, 131,072 characters, stopped the run on one overlong field)
    csv.field_size_limit(max(csv.field_size_limit(), len(data) + 1))
    if cr_ended(data[:HEAD_BYTES]):
        # CR alone ends its lines (Excel's "CSV (Macintosh)"): read as one line, the file had a
        # header and no rows, or lost its header behind a title. An LF in it (a quoted cell of
        # several lines, CRLF lines pasted in) stays one.
        data = LONE_CR.sub(b"\n", data)
    tried = None  # where the bytes began that polars has already read, not one record a line
    quick = _utf8_head(data)
    if quick is not None:
        text, utf8_start = quick
        idx, delim, names, body_start = _csv_header(fname, text, source)
        if body_start >= 0 or len(data) - utf8_start <= HEAD_BYTES:  # the header ends in the head
            at = _body_at(text, utf8_start, body_start, len(data))
            body = data[at:]
            if (ended := _cr_row_ends(body, delim, len(names))) is not body:  # rows ended by CR alone
                body, data = ended, data[:at] + ended  # (the slow path below reads them so too)
            if (read := _polars_read(body, delim, names, idx + 1, fname, source)) is not None:
                return read
            tried = at
    text, utf8_start = decode_text(fname, data)
    idx, delim, names, body_start = _csv_header(fname, text, source)
    header_line = idx + 1
    # (the text is let go as soon as the body is taken: a copy of the file, twice its size as
    # a str with one character beyond Latin-1)
    if utf8_start is None:  # Windows-1252: the text after the header, as UTF-8
        body = text[body_start + 1:].encode("utf-8") if body_start >= 0 else b""
        del text
        body = _cr_row_ends(body, delim, len(names))
        read = _polars_read(body, delim, names, header_line, fname, source)
    else:  # the file's own bytes after the header: no re-encoding
        at = _body_at(text, utf8_start, body_start, len(data))
        del text
        body = data[at:] if at == tried else _cr_row_ends(data[at:], delim, len(names))
        read = None if at == tried else _polars_read(body, delim, names, header_line, fname, source)
    if read is not None:
        return read
    keep = _used_columns(names, source)
    spans = _quoted_spans(body, delim)
    unclosed = None if spans is None else _inside(spans, len(body))
    decoded = body.decode("utf-8")
    del body
    frame, bad = _csv_slow(decoded, delim, len(names), header_line, fname, keep, unclosed=unclosed)
    if bad.height > frame.height and (named := _named(names)) != names:
        # (see _named) read again with the header's named columns only; kept where it sets
        # fewer rows aside (a header repeated inside the file has the header's width)
        keep_named = _used_columns(named, source)
        again, bad_again = _csv_slow(decoded, delim, len(named), header_line, fname, keep_named, unclosed=unclosed)
        if bad_again.height < bad.height:
            frame, bad, names, keep = again, bad_again, named, keep_named
    return _canonical(frame, [names[i] for i in keep], source), bad


def _polars_read(body: bytes, delim: str, names: list[str], header_line: int, fname: str,
                 source: str) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """A CSV body read by polars, as ``_read_csv`` returns it (rows, malformed rows), or None
    when the csv module must read it whole: whole, else in pieces (:func:`_csv_pieces`: a
    malformed row costs only its piece the csv module). (Whole first: read in pieces, a file
    without a malformed row took 1.5x as long, 200k residents 0.40 -> 0.66 s.)"""
    padded: list[pl.DataFrame] = []
    frame, named = _csv_fast_named(body, delim, names, padded)
    if frame is not None:
        return _csv_frame(frame, fname, named, source, header_line)
    keep = _used_columns(names, source)
    if (pieces := _csv_pieces(body, delim, len(names), header_line, fname, keep,
                              padded.pop() if padded else None)) is not None:
        return _canonical(pieces[0], [names[i] for i in keep], source), pieces[1]
    return None


# (see _csv_pieces) a body cut in pieces of about this size: a piece holding a malformed row goes
# through the csv module whole, so smaller pieces leave it less (province worlds of 200k with 5-9
# malformed rows: 1.8 -> 1.5 s and 2.05 -> 1.25 s at 2 MB against 8; 1 MB no better; a 1M file
# with three: 4.4 s at either)
PIECE_BYTES = 2 << 20


def _csv_pieces(body: bytes, delim: str, ncols: int, header_line: int, fname: str,
                keep: list[int], padded: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """A body polars could not read whole, cut in pieces at the ends of records (a line end with
    the quotes before it closed): polars reads each piece it can, the csv module
    (:func:`_csv_slow`) the pieces holding a malformed row, which it sets aside. The frame as
    ``_csv_slow`` makes it (the fields at ``keep``, ``file``, ``line``) and the malformed rows;
    None when most pieces of ``PIECE_BYTES`` need the csv module (a file malformed throughout:
    read whole, as the slow path weighs such a file as a whole, see :func:`_named`).

    One footer line (``JUMLAH: 200494``) or one row cut short sent the whole file through the
    csv module: 200k residents 0.5 -> 1.9 s, 1M 3 -> 11 s. Where the records whose fields are
    not the header's are few (:func:`_suspect_records`), they alone are cut out for the csv
    module and polars reads the stretches between them: read in pieces of ``PIECE_BYTES``, a
    quoted file of 200k residents with five such rows took 1.45 s against 0.55 s without them
    (polars reads a large piece faster, and the csv module read four pieces of 2 MB). Should
    polars not read a stretch after all, the pieces of ``PIECE_BYTES`` are read."""
    if len(body) <= PIECE_BYTES:
        return None
    quoted = _quoted_spans(body, delim)
    if quoted is None:
        return None
    cuts, at = [0], 0
    while (end := body.find(b"\n", at + PIECE_BYTES)) != -1 and end + 1 < len(body):
        at = end + 1
        # a line end outside a quoted field ends a record; inside one, the next line end is tried
        while at < len(body) and _inside(quoted, at - 1):
            end = body.find(b"\n", at)
            at = len(body) if end == -1 else end + 1
        if at < len(body):
            cuts.append(at)
    cuts.append(len(body))
    if len(cuts) < 3:
        return None
    first_line = body[:body.find(b"\n")].decode("utf-8", "replace")
    read = _Body(body, delim, ncols, header_line, fname, keep, quoted, first_line)
    suspects = _suspect_records(body, delim, ncols, quoted)
    # (where most pieces would hold one, the pieces below are read, and most need the csv module)
    if suspects and _pieces_holding(suspects, cuts) * 2 <= len(cuts) - 1:
        bounds, slow = _isolating_cuts(suspects, len(body))
        frames, starts = _fast_pieces(read, bounds, slow, padded)
        if all(f is not None for i, f in enumerate(frames) if i not in slow):
            return _slow_pieces(read, bounds, frames, starts)
        del frames  # (slices of padded: they would hold its buffers)
    del padded  # (a frame of the whole body: not held while the pieces are read)
    bounds = list(zip(cuts, cuts[1:]))
    frames, starts = _fast_pieces(read, bounds, set())
    if sum(f is None for f in frames) * 2 > len(frames):
        return None
    return _slow_pieces(read, bounds, frames, starts)


class _Body(NamedTuple):
    """A body read in pieces (:func:`_csv_pieces`), and what reading each piece needs."""
    body: bytes
    delim: str
    ncols: int
    header_line: int
    fname: str
    keep: list[int]
    quoted: tuple            # :func:`_quoted_spans`
    first_line: str          # the body's first line (see :func:`_ends_with_delimiter`)


def _suspect_records(body: bytes, delim: str, ncols: int, quoted) -> list[tuple[int, int]]:
    """The byte ranges (start, end) of the body's records, as the csv module ends them
    (``quoted``: :func:`_quoted_spans`), whose delimiters outside quoted fields are not the
    header's ``ncols - 1``: rows cut short or with a field too many, footer and blank lines.
    From the positions of line ends and delimiters alone (numpy; 53 MB, 200k records: ~0.1 s)."""
    import numpy as np

    opens, closes = quoted
    ends = _byte_positions(body, 10)
    ends = ends[np.searchsorted(opens, ends, side="right") <= np.searchsorted(closes, ends, side="left")]
    if not ends.size or ends[-1] + 1 < len(body):  # the last record, without a line end
        ends = np.append(ends, len(body))
    delims = _byte_positions(body, ord(delim))
    fields = np.diff(np.searchsorted(delims, ends), prepend=0)  # delimiters per record, quoted ones too
    if opens.size:  # less those inside quoted fields (one never closed runs to the end)
        shut = np.append(closes, len(body)) if opens.size > closes.size else closes
        inside = np.searchsorted(delims, shut) - np.searchsorted(delims, opens)
        fields = fields - np.bincount(np.searchsorted(ends, opens), weights=inside,
                                      minlength=ends.size)[:ends.size].astype(np.int64)
    starts = np.concatenate([[0], ends[:-1] + 1])
    stops = np.minimum(ends + 1, len(body))
    odd = np.flatnonzero(fields != ncols - 1)
    return list(zip(starts[odd].tolist(), stops[odd].tolist()))


def _pieces_holding(records: list[tuple[int, int]], cuts: list[int]) -> int:
    """How many of the pieces between ``cuts`` hold one of ``records`` (byte ranges)."""
    import numpy as np

    return len(set(np.searchsorted(cuts, [a for a, _ in records], side="right").tolist()))


def _isolating_cuts(records: list[tuple[int, int]], size: int) -> tuple[list[tuple[int, int]], set[int]]:
    """A body of ``size`` bytes cut before and after each of ``records`` (byte ranges, in
    order): the pieces, and which of them are the records."""
    bounds, slow, at = [], set(), 0
    for a, b in records:
        if a > at:
            bounds.append((at, a))
        slow.add(len(bounds))
        bounds.append((a, b))
        at = b
    if at < size:
        bounds.append((at, size))
    return bounds, slow


def _fast_pieces(read: _Body, bounds: list[tuple[int, int]], slow: set[int], padded: pl.DataFrame | None = None
                 ) -> tuple[list[pl.DataFrame | None], list[int]]:
    """polars' frame of each piece (None where it cannot read it, and for the pieces at
    ``slow``, the csv module's), and the last line before each piece. ``padded``: polars' frame
    of the whole body, a row a line (see :func:`_csv_fast`): a piece that ``_csv_fast`` would
    take as it reads is its rows there, not read again."""
    frames: list[pl.DataFrame | None] = []
    line, starts = read.header_line, []
    for i, (a, b) in enumerate(bounds):
        starts.append(line)
        piece = read.body[a:b]
        if i in slow:
            fast = None
        elif padded is not None and (rows := _lines_as_read(piece, read.delim, read.ncols)) is not None:
            fast = padded.slice(line - read.header_line, rows)
        else:
            fast = _csv_fast(piece, read.delim, read.ncols)
        if fast is not None:  # (the fields at keep, as _csv_slow names them)
            fast = _located(fast, read.fname, line).select(
                *(pl.col(f"c{i}").alias(f"c{j}") for j, i in enumerate(read.keep)), "file", "line")
        frames.append(fast)
        line += _count_byte(piece, b"\n")
    return frames, starts


def _lines_as_read(piece: bytes, delim: str, ncols: int) -> int | None:
    """The piece's lines, where :func:`_csv_fast` would take polars' rows of it without a check
    on their contents (every line a record of the header's fields); else None."""
    if (shape := _lines_to_read(piece, delim, ncols)) is None:
        return None
    lines, quoted = shape
    return None if quoted and _short_lines(piece, delim, ncols, lines) else lines


def _slow_pieces(read: _Body, bounds: list[tuple[int, int]], frames: list[pl.DataFrame | None],
                 starts: list[int]) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """The pieces polars did not read (None in ``frames``) read by the csv module, and all put
    together with the malformed rows; None when a piece is not UTF-8 after all."""
    body = read.body
    bads = []
    for i, (a, b) in enumerate(bounds):
        if frames[i] is None:
            try:
                text = body[a:b].decode("utf-8")
            except UnicodeDecodeError:  # (not UTF-8 after all: _read_csv decodes the whole file)
                return None
            # (whether a quote opened is never closed is the whole file's to say, at its end)
            last = i == len(bounds) - 1
            frames[i], bad = _csv_slow(text, read.delim, read.ncols, starts[i], read.fname, read.keep, read.first_line,
                                       unclosed=_inside(read.quoted, len(body)) if last else False, others_whole=True)
            bads.append(bad)
    return pl.concat(frames), pl.concat(bads) if bads else _bad_rows_frame([], read.fname)


QUOTES_MAX = 2_000_000  # (see _quoted_spans) above this many quotes a file is not cut in pieces


def _quoted_spans(body: bytes, delim: str):
    """Where the body's quoted fields open and close, as the csv module reads them: sorted
    positions of the opening quotes and of the closing ones (numpy arrays), or None when there
    are more than ``QUOTES_MAX`` quotes (a file that quotes every field is read whole).

    A quote opens a field only at its start (after a delimiter, a line end or at the body's
    start); elsewhere outside a quoted field it is a character (``AB"C``). Inside one, two
    quotes are one quote, and one quote closes it. Counting quotes was not enough to know where
    a record ends: a stray quote in the middle of a field flipped the count, and pieces were cut
    inside a multi-line field (found by fuzzing against the whole file read by the csv module)."""
    import numpy as np

    at = _byte_positions(body, 34)
    if len(at) > QUOTES_MAX:
        return None
    d, opens, closes = ord(delim), [], []
    inside, skip, n = False, False, len(body)
    for q in at.tolist():
        if skip:
            skip = False
        elif not inside:
            if q == 0 or body[q - 1] in (d, 10):
                inside = True
                opens.append(q)
        elif q + 1 < n and body[q + 1] == 34:
            skip = True
        else:
            inside = False
            closes.append(q)
    return np.array(opens, np.int64), np.array(closes, np.int64)


def _count_byte(body: bytes, byte: bytes) -> int:
    """``body.count(byte)`` for one byte, by numpy a slice at a time: 4-6x as fast on a large
    body (265 MB: 37 ms against 91 ms for line ends, 213 ms for commas)."""
    import numpy as np

    a = np.frombuffer(body, np.uint8)
    b, step = byte[0], 1 << 22
    return sum(int(np.count_nonzero(a[i:i + step] == b)) for i in range(0, len(a), step))


def _byte_positions(body: bytes, byte: int):
    """The positions of ``byte`` in ``body`` (a numpy int64 array), found a slice at a time: no
    boolean array of the file's size."""
    import numpy as np

    a, step = np.frombuffer(body, np.uint8), 1 << 24
    return np.concatenate([np.flatnonzero(a[i:i + step] == byte) + i for i in range(0, len(a), step)]
                          or [np.zeros(0, np.int64)])


def _inside(spans, pos: int) -> bool:
    """Whether ``pos`` lies inside a quoted field (``spans`` from :func:`_quoted_spans`)."""
    import numpy as np

    opens, closes = spans
    o = int(np.searchsorted(opens, pos, side="right"))  # quoted fields opened at or before pos
    c = int(np.searchsorted(closes, pos, side="left"))  # closed before pos
    return o > c


def _used_columns(names: list[str], source: str) -> list[int]:
    """The positions of the header's columns the pipeline reads (the last of a name, as
    ``_canonical`` takes it): the slow path keeps those fields alone."""
    required, optional = SOURCES[source]
    known = set(required + optional)
    return sorted({n: i for i, n in enumerate(names) if n in known}.values())


def _named(names: list[str]) -> list[str]:
    """The header without the empty names at its end: a header line ended by delimiters the data
    lines do not have (an export's, or a column once deleted in a spreadsheet) names columns no
    row holds. Every row was set aside as malformed, and the run stopped at the check that the
    extract has rows, naming neither the file's header nor what it expected."""
    end = len(names)
    while end and not names[end - 1]:
        end -= 1
    return names[:end]


def _csv_fast_named(body: bytes, delim: str, names: list[str], padded: list | None = None
                    ) -> tuple[pl.DataFrame | None, list[str]]:
    """:func:`_csv_fast` with the header's columns, else with its named ones (:func:`_named`);
    ``padded``: see :func:`_csv_fast` (with the header's columns)."""
    frame = _csv_fast(body, delim, len(names), padded)
    if frame is None and (named := _named(names)) != names and named:
        frame = _csv_fast(body, delim, len(named))
        if frame is not None:
            return frame, named
    if frame is None and names and _ends_in(body, delim):
        # an export that ends every data line with a delimiter, and not its header: that empty
        # last field is the export's (as the slow path reads such a file, see _csv_slow)
        wider = _csv_fast(body, delim, len(names) + 1)
        last = f"c{len(names)}"
        if wider is not None and wider.select(pl.col(last).str.strip_chars().fill_null("").eq("").all()).item():
            return wider.drop(last), names
    return frame, names


def _ends_in(body: bytes, delim: str) -> bool:
    """``body.rstrip(b"\\r\\n").endswith(delim)`` without the copy of the body ``rstrip`` makes
    (0.5 s for a 1M-resident file, each time polars could not read it whole)."""
    end = len(body)
    while end and body[end - 1] in b"\r\n":
        end -= 1
    return body.endswith(delim.encode(), 0, end)


LONE_CR = re.compile(rb"\r(?!\n)")
LONE_CR_TEXT = re.compile("\r(?!\n)")


def _cr_row_ends(body: bytes, delim: str, ncols: int) -> bytes:
    """``body`` with each CR alone that ends a row made an LF. A file whose lines end in LF and
    then, past its head, in CR alone (two exports pasted together) read the CR-ended part as one
    malformed row: 1,513 residents in one quarantined row, its text cut at 2,000 characters, and
    the run went on (an adversarial review).

    A CR alone ends a row when the row is whole before it (its quotes closed, a row's delimiters
    outside them, or one more where the row ends with one) and what follows, up to the next LF,
    holds a row's delimiters or nothing: the CR-ended rows that follow, or the end of the file.
    Elsewhere it is a character of its field: a name pasted with one (fewer delimiters before
    it), an address of two or three lines in the last field (the rest of it, up to the row's
    LF, is no row), a quoted cell. An LF inside a quoted cell (Excel's line break within a cell)
    starts no line. Linear: each LF and each delimiter after a CR is looked at a bounded number
    of times (looking to the end of the file for every CR took 15 s for 80k CR-ended rows)."""
    if b"\r" not in body or LONE_CR.search(body) is None:
        return body
    d, need = delim.encode(), ncols - 1
    out = bytearray(body)
    start = scanned = 0  # where the current line began; LFs up to `scanned` are looked at
    next_lf = -1

    def outside(a: int, b: int) -> tuple[int, bool]:  # delimiters outside quotes, quotes closed
        parts = body[a:b].split(b'"')
        return sum(p.count(d) for p in parts[0::2]), len(parts) % 2 == 1

    for m in LONE_CR.finditer(body):
        at = m.start()
        while (lf := body.find(b"\n", scanned, at)) != -1:  # a line ends at an LF outside quotes
            if body.count(b'"', start, lf) % 2 == 0:
                start = lf + 1
            scanned = lf + 1
        scanned = max(scanned, at)
        n, closed = outside(start, at)
        if not closed or not (n == need or n == need + 1 and body[at - len(d):at] == d):
            continue
        if next_lf <= at:
            next_lf = body.find(b"\n", at + 1)
            next_lf = len(body) if next_lf == -1 else next_lf
        found, pos = 0, at + 1
        while found < need and (pos := body.find(d, pos, next_lf)) != -1:
            found, pos = found + 1, pos + 1
        if found >= need or not body[at + 1:next_lf].strip(b" \t\r"):
            out[at], start = 0x0A, at + 1
    return bytes(out)


def cr_ended(head: bytes | str) -> bool:
    """Whether CR alone ends the lines of a file starting with ``head`` (bytes or text): more
    CRs without an LF after them than LFs. Not only when no LF is there at all: one multi-line
    quoted cell in the head of a "CSV (Macintosh)" file made the whole file one line."""
    cr, crlf, lf = ("\r", "\r\n", "\n") if isinstance(head, str) else (b"\r", b"\r\n", b"\n")
    lone = head.count(cr) - head.count(crlf)
    return lone > 0 and lone > head.count(lf)


def _body_at(text: str, utf8_start: int, body_start: int, size: int) -> int:
    """Where the records after the header begin in a UTF-8 file's bytes (``size`` when none
    do), from the decoded ``text`` (all of it or its head) and ``_csv_header``'s ``body_start``."""
    return utf8_start + len(text[:body_start + 1].encode("utf-8")) if body_start >= 0 else size


def _csv_header(fname: str, text: str, source: str) -> tuple[int, str, list[str], int]:
    """(0-based line index, delimiter, normalised names) of the header, and where the line after
    it starts in ``text`` minus one (-1 when no line ends after the header)."""
    # lines as the body is cut, at "\n" only: splitlines() also breaks at \f, \v, \x1c-\x1e,
    # \x85 and U+2028/2029, so a title row holding one put the header a line too far down and
    # the first resident was dropped without a trace
    idx, delim, names, cut = _find_csv_header(fname, [ln.rstrip("\r") for ln in text[:200_000].split("\n")], source)
    _check_columns(fname, source, names)
    pos = 0
    for _ in range(idx):
        pos = text.index("\n", pos) + 1
    if cut is not None:  # (see _find_csv_header) the lines CR ended before it are title lines
        idx += text.count("\r", pos, pos + cut[0])
        if text[pos + cut[1]:pos + cut[1] + 2] not in ("\r\n", "\r"):  # ended by a CR alone
            return idx, delim, names, pos + cut[1]
        pos += cut[0]
    return idx, delim, names, text.find("\n", pos)


def _csv_frame(frame: pl.DataFrame, fname: str, names: list[str], source: str,
               header_line: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    # An empty or blank field is missing; a record of such fields is no row, as in the slow
    # path and in XLSX. Blanks are nulled once here, so _canonical need not do it again.
    # A record's line: the header's, plus its place, plus the line breaks in the quoted fields
    # of the records before it (``_csv_fast``'s EXTRA_LINES, when some field has one)
    return _canonical(_located(frame, fname, header_line), names, source, blanks_nulled=True), _bad_rows_frame([], fname)


def _located(frame: pl.DataFrame, fname: str, before: int) -> pl.DataFrame:
    """polars' records (``_csv_fast``) with blank fields nulled, ``file`` and ``line``, and no
    record of blanks alone; ``before``: the line before the first record (the header's, or the
    last of the pieces before). A record's line counts the line breaks in the quoted fields of
    the records before it (``EXTRA_LINES``, when some field has one)."""
    cells = [c for c in frame.columns if c != EXTRA_LINES]
    line = pl.int_range(pl.len(), dtype=pl.Int64) + before + 1
    return frame.with_columns(_nulled_blanks(cells)).with_columns(
        pl.lit(fname).alias("file"),
        (line + pl.col(EXTRA_LINES) if EXTRA_LINES in frame.columns else line).alias("line"),
    ).filter(~pl.all_horizontal([pl.col(c).is_null() for c in cells])).drop(EXTRA_LINES, strict=False)


EXTRA_LINES = "_extra_lines"  # (see _csv_fast) line breaks inside the quoted fields of the records before


def _csv_fast(body: bytes, delim: str, ncols: int, padded: list | None = None) -> pl.DataFrame | None:
    """polars' reader, when every record has the header's fields; None means take the slow path.
    Where polars read every line as a record and some were short (padded with nulls), that
    frame is appended to ``padded``: its other rows are the records (:func:`_csv_pieces`).

    A record may run over several lines (an address with Excel's line break in its quoted
    cell): polars reads those as the csv module does, and the frame then carries, in
    ``EXTRA_LINES``, how many line breaks the quoted fields of the records before each one
    hold, for its line. Such a file went record by record through the csv module: a 1M-resident
    SIAK export of 25 columns with some multi-line addresses took 18 s and 5.6 GB to read
    (an outside tester's province world: the run peaked at 6.0 GB against 2.4 GB without them).

    Every record holds the header's fields exactly when the file's delimiters are the records'
    ``ncols - 1`` each plus those inside quoted fields (which the fields' values hold: an
    unquoted field cannot), and its line breaks one a record plus those inside fields. (polars
    pads a record cut short with nulls, and one with a field too many fails its read.)"""
    if (shape := _lines_to_read(body, delim, ncols)) is None:
        return None
    lines, quoted = shape
    try:
        frame = pl.read_csv(
            io.BytesIO(body),
            has_header=False,
            separator=delim,
            infer_schema=False,
            new_columns=[f"c{i}" for i in range(ncols)],
            raise_if_empty=False,
            truncate_ragged_lines=False,
        )
    except Exception:  # noqa: BLE001 - any parse trouble: the slow path reports it per row
        return None
    if frame.width != ncols:
        return None
    if not quoted:  # every record one line, every delimiter a field break
        return frame if frame.height == lines else None
    if frame.height == lines:  # every record one line (quotes on a few of them, as a rule)
        if not _short_lines(body, delim, ncols, lines):
            return frame
        if padded is not None:
            padded.append(frame)
        return None
    inside = frame.select(
        nl=pl.sum_horizontal(pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in frame.columns),
        d=pl.sum_horizontal(pl.col(c).str.count_matches(delim, literal=True).fill_null(0) for c in frame.columns))
    breaks = inside.get_column("nl").cast(pl.Int64)
    if frame.height + breaks.sum() != lines \
            or _count_byte(body, delim.encode()) != (ncols - 1) * frame.height + inside.get_column("d").sum():
        return None
    if breaks.sum() == 0:
        return frame
    before = breaks.cum_sum() - breaks
    if _swallowed(body, breaks, before, delim, ncols):
        return None
    return frame.with_columns(before.alias(EXTRA_LINES))


_LF_LF = re.compile(rb"\n\r?\n")


def _blank_line(body: bytes) -> bool:
    """Whether ``\\n\\n`` or ``\\r\\n\\r\\n`` is in ``body``: one regex search for both
    (``\\n\\r\\n`` found is one only behind a CR), where the two ``in`` tests read the body
    twice (200k residents, 40-53 MB: 65-85 ms against 20-25 ms)."""
    at = _LF_LF.search(body)
    while at is not None:
        if at.end() - at.start() == 2 or (at.start() and body[at.start() - 1] == 13):
            return True
        at = _LF_LF.search(body, at.start() + 1)
    return False


def _lines_to_read(body: bytes, delim: str, ncols: int) -> tuple[int, bool] | None:
    """What :func:`_csv_fast` checks before polars reads: the body's lines and whether it holds
    a quote; None when it is not read (a blank line; unquoted, a line of another width)."""
    lines = _count_byte(body, b"\n") + (0 if body.endswith(b"\n") or not body else 1)
    if _blank_line(body) or body.startswith((b"\n", b"\r\n")):
        return None
    quoted = b'"' in body
    if not quoted and _count_byte(body, delim.encode()) != (ncols - 1) * lines:
        return None
    return lines, quoted


def _short_lines(body: bytes, delim: str, ncols: int, lines: int) -> bool:
    """Whether a line has fewer fields than the header. polars pads such a line with nulls
    (one with more fails its read): a row cut short, a footer line (``Jumlah data: 758``) or
    half of a row an unquoted newline broke was accepted as a row. Every line holds
    ``ncols - 1`` delimiters outside quotes exactly when none is short, given none has more."""
    d = delim.encode()
    found = _count_byte(body, d)
    at = body.find(b'"')
    while at != -1:  # delimiters inside quoted fields (one line each here) are no field breaks
        start, end = body.rfind(b"\n", 0, at) + 1, body.find(b"\n", at)
        end = len(body) if end == -1 else end
        found -= sum(part.count(d) for part in body[start:end].split(b'"')[1::2])
        at = body.find(b'"', end)
    return found != (ncols - 1) * lines


def _swallowed(body: bytes, breaks: pl.Series, before: pl.Series, delim: str, ncols: int) -> bool:
    """Whether a record of several lines holds more than one line that reads as a row of its own
    (:func:`row_like_lines`): a stray quote that swallowed rows up to the next quote, which the
    slow path stops the run on, naming the line. ``breaks``: each record's line breaks inside
    its fields; ``before``: those of the records before it."""
    import numpy as np

    ends = _byte_positions(body, 10)
    starts = np.concatenate([[0], ends + 1])
    first_end = int(ends[0]) if len(ends) else len(body)
    ended = _ends_with_delimiter(body[:first_end].decode("utf-8", "replace"), delim, ncols)
    several = pl.DataFrame({"i": pl.int_range(len(breaks), eager=True), "n": breaks, "b": before}).filter(pl.col("n") > 0)
    for i, n, b in several.iter_rows():
        first = i + b  # the record's first line (0-based in the body)
        end = int(starts[first + n + 1]) - 1 if first + n + 1 < len(starts) else len(body)
        text = body[int(starts[first]):end].decode("utf-8", "replace")
        if row_like_lines(text.split("\n"), delim, ncols, ended) > 1:
            return True
    return False


SLOW_CHUNK_ROWS = 100_000  # records the slow path turns into columns at a time


def _csv_slow(body: str, delim: str, ncols: int, header_line: int, fname: str, keep: list[int] | None = None,
              first_line: str | None = None, unclosed: bool | None = None, others_whole: bool = False):
    """Python's csv module: exact start line of each record, rows of the wrong width set aside.

    The frame holds the fields at ``keep`` (all when None), as ``c0``, ``c1``, ... in that
    order; blank fields stay "" (``_canonical`` nulls them). Records become columns
    ``SLOW_CHUNK_ROWS`` at a time, the fields the pipeline does not read dropped first: every
    field of every record held as Python strings, then turned into a frame row by row, took a
    1M-resident extract of 25 columns (one malformed row sends a file here) 18 s and 5.6 GB."""
    from operator import itemgetter

    keep = list(range(ncols)) if keep is None else keep
    take = itemgetter(*keep) if len(keep) > 1 else (lambda rec: (rec[keep[0]],)) if keep else (lambda rec: ())
    cols = [f"c{j}" for j in range(len(keep))]
    parts: list[pl.DataFrame] = []

    def columns(chunk: list[tuple]) -> pl.DataFrame:
        return pl.DataFrame(dict(zip(cols, zip(*chunk))) if chunk else {}, schema={c: pl.String for c in cols})

    rows: list[tuple] = []
    lines: list[int] = []
    bad: list[tuple[int, str, str]] = []
    last_rec: list[str] = []
    # A CR without an LF after it is a character of its field, as in polars' reader: the csv
    # module ended the record there, split the row in two malformed halves and counted every
    # later line one too far. It is read as a stand-in (a private-use character the text does
    # not hold) and given back.
    cr = None
    if LONE_CR_TEXT.search(body) is not None:
        cr = next(c for c in map(chr, range(0xE000, 0xF900)) if c not in body)
        body = LONE_CR_TEXT.sub(cr, body)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delim)
    # (the file's first data line, where the body is a piece of it: see _ends_with_delimiter)
    first_line = first_line if first_line is not None else body[:body.find("\n")] if "\n" in body else body
    cursor = [0, 0]  # (index, offset) of a line of the body: records come in order, so it only moves on

    def physical(a: int, b: int) -> list[str]:
        """The body's lines a to b - 1 (0-based), found from the cursor on (the body split
        into its lines once a record ran over several was another copy of the file)."""
        i, pos = cursor if a >= cursor[0] else (0, 0)
        while i < a:
            pos, i = body.index("\n", pos) + 1, i + 1
        cursor[:] = [i, pos]
        out = []
        for _ in range(b - a):
            end = body.find("\n", pos)
            out.append(body[pos:] if end == -1 else body[pos:end])
            if end == -1:
                break
            pos = end + 1
        return out

    prev_end = 0
    swallow = None  # (line, lines) of the first record a stray quote made swallow rows
    # records with one empty field more than the header, as an export that ends every data line
    # with a delimiter (and not the header) writes them; see below
    ended: list[int] = []
    rows_ended: list[tuple] = []
    try:
        for rec in reader:
            start = header_line + prev_end + 1
            prev_end = reader.line_num
            last_rec = rec
            if cr:
                rec = [f.replace(cr, "\r") for f in rec]
            if not rec or not rec[0].strip() and all(not f.strip() for f in rec):
                continue  # blank line: not a row
            if swallow is None and prev_end - (start - header_line - 1) > 1:
                # a record over several lines: a quoted field of several lines, or a stray quote
                # that swallowed whole rows up to the next quote
                if (n := row_like_lines(physical(start - header_line - 1, prev_end), delim, ncols,
                                        _ends_with_delimiter(first_line, delim, ncols))) > 1:
                    swallow = (start, n - 1)
            if len(rec) != ncols:
                bad.append((start, delim.join(rec)[:2000],
                            f"expected {ncols} fields, found {len(rec)}"))
                if len(rec) == ncols + 1 and not rec[-1].strip():
                    ended.append(start)
                    rows_ended.append(take(rec))
                continue
            rows.append(take(rec))
            lines.append(start)
            if len(rows) == SLOW_CHUNK_ROWS:
                parts.append(columns(rows))
                rows = []
    except csv.Error as exc:
        raise InputError(
            f"{fname}: line {header_line + reader.line_num}: not a valid CSV ({exc}), "
            "expected delimited text with balanced quotes"
        ) from None
    # (``unclosed``: whether a quoted field is open at the file's end, as :func:`_quoted_spans`
    # reads its quotes; else an odd count of quotes says so, which a stray quote in the middle of
    # a field also makes)
    if (body.count('"') % 2 if unclosed is None else unclosed) and last_rec and any("\n" in f for f in last_rec):
        # An opened quote that never closes swallows every line after it into one field: the
        # rows cannot be told apart any more, so the file cannot be used as it is.
        last = max(lines[-1] if lines else 0, bad[-1][0] if bad else 0)
        raise InputError(
            f"{fname}: line {last}: a quoted field opened here is never closed, "
            'expected every " to be closed by another "'
        )
    if swallow:
        raise InputError(
            f"{fname}: line {swallow[0]}: a quoted field opened in this record runs over {swallow[1]} "
            'line(s) after it that read as rows of their own, expected every " to be closed in its '
            "field (a stray quote; fix the line and run again)")
    # (``others_whole``: the body is a piece of a file whose other pieces have records of the
    # header's fields, so these are no export's habit but malformed)
    if ended and not lines and not others_whole:
        # no record has the header's fields, and these end with a delimiter the header does not:
        # that empty last field is the export's, not a column (every row was set aside as
        # malformed). A row of such a file with a delimiter too many in a field (two fields
        # more) still is, and where some records have the header's fields, these are.
        taken = set(ended)
        rows, lines, bad = rows_ended, ended, [b for b in bad if b[0] not in taken]
    del rows_ended
    parts.append(columns(rows))
    del rows
    frame = pl.concat(parts) if len(parts) > 1 else parts[0]
    frame = frame.with_columns(pl.lit(fname).alias("file"), pl.Series("line", lines, dtype=pl.Int64))
    return frame, _bad_rows_frame(bad, fname)


def _ends_with_delimiter(line: str, delim: str, ncols: int) -> bool:
    """Whether a data line carries the header's delimiters and one more, ending it (an export
    that ends every data line so)."""
    line = line.rstrip("\r ")
    return line.count(delim) == ncols and line.endswith(delim)


def row_like_lines(lines: list[str], delim: str, ncols: int, ended: bool = False) -> int:
    """How many of the physical lines of one record carry a whole row's delimiters (quotes
    ignored). More than one: a stray quote swallowed rows, and up to the next quote every row
    was part of one field of one record. The file still balanced (read = accepted +
    quarantined) with those rows gone, or with two adjacent rows merged into one accepted row
    of both rows' fields. A record with a real multi-line field (an address) has its
    ``ncols - 1`` delimiters spread over its lines. Exactly a row's count, not more: an address
    of several lines with a comma between its parts (``"JL. A, NO. 1, RT 001, RW 002,`` and
    ``KEL. X, KEC. Y, KOTA Z, …"``) has more on each line, and a valid file was refused as one
    with a stray quote (an adversarial review); or one more, ending the line, where the export
    ends every data line with a delimiter (``ended``: the file's first data line does)."""
    return sum(1 for line in lines if (k := line.rstrip("\r").count(delim)) == ncols - 1
               or ended and k == ncols and line.rstrip("\r ").endswith(delim))


# --- Parquet and XLSX -------------------------------------------------------------------------

def _id_number_text(v: object) -> str | None:
    """A NIK/KK that arrived as a spreadsheet number (an XLSX cell, a Parquet float column).
    Excel keeps 15 significant digits, so a 16-digit value ending in 0 or a non-integral one is
    damaged: render it as Excel shows it. A Parquet integer column is exact and never comes here."""
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        s = str(v)
        return f"{float(v):.14E}" if len(s) == 16 and s.endswith("0") else s
    if isinstance(v, float):
        if v != v:  # NaN
            return None
        if v.is_integer():
            return _id_number_text(int(v)) if abs(v) < 2**53 else f"{v:.14E}"
        return f"{v:.14E}"
    if isinstance(v, Decimal) and v.is_finite() and v == v.to_integral_value():
        # exact, as an integer column is: a Decimal(20,2) NIK read "6474010101900001.00" and
        # every resident was quarantined (an input review)
        return str(int(v))
    return str(v)


def _cell_text(v: object) -> str | None:
    import datetime as dt

    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float) and v != v:  # NaN: missing, as in a NIK/KK column (it was the text "nan")
        return None
    s = str(v)
    return s if s.strip() != "" else None


def _read_parquet(path: Path, data: bytes, source: str) -> pl.DataFrame:
    """Only the columns the pipeline uses are read: an extra one, whatever its type (a list, a
    struct), is neither read nor converted (it stopped the run with "cannot cast List type").

    Read with pyarrow, not polars: polars' reader panicked (a Rust panic, its backtrace on the
    console, and a message naming neither file nor column) on a timestamp column whose zone it
    does not know (``WIB``, ``+07``, ``GMT+7``), even an extra one it was not asked for, and
    called a file with a column name twice "not a valid Parquet file" (an outside review)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    required, optional = SOURCES[source]
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        schema = parquet.schema_arrow
    except Exception:  # noqa: BLE001
        raise InputError(f"{path.name}: not a valid Parquet file, expected an Apache Parquet file") from None
    names = [_norm_name(c) for c in schema.names]
    _check_columns(path.name, source, names)  # (a used column twice is named there)
    used = [(c, n) for c, n in zip(schema.names, names) if n in required or n in optional]
    try:
        table = parquet.read(columns=[c for c, _ in used])
    except Exception:  # noqa: BLE001
        raise InputError(f"{path.name}: not a valid Parquet file, expected an Apache Parquet file") from None
    series = []
    for c, n in used:
        column = table.column(c)
        try:
            series.append(_arrow_series(c, column))
        except Exception:  # noqa: BLE001 - a type polars has no counterpart for
            raise InputError(
                f"{path.name}: column {n} holds {column.type} values, expected text, numbers or dates") from None
    raw = pl.DataFrame(series)
    cols = []
    for c, n in used:
        s = raw.get_column(c)
        if s.dtype.is_nested() or s.dtype == pl.Object:
            raise InputError(f"{path.name}: column {n} holds {s.dtype} values, expected text, numbers or dates")
        if n in ID_COLUMNS and s.dtype.is_integer():  # exact: its digits, whatever the last one
            cols.append(s.cast(pl.String))
        elif n in ID_COLUMNS and s.dtype == pl.Float32:
            # 7 significant digits: a 16-digit id is damaged, as Excel's, and its digits were
            # another valid-looking NIK (6474012301850001 read back as 6474012511174656)
            cols.append(pl.Series(c, [None if v is None or v != v else f"{v:.6E}" for v in s.to_list()],
                                  dtype=pl.String))
        elif n in ID_COLUMNS and s.dtype.is_numeric():
            cols.append(pl.Series(c, [_id_number_text(v) for v in s.to_list()], dtype=pl.String))
        elif s.dtype == pl.Date or isinstance(s.dtype, pl.Datetime):
            # a typed date is its calendar date; a zoned timestamp (pyarrow) the date in the zone
            # it was stored with: its text "… 00:00:00.000000+08:00" was no date form
            cols.append(_date_text(s))
        elif s.dtype.is_float():
            cols.append(pl.Series(c, [_cell_text(v) for v in s.to_list()], dtype=pl.String))
        elif s.dtype == pl.Binary:
            cols.append(_binary_text(path.name, n, s))
        else:
            try:
                cols.append(s.cast(pl.String))
            except pl.exceptions.PolarsError:  # a type without a text form (Duration): polars' words alone
                raise InputError(
                    f"{path.name}: column {n} holds {s.dtype} values, expected text, numbers or dates") from None
    frame = pl.DataFrame(cols).with_columns(
        pl.lit(path.name).alias("file"), (pl.int_range(pl.len(), dtype=pl.Int64) + 1).alias("line")
    )
    return _canonical(frame, [n for _, n in used], source)


def _arrow_series(name: str, column) -> pl.Series:
    """A Parquet column (pyarrow) as a polars Series. A timestamp keeps its zone when polars
    knows it; in a zone it does not know (``WIB``: not a zone's IANA name), it is read as the
    instant it stores, in UTC, whose date :func:`_calendar_date` takes in Indonesian time (the
    local midnight of WIB, WITA and WIT keeps its day there)."""
    import pyarrow as pa

    kind = column.type
    if not (pa.types.is_timestamp(kind) and kind.tz):
        return pl.from_arrow(column).alias(name)
    instants = pl.from_arrow(column.cast(pa.int64())).alias(name).cast(pl.Datetime(kind.unit, "UTC"))
    try:
        return instants.dt.convert_time_zone(kind.tz)
    except pl.exceptions.PolarsError:
        return instants


def _date_text(s: pl.Series) -> pl.Series:
    """A typed date or timestamp as the text of its calendar date (:func:`_calendar_date`). One
    beyond the calendar polars can write (a date 2^31-1 days on) is written as the day it
    stores, ``+5881580-07-11``, which no date form reads (``tgl_lhr_invalid``): polars'
    ``strftime`` panicked on it and stopped the run (an outside review)."""
    far = s.is_not_null() & s.dt.year().is_null()
    if not far.any():
        return _calendar_date(s).dt.strftime("%Y-%m-%d")
    days = (s.to_physical() // {"ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}[s.dtype.time_unit]
            if isinstance(s.dtype, pl.Datetime) else s.to_physical())
    # (the far values replaced by day 0, not by nulls: a null keeps its value in the buffer, and
    # the zone's conversion still panicked on it)
    near = _calendar_date(s.to_physical().set(far, 0).cast(s.dtype))
    near = near.dt.strftime("%Y-%m-%d")
    return pl.Series(s.name, [_civil(d) if f else t for d, f, t in zip(days.to_list(), far.to_list(), near.to_list())],
                     dtype=pl.String)


def _civil(days: int) -> str:
    """Days since 1970-01-01 as a proleptic Gregorian date, signed year (Howard Hinnant's
    ``civil_from_days``): for a day beyond every calendar library's range."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y = yoe + era * 400 + (m <= 2)
    return f"{y:+05d}-{m:02d}-{d:02d}"


# Indonesia's easternmost zone (WIT, UTC+9): midnight of any of its three zones (WIB +7, WITA +8,
# WIT +9), and midnight in UTC, fall on the same calendar day there
_LATEST_INDONESIAN_ZONE = "Asia/Jayapura"


def _calendar_date(s: pl.Series) -> pl.Series:
    """A typed Parquet date or timestamp as the calendar date it stands for. A timestamp in UTC
    (Spark writes every timestamp so, and its older INT96 ones carry no zone at all) is read in
    Indonesian time: a birth date kept as local midnight in Bontang is 16:00 UTC the day before,
    and read as a UTC date nearly every resident was born a day early (2,984 of 2,990 NIKs
    disagreed with their birth date; an input review). Read at UTC+9, the local midnight of WIB,
    WITA and WIT and a UTC midnight all keep their day. A timestamp in another zone is the date
    in that zone."""
    import datetime as dt

    if s.dtype == pl.Date:
        return s
    if s.dtype.time_zone is None:
        s = s.dt.replace_time_zone("UTC")
    # UTC by any of its names (Etc/UTC, GMT, Zulu, ...): no offset at any of the column's times
    if ((s.dt.base_utc_offset() + s.dt.dst_offset()).drop_nulls() == dt.timedelta(0)).all():
        s = s.dt.convert_time_zone(_LATEST_INDONESIAN_ZONE)
    return s.dt.date()


def _utf16(s: pl.Series, sample: int = 1000) -> bool:
    """Whether a Binary column is UTF-16: a byte-order mark, or most of the first ``sample``
    values with a NUL at every other byte (Latin letters in UTF-16). Text padded with NULs to a
    fixed width is not (its NULs are spaces to the cleaning, as a CSV's are)."""
    values = [v for v in s.head(sample * 2).drop_nulls().to_list() if len(v) >= 2][:sample]
    if any(v.startswith((b"\xff\xfe", b"\xfe\xff")) for v in values):
        return True
    halves = sum(1 for v in values if v[1::2].count(0) == len(v) // 2 or v[0::2].count(0) == (len(v) + 1) // 2)
    return bool(values) and halves > len(values) / 2


def _binary_text(fname: str, name: str, s: pl.Series) -> pl.Series:
    """Text stored as Binary (no UTF-8 annotation), decoded as a CSV is (``decode_text``): UTF-8
    when the whole column is, else Windows-1252; polars' cast stopped the run on "invalid utf8".
    UTF-16 (a byte-order mark, or NULs in most values: every other byte of Latin text) is refused
    as a CSV in UTF-16 is: read as Windows-1252 it became names like "ÿþA H M A D", unflagged,
    which linked to no one and overwrote the candidates' names in the submission (an audit)."""
    if _utf16(s):
        raise InputError(f"{fname}: column {name}: unreadable encoding (UTF-16), expected UTF-8 or Windows-1252 text")
    try:
        return s.cast(pl.String)  # checks that every value is UTF-8
    except pl.exceptions.PolarsError:
        pass
    out = []
    for i, v in enumerate(s.to_list(), start=1):
        try:
            out.append(None if v is None else v.decode("cp1252"))
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{fname}: column {name}, row {i}: unreadable encoding (byte 0x{v[exc.start]:02x}), "
                "expected UTF-8 or Windows-1252 text"
            ) from None
    return pl.Series(s.name, out, dtype=pl.String)


def _read_xlsx(path: Path, data: bytes, source: str) -> pl.DataFrame:
    """The sheet whose header carries every required column; when none does, the sheet with the
    best header, so that the error names the columns it lacks. A second such sheet stops the
    run naming both: only the first was read, and the rows of the other (an extract split by
    kecamatan, a hidden older copy in front of the data) were lost without a trace.

    Read with calamine (``python-calamine``, Rust): openpyxl's row reader, pure Python holding
    the GIL, took 50-73 s for a 200k-row penduduk sheet and 365 s to ingest a 1M-resident
    world (the three extracts' threads only took turns), against 4-5 s for calamine here. A
    sheet's rows come from its first row (leading empty rows included, so a row's index is its
    sheet row), numbers as floats, date cells as dates; an empty cell is ""."""
    from itertools import chain, islice

    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(wb.sheet_names)
    except Exception:  # noqa: BLE001 - calamine's errors name the XML, never a cell
        raise InputError(f"{path.name}: not a valid XLSX file, expected an Excel workbook (.xlsx)") from None
    required = SOURCES[source][0]
    hidden = {m.name for m in wb.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    try:
        # of the sheets without every required column: (rows under the header, score, header, sheet)
        best: tuple[bool, int, list[str], str] | None = None
        found = None  # (sheet, header index, header, data rows) of the sheet with every one
        template = None  # the same of a sheet with every one and no row under it (a blank form)
        partial = []  # (sheet, columns it lacks) of the sheets of rows whose header lacks a column
        for sheet in names:
            try:
                ws = wb.get_sheet_by_name(sheet)
                rows = iter(ws.iter_rows())
                head = list(islice(rows, HEADER_SEARCH_LINES))
            except Exception as exc:  # noqa: BLE001
                # A sheet whose XML breaks off (a truncated copy): the reader's words alone named no
                # file. Only the error's kind is shown; a cell's value never is.
                raise InputError(
                    f"{path.name}: not a readable XLSX workbook: sheet {_sheet(sheet)} cannot be read "
                    f"({type(exc).__name__}), expected a complete workbook as a spreadsheet saves it"
                ) from None
            # a header's cells merged down over two rows (a report's layout: KODE WILAYAH over
            # NO_PROP … NO_KEL in the row below) hold their names in each row, as the sheet
            # shows them: the names were read in the first row only, and the columns under the
            # group title were "missing" (an outside review)
            score, idx, header = _xlsx_header(_merged_down(head, ws), source)
            # rows of people: a NIK in at least NIK_ROWS of the sheet's first rows
            people = sum(any(_nik_like(v) for v in r) for r in head) >= NIK_ROWS
            if score == 0:
                if people:
                    partial.append((sheet, None))
                continue
            for j, row in enumerate(head[:idx]):  # (as a CSV's lines above its header: _find_csv_header)
                if any(_nik_like(v) for v in row):
                    raise InputError(
                        f"{path.name}: sheet {_sheet(sheet)} row {j + 1}: a NIK above the header row (row {idx + 1}), "
                        "as in a row: the rows above the header are not read; expected the header first, titles "
                        "alone above it (two extracts pasted into one sheet?)")
            below, under = chain(head[idx + 1:], rows), []
            for r in below:  # up to the first row with a value
                under.append(r)
                if any(v is not None and (type(v) is not str or v.strip()) for v in r):
                    filled = True
                    break
            else:
                filled = False
            if any(c not in header for c in required):
                if best is None or (filled, score) > best[:2]:
                    best = (filled, score, header, sheet)
                if filled and people:
                    partial.append((sheet, [c for c in required if c not in header]))
                continue
            if not filled:
                template = template or (sheet, idx, header, iter(under), ws)
                continue
            if found is not None:
                first, second = (_sheet(n) + (" (hidden)" if n in hidden else "") for n in (found[0], sheet))
                raise InputError(
                    f"{path.name}: sheets {first} and {second} both hold the {source} columns, expected "
                    "the extract in one sheet (only one would be read); put its rows in one sheet or one CSV")
            found = (sheet, idx, header, chain(under, below), ws)
        if found is not None and partial:
            # the extract split over sheets, one header typed otherwise (TGL_LAHIR), or without
            # one: the sheet with every column was read and the other's 519 residents were lost,
            # the counts balanced and the run said nothing (a privacy and bad-input audit, and its
            # re-check: NO_NIK for NIK, no header at all)
            sheet, lacking = partial[0]
            raise InputError(
                f"{path.name}: sheet {_sheet(sheet)}" + (" (hidden)" if sheet in hidden else "")
                + " holds rows with a NIK too, " + (f"under a header without {', '.join(lacking)}, " if lacking else
                                                     "under no header of these columns, ")
                + f"beside sheet {_sheet(found[0])}: only one sheet would be read; put the rows in one sheet (or fix "
                "that sheet's column titles)")
        if found is None and best is not None and best[0]:
            # a sheet of rows lacking a column, beside a blank form (a header alone): the error
            # names what the rows lack. The form was read, and the run said "header only",
            # never naming the missing column (an outside review)
            _check_columns(f"{path.name}: sheet {_sheet(best[3])}", source, best[2])
        if found is not None or template is not None:
            _, idx, header, below, ws = found or template
            _check_columns(path.name, source, header)
            # merged ranges are absolute; calamine's rows start at the sheet's first used column
            col0 = ws.start[1] if ws.start else 0
            merged = [((r0, c0 - col0), (r1, c1 - col0)) for (r0, c0), (r1, c1) in ws.merged_cell_ranges or []]
            return _xlsx_frame(path.name, below, header, idx + 2, source, merged)
        if best is not None:  # raises: names the sheet and the columns it lacks (it named no sheet: a re-check)
            _check_columns(f"{path.name}: sheet {_sheet(best[3])}", source, best[2])
    finally:
        wb.close()
    raise InputError(
        f"{path.name}: no sheet with a header row, expected a row with the columns {', '.join(required)}"
    )


NIK_ROWS = 3  # of a sheet's first rows, those with a NIK that make it a sheet of people
_NIK_TEXT = re.compile(r"\s*'?\s*[0-9]{16}\s*")


def _nik_like(v: object) -> bool:
    """A cell or field holding a NIK: 16 digits (a text, or a whole number as a spreadsheet
    stores one). A sheet of counts, a report's heading or a column's title holds none."""
    if isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        return 10**15 <= v < 10**16 and float(v).is_integer()
    return isinstance(v, str) and _NIK_TEXT.fullmatch(v) is not None


def _merged_down(head: list[list], ws) -> list[list]:
    """A sheet's first rows with each range merged down one column (``(r0, c), (r1, c)``) holding
    its value in every row it covers; ranges across columns (a group's title) are left alone."""
    col0 = ws.start[1] if ws.start else 0
    down = [((r0, c0 - col0), r1) for (r0, c0), (r1, c1) in ws.merged_cell_ranges or []
            if c0 == c1 and r1 > r0 and r0 < len(head) and c0 - col0 >= 0]
    if not down:
        return head
    head = [list(r) for r in head]
    for (r0, c), r1 in down:
        if c < len(head[r0]):
            for r in range(r0 + 1, min(r1, len(head) - 1) + 1):
                if c < len(head[r]) and (head[r][c] is None or head[r][c] == ""):
                    head[r][c] = head[r0][c]
    return head


def _sheet(name: str) -> str:
    """A sheet's name as an error quotes it: long digit runs starred (a sheet a person named after
    the NIK it holds reached the run's error and Dagster's event log whole)."""
    from pipelines.nik import mask_long_digits

    return repr(mask_long_digits(name))


def _xlsx_header(head: list[tuple], source: str) -> tuple[int, int, list[str]]:
    """(score, 0-based index, normalised names) of the row carrying the most expected columns
    among a sheet's first rows, as for a CSV: a group-header row ("IDENTITAS … ALAMAT") or a
    title "NIK" above the header is not taken for it."""
    best: tuple[int, int, list[str]] = (0, -1, [])
    for i, row in enumerate(head):
        names = [_norm_name(v) for v in row]
        score = _header_score(names, source)
        if score > best[0]:
            best = (score, i, names)
    return best


XLSX_CHUNK_ROWS = 100_000  # rows turned into columns at a time: their Python cells are freed after


def _xlsx_frame(fname: str, rows, header: list[str], first_row: int, source: str,
                merged: list | None = None) -> pl.DataFrame:
    """The data rows after the header; ``first_row`` is the sheet row of the first of them;
    ``merged``: the sheet's merged ranges, ((first row, first column), (last row, last column))
    0-based (see :func:`_merged_filled`).

    Column by column, ``XLSX_CHUNK_ROWS`` rows at a time: a column of text cells only (most of
    an extract) is taken whole into polars, blanks nulled there; a column with numbers, dates or
    truth values is converted cell by cell (``_cell_text``, and a NIK/KK number by the
    Excel-damage rule). Cell by cell for every column took ~4 s of a 200k-row sheet, and the
    whole sheet's cells as Python objects at once peaked a 1M run at 4.26 GB. A row whose cells
    are all blank is skipped; of the others only the columns the pipeline uses are kept."""
    from itertools import islice

    n = len(header)
    required, optional = SOURCES[source]
    known = set(required + optional)
    keep = sorted({h: i for i, h in enumerate(header) if h in known}.values())  # the last of a name, as _canonical
    parts, line = [], first_row
    while chunk := list(islice(rows, XLSX_CHUNK_ROWS)):
        # (a row of the header's width as it is: copying each took 0.5 s of a 200k-row sheet)
        table = [row if len(row) == n else row[:n] if len(row) > n else [*row, *[None] * (n - len(row))]
                 for row in chunk]
        del chunk
        cols = []
        for i, values in enumerate(zip(*table)):
            name = f"c{i}"
            if set(map(type, values)) == {str}:
                s = pl.Series(name, values, dtype=pl.String)
                cols.append(pl.select(pl.when(s.str.strip_chars() != "").then(s).alias(name)).to_series())
            elif header[i] in ID_COLUMNS:
                cols.append(pl.Series(name, [(v if v.strip() else None) if type(v) is str
                                             else _id_number_text(v) if isinstance(v, (int, float)) else _cell_text(v)
                                             for v in values], dtype=pl.String))
            else:
                # _cell_text, its commonest cases written out (a call a cell was most of the time
                # of a 200k-row sheet of numbers, dates and text mixed in columns: 2.6 s of 6.3 s)
                cols.append(pl.Series(name, [(v if v.strip() else None) if type(v) is str
                                             else (str(int(v)) if v.is_integer() else None if v != v else str(v))
                                             if type(v) is float else _cell_text(v)
                                             for v in values], dtype=pl.String))
        part = pl.DataFrame(cols).with_columns(
            (pl.int_range(pl.len(), dtype=pl.Int64) + line).alias("line"))
        line += len(table)
        del table, cols
        parts.append(part.filter(~pl.all_horizontal(pl.col(f"c{i}").is_null() for i in range(n)))
                     .select(*(f"c{i}" for i in keep), "line"))
    frame = (pl.concat(parts) if parts
             else pl.DataFrame(schema={**{f"c{i}": pl.String for i in keep}, "line": pl.Int64}))
    if merged:
        frame = _merged_filled(frame, merged, keep, first_row)
    frame = frame.with_columns(pl.lit(fname).alias("file"))
    return _canonical(frame, [header[i] for i in keep], source)


def _merged_filled(frame: pl.DataFrame, merged: list, keep: list[int], first_row: int) -> pl.DataFrame:
    """``frame`` (columns ``c<i>`` and ``line``, the sheet row) with the value of each merged
    range of rows in every row it covers, as the sheet shows it: a workbook stores it in the
    range's first cell alone. NO_PROP and NO_KAB merged over blocks of ten rows read as blank in
    nine of ten: 442 of 5,000 residents flagged with no region and never judged (an adversarial
    review). A range within one row (a title over several columns) is left alone."""
    kept, spans = set(keep), {}
    for (r0, c0), (r1, c1) in merged:
        if r1 > r0 and r0 + 1 >= first_row:
            for c in range(c0, c1 + 1):
                if c in kept:
                    spans.setdefault(c, []).append((r0 + 1, r1 + 1))  # 1-based sheet rows
    for c, ranges in spans.items():
        col = f"c{c}"
        covered = pl.DataFrame({"line": [ln for top, last in ranges for ln in range(top + 1, last + 1)],
                                "_top": [top for top, last in ranges for _ in range(top + 1, last + 1)]},
                               schema={"line": pl.Int64, "_top": pl.Int64}).unique("line", keep="first")
        tops = frame.select(pl.col("line").alias("_top"), pl.col(col).alias("_value"))
        frame = (frame.join(covered, on="line", how="left", maintain_order="left")
                 .join(tops, on="_top", how="left", maintain_order="left")
                 .with_columns(pl.coalesce(col, "_value").alias(col)).drop("_top", "_value"))
    return frame
