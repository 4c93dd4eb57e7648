"""Writing a file so that no reader ever sees half of it, and filing one away without replacing
another. Nothing here imports Dagster."""

from __future__ import annotations

import glob
import json
import os
import re
import threading
import zipfile
from contextlib import contextmanager
from pathlib import Path

from pipelines.processes import alive

# <out>/<WITHOUT_KELURAHAN>/<period>/<kode_kab>.xlsx: a kab/kota's residents to fix who have no
# kelurahan code (pipelines.reports.write_lists_without_kelurahan); named once, for the writer,
# the retention that erases them and the summary that points to them
WITHOUT_KELURAHAN = "perbaikan_data"
# <out>/<RETURNED_LISTS>/<period>/: where the verification sensor takes returned gap lists from
RETURNED_LISTS = "inbox/verifikasi"
# beside the workbooks a run writes for people to open: each one's size and modification time as
# written (:func:`note_written`), so that the next run tells its own from one changed since
WRITTEN = ".lindungi-written.json"
# the name of a workbook such a run writes: <kode_kel>.xlsx, <kode_kab>.xlsx
OWN_WORKBOOK = r"[0-9]+\.xlsx"

_ASIDE = re.compile(r"\.(\d+)-\d+\.tmp$")


def aside(path: Path, swept: bool = False) -> Path:
    """Where ``path`` is written before it is renamed into place: a name beside it of this
    process and thread only, so two writers of the same file (two runs of one period at once)
    never write into each other's, and the last rename wins whole. Files left aside for the
    same path by a writer that was killed before its rename are removed first, unless the
    caller has just swept the whole folder (``swept``: :func:`sweep_aside`)."""
    if not swept:
        sweep_aside(path.parent, glob.escape(path.name))
    return path.with_name(f"{path.name}.{os.getpid()}-{threading.get_native_id()}.tmp")


def sweep_aside(folder: Path, names: str = "*") -> list[Path]:
    """Remove the files of ``folder`` written aside (:func:`aside`) for the files matching
    ``names`` by processes that are gone: a run killed between writing and renaming left them,
    next to the workbooks coordinators open. A live writer's file is kept. The paths removed."""
    removed = []
    for tmp in Path(folder).glob(f"{names}.*.tmp"):
        m = _ASIDE.search(tmp.name)
        if m and not alive(int(m.group(1))):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def unused_name(path: Path) -> Path:
    """``path`` if nothing is there, else the first free ``<stem>.2<suffix>``, ``<stem>.3<suffix>``,
    ...: a file filed away (an inbox file moved to ``processed/``, an export set aside) never
    replaces one filed there before under the same name."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}.{n}{path.suffix}")
    return candidate


# the note an inbox sensor writes beside a file it refused, listing the problems: a BPJS answer's in
# inbox/bpjs/rejected/, a returned list's in inbox/verifikasi/<period>/ditolak/
REFUSAL_NOTES = (".error.txt", ".masalah.txt")


def refusal_note(refused: Path, suffix: str) -> Path:
    """The note beside ``refused`` (``REFUSAL_NOTES``): its name is the refused file's and the
    suffix, nothing more, so it names no one the file's name does not; and the retention erases
    it with that file (``pipelines.retention``)."""
    assert suffix in REFUSAL_NOTES, suffix
    return refused.with_name(refused.name + suffix)


@contextmanager
def locked(folder: Path):
    """``folder`` for this writer alone (an exclusive ``flock`` of the folder itself, let go
    with the process): two runs of one period clearing and writing its lists at once each took
    the other's new lists for files changed since they were written."""
    import fcntl  # POSIX, as the run lock of dagster_project.cli

    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield folder
    finally:
        os.close(fd)


def note_written(folder: Path, paths: list[Path]) -> None:
    """Record, in ``folder``'s :data:`WRITTEN`, the size and modification time of ``paths`` (files
    in ``folder``) as a writer left them; the record of the folder's earlier files goes."""
    record = {}
    for p in paths:
        st = p.stat()
        record[p.name] = [st.st_size, st.st_mtime_ns]
    tmp = aside(folder / WRITTEN)
    tmp.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
    tmp.replace(folder / WRITTEN)


def as_written(folder: Path) -> tuple[list[Path], list[Path]]:
    """The workbooks in ``folder`` (not Excel's ``~$`` owner files), sorted: (those as the last
    writer left them, those changed since or not written by it). Without a record (lists written
    before records were kept), a workbook named as a writer names them (:data:`OWN_WORKBOOK`) counts as
    written when it says so itself: no editor named, created when it was last modified (Excel,
    LibreOffice and openpyxl fill in the one or move the other when they save)."""
    try:
        record = json.loads((folder / WRITTEN).read_text(encoding="utf-8"))
    except FileNotFoundError:
        record = None
    except (OSError, ValueError):
        record = {}
    same, changed = [], []
    # (in any case: 6474011004.XLSX was neither removed nor moved, and never said; a re-check)
    for f in sorted(folder.iterdir()):
        if f.suffix.lower() != ".xlsx" or f.name.startswith("~$") or not f.is_file():
            continue
        if record is None:
            known = bool(re.fullmatch(OWN_WORKBOOK, f.name)) and _unedited(f)
        else:
            st = f.stat()
            known = record.get(f.name) == [st.st_size, st.st_mtime_ns]
        (same if known else changed).append(f)
    return same, changed


