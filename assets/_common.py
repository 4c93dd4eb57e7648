"""Helpers shared by the asset modules: progress lines and metadata without personal data."""

from __future__ import annotations

import logging
import os
import time

import dagster as dg
import polars as pl

from pipelines.nik import mask

progress_log = logging.getLogger("lindungi.progress")
# the clock starts with the first process of a command; the processes it starts (one per region)
# inherit it, so their lines count from the same start (CLOCK_MONOTONIC is system-wide)
_START = float(os.environ.setdefault("LINDUNGI_PROGRESS_T0", repr(time.monotonic())))


def progress(context: dg.AssetExecutionContext | dg.OpExecutionContext, message: str) -> None:
    """One progress line: to the Dagster event log and, under the CLI, to the terminal."""
    context.log.info(message)
    progress_log.info("[%6.1fs] %s", time.monotonic() - _START, message)


def _initials(name: str | None) -> str:
    return " ".join(p[0] + "." for p in (name or "").split() if p) or "-"


def preview(df: pl.DataFrame, columns: list[str], n: int = 5) -> dg.MetadataValue:
    """A markdown preview of the first rows with NIKs masked and names reduced to initials."""
    head = df.head(n).select([c for c in columns if c in df.columns])
    rows = []
    for rec in head.iter_rows(named=True):
        out = []
        for c, v in rec.items():
            if c in ("NIK", "NO_KK"):
                v = mask(v)
            elif c in ("NAMA_LGKP", "NAMA"):
                v = _initials(v)
            out.append("" if v is None else str(v).replace("|", "/"))
        rows.append("| " + " | ".join(out) + " |")
    cols = list(head.columns)
    table = "\n".join(["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols), *rows])
    return dg.MetadataValue.md(table)


def counts_md(title: str, counts: dict) -> dg.MetadataValue:
    lines = [f"| {title} | rows |", "|---|---|"] + [f"| {k} | {v:,} |" for k, v in counts.items()]
    return dg.MetadataValue.md("\n".join(lines))
