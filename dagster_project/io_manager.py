"""A polars Parquet IO manager (``dagster-polars`` breaks on polars 2).

Layout (CONTRACT §4): ``<base_dir>/<asset_key>.parquet``, or
``<base_dir>/<asset_key>/<partition_key>.parquet`` when partitioned. Writes are atomic (a
temporary file renamed into place), so a crashed run never leaves half a file.
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
                raise ValueError(f"{key}: one partition per load/store, got {len(keys)}")
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

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        path = self._path(context)
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: materialize {context.asset_key.to_user_string()} first")
        return pl.read_parquet(path)
