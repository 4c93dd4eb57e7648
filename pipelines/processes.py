"""Helpers for the worker processes Lindungi starts (the GX worker, the region workers of
``lindungi run``). Nothing here imports Dagster."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path


def exit_with_parent() -> None:
    """(In a spawned worker) end this process as soon as the one that started it is gone.

    A `lindungi run` killed with SIGKILL cannot stop its workers, and a pool worker waits on a
    queue whose both ends it holds itself: the GX worker stayed, GX imported, ~250 MB for every
    killed run, and a region worker would finish linking for nobody and then stay. The parent's
    sentinel, a pipe every spawned process inherits, turns readable when the parent dies. Use
    as (or call from) a ``ProcessPoolExecutor`` initializer."""
    import multiprocessing
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="lindungi-parent-watch", daemon=True).start()


@contextlib.contextmanager
def imports_uncollected():
    """Import without the cyclic garbage collector, then keep what was imported out of its sight.

    Modules are hundreds of thousands of long-lived objects: as the heap grows through a large
    import (Dagster's and its instance's storages in `lindungi run` and its region workers, GX's
    in the GX worker), the collector scans them again and again, and after, in each full
    collection. Frozen (``gc.freeze``) they are never scanned; what little garbage the imports
    made stays. A 200k `lindungi run`: 0.96-1.09 s of the main process in the collector,
    0.36-0.41 s with this (collecting once before freezing: 0.62-0.69 s); GX's import in the
    worker 3.0-4.3 s of CPU against 3.9-5.0 s. The collector is on again however the block ends."""
    import gc

    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def process_state(pid: int) -> str | None:
    """A process's state letter (``Z`` for a zombie: ended, not yet reaped), None when there
    is no such process; ``?`` for a live one where there is no /proc to read the state in."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2]
    except FileNotFoundError:
        return None
    except OSError:  # no /proc (not Linux)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:  # another user's process
            pass
        return "?"


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists and has not ended (a zombie has)."""
    return process_state(pid) not in (None, "Z")
