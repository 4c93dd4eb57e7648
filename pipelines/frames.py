"""Small frame helpers shared by the domain modules. Nothing here imports Dagster."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl


def per_distinct(frame: pl.DataFrame, col: str, compute: Callable[[pl.DataFrame], pl.DataFrame]) -> pl.DataFrame:
    """Columns derived from ``col``, computed once per distinct value and returned in the
    frame's row order (names and addresses repeat: a household shares its address, and 1M
    residents carry 569k distinct names). ``compute`` gets a one-column frame of the distinct
    values and adds the derived columns; those columns are returned (without ``col``)."""
    distinct = compute(frame.select(pl.col(col).unique()))
    return (frame.select(col).join(distinct, on=col, how="left", nulls_equal=True, maintain_order="left")
            .drop(col))
