"""Java regexes evaluated with a time bound: what a client's input can never stall.

A pattern in a mapping template (``.matches``, ``.replaceAll``, ``.split``, JSONPath
``=~``), a ``selectionPattern`` or an ``identityValidationExpression`` is the API's, but
the text it runs on is the client's.  A pattern such as ``(a|aa)+c`` backtracks
exponentially on a 40-character input.  Python's ``re`` holds the GIL for the whole
match and cannot be interrupted, so such a match would freeze the local gateway for
every client.  The `regex` package (a drop-in superset of ``re``) takes a ``timeout``
on every matching call and, with ``concurrent=True``, releases the GIL while it
matches: a match running in a worker thread neither blocks the event loop nor outlives
its budget.  That is why this module depends on it.

Patterns are compiled by `apigwc.java_regex.compile_java`, the one home of a Java
pattern's translation and compilation (onto the same `regex` package); this module adds
only the time budget.  The time budget of a call is the
enclosing deadline (`deadline`, which the template engine sets to the end of the render),
else `DEFAULT_SECONDS`.  A call past its budget raises `RegexTimeout`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import time
from collections.abc import Callable, Iterator

import regex

from .java_regex import JavaRegexError, compile_java

#: the budget of one match when no deadline is set (selection patterns, identity validation)
DEFAULT_SECONDS = 1.0

_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("apigwc_regex_deadline", default=None)


class RegexTimeout(Exception):
    """A match ran past its time budget and was stopped."""

    def __init__(self, pattern: str, seconds: float) -> None:
        super().__init__(f"the regular expression {pattern!r} ran longer than {seconds:.3g} s and was stopped")
        self.pattern = pattern
        self.seconds = seconds


@contextlib.contextmanager
def deadline(at: float) -> Iterator[None]:
    """Bound every match inside the block by ``at`` (a `time.perf_counter` value)."""
    token = _deadline.set(at)
    try:
        yield
    finally:
        _deadline.reset(token)


def _budget() -> float:
    at = _deadline.get()
    if at is None:
        return DEFAULT_SECONDS
    return max(at - time.perf_counter(), 0.001)


class BoundedPattern:
    """A compiled Java regex whose matching calls stop at the current budget."""

    __slots__ = ("_compiled", "java")

    def __init__(self, java: str, compiled: regex.Pattern[str]) -> None:
        self.java = java
        self._compiled = compiled

    def _run(self, call: Callable[[float], object]):
        budget = _budget()
        try:
            return call(budget)
        except TimeoutError:
            raise RegexTimeout(self.java, budget) from None

    def fullmatch(self, text: str):
        """Java ``String.matches``: the whole text must match."""
        return self._run(lambda t: self._compiled.fullmatch(text, timeout=t, concurrent=True))

    def search(self, text: str):
        return self._run(lambda t: self._compiled.search(text, timeout=t, concurrent=True))

    def sub(self, repl, text: str, count: int = 0) -> str:
        return self._run(lambda t: self._compiled.sub(repl, text, count=count, timeout=t, concurrent=True))

    def finditer(self, text: str) -> list:
        """Every match, found within one budget (a list, so the budget covers the whole scan)."""
        budget = _budget()
        end = time.perf_counter() + budget
        found = []
        try:
            for m in self._compiled.finditer(text, timeout=budget, concurrent=True):
                found.append(m)
                if time.perf_counter() > end:
                    raise TimeoutError
        except TimeoutError:
            raise RegexTimeout(self.java, budget) from None
        return found


@functools.lru_cache(maxsize=4096)
def compile_bounded(pattern: str, ignore_case: bool = False) -> BoundedPattern:
    """Compile a Java regex (``ignore_case``: as with Java's CASE_INSENSITIVE, i.e. ``(?i)``).

    Raises `JavaRegexError` where Java rejects the pattern.
    """
    if not ignore_case:
        return BoundedPattern(pattern, compile_java(pattern))
    try:
        return BoundedPattern(pattern, compile_java("(?i)" + pattern))
    except JavaRegexError as exc:  # the index in the pattern as written
        raise JavaRegexError(exc.message, max(exc.index - 4, 0)) from None


def matches(pattern: str, text: str) -> bool:
    """Java ``text.matches(pattern)`` within the current budget (raises `RegexTimeout`)."""
    return compile_bounded(pattern).fullmatch(text) is not None
