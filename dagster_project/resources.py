"""Resources: where inputs and outputs live, the rules, and the database.

Settings come from environment variables so that ``lindungi run``, ``lindungi ui`` and
``dagster dev`` all see the same definitions and storage: the CLI sets them from its flags.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
from pydantic import Field

from pipelines import db
from pipelines.rules import Rules, load_rules


def out_dir() -> Path:
    """Where the runs write (LINDUNGI_OUT, else ./lindungi-data): for the schedule's and the
    sensors' code, which runs outside any asset and its settings."""
    return Path(os.environ.get("LINDUNGI_OUT") or os.path.abspath("lindungi-data"))


def env_flag(name: str) -> bool:
    """An environment variable set to a yes (``1``, ``true``, ``yes``; any case): the settings'
    flags as ``lindungi`` commands pass them (LINDUNGI_FULL_NIK, LINDUNGI_ALLOW_SMALLER_EXTRACT)."""
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


class LindungiSettings(dg.ConfigurableResource):
    """Where a run reads and writes, and the rules it judges by (set from `lindungi run`'s or
    `lindungi ui`'s flags, through LINDUNGI_INPUT, LINDUNGI_OUT, LINDUNGI_RULES, LINDUNGI_FULL_NIK)."""

    input_dir: str = Field(description="the folder holding the extracts penduduk, dtsen and peserta_bpjstk")
    out_dir: str = Field(description="where the assets, the gap lists and the coverage page are written")
    rules_path: str = Field(default="", description="the rules TOML file; empty: the packaged defaults")
    # gap lists show full NIKs only when explicitly asked for
    full_nik: bool = Field(default=False, description="gap lists show NIKs in full (UU PDP: only when asked)")
    allow_smaller_extract: bool = Field(
        default=False, description="take a kab/kota whose extract holds under half the residents its last linking "
                                   "had (refused by default: a sample or partial extract would withdraw the "
                                   "candidates it lacks)")

    def rules(self) -> Rules:
        return load_rules(self.rules_path or None)


class Database(dg.ConfigurableResource):
    """A PostgreSQL DSN; empty means the embedded server under the state directory."""

    dsn: str = Field(default="", description="the PostgreSQL DSN of the bpjs submission tables; empty: the "
                                             "embedded server under the state directory")

    def url(self) -> str:
        return db.resolve_dsn(self.dsn or None)
