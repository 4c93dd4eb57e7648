"""Helpers for the worker processes Lindungi starts (the GX worker, the region workers of
``lindungi run``). Nothing here imports Dagster."""

from __future__ import annotations

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
