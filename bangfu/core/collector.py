"""Python's cyclic garbage collector around code that makes or holds millions of objects.

Reference counting frees almost everything; the cyclic collector exists for objects that name
each other. It runs by itself as objects are made, and each full collection walks every object
alive: around a large import (a file's rows, its households as models) that walk came to a
tenth, then a seventh of the time. These blocks say when it need not run, or not so often.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import cast


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block that makes many objects, instead of
    letting it walk them again and again as they grow: the grid of a large sheet being read (a
    third of the read time of 100,000 rows), a bulk filing's models that name one another (a
    batch of 2,000 archives set off four full collections over up to 300,000 objects each: a
    seventh of an import's write). Reference counting still frees what has no cycles; cycles
    made in the block wait for the collector, which simply resumes at its end (no collection
    there: after each filed batch of an import one found nothing to free and took 20–60 ms).
    Inside a paused block it stays paused."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def collector_spared() -> Iterator[None]:
    """Hide every object alive when the block starts from Python's cyclic garbage collector
    until it ends (`gc.freeze`), and again at each `spare_more()`: a check holds a large file's
    rows and people (millions of objects) while it makes many more, and each full collection
    walked them all again (a tenth of a second import of 100,000 rows). Cycles made in the block
    are still collected; what was hidden is looked at again after it. Process-wide: a block
    inside another ends the outer one's sparing too (a matter of speed, not of correctness)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def spare_more() -> None:
    """Inside `collector_spared`: hide what was made since from the collector too."""
    gc.freeze()


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return cast(Callable[[int], int], ctypes.CDLL(None).malloc_trim)
    except (AttributeError, OSError):  # not glibc: nothing to ask
        return None


def return_free_memory() -> None:
    """Ask the C allocator to give back to the system the memory freed in every one of its
    arenas (glibc's `malloc_trim`; elsewhere nothing). A thread allocates in an arena of its
    own: what a reader thread parsed and freed there (a large sheet's pieces) is not reused by
    this thread's later allocations, and stayed resident — 30–50 MB more at the peak of a
    100,000-row roster's check."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
