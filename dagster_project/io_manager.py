"""A polars Parquet IO manager (``dagster-polars`` breaks on polars 2).

Layout (CONTRACT §4): ``<base_dir>/<asset_key>.parquet``, or
``<base_dir>/<asset_key>/<partition_key>.parquet`` when partitioned. Writes are atomic (a
temporary file renamed into place), so a crashed run never leaves half a file.

Inputs load as the asset function declares them:

- ``pl.DataFrame``: the whole file, read;
- ``pl.LazyFrame``: a scan, so a region's step reads only its rows and columns (predicates and
  projections go down into the Parquet reader) and never holds the whole extract;
- ``dict``, for several partitions at once (an ``AllPartitionMapping``): a dict ``{partition_key: LazyFrame}``
  of the partitions that have been stored (a partition never materialized is absent, not an
  error: the asset decides which it needs, and reads only those).
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import polars as pl


class PolarsParquetIOManager(dg.ConfigurableIOManager):
    base_dir: str

    def _path(self, context: dg.OutputContext | dg.InputContext) -> Path:
        key = "/".join(context.asset_key.path)
        if context.has_asset_partitions:
            keys = context.asset_partition_keys
            if len(keys) != 1:
                raise ValueError(f"{key}: one partition per store, got {len(keys)}")
            return Path(self.base_dir) / key / f"{keys[0]}.parquet"
        return Path(self.base_dir) / f"{key}.parquet"

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame | None) -> None:
        if obj is None:
            return
        if not isinstance(obj, pl.DataFrame):
            raise TypeError(f"{context.asset_key.to_user_string()}: expected a polars DataFrame")
        path = self._path(context)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".parquet.tmp{os.getpid()}")
        obj.write_parquet(tmp, compression="zstd", statistics=True)
        os.replace(tmp, path)
        context.add_output_metadata({"path": dg.MetadataValue.path(str(path))})

    def load_input(self, context: dg.InputContext) -> pl.DataFrame | pl.LazyFrame | dict:
        wants = context.dagster_type.typing_type
        if context.has_asset_partitions and (wants is dict or len(context.asset_partition_keys) != 1):
            folder = Path(self.base_dir) / "/".join(context.asset_key.path)
            paths = {k: folder / f"{k}.parquet" for k in context.asset_partition_keys}
            return {k: pl.scan_parquet(p) for k, p in sorted(paths.items()) if p.exists()}
        path = self._path(context)
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: materialize {context.asset_key.to_user_string()} first")
        return pl.scan_parquet(path) if wants is pl.LazyFrame else pl.read_parquet(path)
