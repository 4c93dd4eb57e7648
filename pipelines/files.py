"""Writing a file so that no reader ever sees half of it, and filing one away without replacing
another. Nothing here imports Dagster."""

from __future__ import annotations

import glob
import os
import re
import threading
from pathlib import Path

from pipelines.processes import alive

# <out>/<WITHOUT_KELURAHAN>/<period>/<kode_kab>.xlsx: a kab/kota's residents to fix who have no
# kelurahan code (pipelines.reports.write_lists_without_kelurahan); named once, for the writer,
# the retention that erases them and the summary that points to them
WITHOUT_KELURAHAN = "perbaikan_data"

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
