"""Writing a file so that no reader ever sees half of it. Nothing here imports Dagster."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def aside(path: Path) -> Path:
    """Where ``path`` is written before it is renamed into place: a name beside it of this
    process and thread only, so two writers of the same file (two runs of one period at once)
    never write into each other's, and the last rename wins whole."""
    return path.with_name(f"{path.name}.{os.getpid()}-{threading.get_native_id()}.tmp")
