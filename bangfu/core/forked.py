"""A second process for pure work beside the first: a forked helper.

A large import is Python on one core while the machine has two (and PostgreSQL needs little
of the second while the import prepares its rows): its check and its write were each one long
loop of Python. `Helper` forks the process where it stands — the file's rows and everything
read so far are shared, not copied or pickled — runs a generator function there and hands its
items back one by one, pickled through a pipe, while the caller goes on with its own part.

The helper has a database connection of its own (opened when it first queries): it sees what
is committed, not the caller's open transaction. It is used only where that is what the work
needs (`possible`): on PostgreSQL, outside any atomic block (a test's transaction, a caller's
`transaction.atomic`); elsewhere the caller runs the same work itself.

The helper never closes what it inherited — the caller's database connections stay in the
caller's hands (psycopg does not end a connection made by another process when its object is
collected, and the helper leaves with `os._exit`, running no clean-up of the caller's). It ends
when its work is done, when the caller stops reading (`close`, or the caller's end: the kernel
kills it when the caller dies, and a write to a closed pipe ends it), and never outlives the
caller as an orphan. An error in the helper is raised in the caller as `HelperFailed` with the
helper's traceback.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import pickle
import signal
import struct
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, Generic, TypeVar

from django.conf import settings
from django.db import connections

from bangfu.core.collector import collector_paused

T = TypeVar("T")
logger = logging.getLogger(__name__)

_LENGTH = struct.Struct("!Q")
_ITEM, _DONE, _FAILED = b"i", b"d", b"f"
_PR_SET_PDEATHSIG = 1

# The connection wrappers a helper inherited: kept referenced, never closed (see the module).
_inherited: list[Any] = []


class HelperFailed(RuntimeError):
    """The helper process raised, or ended without saying it was done."""


def possible() -> bool:
    """Whether the work may be given to a helper here: on PostgreSQL, with no atomic block open
    on any connection (a helper could not see what it has written), and when the setting
    `BANGFU_HELPER_PROCESSES` (default on) allows it."""
    if not getattr(settings, "BANGFU_HELPER_PROCESSES", True) or not hasattr(os, "fork"):
        return False
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            return False
    return connections["default"].vendor == "postgresql"


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the one that forked it ends."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _fresh_connections() -> None:
    """In the helper: forget the caller's database connections (kept referenced, not closed)
    so that the first query opens one of the helper's own."""
    for connection in connections.all(initialized_only=True):
        _inherited.append(connection)
        del connections[connection.alias]


def start(work: Callable[[], Iterator[T]]) -> Helper[T] | None:
    """A helper running `work`, or None when the system cannot make another process now (the
    caller then does the work itself)."""
    try:
        return Helper(work)
    except OSError:
        logger.warning("No helper process could be started; the work is done in one process.")
        return None


class Helper(Generic[T]):
    """Run `work()` (a generator function) in a forked process at once; iterate the helper for
    its items, in order, as they come. Use as a context manager (or call `close`): leaving
    early stops the helper."""

    def __init__(self, work: Callable[[], Iterator[T]]) -> None:
        read_end, write_end = os.pipe()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:  # the helper
            os.close(read_end)
            _run(work, write_end, parent)  # never returns
        os.close(write_end)
        self.pid: int | None = pid
        self._pipe: BinaryIO | None = os.fdopen(read_end, "rb")
        self.done = False

    def __enter__(self) -> Helper[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[T]:
        while not self.done:
            kind, payload = self._read()
            if kind == _ITEM:
                # A payload of many objects and no cycles: the cyclic collector is not let
                # run again and again over it while it is made (0.4 s of an import's write).
                with collector_paused():
                    item = pickle.loads(payload)  # noqa: S301 — from the helper this process forked
                yield item
            elif kind == _DONE:
                self.done = True
                self._reap(wait=True)
            else:
                self.close()
                raise HelperFailed(payload.decode("utf-8", "replace"))

    def _read(self) -> tuple[bytes, bytes]:
        assert self._pipe is not None, "the helper is closed"
        head = self._pipe.read(1 + _LENGTH.size)
        if len(head) < 1 + _LENGTH.size:
            self.close()
            raise HelperFailed("the helper process ended without finishing its work")
        (length,) = _LENGTH.unpack(head[1:])
        payload = self._pipe.read(length)
        if len(payload) < length:
            self.close()
            raise HelperFailed("the helper process ended in the middle of an item")
        return head[:1], payload

    def close(self) -> None:
        """Stop the helper if it is still working, and wait for it to end."""
        if self._pipe is not None:
            self._pipe.close()
            self._pipe = None
        self._reap(wait=False)

    def _reap(self, *, wait: bool) -> None:
        if self.pid is None:
            return
        if not wait:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self.pid = None


def _run(work: Callable[[], Iterator[Any]], write_end: int, parent: int) -> None:
    """The helper's whole life: do the work, send each item, say done (or why not), and leave
    without running anything of the caller's clean-up."""
    code = 0
    try:
        _die_with_parent()
        if os.getppid() != parent:  # the caller died before the line above
            os._exit(1)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # the caller stopped reading: end here
        for number in (signal.SIGTERM, signal.SIGINT):  # not the caller's handlers
            signal.signal(number, signal.SIG_DFL)
        _fresh_connections()
        with os.fdopen(write_end, "wb") as pipe:
            try:
                for item in work():
                    _send(pipe, _ITEM, pickle.dumps(item, pickle.HIGHEST_PROTOCOL))
                _send(pipe, _DONE, b"")
            except BaseException:  # every failure is the caller's to raise
                _send(pipe, _FAILED, traceback.format_exc().encode("utf-8", "replace"))
                code = 1
            finally:
                for connection in connections.all(initialized_only=True):
                    with contextlib.suppress(Exception):
                        connection.close()  # the helper's own connections
    except BaseException:  # nothing of it may reach the caller's code
        code = 1
    finally:
        os._exit(code)


def _send(pipe: BinaryIO, kind: bytes, payload: bytes) -> None:
    pipe.write(kind + _LENGTH.pack(len(payload)))
    pipe.write(payload)
    pipe.flush()


__all__ = ["Helper", "HelperFailed", "possible", "start"]