_EDITOR = re.compile(rb"<cp:lastModifiedBy>[^<]")
_CREATED = re.compile(rb"<dcterms:created[^>]*>([^<]*)<")
_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]*)<")


def _unedited(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    created, modified = _CREATED.search(core), _MODIFIED.search(core)
    return not _EDITOR.search(core) and bool(created and modified) and created.group(1) == modified.group(1)


# A returned list saved in a format it is not read in (LibreOffice Calc offers its own .ods at
# every save of an .xlsx), by suffix, and how it is to be saved again, in the save dialogs' words
OTHER_FORMATS = {".ods": "ODS (format LibreOffice)", ".xls": "XLS (Excel 97-2003)", ".csv": "CSV",
                 ".et": "ET (WPS)", ".xlsb": "XLSB", ".numbers": "Numbers"}
SAVE_AS_XLSX = "\"Excel Workbook (*.xlsx)\" / \"Excel 2007-365 (.xlsx)\""


def office_file(p: Path, suffixes) -> bool:
    """A file ending in one of ``suffixes`` (in any case), not an office lock file (Excel's
    ``~$…``, LibreOffice's ``.~lock…#``) nor a hidden one (``._x.xlsx``, which an unzip on a Mac
    leaves)."""
    return p.suffix.lower() in suffixes and not p.name.startswith(("~$", ".")) and p.is_file()


# the names a gap list is written under (<kode_kel>.xlsx), with a period as a coordinator may add
# it (6474011002_2026-10.xlsx) and the number an earlier file of that name gets (.2): no one's
_LIST_NAME = re.compile(r"[0-9]{10}(?:[_ -]20[2-9][0-9]-(?:0[1-9]|1[0-2]))?(?:\.[0-9]{1,4})?")
# the name of a BPJS export (export-NNN.csv), under which BPJS may answer it, with the number a
# later file of that name gets (.2): no one's
_RESPONSE_NAME = re.compile(r"export-[0-9]{3,6}(?:\.[0-9]{1,4})?")


# the extensions a label keeps: those of the files the inbox sensors take, and those they warn of
_EXTENSIONS = {".csv", ".xlsx", ".xlsm", ".txt", ".tsv", ".zip", ".pdf", *OTHER_FORMATS}


def file_label(name: str, own: re.Pattern, word: str) -> str:
    """A file's name as Dagster (a run, its key, tags and config, a sensor's log) and the
    processing log name it, for a file a person named. A name of the project's own form (its
    stem ``own``, with a known extension, ``_EXTENSIONS``) as it is. Any other, the kelurahan code
    it begins with when it does (``mask_file_name``'s: a NIK's first ten digits are starred with
    it) and ``<word>-`` with the first 12 hexadecimal digits of HMAC-SHA256(pseudonym key, the
    name), and its extension when a known one (``hasil SITI.AMINAH`` has none): people save files
    under their own name or a resident's (``daftar SITI AMINAH.xlsx``, ``hasil SITI
    AMINAH.csv``), which went into every run key, tag and log line of the file and the processing
    log (a privacy audit). Keyed: a plain hash of a name is found again by hashing likely names.
    The same name gives the same label, so a run key still takes a file once, and two names two
    labels."""
    import hmac

    from pipelines.nik import mask_file_name
    from pipelines.pseudonym import load_key

    stem, suffix = os.path.splitext(name)
    suffix = suffix if suffix.lower() in _EXTENSIONS else ""
    if suffix and own.fullmatch(stem):
        return name
    code = re.match(r"[0-9]{10}(?![0-9])", mask_file_name(stem))
    digest = hmac.new(load_key(), name.encode("utf-8", "surrogatepass"), "sha256").hexdigest()[:12]
    return f"{code.group() + '-' if code else ''}{word}-{digest}{suffix}"


def list_label(name: str) -> str:
    """A returned gap list's name as Dagster and the processing log name it (:func:`file_label`):
    ``6474011002-daftar-3fa2b1c4d5e6.xlsx``; a name of the lists' own as it is."""
    return file_label(name, _LIST_NAME, "daftar")


def response_label(name: str) -> str:
    """A BPJS response file's name as Dagster and the processing log name it (:func:`file_label`):
    ``hasil-3fa2b1c4d5e6.csv``; ``export-NNN.csv``, the export's own name, as it is."""
    return file_label(name, _RESPONSE_NAME, "hasil")
