"""The process-wide event loop the Runtime API endpoints and worker pools run on.

One background thread per apigwc process runs it, started on first use, unless a
long-lived loop adopts the role (``apigwc serve``'s, at start: then an invocation
costs no thread hop).  Callers on
other loops hand it coroutines with `call`; at interpreter exit every worker left is
killed (a worker also exits by itself when its Runtime API endpoint goes away).
"""

from __future__ import annotations

import asyncio
import atexit
import threading
import weakref
from typing import Any, Coroutine, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
#: every pool alive, so that exit can kill their workers
POOLS: "weakref.WeakSet[Any]" = weakref.WeakSet()


def adopt(running: asyncio.AbstractEventLoop) -> None:
    """Run the Runtime API and the pools on ``running`` (``apigwc serve``'s loop): no thread hop per invocation.

    Only before any pool exists; a loop that closes later is replaced by a thread's.
    """
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            _loop = running


def loop() -> asyncio.AbstractEventLoop:
    """The loop pools run on: an adopted one, else a worker thread's (started on first call)."""
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            new = asyncio.new_event_loop()
            started = threading.Event()

            def run() -> None:
                asyncio.set_event_loop(new)
                new.call_soon(started.set)
                new.run_forever()

            threading.Thread(target=run, name="apigwc-lambda-runtime", daemon=True).start()
            started.wait()
            _loop = new
        return _loop


async def call(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on the worker loop and wait for it from the caller's loop.

    Cancelling the caller (an integration timeout) does not cancel the invocation: like
    Lambda, the function runs on to its own timeout.
    """
    target = loop()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is target:
        return await asyncio.shield(asyncio.ensure_future(coro))
    future = asyncio.run_coroutine_threadsafe(_shielded(coro), target)
    return await asyncio.wrap_future(future)


async def _shielded(coro: Coroutine[Any, Any, T]) -> T:
    return await asyncio.shield(asyncio.ensure_future(coro))


def run(coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run ``coro`` on the worker loop from synchronous code (not from the worker loop itself)."""
    return asyncio.run_coroutine_threadsafe(coro, loop()).result(timeout)


@atexit.register
def _kill_workers() -> None:
    for pool in list(POOLS):
        pool.kill_all()
