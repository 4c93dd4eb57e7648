"""Resources: where inputs and outputs live, the rules, and the database.

Settings come from environment variables so that ``lindungi run``, ``lindungi ui`` and
``dagster dev`` all see the same definitions and storage: the CLI sets them from its flags.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines import db
from pipelines.rules import Rules, load_rules


def out_dir() -> Path:
    """Where the runs write (LINDUNGI_OUT, else ./lindungi-data): for the schedule's and the
    sensors' code, which runs outside any asset and its settings."""
    return Path(os.environ.get("LINDUNGI_OUT") or os.path.abspath("lindungi-data"))


class LindungiSettings(dg.ConfigurableResource):
    input_dir: str
    out_dir: str
    rules_path: str = ""
    full_nik: bool = False  # gap lists show full NIKs only when explicitly asked for

    def rules(self) -> Rules:
        return load_rules(self.rules_path or None)


class Database(dg.ConfigurableResource):
    """A PostgreSQL DSN; empty means the embedded server under the state directory."""

    dsn: str = ""

    def url(self) -> str:
        return db.resolve_dsn(self.dsn or None)
